"""``hygis export PROJECT LAYER OUT``: the GUI's export for batch work.

The format follows OUT's extension; ``--datum`` and ``--encoding`` give what old
tools and Chinese web maps need; ``--where`` exports the matching features only.
"""

from __future__ import annotations

from pathlib import Path

from hygis.core.errors import HygisError

EXPORT_DATUMS = ("wgs84", "cgcs2000", "gcj02", "bd09")


def register(subparsers) -> None:
    e = subparsers.add_parser("export", help="export a project layer to a GIS file",
                              description="Export a layer of a .hygis project; the format follows OUT's "
                                          "extension (.gpkg .shp .geojson .kml .csv).")
    e.add_argument("project", help="the .hygis project")
    e.add_argument("layer", help="name (or id) of the layer to export")
    e.add_argument("out", help="output file (.gpkg .shp .geojson .kml .csv)")
    e.add_argument("--datum", default="wgs84", choices=EXPORT_DATUMS,
                   help="datum of the output: wgs84, cgcs2000 (EPSG:4490) or gcj02 for Amap (default wgs84)")
    e.add_argument("--encoding", default="utf-8", choices=("utf-8", "gbk"),
                   help="text encoding of a Shapefile/CSV (gbk for old tools; default utf-8)")
    e.add_argument("--where", metavar="EXPR", help="export only features matching a filter expression")
    e.set_defaults(func=run_export)


def run_export(args) -> int:
    from hygis.project.fileformat import open_project

    from hygis.io import export_layer
    from hygis.io.writers import export_format

    out = Path(args.out)
    export_format(out)  # an unknown extension fails before the project is read
    project_path = Path(args.project)
    if not project_path.exists():
        raise HygisError(f"Project {project_path} does not exist")
    project = open_project(project_path)
    layer = project.layers.get(args.layer)
    if layer is None:
        raise HygisError(f"No layer '{args.layer}' in {project_path.name} (layers: {', '.join(project.layers.names)})")
    fids = None
    if args.where:
        if layer.kind == "raster":
            raise HygisError("--where applies to vector layers")
        mask = layer.filter_mask(args.where)
        fids = [int(f) for f in layer.data.index[mask]]
    path = export_layer(layer, out, datum=args.datum, encoding=args.encoding, fids=fids)
    n = len(fids) if fids is not None else layer.feature_count
    print(f"exported {n} features of '{layer.name}' to {path} ({args.datum}, {args.encoding})")
    return 0
