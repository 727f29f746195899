"""Map tools: the interaction protocol between the canvas and editing/measuring tools.

A tool receives :class:`MapMouseEvent` objects (map and screen coordinates) from the
canvas and returns True from a handler when it consumed the event (the canvas then
does not pan).  ``paint(painter)`` draws rubber bands in screen pixels on top of the map.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt


@dataclass
class MapMouseEvent:
    """A mouse event in map terms.

    Attributes
    ----------
    x, y : float
        Position in the canvas CRS (``hygis.geo.crs.MAP_CRS``), metres.
    lon, lat : float
        The same position in WGS84 degrees.
    pos : QPointF
        Screen position in widget pixels.
    button : Qt.MouseButton
    modifiers : Qt.KeyboardModifier
    """

    x: float
    y: float
    lon: float
    lat: float
    pos: QPointF
    button: Qt.MouseButton = Qt.MouseButton.NoButton
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier


class MapTool:
    """Base class of canvas tools; every handler returns True when it handled the event."""

    #: Cursor shown while the tool is active.
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self):
        self.canvas = None

    def activate(self, canvas) -> None:
        self.canvas = canvas

    def deactivate(self) -> None:
        self.canvas = None

    def mouse_press(self, ev: MapMouseEvent) -> bool:
        return False

    def mouse_move(self, ev: MapMouseEvent) -> bool:
        return False

    def mouse_release(self, ev: MapMouseEvent) -> bool:
        return False

    def mouse_double_click(self, ev: MapMouseEvent) -> bool:
        return False

    def key_press(self, ev) -> bool:
        return False

    def paint(self, painter) -> None:
        """Draw rubber bands in screen pixel coordinates (called by the canvas overlay)."""

    def update(self) -> None:
        """Ask the canvas to repaint the overlay (cheap: no map redraw)."""
        if self.canvas is not None:
            self.canvas.update()


class BuiltinTools:
    """The canvas's own tools: pan (also middle button), zoom rectangle, identify, measure."""

    def __init__(self, canvas):
        self.canvas = canvas
        self.reset()

    def reset(self) -> None:
        self._drag = None  # (start QPointF, start view)
        self._rect = None  # [QPointF, QPointF]
        self._points: list[tuple[float, float]] = []  # lon, lat
        self._hover: tuple[float, float] | None = None
        self._finished = False

    # -- events ------------------------------------------------------------------------------
    def press(self, ev: MapMouseEvent) -> None:
        tool = self.canvas._tool
        left = ev.button == Qt.MouseButton.LeftButton
        if ev.button == Qt.MouseButton.MiddleButton or (tool == "pan" and left):
            self._drag = (QPointF(ev.pos), self.canvas.view())
            self.canvas.setCursor(Qt.CursorShape.ClosedHandCursor)
        elif tool == "zoom_rect" and left:
            self._rect = [QPointF(ev.pos), QPointF(ev.pos)]
        elif tool == "identify" and left:
            self.canvas.identify_at(ev.pos, ev.modifiers)
        elif tool.startswith("measure"):
            if left:
                if self._finished:
                    self._points, self._finished = [], False
                self._points.append((ev.lon, ev.lat))
                self._emit_measure()
            elif ev.button == Qt.MouseButton.RightButton:
                self._finished = True
                self._hover = None
                self._emit_measure()
            self.canvas.update()

    def move(self, ev: MapMouseEvent) -> None:
        if self._drag is not None:
            start, view = self._drag
            self.canvas._set_view(view.panned(ev.pos.x() - start.x(), ev.pos.y() - start.y()))
        elif self._rect is not None:
            self._rect[1] = QPointF(ev.pos)
            self.canvas.update()
        elif self.canvas._tool.startswith("measure") and self._points and not self._finished:
            self._hover = (ev.lon, ev.lat)
            self._emit_measure()
            self.canvas.update()

    def release(self, ev: MapMouseEvent) -> None:
        if self._drag is not None:
            self._drag = None
            self.canvas.setCursor(Qt.CursorShape.OpenHandCursor if self.canvas._tool == "pan"
                                  else Qt.CursorShape.CrossCursor)
        elif self._rect is not None:
            a, b = self._rect
            self._rect = None
            self.canvas.zoom_to_screen_rect(a, b)

    def double_click(self, ev: MapMouseEvent) -> None:
        if self.canvas._tool.startswith("measure"):
            if len(self._points) >= 2:  # the last point clicked again to end: not a zero-length segment
                a = self.canvas.map_to_screen(*_map_xy(self._points[-1]))
                b = self.canvas.map_to_screen(*_map_xy(self._points[-2]))
                if abs(a.x() - b.x()) + abs(a.y() - b.y()) < 4:
                    self._points.pop()
            self._finished = True
            self._hover = None
            self._emit_measure()
            self.canvas.update()

    # -- measuring -----------------------------------------------------------------------------
    def measure_points(self) -> list[tuple[float, float]]:
        return self._points + ([self._hover] if self._hover else [])

    def _emit_measure(self) -> None:
        text = measure_text(self.measure_points(), self.canvas._tool == "measure_area",
                            getattr(self.canvas, "measure_unit", "auto"))
        self.canvas.measureChanged.emit(text)

    def measure_finished(self) -> bool:
        """True once the measure was ended (right click or double click); the next click starts anew."""
        return self._finished

    # -- drawing ---------------------------------------------------------------------------------
    def paint(self, painter) -> None:
        from PySide6.QtGui import QColor, QPen, QPolygonF

        if self._rect is not None:
            painter.setPen(QPen(QColor("#1f4fa0"), 1.5, Qt.PenStyle.DashLine))
            painter.setBrush(QColor(31, 79, 160, 40))
            painter.drawRect(QRectF(self._rect[0], self._rect[1]).normalized())
        pts = self.measure_points()
        if self.canvas._tool.startswith("measure") and pts:
            from hygis.ui.render.view import to_map

            screen = [self.canvas.map_to_screen(*to_map(lon, lat)) for lon, lat in pts]
            painter.setPen(QPen(QColor("#d7301f"), 2))
            if self.canvas._tool == "measure_area" and len(screen) > 2:
                painter.setBrush(QColor(215, 48, 31, 50))
                painter.drawPolygon(QPolygonF(screen))
            else:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPolyline(QPolygonF(screen))
            painter.setBrush(QColor("#ffffff"))
            for p in screen:
                painter.drawEllipse(p, 3, 3)


def _map_xy(lonlat):
    from hygis.ui.render.view import to_map

    return to_map(*lonlat)


def measure_text(points, area: bool, unit: str = "auto") -> str:
    """Geodesic length ("12.35 km") or area ("4.56 km²") of lon/lat points (degrees), in ``unit``
    (auto, m or km; see :mod:`hygis.geo.measure`)."""
    from hygis.geo import measure as gmeasure

    return gmeasure.summary(gmeasure.measure(points, closed=area), unit)
