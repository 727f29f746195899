"""Qt pens, brushes and marker shapes for a hygis :class:`~hygis.layers.style.Style`."""

from __future__ import annotations

import math
import threading

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen, QPolygonF

from hygis.layers.style import parse_color

DASH_STYLES = {"solid": Qt.PenStyle.SolidLine, "dash": Qt.PenStyle.DashLine, "dot": Qt.PenStyle.DotLine,
               "dashdot": Qt.PenStyle.DashDotLine}
HATCH_PATTERNS = {"diagonal": Qt.BrushStyle.BDiagPattern, "cross": Qt.BrushStyle.DiagCrossPattern,
                  "horizontal": Qt.BrushStyle.HorPattern, "vertical": Qt.BrushStyle.VerPattern}
SELECTION = QColor("#ffd400")


def qcolor(value) -> QColor:
    """'#rrggbb[aa]' or an (r, g, b, a) tuple → QColor."""
    r, g, b, a = parse_color(value) if isinstance(value, str) else value
    return QColor(int(r), int(g), int(b), int(a))


def pen(color, width: float, dash: str = "solid") -> QPen:
    """A cosmetic pen ``width`` pixels wide (no pen for width 0 or a transparent colour)."""
    c = qcolor(color)
    if width <= 0 or c.alpha() == 0:
        return QPen(Qt.PenStyle.NoPen)
    p = QPen(c, float(width), DASH_STYLES.get(dash, Qt.PenStyle.SolidLine))
    p.setCapStyle(Qt.PenCapStyle.RoundCap)
    # round joins make Qt's stroker ~2× slower; they only show on thick lines
    p.setJoinStyle(Qt.PenJoinStyle.RoundJoin if width >= 2.5 else Qt.PenJoinStyle.BevelJoin)
    return p


def brush(color) -> QBrush:
    c = qcolor(color)
    return QBrush(Qt.BrushStyle.NoBrush) if c.alpha() == 0 else QBrush(c)


def marker_symbol(color, stroke, illustrative: bool = False) -> tuple[QPen, QBrush]:
    """Pen and brush of a point marker; an illustrative (示意) one is a pale fill with a dashed ring."""
    if not illustrative:
        return pen(stroke, 1.0), brush(color)
    c = qcolor(color)
    ring = QPen(c, 1.6, Qt.PenStyle.DashLine)
    return ring, QBrush(QColor(c.red(), c.green(), c.blue(), min(c.alpha(), 90)))


def hatch_brush(color, hatch: str) -> QBrush | None:
    pattern = HATCH_PATTERNS.get(hatch)
    return QBrush(qcolor(color), pattern) if pattern else None


_MARKERS = threading.local()


def marker_path(marker: str, size: float) -> QPainterPath:
    """A marker shape ``size`` pixels across centred on (0, 0).

    Cached per thread: a QPainterPath builds its drawing data lazily the first time it is drawn,
    so one instance drawn by two threads at once (the render worker's points and the UI
    thread's legend) races inside Qt.
    """
    cache = getattr(_MARKERS, "paths", None)
    if cache is None:
        cache = _MARKERS.paths = {}
    key = (marker, float(size))
    path = cache.get(key)
    if path is None:
        if len(cache) >= 64:
            cache.clear()
        path = cache[key] = _marker_path(marker, size)
    return path


def _marker_path(marker: str, size: float) -> QPainterPath:
    r = size / 2.0
    path = QPainterPath()
    if marker == "square":
        path.addRect(-r, -r, size, size)
    elif marker in ("triangle", "diamond", "star", "cross"):
        path.addPolygon(QPolygonF([QPointF(x, y) for x, y in _polygon(marker, r)]))
        path.closeSubpath()
    else:
        path.addEllipse(QPointF(0, 0), r, r)
    return path


def _polygon(marker: str, r: float):
    if marker == "triangle":
        return [(0, -r), (r * 0.9, r * 0.7), (-r * 0.9, r * 0.7)]
    if marker == "diamond":
        return [(0, -r), (r * 0.75, 0), (0, r), (-r * 0.75, 0)]
    if marker == "star":
        pts = []
        for i in range(10):
            a = -math.pi / 2 + i * math.pi / 5
            rr = r if i % 2 == 0 else r * 0.45
            pts.append((rr * math.cos(a), rr * math.sin(a)))
        return pts
    t = r * 0.3  # cross
    return [(-t, -r), (t, -r), (t, -t), (r, -t), (r, t), (t, t), (t, r), (-t, r), (-t, t), (-r, t), (-r, -t), (-t, -t)]
