"""Coverage and adjacency on dask.distributed, over partitioned inputs (``--engine dask``).

Inputs are dask-geopandas collections (:mod:`hygis.analysis.engines.partitions`): a GeoParquet
folder read by ``dask_geopandas.read_parquet``, or a PostGIS table split into key ranges.

* **Coverage** (:mod:`hygis.analysis.engines.tiles`): the plane is cut into square tiles of the
  equal-area CRS; one task per tile reads, from every partition meeting it, the features near the
  tile and runs the in-process coverage against the zones cut to the tile.  Areas and lengths add
  up over the disjoint tiles, so overlapping features of different partitions are unioned, never
  counted twice; the numbers are the in-process ones.  A PostGIS range is read per tile with
  ``geom && envelope`` (GiST).  Zone areas, denominators
  (``drawn``/``official``) and weight totals come from one small task on the zones.
* **Adjacency**: one task per partition of A, reading it and the features of B (or A) whose boxes meet
  the partition's box widened by the distance; the whole data's local CRS is passed to
  :func:`hygis.analysis.adjacency.adjacency_pairs`.  Within one layer, a pair is kept by the
  task holding its smaller id (ids ascending in the input, as the in-process engine assumes).

Memory: every task reads its own inputs, one partition at a time, keeping only the features near
its tile (or partition), so nothing read waits in a worker's memory for a later task; a worker
holds one partition plus one tile's features (tiles are sized to hold about 4,000) and the
zones near it -- never the layer.  The driver keeps the zones and the partitions' boxes.  ``benchmarks/bench_dask_memory.py`` measures it.
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import geopandas as gpd
import numpy as np
import pandas as pd

from hygis.analysis._common import as_frame, label_column, to_equal_area
from hygis.analysis.engines import partitions as P
from hygis.analysis.engines import tiles as T
from hygis.core.errors import HygisError
from hygis.db import require
from hygis.geo import crs as hcrs


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
            _probe(scheduler)
            c = distributed.Client(scheduler, timeout="15s")
        except (OSError, TimeoutError) as exc:
            raise HygisError("Cannot reach the dask scheduler at {scheduler}: {reason}",
                             scheduler=scheduler, reason=exc) from None
        try:
            yield c
        finally:
            c.close()
        return
    with local_cluster(n_workers, processes, memory_limit) as cluster, distributed.Client(cluster) as c:
        yield c


def _probe(scheduler: str) -> None:
    """Raise OSError at once when nothing listens at a ``tcp://host:port`` scheduler address (a
    refused connection, an unknown host): dask's client would retry until its 15 s timeout and
    then only say it timed out.  Other schemes are left to dask."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(scheduler if "://" in scheduler else f"tcp://{scheduler}")
    if parts.scheme != "tcp" or not parts.hostname or parts.port is None:
        return
    with socket.create_connection((parts.hostname, parts.port), timeout=5):
        pass


def local_cluster(n_workers: int = 2, processes: bool = True, memory_limit: str = "2GiB"):
    """A ``distributed.LocalCluster`` of one-thread workers.

    Workers in this process (``processes=False``) get no memory limit: a worker measures the RSS
    of the process it runs in, so each would compare the whole application's memory with its own
    share and, above 80 % of it, pause -- for good, with the caller waiting in ``compute`` (the
    suite hung so once its process had grown past 0.8 GiB).  Worker processes keep the limit.
    """
    distributed = require("distributed")
    return distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=processes,
                                    memory_limit=memory_limit if processes else 0, dashboard_address=None)


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
    a box in longitude/latitude can still meet it where the analysis measures."""
    rx = (bbox[2] - bbox[0]) * 0.02 + 1e-3
    ry = (bbox[3] - bbox[1]) * 0.02 + 1e-3
    return bbox[0] - dx - rx, bbox[1] - dy - ry, bbox[2] + dx + rx, bbox[3] + dy + ry


# -- coverage --------------------------------------------------------------------------------
def _empty_targets() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=4326), crs=4326)


def coverage(targets, zones, by: str | None = None, buffer_m: float = 0.0, weights=None,
             denominator: str = "drawn", scheduler: str | None = None, client=None,
             tile_m: float | None = None, pg_partitions: int = P.DEFAULT_PG_PARTITIONS) -> pd.DataFrame:
    """:func:`hygis.analysis.coverage.coverage_by_zone` on dask, with the same options and numbers.

    ``targets`` is a GeoParquet folder or ``postgresql://…#schema.table``; ``zones`` a
    GeoDataFrame (or layer); ``weights`` a zone field or the path of a raster every worker can
    read; ``tile_m`` the tile side (default: about one partition's box).
    """
    from hygis.analysis import weights as wmod
    from hygis.analysis._common import Feedback
    from hygis.analysis.coverage import DENOMINATORS, check_buffer, coverage_by_zone, result_frame, zone_labels

    dask = require("dask")
    buffer_m = check_buffer(buffer_m)
    if denominator not in DENOMINATORS:
        raise HygisError("denominator must be one of {value}, got {denominator!r}",
                         value=', '.join(DENOMINATORS), denominator=denominator)
    zones = as_frame(zones, "zones")
    labels, _codes = zone_labels(zones, by)
    by_col = label_column(zones, by)
    attribute = isinstance(weights, str) and weights in zones.columns
    raster = None if weights is None or attribute else str(weights)
    zb = shapely_bounds(zones)
    with client_for(scheduler, client) as c:
        src = P.open_source(targets, columns=[], n_pg=pg_partitions)
        if not src.npartitions:
            raise HygisError("The target layer has no features")
        local = hcrs.local_metric_crs(*_centre(src.total_bounds()))
        boxes = [T.albers_box(b, buffer_m * 1.01) for b in src.boxes]
        grid = plan_tiles(src, buffer_m, tile_m)
        zones_near = {}  # zones meeting a tile or its halo
        for box in boxes:
            for t in grid.meeting(box, grid.halo):
                if t not in zones_near:
                    tb = grid.box(t, grid.halo)
                    near = np.flatnonzero((zb[:, 0] <= tb[2]) & (zb[:, 2] >= tb[0]) &
                                          (zb[:, 1] <= tb[3]) & (zb[:, 3] >= tb[1]))
                    zones_near[t] = near
        tiles = {t: [] for t, near in zones_near.items() if len(near)}
        for i, box in enumerate(boxes):
            for t in grid.meeting(box, grid.halo):
                if t in tiles:  # partition i, read by tile t's task itself: only its features near the tile
                    tiles[t].append(src.loader(i, grid.wgs84_box(t, buffer_m * 1.01)))
        tasks = [dask.delayed(T.tile_task, pure=False)(grid, t, zones.iloc[zones_near[t]], by_col, raster,
                                                       loaders, buffer_m, local) for t, loaders in tiles.items()
                 if loaders]
        base = dask.delayed(coverage_by_zone, pure=False)(_empty_targets(), zones, by=by, weights=raster,
                                                          denominator=denominator)
        results = c.compute([base] + tasks, sync=True)
    base, parts = results[0], [r for r in results[1:] if len(r)]
    sums = (pd.concat(parts, ignore_index=True).groupby("zone", sort=False).sum() if parts
            else pd.DataFrame(columns=["covered_area_km2", "covered_length_km", "point_count", "weight_covered"]))
    sums = sums.reindex(labels).fillna(0.0)
    zone_m2 = base["zone_area_km2"].to_numpy()[:-1] * 1e6
    out = result_frame(labels, zone_m2, sums["covered_area_km2"].to_numpy(float) * 1e6,
                    sums["covered_length_km"].to_numpy(float), sums["point_count"].to_numpy(np.int64), denominator)
    if attribute:
        out = wmod.add_weights(out, zones, _codes, None, None, weights, Feedback())
    elif raster is not None:
        total = base["weight_total"].to_numpy()[:-1]
        covered = sums["weight_covered"].to_numpy(float)
        out["weight_total"] = np.r_[total, total.sum()]
        out["weight_covered"] = np.r_[covered, covered.sum()]
        t = out["weight_total"].to_numpy()
        out["weight_share_pct"] = np.divide(out["weight_covered"].to_numpy() * 100.0, t,
                                            out=np.zeros(len(t)), where=t > 0)
    return out


def plan_tiles(src, buffer_m: float = 0.0, tile_m: float | None = None) -> T.Grid:
    """The tile grid :func:`coverage` cuts a partitioned source into (from its partitions' boxes)."""
    return T.plan_grid([T.albers_box(b, buffer_m * 1.01) for b in src.boxes], src.rows, tile_m)


def shapely_bounds(zones: gpd.GeoDataFrame) -> np.ndarray:
    """The zones' boxes in the equal-area CRS."""
    import shapely

    return shapely.bounds(to_equal_area(zones.geometry.to_numpy()))


def _centre(bounds):
    return float((bounds[0] + bounds[2]) / 2), float((bounds[1] + bounds[3]) / 2)


# -- adjacency -------------------------------------------------------------------------------
def _adjacency_task(a_loader, b_loaders, same, distance_m, local, a_name, b_name):
    """One partition of A (read here) against the features of B near it (read here, one partition at a time)."""
    from hygis.analysis.adjacency import PAIR_COLUMNS, adjacency_pairs

    a = a_loader()
    bs = [f for f in (load() for load in b_loaders) if f is not None and len(f)] if a is not None and len(a) else []
    if a is None or len(a) == 0 or not bs:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    b = pd.concat(bs)
    b = gpd.GeoDataFrame(b[~b.index.duplicated()], geometry=b.geometry.name, crs=4326)
    a = P.to_wgs84(a)
    out = adjacency_pairs(a, b, distance_m=distance_m, a_name=a_name, b_name=b_name, local_crs=local)
    if same:
        out = out[out["a_id"] < out["b_id"]]
    return out


def adjacency(a, b=None, distance_m: float | None = None, scheduler: str | None = None, client=None,
              a_name: str | None = None, b_name: str | None = None) -> pd.DataFrame:
    """:func:`hygis.analysis.adjacency.adjacency_pairs` on dask (A, B: GeoParquet dirs or PostGIS specs)."""
    from hygis.analysis.adjacency import PAIR_COLUMNS, check_distance

    dask = require("dask")
    distance = check_distance(distance_m)
    same = b is None
    with client_for(scheduler, client) as c:
        sa = P.open_source(a)
        sb = sa if same else P.open_source(b)
        if not sa.npartitions or not sb.npartitions:
            return pd.DataFrame(columns=PAIR_COLUMNS)
        ta, tb = sa.total_bounds(), sb.total_bounds()
        local = hcrs.local_metric_crs(*_centre((min(ta[0], tb[0]), min(ta[1], tb[1]),
                                                max(ta[2], tb[2]), max(ta[3], tb[3]))))
        tasks = []
        for i, abox in enumerate(sa.boxes):
            box = _grow(abox, *_margin_deg((distance or 0.0) * 1.005 + 1.0, abox))
            b_loaders = [sb.loader(q, box) for q, qbox in enumerate(sb.boxes) if _meets(qbox, box)]
            tasks.append(dask.delayed(_adjacency_task, pure=False)(sa.loader(i), b_loaders, same, distance, local,
                                                                   a_name, b_name))
        results = c.compute(tasks, sync=True)
    results = [r for r in results if len(r)]
    if not results:
        out = pd.DataFrame(columns=PAIR_COLUMNS)
    else:
        out = pd.concat(results, ignore_index=True).sort_values(["a_id", "b_id"], kind="stable")
    out = out.reset_index(drop=True)
    out.attrs["symmetric"] = same
    return out
