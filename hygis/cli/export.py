"""``hygis export PROJECT LAYER OUT``: the GUI's export for batch work.

The format follows OUT's extension; ``--datum`` and ``--encoding`` give what old
tools and Chinese web maps need; ``--where`` exports the matching features only.
Every lossy step (and a GCJ-02/BD-09 datum) is said on stderr as a ``note:`` line.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hygis.core.errors import HygisError

EXPORT_DATUMS = ("wgs84", "cgcs2000", "gcj02", "bd09")
EXPORT_ENCODINGS = ("utf-8", "gbk", "gb18030")
FORMATS_TEXT = ".gpkg .shp .geojson .kml .csv .fgb .parquet"


def register(subparsers) -> None:
    e = subparsers.add_parser("export", help="export a project layer to a GIS file",
                              description="Export a layer of a .hygis project; the format follows OUT's "
                                          f"extension ({FORMATS_TEXT}). The old file is replaced only "
                                          "when the new one is complete.")
    e.add_argument("project", help="the .hygis project")
    e.add_argument("layer", help="name (or id) of the layer to export")
    e.add_argument("out", help=f"output file ({FORMATS_TEXT}; .tif for a raster layer)")
    e.add_argument("--datum", default="wgs84", choices=EXPORT_DATUMS,
                   help="datum of the output: wgs84, cgcs2000 (EPSG:4490), gcj02 for Amap or bd09 for Baidu "
                        "(default wgs84)")
    e.add_argument("--crs", help="write the coordinates in this CRS (EPSG code such as 4549 or EPSG:4549; "
                                 "GeoPackage, Shapefile, FlatGeobuf, GeoParquet); default: lon/lat of --datum")
    e.add_argument("--encoding", default="utf-8", choices=EXPORT_ENCODINGS,
                   help="text encoding of a Shapefile/CSV (gbk for old tools, gb18030 for every character; "
                        "default utf-8)")
    e.add_argument("--where", metavar="EXPR", help="export only features matching a filter expression")
    e.add_argument("--allow-truncate", action="store_true",
                   help="let a Shapefile cut field names to 10 bytes and texts to 254 bytes (reported)")
    e.set_defaults(func=run_export)


def run_export(args) -> int:
    from hygis.io import export_layer
    from hygis.io.writers import export_format
    from hygis.io.raster_export import RASTER_SUFFIXES, export_raster
    from hygis.project.fileformat import open_project

    out = Path(args.out)
    if out.suffix.lower() not in RASTER_SUFFIXES:
        export_format(out)  # an unknown extension fails before the project is read
    if not args.layer.strip():
        raise HygisError("the layer name is empty")
    if args.crs is not None and not args.crs.strip():
        raise HygisError("--crs is empty: give a coordinate system, e.g. --crs EPSG:4549")
    project_path = Path(args.project)
    if not project_path.exists():
        raise HygisError(f"Project {project_path} does not exist")
    if project_path.resolve() == out.resolve():
        raise HygisError(f"{out.name} is the project itself: export to another file")
    project = open_project(project_path)
    layer = project.layers.get(args.layer)
    if layer is None:
        raise HygisError(f"No layer '{args.layer}' in {project_path.name} (layers: {', '.join(project.layers.names)})")
    if layer.kind == "raster" or out.suffix.lower() in RASTER_SUFFIXES:  # rasters: their GeoTIFF as it is
        if args.where:
            raise HygisError("--where applies to vector layers")
        if layer.kind != "raster":
            raise HygisError(f"'{layer.name}' is a vector layer; GeoTIFF is for raster layers")
        path = export_raster(layer, out, datum=args.datum)
        print(f"exported raster '{layer.name}' ({layer.width}×{layer.height}) to {path}")
        return 0
    fids = None
    if args.where is not None:
        if layer.kind == "raster":
            raise HygisError("--where applies to vector layers")
        if not args.where.strip():
            raise HygisError("--where is empty: give a filter expression, e.g. --where \"city = '杭州市'\"")
        mask = layer.filter_mask(args.where)
        fids = [int(f) for f in layer.data.index[mask]]
    report: list[str] = []
    path = export_layer(layer, out, datum=args.datum, encoding=args.encoding, fids=fids,
                        allow_truncate=args.allow_truncate, report=report, crs=args.crs)
    n = len(fids) if fids is not None else layer.feature_count
    where = f"{args.crs}" if args.crs else args.datum
    print(f"exported {n} features of '{layer.name}' to {path} ({where}, {args.encoding})")
    for line in report:
        print(f"note: {layer.name}: {line}", file=sys.stderr)
    return 0
