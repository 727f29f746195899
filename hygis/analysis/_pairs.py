"""Crossings, contacts and coincidences of edge pairs, for the edge arrangement
(:mod:`hygis.analysis._arrangement`): events (depth and zone changes along an edge), split
points, coincident partners and rings needing piece-by-piece tests (numpy).
"""

from __future__ import annotations

import numpy as np


class ZonesOverlap(Exception):
    """The zones overlap each other: the caller must use the GEOS path."""


def classify_pairs(i, j, zi, zj, ci, cj, tol, ring, owner, row, ev_e, ev_t, ev_dz, sp_e, sp_t,
                   pa_e, pa_lo, pa_hi, pa_owner, pa_zone, pa_same, dirty_d, dirty_z):
    """Crossings, contacts and coincidences of the edge pairs (i, j); ``ci``, ``cj``: their
    coordinates (rows x0, y0, x1, y1)."""
    px, py = ci[0], ci[1]
    rx, ry = ci[2] - px, ci[3] - py
    qx, qy = cj[0], cj[1]
    sx, sy = cj[2] - qx, cj[3] - qy
    wx, wy = qx - px, qy - py
    # signed distances × length: j's ends from line i, i's ends from line j
    cj0 = rx * wy - ry * wx
    cj1 = rx * (wy + sy) - ry * (wx + sx)
    ci0 = sy * wx - sx * wy
    ci1 = sx * (ry - wy) - sy * (rx - wx)
    # most pairs do not interact: one edge lies clearly on one side of the other's line
    lr2, ls2, tol2 = rx * rx + ry * ry, sx * sx + sy * sy, tol * tol
    apart = ((((cj0 > 0) == (cj1 > 0)) & (np.minimum(cj0 * cj0, cj1 * cj1) >= tol2 * lr2))
             | (((ci0 > 0) == (ci1 > 0)) & (np.minimum(ci0 * ci0, ci1 * ci1) >= tol2 * ls2)))
    if apart.any():
        live = np.flatnonzero(~apart)
        i, j, zi, zj = i[live], j[live], zi[live], zj[live]
        px, py, rx, ry, qx, qy, sx, sy, wx, wy, cj0, cj1, ci0, ci1, lr2, ls2 = (
            v[live] for v in (px, py, rx, ry, qx, qy, sx, sy, wx, wy, cj0, cj1, ci0, ci1, lr2, ls2))
    lr, ls = np.sqrt(lr2), np.sqrt(ls2)  # (np.hypot guards against overflow: 5× slower, not needed for map coordinates)
    dj0, dj1, di0, di1 = np.abs(cj0) / lr, np.abs(cj1) / lr, np.abs(ci0) / ls, np.abs(ci1) / ls
    # parameters of j's ends along i and of i's ends along j
    aj0 = (wx * rx + wy * ry) / (lr * lr)
    aj1 = ((wx + sx) * rx + (wy + sy) * ry) / (lr * lr)
    ai0 = (-wx * sx - wy * sy) / (ls * ls)
    ai1 = ((rx - wx) * sx + (ry - wy) * sy) / (ls * ls)
    ei, ej = tol / lr, tol / ls
    j0_on_i = (dj0 < tol) & (aj0 > -ei) & (aj0 < 1 + ei)
    j1_on_i = (dj1 < tol) & (aj1 > -ei) & (aj1 < 1 + ei)
    i0_on_j = (di0 < tol) & (ai0 > -ej) & (ai0 < 1 + ej)
    i1_on_j = (di1 < tol) & (ai1 > -ej) & (ai1 < 1 + ej)
    contact = j0_on_i | j1_on_i | i0_on_j | i1_on_j
    cross = ((cj0 > 0) != (cj1 > 0)) & ((ci0 > 0) != (ci1 > 0)) & (cj0 != 0) & (cj1 != 0) & (ci0 != 0) & (ci1 != 0)
    denom = rx * sy - ry * sx
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (wx * sy - wy * sx) / denom
        u = (wx * ry - wy * rx) / denom
    both_z = zi & zj
    # zones crossing each other overlap
    if (both_z & cross & ~contact).any():
        raise ZonesOverlap
    clean = cross & ~contact & ~both_z
    if clean.any():
        ci_, cj_, tc, uc = i[clean], j[clean], t[clean], u[clean]
        sgn = np.sign(denom[clean]).astype(np.int64)  # > 0: j crosses i from its right to its left
        zci, zcj = zi[clean], zj[clean]
        # event on i: entering (+1) j's polygon when i moves to the left of j: sign(s × r) = -sgn
        # j is a target → depth channel; j a zone → zone channel (row + 1)
        ev_e += [ci_, cj_]
        ev_t += [tc, uc]
        # (depth and zone changes packed in one integer: zone × 2³² + depth)
        ev_dz += [(np.where(zcj & ~zci, -sgn * (row[cj_] + 1), 0) << 32) + np.where(zcj, 0, -sgn),
                  (np.where(zci & ~zcj, sgn * (row[ci_] + 1), 0) << 32) + np.where(zci, 0, sgn)]
    deg = contact & ~both_z
    if not deg.any():
        if both_z.any():
            _zone_pairs(both_z, i, j, aj0, aj1, dj0, dj1, di0, di1, ai0, ai1, lr, tol, rx, ry, sx, sy)
        return
    if both_z.any():
        _zone_pairs(both_z, i, j, aj0, aj1, dj0, dj1, di0, di1, ai0, ai1, lr, tol, rx, ry, sx, sy)
    di_, dj_ = i[deg], j[deg]
    zdi, zdj = zi[deg], zj[deg]
    # dirty rings: a target ring touching a target edge (depth), or a zone edge (zone);
    # a zone ring touching a target edge (depth)
    dirty_d[ring[di_[~zdj]]] = True
    dirty_d[ring[dj_[~zdi]]] = True
    dirty_z[ring[di_[zdj & ~zdi]]] = True
    dirty_z[ring[dj_[zdi & ~zdj]]] = True
    # split points: projections of the ends in contact, and the crossing point
    for on, a, edge in ((j0_on_i, aj0, i), (j1_on_i, aj1, i), (i0_on_j, ai0, j), (i1_on_j, ai1, j)):
        m = deg & on & (a > 0) & (a < 1)
        sp_e.append(edge[m])
        sp_t.append(a[m])
    m = deg & (denom != 0) & (t > 0) & (t < 1) & (u >= 0) & (u <= 1)
    sp_e.append(i[m])
    sp_t.append(t[m])
    m = deg & (denom != 0) & (u > 0) & (u < 1) & (t >= 0) & (t <= 1)
    sp_e.append(j[m])
    sp_t.append(u[m])
    # coincident: one edge runs along the other within the tolerance
    col = deg & (((dj0 < tol) & (dj1 < tol)) | ((di0 < tol) & (di1 < tol)))
    if col.any():
        same = (rx * sx + ry * sy) > 0
        lo_i = np.maximum(0.0, np.minimum(aj0, aj1))
        hi_i = np.minimum(1.0, np.maximum(aj0, aj1))
        lo_j = np.maximum(0.0, np.minimum(ai0, ai1))
        hi_j = np.minimum(1.0, np.maximum(ai0, ai1))
        ok = col & ((hi_i - lo_i) * lr > tol)
        for edge, other, lo, hi, zo in ((i, j, lo_i, hi_i, zj), (j, i, lo_j, hi_j, zi)):
            pa_e.append(edge[ok])
            pa_lo.append(lo[ok])
            pa_hi.append(hi[ok])
            pa_owner.append(owner[other[ok]])
            pa_zone.append(zo[ok])
            pa_same.append(same[ok])


def _zone_pairs(both_z, i, j, aj0, aj1, dj0, dj1, di0, di1, ai0, ai1, lr, tol, rx, ry, sx, sy):
    """Zone edges running along each other in the same direction: the zones overlap."""
    col = both_z & (((dj0 < tol) & (dj1 < tol)) | ((di0 < tol) & (di1 < tol)))
    same = (rx * sx + ry * sy) > 0
    lo = np.maximum(0.0, np.minimum(aj0, aj1))
    hi = np.minimum(1.0, np.maximum(aj0, aj1))
    if (col & same & ((hi - lo) * lr > tol)).any():
        raise ZonesOverlap
