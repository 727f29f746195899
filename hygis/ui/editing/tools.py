"""Editing map tools: add point/line/polygon, select, move features, edit vertices.

Each tool is a :class:`~hygis.ui.maptools.MapTool` driven by the canvas; it
reads positions in map-CRS metres (``ev.x, ev.y``) and WGS84 (``ev.lon,
ev.lat``), snaps through the :class:`~hygis.ui.editing.controller.EditController`
(a vertex snap gives the target's stored WGS84 coordinate exactly), draws its
rubber band in :meth:`paint`, and creates one command when a gesture ends.
"""

from __future__ import annotations

import numpy as np
import shapely
from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen, QPolygonF

from hygis.geo import crs as hcrs
from hygis.project.commands import ChangeGeometry, Label
from hygis.core.errors import HygisError
from hygis.layers.schema import SCHEMAS
from hygis.ui.editing import geomedit
from hygis.project.commands import CompositeCommand
from hygis.ui.maptools import MapTool
from hygis.ui.error_dialog import error_message

RUBBER = QColor(230, 0, 120)
SNAP_COLOR = QColor(255, 0, 255)
PICK_PX = 6.0  # click tolerance in screen pixels


def _tr(text: str) -> str:
    return QCoreApplication.translate("EditTools", text)


class EditTool(MapTool):
    """Common parts: the controller, snapping on hover, drawing the snapped point."""

    name = ""

    def __init__(self, controller):
        super().__init__()
        self.controller = controller
        self.snapped = None
        self.hover: tuple[float, float] | None = None

    @property
    def layer(self):
        return self.controller.current_layer

    def _canvas(self):
        return getattr(self, "canvas", None) or self.controller.canvas

    def _update(self) -> None:
        canvas = self._canvas()
        if canvas is not None:
            canvas.update()

    def position(self, ev, exclude=None) -> tuple[float, float, float, float]:
        """(x, y, lon, lat) of the event, snapped if a vertex/segment is near."""
        self.snapped = self.controller.snap(ev.x, ev.y, exclude)
        if self.snapped is not None:
            s = self.snapped
            return s.x, s.y, s.lon, s.lat
        return ev.x, ev.y, ev.lon, ev.lat

    def tolerance(self) -> float:
        canvas = self._canvas()
        return PICK_PX * (canvas.pixel_size() if canvas is not None else 1.0)

    def mouse_move(self, ev) -> bool:
        x, y, _lon, _lat = self.position(ev)
        self.hover = (x, y)
        self._update()
        return False

    def _screen(self, x: float, y: float) -> QPointF:
        return self._canvas().map_to_screen(x, y)

    def paint_snap(self, painter) -> None:
        if self.snapped is None:
            return
        p = self._screen(self.snapped.x, self.snapped.y)
        painter.setPen(QPen(SNAP_COLOR, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if self.snapped.kind == "vertex":
            painter.drawRect(QRectF(p.x() - 6, p.y() - 6, 12, 12))
        else:
            painter.drawLine(QPointF(p.x() - 6, p.y() - 6), QPointF(p.x() + 6, p.y() + 6))
            painter.drawLine(QPointF(p.x() - 6, p.y() + 6), QPointF(p.x() + 6, p.y() - 6))

    def paint(self, painter) -> None:
        self.paint_snap(painter)

    def paint_geometry(self, painter, geom_map) -> None:
        """Outline of a map-CRS geometry (rubber band of a moved/edited feature)."""
        painter.setPen(QPen(RUBBER, 2, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for part in shapely.get_parts(shapely.boundary(geom_map) if geom_map.geom_type.endswith("Polygon")
                                      else geom_map):
            for sub in shapely.get_parts(part):
                pts = [self._screen(x, y) for x, y in shapely.get_coordinates(sub)]
                if len(pts) == 1:
                    painter.drawEllipse(pts[0], 5, 5)
                else:
                    painter.drawPolyline(QPolygonF(pts))

    def features_at(self, x: float, y: float, tol: float, layer=None) -> list[int]:
        """fids of ``layer``'s features within ``tol`` metres of (x, y), nearest first."""
        return features_in_box(layer or self.layer, (x - tol, y - tol, x + tol, y + tol), (x, y))


def features_in_box(layer, box_map, near=None) -> list[int]:
    """fids of features intersecting a map-CRS box; with ``near`` (x, y): sorted by distance."""
    if layer is None or len(layer.data) == 0:
        return []
    x0, y0, x1, y1 = box_map
    t = hcrs.transformer(hcrs.MAP_CRS, hcrs.WGS84)
    lons, lats = t.transform([x0, x1, x0, x1], [y0, y0, y1, y1])
    candidates = layer.data.sindex.query(shapely.box(min(lons), min(lats), max(lons), max(lats)))
    if len(candidates) == 0:
        return []
    geoms = hcrs.project_geoms(layer.data.geometry.to_numpy()[candidates], hcrs.WGS84, hcrs.MAP_CRS)
    box = shapely.box(x0, y0, x1, y1)
    hit = shapely.intersects(geoms, box)
    fids = layer.data.index.to_numpy()[candidates][hit]
    if near is None:
        return [int(f) for f in np.sort(fids)]
    d = shapely.distance(geoms[hit], shapely.Point(near))
    return [int(f) for f in fids[np.argsort(d, kind="stable")]]


class AddFeatureTool(EditTool):
    """Click vertices; double-click or Enter finishes, Backspace removes the last vertex, Esc cancels."""

    name = "add"

    def __init__(self, controller, geometry: str):
        super().__init__(controller)
        self.geometry = geometry  # 'point' | 'line' | 'polygon'
        self.vertices: list[tuple[float, float, float, float]] = []

    def mouse_press(self, ev) -> bool:
        if ev.button == Qt.MouseButton.RightButton:
            self.finish()
            return True
        if ev.button != Qt.MouseButton.LeftButton:
            return False
        self.vertices.append(self.position(ev))
        if self.geometry == "point":
            self.finish()
        self._update()
        return True

    def mouse_release(self, ev) -> bool:
        return ev.button in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton)

    def mouse_double_click(self, ev) -> bool:
        if ev.button != Qt.MouseButton.LeftButton:
            return False
        self.finish()
        return True

    def key_press(self, event) -> bool:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.finish()
        elif key == Qt.Key.Key_Backspace and self.vertices:
            self.vertices.pop()
        elif key == Qt.Key.Key_Escape and self.vertices:
            self.cancel()
        else:
            return False
        self._update()
        return True

    def cancel(self) -> None:
        self.vertices.clear()
        self._update()

    def deactivate(self) -> None:
        self.vertices.clear()
        super().deactivate()

    def geometry_wgs84(self):
        """The digitized geometry (WGS84) or None if there are too few vertices."""
        lonlat = [(v[2], v[3]) for v in self.vertices]
        # a double-click may have added the last vertex twice
        lonlat = [p for i, p in enumerate(lonlat) if i == 0 or p != lonlat[i - 1]]
        if self.geometry == "point":
            return shapely.Point(lonlat[0]) if lonlat else None
        if self.geometry == "line":
            return shapely.LineString(lonlat) if len(lonlat) >= 2 else None
        return shapely.Polygon(lonlat) if len(lonlat) >= 3 else None

    def finish(self) -> None:
        geom = self.geometry_wgs84()
        if geom is None:
            if self.vertices:
                need = {"line": 2, "polygon": 3}.get(self.geometry, 1)
                self.controller.message.emit(_tr("Add at least %1 vertices").replace("%1", str(need)))
            return
        if not shapely.is_valid(geom):
            self.controller.message.emit(_tr("The shape is invalid (%1): fix it or press Backspace")
                                         .replace("%1", shapely.is_valid_reason(geom)))
            return
        self.vertices.clear()
        self._update()
        self.controller.add_geometry(geom)

    def paint(self, painter) -> None:
        pts = [self._screen(v[0], v[1]) for v in self.vertices]
        if self.hover is not None and self.geometry != "point" and pts:
            pts.append(self._screen(*self.hover))
        if pts:
            painter.setPen(QPen(RUBBER, 2))
            fill = QColor(RUBBER)
            fill.setAlpha(50)
            painter.setBrush(QBrush(fill) if self.geometry == "polygon" else Qt.BrushStyle.NoBrush)
            if self.geometry == "polygon" and len(pts) >= 3:
                painter.drawPolygon(QPolygonF(pts))
            elif len(pts) >= 2:
                painter.drawPolyline(QPolygonF(pts))
            painter.setBrush(QBrush(RUBBER))
            for p in pts[:len(self.vertices)]:
                painter.drawEllipse(p, 3, 3)
        self.paint_snap(painter)


class SelectTool(EditTool):
    """Click selects the nearest feature, dragging a rectangle selects all it touches; Shift adds."""

    name = "select"

    def __init__(self, controller):
        super().__init__(controller)
        self.start: tuple[float, float] | None = None
        self.current: tuple[float, float] | None = None

    def mouse_press(self, ev) -> bool:
        if ev.button != Qt.MouseButton.LeftButton:
            return False
        self.start = self.current = (ev.x, ev.y)
        return True

    def mouse_move(self, ev) -> bool:
        if self.start is None:
            return False
        self.current = (ev.x, ev.y)
        self._update()
        return True

    def mouse_release(self, ev) -> bool:
        if self.start is None or ev.button != Qt.MouseButton.LeftButton:
            return False
        (x0, y0), (x1, y1) = self.start, (ev.x, ev.y)
        self.start = self.current = None
        tol = self.tolerance()
        if abs(x1 - x0) < tol and abs(y1 - y0) < tol:
            fids = self.features_at(x1, y1, tol)[:1]
        else:
            fids = features_in_box(self.layer, (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
        self.select(fids, add=bool(ev.modifiers & Qt.KeyboardModifier.ShiftModifier))
        self._update()
        return True

    def select(self, fids, add: bool = False) -> None:
        if self.layer is not None:
            self.layer.selection = (set(self.layer.selection) | set(fids)) if add else set(fids)

    def paint(self, painter) -> None:
        if self.start is None or self.current is None:
            return
        a, b = self._screen(*self.start), self._screen(*self.current)
        painter.setPen(QPen(RUBBER, 1, Qt.PenStyle.DashLine))
        fill = QColor(RUBBER)
        fill.setAlpha(30)
        painter.setBrush(QBrush(fill))
        painter.drawRect(QRectF(a, b).normalized())


class MoveFeatureTool(EditTool):
    """Drag the selected features (or the one under the cursor) by an offset in map metres."""

    name = "move"

    def __init__(self, controller):
        super().__init__(controller)
        self.start: tuple[float, float] | None = None
        self.offset = (0.0, 0.0)
        self.moving: list[int] = []
        self._outlines: list = []

    def mouse_press(self, ev) -> bool:
        if ev.button != Qt.MouseButton.LeftButton or self.layer is None:
            return False
        under = self.features_at(ev.x, ev.y, self.tolerance())
        if not under:
            return False
        if under[0] not in self.layer.selection:
            self.layer.selection = {under[0]}
        self.moving = sorted(self.layer.selection)
        self.start, self.offset = (ev.x, ev.y), (0.0, 0.0)
        geoms = self.layer.data.geometry.loc[self.moving].to_numpy()
        self._outlines = list(hcrs.project_geoms(geoms, hcrs.WGS84, hcrs.MAP_CRS))
        return True

    def mouse_move(self, ev) -> bool:
        if self.start is None:
            return super().mouse_move(ev)
        x, y, _lon, _lat = self.position(ev)
        self.offset = (x - self.start[0], y - self.start[1])
        self._update()
        return True

    def mouse_release(self, ev) -> bool:
        if self.start is None:
            return False
        dx, dy = self.offset
        self.start = None
        self._outlines = []
        if dx or dy:
            layer = self.layer
            cmds = [ChangeGeometry(layer, fid, geomedit.translate(layer.data.geometry.loc[fid], dx, dy))
                    for fid in self.moving]
            label = Label("Move {n} feature(s)", n=len(cmds))
            self.controller.execute(CompositeCommand(cmds, label))
        self._update()
        return True

    def paint(self, painter) -> None:
        dx, dy = self.offset
        for geom in self._outlines:
            self.paint_geometry(painter, shapely.transform(geom, lambda c: c + np.array([dx, dy])))
        self.paint_snap(painter)


class VertexTool(EditTool):
    """Drag a vertex; click on a segment inserts one; right-click or Delete removes the active one."""

    name = "vertex"

    def __init__(self, controller):
        super().__init__(controller)
        self.target: tuple[int, int] | None = None  # (fid, vertex index) being dragged
        self.active: tuple[int, int] | None = None  # last vertex clicked (Delete removes it)
        self.drag_to: tuple[float, float, float, float] | None = None

    def _feature_map(self, fid):
        return geomedit.to_map(self.layer.data.geometry.loc[fid])

    def _hit_vertex(self, x, y):
        tol = self.tolerance()
        for fid in self.features_at(x, y, tol):
            k, d = geomedit.nearest_vertex(self._feature_map(fid), x, y)
            if d <= tol:
                return fid, k
        return None

    def mouse_press(self, ev) -> bool:
        if self.layer is None or ev.button not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            return False
        hit = self._hit_vertex(ev.x, ev.y)
        if ev.button == Qt.MouseButton.RightButton:
            if hit is not None:
                self.delete_vertex(*hit)
            return hit is not None
        if hit is not None:
            self.target = self.active = hit
            self.drag_to = None
            return True
        tol = self.tolerance()
        for fid in self.features_at(ev.x, ev.y, tol):
            k, d, px, py = geomedit.nearest_segment(self._feature_map(fid), ev.x, ev.y)
            if k >= 0 and d <= tol:
                lon, lat = hcrs.transformer(hcrs.MAP_CRS, hcrs.WGS84).transform(px, py)
                geom = geomedit.insert_vertex(self.layer.data.geometry.loc[fid], k, lon, lat)
                self.controller.execute(ChangeGeometry(self.layer, fid, geom,
                                                       label=Label("Insert vertex")))
                self.active = (fid, k + 1)
                self._update()
                return True
        return False

    def mouse_move(self, ev) -> bool:
        if self.target is None:
            return super().mouse_move(ev)
        self.drag_to = self.position(ev, exclude=(self.layer.id, self.target[0]))
        self._update()
        return True

    def mouse_release(self, ev) -> bool:
        if self.target is None:
            return False
        fid, k = self.target
        self.target = None
        if self.drag_to is not None:
            _x, _y, lon, lat = self.drag_to
            self.drag_to = None
            geom = geomedit.move_vertex(self.layer.data.geometry.loc[fid], k, lon, lat)
            self.controller.execute(ChangeGeometry(self.layer, fid, geom, label=Label("Move vertex")))
        self._update()
        return True

    def key_press(self, event) -> bool:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.active is not None:
            self.delete_vertex(*self.active)
            return True
        return False

    def delete_vertex(self, fid: int, k: int) -> None:
        try:
            geom = geomedit.delete_vertex(self.layer.data.geometry.loc[fid], k)
        except HygisError as exc:
            self.controller.message.emit(error_message(exc))
            return
        self.controller.execute(ChangeGeometry(self.layer, fid, geom, label=Label("Delete vertex")))
        self.active = None
        self._update()

    def paint(self, painter) -> None:
        layer = self.layer
        if layer is None:
            return
        painter.setPen(QPen(RUBBER, 1))
        painter.setBrush(QBrush(QColor(255, 255, 255)))
        for fid in sorted(layer.selection)[:200]:
            for x, y in shapely.get_coordinates(self._feature_map(fid)):
                painter.drawRect(QRectF(self._screen(x, y) - QPointF(3, 3), self._screen(x, y) + QPointF(3, 3)))
        if self.target is not None and self.drag_to is not None:
            fid, k = self.target
            geom = geomedit.move_vertex(self._feature_map(fid), k, self.drag_to[0], self.drag_to[1])
            self.paint_geometry(painter, geom)
        self.paint_snap(painter)


def make_tool(name: str, controller) -> EditTool:
    """The editing tool ``name`` for the controller's current layer."""
    if name == "add" or name.startswith("add_"):
        geometry = name[4:] if name.startswith("add_") else _layer_geometry(controller.current_layer)
        return AddFeatureTool(controller, geometry)
    tools = {"select": SelectTool, "move": MoveFeatureTool, "vertex": VertexTool}
    if name not in tools:
        raise HygisError("unknown editing tool '{name}'", name=name)
    return tools[name](controller)


def _layer_geometry(layer) -> str:
    schema = SCHEMAS.get(layer.kind) if layer is not None else None
    if schema is not None:
        return schema.geometry
    family = layer.geometry_type if layer is not None else "polygon"
    return family if family in ("point", "line", "polygon") else "polygon"
