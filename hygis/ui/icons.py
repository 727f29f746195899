"""Layer-kind icons drawn with QPainter (no image files to ship or lose).

corridor: orange band · ftz: blue hatched square · coastline: green line ·
enclave: red dot · heritage: brown diamond · vector: grey polygon · raster: colour grid.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPen, QPixmap, QPolygonF


def _corridor(p: QPainter, s: float) -> None:
    p.setPen(QPen(QColor("#d2691e"), s * 0.06))
    p.setBrush(QColor(255, 140, 0, 190))
    band = QPolygonF([QPointF(s * .05, s * .70), QPointF(s * .65, s * .08), QPointF(s * .95, s * .30),
                      QPointF(s * .35, s * .92)])
    p.drawPolygon(band)


def _ftz(p: QPainter, s: float) -> None:
    rect = QRectF(s * .12, s * .12, s * .76, s * .76)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(31, 111, 208, 70))
    p.drawRect(rect)
    p.setBrush(QBrush(QColor("#1f4fa0"), Qt.BrushStyle.BDiagPattern))
    p.drawRect(rect)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(QPen(QColor("#1f4fa0"), s * .08))
    p.drawRect(rect)


def _coastline(p: QPainter, s: float) -> None:
    pen = QPen(QColor("#1b7837"), s * .16)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    pts = [QPointF(s * .1, s * .8), QPointF(s * .35, s * .45), QPointF(s * .6, s * .6), QPointF(s * .9, s * .15)]
    p.drawPolyline(QPolygonF(pts))


def _enclave(p: QPainter, s: float) -> None:
    p.setPen(QPen(QColor("white"), s * .08))
    p.setBrush(QColor("#d7301f"))
    p.drawEllipse(QRectF(s * .18, s * .18, s * .64, s * .64))


def _heritage(p: QPainter, s: float) -> None:
    p.setPen(QPen(QColor("white"), s * .06))
    p.setBrush(QColor("#8b5a2b"))
    p.drawPolygon(QPolygonF([QPointF(s * .5, s * .06), QPointF(s * .94, s * .5), QPointF(s * .5, s * .94),
                             QPointF(s * .06, s * .5)]))


def _vector(p: QPainter, s: float) -> None:
    p.setPen(QPen(QColor("#35627a"), s * .07))
    p.setBrush(QColor(106, 159, 181, 150))
    p.drawPolygon(QPolygonF([QPointF(s * .1, s * .3), QPointF(s * .55, s * .1), QPointF(s * .9, s * .45),
                             QPointF(s * .65, s * .9), QPointF(s * .2, s * .8)]))


def _raster(p: QPainter, s: float) -> None:
    colours = ["#333399", "#0099cc", "#33cc66", "#cccc66", "#996633", "#33cc66", "#0099cc", "#cccc66", "#996633"]
    cell = s * .84 / 3
    for i, c in enumerate(colours):
        p.fillRect(QRectF(s * .08 + (i % 3) * cell, s * .08 + (i // 3) * cell, cell, cell), QColor(c))


def _transport(p: QPainter, s: float) -> None:
    pen = QPen(QColor("#7b3294"), s * .14)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    p.drawLine(QPointF(s * .1, s * .8), QPointF(s * .9, s * .2))
    p.setPen(QPen(QColor("#7b3294"), s * .06))
    for t in (0.3, 0.5, 0.7):  # sleepers
        x, y = s * (.1 + .8 * t), s * (.8 - .6 * t)
        p.drawLine(QPointF(x - s * .09, y - s * .12), QPointF(x + s * .09, y + s * .12))


def _hub(p: QPainter, s: float) -> None:
    p.setPen(QPen(QColor("white"), s * .06))
    p.setBrush(QColor("#08519c"))
    p.drawRect(QRectF(s * .2, s * .2, s * .6, s * .6))


def _platform(p: QPainter, s: float) -> None:
    from hygis.ui.render.symbols import marker_path

    p.setPen(QPen(QColor("white"), s * .04))
    p.setBrush(QColor("#c51b7d"))
    p.drawPath(marker_path("star", s * .9).translated(s / 2, s / 2))


def _newarea(p: QPainter, s: float) -> None:
    p.setPen(QPen(QColor("#4d9221"), s * .07))
    p.setBrush(QColor(127, 188, 65, 140))
    p.drawRoundedRect(QRectF(s * .1, s * .2, s * .8, s * .6), s * .15, s * .15)


_PAINTERS = {"corridor": _corridor, "ftz": _ftz, "coastline": _coastline, "enclave": _enclave,
             "heritage": _heritage, "transport": _transport, "hub": _hub, "platform": _platform,
             "newarea": _newarea, "vector": _vector, "raster": _raster}


def kind_pixmap(kind: str, size: int = 32) -> QPixmap:
    """A ``size``×``size`` transparent pixmap with the icon of layer kind ``kind``."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    _PAINTERS.get(kind, _vector)(painter, float(size))
    painter.end()
    return pix


@lru_cache(maxsize=None)
def kind_icon(kind: str) -> QIcon:
    """The icon of a layer kind (16, 24 and 32 px renderings)."""
    icon = QIcon()
    for size in (16, 24, 32):
        icon.addPixmap(kind_pixmap(kind, size))
    return icon


def swatch_pixmap(fill: str, stroke: str | None = None, size: int = 16, shape: str = "rect",
                  illustrative: bool = False) -> QPixmap:
    """A legend swatch: a filled rectangle (``shape='rect'``), a line or a dot of a '#rrggbb[aa]' colour;
    ``illustrative`` draws it the way the map draws 示意 features (dashed, hatched, pale)."""
    fill_c, stroke_c = qcolor(fill), qcolor(stroke or "#555555")  # a bad colour raises before painting
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    try:  # never leave the pixmap being painted when it is freed (that crashes)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        dash = Qt.PenStyle.DashLine if illustrative else Qt.PenStyle.SolidLine
        if shape == "line":
            painter.setPen(QPen(fill_c, max(2.0, size * .2) * (0.7 if illustrative else 1), dash))
            painter.drawLine(QPointF(1, size * .7), QPointF(size - 1, size * .3))
        elif shape == "point":
            painter.setPen(QPen(fill_c if illustrative else stroke_c, 1.3 if illustrative else 1, dash))
            painter.setBrush(QColor(fill_c.red(), fill_c.green(), fill_c.blue(), 90) if illustrative else fill_c)
            painter.drawEllipse(QRectF(size * .2, size * .2, size * .6, size * .6))
        else:
            painter.setPen(QPen(stroke_c, 1, dash))
            painter.setBrush(fill_c)
            painter.drawRect(QRectF(1.5, 2.5, size - 3, size - 5))
            if illustrative:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QBrush(stroke_c, Qt.BrushStyle.BDiagPattern))
                painter.drawRect(QRectF(1.5, 2.5, size - 3, size - 5))
    finally:
        painter.end()
    return pix


def qcolor(value: str) -> QColor:
    """QColor of a '#rrggbb' or '#rrggbbaa' string (Qt reads 8 hex digits as #aarrggbb)."""
    from hygis.layers.style import parse_color

    r, g, b, a = parse_color(value)
    return QColor(r, g, b, a)


# -- toolbar icons -------------------------------------------------------------------------------
def _magnifier(p: QPainter, s: float, sign: str) -> None:
    p.setPen(QPen(QColor("#30475e"), s * .09))
    p.setBrush(QColor(255, 255, 255, 200))
    p.drawEllipse(QRectF(s * .12, s * .12, s * .55, s * .55))
    p.drawLine(QPointF(s * .6, s * .6), QPointF(s * .9, s * .9))
    p.setPen(QPen(QColor("#30475e"), s * .07))
    p.drawLine(QPointF(s * .27, s * .395), QPointF(s * .52, s * .395))
    if sign == "+":
        p.drawLine(QPointF(s * .395, s * .27), QPointF(s * .395, s * .52))


def _tool_full(p: QPainter, s: float) -> None:
    p.setPen(QPen(QColor("#30475e"), s * .08))
    for x0, y0, dx, dy in ((.1, .1, 1, 1), (.9, .1, -1, 1), (.1, .9, 1, -1), (.9, .9, -1, -1)):
        p.drawLine(QPointF(s * x0, s * y0), QPointF(s * (x0 + .25 * dx), s * y0))
        p.drawLine(QPointF(s * x0, s * y0), QPointF(s * x0, s * (y0 + .25 * dy)))
    _vector_small(p, s)


def _vector_small(p: QPainter, s: float) -> None:
    p.setPen(QPen(QColor("#35627a"), s * .05))
    p.setBrush(QColor(106, 159, 181, 160))
    p.drawPolygon(QPolygonF([QPointF(s * .3, s * .4), QPointF(s * .55, s * .28), QPointF(s * .72, s * .5),
                             QPointF(s * .55, s * .72), QPointF(s * .32, s * .64)]))


def _tool_layer(p: QPainter, s: float) -> None:
    _magnifier(p, s, "")
    _vector_small(p, s * .9)


def _tool_pan(p: QPainter, s: float) -> None:
    p.setPen(QPen(QColor("#30475e"), s * .08))
    c = s * .5
    p.drawLine(QPointF(c, s * .08), QPointF(c, s * .92))
    p.drawLine(QPointF(s * .08, c), QPointF(s * .92, c))
    p.setBrush(QColor("#30475e"))
    for tip, a, b in (((c, s * .05), (c - s * .12, s * .2), (c + s * .12, s * .2)),
                      ((c, s * .95), (c - s * .12, s * .8), (c + s * .12, s * .8)),
                      ((s * .05, c), (s * .2, c - s * .12), (s * .2, c + s * .12)),
                      ((s * .95, c), (s * .8, c - s * .12), (s * .8, c + s * .12))):
        p.drawPolygon(QPolygonF([QPointF(*tip), QPointF(*a), QPointF(*b)]))


def _tool_zoom_rect(p: QPainter, s: float) -> None:
    pen = QPen(QColor("#30475e"), s * .07)
    pen.setStyle(Qt.PenStyle.DashLine)
    p.setPen(pen)
    p.drawRect(QRectF(s * .1, s * .15, s * .8, s * .6))
    _magnifier(p, s * .6, "+")


def _tool_identify(p: QPainter, s: float) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#1f6fd0"))
    p.drawEllipse(QRectF(s * .08, s * .08, s * .84, s * .84))
    p.setBrush(QColor("white"))
    p.drawEllipse(QRectF(s * .44, s * .2, s * .12, s * .12))
    p.drawRect(QRectF(s * .44, s * .4, s * .12, s * .38))


def _tool_distance(p: QPainter, s: float) -> None:
    p.setPen(QPen(QColor("#30475e"), s * .06))
    p.setBrush(QColor("#f4d35e"))
    p.drawPolygon(QPolygonF([QPointF(s * .05, s * .7), QPointF(s * .7, s * .05), QPointF(s * .95, s * .3),
                             QPointF(s * .3, s * .95)]))
    for i in range(1, 6):
        t = i / 6
        x0, y0 = s * (.05 + .65 * t), s * (.7 - .65 * t)
        p.drawLine(QPointF(x0, y0), QPointF(x0 + s * (.1 if i % 2 else .18), y0 + s * (.1 if i % 2 else .18)))


def _tool_area(p: QPainter, s: float) -> None:
    p.setPen(QPen(QColor("#30475e"), s * .06))
    p.setBrush(QColor(244, 211, 94, 170))
    pts = [QPointF(s * .1, s * .3), QPointF(s * .6, s * .1), QPointF(s * .9, s * .55), QPointF(s * .45, s * .9)]
    p.drawPolygon(QPolygonF(pts))
    p.setBrush(QColor("#30475e"))
    for pt in pts:
        p.drawEllipse(pt, s * .06, s * .06)


def _pencil(p: QPainter, s: float) -> None:
    """Edit mode: a pencil."""
    p.setPen(QPen(QColor("#30475e"), s * .05))
    p.setBrush(QColor("#f4a259"))
    p.drawPolygon(QPolygonF([QPointF(s * .15, s * .7), QPointF(s * .65, s * .2), QPointF(s * .8, s * .35),
                             QPointF(s * .3, s * .85)]))
    p.setBrush(QColor("#30475e"))
    p.drawPolygon(QPolygonF([QPointF(s * .15, s * .7), QPointF(s * .3, s * .85), QPointF(s * .08, s * .92)]))


def _add_feature(p: QPainter, s: float) -> None:
    _tool_area(p, s * .8)
    p.setPen(QPen(QColor("#2e7d32"), s * .12))
    p.drawLine(QPointF(s * .75, s * .5), QPointF(s * .75, s * .95))
    p.drawLine(QPointF(s * .52, s * .72), QPointF(s * .98, s * .72))


def _select(p: QPainter, s: float) -> None:
    p.setPen(QPen(QColor("#30475e"), s * .05))
    p.setBrush(QColor("#ffd400"))
    p.drawPolygon(QPolygonF([QPointF(s * .2, s * .08), QPointF(s * .2, s * .85), QPointF(s * .4, s * .65),
                             QPointF(s * .55, s * .95), QPointF(s * .68, s * .88), QPointF(s * .53, s * .6),
                             QPointF(s * .8, s * .6)]))


def _move(p: QPainter, s: float) -> None:
    _tool_pan(p, s)
    p.setBrush(QColor("#f4a259"))
    p.drawRect(QRectF(s * .32, s * .32, s * .36, s * .36))


def _vertex(p: QPainter, s: float) -> None:
    p.setPen(QPen(QColor("#30475e"), s * .07))
    pts = [QPointF(s * .1, s * .8), QPointF(s * .45, s * .2), QPointF(s * .9, s * .6)]
    p.drawPolyline(QPolygonF(pts))
    p.setBrush(QColor("#e63946"))
    for pt in pts:
        p.drawRect(QRectF(pt.x() - s * .09, pt.y() - s * .09, s * .18, s * .18))


def _delete(p: QPainter, s: float) -> None:
    p.setPen(QPen(QColor("#b00020"), s * .14, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawLine(QPointF(s * .2, s * .2), QPointF(s * .8, s * .8))
    p.drawLine(QPointF(s * .8, s * .2), QPointF(s * .2, s * .8))


def _table(p: QPainter, s: float) -> None:
    p.setPen(QPen(QColor("#30475e"), s * .05))
    p.setBrush(QColor("white"))
    p.drawRect(QRectF(s * .08, s * .15, s * .84, s * .7))
    p.fillRect(QRectF(s * .08, s * .15, s * .84, s * .17), QColor("#30475e"))
    for i in (1, 2):
        p.drawLine(QPointF(s * .08, s * (.32 + .18 * i)), QPointF(s * .92, s * (.32 + .18 * i)))
    p.drawLine(QPointF(s * .4, s * .15), QPointF(s * .4, s * .85))


def _magnet(p: QPainter, s: float) -> None:
    p.setPen(QPen(QColor("#c62828"), s * .16, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawArc(QRectF(s * .2, s * .25, s * .6, s * .6), 180 * 16, 180 * 16)
    p.drawLine(QPointF(s * .2, s * .55), QPointF(s * .2, s * .2))
    p.drawLine(QPointF(s * .8, s * .55), QPointF(s * .8, s * .2))


_TOOL_PAINTERS = {
    "zoom_in": lambda p, s: _magnifier(p, s, "+"), "zoom_out": lambda p, s: _magnifier(p, s, "-"),
    "zoom_full": _tool_full, "zoom_layer": _tool_layer, "pan": _tool_pan, "zoom_rect": _tool_zoom_rect,
    "identify": _tool_identify, "measure_distance": _tool_distance, "measure_area": _tool_area,
    # editing toolbar (icons keep the toolbars within 1280 px)
    "edit": _pencil, "add_feature": _add_feature, "select": _select, "move": _move, "vertex": _vertex,
    "delete": _delete, "table": _table, "snap": _magnet,
}


@lru_cache(maxsize=None)
def tool_icon(name: str) -> QIcon:
    """Toolbar icon of a map tool or zoom action (see ``_TOOL_PAINTERS`` for names)."""
    icon = QIcon()
    painter_fn = _TOOL_PAINTERS.get(name)
    for size in (16, 24, 32):
        pix = QPixmap(size, size)
        pix.fill(Qt.GlobalColor.transparent)
        if painter_fn is not None:
            painter = QPainter(pix)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter_fn(painter, float(size))
            painter.end()
        icon.addPixmap(pix)
    return icon
