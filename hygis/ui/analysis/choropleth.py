"""Coverage results as a choropleth over the map (a temporary overlay, not a project layer).

:class:`ChoroplethOverlay` is a transparent child widget of the canvas (like the adjacency
links): it paints the zones filled by class of their covered share, with a legend box in
the lower right corner, and follows pans and zooms through the canvas's view.  Classes are
cut by :func:`hygis.layers.style.graduated_breaks` — natural breaks (Fisher–Jenks,
mapclassify), quantiles or equal intervals — and coloured along a sequential ramp.
The coverage panel sets it after each run and clears it when its results go (another
project, the panel closed, the check box off).
"""

from __future__ import annotations

import numpy as np
import shapely
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from hygis.geo import crs as hcrs
from hygis.layers.style import graduated_breaks, ramp_colors
from hygis.ui.analysis.overlay import CanvasOverlay

RAMP = "oranges"
FILL_ALPHA = 170
#: Simplification of the drawn zones (metres in the map CRS): invisible at district scale.
SIMPLIFY_M = 30.0


def classify(values, classes: int = 5, method: str = "jenks") -> tuple[list[float], np.ndarray]:
    """(class upper bounds, class index per value; −1 for missing values)."""
    v = np.asarray(values, dtype=float)
    breaks = graduated_breaks(v[np.isfinite(v)], classes, method) if np.isfinite(v).any() else []
    if not breaks:
        return [], np.full(len(v), -1)
    idx = np.minimum(np.searchsorted(np.asarray(breaks), v, side="left"), len(breaks) - 1)
    return breaks, np.where(np.isfinite(v), idx, -1)


class ChoroplethOverlay(CanvasOverlay):
    """Zones filled by class over a canvas; :meth:`set_zones` shows them, :meth:`clear` removes them."""

    def __init__(self, canvas: QWidget):
        super().__init__(canvas)
        self.rings: list[list[np.ndarray]] = []  # per zone: its rings in map-CRS metres
        self.classes = np.empty(0, int)
        self.breaks: list[float] = []
        self.colors: list[QColor] = []
        self.title = ""
        self.show()

    @property
    def active(self) -> bool:
        return bool(self.rings)

    def set_zones(self, geoms_wgs84, values, *, classes: int = 5, method: str = "jenks", title: str = "") -> None:
        """Show ``geoms_wgs84`` (polygons) coloured by the class of ``values`` (e.g. covered share %)."""
        geoms = np.asarray(geoms_wgs84, dtype=object)
        self.breaks, self.classes = classify(values, classes, method)
        self.colors = [QColor(c) for c in ramp_colors(RAMP, max(len(self.breaks), 1))]
        projected = shapely.simplify(hcrs.project_geoms(geoms, hcrs.WGS84, hcrs.MAP_CRS), SIMPLIFY_M)
        self.rings = []
        for g in projected:
            rings = []
            for poly in getattr(g, "geoms", [g]) if g is not None and not g.is_empty else []:
                if poly.geom_type != "Polygon":
                    continue
                rings.append(np.asarray(poly.exterior.coords)[:, :2])
                rings.extend(np.asarray(r.coords)[:, :2] for r in poly.interiors)
            self.rings.append(rings)
        self.title = title
        self.raise_()
        self.update()

    def clear(self) -> None:
        self.rings, self.breaks, self.colors = [], [], []
        self.classes = np.empty(0, int)
        self.update()

    def legend_rows(self) -> list[tuple[str, QColor]]:
        """(label, colour) per class: "≤ 12.5", "12.5 – 40.0", …"""
        rows, lo = [], None
        for b, c in zip(self.breaks, self.colors):
            rows.append((f"≤ {b:.1f}" if lo is None else f"{lo:.1f} – {b:.1f}", c))
            lo = b
        return rows

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt virtual)
        if not self.rings:
            return
        view = self.canvas.view()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(90, 60, 40, 220), 0.8))
        for rings, cls in zip(self.rings, self.classes):
            if not rings:
                continue
            color = QColor(self.colors[cls]) if cls >= 0 else QColor("#bbbbbb")
            color.setAlpha(FILL_ALPHA)
            path = QPainterPath()
            path.setFillRule(Qt.FillRule.OddEvenFill)
            for ring in rings:
                px, py = view.to_pixels(ring[:, 0], ring[:, 1])
                path.addPolygon(QPolygonF([QPointF(float(x), float(y)) for x, y in zip(px, py)]))
                path.closeSubpath()
            painter.setBrush(color)
            painter.drawPath(path)
        self._paint_legend(painter)
        painter.end()

    def legend_rect(self) -> QRectF:
        rows = max(len(self.breaks), 1)
        width, height = 190.0, 30.0 + 20.0 * rows
        return QRectF(self.width() - width - 12, self.height() - height - 12, width, height)

    def _paint_legend(self, painter: QPainter) -> None:
        box = self.legend_rect()
        painter.setPen(QPen(QColor(120, 120, 120), 1))
        painter.setBrush(QColor(255, 255, 255, 235))
        painter.drawRoundedRect(box, 4, 4)
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor(30, 30, 30))
        painter.drawText(QRectF(box.left() + 8, box.top() + 4, box.width() - 16, 20),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.title)
        font.setBold(False)
        painter.setFont(font)
        for i, (label, color) in enumerate(self.legend_rows()):
            y = box.top() + 28 + 20 * i
            fill = QColor(color)
            fill.setAlpha(FILL_ALPHA)
            painter.setPen(QPen(QColor(90, 60, 40), 0.8))
            painter.setBrush(fill)
            painter.drawRect(QRectF(box.left() + 10, y + 2, 22, 14))
            painter.setPen(QColor(30, 30, 30))
            painter.drawText(QRectF(box.left() + 40, y, box.width() - 48, 18),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)

