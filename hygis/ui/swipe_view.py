"""Swipe view: one map, scenario A left of a draggable divider and scenario B right of it.

:class:`SwipeCanvas` is a :class:`~hygis.ui.canvas.MapCanvas` that observes two
projects (normally the two shadow projects of a comparison, see
:func:`hygis.project.scenarios.shadow_project`) and renders both for the *same* view in
its render worker, with the canvas's own renderers and drawing code.  Painting
shows A's image clipped to ``[0, divider)`` and B's to ``[divider, width)``, so
moving the divider only repaints (no re-render); pan and zoom are the canvas's
own, so both halves always show the same extent and scale.

The divider is dragged with the left mouse button (anywhere within a few pixels of
it) or moved with ←/→ when the map has the keyboard focus (Shift: finer steps).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter, QPen, QPolygonF

from hygis.ui.canvas import MapCanvas, draw_cached
from hygis.ui.render.painting import create_enums_on_ui_thread, painting
from hygis.ui.render.relay import render_relay
from hygis.ui.fonts import cjk_font
from hygis.ui.render import decorations, mapdraw
from hygis.ui.render.bridge import ProjectBridge, RendererSet
from hygis.ui.render.view import MapView

#: How close (screen pixels) a press must be to the divider to grab it.
GRAB_PX = 8
#: Divider step (fraction of the width) for ←/→, and with Shift held.
KEY_STEP, FINE_STEP = 0.05, 0.01
LINE = QColor("#ffffff")
EDGE = QColor("#303030")
LABEL_BOX = QColor(255, 255, 255, 225)


def _render_pair(key, generation, view, layers_a, layers_b, renderers_a, renderers_b, basemap,
                 dpr: float = 1.0) -> None:
    """Draw both sides for one view off the UI thread (at device pixel ratio ``dpr``); ``(img_a, img_b)``
    goes to canvas number ``key`` through the canvas relay (the worker holds no canvas)."""
    try:
        pair = (mapdraw.render_layers(layers_a, view, renderers_a, basemap=basemap, dpr=dpr),
                mapdraw.render_layers(layers_b, view, renderers_b, basemap=basemap, dpr=dpr))
    except Exception:  # a broken layer must not kill the worker; the log has the details
        import logging

        logging.getLogger(__name__).exception("swipe render failed")
        pair = None
    render_relay().done.emit(key, generation, pair, view)


class SwipeCanvas(MapCanvas):
    """Scenario A | divider | scenario B on one map (see the module docstring)."""

    #: The divider moved; its position as a fraction of the width (0 = all B, 1 = all A).
    dividerMoved = Signal(float)

    def __init__(self, project_a=None, project_b=None, parent=None, show_basemap=True,
                 name_a: str = "", name_b: str = ""):
        super().__init__(None, parent, show_basemap=show_basemap)
        self.project_b = None
        self._bridge_b = None
        self._renderers_b = RendererSet()
        self._cache_b: QImage | None = None
        self._fraction = 0.5
        self._dragging_divider = False
        self.name_a, self.name_b = name_a, name_b
        self.setToolTip(self.tr("Drag the divider (or press ←/→) to compare the two scenarios"))
        if project_a is not None:
            self.set_projects(project_a, project_b, name_a, name_b, keep_view=False)

    # -- projects -----------------------------------------------------------------------------
    def set_projects(self, project_a, project_b, name_a: str = "", name_b: str = "", keep_view: bool = True) -> None:
        """Show ``project_a`` left and ``project_b`` right of the divider.

        With ``keep_view`` the current centre and scale stay (changing a scenario
        must not jump the map); otherwise the view fits project A.
        """
        view, had_view = self._view, self._view_set
        self.set_project(project_a)
        self.set_project_b(project_b)
        self.name_a, self.name_b = name_a, name_b
        if keep_view and had_view:
            self._set_view(view)
        self.update()

    def set_project_b(self, project) -> None:
        """The project drawn right of the divider (observed like A; never owned)."""
        if self._bridge_b is not None:
            self._bridge_b.disconnect()
            self._bridge_b = None
        self._renderers_b.close()
        self.project_b = project
        self._cache_b = None
        if project is not None:
            self._bridge_b = ProjectBridge(project, self._renderers_b, self.refresh, self.update)
        self.refresh()

    def _layers_b(self) -> list:
        return list(self.project_b.layers) if self.project_b is not None else []

    def _legend_layers(self) -> list:
        """One legend for both sides: per layer, B's state where B shows it, else A's."""
        a, b = self._layers(), self._layers_b()
        if len(a) != len(b):
            return a + [lyr for lyr in b if lyr.visible]
        return [lb if lb.visible else la for la, lb in zip(a, b)]

    # -- divider ------------------------------------------------------------------------------
    def divider(self) -> float:
        """Divider position as a fraction of the map width (0–1)."""
        return self._fraction

    def divider_x(self, width: float | None = None) -> float:
        """Divider position in screen pixels (of ``width``, default the widget's)."""
        return self._fraction * (self.width() if width is None else width)

    def set_divider(self, fraction: float) -> None:
        """Move the divider to ``fraction`` of the width (clamped to 0–1)."""
        fraction = min(1.0, max(0.0, float(fraction)))
        if fraction == self._fraction:
            return
        self._fraction = fraction
        self.update()
        self.dividerMoved.emit(fraction)

    def _near_divider(self, pos: QPointF) -> bool:
        return abs(pos.x() - self.divider_x()) <= GRAB_PX

    # -- rendering ----------------------------------------------------------------------------
    def _start_render(self) -> None:
        create_enums_on_ui_thread()
        self._generation += 1
        self._pending = self._pool.submit(_render_pair, self._key, self._generation, self._view, self._layers(),
                                          self._layers_b(), self._renderers, self._renderers_b,
                                          self._basemap_on(), self.pixel_ratio())

    def _on_render_done(self, generation: int, pair, view) -> None:
        if generation != self._generation or pair is None:
            return
        (self._cache, self._cache_b), self._cache_view = pair, view
        self.update()
        if not self._timer.isActive():  # else a change came after this render began: not settled yet
            self.renderDone.emit()

    def render_now(self) -> None:
        """Render both sides for the current view synchronously (tests, first frame)."""
        self._timer.stop()
        self._generation += 1
        basemap = self._basemap_on()
        dpr = self.pixel_ratio()
        self._cache = mapdraw.render_layers(self._layers(), self._view, self._renderers, basemap=basemap, dpr=dpr)
        self._cache_b = mapdraw.render_layers(self._layers_b(), self._view, self._renderers_b, basemap=basemap,
                                              dpr=dpr)
        self._cache_view = self._view
        self.update()

    def render_image(self, width: int, height: int) -> QImage:
        """What the swipe map shows (both sides, divider, names) drawn offscreen at width×height."""
        view = self._view.rescaled(width, height)
        basemap = self._basemap_on()
        img = mapdraw.render_layers(self._layers(), view, self._renderers, basemap=basemap)
        right = mapdraw.render_layers(self._layers_b(), view, self._renderers_b, basemap=basemap)
        with painting(img) as painter:
            split = self.divider_x(width)
            painter.drawImage(QRectF(split, 0, width - split, height), right, QRectF(split, 0, width - split, height))
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint_overlays(painter, view)
        return img

    # -- painting -----------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        with painting(self) as painter:  # ended even when an overlay fails (an active painter crashes Qt)
            painter.fillRect(self.rect(), mapdraw.BACKGROUND)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
            split = self.divider_x()
            for img, clip in ((self._cache, QRectF(0, 0, split, self.height())),
                              (self._cache_b, QRectF(split, 0, self.width() - split, self.height()))):
                painter.save()
                painter.setClipRect(clip)
                draw_cached(painter, img, self._cache_view, self._view)
                painter.restore()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint_overlays(painter, self._view)
            self._interaction.paint(painter)
            if self._map_tool is not None:
                self._map_tool.paint(painter)

    def _paint_overlays(self, painter: QPainter, view: MapView) -> None:
        rect = QRectF(0, 0, view.width, view.height)
        split = self._fraction * view.width
        for layers, renderers, clip in ((self._layers(), self._renderers, QRectF(0, 0, split, view.height)),
                                        (self._layers_b(), self._renderers_b,
                                         QRectF(split, 0, view.width - split, view.height))):
            painter.save()
            painter.setClipRect(clip)
            mapdraw.paint_selection(painter, layers, view, renderers)
            painter.restore()
        legend_layers = self._legend_layers()
        decorations.paint_decorations(painter, rect, view, legend_layers, legend=False, north_arrow=False,
                                      dpi=self._dpi())
        decorations.paint_north_arrow(painter, rect.adjusted(0, 40, 0, 0))  # below B's name label
        if self.show_legend:
            painter.drawImage(QPointF(0, 0), self._legend_image(legend_layers, rect))
        self._paint_divider(painter, rect, split)

    def _paint_divider(self, painter: QPainter, rect: QRectF, x: float) -> None:
        """The divider line, its grip, and the two scenario names in the top corners."""
        painter.save()
        painter.setPen(QPen(EDGE, 4))
        painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
        painter.setPen(QPen(LINE, 2))
        painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
        cy = rect.center().y()
        painter.setPen(QPen(EDGE, 1.5))
        painter.setBrush(LINE)
        painter.drawEllipse(QPointF(x, cy), 14, 14)
        painter.setBrush(EDGE)
        painter.setPen(Qt.PenStyle.NoPen)
        for sign in (-1, 1):  # ◀ ▶ chevrons on the grip
            tip = x + sign * 10
            painter.drawPolygon(QPolygonF([QPointF(tip, cy), QPointF(tip - sign * 6, cy - 6),
                                           QPointF(tip - sign * 6, cy + 6)]))
        font = cjk_font(12, bold=True)
        fm = QFontMetricsF(font)
        painter.setFont(font)
        for text, left in ((self.name_a, True), (self.name_b, False)):
            if not text:
                continue
            label = f"◀ {text}" if left else f"{text} ▶"
            w, h = fm.horizontalAdvance(label) + 20, fm.height() + 10
            box = QRectF(rect.left() + 10 if left else rect.right() - 10 - w, rect.top() + 10, w, h)
            painter.setPen(QPen(EDGE, 1))
            painter.setBrush(LABEL_BOX)
            painter.drawRoundedRect(box, 4, 4)
            painter.setPen(EDGE)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
        painter.restore()

    # -- mouse and keys -------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._near_divider(event.position()):
            self._dragging_divider = True
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        pos = event.position()
        if self._dragging_divider:
            self.set_divider(pos.x() / max(self.width(), 1))
            return
        if not event.buttons():
            self._update_cursor(pos)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._dragging_divider and event.button() == Qt.MouseButton.LeftButton:
            self._dragging_divider = False
            self.set_divider(event.position().x() / max(self.width(), 1))
            return
        super().mouseReleaseEvent(event)

    def _update_cursor(self, pos: QPointF) -> None:
        if self._near_divider(pos):
            self.setCursor(Qt.CursorShape.SplitHCursor)
        else:
            self.setCursor(Qt.CursorShape.OpenHandCursor if self._tool == "pan" else Qt.CursorShape.CrossCursor)

    def keyPressEvent(self, event) -> None:
        step = FINE_STEP if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else KEY_STEP
        if event.key() == Qt.Key.Key_Left:
            self.set_divider(self._fraction - step)
        elif event.key() == Qt.Key.Key_Right:
            self.set_divider(self._fraction + step)
        else:
            super().keyPressEvent(event)  # ↑/↓ pan, +/− zoom

    def _detach(self) -> None:
        super()._detach()
        if self._bridge_b is not None:
            self._bridge_b.disconnect()
            self._bridge_b = None
        self._renderers_b.close()
