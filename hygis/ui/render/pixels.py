"""Drawing straight into pixels on raster devices: scanline fills and 1-pixel strokes from numpy.

Small features (a million few-pixel polygons, short lines) are cheaper as pixels than as Qt
paths: :mod:`hygis.ui.render.scanfill` fills and strokes them into boolean masks, which are
blitted once per colour class.  Only for painters drawing unscaled into a QImage
(:func:`pixel_ratio` is not None); vector devices (SVG, PDF) get paths.
"""

from __future__ import annotations

import functools

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
    blit_masks(painter, fill_masks(painter, view, rings, ring_ids, ring_cls, splat), argb)


def fill_masks(painter, view, rings, ring_ids, ring_cls, splat: bool = False) -> list:
    """[(class, boolean device-pixel mask)] of the rings ``ring_ids`` per class (see :func:`fill`)."""
    return masks(device_view(painter, view)[0], rings, ring_ids, ring_cls, splat)


def masks(dview, rings, ring_ids, ring_cls, splat: bool = False) -> list:
    """:func:`fill_masks` for a view in device pixels (no painter: safe in a worker thread)."""
    uniq = present(ring_cls)
    out = []
    for k in uniq:
        px, py, starts = _pixels_of(rings, ring_ids if len(uniq) == 1 else ring_ids[ring_cls == k], dview)
        mask = scanfill.coverage(px, py, starts, dview.width, dview.height)
        if splat:
            scanfill.splat(mask, *scanfill.ring_means(px, py, starts))
        out.append((int(k), mask))
    return out


def blit_masks(painter, masks: list, argb) -> None:
    """Draw each (class, boolean mask) in the premultiplied colour ``argb[class]``: the mask's bytes
    as an 8-bit indexed image (no copy) whose colour table is (transparent, the colour), which Qt
    blends ~25× faster than building an ARGB array first; the same pixels."""
    dpr = pixel_ratio(painter) or 1.0
    for k, mask in masks:
        straight = _straight(int(argb[k]))
        if straight is None or mask.dtype != bool or not mask.flags.c_contiguous:
            blit(painter, np.where(mask, np.uint32(argb[k]), np.uint32(0)), dpr)
            continue
        h, w = mask.shape
        img = QImage(mask.view(np.uint8).data, w, h, w, QImage.Format.Format_Indexed8)
        img.setColorTable([0, straight])
        img.setDevicePixelRatio(dpr)
        painter.drawImage(QPointF(0, 0), img)


@functools.lru_cache(maxsize=256)
def _straight(argb: int) -> int | None:
    """The non-premultiplied colour that Qt premultiplies to exactly ``argb`` (colour tables hold
    straight colours), checked by Qt's own conversion; None when there is none."""
    a = argb >> 24
    if a == 0:
        return 0 if argb == 0 else None
    options = []
    for shift in (16, 8, 0):
        c0 = round(((argb >> shift) & 255) * 255 / a)
        options.append([c for c in (c0, c0 - 1, c0 + 1) if 0 <= c <= 255])
    candidates = np.array([(a << 24) | (r << 16) | (g << 8) | b for r in options[0] for g in options[1]
                           for b in options[2]], np.uint32)
    img = QImage(candidates.data, len(candidates), 1, 4 * len(candidates), QImage.Format.Format_ARGB32)
    converted = img.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    got = np.frombuffer(converted.constBits(), np.uint32, count=len(candidates))
    hit = np.flatnonzero(got == argb)
    return int(candidates[hit[0]]) if len(hit) else None


def box_pixels(painter, view, bbox: np.ndarray) -> np.ndarray:
    """(n, 4) int device-pixel boxes x0, y0, x1, y1 (inclusive, clipped to the image, one pixel of margin
    for outlines) of map-metre boxes ``bbox``; empty boxes (off the image) have x1 < x0."""
    view, _ = device_view(painter, view)
    x0, y0 = view.to_pixels(bbox[:, 0], bbox[:, 3])
    x1, y1 = view.to_pixels(bbox[:, 2], bbox[:, 1])
    box = np.empty((len(bbox), 4), np.int64)
    for col, (v, margin, last) in enumerate(((x0, -1, view.width - 1), (y0, -1, view.height - 1),
                                             (x1, 1, view.width - 1), (y1, 1, view.height - 1))):
        np.floor(v, out=v)
        v += margin
        np.nan_to_num(v, copy=False, nan=-1.0)
        np.clip(v, 0, last, out=v)
        box[:, col] = v
    return box


def hidden(boxes: np.ndarray, covered: np.ndarray, sat: np.ndarray | None = None) -> np.ndarray:
    """True for the boxes (from :func:`box_pixels`) whose every pixel is set in ``covered``: a
    summed-area table answers each box in O(1) (``sat``: an int32 (h + 1, w + 1) buffer to build
    it in, reused from one call to the next; its first row and column must be zero)."""
    h, w = covered.shape
    if sat is None:
        sat = np.zeros((h + 1, w + 1), np.int32)
    table = sat[1:, 1:]
    np.cumsum(covered, axis=1, dtype=np.int32, out=table)
    for y in range(1, h):  # down the rows one by one: ~5× faster than numpy's strided cumsum down axis 0
        np.add(table[y], table[y - 1], out=table[y])
    x0, y0, x1, y1 = boxes.T
    inside = sat[y1 + 1, x1 + 1] - sat[y0, x1 + 1] - sat[y1 + 1, x0] + sat[y0, x0]
    return inside == (x1 - x0 + 1) * (y1 - y0 + 1)


def stroke(painter, view, rings, ring_ids, ring_cls, argb) -> None:
    """1-pixel lines along the rings ``ring_ids`` (no antialiasing), one blit per colour class."""
    blit_masks(painter, stroke_masks(device_view(painter, view)[0], rings, ring_ids, ring_cls), argb)


def stroke_masks(dview, rings, ring_ids, ring_cls) -> list:
    """[(class, boolean device-pixel mask)] of 1-pixel lines along the rings ``ring_ids`` per class
    (no painter: safe in a worker thread)."""
    uniq = present(ring_cls)
    out = []
    for k in uniq:
        px, py, starts = _pixels_of(rings, ring_ids if len(uniq) == 1 else ring_ids[ring_cls == k], dview)
        mask = np.zeros((dview.height, dview.width), bool)
        scanfill.stroke(mask, px, py, starts)
        out.append((int(k), mask))
    return out
