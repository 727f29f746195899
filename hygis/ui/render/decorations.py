"""Map furniture drawn on top of the map: legend, scale bar, north arrow and title.

Drawn in the pixel space of the map rectangle, identically on the canvas and in
exported images (PNG/SVG/PDF) and slides.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QLinearGradient, QPainterPath, QPen, QPolygonF

from hygis.layers.style import class_colors, class_symbol, has_illustrative, parse_color, ramp_colors
from hygis.ui.i18n import value_label
from hygis.ui.render import symbols
from hygis.ui.render.labels import label_family, output_factor

MARGIN = 12.0
BOX = QColor(255, 255, 255, 225)
INK = QColor("#222222")
MAX_CLASS_ROWS = 8


def _font(px: float, bold: bool = False) -> QFont:
    font = QFont(label_family())
    font.setPixelSize(max(6, round(px)))
    font.setBold(bold)
    # no OpenType shaping (CJK and Latin need none here): shaped digits next to Latin letters
    # ("5 km") lost their Unicode in Qt's PDFs, so the exported text could not be found or copied
    font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
    return font


_FAMILY: dict[str, tuple[int, str]] = {}


def layer_family(layer) -> str:
    """The layer's geometry family, cached per data frame (legend repaints must stay cheap)."""
    key = layer.data_token if hasattr(layer, "data_token") else id(layer.data)
    hit = _FAMILY.get(layer.id)
    if hit is None or hit[0] != key:
        hit = _FAMILY[layer.id] = (key, layer.geometry_type)
    return hit[1]


def legend_key(layers, rect: QRectF) -> tuple:
    """What the legend depends on (to cache its image between frames)."""
    return (rect.width(), rect.height()) + tuple(
        (lyr.id, lyr.name, lyr.visible, id(lyr.style), _data_key(lyr)) for lyr in layers)


def _data_key(layer):
    return layer.data_token if hasattr(layer, "data_token") else id(getattr(layer, "data", None))


def paint_decorations(painter, rect: QRectF, view, layers, *, legend=True, scalebar=True, north_arrow=True,
                      title=None, dpi: float = 96.0) -> None:
    """Draw the enabled decorations inside ``rect`` (pixels of a map drawn for ``view``).

    Under :func:`~hygis.ui.render.labels.label_scale` (slides, F5) they grow with the output like
    the labels: drawn for a ``rect`` k times smaller, then scaled k times (the 1:N text is unchanged)."""
    painter.save()
    painter.setRenderHint(painter.RenderHint.Antialiasing)
    k = output_factor()
    if k > 0 and abs(k - 1.0) > 1e-6:
        painter.translate(rect.topLeft())
        painter.scale(k, k)
        rect = QRectF(0, 0, rect.width() / k, rect.height() / k)
        view = _ScaledView(view.res * k)
        dpi = dpi / k
    if title:
        paint_title(painter, rect, title)
    if north_arrow:
        paint_north_arrow(painter, rect)
    if scalebar:
        paint_scalebar(painter, rect, view.res, dpi)
    if legend:
        paint_legend(painter, rect, layers)
    painter.restore()


class _ScaledView:
    """The only part of a view the decorations read: metres per (scaled) pixel."""

    def __init__(self, res: float):
        self.res = res


def paint_title(painter, rect: QRectF, title: str) -> None:
    font = _font(20, bold=True)
    fm = QFontMetricsF(font)
    w = fm.horizontalAdvance(title) + 24
    box = QRectF(rect.center().x() - w / 2, rect.top() + MARGIN, w, fm.height() + 12)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(BOX)
    painter.drawRoundedRect(box, 4, 4)
    painter.setFont(font)
    painter.setPen(INK)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, title)


def paint_north_arrow(painter, rect: QRectF, size: float = 34.0) -> None:
    """A north arrow in the top-right corner (grid north of the canvas projection)."""
    cx, top = rect.right() - MARGIN - size / 2, rect.top() + MARGIN
    tip, base = QPointF(cx, top + 14), QPointF(cx, top + 14 + size * 0.7)
    left, right = QPointF(cx - size * 0.32, top + 14 + size), QPointF(cx + size * 0.32, top + 14 + size)
    painter.setPen(QPen(INK, 1.2))
    painter.setBrush(INK)
    painter.drawPolygon(QPolygonF([tip, base, left]))
    painter.setBrush(QColor("white"))
    painter.drawPolygon(QPolygonF([tip, right, base]))
    font = _font(13, bold=True)
    painter.setFont(font)
    painter.drawText(QRectF(cx - 10, top - 4, 20, 18), Qt.AlignmentFlag.AlignCenter, "N")


def nice_length(max_m: float) -> float:
    """The largest 1/2/5×10^k metres not above ``max_m``."""
    if max_m <= 0:
        return 1.0
    k = 10 ** math.floor(math.log10(max_m))
    return next(m * k for m in (5, 2, 1) if m * k <= max_m)


def paint_scalebar(painter, rect: QRectF, res: float, dpi: float = 96.0) -> None:
    """A four-segment scale bar (bottom left) for ``res`` metres per pixel, with the 1:N scale."""
    length_m = nice_length(min(rect.width() / 5, 220) * res)
    w = length_m / res
    x0, y0 = rect.left() + MARGIN + 8, rect.bottom() - MARGIN - 14
    font = _font(11)
    fm = QFontMetricsF(font)
    unit = f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"
    scale = f"1:{res / (0.0254 / dpi):,.0f}"
    box = QRectF(x0 - 8, y0 - fm.height() - 10, w + fm.horizontalAdvance(unit) / 2 + 24, fm.height() * 2 + 22)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(BOX)
    painter.drawRoundedRect(box, 3, 3)
    painter.setPen(QPen(INK, 1))
    for i in range(4):
        painter.setBrush(INK if i % 2 == 0 else QColor("white"))
        painter.drawRect(QRectF(x0 + i * w / 4, y0, w / 4, 5))
    painter.setFont(font)
    painter.drawText(QPointF(x0 - fm.horizontalAdvance("0") / 2, y0 - 4), "0")
    painter.drawText(QPointF(x0 + w - fm.horizontalAdvance(unit) / 2, y0 - 4), unit)
    painter.drawText(QPointF(x0, y0 + 6 + fm.ascent()), scale)


def _legend_rows(layers) -> list[tuple[str, object, str]]:
    """(kind, layer, text) rows: 'layer' headers and 'class' rows (text, colour) per visible layer."""
    rows = []
    for layer in reversed(list(layers)):
        if not layer.visible or str(layer.id).startswith("basemap-"):
            continue
        if layer.kind == "raster":
            rows.append(("raster", layer, layer.name))
            continue
        style = layer.style
        illustrative = has_illustrative(layer)
        if style.mode == "single" and not illustrative:
            rows.append(("single", layer, layer.name))
            continue
        rows.append(("layer", layer, layer.name))
        classes = class_colors(style)
        labels = value_label if style.mode == "categorized" else str
        if style.mode == "single":
            classes = [("", style.fill)]
        for label, color in classes[:MAX_CLASS_ROWS]:
            rows.append(("class", layer, (labels(label) or layer.name, color)))
        if len(classes) > MAX_CLASS_ROWS:
            rows.append(("more", layer, f"… +{len(classes) - MAX_CLASS_ROWS}"))
        if illustrative:  # 示意: drawn dashed and hatched
            rows.append(("illustrative", layer, (value_label("illustrative"), classes[0][1] if classes else None)))
    return rows


def fitting_rows(rows, max_rows: int) -> int:
    """How many legend rows to draw when ``max_rows`` fit: all, or (leaving one for "…") as many as
    fit without ending on a layer's title whose classes were cut."""
    if len(rows) <= max_rows:
        return len(rows)
    keep = max(max_rows - 1, 0)
    while keep > 1 and rows[keep - 1][0] == "layer":
        keep -= 1
    return keep


def paint_legend(painter, rect: QRectF, layers) -> None:
    """A legend box in the bottom-right corner listing visible layers and their classes."""
    rows = _legend_rows(layers)
    if not rows:
        return
    font, bold = _font(12), _font(12, bold=True)
    fm, fmb = QFontMetricsF(font), QFontMetricsF(bold)
    row_h, sym_w = max(fm.height(), 16) + 3, 22
    texts = [r[2][0] if r[0] in ("class", "illustrative") else r[2] for r in rows]
    widths = [fmb.horizontalAdvance(t) if r[0] == "layer" else fm.horizontalAdvance(t) + sym_w + 6
              + (12 if r[0] in ("class", "illustrative") else 0) for r, t in zip(rows, texts)]
    max_rows = max(1, int((rect.height() * 0.6 - 16) // row_h))
    keep = fitting_rows(rows, max_rows)
    if keep < len(rows):  # cut: "…" says more exist
        rows, texts, widths = rows[:keep] + [("more", None, "…")], texts[:keep] + ["…"], widths[:keep] + [0.0]
    w, h = min(max(widths) + 20, rect.width() * 0.4), len(rows) * row_h + 12
    box = QRectF(rect.right() - MARGIN - w, rect.bottom() - MARGIN - h, w, h)
    painter.setPen(QPen(QColor("#9a9a9a"), 0.8))
    painter.setBrush(BOX)
    painter.drawRoundedRect(box, 3, 3)
    y = box.top() + 6
    for (kind, layer, payload), text in zip(rows, texts):
        x = box.left() + 10 + (12 if kind in ("class", "illustrative") else 0)
        if kind != "layer" and kind != "more":
            color = payload[1] if kind in ("class", "illustrative") else None
            _legend_symbol(painter, QRectF(x, y + 2, sym_w, row_h - 6), layer, color, kind == "illustrative")
            x += sym_w + 6
        painter.setFont(bold if kind == "layer" else font)
        painter.setPen(INK)
        painter.drawText(QRectF(x, y, box.right() - x - 4, row_h), Qt.AlignmentFlag.AlignVCenter, text)
        y += row_h


def _legend_symbol(painter, r: QRectF, layer, color, illustrative: bool = False) -> None:
    painter.save()
    if layer.kind == "raster":
        grad = QLinearGradient(r.topLeft(), r.topRight())
        cols = ramp_colors(layer.style.ramp, 5)
        for i, c in enumerate(cols):
            grad.setColorAt(i / 4, QColor(*parse_color(c)))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(grad)
        painter.drawRect(r)
        painter.restore()
        return
    style = layer.style
    family = layer_family(layer)
    dash, hatch_name = class_symbol(style, illustrative)
    if family == "line":
        painter.setPen(symbols.pen(color or style.stroke, min(max(style.width, 1.0), 5.0), dash))
        painter.drawLine(QLineF(r.left(), r.center().y(), r.right(), r.center().y()))
    elif family == "point":
        pen, brush = symbols.marker_symbol(color or style.fill, style.stroke, illustrative)
        painter.setPen(pen)
        painter.setBrush(brush)
        path: QPainterPath = symbols.marker_path(style.marker, min(style.size, r.height()))
        painter.drawPath(path.translated(r.center()))
    else:
        fill = style.fill if style.stroke_by_class else (color or style.fill)
        stroke = (color or style.stroke) if style.stroke_by_class else style.stroke
        painter.setPen(symbols.pen(stroke, min(style.width, 3.0), dash))
        painter.setBrush(symbols.brush(fill))
        painter.drawRect(r)
        hatch = symbols.hatch_brush(style.stroke, hatch_name)
        if hatch is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(hatch)
            painter.drawRect(r)
    painter.restore()
