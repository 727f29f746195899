"""``hygis analyze … --engine dask|postgis``: the CLI side (argument checks, loading, dispatch)."""

from __future__ import annotations

from pathlib import Path

from hygis.analysis.engines import partitions as P
from hygis.core.errors import HygisError


def is_engine_spec(spec) -> bool:
    """A PostGIS table spec or a GeoParquet folder/file (inputs the local loader does not read)."""
    if spec is None:
        return False
    if P.is_postgis_spec(str(spec)):
        return True
    path = Path(str(spec))
    return path.is_dir() or path.suffix.lower() in (".parquet", ".geoparquet")


def load_any(spec, layer=None):
    """A whole layer for the in-process engine: PostGIS spec, GeoParquet, or anything load_layer_frame reads."""
    import geopandas as gpd

    from hygis.analysis.sources import load_layer_frame

    if P.is_postgis_spec(str(spec)):
        return P.load_postgis_table(str(spec))
    path = Path(str(spec))
    if path.is_dir() or path.suffix.lower() in (".parquet", ".geoparquet"):
        if not path.exists():
            raise HygisError("File not found: {path}", path=path)
        return gpd.read_parquet(path)
    return load_layer_frame(spec, layer)[0]


def coverage(args):
    from hygis.analysis import registry

    options = dict(by=args.by, buffer_m=args.buffer, weights=args.weights, denominator=args.denominator)
    if args.engine == "dask":
        if not is_engine_spec(args.target):
            raise HygisError("--engine dask reads a GeoParquet folder or a postgresql://…#schema.table target")
        from hygis.analysis.engines import dask_engine

        zones = load_any(args.zones, args.zones_layer)
        return dask_engine.coverage(args.target, zones, scheduler=args.scheduler, **options)
    if args.engine == "postgis":
        from hygis.analysis.engines import postgis_engine

        return postgis_engine.coverage(args.target, args.zones, **options)
    targets, zones = load_any(args.target, args.layer), load_any(args.zones, args.zones_layer)
    return registry.get("coverage").run(targets=targets, zones=zones, **options)


def adjacency(args):
    from hygis.analysis import registry

    if args.engine == "dask":
        if not is_engine_spec(args.a) or (args.b is not None and not is_engine_spec(args.b)):
            raise HygisError("--engine dask reads GeoParquet folders or postgresql://…#schema.table layers")
        from hygis.analysis.engines import dask_engine

        return dask_engine.adjacency(args.a, args.b, distance_m=args.distance, scheduler=args.scheduler)
    a = load_any(args.a, args.layer)
    b = load_any(args.b, args.b_layer) if args.b is not None else None
    return registry.get("adjacency").run(a=a, b=b, distance_m=args.distance)
