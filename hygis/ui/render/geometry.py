"""Projected, flattened geometry caches for fast drawing (no Qt, pure numpy/shapely).

A layer's WGS84 geometries are projected once to the canvas CRS and flattened into
ragged arrays (``shapely.to_ragged_array``): one coordinate array plus ring/part
offsets and the owning feature of every ring.  Drawing a view then needs only
numpy masks and index arithmetic, never a per-feature Python loop.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import shapely

from hygis.core.cpu import core_to_spare
from hygis.geo import crs as hcrs

POLYGON_TYPES = (3, 6)  # Polygon, MultiPolygon
LINE_TYPES = (1, 2, 5)  # LineString, LinearRing, MultiLineString
POINT_TYPES = (0, 4)  # Point, MultiPoint


@dataclass
class Rings:
    """Flattened rings (polygon rings or line parts) of a set of features, in canvas metres.

    Attributes
    ----------
    x, y : ndarray (M,)
        Coordinates, metres.
    starts : ndarray (R + 1,)
        Offsets of each ring into x/y.
    feature : ndarray (R,)
        Row position (in the layer frame) of the feature owning each ring.
    bbox : ndarray (N, 4)
        Per layer row: xmin, ymin, xmax, ymax in metres (NaN for rows without such geometry).
    """

    x: np.ndarray
    y: np.ndarray
    starts: np.ndarray
    feature: np.ndarray
    bbox: np.ndarray

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.starts)


@dataclass
class Points:
    """Flattened points: x, y (metres) and the owning feature row of each point."""

    x: np.ndarray
    y: np.ndarray
    feature: np.ndarray
    bbox: np.ndarray


#: Above this many vertices the projection is split across threads (PROJ releases the GIL;
#: 7 M vertices take ~1.2 s on one core).  Python threads, not Qt pool threads: each keeps
#: its own PROJ objects (see :func:`hygis.geo.crs.transformer`).
PARALLEL_VERTICES = 400_000
_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


#: Whether big draws use the worker threads: None decides by the machine's load (:func:`use_threads`).
THREADS: bool | None = None


def use_threads() -> bool:
    """Whether the worker threads pay now: only with a core to spare
    (:func:`hygis.core.cpu.core_to_spare`).  On cores busy with other work a second thread wins
    no time and costs CPU time (two threads on this project's shared 2-core machine at load 4:
    1M 2-10 px squares drawn in 3.5-4.4 s wall and 2.3-2.6 s CPU, one thread 2.8-3.8 s and
    2.2-2.5 s)."""
    if THREADS is not None:
        return THREADS
    return core_to_spare()


def worker_pool() -> ThreadPoolExecutor:
    """The drawing worker threads (projection chunks, fill masks): numpy-only jobs that never wait
    on each other."""
    return _pool()


def _pool() -> ThreadPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1), thread_name_prefix="hygis-proj")
        return _POOL


def _project_coords(coords: np.ndarray, lat: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 (lon, lat) rows → canvas metres, in parallel chunks for big arrays (``coords`` may
    also be the lon column with ``lat`` the lat column)."""
    if lat is not None:
        coords = _Columns(coords, lat)
    n = len(coords)
    if n == 0:
        return np.zeros(0), np.zeros(0)
    # the columns are copied and projected in place chunk by chunk, inside the workers: no
    # whole-array temporaries (each new 50 MB array costs ~0.1 s of page faults)
    x, y = np.empty(n), np.empty(n)
    approx = _near_meridian(coords[:, 0])
    workers = min(4, os.cpu_count() or 1)
    if n < PARALLEL_VERTICES or workers < 2 or not use_threads():
        _project_part(coords, x, y, 0, n, approx)
        return x, y
    bounds = np.linspace(0, n, workers + 1).astype(int)
    jobs = [_pool().submit(_project_part, coords, x, y, a, b, approx) for a, b in zip(bounds[:-1], bounds[1:])]
    for job in jobs:
        job.result()
    return x, y


#: Within this many degrees of the map CRS's central meridian (120°E) vertices are projected with
#: PROJ's series Transverse Mercator (``+approx``, Evenden/Snyder): 2.3× faster than the exact
#: algorithm and within 4 µm of it over Zhejiang, well under a millimetre at 6° (the canvas'
#: finest zoom is 1 cm per pixel).  Data reaching farther out is projected exactly.
APPROX_BAND_DEG = 6.0
_APPROX = threading.local()


def _map_transformer(approx: bool):
    if not approx:
        return hcrs.transformer(hcrs.WGS84, hcrs.MAP_CRS)
    t = getattr(_APPROX, "t", None)
    if t is None:
        from pyproj import Transformer

        exact = hcrs._FAST_PIPELINES[(hcrs.WGS84, hcrs.MAP_CRS)]
        t = _APPROX.t = Transformer.from_pipeline(exact + " +approx")
    return t


class _Columns:
    """Two coordinate columns indexed like an (n, 2) array (``c[a:b, 0]``), without stacking them."""

    def __init__(self, x, y):
        self.cols = (x, y)

    def __len__(self):
        return len(self.cols[0])

    def __getitem__(self, key):
        rows, col = key
        return self.cols[col][rows]


def _project_part(coords: np.ndarray, x: np.ndarray, y: np.ndarray, a: int, b: int, approx: bool = False) -> None:
    x[a:b] = coords[a:b, 0]
    y[a:b] = coords[a:b, 1]
    _map_transformer(approx).transform(x[a:b], y[a:b], inplace=True)


def _ring_features(offsets: tuple, n_rows: np.ndarray) -> np.ndarray:
    """Owning feature index of every innermost ring, from ragged offsets (outer levels last)."""
    owner = np.arange(len(offsets[-1]) - 1)
    for level in range(len(offsets) - 1, 0, -1):  # expand feature → parts → rings
        counts = np.diff(offsets[level])
        owner = np.repeat(owner, counts)
    return n_rows[owner]


def _ring_boxes(x, y, starts) -> np.ndarray:
    """(4, R) xmin, ymin, xmax, ymax of every ring (NaN for empty rings)."""
    out = np.full((4, len(starts) - 1), np.nan)
    nonempty = np.diff(starts) > 0
    if nonempty.any():
        s = starts[:-1][nonempty]
        for row, (vals, func) in enumerate(((x, np.minimum), (y, np.minimum), (x, np.maximum), (y, np.maximum))):
            out[row, nonempty] = func.reduceat(vals, s)
    return out


def _feature_boxes(boxes: np.ndarray, feature: np.ndarray, n: int) -> np.ndarray:
    """Per-feature (n, 4) boxes from the ring boxes ``boxes`` (4, R) of the rings' ``feature``."""
    out = np.full((n, 4), np.nan)
    if len(feature) < 2 or np.all(feature[1:] > feature[:-1]):  # one ring per feature (the common case)
        out[feature] = boxes.T
        return out
    for col, func in ((0, np.fmin), (1, np.fmin), (2, np.fmax), (3, np.fmax)):
        func.at(out[:, col], feature, boxes[col])
    return out


def _orient(x, y, starts, exterior) -> None:
    """Make exterior rings counter-clockwise and holes clockwise in place (nonzero fill then works)."""
    if len(x) == 0:
        return
    area = _ring_areas(x, y, starts)
    flip = np.where(exterior, area < 0, area > 0)
    if not flip.any():
        return
    lengths = np.diff(starts)
    ring_of = np.repeat(np.arange(len(lengths)), lengths)
    sel = flip[ring_of]
    idx = np.arange(len(x))
    first, end = starts[:-1][ring_of], starts[1:][ring_of] - 1
    new = np.where(sel, first + end - idx, idx)
    x[:] = x[new]
    y[:] = y[new]


#: Rings are measured in blocks of about this many vertices (small temporaries: fresh memory for
#: whole-array ones costs page faults on millions of vertices).
AREA_BLOCK = 1 << 20


def _ring_areas(x, y, starts) -> np.ndarray:
    """Twice the signed area of every ring (shoelace; 0 for empty rings)."""
    lengths = np.diff(starts)
    area = np.zeros(len(lengths))
    cut = np.searchsorted(starts, np.arange(0, starts[-1], AREA_BLOCK), side="right") - 1
    bounds = np.unique(np.r_[cut, len(lengths)])
    cross = np.empty(min(int(starts[-1]), AREA_BLOCK * 2))
    tmp = np.empty_like(cross)
    for a, b in zip(bounds[:-1], bounds[1:]):
        v0, v1 = int(starts[a]), int(starts[b])
        if v1 <= v0:
            continue
        if v1 - v0 > len(cross):  # a ring longer than a block
            cross, tmp = np.empty(v1 - v0), np.empty(v1 - v0)
        c, t = cross[:v1 - v0], tmp[:v1 - v0 - 1]
        np.multiply(x[v0:v1 - 1], y[v0 + 1:v1], out=c[:-1])  # x[i] y[i+1] - x[i+1] y[i]
        np.multiply(x[v0 + 1:v1], y[v0:v1 - 1], out=t)
        np.subtract(c[:-1], t, out=c[:-1])
        c[-1] = 0.0
        s = starts[a:b + 1] - v0
        nonempty = lengths[a:b] > 0
        c[s[1:][nonempty] - 1] = 0.0  # no segment between rings
        area[a:b][nonempty] = np.add.reduceat(c, s[:-1][nonempty])
    return area


def polygon_rings(geoms: np.ndarray) -> Rings:
    """Project and flatten the polygonal geometries of ``geoms`` (other types are skipped)."""
    n = len(geoms)
    types = shapely.get_type_id(geoms)
    rows = np.flatnonzero(np.isin(types, POLYGON_TYPES))
    if len(rows) == 0:
        return Rings(np.zeros(0), np.zeros(0), np.zeros(1, np.int64), np.zeros(0, np.int64), np.full((n, 4), np.nan))
    sub = geoms[rows]
    if np.all(types[rows] == 3) and not np.any(shapely.get_num_interior_rings(sub)):
        # fast path (the common case): simple polygons, one ring each, no ring objects created
        coords = shapely.get_coordinates(sub)
        ring_starts = np.zeros(len(rows) + 1, np.int64)
        np.cumsum(shapely.get_num_coordinates(sub), out=ring_starts[1:])
        feature = rows
        exterior = np.ones(len(rows), bool)
    else:
        _, coords, offsets = shapely.to_ragged_array(sub, include_z=False)
        ring_starts = np.asarray(offsets[0], np.int64)
        feature = _ring_features(offsets, rows)
        # a ring is exterior when it is the first ring of its polygon
        exterior = np.zeros(len(ring_starts) - 1, bool)
        poly_first = np.asarray(offsets[1][:-1], np.int64)
        exterior[poly_first[np.diff(offsets[1]) > 0]] = True
    return project_rings(coords[:, 0], coords[:, 1], ring_starts, np.asarray(feature, np.int64), n, exterior)


def line_parts(geoms: np.ndarray) -> Rings:
    """Project and flatten line geometries (polygons are not included)."""
    n = len(geoms)
    rows = np.flatnonzero(np.isin(shapely.get_type_id(geoms), LINE_TYPES))
    if len(rows) == 0:
        return Rings(np.zeros(0), np.zeros(0), np.zeros(1, np.int64), np.zeros(0, np.int64), np.full((n, 4), np.nan))
    sub = geoms[rows]
    ring = shapely.get_type_id(sub) == 2  # LinearRing is not supported by to_ragged_array
    if ring.any():
        sub = sub.copy()
        sub[ring] = [shapely.LineString(g.coords) for g in sub[ring]]
    _, coords, offsets = shapely.to_ragged_array(sub, include_z=False)
    starts = np.asarray(offsets[0], np.int64)
    feature = _ring_features(offsets, rows)
    return project_rings(coords[:, 0], coords[:, 1], starts, np.asarray(feature, np.int64), n)


def points(geoms: np.ndarray) -> Points:
    """Project and flatten point geometries."""
    n = len(geoms)
    rows = np.flatnonzero(np.isin(shapely.get_type_id(geoms), POINT_TYPES) & ~shapely.is_empty(geoms))
    bbox = np.full((n, 4), np.nan)
    if len(rows) == 0:
        return Points(np.zeros(0), np.zeros(0), np.zeros(0, np.int64), bbox)
    _, coords, offsets = shapely.to_ragged_array(geoms[rows], include_z=False)
    if offsets:
        feature = rows[np.repeat(np.arange(len(rows)), np.diff(offsets[0]))]
    else:
        feature = rows
    x, y = _project_coords(coords)
    for col, vals, func in ((0, x, np.fmin), (1, y, np.fmin), (2, x, np.fmax), (3, y, np.fmax)):
        func.at(bbox[:, col], feature, vals)
    return Points(x, y, feature, bbox)


def visible_rows(bbox: np.ndarray, view_bounds, margin: float = 0.0) -> np.ndarray:
    """Boolean mask of rows whose bbox intersects the view bounds (metres), NaN rows excluded."""
    x0, y0, x1, y1 = view_bounds
    with np.errstate(invalid="ignore"):
        return ((bbox[:, 2] >= x0 - margin) & (bbox[:, 0] <= x1 + margin)
                & (bbox[:, 3] >= y0 - margin) & (bbox[:, 1] <= y1 + margin))


def rings_from_flat(flat) -> Rings:
    """Project flat polygon rings or line parts (:class:`hygis.layers.flat.FlatGeometry`)."""
    starts = np.asarray(flat.starts, np.int64)
    exterior = flat.exterior() if flat.family == "polygon" else None
    return project_rings(flat.x, flat.y, starts, np.asarray(flat.feature, np.int64), flat.n, exterior)


#: Rings are projected, oriented and boxed in blocks of whole rings of about this many vertices:
#: the three steps of a block run one after the other on a worker thread (all of them in
#: parallel, with small temporaries).
BLOCK_VERTICES = 1 << 20


def project_rings(lon, lat, starts, feature, n: int, exterior=None) -> Rings:
    """:class:`Rings` of WGS84 ring (or line part) coordinates ``lon``/``lat`` with offsets
    ``starts`` and owning rows ``feature`` (of ``n`` rows): projected to canvas metres, polygon rings
    oriented (``exterior``: per ring, whether it is a shell) and the rows boxed — big inputs in
    blocks on the worker threads."""
    m = len(lon)
    x, y = np.empty(m), np.empty(m)
    boxes = np.full((4, len(starts) - 1), np.nan)
    approx = m > 0 and _near_meridian(lon)

    def block(a: int, b: int) -> None:
        v0, v1 = int(starts[a]), int(starts[b])
        bx, by, s = x[v0:v1], y[v0:v1], starts[a:b + 1] - v0
        bx[:] = lon[v0:v1]
        by[:] = lat[v0:v1]
        if v1 > v0:
            _map_transformer(approx).transform(bx, by, inplace=True)
        if exterior is not None:
            _orient(bx, by, s, exterior[a:b])
        boxes[:, a:b] = _ring_boxes(bx, by, s)

    cut = np.searchsorted(starts, np.arange(0, m, BLOCK_VERTICES), side="right") - 1
    bounds = np.unique(np.r_[cut, len(starts) - 1]).tolist()
    if m < PARALLEL_VERTICES or not use_threads():
        for a, b in zip(bounds[:-1], bounds[1:]):
            block(a, b)
    else:
        for job in [_pool().submit(block, a, b) for a, b in zip(bounds[:-1], bounds[1:])]:
            job.result()
    return Rings(x, y, starts, feature, _feature_boxes(boxes, feature, n))


def _near_meridian(lon) -> bool:
    """Whether every longitude lies within :data:`APPROX_BAND_DEG` of the map CRS's meridian."""
    return bool(abs(float(np.nanmin(lon)) - 120.0) <= APPROX_BAND_DEG
                and abs(float(np.nanmax(lon)) - 120.0) <= APPROX_BAND_DEG)


def points_from_flat(flat) -> Points:
    """Project flat points (:class:`hygis.layers.flat.FlatGeometry` of the point family)."""
    x, y = _project_coords(flat.x, flat.y)
    feature = np.asarray(flat.feature, np.int64)[np.repeat(np.arange(len(flat.feature)), np.diff(flat.starts))]
    bbox = np.full((flat.n, 4), np.nan)
    if len(feature) and (len(feature) < 2 or np.all(feature[1:] > feature[:-1])):
        bbox[feature] = np.column_stack([x, y, x, y])
    else:
        for col, vals, func in ((0, x, np.fmin), (1, y, np.fmin), (2, x, np.fmax), (3, y, np.fmax)):
            func.at(bbox[:, col], feature, vals)
    return Points(x, y, feature, bbox)
