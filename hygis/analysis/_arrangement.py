"""Area of a union of polygons inside each zone, from their edges: no GEOS union, no clipping.

The area of a region is the sum, over the edges of its boundary, of the shoelace terms
``(x0*y1 - x1*y0) / 2`` (boundary oriented with the region on its left).  The boundary of
(union of the targets) ∩ zone is made of

* the pieces of target edges that lie inside no other target and inside the zone, and
* the pieces of zone edges that lie inside some target.

So every target and zone edge is split where other edges cross it (candidate pairs from a
grid of cells, intersection parameters in numpy) and each piece is classified:

* *depth* (how many other targets contain it) and *zone* are carried along each ring: they start
  from a point-in-polygon test at the ring's first vertex and change by ±1 at every crossing
  (entering or leaving the polygon whose edge is crossed: the sign of a cross product);
* rings with a degenerate contact (a vertex on another edge, edges running along each other
  within :data:`TOL_REL` × the extent, duplicates, shared edges of a tiling) are classified
  piece by piece instead: the piece's midpoint is tested against the polygons, and pieces
  lying along another polygon's edge follow the rules of coincident edges: opposite directions
  (polygons on both sides) → not on the union's boundary; same direction (duplicates) → counted
  once (for the lowest polygon number); along a zone edge → left to the zone edge, which counts
  when the side of the zone is covered.

The result is exact up to floating point (pieces within the tolerance of an edge are treated
as lying on it: the area moved is below tolerance × edge length).  Zones that overlap each
other are not handled here (``None`` is returned and the caller unions with GEOS).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import shapely

from hygis.analysis._pairs import ZonesOverlap, classify_pairs
from hygis.analysis._rings import EdgePolygons, polygon_parts, ring_edges, z_order
from hygis.analysis._sweep import box_pairs, clear_of, pair_tasks, self_and_cross_tasks, unique
from hygis.core.cpu import core_to_spare

#: Worker threads for the edge pairs (numpy releases the GIL in array operations).
WORKERS = max(1, min(4, os.cpu_count() or 1))

#: Threads forced on (True) or off (False); None: :func:`use_threads` asks the machine's load.
THREADS: bool | None = None


def use_threads() -> bool:
    """Worker threads only with a core to spare (:func:`hygis.core.cpu.core_to_spare`).

    On busy cores a second thread wins no wall time (the process gets its share of the cores
    however many threads it runs) and costs CPU time: 100k overlapping squares at load 2 on 2
    cores took 1.78–1.82 s of CPU with threads, 1.66–1.75 s without, in the same wall time."""
    if THREADS is not None:
        return THREADS
    return core_to_spare()

#: Rows (edge pieces) from which the blocks of pieces are classified on two threads.
BLOCK_THREADS_MIN = 200_000

#: Rows (edge pieces) per block of whole rings classified at once.
BLOCK_ROWS = 1 << 18

#: Contact tolerance, relative to the extent of the data (about 0.2 mm over 200 km).
TOL_REL = 1e-9


# ---------------------------------------------------------------------------------------------
# the arrangement

def edge_areas(polys: np.ndarray, zones: np.ndarray, planar: bool) -> np.ndarray | None:
    """Covered area per zone row: :func:`union_area_by_zone`, with a short cut for planar targets.

    A planar partition (``planar``: the targets do not overlap, e.g. checked by
    :func:`hygis.analysis._overlay.is_planar`) needs no union: the targets lying properly inside a
    zone (one prepared predicate each) count whole, only those on a zone boundary go through the
    edges, and only their pairs with zone edges (no target × target pairs).  None when the zones overlap each other.
    """
    if len(polys) == 0 or len(zones) == 0:
        return np.zeros(len(zones))
    # zones away from every target cover nothing (90 districts, targets in 20 of them: a quarter of
    # the zone edges; overlaps among the zones left out do not matter to the areas)
    tb, zb = shapely.total_bounds(polys), shapely.bounds(zones)
    near = np.flatnonzero(~((zb[:, 0] > tb[2]) | (zb[:, 2] < tb[0]) | (zb[:, 1] > tb[3]) | (zb[:, 3] < tb[1])))
    if len(near) < len(zones):
        rows = edge_areas(polys, zones[near], planar) if len(near) else np.zeros(0)
        if rows is None:
            return None
        out = np.zeros(len(zones))
        out[near] = rows
        return out
    if not planar:
        return union_area_by_zone(polys, zones)
    # targets whose box meets no zone edge lie wholly in one zone (or in none): they count whole
    zp, _ = polygon_parts(zones)
    zx0, zy0, zx1, zy1, *_ = ring_edges(zp)
    tb = shapely.bounds(polys)
    ok = np.isfinite(tb).all(1)
    tb_ok = np.compress(ok, tb, axis=0)  # (np.compress / np.take on rows: 10× faster than indexing 2-D arrays)
    every = np.r_[tb_ok, zb[np.isfinite(zb).all(1)]]
    tol = TOL_REL * max(float(every[:, 2].max() - every[:, 0].min()), float(every[:, 3].max() - every[:, 1].min()), 1.0)
    zeb = np.stack([np.minimum(zx0, zx1) - tol, np.minimum(zy0, zy1) - tol,
                    np.maximum(zx0, zx1) + tol, np.maximum(zy0, zy1) + tol], 1)
    far = np.zeros(len(polys), bool)
    far[ok] = clear_of(tb_ok, zeb)
    # the grid's cells are coarse: the others are checked box by box (100k-cell tiling: 19k → 9k
    # targets left for the edges)
    maybe = np.flatnonzero(ok & ~far)
    if len(maybe) and len(zeb):
        near = np.zeros(len(maybe), bool)
        for i, _ in box_pairs(np.take(tb, maybe, axis=0), zeb):
            near[i] = True
        far[maybe[~near]] = True
    try:
        fb = np.compress(far, tb, axis=0)
        where = _zone_of(zones, (fb[:, 0] + fb[:, 2]) / 2, (fb[:, 1] + fb[:, 3]) / 2)
    except ZonesOverlap:
        return None
    rows = union_area_by_zone(polys[~far], zones, planar=True)
    if rows is None:
        return None
    inside = where > 0
    return rows + np.bincount(where[inside] - 1, weights=shapely.area(polys[far][inside]), minlength=len(zones))


def covered_areas(polys: np.ndarray, zones: np.ndarray) -> tuple[np.ndarray | None, bool]:
    """``(edge_areas(polys, zones, planar), planar)`` with ``planar`` = whether the targets overlap
    (:func:`hygis.analysis._overlay.is_planar`).

    When a sample of neighbouring pairs shows no overlap (the targets are probably a tiling), the
    exact planarity test runs on a worker thread while this one computes the planar areas
    (100k-cell tiling: ~0.15 s each); should the test find an overlap after all, the general
    path runs.
    """
    from hygis.analysis._overlay import planar_by_sample, planar_exactly

    quick = planar_by_sample(polys)
    if quick is not None:
        return edge_areas(polys, zones, quick), quick
    if not use_threads():
        planar = planar_exactly(polys)
        return edge_areas(polys, zones, planar), planar
    with ThreadPoolExecutor(1) as pool:
        exact = pool.submit(planar_exactly, polys)
        rows = edge_areas(polys, zones, True)
        planar = exact.result()
    if planar:
        return rows, True
    return edge_areas(polys, zones, False), False


def union_area_by_zone(targets: np.ndarray, zones: np.ndarray, planar: bool = False) -> np.ndarray | None:
    """Area of (union of ``targets``) ∩ zone for every zone (row), or None if the zones overlap.

    Parameters
    ----------
    targets, zones : arrays of shapely geometries in one planar CRS (valid; non-polygonal parts ignored).
    planar : bool
        The targets are known not to overlap (:func:`hygis.analysis._planar.planar_by_edges`): no
        target edge lies inside another target, so target × target edge pairs are skipped (the
        union's boundary pieces are the target pieces inside a zone, and the zone pieces inside a target).
    """
    try:
        return _union_area_by_zone(targets, zones, planar)
    except ZonesOverlap:
        return None


def _union_area_by_zone(targets, zones, planar=False):
    n_rows = len(zones)
    tp, _ = polygon_parts(targets)
    t_order = None
    if len(tp) > 1:  # in Z order: neighbours get nearby edge numbers (gathers stay in the CPU caches)
        box = shapely.bounds(tp)
        t_order = np.argsort(z_order((box[:, 0] + box[:, 2]) / 2, (box[:, 1] + box[:, 3]) / 2))
    zp, zrow = polygon_parts(zones)
    if len(zp) == 0:
        return np.zeros(n_rows)  # (no targets: the zones are still checked for overlaps)
    tx0, ty0, tx1, ty1, tring, tpart, tring_part = ring_edges(tp, t_order)
    zx0, zy0, zx1, zy1, zring, zpart, zring_part = ring_edges(zp)
    n_tr, n_zr = len(tring_part), len(zring_part)
    # local coordinates (the zones' centre): smaller shoelace terms
    allx = np.concatenate([tx0, zx0])
    ally = np.concatenate([ty0, zy0])
    ox, oy = (allx.min() + allx.max()) / 2, (ally.min() + ally.max()) / 2
    extent = max(allx.max() - allx.min(), ally.max() - ally.min(), 1.0)
    tol = TOL_REL * extent
    n_t = len(tx0)
    x0 = np.concatenate([tx0, zx0]) - ox
    y0 = np.concatenate([ty0, zy0]) - oy
    x1 = np.concatenate([tx1, zx1]) - ox
    y1 = np.concatenate([ty1, zy1]) - oy
    is_zone = np.r_[np.zeros(n_t, bool), np.ones(len(zx0), bool)]
    ring = np.concatenate([tring, zring + n_tr])  # rings: targets', then zones'
    owner = np.concatenate([tpart, zpart])  # part number within its kind
    row = np.r_[np.full(n_t, -1), zrow[zpart]]  # zone row of zone edges
    n_e = len(x0)
    polys = EdgePolygons(x0[:n_t], y0[:n_t], x1[:n_t], y1[:n_t], tpart, len(tp))

    boxes = np.stack([np.minimum(x0, x1) - tol, np.minimum(y0, y1) - tol,
                      np.maximum(x0, x1) + tol, np.maximum(y0, y1) + tol], 1)
    dirty_d = np.zeros(n_tr + n_zr, bool)
    dirty_z = np.zeros(n_tr + n_zr, bool)
    # target × target and target × zone pairs; zone × zone pairs only to find overlapping zones
    # when GEOS's coverage check does not already rule them out
    if planar:
        tasks = [(t, n_t) for t in pair_tasks(boxes[:n_t], boxes[n_t:])]
    else:  # (target entries sorted once for both)
        own, cross = self_and_cross_tasks(boxes[:n_t], boxes[n_t:])
        tasks = [(t, 0) for t in own] + [(t, n_t) for t in cross]
        del own, cross

    if not (hasattr(shapely, "coverage_is_valid") and shapely.coverage_is_valid(zp)):
        tasks += [(t, -n_t) for t in pair_tasks(boxes[n_t:])]
    # a polygon's own edges are left out (zone edges: polygon -1)
    poly = np.where(is_zone, -1, owner)

    def run(item):
        task, shift = item
        i, j = task()
        if shift < 0:
            i, j = i - shift, j - shift
        else:
            j = j + shift
        gi, gj = poly[i], poly[j]
        keep = np.flatnonzero((gi != gj) | (gi < 0))
        i, j = i[keep], j[keep]
        out = [[] for _ in range(11)]
        classify_pairs(i, j, gi[keep] < 0, gj[keep] < 0, (x0[i], y0[i], x1[i], y1[i]), (x0[j], y0[j], x1[j], y1[j]), tol,
                  ring, owner, row, *out, dirty_d, dirty_z)
        return out

    if len(tasks) > 1 and use_threads():
        with ThreadPoolExecutor(WORKERS) as pool:  # numpy releases the GIL in the array work
            results = list(pool.map(run, tasks))
    else:
        results = [run(item) for item in tasks]
    del tasks, boxes  # (the sweep's plans, ~60 MB at 100k squares: not held through the sort below)
    lists = [[a for res in results for a in res[k]] for k in range(11)]
    ev_e, ev_t, ev_dz, sp_e, sp_t, pa_e, pa_lo, pa_hi, pa_owner, pa_zone, pa_same = lists
    cat = (lambda parts, dt: np.concatenate(parts).astype(dt, copy=False) if parts else np.empty(0, dt))
    del results, lists  # (the per-task arrays: memory for the rows below)
    # sub-segments: rows sorted by (edge, t); each row starts a piece running to the next row
    e_all = cat([np.arange(n_e)] + ev_e + sp_e, np.int64)
    t_all = cat([np.zeros(n_e)] + ev_t + sp_t, float)
    n_sp = sum(len(a) for a in sp_e)
    # depth and zone changes packed in one integer (zone × 2³² + depth; sums stay far below 2³¹ each)
    dz_all = cat([np.zeros(n_e, np.int64)] + ev_dz + [np.zeros(n_sp, np.int64)], np.int64)
    del ev_e, ev_t, ev_dz, sp_e, sp_t
    order = np.argsort(e_all + t_all * 0.5)  # by edge, then t (t < 1: exact enough to order; rows with equal t
    # bound zero-length pieces, so their order does not matter: quicksort, 3× faster than a stable sort)
    e_all, t_all, dz_all = e_all[order], t_all[order], dz_all[order]
    del order
    if pa_e:  # coincident partners (edge, t range, partner's part, zone edge?, same direction?), by edge
        pe = cat(pa_e, np.int64)
        by_e = np.argsort(pe, kind="stable")
        pe, plo, phi = pe[by_e], cat(pa_lo, float)[by_e], cat(pa_hi, float)[by_e]
        pown, pzone, psame = cat(pa_owner, np.int64)[by_e], cat(pa_zone, bool)[by_e], cat(pa_same, bool)[by_e]

    # starting depth / zone of every ring: at its first vertex (the start of its first edge, t = 0)
    shapely.prepare(zones[~shapely.is_empty(zones) & ~shapely.is_missing(zones)])
    n_rings = n_tr + n_zr
    ring_count = np.bincount(ring, minlength=n_rings)
    ring_ids = np.flatnonzero(ring_count)
    first_edge = (np.cumsum(ring_count) - ring_count)[ring_ids]
    start_d = np.zeros(n_rings, np.int64)
    start_z = np.zeros(n_rings, np.int64)
    is_t_ring = ring_ids < n_tr
    need = ~dirty_d[ring_ids] & ~(is_t_ring & planar)  # (planar: target rings lie in no other target)
    pts, parts = polys.containing(x0[first_edge[need]], y0[first_edge[need]])
    rid = ring_ids[need][pts]
    own_part = np.where(rid < n_tr, tring_part[np.minimum(rid, n_tr - 1)], -1)
    mine = (rid < n_tr) & (parts == own_part)
    np.add.at(start_d, rid[~mine], 1)
    # the same vertices in the original coordinates (x - ox + ox may move a vertex by a unit in
    # the last place: off a zone's edge into its neighbour)
    gx, gy = np.empty(len(first_edge)), np.empty(len(first_edge))
    in_t = first_edge < n_t
    gx[in_t], gy[in_t] = tx0[first_edge[in_t]], ty0[first_edge[in_t]]
    gx[~in_t], gy[~in_t] = zx0[first_edge[~in_t] - n_t], zy0[first_edge[~in_t] - n_t]
    need_z = is_t_ring & ~dirty_z[ring_ids]
    start_z[ring_ids[need_z]] = _zone_of(zones, gx[need_z], gy[need_z])
    # zones nested in other zones: overlap
    zr = ~is_t_ring
    inside = _zone_of(zones, gx[zr], gy[zr])
    if ((inside > 0) & (inside != row[first_edge[zr]] + 1)).any():
        raise ZonesOverlap
    del pts, parts, rid, own_part, mine, gx, gy
    cross = x0 * y1 - x1 * y0  # shoelace term of every edge

    # midpoint tests of the pieces of dirty rings, all at once (one sweep of the polygons' boxes,
    # not one per block): (row, polygon containing its piece's midpoint), by row
    n_all = len(e_all)
    cand = np.flatnonzero(dirty_d[ring[e_all]])
    nxt = np.minimum(cand + 1, n_all - 1)
    t_next = np.where((cand + 1 < n_all) & (e_all[nxt] == e_all[cand]), t_all[nxt], 1.0)
    cand, t_next = cand[t_next > t_all[cand]], t_next[t_next > t_all[cand]]
    ek, tk = e_all[cand], (t_all[cand] + t_next) / 2
    hit, hit_part = polys.containing(x0[ek] + tk * (x1[ek] - x0[ek]), y0[ek] + tk * (y1[ek] - y0[ek]))
    hit = cand[hit]
    by_row = np.argsort(hit, kind="stable")
    hit, hit_part = hit[by_row], hit_part[by_row]
    del cand, nxt, t_next, ek, tk, by_row

    def pieces(first, stop):
        """Covered area per zone row from rows first..stop-1 (whole rings, sorted by edge, then t)."""
        e_all, t_all, dz_all = e_all_[first:stop], t_all_[first:stop], dz_all_[first:stop]
        last = np.r_[e_all[1:] != e_all[:-1], True]
        t_end = np.where(last, 1.0, np.r_[t_all[1:], 1.0])
        del last
        r_all = ring[e_all]
        # carried depth and zone: cumulative sums within each ring (rows of a ring are contiguous)
        cdz = np.cumsum(dz_all)
        first_row = np.r_[True, r_all[1:] != r_all[:-1]]
        ring_first = np.flatnonzero(first_row)
        del first_row
        base = np.repeat(ring_first, np.diff(np.r_[ring_first, len(r_all)]))
        cdz -= np.r_[0, cdz][base]
        cz = (cdz + (1 << 31)) >> 32
        cd = cdz - (cz << 32)
        del cdz, base

        rr = r_all
        depth = start_d[rr] + cd
        zone = start_z[rr] + cz
        # pieces: (edge, t from, t to); midpoints only where a test needs them
        e = e_all
        dt = t_end - t_all
        real = dt > 0
        n_sub = len(e)

        def midpoints(k):
            ek, tk = e[k], (t_all[k] + t_end[k]) / 2
            return x0[ek] + tk * (x1[ek] - x0[ek]), y0[ek] + tk * (y1[ek] - y0[ek])

        # coincident partners of the pieces
        drop = np.zeros(n_sub, bool)
        zone_partner = np.zeros(n_sub, bool)
        same_extra = np.zeros(n_sub, np.int64)  # same-direction target partners (zone pieces: covered on the left)
        excl_sub, excl_part = np.empty(0, np.int64), np.empty(0, np.int64)
        p0, p1 = (int(np.searchsorted(pe, e[0], "left")), int(np.searchsorted(pe, e[-1], "right"))) if pa_e else (0, 0)
        if p1 > p0:  # partners of this block's edges
            key = e + (t_all + t_end) / 2  # increasing
            a = np.searchsorted(key, pe[p0:p1] + plo[p0:p1], "right")
            b = np.searchsorted(key, pe[p0:p1] + phi[p0:p1], "left")
            cnt = np.maximum(b - a, 0)
            pp = p0 + np.repeat(np.arange(p1 - p0), cnt)
            sub = np.repeat(a, cnt) + np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
            sub_is_zone = is_zone[e[sub]]
            pz, ps, po = pzone[pp], psame[pp], pown[pp]
            zone_partner[sub[~sub_is_zone & pz]] = True
            tt = ~sub_is_zone & ~pz  # target piece along a target edge
            drop[sub[tt & ~ps]] = True
            drop[sub[tt & ps & (po < owner[e[sub]])]] = True
            zt = sub_is_zone & ~pz  # zone piece along a target edge
            np.add.at(same_extra, sub[zt & ps], 1)
            excl_sub, excl_part = sub[~pz], po[~pz]

        # pieces of dirty rings: midpoint tests
        dirty = dirty_d[rr] & real & ~drop & ~zone_partner
        if dirty.any():
            ds = np.flatnonzero(dirty)
            h0, h1 = np.searchsorted(hit, [first, stop])
            sub, pq = hit[h0:h1] - first, hit_part[h0:h1]
            sub, pq = sub[dirty[sub]], pq[dirty[sub]]
            own = ~is_zone[e[sub]] & (pq == owner[e[sub]])
            excluded = np.isin(sub * (len(tp) + 1) + pq, excl_sub * (len(tp) + 1) + excl_part)
            ok = ~own & ~excluded
            dd = np.bincount(sub[ok], minlength=n_sub)
            depth[ds] = dd[ds] + same_extra[ds]
        dz = dirty_z[rr] & real & ~is_zone[e] & ~drop & ~zone_partner
        if dz.any():
            zs = np.flatnonzero(dz)
            mx, my = midpoints(zs)
            zone[zs] = _zone_of(zones, mx + ox, my + oy)

        # shoelace term of the piece from P + a·E to P + b·E of the edge from P to P + E: (b - a)·(P × E)
        ise = is_zone[e]
        t_keep = np.flatnonzero(~ise & real & ~drop & ~zone_partner & (depth == 0) & (zone > 0))
        z_keep = np.flatnonzero(ise & real & (depth >= 1))
        area = np.zeros(n_rows)
        area += np.bincount(zone[t_keep] - 1, weights=dt[t_keep] * cross[e[t_keep]], minlength=n_rows)[:n_rows]
        area += np.bincount(row[e[z_keep]], weights=dt[z_keep] * cross[e[z_keep]], minlength=n_rows)[:n_rows]
        return area / 2.0

    # blocks of whole rings, at most BLOCK_ROWS rows each (their temporaries stay in the CPU caches
    # and reuse the same memory instead of faulting in fresh pages), on two threads (numpy releases the GIL)
    r_sorted = ring[e_all]
    cuts = unique(np.r_[0, np.searchsorted(r_sorted, r_sorted[np.arange(BLOCK_ROWS, n_all, BLOCK_ROWS)]), n_all])
    blocks = [(a, b) for a, b in zip(cuts[:-1], cuts[1:]) if b > a]
    del r_sorted
    e_all_, t_all_, dz_all_ = e_all, t_all, dz_all
    if len(blocks) > 1 and n_all > BLOCK_THREADS_MIN and use_threads():
        with ThreadPoolExecutor(2) as pool:
            parts = list(pool.map(lambda b: pieces(*b), blocks))
    else:
        parts = [pieces(*b) for b in blocks]
    return sum(parts) if parts else np.zeros(n_rows)


def _zone_of(zones: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """1 + the zone row containing each point (0: none); raises ZonesOverlap if two do."""
    out = np.zeros(len(x), np.int64)
    if len(x) == 0:
        return out
    hits = np.zeros(len(x), np.int64)
    bounds = shapely.bounds(zones)
    # points sorted by x: each zone looks only at the slab of its box (not at every point)
    by_x = np.argsort(x, kind="stable")
    xs = x[by_x]
    for r, g in enumerate(zones):
        if g is None or shapely.is_empty(g):
            continue
        b = bounds[r]
        lo, hi = np.searchsorted(xs, b[0], "left"), np.searchsorted(xs, b[2], "right")
        slab = by_x[lo:hi]
        sel = slab[(y[slab] >= b[1]) & (y[slab] <= b[3])]
        if len(sel) == 0:
            continue
        shapely.prepare(g)
        inside = sel[shapely.contains_xy(g, x[sel], y[sel])]
        out[inside] = r + 1
        hits[inside] += 1
    if (hits > 1).any():
        raise ZonesOverlap
    return out
