"""``hygis db``: team layers on PostGIS -- push, checkout, link, sync, status.

    hygis db push plan.hygis 科创走廊 postgresql://planner@db.example:5432/team --schema plan
    hygis db checkout postgresql://planner@db.example/team plan.科创走廊 laptop.hygis --where "city = '宁波市'"
    hygis db link postgresql://planner@db.example/team plan.科创走廊 office.hygis
    hygis db sync laptop.hygis --prefer theirs
    hygis db status laptop.hygis

Passwords come from ~/.pgpass (PGPASSFILE) or the OS keyring; a URL's password is used for
the command only, never saved or logged.  ``sync`` exits 0 when everything is synced and 3
when conflicts remain (one line per conflicting feature on stdout).
"""

from __future__ import annotations

import sys

from hygis.cli import command_group
from hygis.db.merge import format_value

EXIT_CONFLICTS = 3


def register(subparsers) -> None:
    sub = command_group(subparsers, "db", help="team layers on PostGIS (push, checkout, link, sync, status)",
                        description="Share layers through a PostgreSQL/PostGIS database.",
                        dest="db_command", metavar="COMMAND")

    p = sub.add_parser("push", help="create a PostGIS table from a layer (the layer becomes a team layer)")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("layer", metavar="LAYER")
    p.add_argument("url", metavar="URL", help="postgresql://user@host:port/db (or a pg_service.conf name)")
    p.add_argument("--table", help="table name (default: the layer name)")
    p.add_argument("--schema", help="schema (default: public)")
    p.add_argument("--replace", action="store_true", help="replace the table if it exists")
    p.set_defaults(func=_push)

    c = sub.add_parser("checkout", help="copy a team table into a project as an offline layer")
    c.add_argument("url", metavar="URL")
    c.add_argument("table", metavar="TABLE", help="[schema.]table")
    c.add_argument("project", metavar="PROJECT", help="a .hygis (created if missing)")
    c.add_argument("--name", help="layer name (default: the table name)")
    c.add_argument("--where", metavar="EXPR", help="SQL condition choosing the features to check out")
    c.set_defaults(func=_checkout)

    lk = sub.add_parser("link", help="add a team table to a project as a live linked layer (read by view "
                                     "windows, edits committed on save)")
    lk.add_argument("url", metavar="URL")
    lk.add_argument("table", metavar="TABLE", help="[schema.]table")
    lk.add_argument("project", metavar="PROJECT", help="a .hygis (created if missing)")
    lk.add_argument("--name", help="layer name (default: the table name)")
    lk.set_defaults(func=_link)

    s = sub.add_parser("sync", help="three-way merge of the project's team layers with the database")
    s.add_argument("project", metavar="PROJECT")
    s.add_argument("--layer", metavar="NAME", help="sync this layer only")
    s.add_argument("--prefer", choices=("mine", "theirs"), help="resolve conflicts with this side")
    s.set_defaults(func=_sync)

    st = sub.add_parser("status", help="local inserts/updates/deletes per team layer since the last sync")
    st.add_argument("project", metavar="PROJECT")
    st.set_defaults(func=_status)


def _push(args) -> int:
    from hygis.analysis.sources import load_project
    from hygis.db.sync import push_layer
    from hygis.project.lock import project_lock

    with project_lock(args.project):  # open → push → save as one step against other writers
        project = load_project(args.project)
        name, n = push_layer(project, args.layer, args.url, table=args.table, schema=args.schema,
                             replace=args.replace)
    print(f"pushed {n} feature(s) of {args.layer} to {name}")
    return 0


def _checkout(args) -> int:
    from hygis.db.sync import checkout
    from hygis.project.lock import project_lock

    with project_lock(args.project):  # open (or create) → add → save as one step against other writers
        layer = checkout(args.url, args.table, args.project, name=args.name, where=args.where)
    print(f"checked out {layer.feature_count} feature(s) of {args.table} as layer {layer.name} into {args.project}")
    return 0


def _link(args) -> int:
    from pathlib import Path

    from hygis.db.live import link_layer
    from hygis.project.fileformat import open_project, save_project
    from hygis.project.lock import project_lock
    from hygis.project.model import Project

    path = Path(args.project)
    with project_lock(path):  # open (or create) → add → save as one step against other writers
        project = open_project(path) if path.exists() else Project(title=path.stem)
        layer = link_layer(project, args.url, args.table, name=args.name)
        save_project(project, path)
    print(f"linked {args.table} as layer {layer.name} in {path} (read by view windows; edits are committed "
          f"when the project is saved or with 'hygis db sync')")
    return 0


def _status(args) -> int:
    from hygis.analysis.sources import load_project
    from hygis.db.sync import status

    rows = status(load_project(args.project))
    if not rows:
        print("no team layers")
    for r in rows:
        print(f"{r['layer']}\t{r['table']}\tinserts {r['inserts']}\tupdates {r['updates']}\tdeletes {r['deletes']}"
              f"\tlast sync {r['last_sync'] or 'never'}")
    return 0


def conflict_line(layer: str, c) -> str:
    def side(row):
        if row is None:
            return "<deleted>"
        fields = c.fields if c.fields != ["<deleted>"] else [f for f in row if f != "geometry"][:4]
        return ", ".join(f"{f}={format_value(row.get(f))}" for f in fields)

    return (f"conflict\t{layer}\tfeature {c.uid}\tfields {','.join(c.fields)}\t"
            f"mine: {side(c.mine)}\ttheirs: {side(c.theirs)}")


def _sync(args) -> int:
    from hygis.analysis.sources import load_project
    from hygis.db.sync import sync_project
    from hygis.project.lock import project_lock

    # open → merge → save as one step: an import, update or GUI save of this file waits for the
    # sync (and the sync for them), so neither overwrites the other's result
    with project_lock(args.project):
        reports = sync_project(load_project(args.project), args.layer, prefer=args.prefer)
    conflicts, errors = 0, []
    for r in reports:
        if r.error:
            errors.append(f"hygis: error: {r.layer}: {r.error}")
            continue
        print(f"{r.layer}: pushed {sum(r.pushed.values())}, pulled {sum(r.pulled.values())}, "
              f"conflicts {len(r.conflicts)}")
        for c in r.conflicts:
            print(conflict_line(r.layer, c))
        conflicts += len(r.conflicts)
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    return EXIT_CONFLICTS if conflicts else 0

