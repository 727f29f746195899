"""The map canvas: draws the project's layers (and the basemap) in the canvas CRS.

The canvas never owns layers.  A :class:`~hygis.ui.render.bridge.ProjectBridge`
reports layer changes; :meth:`MapCanvas.refresh` debounces them into one redraw.
Redraws run in a worker thread into a QImage for the current view; during a pan or
zoom gesture the last image is just painted transformed (a few ms per frame), and
the map is re-rendered at the new resolution ~60 ms after the view settles.
"""

from __future__ import annotations

import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QWidget

from hygis.core.memory import no_hugepage_advice, reuse_freed_memory
from hygis.ui import maptools
from hygis.ui.render import decorations, mapdraw
from hygis.ui.render.bridge import ProjectBridge, RendererSet
from hygis.ui.render.painting import create_enums_on_ui_thread, painting
from hygis.ui.render.relay import TileNotice, new_canvas_key, render_relay
from hygis.ui.render.view import DEFAULT_EXTENT, MapView, bounds_to_map, to_wgs84

TOOLS = ("pan", "zoom_rect", "identify", "measure_distance", "measure_area")
SETTLE_MS = 60
WHEEL_STEP = 1.25


class _RenderState:
    """What the render thread may read of its canvas (plain Python, never the widget): the newest
    render's generation and whether the canvas is closing or disposed."""

    def __init__(self):
        self.generation = 0
        self.closing = False
        self.disposed = False

    def stale(self, generation: int) -> bool:
        return self.closing or self.disposed or generation != self.generation


def _render_job(key, generation, view, layers, renderers, basemap, dpr: float = 1.0,
                basemap_labels: bool = False, cancelled=None) -> None:
    """Draw the layers for one view into a QImage off the UI thread (``dpr``: device pixel ratio);
    the image goes to canvas number ``key`` through the relay.  ``cancelled``: asked between layers —
    a stale render, or one of a closing canvas, stops early (its image would not be shown)."""
    if cancelled is not None and cancelled():
        return
    try:
        img = mapdraw.render_layers(layers, view, renderers, basemap=basemap, dpr=dpr, basemap_labels=basemap_labels,
                                    cancelled=cancelled)
    except Exception:  # a broken layer must not kill the worker; the log has the details
        import logging

        logging.getLogger(__name__).exception("map render failed")
        img = None
    render_relay().done.emit(key, generation, img, view)


def _canvas_destroyed(ref, *_) -> None:
    canvas = ref()
    if canvas is not None:
        canvas._detach()


def draw_cached(painter: QPainter, img: QImage | None, cache_view: MapView | None, view: MapView) -> None:
    """Paint an image rendered for ``cache_view`` where it belongs in ``view`` (pan/zoom in between)."""
    if img is None or cache_view is None:
        return
    x0, y0 = view.to_pixels(cache_view.bounds[0], cache_view.bounds[3])
    s = cache_view.res / view.res
    painter.drawImage(QRectF(float(x0), float(y0), cache_view.width * s, cache_view.height * s), img)


class MapCanvas(QWidget):
    """An interactive map of a project (see the module docstring)."""

    cursorMoved = Signal(float, float)
    scaleChanged = Signal(float)
    extentChanged = Signal(object)
    featureClicked = Signal(str, int)
    measureChanged = Signal(str)
    #: A one-off message for the status line (e.g. "tile server unreachable: vector basemap shown").
    statusMessage = Signal(str)
    #: Emitted when a freshly rendered map image is on screen (the view settled).
    renderDone = Signal()

    def __init__(self, project=None, parent=None, show_basemap=True):
        super().__init__(parent)
        no_hugepage_advice()  # fresh arrays of a first draw of 1M features: no compaction stalls
        reuse_freed_memory()  # and fewer of them: freed blocks kept for the next (hygis.core.memory)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(100, 80)
        self.show_basemap = bool(show_basemap)
        #: Draw the legend on the map (off where a legend dock shows it already).
        self.show_legend = True
        self.project = None
        self._bridge = None
        self._renderers = RendererSet()
        self._view = MapView.fit_wgs84(DEFAULT_EXTENT, max(self.width(), 1), max(self.height(), 1))
        self._view_set = False
        self._cache: QImage | None = None
        self._cache_view: MapView | None = None
        self._generation = 0
        # A persistent *Python* worker thread, not a QThreadPool: pyproj frees a thread's PROJ
        # context with its Python thread state, and Qt pool threads get a new state per job
        # (segfault in Transformer.from_crs).  One worker keeps renders in order.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hygis-render")
        self._pending: Future | None = None
        self._render_state = _RenderState()  # read by the render thread (cancels stale renders)
        self._key = new_canvas_key(self)  # what render and tile threads know of this canvas (see relay)
        self._on_tile = TileNotice(self._key)
        self.destroyed.connect(partial(_canvas_destroyed, weakref.ref(self)))
        self._tiles_reported: set = set()
        self._timer = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._timer.timeout.connect(self._start_render)
        self._tool = "pan"
        self._map_tool = None
        self._interaction = maptools.BuiltinTools(self)
        if project is not None:
            self.set_project(project)

    # -- project ----------------------------------------------------------------------------
    def set_project(self, project) -> None:
        """Show ``project`` (observes its layer list; the canvas never owns layers)."""
        if self._bridge is not None:
            self._bridge.disconnect()
            self._bridge = None
        self._renderers.close()
        self.project = project
        if project is not None:
            self._bridge = ProjectBridge(project, self._renderers, self.refresh, self.update)
        self._view_set = False
        self._cache = None
        self.zoom_full()

    def _layers(self) -> list:
        return list(self.project.layers) if self.project is not None else []

    def _basemap_on(self):
        """False, True (the vector basemap) or the project's tile basemap (tiles fetched in the background)."""
        on = self.show_basemap and (self.project is None or getattr(self.project, "show_basemap", True))
        if not on or self.project is None or not getattr(self.project, "tile_source", None):
            return on
        from hygis.ui.render.tiles import basemap_for

        return basemap_for(self.project, wait=False, on_tile=self._on_tile)

    def _report_tiles(self) -> None:
        """Say once per source when its server is unreachable (the vector basemap shows instead)."""
        basemap = self._basemap_on()
        source = getattr(basemap, "source", None)
        if source is not None and source.offline and source.spec not in self._tiles_reported:
            self._tiles_reported.add(source.spec)
            self.statusMessage.emit(self.tr("Tile server unreachable ({0}): showing cached tiles and the "
                                            "offline basemap").format(getattr(source, "last_error", "") or "-"))

    def _basemap_labels_on(self) -> bool:
        return self.project is not None and getattr(self.project, "show_basemap_labels", False)

    # -- tools ------------------------------------------------------------------------------
    def set_tool(self, name: str) -> None:
        """Activate a built-in tool: 'pan', 'zoom_rect', 'identify', 'measure_distance', 'measure_area'."""
        if name not in TOOLS:
            raise ValueError(f"unknown canvas tool {name!r}")
        if self._map_tool is not None:
            self._map_tool.deactivate()
            self._map_tool = None
        self._tool = name
        self._interaction.reset()
        self.setCursor(Qt.CursorShape.OpenHandCursor if name == "pan" else Qt.CursorShape.CrossCursor)
        self.update()

    def tool(self) -> str:
        return "map_tool" if self._map_tool is not None else self._tool

    def set_map_tool(self, tool) -> None:
        """Activate an editing tool (a :class:`hygis.ui.maptools.MapTool`); None restores 'pan'."""
        if tool is None:
            self.set_tool("pan")
            return
        if self._map_tool is not None:
            self._map_tool.deactivate()
        self._interaction.reset()
        self._map_tool = tool
        tool.activate(self)
        self.setCursor(getattr(tool, "cursor", Qt.CursorShape.CrossCursor))
        self.update()

    # -- view -------------------------------------------------------------------------------
    def _set_view(self, view: MapView, render: bool = True) -> None:
        self._view = view
        self._view_set = True
        self.update()
        if render:
            self._timer.start()
        self.scaleChanged.emit(view.scale_denominator(self._dpi()))
        self.extentChanged.emit(view.wgs84_bounds())

    def _dpi(self) -> float:
        return float(self.logicalDpiX() or 96)

    def zoom_in(self) -> None:
        self._set_view(self._view.zoomed(2.0))

    def zoom_out(self) -> None:
        self._set_view(self._view.zoomed(0.5))

    def zoom_full(self) -> None:
        """Show the whole project (all layers -- a linked PostGIS table by its table's extent, not by the
        rows read so far -- else its saved extent, else the region)."""
        from hygis.db.live import full_extent

        extent = None
        if self.project is not None:
            extent = full_extent(self.project) or self.project.extent
        self.set_extent(extent or DEFAULT_EXTENT, margin=0.03)

    def zoom_to_layer(self, layer) -> None:
        from hygis.db.live import layer_bounds

        bounds = layer_bounds(self.project, layer)
        if bounds is not None:
            self.set_extent(bounds, margin=0.05)

    def set_extent(self, wgs84_bounds, margin: float = 0.0) -> None:
        """Show ``wgs84_bounds`` (lon/lat degrees) whole, aspect ratio kept."""
        x0, y0, x1, y1 = bounds_to_map(wgs84_bounds)
        if x1 - x0 < 1 and y1 - y0 < 1:  # a single point: show ~2 km around it
            x0, y0, x1, y1 = x0 - 1000, y0 - 1000, x1 + 1000, y1 + 1000
        self._set_view(MapView.fit((x0, y0, x1, y1), max(self.width(), 1), max(self.height(), 1), margin))

    def set_map_extent(self, map_bounds) -> None:
        """Show ``map_bounds`` (canvas-CRS metres) whole, aspect kept, no margin (a bookmark's view).

        Until the view moves, :meth:`map_extent` returns these bounds exactly: saving the view
        again stores the same numbers, whatever the window's shape (no drift over cycles).
        """
        bounds = tuple(float(v) for v in map_bounds)
        view = MapView.fit(bounds, max(self.width(), 1), max(self.height(), 1))
        self._set_view(view)
        self._shown_extent = (view, bounds)

    def map_extent(self) -> tuple:
        """Canvas-CRS bounds (metres) of the view: those given to :meth:`set_map_extent` while the
        view is the one they made, else the view's own bounds."""
        shown = getattr(self, "_shown_extent", None)
        if shown is not None and shown[0] == self._view:
            return shown[1]
        return self._view.bounds

    def zoom_to_screen_rect(self, a: QPointF, b: QPointF) -> None:
        """Zoom to the screen rectangle a–b (a click without a drag zooms in 2× there)."""
        if abs(a.x() - b.x()) < 4 or abs(a.y() - b.y()) < 4:
            self._set_view(self._view.zoomed(2.0, a.x(), a.y()))
            return
        xa, ya = self.screen_to_map(a)
        xb, yb = self.screen_to_map(b)
        self._set_view(MapView.fit((min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)),
                                   self._view.width, self._view.height))

    def extent(self) -> tuple:
        """WGS84 bounds (lon/lat degrees) of the view."""
        return self._view.wgs84_bounds()

    def view(self) -> MapView:
        return self._view

    def pixel_size(self) -> float:
        """Metres per screen pixel."""
        return self._view.res

    def map_to_screen(self, x: float, y: float) -> QPointF:
        px, py = self._view.to_pixels(x, y)
        return QPointF(float(px), float(py))

    def screen_to_map(self, pos: QPointF) -> tuple[float, float]:
        x, y = self._view.to_map(pos.x(), pos.y())
        return float(x), float(y)

    def map_event(self, pos: QPointF, button=Qt.MouseButton.NoButton, modifiers=Qt.KeyboardModifier.NoModifier):
        """A :class:`~hygis.ui.maptools.MapMouseEvent` for a screen position."""
        x, y = self.screen_to_map(pos)
        lon, lat = to_wgs84(x, y)
        return maptools.MapMouseEvent(x, y, float(lon), float(lat), QPointF(pos), button, modifiers)

    def identify_at(self, pos: QPointF, modifiers=Qt.KeyboardModifier.NoModifier, tolerance_px: float = 4.0):
        """Find the topmost visible feature under ``pos``; select it and emit ``featureClicked``.

        Returns (layer, fid) or None.  Ctrl adds to / removes from the layer's selection.
        """
        x, y = self.screen_to_map(pos)
        hit = mapdraw.identify(self._layers(), x, y, tolerance_px * self._view.res)
        additive = bool(modifiers & Qt.KeyboardModifier.ControlModifier)
        if hit is None:
            if not additive:
                for layer in self._layers():
                    if getattr(layer, "selection", None):
                        layer.selection = ()
            return None
        layer, fid = hit
        if additive:
            layer.selection = set(layer.selection) ^ {fid}
        else:
            for other in self._layers():
                if other is not layer and getattr(other, "selection", None):
                    other.selection = ()
            layer.selection = {fid}
        self.featureClicked.emit(layer.id, int(fid))
        return hit

    # -- rendering --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Schedule a redraw (many calls within ~60 ms give one redraw)."""
        self._timer.start()

    def _start_render(self) -> None:
        create_enums_on_ui_thread()
        self._generation += 1
        self._render_state.generation = self._generation
        self._pending = self._pool.submit(_render_job, self._key, self._generation, self._view, self._layers(),
                                          self._renderers, self._basemap_on(), self.pixel_ratio(),
                                          self._basemap_labels_on(),
                                          partial(self._render_state.stale, self._generation))

    def _on_render_done(self, generation: int, img, view) -> None:
        if generation != self._generation or img is None:
            return
        self._cache, self._cache_view = img, view
        self.update()
        self._report_tiles()
        if not self._timer.isActive():  # else a change came after this render began: not settled yet
            self.renderDone.emit()

    def pixel_ratio(self) -> float:
        """Device pixels per logical pixel of the screen the canvas is on (2.0 at 200 %): the map
        image is rendered at this ratio, so it is sharp on HiDPI screens."""
        return float(self.devicePixelRatioF() or 1.0)

    def is_rendering(self) -> bool:
        return self._timer.isActive() or (self._pending is not None and not self._pending.done())

    def render_now(self) -> None:
        """Render the current view synchronously (tests, first frame)."""
        self._timer.stop()
        self._generation += 1
        self._render_state.generation = self._generation  # a render still running in the thread is stale
        self._cache = mapdraw.render_layers(self._layers(), self._view, self._renderers, basemap=self._basemap_on(),
                                            dpr=self.pixel_ratio(), basemap_labels=self._basemap_labels_on())
        self._cache_view = self._view
        self.update()

    def render_image(self, width: int, height: int) -> QImage:
        """What the canvas shows (current extent, layers, decorations) drawn offscreen at width×height."""
        view = self._view.rescaled(width, height)
        img = mapdraw.render_layers(self._layers(), view, self._renderers, basemap=self._basemap_on(),
                                    basemap_labels=self._basemap_labels_on())
        with painting(img, antialias=True) as painter:
            self._paint_overlays(painter, view)
        return img

    # -- Qt events ----------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        with painting(self) as painter:  # ended even when an overlay fails (an active painter crashes Qt)
            painter.fillRect(self.rect(), mapdraw.BACKGROUND)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
            draw_cached(painter, self._cache, self._cache_view, self._view)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint_overlays(painter, self._view)
            self._interaction.paint(painter)
            if self._map_tool is not None:
                self._map_tool.paint(painter)

    def _paint_overlays(self, painter: QPainter, view: MapView) -> None:
        layers = self._layers()
        rect = QRectF(0, 0, view.width, view.height)
        mapdraw.paint_selection(painter, layers, view, self._renderers)
        decorations.paint_decorations(painter, rect, view, layers, legend=False, dpi=self._dpi())
        if self.show_legend:
            painter.drawImage(QPointF(0, 0), self._legend_image(layers, rect))

    def _legend_image(self, layers, rect: QRectF) -> QImage:
        """The legend drawn once per layer/style change (frames just blit it)."""
        key = (decorations.legend_key(layers, rect), self.pixel_ratio())
        if getattr(self, "_legend_cache", (None,))[0] != key:
            img = mapdraw.new_image(int(rect.width()), int(rect.height()), self.pixel_ratio())
            img.fill(0)
            with painting(img, antialias=True) as p:
                decorations.paint_legend(p, rect, layers)
            self._legend_cache = (key, img)
        return self._legend_cache[1]

    def resizeEvent(self, event) -> None:
        size = event.size()
        if not self._view_set:
            self._view = self._view.resized(size.width(), size.height())
            self.zoom_full()
        else:
            self._set_view(self._view.resized(size.width(), size.height()))
        super().resizeEvent(event)

    def mousePressEvent(self, event) -> None:
        ev = self.map_event(event.position(), event.button(), event.modifiers())
        if self._map_tool is not None and self._map_tool.mouse_press(ev):
            return
        self._interaction.press(ev)

    def mouseMoveEvent(self, event) -> None:
        ev = self.map_event(event.position(), event.buttons(), event.modifiers())
        self.cursorMoved.emit(ev.lon, ev.lat)
        if self._map_tool is not None and self._map_tool.mouse_move(ev):
            return
        self._interaction.move(ev)

    def mouseReleaseEvent(self, event) -> None:
        ev = self.map_event(event.position(), event.button(), event.modifiers())
        if self._map_tool is not None and self._map_tool.mouse_release(ev):
            return
        self._interaction.release(ev)

    def mouseDoubleClickEvent(self, event) -> None:
        ev = self.map_event(event.position(), event.button(), event.modifiers())
        if self._map_tool is not None and self._map_tool.mouse_double_click(ev):
            return
        self._interaction.double_click(ev)

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            pos = event.position()
            self._set_view(self._view.zoomed(WHEEL_STEP ** steps, pos.x(), pos.y()))

    def keyPressEvent(self, event) -> None:
        if self._map_tool is not None and self._map_tool.key_press(event):
            return
        key = event.key()
        w, h = self._view.width, self._view.height
        moves = {Qt.Key.Key_Left: (w / 4, 0), Qt.Key.Key_Right: (-w / 4, 0),
                 Qt.Key.Key_Up: (0, h / 4), Qt.Key.Key_Down: (0, -h / 4)}
        if key in moves:
            self._set_view(self._view.panned(*moves[key]))
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key == Qt.Key.Key_Minus:
            self.zoom_out()
        elif key == Qt.Key.Key_Escape:
            self._interaction.reset()
            self.update()
        else:
            super().keyPressEvent(event)

    def showEvent(self, event) -> None:
        self._render_state.closing = False  # shown again after a close
        super().showEvent(event)

    def closeEvent(self, event) -> None:
        self._timer.stop()
        self._render_state.closing = True
        self._wait_render(2.0)
        super().closeEvent(event)

    def _wait_render(self, timeout: float) -> None:
        if self._pending is not None:
            try:
                self._pending.result(timeout=timeout)
            except Exception:  # timeout or a failed render: nothing to wait for
                pass

    def dispose(self) -> None:
        """Stop observing the project (call before dropping the canvas)."""
        self._timer.stop()
        self._detach()
        self._wait_render(5.0)
        self._pool.shutdown(wait=False)

    def _detach(self) -> None:
        """Stop observing the project and take no more renders (plain Python: also runs while Qt
        destroys the canvas, whose project may live on and must not call into a deleted widget)."""
        self._render_state.disposed = True  # a render still running stops at its next layer
        render_relay().canvases.pop(self._key, None)  # a render still running is dropped on arrival
        if self._bridge is not None:
            self._bridge.disconnect()
            self._bridge = None
        self._renderers.close()

