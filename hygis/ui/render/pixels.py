"""Drawing straight into pixels on raster devices: scanline fills and 1-pixel strokes from numpy.

Small features (a million few-pixel polygons, short lines) are cheaper as pixels than as Qt
paths: :mod:`hygis.ui.render.scanfill` fills and strokes them into boolean masks, which are
blitted once per colour class.  Only for painters drawing unscaled into a QImage
(:func:`pixel_ratio` is not None); vector devices (SVG, PDF) get paths.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage

from hygis.ui.render import paths, scanfill


def present(codes: np.ndarray) -> np.ndarray:
    """The distinct class codes in ``codes`` (small non-negative ints), ascending: a bincount, no sort."""
    if len(codes) == 0:
        return np.zeros(0, np.int64)
    return np.flatnonzero(np.bincount(codes))


def pixel_ratio(painter) -> float | None:
    """The device pixel ratio when the painter draws unscaled into a QImage (pixels can then be
    blitted 1:1), else None (vector devices, scaled painters: paths)."""
    device = painter.device()
    t = painter.transform()
    if not isinstance(device, QImage) or t.isScaling() or t.isRotating():
        return None
    return float(device.devicePixelRatio() or 1.0)


def device_view(painter, view):
    """(the view in device pixels, device pixel ratio): HiDPI images have dpr × the view's pixels."""
    dpr = pixel_ratio(painter) or 1.0
    if dpr == 1.0:
        return view, 1.0
    return type(view)(view.cx, view.cy, view.res / dpr, round(view.width * dpr), round(view.height * dpr)), dpr


def blit(painter, buf: np.ndarray, dpr: float) -> None:
    """Draw a (h, w) premultiplied ARGB32 array over the painter's view at device resolution."""
    h, w = buf.shape
    img = QImage(buf.data, w, h, w * 4, QImage.Format.Format_ARGB32_Premultiplied)
    img.setDevicePixelRatio(dpr)
    painter.drawImage(QPointF(0, 0), img)


def _pixels_of(rings, ids, view):
    if len(ids) == len(rings.feature):
        return (*view.to_pixels(rings.x, rings.y), rings.starts)
    idx, starts = paths.gather(rings.starts, ids)
    return (*view.to_pixels(rings.x[idx], rings.y[idx]), starts)


def fill(painter, view, rings, ring_ids, ring_cls, argb, splat: bool = False) -> None:
    """Fill the rings ``ring_ids`` class by class (``ring_cls``: class per ring, ``argb``: premultiplied
    colour per class) with the scanline filler; with ``splat``, a feature covering no pixel centre
    still gets the pixel of its vertex mean."""
    view, dpr = device_view(painter, view)
    uniq = present(ring_cls)
    for k in uniq:
        px, py, starts = _pixels_of(rings, ring_ids if len(uniq) == 1 else ring_ids[ring_cls == k], view)
        mask = scanfill.coverage(px, py, starts, view.width, view.height)
        if splat:
            scanfill.splat(mask, *scanfill.ring_means(px, py, starts))
        blit(painter, np.where(mask, np.uint32(argb[k]), np.uint32(0)), dpr)


def stroke(painter, view, rings, ring_ids, ring_cls, argb) -> None:
    """1-pixel lines along the rings ``ring_ids`` (no antialiasing), one blit per colour class."""
    view, dpr = device_view(painter, view)
    uniq = present(ring_cls)
    for k in uniq:
        px, py, starts = _pixels_of(rings, ring_ids if len(uniq) == 1 else ring_ids[ring_cls == k], view)
        mask = np.zeros((view.height, view.width), bool)
        scanfill.stroke(mask, px, py, starts)
        blit(painter, np.where(mask, np.uint32(argb[k]), np.uint32(0)), dpr)
