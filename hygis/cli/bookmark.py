"""``hygis bookmark PROJECT [--add NAME --extent LON0,LAT0,LON1,LAT1 | --remove NAME | --rename OLD NEW]``.

Lists, adds (or replaces), removes and renames the project's spatial bookmarks — the
same undoable commands as View ▸ Bookmarks in the desktop app — and saves the project
when something changed.  ``hygis render PROJECT --bookmark NAME`` draws a bookmark's view.
Runs without Qt.
"""

from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser("bookmark", help="list, add, remove or rename a project's spatial bookmarks",
                              description="Spatial bookmarks (named map views) of a .hygis project. Without an "
                                          "option: list them.")
    p.add_argument("project", help="the .hygis project")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--add", metavar="NAME", help="save --extent as bookmark NAME (replaces one of that name)")
    group.add_argument("--remove", metavar="NAME", help="delete bookmark NAME")
    group.add_argument("--rename", nargs=2, metavar=("OLD", "NEW"), help="rename bookmark OLD to NEW")
    p.add_argument("--extent", help="the view of --add as LON0,LAT0,LON1,LAT1 (WGS84 degrees)")
    p.set_defaults(func=run)


def run(args) -> int:
    from hygis.core.errors import HygisError
    from hygis.project import bookmarks as bm

    path = Path(args.project)
    for flag, value in (("--add", args.add), ("--remove", args.remove), *(("--rename", v) for v in args.rename or ())):
        if value is not None and not value.strip():
            raise HygisError(f"{flag}: the bookmark name is empty")
    if not (args.add or args.remove or args.rename):
        from hygis.project.fileformat import open_project

        if not path.exists():
            raise HygisError(f"No such file: {path}")
        marks = open_project(path).bookmarks
        for b in marks:
            line = f"{b.name}\t{','.join(f'{v:.6f}' for v in b.wgs84())}"
            if b.crs != "EPSG:4326":  # a view saved in the app: its map extent as stored
                line += f"\t{b.crs} {','.join(repr(v) for v in b.extent)}"
            print(line)
        if not marks:
            print("no bookmarks")
        return 0
    if args.add and not args.extent:
        raise HygisError("--add needs --extent LON0,LAT0,LON1,LAT1")
    from hygis.project.writing import project_for_writing

    with project_for_writing(path) as project:
        if args.add:
            cmd = bm.AddBookmark(project, bm.Bookmark(args.add, bm.parse_extent(args.extent)))
        elif args.remove:
            cmd = bm.RemoveBookmark(project, args.remove)
        else:
            cmd = bm.RenameBookmark(project, *args.rename)
        project.execute(cmd)
    print(f"{cmd.label}: {len(project.bookmarks)} bookmark(s) in {path.name}")
    return 0
