"""Partitioned inputs for the dask engine, as dask-geopandas collections.

* GeoParquet folder (as ``dask_geopandas`` ``to_parquet`` writes it):
  :func:`dask_geopandas.read_parquet`; one partition per file, its box from the GeoParquet
  metadata (``spatial_partitions``; computed once by dask-geopandas when a file has none).
* PostGIS table, ``postgresql://user@host/db#schema.table``: partitions are ranges of the primary
  key (``ntile`` over the key, boxes from ``ST_Extent`` per range), a collection built with
  :func:`dask.dataframe.from_map`; a range can also be read for one box only (``geom &&
  envelope``, through the GiST index).  Workers connect themselves; their password comes from their
  own PGPASSFILE / keyring.

Nothing here reads the data on the driver: a partition is read by the dask task that needs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from hygis.core.errors import HygisError
from hygis.db import require

PG_PREFIXES = ("postgresql://", "postgres://", "pg:")
DEFAULT_PG_PARTITIONS = 16


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
class Source:
    """A partitioned layer: the dask-geopandas collection and each partition's WGS84 box."""

    ddf: object  # dask_geopandas.GeoDataFrame
    boxes: list  # (x0, y0, x1, y1) per partition, EPSG:4326
    ranges: list = field(default_factory=list)  # PostGIS: (url, schema, table, key, key type, lo, hi) per partition
    rows: int = 0  # features in all partitions (from the GeoParquet footers / the key ranges; 0: unknown)

    @property
    def npartitions(self) -> int:
        return len(self.boxes)

    def total_bounds(self) -> tuple:
        b = np.array(self.boxes)
        return float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())

    def partitions(self) -> list:
        """One dask Delayed per partition (the whole partition, read by dask-geopandas / one query)."""
        return list(self.ddf.to_delayed())

    def near(self, dask, i: int, bbox, whole=None):
        """A Delayed of partition ``i``'s features whose box meets ``bbox`` (WGS84), read by a task of its
        own: see :meth:`loader`."""
        return dask.delayed(call, pure=False)(self.loader(i, bbox))

    def loader(self, i: int, bbox=None) -> "Near":
        """A plain object that reads partition ``i``'s features whose box meets ``bbox`` (WGS84; all without) when
        called, in whichever task calls it -- it is not a dask dependency, so nothing is read ahead and
        left waiting in memory: a PostGIS range is queried for that box only (GiST); a GeoParquet
        partition is read by dask-geopandas's own read task for it and filtered at once."""
        if self.ranges:
            return Near(None, tuple(self.ranges[i]), bbox and tuple(bbox))
        if not hasattr(self, "_readers"):
            self._readers = [Reader(d) for d in self.partitions()]
        return Near(self._readers[i], None, bbox and tuple(bbox))


class Near:
    """Partition features near a box, read when called (see :meth:`Source.loader`)."""

    def __init__(self, reader, pg_range, bbox):
        self.reader, self.pg_range, self.bbox = reader, pg_range, bbox

    def __call__(self) -> gpd.GeoDataFrame:
        if self.pg_range is not None:
            return load_postgis_range(*self.pg_range, bbox=self.bbox)
        frame = self.reader.read()
        return to_wgs84(frame) if self.bbox is None else filter_bbox(frame, self.bbox)


def call(loader):
    return loader()


class Reader:
    """The read task of one partition (its dask graph, culled), carried into a task as a plain object --
    not a dependency -- so the partition is read when, and where, the task runs."""

    def __init__(self, delayed):
        graph = delayed.__dask_graph__()
        self.key = delayed.key
        self.graph = dict(graph.cull({self.key})) if hasattr(graph, "cull") else dict(graph)

    def read(self):
        import dask

        return dask.get(self.graph, self.key)


def filter_bbox(frame: gpd.GeoDataFrame, bbox) -> gpd.GeoDataFrame:
    """The rows of ``frame`` (any CRS, brought to EPSG:4326) whose bounding box meets ``bbox``."""
    frame = to_wgs84(frame)
    if frame is None or len(frame) == 0:
        return frame
    b = frame.geometry.bounds.to_numpy()
    x0, y0, x1, y1 = bbox
    keep = (b[:, 0] <= x1) & (b[:, 2] >= x0) & (b[:, 1] <= y1) & (b[:, 3] >= y0)
    return frame[keep]


def to_wgs84(frame):
    if frame is None or len(frame) == 0 and frame.crs is None:
        return frame
    if frame.crs is None:
        return frame.set_crs(4326)
    if frame.crs.to_epsg() != 4326:
        return frame.to_crs(4326)
    return frame


def open_source(spec, columns=None, n_pg: int = DEFAULT_PG_PARTITIONS) -> Source:
    """The partitioned layer at ``spec``: a GeoParquet folder/file or a PostGIS table spec.
    ``columns``: attribute columns to read besides the geometry (None: all)."""
    if is_postgis_spec(spec):
        return postgis_source(str(spec), n_pg)
    return parquet_source(spec, columns)


def parquet_source(path, columns=None) -> Source:
    """A GeoParquet folder (one partition per file) or file, read by :func:`dask_geopandas.read_parquet`."""
    dgpd = require("dask_geopandas")
    path = Path(path)
    if not path.exists():
        raise HygisError("File not found: {path}", path=path)
    if path.is_dir() and not any(path.glob("*.parquet")):
        raise HygisError("{file} holds no .parquet files", file=path.name)
    try:
        ddf = dgpd.read_parquet(str(path))
        if columns is not None:
            ddf = ddf[[c for c in columns if c in ddf.columns and c != ddf.geometry.name] + [ddf.geometry.name]]
    except Exception as exc:  # pyarrow / dask raise many types for a file that is not GeoParquet
        raise HygisError("{file} is not a GeoParquet dataset: {value}",
                         file=path.name, value=str(exc).splitlines()[0][:200]) from None
    regions = ddf.spatial_partitions
    if regions is None:  # no box in the metadata: dask-geopandas measures each partition once
        ddf.calculate_spatial_partitions()
        regions = ddf.spatial_partitions
    if regions.crs is None:
        regions = regions.set_crs(4326)
    boxes = [_wgs84_box(g, regions.crs) for g in regions]
    return Source(ddf, boxes, rows=_parquet_rows(path))


def _parquet_rows(path: Path) -> int:
    """Rows of a GeoParquet folder or file, from the files' footers (nothing else is read)."""
    import pyarrow.parquet as pq

    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    try:
        return int(sum(pq.read_metadata(f).num_rows for f in files))
    except Exception:  # an unreadable footer: tiles are then planned from the boxes alone
        return 0


def _wgs84_box(geom, crs) -> tuple:
    """The EPSG:4326 bounding box of a partition's region given in ``crs`` (edges densified)."""
    from pyproj import CRS

    if geom is None or geom.is_empty:
        return (np.inf, np.inf, -np.inf, -np.inf)
    if CRS.from_user_input(crs).equals(CRS.from_epsg(4326), ignore_axis_order=True):
        return tuple(float(v) for v in geom.bounds)
    x0, y0, x1, y1 = geom.bounds
    dense = shapely.segmentize(shapely.box(x0, y0, x1, y1), max(x1 - x0, y1 - y0, 1e-9) / 64)
    return tuple(float(v) for v in gpd.GeoSeries([dense], crs=crs).to_crs(4326).total_bounds)


def postgis_source(spec: str, n: int = DEFAULT_PG_PARTITIONS) -> Source:
    """A PostGIS table as ``n`` primary-key ranges (boxes from ST_Extent per range), a dask-geopandas
    collection made with :func:`dask.dataframe.from_map` (one query per partition)."""
    require("dask_geopandas")
    import dask.dataframe as dd

    ranges, boxes, rows = postgis_ranges(spec, n)
    if not ranges:
        raise HygisError("{value} has no features", value=spec.rpartition('#')[2])
    meta = load_postgis_range(*ranges[0], limit=0)
    ddf = dd.from_map(_load_range, ranges, meta=meta, enforce_metadata=False)
    return Source(ddf, boxes, ranges, rows)


def _load_range(r):
    return load_postgis_range(*r)


def postgis_ranges(spec: str, n: int) -> tuple[list, list, int]:
    """Key ranges (url, schema, table, key, key type, lo, hi) of a PostGIS table, their WGS84 boxes and
    the number of rows."""
    from hygis.db.connection import connect
    from hygis.db.tables import table_info

    sql = require("psycopg.sql")
    url, schema, table = split_pg_spec(spec)
    with connect(url) as con:
        info = table_info(con, schema, table)
        key, key_type = key_column(con, schema, table)
        k = key_expr(key, key_type)
        geom = sql.SQL("ST_Transform({}, 4326)").format(sql.Identifier(info.geom_column)) \
            if info.srid != 4326 else sql.Identifier(info.geom_column)
        rows = con.execute(sql.SQL(
            "SELECT k0, k1, ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), c FROM ("
            " SELECT min(k) k0, max(k) k1, ST_Extent(g)::box2d e, count(*) c FROM ("
            "  SELECT {key} k, {geom} g, ntile(%s) OVER (ORDER BY {key}) b FROM {t}) s GROUP BY b) p"
            " ORDER BY k0").format(key=k, geom=geom, t=sql.Identifier(schema, table)), (int(n),)).fetchall()
    rows = [r for r in rows if r[2] is not None]
    return ([(url, schema, table, key, key_type, lo, hi) for lo, hi, *_ in rows],
            [tuple(float(v) for v in r[2:6]) for r in rows], int(sum(r[6] for r in rows)))


def key_expr(key: str, key_type: str):
    """The key as an expression with min()/max() and the same order (uuid → its text form)."""
    sql = require("psycopg.sql")
    return sql.SQL("{}::text").format(sql.Identifier(key)) if key_type == "uuid" else sql.Identifier(key)


def key_column(con, schema: str, table: str) -> tuple[str, str]:
    row = con.execute("SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                      "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass(%s) AND i.indisprimary",
                      (require("psycopg.sql").Identifier(schema, table).as_string(con),)).fetchall()
    if len(row) != 1:
        raise HygisError("{schema}.{table} needs a one-column primary key to be split into partitions",
                         schema=schema, table=table)
    return row[0][0], row[0][1]


def load_postgis_range(url, schema, table, key, key_type, lo, hi, bbox=None, limit=None) -> gpd.GeoDataFrame:
    """Rows of one key range (meeting ``bbox`` when given; at most ``limit``), indexed by the key."""
    from hygis.db.connection import connect
    from hygis.db.tables import py_value, table_info

    sql = require("psycopg.sql")
    with connect(url) as con:
        info = table_info(con, schema, table)
        geom = sql.Identifier(info.geom_column)
        g4326 = sql.SQL("ST_Transform({}, 4326)").format(geom) if info.srid != 4326 else geom
        k = key_expr(key, key_type)
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
        stmt = sql.SQL("SELECT {k}, {cols}{comma} ST_AsBinary({g}) FROM {t} WHERE {cond} ORDER BY {k}{lim}").format(
            k=k, cols=cols, comma=sql.SQL(",") if names else sql.SQL(""), g=g4326,
            t=sql.Identifier(schema, table), cond=cond,
            lim=sql.SQL(" LIMIT {}").format(sql.Literal(int(limit))) if limit is not None else sql.SQL(""))
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
        key, key_type = key_column(con, schema, table)
        lo, hi = con.execute(sql.SQL("SELECT min({k}), max({k}) FROM {t}").format(
            k=key_expr(key, key_type), t=sql.Identifier(schema, table))).fetchone()
    if lo is None:
        raise HygisError("{schema}.{table} is empty", schema=schema, table=table)
    return load_postgis_range(url, schema, table, key, key_type, lo, hi)
