"""Pairs of boxes that meet, found by a sweep in horizontal bands (numpy; no Python loop per box).

Used by :mod:`hygis.analysis._arrangement` for edge pairs and point-in-polygon candidates.
"""

from __future__ import annotations

import numpy as np

#: Candidate pairs per block: small blocks keep numpy's temporaries in the CPU caches (measured
#: faster than blocks of millions) and let worker threads share the work evenly.
PAIR_CHUNK = 1 << 16


def median(v) -> float:
    """The upper median of ``v`` (``np.median`` imports numpy.ma on first use: 20 ms)."""
    v = np.asarray(v).ravel()
    return float(np.partition(v, len(v) // 2)[len(v) // 2])


def unique(v) -> np.ndarray:
    """Sorted distinct values of ``v`` (``np.unique`` imports numpy.ma on first use: 20 ms)."""
    s = np.sort(np.asarray(v).ravel())
    return s[np.r_[True, s[1:] != s[:-1]]] if len(s) else s


def box_pairs(a, b=None, band=None):
    """Pairs (i, j) of boxes ``a[i]`` and ``b[j]`` that meet (``b=None``: each pair within ``a`` once).

    ``a``, ``b``: (n, 4) arrays x0, y0, x1, y1.  Yields blocks of pairs (bounded memory); see
    :func:`pair_tasks`.
    """
    for task in pair_tasks(a, b, band=band):
        yield task()


def pair_tasks(a, b=None, band=None, chunk: int = PAIR_CHUNK):
    """The work of :func:`box_pairs` as independent tasks (callables returning ``(i, j)``), about
    ``chunk`` candidate pairs each: worker threads can run them (numpy releases the GIL).

    A sweep in horizontal bands: entries sorted by (band, x0); a pair is found from the box with
    the smaller x0 and kept only in the band holding the lower edge of the boxes' intersection
    (so once).
    """
    if len(a) == 0 or (b is not None and len(b) == 0):
        return []
    sweep = _Sweep([a] if b is None else [a, b], band)
    return sweep.self_tasks(0, chunk) if b is None else sweep.cross_tasks(0, 1, chunk)


def self_and_cross_tasks(a, b, chunk: int = PAIR_CHUNK):
    """``(pair_tasks(a), pair_tasks(a, b))`` with ``a``'s entries sorted once."""
    if len(a) == 0:
        return [], []
    sweep = _Sweep([a, b] if len(b) else [a], None)
    return sweep.self_tasks(0, chunk), (sweep.cross_tasks(0, 1, chunk) if len(b) else [])


class _Sweep:
    """Band sweep over one or more box arrays sharing one frame (bands, key scale)."""

    def __init__(self, arrays, band=None):
        self.arrays = arrays
        lo_y = min(x[:, 1].min() for x in arrays)
        if band is None:  # about the median box height: few boxes span two bands, few pairs per band
            h = np.concatenate([x[:, 3] - x[:, 1] for x in arrays])
            h = h[h > 0]
            band = max(float(median(h)) if len(h) else 0.0, 1e-9)
            band = max(band, (max(x[:, 3].max() for x in arrays) - lo_y) / 65536)
        self.lo_y, self.band = lo_y, band
        self.x_lo = min(x[:, 0].min() for x in arrays)
        self.scale = 4.0 * (max(x[:, 2].max() for x in arrays) - self.x_lo + 1.0)
        self.entries = [None] * len(arrays)

    def sorted_entries(self, n):
        """(band, item, key, y0, y1, first, x1) of every (box, band it meets), sorted by
        key = band × scale + x0; ``first``: the band is the first one the box meets (the box's y0,
        y1 and x1 copied in entry order: the pair tasks then read them in sequence instead of at
        random)."""
        if self.entries[n] is None:
            x = self.arrays[n]
            k0 = ((x[:, 1] - self.lo_y) // self.band).astype(np.int64)
            k1 = ((x[:, 3] - self.lo_y) // self.band).astype(np.int64)
            cnt = k1 - k0 + 1
            item = np.repeat(np.arange(len(x)), cnt)
            k = k0[item] + np.arange(len(item)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
            key = k * self.scale + (np.take(x[:, 0], item) - self.x_lo)  # (np.take: 6× faster than x[item, 0])
            order = np.argsort(key)  # (the order among equal keys does not matter: quicksort, 3× faster)
            item, k = item[order], k[order]
            self.entries[n] = (k, item, key[order], np.take(x[:, 1], item), np.take(x[:, 3], item), k0[item] == k,
                               np.take(x[:, 2], item))
        return self.entries[n]

    def self_tasks(self, n, chunk):
        e = self.sorted_entries(n)
        return self._plan(e, e, False, False, True, chunk)

    def cross_tasks(self, n, m, chunk):
        a, b = self.sorted_entries(n), self.sorted_entries(m)
        return self._plan(a, b, False, False, False, chunk) + self._plan(b, a, True, True, False, chunk)

    def _plan(self, q, o, strict, swap, self_join, chunk):
        """Tasks: for each query entry (of ``q``), the entries of the other set (``o``) in its band
        with x0 in [x0, x1] (x0 in (x0, x1] when ``strict``); ``self_join``: each pair once."""
        kq, iq, keyq, y0q, y1q, first_q, x1q = q
        _, items, keys, y0o, y1o, first_o, _ = o
        if self_join:  # the first entry with an equal key: no search needed in the sorted keys themselves
            first = np.r_[True, keys[1:] != keys[:-1]]
            start = np.maximum.accumulate(np.where(first, np.arange(len(keys)), 0))
        else:
            start = np.searchsorted(keys, keyq, "right" if strict else "left")
        end = np.searchsorted(keys, kq * self.scale + (x1q - self.x_lo), "right")
        cnt = np.maximum(end - start, 0)
        cum = np.cumsum(cnt)
        if len(cum) == 0 or cum[-1] == 0:
            return []
        cuts = unique(np.r_[0, np.searchsorted(cum, np.arange(chunk, cum[-1], chunk), "right"), len(cnt)])

        def task(s, e):
            c = cnt[s:e]
            pos = np.arange(int(c.sum())) + np.repeat(start[s:e] - (np.cumsum(c) - c), c)
            yi, yj = np.repeat(y0q[s:e], c), y0o[pos]
            # the boxes meet, and the lower edge of their intersection (the higher y0) lies in this
            # band: this band is the first one of the box with the higher y0 (both entries are in this band)
            keep = ((np.maximum(yi, yj) <= np.minimum(np.repeat(y1q[s:e], c), y1o[pos]))
                    & np.where(yi >= yj, np.repeat(first_q[s:e], c), first_o[pos]))
            i, j = np.repeat(iq[s:e], c), items[pos]
            if self_join:  # pairs with key_j >= key_i, j != i; equal keys appear twice: keep i < j (keys, not
                # x0: x0 one unit in the last place apart can give equal keys)
                keep &= (i != j) & ((np.repeat(keyq[s:e], c) != keys[pos]) | (i < j))
            i, j = i[keep], j[keep]
            return (j, i) if swap else (i, j)

        return [(lambda s=s, e=e: task(s, e)) for s, e in zip(cuts[:-1], cuts[1:]) if e > s]


#: Cells of the grid :func:`clear_of` marks (at most).
GRID_CELLS = 1 << 22


def clear_of(a, b):
    """For each box of ``a``: True if it certainly meets no box of ``b`` (False: it may).

    A grid with cells about the median size of ``a``'s boxes: the cells ``b``'s boxes cover are
    marked; an ``a`` box spanning at most 2 × 2 cells none of which is marked meets no ``b`` box.
    (No sort: for targets away from every zone edge, ~10× cheaper than a prepared predicate each.)
    """
    out = np.zeros(len(a), bool)
    if len(a) == 0 or len(b) == 0:
        out[:] = len(b) == 0
        return out
    lo_x, lo_y = min(a[:, 0].min(), b[:, 0].min()), min(a[:, 1].min(), b[:, 1].min())
    span = max(max(a[:, 2].max(), b[:, 2].max()) - lo_x, max(a[:, 3].max(), b[:, 3].max()) - lo_y, 1e-9)
    size = max(float(median(np.maximum(a[:, 2] - a[:, 0], a[:, 3] - a[:, 1]))), span / np.sqrt(GRID_CELLS), 1e-12)
    n = int(span // size) + 2

    def cells(x):
        return [np.minimum(((x[:, k] - lo) // size).astype(np.int64), n - 1)
                for k, lo in ((0, lo_x), (1, lo_y), (2, lo_x), (3, lo_y))]

    bx0, by0, bx1, by1 = cells(b)
    w, h = bx1 - bx0 + 1, by1 - by0 + 1
    if (w * h).sum() > GRID_CELLS:
        return out  # (huge b boxes: nothing is certain)
    k = np.repeat(np.arange(len(b)), w * h)
    off = np.arange(len(k)) - np.repeat(np.cumsum(w * h) - w * h, w * h)
    marked = np.zeros(n * n, bool)
    marked[(by0[k] + off // w[k]) * n + bx0[k] + off % w[k]] = True
    ax0, ay0, ax1, ay1 = cells(a)
    small = (ax1 - ax0 <= 1) & (ay1 - ay0 <= 1)
    hit = marked[ay0 * n + ax0] | marked[ay0 * n + ax1] | marked[ay1 * n + ax0] | marked[ay1 * n + ax1]
    return small & ~hit
