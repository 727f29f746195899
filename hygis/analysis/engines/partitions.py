"""Partitioned inputs for the dask engine: each partition is (bounding box, loader).

A loader is a plain function ``load(bbox) -> GeoDataFrame`` (EPSG:4326, features whose bounding
box meets ``bbox``) that runs on a worker: only that partition is ever read there.

* GeoParquet folder (as ``dask_geopandas`` ``to_parquet`` writes it): partitions are its files; the
  boxes come from the GeoParquet metadata, so nothing is read to plan the work.
* PostGIS table, ``postgresql://user@host/db#schema.table``: partitions are ranges of the primary
  key (``ntile`` over the key); each loader reads its key range with ``geom && envelope`` (GiST).
  Workers connect themselves; their password comes from their own PGPASSFILE / keyring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from hygis.core.errors import HygisError
from hygis.db import require

PG_PREFIXES = ("postgresql://", "postgres://", "pg:")


def is_postgis_spec(spec) -> bool:
    return isinstance(spec, str) and spec.startswith(PG_PREFIXES) and "#" in spec


def split_pg_spec(spec: str) -> tuple[str, str, str]:
    """``postgresql://…/db#schema.table`` (or ``pg:SERVICE#table``) → (url, schema, table)."""
    from hygis.db.tables import split_name

    url, _, table = spec.rpartition("#")
    if url.startswith("pg:"):
        url = url[3:]
    schema, name = split_name(table)
    return url, schema, name


@dataclass
class Partition:
    bbox: tuple  # WGS84 (x0, y0, x1, y1)
    load: object  # a GeoParquet file path, or a (url, schema, table, key, key type, lo, hi) key range


def _filter_bbox(frame: gpd.GeoDataFrame, bbox) -> gpd.GeoDataFrame:
    if frame is None or len(frame) == 0:
        return frame
    b = frame.geometry.bounds.to_numpy()
    x0, y0, x1, y1 = bbox
    keep = (b[:, 0] <= x1) & (b[:, 2] >= x0) & (b[:, 1] <= y1) & (b[:, 3] >= y0)
    return frame[keep]


def _natural(path: Path):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.name)]


def parquet_partitions(path) -> tuple[list[Partition], list[Path]]:
    """Partitions of a GeoParquet folder (one per file, as dask-geopandas writes them) or file.

    Each file's box comes from its GeoParquet metadata (nothing is read to plan the work); a
    file without one is read once, alone, to measure it.  A partition is read by the task
    that needs it, inside that task, and only its features near the task's zones are kept.
    """
    import json

    import pyarrow.parquet as pq

    path = Path(path)
    if not path.exists():
        raise HygisError(f"File not found: {path}")
    files = sorted(path.glob("*.parquet"), key=_natural) if path.is_dir() else [path]
    if not files:
        raise HygisError(f"{path.name} holds no .parquet files")
    parts = []
    for f in files:
        bbox = None
        try:
            meta = pq.read_schema(f).metadata or {}
            geo = json.loads(meta.get(b"geo", b"{}"))
            col = geo.get("columns", {}).get(geo.get("primary_column", "geometry"), {})
            crs = col.get("crs")
            if col.get("bbox") and (crs is None or _is_wgs84(crs)):
                bbox = tuple(float(v) for v in col["bbox"][:4])
        except Exception as exc:
            raise HygisError(f"{f.name} is not a GeoParquet file: {str(exc).splitlines()[0][:200]}") from None
        if bbox is None:
            frame = read_parquet_file(str(f))
            if len(frame) == 0:
                continue
            bbox = tuple(float(v) for v in frame.total_bounds)
        parts.append(Partition(bbox, str(f)))
    return parts, files


def _is_wgs84(crs) -> bool:
    from pyproj import CRS

    try:
        return CRS.from_user_input(crs).equals(CRS.from_epsg(4326), ignore_axis_order=True)
    except Exception:
        return False


def read_parquet_file(path: str) -> gpd.GeoDataFrame:
    frame = gpd.read_parquet(path)
    if frame.crs is None:
        frame = frame.set_crs(4326)
    elif frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    return frame


def load_parquet_part(path: str, bbox=None) -> gpd.GeoDataFrame:
    """Worker side: one GeoParquet file, only the features meeting ``bbox``."""
    frame = read_parquet_file(path)
    return frame if bbox is None else _filter_bbox(frame, bbox)


def postgis_partitions(spec: str, n: int) -> list[Partition]:
    """Key-range partitions of a PostGIS table (bounding boxes from ST_Extent per range)."""
    from hygis.db.connection import connect
    from hygis.db.tables import table_info

    sql = require("psycopg.sql")
    url, schema, table = split_pg_spec(spec)
    with connect(url) as con:
        info = table_info(con, schema, table)
        key, key_type = _key_column(con, schema, table)
        k = _key_expr(key, key_type)
        geom = sql.SQL("ST_Transform({}, 4326)").format(sql.Identifier(info.geom_column)) \
            if info.srid != 4326 else sql.Identifier(info.geom_column)
        rows = con.execute(sql.SQL(
            "SELECT k0, k1, ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM ("
            " SELECT min(k) k0, max(k) k1, ST_Extent(g)::box2d e FROM ("
            "  SELECT {key} k, {geom} g, ntile(%s) OVER (ORDER BY {key}) b FROM {t}) s GROUP BY b) p"
            " ORDER BY k0").format(key=k, geom=geom, t=sql.Identifier(schema, table)), (int(n),)).fetchall()
    return [Partition((x0, y0, x1, y1), (url, schema, table, key, key_type, lo, hi))
            for lo, hi, x0, y0, x1, y1 in rows if x0 is not None]


def _key_expr(key: str, key_type: str):
    """The key as an expression with min()/max() and the same order (uuid → its text form)."""
    sql = require("psycopg.sql")
    return sql.SQL("{}::text").format(sql.Identifier(key)) if key_type == "uuid" else sql.Identifier(key)


def _key_column(con, schema: str, table: str) -> tuple[str, str]:
    row = con.execute("SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                      "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass(%s) AND i.indisprimary",
                      (require("psycopg.sql").Identifier(schema, table).as_string(con),)).fetchall()
    if len(row) != 1:
        raise HygisError(f"{schema}.{table} needs a one-column primary key to be split into partitions")
    return row[0][0], row[0][1]


def load_postgis_range(url, schema, table, key, key_type, lo, hi, bbox=None) -> gpd.GeoDataFrame:
    """Rows of one key range (meeting ``bbox`` when given), indexed by the key (as text)."""
    from hygis.db.connection import connect
    from hygis.db.tables import py_value, table_info

    sql = require("psycopg.sql")
    with connect(url) as con:
        info = table_info(con, schema, table)
        geom = sql.Identifier(info.geom_column)
        g4326 = sql.SQL("ST_Transform({}, 4326)").format(geom) if info.srid != 4326 else geom
        k = _key_expr(key, key_type)
        cond = sql.SQL("{k} >= %s AND {k} <= %s").format(k=k)
        params = [lo, hi]
        if bbox is not None:
            env = sql.SQL("ST_MakeEnvelope(%s, %s, %s, %s, 4326)")
            if info.srid != 4326:
                env = sql.SQL("ST_Transform({}, {})").format(env, sql.Literal(info.srid))
            cond = cond + sql.SQL(" AND {} && {}").format(geom, env)
            params += [float(v) for v in bbox]
        names = [c for c in info.names if c != key]
        cols = sql.SQL(", ").join([sql.Identifier(c) for c in names])
        stmt = sql.SQL("SELECT {k}, {cols}{comma} ST_AsBinary({g}) FROM {t} WHERE {cond} ORDER BY {k}").format(
            k=k, cols=cols, comma=sql.SQL(",") if names else sql.SQL(""), g=g4326,
            t=sql.Identifier(schema, table), cond=cond)
        with con.transaction():
            con.execute("SET TRANSACTION READ ONLY")
            rows = con.execute(stmt, params).fetchall()
    records = [{n: py_value(v) for n, v in zip(names, r[1:-1])} for r in rows]
    geoms = shapely.from_wkb(np.array([bytes(r[-1]) if r[-1] is not None else None for r in rows], dtype=object))
    index = [r[0] if isinstance(r[0], (int, np.integer)) else str(r[0]) for r in rows]
    frame = gpd.GeoDataFrame(records, columns=names, index=index,
                             geometry=gpd.GeoSeries(geoms, crs=4326, index=index), crs=4326)
    frame.index.name = key
    return frame


def load_postgis_table(spec: str) -> gpd.GeoDataFrame:
    """A whole PostGIS table (the in-process engine's input), ordered and indexed by its key."""
    from hygis.db.connection import connect

    sql = require("psycopg.sql")
    url, schema, table = split_pg_spec(spec)
    with connect(url) as con:
        key, key_type = _key_column(con, schema, table)
        lo, hi = con.execute(sql.SQL("SELECT min({k}), max({k}) FROM {t}").format(
            k=_key_expr(key, key_type), t=sql.Identifier(schema, table))).fetchone()
    if lo is None:
        raise HygisError(f"{schema}.{table} is empty")
    return load_postgis_range(url, schema, table, key, key_type, lo, hi)


def load_partition(part: Partition, bbox=None):
    """Worker side: the partition's features meeting ``bbox`` (all without one)."""
    if isinstance(part.load, tuple):
        return load_postgis_range(*part.load, bbox=bbox)
    return load_parquet_part(part.load, bbox)
