"""Polygons as edge arrays, and winding-number point-in-polygon tests on them (numpy).

Shared by the edge arrangement (:mod:`hygis.analysis._arrangement`) and the overlap test
(:mod:`hygis.analysis._planar`).
"""

from __future__ import annotations

import numpy as np
import shapely

from hygis.analysis._sweep import box_pairs, unique

#: Point × polygon-edge tests per block of the point-in-polygon tests.
PAIR_CHUNK = 1 << 18


# ---------------------------------------------------------------------------------------------
# geometry → edges

def polygon_parts(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Polygons (parts of the geometries; :func:`ring_edges` orients them) and the index of their geometry."""
    geoms = np.asarray(geoms, dtype=object)
    idx = np.arange(len(geoms))
    for _ in range(4):  # collections of multipolygons: a few levels at most
        tid = shapely.get_type_id(geoms)
        multi = np.isin(tid, (6, 7))
        if not multi.any():
            break
        parts, which = shapely.get_parts(geoms[multi], return_index=True)
        geoms = np.concatenate([geoms[~multi], parts])
        idx = np.concatenate([idx[~multi], idx[multi][which]])
    keep = (shapely.get_type_id(geoms) == 3) & ~shapely.is_empty(geoms)
    geoms, idx = geoms[keep], idx[keep]
    return geoms, idx


def ring_edges(polys: np.ndarray, order: np.ndarray | None = None):
    """Edges of the polygons' rings: (x0, y0, x1, y1, ring, part); rings numbered from 0 in order,
    exteriors counter-clockwise and holes clockwise (rings running the other way are reversed here,
    in numpy: cheaper than ``shapely.orient_polygons``, which builds new geometries).  ``order``:
    the polygons renumbered in this order (edges permuted here: reading the coordinates of the
    geometries in a scattered order is 8× slower than in the order they were made)."""
    if len(polys) and not shapely.get_num_interior_rings(polys).any():  # no holes: one ring per polygon
        xy, ring = shapely.get_coordinates(polys, return_index=True)
        part = np.arange(len(polys))
    else:
        rings, part = shapely.get_rings(polys, return_index=True)
        xy, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[:-1] == ring[1:]
    # (np.compress / np.take on rows: 10× faster than boolean or fancy indexing of 2-D arrays)
    a, b = np.compress(same, xy[:-1], axis=0), np.compress(same, xy[1:], axis=0)
    ring_e = ring[:-1][same]
    nonzero = (a[:, 0] != b[:, 0]) | (a[:, 1] != b[:, 1])  # zero-length edges add nothing
    a, b, ring_e = np.compress(nonzero, a, axis=0), np.compress(nonzero, b, axis=0), ring_e[nonzero]
    a, b = _oriented(a, b, ring_e, part)
    if order is not None and len(ring_e):
        a, b, ring_e, part = _reordered(a, b, ring_e, part, np.asarray(order), len(polys))
    return a[:, 0], a[:, 1], b[:, 0], b[:, 1], ring_e, part[ring_e], part


def z_order(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Morton codes of points on a 65536 × 65536 grid over their extent (bits of x and y interleaved)."""
    def spread(v):
        lo, hi = np.nanmin(v), np.nanmax(v)
        k = np.nan_to_num((v - lo) * (65535.0 / max(hi - lo, 1e-300))).astype(np.uint64)
        for shift, mask in ((8, 0x00FF00FF), (4, 0x0F0F0F0F), (2, 0x33333333), (1, 0x55555555)):
            k = (k | (k << np.uint64(shift))) & np.uint64(mask)
        return k

    return spread(x) | (spread(y) << np.uint64(1))


def _ranges(start, count):
    """Concatenated ranges [start, start + count)."""
    return np.repeat(start - np.cumsum(count) + count, count) + np.arange(int(count.sum()))


def _reordered(a, b, ring_e, part, order, n_polys):
    """Edges, rings and polygons renumbered with polygon ``order[k]`` becoming polygon k."""
    n_rings = len(part)
    ring_count = np.bincount(part, minlength=n_polys)  # rings of a polygon are contiguous
    new_rings = _ranges((np.cumsum(ring_count) - ring_count)[order], ring_count[order])  # old ring ids
    edge_count = np.bincount(ring_e, minlength=n_rings)
    edges = _ranges((np.cumsum(edge_count) - edge_count)[new_rings], edge_count[new_rings])
    rank = np.empty(n_polys, np.int64)
    rank[order] = np.arange(n_polys)
    ring_e = np.repeat(np.arange(len(new_rings)), edge_count[new_rings])
    return np.take(a, edges, axis=0), np.take(b, edges, axis=0), ring_e, rank[part[new_rings]]


def _oriented(a, b, ring_e, part):
    """Edges (a → b, grouped by ring in order) with every exterior (the first ring of its part)
    counter-clockwise and every hole clockwise."""
    n_rings = len(part)
    if len(ring_e) == 0:
        return a, b
    exterior = np.r_[True, part[1:] != part[:-1]]
    count = np.bincount(ring_e, minlength=n_rings)
    start = np.cumsum(count) - count
    ref = np.take(a, start[ring_e], axis=0)  # signed areas about each ring's first vertex (small terms far from the origin)
    term = (a[:, 0] - ref[:, 0]) * (b[:, 1] - ref[:, 1]) - (b[:, 0] - ref[:, 0]) * (a[:, 1] - ref[:, 1])
    area2 = np.bincount(ring_e, weights=term, minlength=n_rings)
    flip = np.where(exterior, area2 < 0, area2 > 0)
    if not flip.any():
        return a, b
    fe = flip[ring_e]
    idx = np.arange(len(ring_e))
    src = np.where(fe, 2 * start[ring_e] + count[ring_e] - 1 - idx, idx)  # reversed order within the ring
    a2, b2 = np.take(a, src, axis=0), np.take(b, src, axis=0)
    return np.where(fe[:, None], b2, a2), np.where(fe[:, None], a2, b2)


# ---------------------------------------------------------------------------------------------
# point in polygon (winding numbers, numpy)

class EdgePolygons:
    """Target polygons as edge arrays, for winding-number point-in-polygon tests."""

    def __init__(self, x0, y0, x1, y1, part, n_parts):
        self.x0, self.y0, self.x1, self.y1 = x0, y0, x1, y1
        order = np.argsort(part, kind="stable")
        self.order = order
        self.start = np.searchsorted(part[order], np.arange(n_parts))
        self.count = np.bincount(part, minlength=n_parts)
        self.box = np.full((n_parts, 4), np.nan)
        has = self.count > 0
        for k, (v, f) in enumerate(((np.minimum(x0, x1), np.minimum), (np.minimum(y0, y1), np.minimum),
                                    (np.maximum(x0, x1), np.maximum), (np.maximum(y0, y1), np.maximum))):
            red = f.reduceat(v[order], self.start[has]) if has.any() else np.empty(0)
            self.box[has, k] = red
        self.has = has

    def containing(self, px, py):
        """Pairs (point, part) with the point inside the part (non-zero winding)."""
        parts = np.flatnonzero(self.has)
        if len(px) == 0 or len(parts) == 0:
            return np.empty(0, np.intp), np.empty(0, np.intp)
        pts = np.stack([px, py, px, py], 1)
        out_p, out_q = [], []
        for pi, qj in box_pairs(pts, np.take(self.box, parts, axis=0)):
            q = parts[qj]
            cum = np.cumsum(self.count[q])
            bounds = np.searchsorted(cum, np.arange(PAIR_CHUNK, cum[-1] + PAIR_CHUNK, PAIR_CHUNK), "right") if len(q) else []
            lo = 0
            for hi in unique(np.r_[bounds, len(q)]):
                hi = max(int(hi), lo + 1)
                if lo >= len(q):
                    break
                wp, wq = winding_pairs(self, px, py, pi[lo:hi], q[lo:hi])
                out_p.append(wp)
                out_q.append(wq)
                lo = hi
        if not out_p:
            return np.empty(0, np.intp), np.empty(0, np.intp)
        return np.concatenate(out_p), np.concatenate(out_q)


def winding_pairs(polys: EdgePolygons, px, py, pi, q):
    n = polys.count[q]
    pair = np.repeat(np.arange(len(pi)), n)
    e = polys.order[np.repeat(polys.start[q], n) + np.arange(len(pair)) - np.repeat(np.cumsum(n) - n, n)]
    x, y = px[pi[pair]], py[pi[pair]]
    x0, y0, x1, y1 = polys.x0[e], polys.y0[e], polys.x1[e], polys.y1[e]
    side = (x1 - x0) * (y - y0) - (x - x0) * (y1 - y0)
    up = (y0 <= y) & (y < y1) & (side > 0)
    down = (y1 <= y) & (y < y0) & (side < 0)
    wind = np.bincount(pair, weights=up.astype(np.int64) - down, minlength=len(pi))
    inside = wind != 0
    return pi[inside], q[inside]
