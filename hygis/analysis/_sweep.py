"""Pairs of boxes that meet, found by a sweep in horizontal bands (numpy; no Python loop per box).

Used by :mod:`hygis.analysis._arrangement` for edge pairs and point-in-polygon candidates.
"""

from __future__ import annotations

import numpy as np

#: Candidate pairs per block: small blocks keep numpy's temporaries in the CPU caches (measured
#: faster than blocks of millions) and let worker threads share the work evenly.
PAIR_CHUNK = 1 << 16


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
    self_join = b is None
    b = a if self_join else b
    if len(a) == 0 or len(b) == 0:
        return []
    lo_y = min(a[:, 1].min(), b[:, 1].min())
    if band is None:  # about the median box height: few boxes span two bands, few pairs per band
        h = np.concatenate([a[:, 3] - a[:, 1], b[:, 3] - b[:, 1]])
        h = h[h > 0]
        band = max(float(np.median(h)) if len(h) else 0.0, 1e-9)
        band = max(band, (max(a[:, 3].max(), b[:, 3].max()) - lo_y) / 65536)
    scale = 4.0 * (max(a[:, 2].max(), b[:, 2].max()) - min(a[:, 0].min(), b[:, 0].min()) + 1.0)
    x_lo = min(a[:, 0].min(), b[:, 0].min())

    def sorted_entries(x):
        """(band, item, key) of every (box, band it meets), sorted by key = band × scale + x0."""
        k0 = ((x[:, 1] - lo_y) // band).astype(np.int64)
        k1 = ((x[:, 3] - lo_y) // band).astype(np.int64)
        n = k1 - k0 + 1
        item = np.repeat(np.arange(len(x)), n)
        k = k0[item] + np.arange(len(item)) - np.repeat(np.cumsum(n) - n, n)
        key = k * scale + (x[item, 0] - x_lo)
        order = np.argsort(key)  # (the order among equal keys does not matter: quicksort, 3× faster)
        return k[order], item[order], key[order]

    ka, ia, key_a = sorted_entries(a)
    kb, ib, key_b = (ka, ia, key_a) if self_join else sorted_entries(b)
    ya0, ya1 = np.ascontiguousarray(a[:, 1]), np.ascontiguousarray(a[:, 3])
    yb0, yb1 = (ya0, ya1) if self_join else (np.ascontiguousarray(b[:, 1]), np.ascontiguousarray(b[:, 3]))
    xa0 = np.ascontiguousarray(a[:, 0])

    def plan(kq, iq, keyq, xq1, keys, items, y_q, y_o, strict, swap, ties):
        """Tasks: for each query entry, the entries of the other set in its band with x0 in [x0, x1]."""
        start = np.searchsorted(keys, keyq, "right" if strict else "left")
        end = np.searchsorted(keys, kq * scale + (xq1[iq] - x_lo), "right")
        cnt = np.maximum(end - start, 0)
        cum = np.cumsum(cnt)
        if len(cum) == 0 or cum[-1] == 0:
            return []
        cuts = np.unique(np.r_[0, np.searchsorted(cum, np.arange(chunk, cum[-1], chunk), "right"), len(cnt)])

        def task(s, e):
            c = cnt[s:e]
            rows = np.repeat(np.arange(s, e), c)
            pos = np.repeat(start[s:e], c) + np.arange(len(rows)) - np.repeat(np.cumsum(c) - c, c)
            i, j = iq[rows], items[pos]
            my = np.maximum(y_q[0][i], y_o[0][j])
            keep = (my <= np.minimum(y_q[1][i], y_o[1][j])) & (((my - lo_y) // band).astype(np.int64) == kq[rows])
            if ties:  # pairs with x0_j >= x0_i, j != i; ties x0_j == x0_i appear twice: keep i < j for them
                keep &= (i != j) & ((xa0[i] != xa0[j]) | (i < j))
            i, j = i[keep], j[keep]
            return (j, i) if swap else (i, j)

        return [(lambda s=s, e=e: task(s, e)) for s, e in zip(cuts[:-1], cuts[1:]) if e > s]

    xa1 = np.ascontiguousarray(a[:, 2])
    if self_join:
        return plan(ka, ia, key_a, xa1, key_a, ia, (ya0, ya1), (ya0, ya1), False, False, True)
    xb1 = np.ascontiguousarray(b[:, 2])
    return (plan(ka, ia, key_a, xa1, key_b, ib, (ya0, ya1), (yb0, yb1), False, False, False)  # x0_b in [x0_a, x1_a]
            + plan(kb, ib, key_b, xb1, key_a, ia, (yb0, yb1), (ya0, ya1), True, True, False))  # x0_a in (x0_b, x1_b]
