"""Do polygons overlap?  An exact test from matching edges (numpy), for planar partitions such as land-use parcels.

The number of polygons covering a point, ``w(p)``, is the winding number of ``p`` about all
rings (exteriors counter-clockwise, holes clockwise).  An edge shared by two polygons appears
twice in opposite directions; such a pair adds nothing to any winding number, so ``w`` only
changes across the *unmatched* edges.  The polygons overlap iff ``w >= 2`` somewhere.

* An edge appearing twice in the *same* direction (two polygons on the same side of it) is an
  overlap.
* If no edge meets an unmatched edge ``e`` except at shared end points, ``w`` is constant along
  each side of ``e``: its left side is covered by ``e``'s own polygon, so the polygons overlap
  there iff another polygon contains ``e``'s midpoint.  Every region with ``w >= 2`` is bounded
  by unmatched edges, so testing these midpoints decides.
* Anything else near an unmatched edge (a vertex on it, a crossing, edges running along it: parcels that
  touch without sharing vertices) leaves the question to GEOS's coverage check (``None``).

For a tiling only the outline of the whole is unmatched, so the test costs a sort of the
edges and a few point-in-polygon tests (~0.3 s CPU for 100k parcels, most of it turning the
geometries into edges; ``shapely.coverage_is_valid`` takes ~0.6 s).
"""

from __future__ import annotations

import numpy as np
import shapely

from hygis.analysis._rings import EdgePolygons, polygon_parts, ring_edges
from hygis.analysis._sweep import box_pairs, clear_of, median

#: Odd 64-bit multipliers hashing an edge's four coordinates (equal edges hash equal; a collision
#: only leaves two edges unmatched, which the contact test then sends to GEOS).
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93], np.uint64)

#: Contact tolerance, relative to the extent of the data.
TOL_REL = 1e-9


def planar_by_edges(geoms: np.ndarray) -> bool | None:
    """True if the (valid) polygons do not overlap, False if they do, None when undecided."""
    parts, _ = polygon_parts(geoms)
    if len(parts) < 2:
        return True
    x0, y0, x1, y1, _ring, part, _ring_part = ring_edges(parts)
    # canonical (lexicographically smaller end first) edges, and which way each runs
    fwd = (x0 < x1) | ((x0 == x1) & (y0 < y1))
    c = np.stack([np.where(fwd, x0, x1), np.where(fwd, y0, y1), np.where(fwd, x1, x0), np.where(fwd, y1, y0)], 1)
    c += 0.0  # -0.0 → 0.0 (equal coordinates, equal bits)
    with np.errstate(over="ignore"):
        bits = c.view(np.uint64)
        h = bits[:, 0] * _MIX[0]
        for k in range(1, 4):
            h = (h ^ (h >> np.uint64(29))) * _MIX[k] + bits[:, k]
    order = np.argsort(h)
    hs, cs, fs = h[order], np.take(c, order, axis=0), fwd[order]  # (np.take: 10× faster than c[order])
    same = (hs[1:] == hs[:-1]) & (cs[1:] == cs[:-1]).all(1)  # row k equals row k + 1
    start = np.flatnonzero(np.r_[True, ~same])
    size = np.diff(np.r_[start, len(order)])
    if (size > 2).any():
        return False  # three copies of an edge: two run the same way
    pair = start[size == 2]
    if (fs[pair] == fs[pair + 1]).any():
        return False  # the same edge twice in the same direction
    lone = order[start[size == 1]]
    if len(lone) == 0:
        return True
    # the unmatched edges must meet other edges only at shared end points
    xs = np.concatenate([x0, x1])
    ys = np.concatenate([y0, y1])
    tol = TOL_REL * max(float(xs.max() - xs.min()), float(ys.max() - ys.min()), 1.0)
    boxes = np.stack([np.minimum(x0, x1) - tol, np.minimum(y0, y1) - tol,
                      np.maximum(x0, x1) + tol, np.maximum(y0, y1) + tol], 1)
    near = _near(boxes, lone)
    for i, j in box_pairs(np.take(boxes, lone, axis=0), np.take(boxes, near, axis=0)):
        i, j = lone[i], near[j]
        keep = i != j
        if not _only_end_contacts(i[keep], j[keep], x0, y0, x1, y1, tol):
            return None
    # ... and their midpoints must lie in no other polygon
    mx, my = (x0[lone] + x1[lone]) / 2, (y0[lone] + y1[lone]) / 2
    # (only polygons whose box may hold a midpoint: for a tiling, those along its outline)
    cand = ~clear_of(shapely.bounds(parts), np.stack([mx, my, mx, my], 1))
    mine = cand[part]
    polys = EdgePolygons(x0[mine], y0[mine], x1[mine], y1[mine], part[mine], len(parts))
    pts, owners = polys.containing(mx, my)
    return not (owners != part[lone][pts]).any()


#: Cells of the grid :func:`_near` marks (at most).
GRID_CELLS = 1 << 22


def _near(boxes: np.ndarray, sel: np.ndarray) -> np.ndarray:
    """Edges whose box may meet the box of an edge in ``sel``: a coarse grid of the cells those
    boxes cover (a prefilter: the box sweep then needs to sort only these)."""
    lo_x, lo_y = boxes[:, 0].min(), boxes[:, 1].min()
    span = max(boxes[:, 2].max() - lo_x, boxes[:, 3].max() - lo_y, 1e-9)
    size = max(2.0 * float(median(boxes[:, 2] - boxes[:, 0] + boxes[:, 3] - boxes[:, 1])),
               span / np.sqrt(GRID_CELLS), 1e-12)
    n = int(span // size) + 1
    cx0 = ((boxes[:, 0] - lo_x) // size).astype(np.int64)
    cy0 = ((boxes[:, 1] - lo_y) // size).astype(np.int64)
    cx1 = ((boxes[:, 2] - lo_x) // size).astype(np.int64)
    cy1 = ((boxes[:, 3] - lo_y) // size).astype(np.int64)
    wide = (cx1 - cx0 > 1) | (cy1 - cy0 > 1)  # spanning more than 2 × 2 cells: always a candidate
    marked = np.zeros(n * n + 1, bool)
    small = sel[~wide[sel]]
    for ax, ay in ((cx0, cy0), (cx0, cy1), (cx1, cy0), (cx1, cy1)):
        marked[ay[small] * n + ax[small]] = True
    big = sel[wide[sel]]
    if len(big):  # cells of the wide boxes in sel
        w, h = cx1[big] - cx0[big] + 1, cy1[big] - cy0[big] + 1
        if (w * h).sum() > GRID_CELLS:
            return np.arange(len(boxes))
        k = np.repeat(np.arange(len(big)), w * h)
        off = np.arange(len(k)) - np.repeat(np.cumsum(w * h) - w * h, w * h)
        marked[(cy0[big][k] + off // w[k]) * n + cx0[big][k] + off % w[k]] = True
    hit = wide | marked[cy0 * n + cx0] | marked[cy0 * n + cx1] | marked[cy1 * n + cx0] | marked[cy1 * n + cx1]
    return np.flatnonzero(hit)


def _only_end_contacts(i, j, x0, y0, x1, y1, tol) -> bool:
    """True if every edge pair (i, j) is disjoint or meets only at an exactly shared end point
    (the edges not running along each other)."""
    px, py, rx, ry = x0[i], y0[i], x1[i] - x0[i], y1[i] - y0[i]
    qx, qy, sx, sy = x0[j], y0[j], x1[j] - x0[j], y1[j] - y0[j]
    wx, wy = qx - px, qy - py
    lr2, ls2, tol2 = rx * rx + ry * ry, sx * sx + sy * sy, tol * tol
    cj0 = rx * wy - ry * wx  # j's ends from line i (× |i|)
    cj1 = rx * (wy + sy) - ry * (wx + sx)
    ci0 = sy * wx - sx * wy  # i's ends from line j (× |j|)
    ci1 = sx * (ry - wy) - sy * (rx - wx)
    apart = ((((cj0 > 0) == (cj1 > 0)) & (np.minimum(cj0 * cj0, cj1 * cj1) >= tol2 * lr2))
             | (((ci0 > 0) == (ci1 > 0)) & (np.minimum(ci0 * ci0, ci1 * ci1) >= tol2 * ls2)))
    # sharing one end exactly: they meet only there unless they run along each other
    e00 = (x0[i] == x0[j]) & (y0[i] == y0[j])
    e01 = (x0[i] == x1[j]) & (y0[i] == y1[j])
    e10 = (x1[i] == x0[j]) & (y1[i] == y0[j])
    e11 = (x1[i] == x1[j]) & (y1[i] == y1[j])
    shared = (e00.astype(np.int8) + e01 + e10 + e11) == 1
    # running along each other: the far end of one within the tolerance of the other's line, both
    # edges leaving the shared end the same way
    ai = np.where(e00 | e01, 1.0, -1.0)
    aj = np.where(e00 | e10, 1.0, -1.0)
    cj_far = np.where(e00 | e10, cj1, cj0)
    ci_far = np.where(e00 | e01, ci1, ci0)
    along = (((rx * sx + ry * sy) * ai * aj) > 0) & ((cj_far * cj_far <= tol2 * lr2) | (ci_far * ci_far <= tol2 * ls2))
    return bool((apart | (shared & ~along)).all())
