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
    lon = coords[:, 0]
    approx = bool(abs(float(np.nanmin(lon)) - 120.0) <= APPROX_BAND_DEG
                  and abs(float(np.nanmax(lon)) - 120.0) <= APPROX_BAND_DEG)
    workers = min(4, os.cpu_count() or 1)
    if n < PARALLEL_VERTICES or workers < 2:
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


def _bbox(x, y, starts, feature, n: int) -> np.ndarray:
    """Per-feature bounding boxes (n, 4) from ring coordinates; NaN rows for features without rings."""
    out = np.full((n, 4), np.nan)
    lengths = np.diff(starts)
    nonempty = lengths > 0
    if not nonempty.any():
        return out
    s = starts[:-1][nonempty]
    f = feature[nonempty]
    rx0, ry0 = np.minimum.reduceat(x, s), np.minimum.reduceat(y, s)
    rx1, ry1 = np.maximum.reduceat(x, s), np.maximum.reduceat(y, s)
    if len(f) < 2 or np.all(f[1:] > f[:-1]):  # one ring per feature (the common case): no ufunc.at
        out[f] = np.column_stack([rx0, ry0, rx1, ry1])
        return out
    for col, vals, func in ((0, rx0, np.fmin), (1, ry0, np.fmin), (2, rx1, np.fmax), (3, ry1, np.fmax)):
        func.at(out[:, col], f, vals)
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
    x, y = _project_coords(coords)
    _orient(x, y, ring_starts, exterior)
    return Rings(x, y, ring_starts, feature, _bbox(x, y, ring_starts, feature, n))


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
    x, y = _project_coords(coords)
    return Rings(x, y, starts, feature, _bbox(x, y, starts, feature, n))


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
    x, y = _project_coords(flat.x, flat.y)
    starts = np.asarray(flat.starts, np.int64)
    if flat.family == "polygon":
        _orient(x, y, starts, flat.exterior())
    return Rings(x, y, starts, flat.feature, _bbox(x, y, starts, flat.feature, flat.n))


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
