"""``hygis slides PROJECT --out deck.pdf|deck.pptx [--size WxH] [--png-dir DIR]``: the scenario deck.

One page per scenario, in the project's order (map, title, subtitle, legend,
indicators, scale bar, north arrow, sources); a ``.pptx`` is the editable deck (map
pictures, indicators as text, speaker notes).  Qt is imported only when the
command runs; without a display it renders offscreen.
"""

from __future__ import annotations

import sys

from hygis.core.errors import HygisError


def register(subparsers) -> None:
    p = subparsers.add_parser("slides", help="export the scenarios as a PDF slide deck (and PNGs)",
                              description="Export the project's scenarios as a slide deck: one page per scenario.")
    p.add_argument("project", help="a .hygis project with scenarios")
    p.add_argument("--out", help="the deck to write: deck.pdf, or deck.pptx (editable in PowerPoint/WPS)")
    p.add_argument("--size", default="1920x1080", help="page size in pixels, WIDTHxHEIGHT (default 1920x1080)")
    p.add_argument("--png-dir", help="also write one PNG per scenario into this folder")
    from hygis.cli.render import TILES_HELP

    p.add_argument("--tiles", help=TILES_HELP)
    p.set_defaults(func=run)


def run(args) -> int:
    from hygis.project.fileformat import open_project

    from hygis.present.slides import parse_size

    if not args.out and not args.png_dir:
        raise HygisError("nothing to write: give --out DECK.pdf and/or --png-dir DIR")
    size = parse_size(args.size)
    project = open_project(args.project)
    from hygis.cli.render import ensure_gui_app, report_tiles, use_tiles

    app = ensure_gui_app("zh_CN")  # noqa: F841 (kept alive while painting; slides are Chinese)
    use_tiles(project, args.tiles)
    from hygis.ui.slide_render import export_deck, export_pptx

    written = []
    out = args.out
    if out and out.lower().endswith(".pptx"):
        written.append(export_pptx(project, out))
        out = None
    if out or args.png_dir:
        written += export_deck(project, out, size, args.png_dir)
    pages = len(project.scenarios)
    report_tiles(project)
    for path in written:
        print(path)
    print(f"{pages} slide(s): " + ", ".join(project.scenarios.names), file=sys.stderr)
    return 0
