"""Links between adjacency pairs drawn over the map canvas (a temporary overlay, not a layer).

:class:`LinkOverlay` is a transparent child widget of the canvas: it follows the
canvas size, ignores the mouse and paints one line per pair between the pair's
representative points, using the canvas's public ``map_to_screen`` on every
paint, so the links follow pans and zooms.  The canvas itself is not changed.
"""

from __future__ import annotations

import numpy as np
import shapely
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from hygis.geo import crs as hcrs
from hygis.ui.analysis.overlay import CanvasOverlay

LINK_COLOR = QColor(214, 40, 40, 200)
SELECTED_COLOR = QColor(255, 183, 3, 255)
MAX_LINKS = 5000


def pair_links(pairs, frame_a, frame_b=None) -> np.ndarray:
    """Link end points (MAP_CRS metres, shape (n, 4): xa, ya, xb, yb) of adjacency pairs.

    Each feature is represented by its representative point (inside polygons, on lines).
    """
    frame_b = frame_a if frame_b is None else frame_b
    if len(pairs) == 0:
        return np.empty((0, 4))
    pa = _points(frame_a, pairs["a_id"].to_numpy())
    pb = _points(frame_b, pairs["b_id"].to_numpy())
    return np.column_stack([pa, pb])


def _points(frame, ids) -> np.ndarray:
    geoms = frame.geometry.loc[ids].to_numpy()
    if frame.crs is not None and not frame.crs.equals(hcrs.parse_crs(hcrs.WGS84)):
        geoms = hcrs.project_geoms(geoms, frame.crs, hcrs.WGS84)
    pts = hcrs.project_geoms(shapely.point_on_surface(geoms), hcrs.WGS84, hcrs.MAP_CRS)
    return shapely.get_coordinates(pts)[:, :2] if len(pts) else np.empty((0, 2))


class LinkOverlay(CanvasOverlay):
    """Lines between pairs over a canvas; ``set_links(None)`` clears them."""

    def __init__(self, canvas: QWidget):
        super().__init__(canvas)
        self.links = np.empty((0, 4))
        self.selected: set[int] = set()
        self.show()

    def set_links(self, links: np.ndarray | None, selected=()) -> None:
        self.links = np.empty((0, 4)) if links is None else np.asarray(links, dtype=float)[:MAX_LINKS]
        self.selected = set(int(i) for i in selected)
        self.raise_()
        self.update()

    def set_selected(self, rows) -> None:
        self.selected = set(int(i) for i in rows)
        self.update()

    def screen_segments(self) -> list[tuple[QPointF, QPointF]]:
        """The links in canvas pixel coordinates (what is painted)."""
        return [(self.canvas.map_to_screen(xa, ya), self.canvas.map_to_screen(xb, yb))
                for xa, ya, xb, yb in self.links]

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt virtual)
        if len(self.links) == 0:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        normal = QPen(LINK_COLOR, 2.0)
        normal.setCapStyle(Qt.PenCapStyle.RoundCap)
        chosen = QPen(SELECTED_COLOR, 4.0)
        for i, (a, b) in enumerate(self.screen_segments()):
            painter.setPen(chosen if i in self.selected else normal)
            painter.drawLine(a, b)
            painter.setBrush(painter.pen().color())
            painter.drawEllipse(a, 2.5, 2.5)
            painter.drawEllipse(b, 2.5, 2.5)
        painter.end()
