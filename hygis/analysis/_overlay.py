"""Vectorized overlay kernels (shapely 2 + STRtree) used by coverage and density.

The idea, compared with ``geopandas.overlay`` followed by ``dissolve``:

* one STRtree query finds the candidate (zone, target) pairs; targets that lie
  properly inside a (prepared) zone are taken whole, only the pairs on a zone
  boundary are clipped with ``shapely.intersection`` on arrays;
* overlapping targets are found once with a self-query of the tree and grouped
  into connected clusters (scipy.sparse.csgraph); a union is needed only inside
  a cluster, and clusters of similar size are unioned together by
  ``shapely.union_all(..., axis=1)`` on padded 2-D arrays: no Python loop over
  features.
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

from typing import TYPE_CHECKING

import numpy as np
import shapely

if TYPE_CHECKING:  # (not at run time: _common imports geopandas, and the lean CLI path uses is_planar)
    from hygis.analysis._common import Feedback

#: Pairs clipped per ``shapely.intersection`` call (keeps memory flat and lets cancel act quickly).
CHUNK = 20_000
#: Worker threads for the heavy array operations (shapely releases the GIL while GEOS works).
WORKERS = max(1, min(4, os.cpu_count() or 1))
#: Clusters bigger than this are cut by a grid of tiles and unioned tile by tile: the union of
#: a huge cluster (dense data percolates into one) has an enormous boundary and unions
#: superlinearly, the tiles keep every union small.  The area is exact (tiles do not overlap).
BIG_CLUSTER = 512
#: Pieces per tile aimed at when tiling big clusters.
TILE_PIECES = 64


def parallel(func, *arrays, min_size: int = 2_000):
    """``func(*arrays)`` computed on slices in worker threads and concatenated (same result)."""
    n = len(arrays[0])
    if WORKERS == 1 or n < min_size:
        return func(*arrays)
    bounds = np.linspace(0, n, WORKERS * 2 + 1).astype(int)
    with ThreadPoolExecutor(WORKERS) as pool:
        parts = list(pool.map(lambda lo_hi: func(*(a[lo_hi[0]:lo_hi[1]] for a in arrays)),
                              zip(bounds[:-1], bounds[1:])))
    return np.concatenate(parts)


_COVERAGE_CACHE: OrderedDict[bytes, bool] = OrderedDict()


def zones_form_coverage(zones: np.ndarray) -> bool:
    """True when the zones do not overlap (a valid polygonal coverage, ``shapely.coverage_is_valid``).

    Remembered per set of zone geometries (the same districts are used again and again).
    """
    if len(zones) < 2:
        return True
    if not hasattr(shapely, "coverage_is_valid"):  # shapely < 2.1: assume they may overlap
        return False
    key = hashlib.sha1(b"".join(shapely.to_wkb(zones))).digest()
    if key not in _COVERAGE_CACHE:
        polys = zones[np.isin(shapely.get_type_id(zones), (3, 6))]
        _COVERAGE_CACHE[key] = bool(shapely.coverage_is_valid(polys)) and len(polys) == len(zones)
        while len(_COVERAGE_CACHE) > 16:
            _COVERAGE_CACHE.popitem(last=False)
    return _COVERAGE_CACHE[key]


def clip_to_zones(geoms: np.ndarray, zones: np.ndarray, fb: Feedback, start=0.0, span=1.0):
    """Parts of ``geoms`` inside each zone.

    Parameters
    ----------
    geoms, zones : ndarray of shapely geometries in one planar CRS (metres).

    Returns
    -------
    pieces, zone_idx, geom_idx : ndarrays
        ``pieces[k]`` is ``geoms[geom_idx[k]] ∩ zones[zone_idx[k]]`` (never empty).
    """
    if len(geoms) == 0 or len(zones) == 0:
        return np.empty(0, object), np.empty(0, np.intp), np.empty(0, np.intp)
    shapely.prepare(zones)
    # most targets lie inside one zone: find those first (one prepared predicate per pair),
    # then look for the zones the rest intersect, and clip only those pairs.  When the zones
    # overlap, a target inside one zone may still meet another: then every target is tested.
    zone_in, geom_in = shapely.STRtree(geoms).query(zones, predicate="contains_properly")
    fb.report(start + 0.15 * span)
    if zones_form_coverage(zones):
        rest = np.ones(len(geoms), bool)
        rest[geom_in] = False
        rest = np.flatnonzero(rest)
        zone_edge, j = shapely.STRtree(geoms[rest]).query(zones, predicate="intersects")
        geom_edge = rest[j]
    else:
        zone_edge, geom_edge = shapely.STRtree(geoms).query(zones, predicate="intersects")
        known = np.isin(zone_edge.astype(np.int64) * len(geoms) + geom_edge,
                        zone_in.astype(np.int64) * len(geoms) + geom_in)
        zone_edge, geom_edge = zone_edge[~known], geom_edge[~known]
    fb.report(start + 0.25 * span)
    clipped = np.empty(len(geom_edge), dtype=object)
    for lo in range(0, len(geom_edge), CHUNK):
        sel = slice(lo, lo + CHUNK)
        clipped[sel] = parallel(shapely.intersection, geoms[geom_edge[sel]], zones[zone_edge[sel]])
        fb.report(start + span * (0.25 + 0.75 * min(1.0, (lo + CHUNK) / max(len(geom_edge), 1))))
    pieces = np.concatenate([geoms[geom_in], clipped])
    zone_idx = np.concatenate([zone_in, zone_edge])
    geom_idx = np.concatenate([geom_in, geom_edge])
    keep = ~shapely.is_empty(pieces)
    return pieces[keep], zone_idx[keep], geom_idx[keep]


def cover_clusters(pieces: np.ndarray, group: np.ndarray, tolerance: float = 0.0) -> np.ndarray:
    """Cluster label per piece: pieces of one zone group that intersect (transitively) share a label.

    Candidate pairs come from a bounding-box self-query of an STRtree; only pairs of
    distinct pieces in the same group are tested exactly with ``shapely.intersects`` (or
    ``dwithin(tolerance)``: lines digitised twice are never exactly collinear).
    """
    n = len(pieces)
    if n == 0:
        return np.empty(0, np.intp)
    tree = shapely.STRtree(pieces)
    a, b = tree.query(pieces) if tolerance <= 0 else tree.query(pieces, predicate="dwithin", distance=tolerance)
    keep = (a < b) & (group[a] == group[b])
    a, b = a[keep], b[keep]
    if tolerance <= 0:
        hit = parallel(shapely.intersects, pieces[a], pieces[b])
        a, b = a[hit], b[hit]
    from scipy.sparse import coo_matrix  # here, not at import: the GUI's panels import this module at start-up
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(a), bool), (a, b)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def split_big_clusters(pieces: np.ndarray, group: np.ndarray, keys: np.ndarray):
    """Re-key the pieces of clusters larger than :data:`BIG_CLUSTER` by (group, tile).

    Pieces crossing a tile edge are cut along it (``shapely.intersection`` with the tile box),
    so that the pieces of different keys never overlap.

    Returns
    -------
    pieces, group, keys : ndarrays (small clusters unchanged, big ones replaced by tile pieces)
    """
    if len(keys) == 0:
        return pieces, group, keys
    counts = np.bincount(keys)
    big = counts[keys] > BIG_CLUSTER
    if not big.any():
        return pieces, group, keys
    bp, bg = pieces[big], group[big]
    b = shapely.bounds(bp)
    x0, y0, x1, y1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
    side = max(np.sqrt((x1 - x0) * (y1 - y0) * TILE_PIECES / len(bp)), 1e-6)
    nx, ny = int(np.ceil((x1 - x0) / side)) or 1, int(np.ceil((y1 - y0) / side)) or 1
    ix, iy = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    ix, iy = ix.ravel(), iy.ravel()
    tiles = shapely.box(x0 + ix * side, y0 + iy * side, x0 + (ix + 1) * side, y0 + (iy + 1) * side)
    pi, ti = shapely.STRtree(tiles).query(bp)
    cut = np.bincount(pi, minlength=len(bp))[pi] > 1
    tiled = bp[pi]
    if cut.any():
        tiled[cut] = parallel(shapely.intersection, bp[pi[cut]], tiles[ti[cut]])
    keep = ~shapely.is_empty(tiled)
    tiled, pi, ti = tiled[keep], pi[keep], ti[keep]
    tile_keys = keys.max() + 1 + bg[pi].astype(np.int64) * len(tiles) + ti
    return (np.concatenate([pieces[~big], tiled]), np.concatenate([group[~big], bg[pi]]),
            np.concatenate([keys[~big].astype(np.int64), tile_keys]))


def union_by_key(pieces: np.ndarray, keys: np.ndarray, grid_size: float | None = None):
    """The union of ``pieces`` sharing a key, for every key.

    ``grid_size`` (CRS units) snaps the result to a grid: used for lines so that
    nearly collinear overlaps merge.

    Returns
    -------
    unique_keys, unions : ndarrays (sorted keys, one geometry each)
    """
    if len(pieces) == 0:
        return np.empty(0, keys.dtype if len(keys) else np.int64), np.empty(0, object)
    order = np.argsort(keys, kind="stable")
    keys_sorted, pieces = keys[order], pieces[order]
    uniq, start, counts = np.unique(keys_sorted, return_index=True, return_counts=True)
    out = pieces[start].copy()  # single pieces need no union
    rank = np.arange(len(pieces)) - np.repeat(start, counts)
    size_of_piece = np.repeat(counts, counts)
    bucket_hi, covered = 2, 1
    while bucket_hi <= BIG_CLUSTER:
        bucket_lo = bucket_hi // 2 + 1 if bucket_hi > 2 else 2
        sel_keys = np.flatnonzero((counts >= bucket_lo) & (counts <= bucket_hi))
        if len(sel_keys):
            row_of_key = np.full(len(uniq), -1)
            row_of_key[sel_keys] = np.arange(len(sel_keys))
            mask = (size_of_piece >= bucket_lo) & (size_of_piece <= bucket_hi)
            grid = np.full((len(sel_keys), bucket_hi), None, dtype=object)
            key_pos = np.repeat(np.arange(len(uniq)), counts)[mask]
            grid[row_of_key[key_pos], rank[mask]] = pieces[mask]
            out[sel_keys] = parallel(lambda g: shapely.union_all(g, axis=1, grid_size=grid_size), grid)
        covered = bucket_hi
        bucket_hi *= 2
    for k in np.flatnonzero(counts > covered):
        out[k] = shapely.union_all(pieces[start[k]:start[k] + counts[k]], grid_size=grid_size)
    return uniq, out


#: Candidate pairs (bounding boxes meeting) sampled to tell overlapping targets quickly (heavily
#: overlapping data shows overlaps in the first few dozen; for planar data the sample is pure cost:
#: 4,000 intersections of touching parcels took 0.03 s of the 0.25 s test).
PLANAR_SAMPLE = 1_000


def is_planar(geoms: np.ndarray, seed: int = 0) -> bool:
    """True when the polygons do not overlap (a planar partition such as land-use parcels).

    A sample of neighbouring pairs is intersected first (:func:`planar_by_sample`: overlapping
    data shows overlaps at once); only then is it settled for all of them by :func:`planar_exactly`.
    """
    quick = planar_by_sample(geoms, seed)
    return planar_exactly(geoms) if quick is None else quick


def planar_by_sample(geoms: np.ndarray, seed: int = 0) -> bool | None:
    """False when a sample of neighbouring pairs overlaps (or the geometries are not all
    polygons), True for fewer than two, None when the sample shows no overlap (undecided)."""
    if len(geoms) < 2 or not hasattr(shapely, "coverage_is_valid"):
        return len(geoms) < 2
    if not np.isin(shapely.get_type_id(geoms), (3, 6)).all():
        return False
    tree = shapely.STRtree(geoms)
    # probes spread over the rows by the golden ratio (numpy.random costs 15 ms to import)
    m = min(len(geoms), max(PLANAR_SAMPLE // 4, 1))
    from hygis.analysis._sweep import unique

    probe = unique(((np.arange(m) * 0.6180339887498949 + seed * 0.1) % 1.0 * len(geoms)).astype(np.intp))
    a, b = tree.query(geoms[probe])
    a = probe[a]
    keep = a != b
    a, b = a[keep][:PLANAR_SAMPLE], b[keep][:PLANAR_SAMPLE]
    if len(a):
        both = np.minimum(shapely.area(geoms[a]), shapely.area(geoms[b]))
        if (shapely.area(shapely.intersection(geoms[a], geoms[b])) > 1e-9 * both).any():
            return False
    return None


def planar_exactly(geoms: np.ndarray) -> bool:
    """Whether the polygons do not overlap, settled for all of them: from the edges
    (:func:`hygis.analysis._planar.planar_by_edges`: shared edges matching exactly), or, when
    parcels touch without sharing vertices exactly, by ``shapely.coverage_is_valid`` (which counts
    them as not planar: that only costs the slower exact path)."""
    from hygis.analysis._planar import planar_by_edges

    planar = planar_by_edges(geoms)  # exact when shared edges match (0.3 s CPU for 100k parcels)
    return bool(shapely.coverage_is_valid(geoms)) if planar is None else planar


#: Pieces per tile aimed at by :func:`tiled_union_area` (small unions, few pieces cut twice).
TILE_TARGET = 48
#: A piece spanning more tiles than this is cut into its tiles up front (the tiles' unions stay small).
SPAN_MAX = 16


def tiled_union_area(pieces: np.ndarray, group: np.ndarray, n_groups: int):
    """Area of the union of ``pieces`` per group, tile by tile.

    The area of a union is additive over disjoint tiles: a grid of square tiles (about
    :data:`TILE_TARGET` pieces each) is laid over the pieces; for every (group, tile) the
    pieces whose bounding box meets the tile are unioned and the union is clipped to the tile.
    No union ever spans more than a tile, so the cost grows linearly with the data, whatever
    the overlap (no cluster of overlapping pieces is unioned whole).

    Returns
    -------
    area : ndarray (n_groups,)
    cover : (group per part, parts) — disjoint parts of the union (within each group)
    """
    if len(pieces) == 0:
        return np.zeros(n_groups), (np.empty(0, np.intp), np.empty(0, object))
    b = shapely.bounds(pieces)
    x0, y0 = b[:, 0].min(), b[:, 1].min()
    w, h = max(b[:, 2].max() - x0, 1e-9), max(b[:, 3].max() - y0, 1e-9)
    side = max(np.sqrt(w * h * TILE_TARGET / len(pieces)), np.median(b[:, 2] - b[:, 0]) * 2, 1e-6)
    nx, ny = int(w // side) + 1, int(h // side) + 1
    ix0 = np.clip(((b[:, 0] - x0) // side).astype(np.int64), 0, nx - 1)
    ix1 = np.clip(((b[:, 2] - x0) // side).astype(np.int64), 0, nx - 1)
    iy0 = np.clip(((b[:, 1] - y0) // side).astype(np.int64), 0, ny - 1)
    iy1 = np.clip(((b[:, 3] - y0) // side).astype(np.int64), 0, ny - 1)
    cx, cy = ix1 - ix0 + 1, iy1 - iy0 + 1
    span = cx * cy
    # (piece, tile) pairs: every tile a piece's bounding box meets
    piece = np.repeat(np.arange(len(pieces)), span)
    k = np.arange(len(piece)) - np.repeat(np.cumsum(span) - span, span)
    tx = ix0[piece] + k % cx[piece]
    ty = iy0[piece] + k // cx[piece]
    tile = tx * ny + ty
    boxes = shapely.box(x0 + tx * side, y0 + ty * side, x0 + (tx + 1) * side, y0 + (ty + 1) * side)
    geoms = pieces[piece]
    big = span[piece] > SPAN_MAX  # cut big pieces into their tiles before the unions
    if big.any():
        geoms = geoms.copy()
        geoms[big] = parallel(shapely.intersection, geoms[big], boxes[big])
    keys = group[piece].astype(np.int64) * (nx * ny) + tile
    uniq, unions = union_by_key(geoms, keys)
    first = np.unique(keys, return_index=True)[1]
    inside = np.zeros(len(uniq), bool)  # a lone piece inside its tile needs no clipping
    single = np.bincount(np.searchsorted(uniq, keys), minlength=len(uniq)) == 1
    inside[single] = (span[piece[first[single]]] == 1)
    parts = unions.copy()
    clip = ~inside
    if clip.any():
        parts[clip] = parallel(shapely.intersection, unions[clip], boxes[first[clip]])
    part_group = group[piece[first]]
    keep = ~shapely.is_empty(parts)
    parts, part_group = parts[keep], part_group[keep]
    area = np.bincount(part_group, weights=shapely.area(parts), minlength=n_groups)
    return area, (part_group, parts)
