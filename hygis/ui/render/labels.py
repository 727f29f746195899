"""Labels: collected while layers draw, then placed on top with halos and collision avoidance.

Point labels try eight positions around the marker (right, left, above, below, then the
diagonals) and are dropped when all collide; polygon/line labels are centred and dropped
on collision.  Text uses a font with Simplified Chinese glyphs (``hygis.ui.fonts``).

On raster devices (the canvas, PNG export) each label is drawn once into a small image
(halo + glyphs, cached per text, size and colour) and then blitted at a whole-pixel
position: stroking the halo of glyph outlines costs ~1 ms per label, a blit ~10 µs, and
a scenario switch redraws the same labels again and again.  SVG/PDF keep vector text.
"""

from __future__ import annotations

import math
import threading
from contextlib import contextmanager
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetricsF, QImage, QPainter, QPainterPath, QPen

from hygis.ui.render.painting import painting

HALO = QColor(255, 255, 255, 225)
HALO_WIDTH = 3.0
CELL = 64.0
_PAD = int(math.ceil(HALO_WIDTH / 2)) + 1  # room for the halo around the text box (pixels)
_IMAGES: dict[tuple, QImage] = {}
_IMAGES_LOCK = threading.Lock()
_IMAGES_MAX = 4000
#: Above this many placed labels on a raster device, they are painted in bulk (:func:`_paint_dense`).
DENSE_LABELS = 300
#: Readable on a projector: labels of slides, F5 and layouts are at least this many pixels
#: on a 1080-pixel-high output (scaled with the output's height).
MIN_PRESENTATION_PX_1080 = 14.0
_OUTPUT = threading.local()


@contextmanager
def label_scale(factor: float = 1.0, min_px: float = 0.0):
    """Within the block (this thread), labels are ``factor`` times their style size and at least
    ``min_px`` pixels: slides, the presentation and print layouts scale labels with the output."""
    old = getattr(_OUTPUT, "value", (1.0, 0.0))
    _OUTPUT.value = (float(factor), float(min_px))
    try:
        yield
    finally:
        _OUTPUT.value = old


def output_label_scale(height_px: float, user_factor: float = 1.0, reference: float = 1080.0):
    """``label_scale`` arguments for an output ``height_px`` high: labels grow with the height
    (× ``user_factor``, the presentation label-size setting) and are never below 14 px at 1080p."""
    k = height_px / reference
    return k * user_factor, MIN_PRESENTATION_PX_1080 * k * user_factor


def output_factor() -> float:
    """How many times larger than on screen the current output draws (the :func:`label_scale` factor;
    1.0 outside one): slides and F5 scale their scale bar and north arrow by it."""
    return getattr(_OUTPUT, "value", (1.0, 0.0))[0]


def label_px(size_pt: float) -> float:
    """Pixel size of a label of ``size_pt`` points under the current :func:`label_scale`."""
    factor, min_px = getattr(_OUTPUT, "value", (1.0, 0.0))
    return max(min_px, size_pt * 96 / 72 * factor)


def label_family() -> str:
    """A font family with Simplified Chinese glyphs, chosen through Qt's font database."""
    try:
        from hygis.ui.fonts import cjk_family

        return cjk_family()
    except ImportError:  # pragma: no cover - fonts module missing
        fams = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
        return fams[0] if fams else QFont().family()


@dataclass
class Label:
    text: str
    x: float
    y: float
    size: float
    color: str
    point: bool = False
    offset: float = 0.0


class _Grid:
    """Uniform grid of placed rectangles for fast overlap tests."""

    def __init__(self):
        self.cells: dict[tuple[int, int], list[QRectF]] = {}

    def _keys(self, r: QRectF):
        for i in range(int(r.left() // CELL), int(r.right() // CELL) + 1):
            for j in range(int(r.top() // CELL), int(r.bottom() // CELL) + 1):
                yield i, j

    def collides(self, r: QRectF) -> bool:
        return any(r.intersects(o) for k in self._keys(r) for o in self.cells.get(k, ()))

    def add(self, r: QRectF) -> None:
        for k in self._keys(r):
            self.cells.setdefault(k, []).append(r)


class LabelSet:
    """Labels of one map drawing; :meth:`draw` places and paints them."""

    def __init__(self):
        self.items: list[Label] = []

    def add(self, text: str, x: float, y: float, size: float, color: str, point: bool = False,
            offset: float = 0.0) -> None:
        self.items.append(Label(text, x, y, size, color, point, offset))

    def __len__(self) -> int:
        return len(self.items)

    def draw(self, painter, width: int, height: int) -> int:
        """Place and paint the labels; returns how many were drawn."""
        if not self.items:
            return 0
        family = label_family()
        fonts: dict[float, tuple[QFont, QFontMetricsF]] = {}
        grid = _Grid()
        view = QRectF(0, 0, width, height)
        blit = _raster_device(painter)
        placed = []
        for lab in sorted(self.items, key=lambda lb: not lb.point):  # points have priority
            if lab.size not in fonts:
                font = QFont(family)
                font.setPointSizeF(lab.size)
                font.setPixelSize(max(6, round(label_px(lab.size))))  # device-independent size
                fonts[lab.size] = (font, QFontMetricsF(font))
            font, fm = fonts[lab.size]
            w, h = fm.horizontalAdvance(lab.text), fm.height()
            rect = self._place(lab, w, h, grid, view)
            if rect is None:
                continue
            grid.add(rect)
            placed.append((lab, rect, font, fm))
        if blit and len(placed) > DENSE_LABELS:
            _paint_dense(painter, placed, width, height)
            return len(placed)
        for lab, rect, font, fm in placed:
            if blit:
                img = label_image(lab.text, font, fm, lab.color)
                painter.drawImage(QPointF(round(rect.left()) - _PAD, round(rect.top()) - _PAD), img)
            else:
                _paint_text(painter, rect.left(), rect.top() + fm.ascent(), font, lab.text, lab.color)
        return len(placed)

    @staticmethod
    def _place(lab: Label, w: float, h: float, grid: _Grid, view: QRectF) -> QRectF | None:
        x, y, o = lab.x, lab.y, lab.offset
        if lab.point:
            spots = [(x + o, y - h / 2), (x - o - w, y - h / 2), (x - w / 2, y - o - h), (x - w / 2, y + o),
                     (x + o * 0.7, y - o * 0.7 - h), (x - o * 0.7 - w, y - o * 0.7 - h),
                     (x + o * 0.7, y + o * 0.7), (x - o * 0.7 - w, y + o * 0.7)]
        else:
            spots = [(x - w / 2, y - h / 2)]
        for sx, sy in spots:
            rect = QRectF(sx, sy, w, h)
            if view.contains(rect) and not grid.collides(rect):
                return rect
        return None


def _paint_dense(painter, placed, width: int, height: int) -> None:
    """Many labels at once: the texts drawn into one mask, its alpha dilated by a pixel for the
    halo (numpy), the halo blitted once, then each text drawn plain — ~10 µs a label instead of
    stroking every label's glyph outlines (~0.3 ms)."""
    import numpy as np

    mask = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    mask.fill(0)
    with painting(mask) as p:
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        p.setPen(QColor(0, 0, 0))
        for lab, rect, font, fm in placed:
            p.setFont(font)
            p.drawText(QPointF(round(rect.left()), round(rect.top()) + fm.ascent()), lab.text)
    alpha = np.frombuffer(mask.constBits(), np.uint32, width * height).reshape(height, width) >> 24
    halo = alpha.copy()
    # max over the 3×3 neighbourhood (rows, then columns): a halo of HALO_WIDTH / 2 around the glyphs
    np.maximum(halo[1:], alpha[:-1], out=halo[1:])
    np.maximum(halo[:-1], alpha[1:], out=halo[:-1])
    rows = halo.copy()
    np.maximum(halo[:, 1:], rows[:, :-1], out=halo[:, 1:])
    np.maximum(halo[:, :-1], rows[:, 1:], out=halo[:, :-1])
    a = (halo * HALO.alpha() // 255).astype(np.uint32)
    buf = (a << 24) | ((a * HALO.red() // 255) << 16) | ((a * HALO.green() // 255) << 8) | (a * HALO.blue() // 255)
    img = QImage(buf.data, width, height, width * 4, QImage.Format.Format_ARGB32_Premultiplied)
    painter.drawImage(QPointF(0, 0), img)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    for lab, rect, font, fm in placed:
        painter.setFont(font)
        painter.setPen(QColor(lab.color))
        painter.drawText(QPointF(round(rect.left()), round(rect.top()) + fm.ascent()), lab.text)
    painter.restore()


def _halo_pen() -> QPen:
    return QPen(HALO, HALO_WIDTH, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)


def _paint_text(painter, x: float, baseline: float, font: QFont, text: str, color: str) -> None:
    """Text with a white halo as vector outlines, left end of the baseline at (x, baseline) pixels."""
    path = QPainterPath()
    path.addText(x, baseline, font, text)
    painter.strokePath(path, _halo_pen())
    painter.fillPath(path, QColor(color))


def _raster_device(painter) -> bool:
    """True when blitting label images gives the same pixels as drawing outlines (QImage, no scaling)."""
    device = painter.device()
    return (isinstance(device, QImage) and device.devicePixelRatio() == 1.0
            and not painter.transform().isScaling() and not painter.transform().isRotating())


def label_image(text: str, font: QFont, fm: QFontMetricsF, color: str) -> QImage:
    """The label (halo + text) drawn once into a transparent image; its text box starts at (_PAD, _PAD)."""
    key = (text, font.family(), font.pixelSize(), color)
    with _IMAGES_LOCK:
        img = _IMAGES.get(key)
    if img is not None:
        return img
    w = int(math.ceil(fm.horizontalAdvance(text))) + 2 * _PAD + 1
    h = int(math.ceil(fm.height())) + 2 * _PAD + 1
    img = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(0)
    with painting(img, antialias=True) as p:
        _paint_text(p, _PAD, _PAD + fm.ascent(), font, text, color)
    with _IMAGES_LOCK:
        if len(_IMAGES) >= _IMAGES_MAX:
            _IMAGES.clear()
        _IMAGES[key] = img
    return img
