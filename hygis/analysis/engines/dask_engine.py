"""Coverage and adjacency on dask.distributed, over partitioned inputs (``--engine dask``).

How the work is cut, and why the numbers are the in-process engine's:

* **Coverage**: the zones (small: districts, cities) are split into groups of whole zones;
  one task per group receives only the target features whose bounding box meets the group's
  box (each partition is read on a worker and filtered there) and runs
  :func:`hygis.analysis.coverage.coverage_by_zone` on them.  A zone's covered area depends only
  on the targets that meet it, so its row is the in-process row.  Zones of other groups that
  come earlier in the table and meet the box ride along (their rows are dropped), so a point
  on a shared border still counts for the first zone, as in-process.  Buffers are drawn in the
  whole layer's local CRS (from the partitions' boxes), as in-process.  The total row is the
  sum of the zone rows, as in-process.
* **Adjacency**: one task per partition of A, with the features of B (or A) whose boxes meet
  the partition's box widened by the distance; the whole data's local CRS is passed to
  :func:`hygis.analysis.adjacency.adjacency_pairs`.  Within one layer, a pair is kept by the
  task holding its smaller id (ids ascending in the input, as the in-process engine assumes).

No process holds the whole target layer: the driver keeps the zones and the partitions'
boxes; a worker holds one zone group's nearby targets (or one partition and its neighbours).
A zone group's targets must fit one worker -- more, smaller zone groups (``chunks``) help.
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hygis.analysis._common import as_frame, explode_collections, label_column
from hygis.analysis.engines import partitions as P
from hygis.core.errors import HygisError
from hygis.db import require
from hygis.geo import crs as hcrs

DEFAULT_PG_PARTITIONS = 16


@contextmanager
def client_for(scheduler: str | None = None, client=None, n_workers: int = 2, processes: bool = True,
               memory_limit: str = "2GiB"):
    """A dask client: the one given, one connected to ``scheduler`` (``tcp://host:8786``), or a LocalCluster."""
    if client is not None:
        yield client
        return
    distributed = require("distributed")
    if scheduler:
        try:
            c = distributed.Client(scheduler, timeout="15s")
        except (OSError, TimeoutError) as exc:
            raise HygisError(f"Cannot reach the dask scheduler at {scheduler}: {exc}") from None
        try:
            yield c
        finally:
            c.close()
        return
    with distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=processes,
                                  memory_limit=memory_limit, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as c:
        yield c


def source_partitions(spec, n_pg: int = DEFAULT_PG_PARTITIONS) -> list:
    """Partitions of a GeoParquet directory or a PostGIS table spec."""
    if P.is_postgis_spec(spec):
        return P.postgis_partitions(spec, n_pg)
    return P.parquet_partitions(spec)[0]


def _total_bounds(parts) -> tuple:
    b = np.array([p.bbox for p in parts])
    return b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()


def _meets(a, b) -> bool:
    return a[0] <= b[2] and a[2] >= b[0] and a[1] <= b[3] and a[3] >= b[1]


def _margin_deg(metres: float, bbox) -> tuple:
    if not metres:
        return 0.0, 0.0
    dy = metres / 110_000.0 * 1.02 + 1e-7
    lat = min(max(abs(bbox[1]), abs(bbox[3])) + dy, 89.0)
    return dy / max(math.cos(math.radians(lat)), 0.01), dy


def _grow(bbox, dx, dy):
    """``bbox`` widened by (dx, dy) degrees plus 2 % + 0.001°: a straight edge in the equal-area
    (or local) CRS bows away from the same edge in longitude/latitude, so a feature just outside
    a zone's WGS84 box can still meet the zone where the analysis measures."""
    rx = (bbox[2] - bbox[0]) * 0.02 + 1e-3
    ry = (bbox[3] - bbox[1]) * 0.02 + 1e-3
    return bbox[0] - dx - rx, bbox[1] - dy - ry, bbox[2] + dx + rx, bbox[3] + dy + ry


# -- coverage --------------------------------------------------------------------------------
def _coverage_task(zones, own_labels, by, buffer_m, local, box, parts):
    """One zone group: read the nearby features of each partition here (nothing is read ahead
    and left waiting in memory), then the in-process coverage."""
    from hygis.analysis.coverage import coverage_by_zone

    frames = [f for f in (P.load_partition(p, box) for p in parts) if f is not None and len(f)]
    if frames:
        targets = pd.concat([f[[f.geometry.name]].rename_geometry("geometry") if f.geometry.name != "geometry"
                             else f[["geometry"]] for f in frames], ignore_index=True)
        targets = gpd.GeoDataFrame(targets, geometry="geometry", crs=4326)
    else:
        targets = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=4326), crs=4326)
    if buffer_m > 0 and len(targets):
        targets = _prebuffer(targets, buffer_m, local)
    rows = coverage_by_zone(targets, zones, by=by)
    return rows[rows["zone"].isin(own_labels)]


def _prebuffer(targets, buffer_m, local):
    """What coverage_by_zone does with a buffer, in the whole layer's local CRS: every target
    buffered (its area) plus the unbuffered lines and points (their lengths and counts)."""
    geoms = targets.geometry.to_numpy()
    geoms = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
    geoms, _ = explode_collections(geoms, np.arange(len(geoms)))
    buffered = shapely.buffer(hcrs.project_geoms(geoms, hcrs.WGS84, local), buffer_m, quad_segs=16)
    buffered = hcrs.project_geoms(buffered, local, hcrs.WGS84)
    tid = shapely.get_type_id(geoms)
    other = geoms[np.isin(tid, (0, 1, 2, 4, 5))]  # points and lines keep their length / count
    return gpd.GeoDataFrame(geometry=gpd.GeoSeries(np.concatenate([buffered, other]), crs=4326), crs=4326)


def coverage(targets, zones, by: str | None = None, buffer_m: float = 0.0, scheduler: str | None = None,
             client=None, chunks: int | None = None) -> pd.DataFrame:
    """:func:`hygis.analysis.coverage.coverage_by_zone` on dask: ``targets`` is a GeoParquet
    directory or ``postgresql://…#schema.table``; ``zones`` a GeoDataFrame (or layer)."""
    from hygis.analysis.coverage import TOTAL_LABEL, _check_buffer, _zone_groups

    dask = require("dask")
    buffer_m = _check_buffer(buffer_m)
    zones = as_frame(zones, "zones")
    labels, codes = _zone_groups(zones, by)
    by_col = label_column(zones, by)
    with client_for(scheduler, client) as c:
        parts = source_partitions(targets)
        if not parts:
            raise HygisError("The target layer has no features")
        local = hcrs.local_metric_crs(*_centre(_total_bounds(parts)))
        n_chunks = chunks or max(1, min(len(labels), 4 * max(1, len(c.scheduler_info()["workers"]))))
        groups = np.array_split(np.arange(len(labels)), n_chunks)
        zb = zones.geometry.bounds.to_numpy()
        tasks = []
        for g in groups:
            if len(g) == 0:
                continue
            own = np.isin(codes, g)
            box = (zb[own, 0].min(), zb[own, 1].min(), zb[own, 2].max(), zb[own, 3].max())
            box = _grow(box, *_margin_deg(buffer_m, box))
            last = np.flatnonzero(own).max()
            near = (zb[:, 0] <= box[2]) & (zb[:, 2] >= box[0]) & (zb[:, 1] <= box[3]) & (zb[:, 3] >= box[1])
            rows = own | (near & (np.arange(len(zones)) < last))
            sub = zones[rows]
            near_parts = [part for part in parts if _meets(part.bbox, box)]
            tasks.append(dask.delayed(_coverage_task, pure=False)(sub, [labels[k] for k in g], by_col, buffer_m,
                                                                  local, box, near_parts))
        results = c.compute(tasks, sync=True)
    zone_rows = pd.concat(results, ignore_index=True) if results else pd.DataFrame()
    order = {lab: i for i, lab in enumerate(labels)}
    zone_rows = zone_rows.assign(_o=zone_rows["zone"].map(order)).sort_values("_o").drop(columns="_o")
    return _with_total(zone_rows.reset_index(drop=True), TOTAL_LABEL)


def _delayed_part(dask, part, box):
    """A task reading one partition's features near ``box`` (one per consumer: a partition is
    never kept whole in a worker's memory waiting for other tasks)."""
    return dask.delayed(P.load_partition, pure=False)(part, box)


def _centre(bounds):
    return float((bounds[0] + bounds[2]) / 2), float((bounds[1] + bounds[3]) / 2)


def _with_total(rows: pd.DataFrame, total_label: str) -> pd.DataFrame:
    total = {"zone": total_label}
    for col in ("zone_area_km2", "covered_area_km2", "covered_length_km", "point_count"):
        total[col] = rows[col].sum()
    zone = total["zone_area_km2"]
    total["covered_share_pct"] = total["covered_area_km2"] / zone * 100.0 if zone > 0 else 0.0
    total["points_per_100km2"] = total["point_count"] / zone * 100.0 if zone > 0 else 0.0
    if "denominator_km2" in rows.columns:  # shares of the drawn zone area (coverage_by_zone's default)
        total["denominator_km2"], total["denominator"] = zone, "drawn"
    out = pd.concat([rows, pd.DataFrame([total])[rows.columns]], ignore_index=True)
    out["point_count"] = out["point_count"].astype(np.int64)
    return out


# -- adjacency -------------------------------------------------------------------------------
def _adjacency_task(a, b_frames, same, distance_m, local, a_name, b_name):
    from hygis.analysis.adjacency import PAIR_COLUMNS, adjacency_pairs

    bs = [f for f in b_frames if f is not None and len(f)]
    if a is None or len(a) == 0 or not bs:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    b = pd.concat(bs)
    b = gpd.GeoDataFrame(b[~b.index.duplicated()], geometry=b.geometry.name, crs=4326)
    out = adjacency_pairs(a, b, distance_m=distance_m, a_name=a_name, b_name=b_name, local_crs=local)
    if same:
        out = out[out["a_id"] < out["b_id"]]
    return out


def adjacency(a, b=None, distance_m: float | None = None, scheduler: str | None = None, client=None,
              a_name: str | None = None, b_name: str | None = None) -> pd.DataFrame:
    """:func:`hygis.analysis.adjacency.adjacency_pairs` on dask (A, B: GeoParquet dirs or PostGIS specs)."""
    from hygis.analysis.adjacency import PAIR_COLUMNS, _check_distance

    dask = require("dask")
    distance = _check_distance(distance_m)
    same = b is None
    with client_for(scheduler, client) as c:
        pa = source_partitions(a)
        pb = pa if same else source_partitions(b)
        if not pa or not pb:
            return pd.DataFrame(columns=PAIR_COLUMNS)
        ta, tb = _total_bounds(pa), _total_bounds(pb)
        local = hcrs.local_metric_crs(*_centre((min(ta[0], tb[0]), min(ta[1], tb[1]),
                                                max(ta[2], tb[2]), max(ta[3], tb[3]))))
        tasks = []
        for part in pa:
            box = _grow(part.bbox, *_margin_deg((distance or 0.0) * 1.005 + 1.0, part.bbox))
            a_frame = dask.delayed(P.load_partition, pure=False)(part)
            b_frames = [_delayed_part(dask, q, box) for q in pb if _meets(q.bbox, box)]
            tasks.append(dask.delayed(_adjacency_task)(a_frame, b_frames, same, distance, local, a_name, b_name))
        results = c.compute(tasks, sync=True)
    results = [r for r in results if len(r)]
    if not results:
        out = pd.DataFrame(columns=PAIR_COLUMNS)
    else:
        out = pd.concat(results, ignore_index=True).sort_values(["a_id", "b_id"], kind="stable")
    out = out.reset_index(drop=True)
    out.attrs["symmetric"] = same
    return out
