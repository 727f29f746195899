"""Bulk numpy → Qt primitives: QPainterPath from ragged rings, pixel splats into a QImage.

The path is built through QPainterPath's binary QDataStream format (the technique of
``pyqtgraph.functions.arrayToQPath``), so a million-vertex path costs one memcpy-like
pass instead of a Python loop.
"""

from __future__ import annotations

import struct

import numpy as np
from PySide6.QtCore import QByteArray, QDataStream, QRectF
from PySide6.QtGui import QImage, QPainterPath

_VERTEX = np.dtype([("c", ">i4"), ("x", ">f8"), ("y", ">f8")])


def rings_path(px: np.ndarray, py: np.ndarray, starts: np.ndarray, winding: bool = True) -> QPainterPath:
    """One QPainterPath with a subpath per ring (pixel coordinates).

    Parameters
    ----------
    px, py : ndarray (M,)
        Vertex coordinates in pixels.
    starts : ndarray (R + 1,)
        Offsets of each ring into px/py.
    winding : bool
        Nonzero fill rule (rings must be oriented: holes opposite to shells).
    """
    n = len(px)
    path = QPainterPath()
    if n == 0:
        return path
    arr = np.empty(n, dtype=_VERTEX)
    arr["x"] = px
    arr["y"] = py
    arr["c"] = 1
    first = starts[:-1][np.diff(starts) > 0]
    arr["c"][first] = 0  # moveTo at the start of every ring
    data = struct.pack(">i", n) + arr.tobytes() + struct.pack(">ii", 0, 1 if winding else 0)
    ds = QDataStream(QByteArray(data))
    ds >> path
    return path


def gather(starts: np.ndarray, ring_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coordinate indices of the rings ``ring_ids`` (concatenated) and their new offsets."""
    ring_ids = np.asarray(ring_ids, np.int64)
    lens = starts[ring_ids + 1] - starts[ring_ids]
    new_starts = np.zeros(len(ring_ids) + 1, np.int64)
    np.cumsum(lens, out=new_starts[1:])
    idx = np.arange(new_starts[-1], dtype=np.int64) - np.repeat(new_starts[:-1] - starts[ring_ids], lens)
    return idx, new_starts


def outcodes(px: np.ndarray, py: np.ndarray, width: float, height: float, margin: float = 8.0) -> np.ndarray:
    """Cohen–Sutherland region code of each vertex (0 inside the margin-expanded view)."""
    return ((px < -margin).astype(np.int8) | ((px > width + margin).astype(np.int8) << 1)
            | ((py < -margin).astype(np.int8) << 2) | ((py > height + margin).astype(np.int8) << 3))


def decimate(px: np.ndarray, py: np.ndarray, starts: np.ndarray, step: float = 0.5, size=None):
    """Level of detail: drop vertices in the same ``step``-pixel cell as the previous one, and
    (with ``size`` = (width, height)) vertices whose neighbours lie in the same outside region.

    A dropped off-screen vertex's replacement edge stays inside that convex outside region, so
    what is visible does not change.  Ring first and last vertices are always kept.
    Returns (px, py, starts).
    """
    n = len(px)
    if n == 0:
        return px, py, starts
    qx = np.floor(px / step)
    qy = np.floor(py / step)
    keep = np.ones(n, bool)
    keep[1:] = (qx[1:] != qx[:-1]) | (qy[1:] != qy[:-1])
    if size is not None and n > 2:
        code = outcodes(px, py, size[0], size[1])
        same = (code[1:-1] != 0) & (code[1:-1] == code[:-2]) & (code[1:-1] == code[2:])
        keep[1:-1] &= ~same
    lengths = np.diff(starts)
    nonempty = lengths > 0
    keep[starts[:-1][nonempty]] = True
    keep[starts[1:][nonempty] - 1] = True
    if keep.all():
        return px, py, starts
    ring_of = np.repeat(np.arange(len(lengths)), lengths)
    counts = np.bincount(ring_of[keep], minlength=len(lengths))
    new_starts = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(counts, out=new_starts[1:])
    return px[keep], py[keep], new_starts


def splat_image(px: np.ndarray, py: np.ndarray, argb: np.ndarray, width: int, height: int,
                block: int = 1) -> QImage | None:
    """A premultiplied ARGB32 image with a ``block``×``block`` pixel square per point, later points on top.

    ``argb`` holds one premultiplied 0xAARRGGBB uint32 per point.  Returns None when nothing lands.
    """
    lo = -(block // 2)
    offsets = range(lo, lo + block)
    ix = np.floor(px).astype(np.int64)
    iy = np.floor(py).astype(np.int64)
    inside = (ix >= -block) & (ix < width + block) & (iy >= -block) & (iy < height + block)
    if not inside.any():
        return None
    ix, iy, argb = ix[inside], iy[inside], argb[inside]
    buf = np.zeros((height, width), np.uint32)
    for dy in offsets:
        for dx in offsets:
            x, y = ix + dx, iy + dy
            ok = (x >= 0) & (x < width) & (y >= 0) & (y < height)
            buf[y[ok], x[ok]] = argb[ok]
    img = QImage(buf.data, width, height, width * 4, QImage.Format.Format_ARGB32_Premultiplied)
    return img.copy()  # own the pixels: ``buf`` dies with this frame


def premultiplied(rgba: np.ndarray) -> np.ndarray:
    """(K, 4) uint8-ish RGBA rows → premultiplied 0xAARRGGBB uint32."""
    rgba = np.asarray(rgba, float)
    a = rgba[:, 3] / 255.0
    r, g, b = (np.round(rgba[:, i] * a).astype(np.uint32) for i in range(3))
    return (rgba[:, 3].astype(np.uint32) << 24) | (r << 16) | (g << 8) | b


def full_rect(width: int, height: int) -> QRectF:
    return QRectF(0, 0, width, height)
