"""A vectorized scanline polygon filler: millions of small polygons to pixels in numpy.

Filling a million few-pixel polygons through ``QPainter.drawPath`` costs seconds (the
path is copied, flattened and sorted edge by edge).  Here every polygon edge is crossed
with the scanlines (pixel-centre rows) it spans, and each crossing adds its winding
direction (+1 / −1) at the first pixel centre right of it in a (height, width + 1)
accumulator; a cumulative sum along each row then gives the winding number of every
pixel centre, summed over all the polygons.  With exteriors and holes oppositely
oriented (see :func:`hygis.ui.render.geometry.polygon_rings`), a pixel is painted when
its winding number is not zero: the nonzero union of the polygons, with holes, in
O(crossings + pixels) and no sort.

Semantics are those of GDAL's rasterizer without ``all_touched`` (a pixel belongs to a
polygon when its centre does; a pixel centre on a left or bottom edge is inside, on a
right or top edge outside), so a planar tiling paints every pixel whose centre it covers:
no holes between cells, whatever their size.  No Qt here.
"""

from __future__ import annotations

import numpy as np

#: Crossings gathered (int32 pixel indices) before they are counted into the accumulator.
FLUSH_CROSSINGS = 4_000_000
#: Vertices handled per pass (bounds the per-edge temporaries to ~50 MB).
MAX_VERTICES = 500_000


def winding(px: np.ndarray, py: np.ndarray, starts: np.ndarray, width: int, height: int) -> np.ndarray:
    """Winding number (int64) of every pixel centre, shape (height, width).

    Parameters
    ----------
    px, py : ndarray (M,)
        Vertex coordinates in pixels (x right, y down); rings are closed (last = first).
    starts : ndarray (R + 1,)
        Offsets of each ring into px/py.
    """
    acc = np.zeros(height * (width + 1), np.int64)
    starts = np.asarray(starts, np.int64)
    # rings in runs of at most MAX_VERTICES vertices: bounded temporaries (windings add up)
    cut = np.searchsorted(starts, np.arange(0, starts[-1], MAX_VERTICES), side="right") - 1
    bounds = np.unique(np.r_[cut, len(starts) - 1])
    for a, b in zip(bounds[:-1], bounds[1:]):
        s = starts[a:b + 1]
        accumulate(acc, px[s[0]:s[-1]], py[s[0]:s[-1]], s - s[0], width, height)
    grid = acc.reshape(height, width + 1)
    np.cumsum(grid, axis=1, out=grid)
    return grid[:, :width]


def accumulate(acc: np.ndarray, px, py, starts, width: int, height: int) -> None:
    """Add the rings' edge crossings to ``acc`` (height × (width + 1), flat int64); a cumulative
    sum along its rows then gives the winding numbers (see :func:`winding`)."""
    m = len(px)
    if m < 2 or width <= 0 or height <= 0:
        return
    x0, y0, x1, y1 = px[:-1], py[:-1], px[1:], py[1:]
    ja = np.clip(np.ceil(np.fmin(y0, y1) - 0.5), 0, height).astype(np.int64)
    count = np.clip(np.ceil(np.fmax(y0, y1) - 0.5), 0, height).astype(np.int64)
    count -= ja
    ends = np.asarray(starts[1:-1], np.int64) - 1  # no edge from a ring's last vertex to the next ring
    count[ends[(ends >= 0) & (ends < m - 1)]] = 0
    edges = np.flatnonzero(count > 0)
    if len(edges) == 0:
        return
    count = count[edges]
    dy = y1[edges] - y0[edges]
    slope = (x1[edges] - x0[edges]) / dy
    ja = ja[edges]
    # x (minus half a pixel) at the first crossed row centre; the k-th next row adds k × slope
    xs = x0[edges] + (ja + 0.5 - y0[edges]) * slope - 0.5
    base = ja * (width + 1)  # flat accumulator index of each edge's first row
    up = dy > 0  # upward edges count +1, downward ones -1: two passes, no sign per crossing
    if up.all() or not up.any():
        _cross(acc, count, xs, slope, base, width, 1 if up[0] else -1)
        return
    down = ~up
    _cross(acc, count[up], xs[up], slope[up], base[up], width, 1)
    _cross(acc, count[down], xs[down], slope[down], base[down], width, -1)


def coverage(px, py, starts, width: int, height: int) -> np.ndarray:
    """Boolean (height, width) mask of the pixels whose centre lies in the union of the rings."""
    return winding(px, py, starts, width, height) != 0


def splat(mask: np.ndarray, px: np.ndarray, py: np.ndarray) -> None:
    """Set the pixels containing the points (px, py) in ``mask`` (points outside are ignored)."""
    ix, iy = np.floor(px).astype(np.int64), np.floor(py).astype(np.int64)
    h, w = mask.shape
    ok = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
    mask[iy[ok], ix[ok]] = True


def ring_means(px: np.ndarray, py: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean of each ring's vertices (closing vertex excluded): inside any convex ring."""
    starts = np.asarray(starts, np.int64)
    n = np.diff(starts)
    nonempty = n > 0
    s = starts[:-1][nonempty]
    sx, sy = np.add.reduceat(px, s), np.add.reduceat(py, s)
    last = starts[1:][nonempty] - 1
    cnt = n[nonempty].astype(float)
    closed = (px[last] == px[s]) & (py[last] == py[s]) & (cnt > 1)
    sx = np.where(closed, sx - px[last], sx)
    sy = np.where(closed, sy - py[last], sy)
    cnt = np.where(closed, cnt - 1, cnt)
    return sx / cnt, sy / cnt


def _cross(acc, count, xs, slope, base, width: int, sign: int) -> None:
    """Add ``sign`` at every crossing of the edges into ``acc``.

    Edges are ordered by how many rows they cross (a radix sort), so that the edges crossing
    more than k rows are a prefix of the arrays: the k-th crossing of all of them is then one
    contiguous numpy pass, with no per-crossing index arrays.  The crossings' flat indices are
    gathered (int32 when the accumulator allows) and counted with ``np.bincount`` (about twice as
    fast as ``np.add.at``).
    """
    if len(count) == 0:
        return
    key = 255 - np.minimum(count, 255).astype(np.uint8)
    order = np.argsort(key, kind="stable")
    count, xs, slope, base = count[order], xs[order], slope[order], base[order]
    hist = np.bincount(np.minimum(count, 256))
    more = len(count) - np.cumsum(hist)  # more[k]: edges crossing more than k rows (k < 256)
    itype = np.int32 if len(acc) < 2**31 else np.int64
    base = base.astype(itype)
    buf = np.empty(min(int(count.sum()), FLUSH_CROSSINGS), itype)
    col = np.empty(len(count))
    filled = 0
    k = 0
    while True:
        if k < 255:
            n = int(more[k])
            sel = slice(0, n)
        else:  # rare tall edges: not sorted among themselves
            sel = np.flatnonzero(count[:int(more[254])] > k)
            n = len(sel)
        if n == 0:
            break
        c = col[:n]
        np.multiply(slope[sel], k, out=c)
        c += xs[sel]
        np.ceil(c, out=c)
        np.clip(c, 0, width, out=c)
        for lo in range(0, n, len(buf)):
            hi = min(lo + len(buf), n)
            if filled + hi - lo > len(buf):
                _flush(acc, buf[:filled], sign)
                filled = 0
            out = buf[filled:filled + hi - lo]
            np.add(base[sel][lo:hi], k * (width + 1), out=out)
            np.add(out, c[lo:hi], out=out, casting="unsafe")  # c holds whole numbers: exact
            filled += hi - lo
        k += 1
    _flush(acc, buf[:filled], sign)


def _flush(acc, flat, sign: int) -> None:
    """Add ``sign`` at the flat indices ``flat`` of ``acc``."""
    if len(flat):
        counted = np.bincount(flat, minlength=len(acc))
        if sign > 0:
            acc += counted
        else:
            acc -= counted


def stroke(mask: np.ndarray, px: np.ndarray, py: np.ndarray, starts: np.ndarray) -> None:
    """Set the pixels of 1-pixel lines along the rings' edges in ``mask`` (a DDA: every edge is
    sampled at steps of at most one pixel along its longer axis; no antialiasing).

    Samples are written into a copy of the mask with a one-pixel frame: a sample off the image is
    clipped onto the frame (one clip per coordinate instead of four comparisons and a selection),
    and the frame is dropped at the end.
    """
    h, w = mask.shape
    starts = np.asarray(starts, np.int64)
    fw = w + 2
    framed = np.zeros((h + 2) * fw, bool)
    cut = np.searchsorted(starts, np.arange(0, starts[-1], MAX_VERTICES), side="right") - 1
    bounds = np.unique(np.r_[cut, len(starts) - 1])
    for a, b in zip(bounds[:-1], bounds[1:]):
        s = starts[a:b + 1]
        x, y, s = px[s[0]:s[-1]], py[s[0]:s[-1]], s - s[0]
        if len(x) < 2:
            continue
        edge = np.ones(len(x) - 1, bool)
        ends = s[1:-1] - 1
        edge[ends[(ends >= 0) & (ends < len(x) - 1)]] = False
        x0, y0 = x[:-1][edge], y[:-1][edge]
        dx, dy = x[1:][edge] - x0, y[1:][edge] - y0
        # edges wholly off screen draw nothing
        on = ~(((x0 < 0) & (x0 + dx < 0)) | ((x0 >= w) & (x0 + dx >= w))
               | ((y0 < 0) & (y0 + dy < 0)) | ((y0 >= h) & (y0 + dy >= h)))
        x0, y0, dx, dy = x0[on], y0[on], dx[on], dy[on]
        steps = np.minimum(np.ceil(np.fmax(np.abs(dx), np.abs(dy))), 4 * (w + h)).astype(np.int64)
        sx, sy = dx / np.maximum(steps, 1), dy / np.maximum(steps, 1)
        order = np.argsort(255 - np.minimum(steps, 255).astype(np.uint8), kind="stable")
        # sorted by steps: the edges with at least k steps are a prefix of the arrays
        x0, y0, sx, sy, steps = x0[order], y0[order], sx[order], sy[order], steps[order]
        more = len(steps) - np.cumsum(np.bincount(np.minimum(steps, 256), minlength=257))
        xs, ys = np.empty(len(steps)), np.empty(len(steps))
        k = 0
        while True:  # the k-th sample of every edge with at least k steps
            if k <= 255:
                sel = slice(0, len(steps) if k == 0 else int(more[k - 1]))
            else:
                sel = np.flatnonzero(steps[:int(more[254])] >= k)
            n = len(steps[sel])
            if n == 0:
                break
            cx, cy = xs[:n], ys[:n]
            np.multiply(sx[sel], k, out=cx)
            cx += x0[sel]
            np.floor(cx, out=cx)
            np.clip(cx, -1, w, out=cx)
            np.multiply(sy[sel], k, out=cy)
            cy += y0[sel]
            np.floor(cy, out=cy)
            np.clip(cy, -1, h, out=cy)
            cy += 1
            cy *= fw
            cy += cx
            cy += 1  # framed pixel number of (floor x, floor y)
            framed[cy.astype(np.intp)] = True
            k += 1
    mask |= framed.reshape(h + 2, fw)[1:-1, 1:-1]
