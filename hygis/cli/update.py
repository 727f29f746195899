"""``hygis update PROJECT LAYER --where EXPR --set FIELD=VALUE [--set …]``: the field calculator.

Sets fields of every feature matching a filter expression (the layer filter language,
:meth:`hygis.layers.vector.VectorLayer.filter_mask`) as one undoable command
(:class:`hygis.project.batch_edits.SetAttributes`); values are validated and coerced to the
fields' types.  Prints how many features changed.  Bad input is one line and the project file
stays byte-for-byte unchanged (it is saved atomically, only after everything checked out).

Example::

    hygis update plan.hygis 飞地 --where "name == '衢州海创园'" --set status=operating --set year_opened=2012
"""

from __future__ import annotations

from pathlib import Path

from hygis.core.errors import HygisError


def register(subparsers) -> None:
    p = subparsers.add_parser("update", help="set fields of the features matching an expression",
                              description="Set fields of a layer's features matching --where (saved atomically).")
    p.add_argument("project", help="the .hygis project")
    p.add_argument("layer", help="the layer to update (by name)")
    p.add_argument("--where", required=True, metavar="EXPR",
                   help="which features, e.g. \"status == 'planned' and year_opened <= 2025\" ('all' for every one)")
    p.add_argument("--set", dest="assignments", action="append", required=True, metavar="FIELD=VALUE",
                   help="a field and its new value (repeatable; an empty VALUE clears the field)")
    p.add_argument("--dry-run", action="store_true", help="check and count, but do not save")
    p.set_defaults(func=run_update)


def parse_assignments(items: list[str]) -> dict[str, str]:
    """['status=operating', 'year_opened=2012'] → {'status': 'operating', 'year_opened': '2012'}."""
    out: dict[str, str] = {}
    for item in items:
        field, sep, value = item.partition("=")
        field = field.strip()
        if not sep or not field:
            raise HygisError(f"--set expects FIELD=VALUE, got '{item}'")
        if field in out:
            raise HygisError(f"--set names field '{field}' twice")
        out[field] = value
    return out


def vector_layer(project, name: str, path: Path):
    """The vector layer ``name`` of ``project`` (read from ``path``), or one line naming the ones there are."""
    layer = project.layers.get(name)
    if layer is None or layer.kind == "raster":
        names = ", ".join(lyr.name for lyr in project.layers if lyr.kind != "raster") or "none"
        raise HygisError(f"No vector layer '{name}' in {path.name} (layers: {names})")
    return layer


def run_update(args) -> int:
    from hygis.project.batch_edits import SetAttributes
    from hygis.project.writing import project_for_writing

    values = parse_assignments(args.assignments)
    path = Path(args.project)
    with project_for_writing(path) as project:  # saved at the end only if a feature changed
        layer = vector_layer(project, args.layer, path)
        where = args.where.strip()
        if not where:
            raise HygisError("--where is empty: give an expression, or 'all' for every feature")
        mask = layer.filter_mask("" if where.lower() == "all" else where)
        fids = layer.data.index[mask]
        if len(fids) == 0:
            print(f"no feature of '{layer.name}' matches {where}: nothing changed")
            return 0
        cmd = SetAttributes(layer, fids, values)
        if not args.dry_run and cmd.changed:
            project.execute(cmd)
    verb = "would change" if args.dry_run else "changed"
    print(f"{verb} {cmd.changed} of {len(fids)} matching feature(s) in '{layer.name}'")
    return 0
