"""``hygis import PROJECT FILE [--append LAYER]``: the GUI's import for batch work.

Without ``--append`` the file becomes new layer(s); with it, its features are appended to an
existing layer, renamed by ``--map SRC=DST``, validated against the layer's schema and column
types (one bad feature refuses the whole append, naming it) as one undoable command
(:func:`hygis.project.batch_edits.append_features`).

A failed import leaves the project file byte-for-byte unchanged: the file is
read and converted completely before the project is touched, and the project
is saved atomically.  The project's write lock is held from opening it to saving
it, so concurrent imports into one project all land (one after the other).
"""

from __future__ import annotations

import sys
from pathlib import Path

from hygis.core.errors import HygisError

DATUM_CHOICES = ("wgs84", "gcj02", "bd09")


def register(subparsers) -> None:
    p = subparsers.add_parser("import", help="import a GIS file into a project as new layer(s)",
                              description="Import a GeoPackage, Shapefile (or zipped), GeoJSON, KML, CSV (lon/lat or "
                                          "WKT), FlatGeobuf, GeoParquet, File Geodatabase (.gdb), DXF or "
                                          "GeoTIFF into a .hygis project (saved atomically).")
    p.add_argument("project", help="the .hygis project to add the layer(s) to")
    p.add_argument("file", help="the file to import")
    p.add_argument("--create", action="store_true", help="create the project if it does not exist")
    p.add_argument("--append", metavar="LAYER",
                   help="append the features to this existing layer (validated against its fields; all or nothing)")
    p.add_argument("--layer", help="import only this layer of a multi-layer file")
    p.add_argument("--as", dest="kind", metavar="KIND",
                   help="import as a thematic kind (corridor, ftz, coastline, enclave, heritage)")
    p.add_argument("--name", help="name of the new layer")
    p.add_argument("--encoding", help="text encoding of a Shapefile/CSV (default: detected), e.g. gbk, utf-8")
    p.add_argument("--datum", default="wgs84", choices=DATUM_CHOICES,
                   help="datum of lon/lat coordinates: gcj02 for Amap/Tencent, bd09 for Baidu (default wgs84)")
    p.add_argument("--crs", help="coordinate system of data without one (DXF, x/y CSV), e.g. EPSG:4549")
    p.add_argument("--map", dest="field_map", action="append", default=[], metavar="SRC=DST",
                   help="rename a source field onto a schema field (repeatable)")
    p.add_argument("--value", dest="value_map", action="append", default=[], metavar="FIELD:IN_FILE=VALUE",
                   help="rewrite a value of a (mapped) field, e.g. enclave_type:产业飞地=industry (repeatable)")
    p.add_argument("--set", dest="constants", action="append", default=[], metavar="FIELD=VALUE",
                   help="give every imported feature this value, e.g. status=planned (repeatable)")
    p.add_argument("--lon", help="longitude (x) column of a CSV")
    p.add_argument("--lat", help="latitude (y) column of a CSV")
    p.add_argument("--repair", action="store_true", help="repair invalid geometries (shapely make_valid)")
    p.add_argument("--keep-invalid", action="store_true",
                   help="import invalid geometries as they are, with a warning (default: refuse the import)")
    p.set_defaults(func=run_import)


def parse_field_map(items: list[str]) -> dict[str, str]:
    """['名称=name', 'zt=status'] → {'名称': 'name', 'zt': 'status'}."""
    out = {}
    for item in items:
        src, sep, dst = item.partition("=")
        if not sep or not src.strip() or not dst.strip():
            raise HygisError(f"--map expects SRC=DST, got '{item}'")
        out[src.strip()] = dst.strip()
    return out


def value_options(args) -> dict:
    """``values``/``constants`` for :func:`hygis.io.load_layers` from ``--value``/``--set``."""
    from hygis.io.values import parse_constants, parse_value_map

    return {"values": parse_value_map(args.value_map) or None, "constants": parse_constants(args.constants) or None}


def check_arguments(args) -> None:
    """Refuse options that are empty, unknown or do not apply to the file, before anything is read."""
    from hygis.geo.crs import parse_crs
    from hygis.io.encoding import normalize_encoding

    for flag, value in (("--name", args.name), ("--layer", args.layer), ("--crs", args.crs),
                        ("--encoding", args.encoding), ("--lon", args.lon), ("--lat", args.lat)):
        if value is not None and not value.strip():
            raise HygisError(f"{flag} is empty")
    if args.encoding is not None and normalize_encoding(args.encoding) is None:
        raise HygisError(f"Unknown text encoding '{args.encoding}' (e.g. utf-8, gbk, gb18030, cp1252, shift_jis)")
    if (args.lon is None) != (args.lat is None):
        raise HygisError("give both the longitude and the latitude column (--lon and --lat)")
    if args.lon is not None and Path(args.file).suffix.lower() != ".csv":
        raise HygisError("--lon/--lat choose the coordinate columns of a CSV table; this file has its own geometry")
    if args.crs is not None:
        parse_crs(args.crs)
    project, source = Path(args.project), Path(args.file)
    if project.exists() and source.exists() and project.resolve() == source.resolve():
        raise HygisError("the file to import is the project itself")


def run_import(args) -> int:
    from hygis.io import load_layers
    from hygis.project.commands import AddLayer
    from hygis.project.writing import project_for_writing

    check_arguments(args)
    if args.append is not None:
        return run_append(args)
    project_path = Path(args.project)
    layers = load_layers(args.file, layer=args.layer, encoding=args.encoding, datum=args.datum, crs=args.crs,
                         as_kind=args.kind, field_map=parse_field_map(args.field_map), name=args.name,
                         lon=args.lon, lat=args.lat, repair=args.repair,
                         refuse_invalid=not args.keep_invalid, **value_options(args))
    with project_for_writing(project_path, create=args.create,
                             missing_hint=" (add --create to make a new one)") as project:
        for layer in layers:
            project.execute(AddLayer(project, layer))
    for layer in layers:
        count = f"{layer.feature_count} features, {layer.geometry_type}" if layer.kind != "raster" else \
            f"raster {layer.width}×{layer.height}"
        print(f"imported '{layer.name}' ({layer.kind}, {count}) into {project_path.name}")
        for warning in getattr(layer, "import_warnings", []):
            hint = "; run with --repair to fix" if "invalid geometries" in warning and not args.repair else ""
            print(f"warning: {layer.name}: {warning}{hint}", file=sys.stderr)
    return 0


def run_append(args) -> int:
    """``--append LAYER``: the file's features added to an existing layer, all or nothing."""
    from hygis.cli.update import vector_layer
    from hygis.io import load_layers
    from hygis.io.values import apply_values
    from hygis.project.batch_edits import append_features
    from hygis.project.writing import project_for_writing

    if args.create or args.kind or args.name:
        raise HygisError("--append adds to an existing layer: it cannot be combined with --create, --as or --name")
    project_path = Path(args.project)
    with project_for_writing(project_path) as project:
        target = vector_layer(project, args.append, project_path)
        field_map = parse_field_map(args.field_map)
        thematic = target.kind if target.schema is not None else None
        values = value_options(args)
        layers = load_layers(args.file, layer=args.layer, encoding=args.encoding, datum=args.datum, crs=args.crs,
                             as_kind=thematic, field_map=field_map if thematic else None, lon=args.lon, lat=args.lat,
                             repair=args.repair, refuse_invalid=not args.keep_invalid,
                             **(values if thematic else {}))
        if len(layers) != 1 or layers[0].kind == "raster":
            raise HygisError(f"{Path(args.file).name}: --append needs one vector layer (choose one with --layer)")
        frame = layers[0].data
        if not thematic:
            missing = [src for src in field_map if src not in frame.columns]
            if missing:
                raise HygisError(f"--map: no field {', '.join(missing)} in {Path(args.file).name}")
            frame = apply_values(frame.rename(columns=field_map), source=Path(args.file).name, **values)
        cmd = append_features(target, frame)
        project.execute(cmd)
    print(f"appended {len(frame)} feature(s) to '{target.name}' ({target.feature_count} now) in {project_path.name}")
    if cmd.dropped:
        print(f"warning: fields not in '{target.name}' were left out: {', '.join(map(str, cmd.dropped))}",
              file=sys.stderr)
    return 0
