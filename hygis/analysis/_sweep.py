"""Pairs of boxes that meet, found by a sweep in horizontal bands (numpy; no Python loop per box).

Used by :mod:`hygis.analysis._arrangement` for edge pairs and point-in-polygon candidates.
"""

from __future__ import annotations

import numpy as np

#: Pairs produced per block (memory stays flat at millions of boxes).
PAIR_CHUNK = 4_000_000


def box_pairs(a, b=None, band=None):
    """Pairs (i, j) of boxes ``a[i]`` and ``b[j]`` that meet (``b=None``: each pair within ``a`` once).

    ``a``, ``b``: (n, 4) arrays x0, y0, x1, y1.  A sweep in horizontal bands: entries sorted by
    (band, x0); a pair is found from the box with the smaller x0 and kept only in the band holding
    the lower edge of the boxes' intersection (so once).  Yields blocks of pairs (bounded memory).
    """
    self_join = b is None
    b = a if self_join else b
    if len(a) == 0 or len(b) == 0:
        return
    lo_y = min(a[:, 1].min(), b[:, 1].min())
    if band is None:  # about the median box height: few boxes span two bands, few pairs per band
        h = np.concatenate([a[:, 3] - a[:, 1], b[:, 3] - b[:, 1]])
        h = h[h > 0]
        band = max(float(np.median(h)) if len(h) else 0.0, 1e-9)
        band = max(band, (max(a[:, 3].max(), b[:, 3].max()) - lo_y) / 65536)
    def bands(x):
        k0 = ((x[:, 1] - lo_y) // band).astype(np.int64)
        k1 = ((x[:, 3] - lo_y) // band).astype(np.int64)
        n = k1 - k0 + 1
        item = np.repeat(np.arange(len(x)), n)
        k = k0[item] + np.arange(len(item)) - np.repeat(np.cumsum(n) - n, n)
        return k, item
    ka, ia = bands(a)
    kb, ib = (ka, ia) if self_join else bands(b)
    # sorted by (band, x0): for each entry of a, the entries of b in its band with x0 in [x0_a, x1_a]
    # (and, for two sets, the entries of a with x0 in (x0_b, x1_b] for each entry of b)
    scale = 4.0 * (max(a[:, 2].max(), b[:, 2].max()) - min(a[:, 0].min(), b[:, 0].min()) + 1.0)
    x_lo = min(a[:, 0].min(), b[:, 0].min())
    key_b = kb * scale + (b[ib, 0] - x_lo)
    ob = np.argsort(key_b, kind="stable")
    key_b, ib_s = key_b[ob], ib[ob]

    def emit(ka_, ia_, xs, kb_sorted, ib_sorted, box_a, box_b, strict, swap):
        start = np.searchsorted(kb_sorted, ka_ * scale + (xs[ia_, 0] - x_lo), "right" if strict else "left")
        end = np.searchsorted(kb_sorted, ka_ * scale + (xs[ia_, 2] - x_lo), "right")
        cnt = np.maximum(end - start, 0)
        cum = np.cumsum(cnt)
        bounds = np.searchsorted(cum, np.arange(PAIR_CHUNK, cum[-1] + PAIR_CHUNK, PAIR_CHUNK), "right") if len(cum) else []
        s = 0
        for e in np.unique(np.r_[bounds, len(cnt)]):
            e = max(int(e), s + 1)
            if s >= len(cnt):
                break
            c = cnt[s:e]
            rows = np.repeat(np.arange(s, e), c)
            pos = np.repeat(start[s:e], c) + np.arange(c.sum()) - np.repeat(np.cumsum(c) - c, c)
            i, j = ia_[rows], ib_sorted[pos]
            band_k = ka_[rows]
            ya0, ya1, yb0, yb1 = box_a[i, 1], box_a[i, 3], box_b[j, 1], box_b[j, 3]
            my = np.maximum(ya0, yb0)
            keep = (my <= np.minimum(ya1, yb1)) & (((my - lo_y) // band).astype(np.int64) == band_k)
            if strict is False and self_join:
                keep &= i != j
            i, j = i[keep], j[keep]
            yield (j, i) if swap else (i, j)
            s = e

    if self_join:
        # pairs with x0_j >= x0_i, j != i; ties x0_j == x0_i appear twice: keep i < j for them
        for i, j in emit(ka, ia, a, key_b, ib_s, a, a, False, False):
            tie = a[i, 0] == a[j, 0]
            keep = ~tie | (i < j)
            yield i[keep], j[keep]
    else:
        ka_key = ka * scale + (a[ia, 0] - x_lo)
        oa = np.argsort(ka_key, kind="stable")
        ka_key, ia_s = ka_key[oa], ia[oa]
        yield from emit(ka, ia, a, key_b, ib_s, a, b, False, False)   # x0_b in [x0_a, x1_a]
        yield from emit(kb, ib, b, ka_key, ia_s, b, a, True, True)    # x0_a in (x0_b, x1_b]
