"""Results of the canvases' render and tile threads handed to the canvases on the UI thread.

Worker threads must never hold a canvas or any QObject of it: a canvas whose last Python
reference died in a worker thread would be destroyed there, and emitting a signal on an
object the UI thread is deleting crashes the process.  So render jobs and tile callbacks
carry only a canvas *number*; :class:`_RenderRelay` (one per application, never deleted)
receives their results on the UI thread and passes each to its canvas if that still exists.
"""

from __future__ import annotations

import itertools
import weakref

import shiboken6
from PySide6.QtCore import QObject, Signal, Slot


class _RenderRelay(QObject):
    """Hands results from render and tile threads to the canvases, on the UI thread.

    One relay per application, made on the UI thread and never deleted. Worker and tile threads
    hold only the relay and a canvas number, never a canvas: a canvas (or a QObject of its)
    whose last reference died in a worker thread would be destroyed there, and a signal
    emitted on an object the UI thread is deleting crashes.  A result for a canvas that is
    gone by the time it arrives is dropped.
    """

    done = Signal(int, int, object, object)  # canvas number, generation, QImage, MapView
    tile = Signal(int)  # canvas number: a basemap tile arrived (from a fetch thread)

    def __init__(self):
        super().__init__()
        self.canvases: "weakref.WeakValueDictionary[int, object]" = weakref.WeakValueDictionary()
        self.done.connect(self._deliver_done)  # the relay lives on the UI thread: queued from workers
        self.tile.connect(self._deliver_tile)

    def _canvas(self, key: int):
        canvas = self.canvases.get(key)
        return canvas if canvas is not None and shiboken6.isValid(canvas) else None

    @Slot(int, int, object, object)
    def _deliver_done(self, key: int, generation: int, img, view) -> None:
        canvas = self._canvas(key)
        if canvas is not None:
            canvas._on_render_done(generation, img, view)

    @Slot(int)
    def _deliver_tile(self, key: int) -> None:
        canvas = self._canvas(key)
        if canvas is not None:
            canvas.refresh()


_RELAY: _RenderRelay | None = None
_KEYS = itertools.count(1)


def render_relay() -> _RenderRelay:
    """The application's relay (made by the first canvas, on the UI thread)."""
    global _RELAY
    if _RELAY is None:
        _RELAY = _RenderRelay()
    return _RELAY


def new_canvas_key(canvas) -> int:
    """Register ``canvas`` (UI thread) and return the number its render jobs report to."""
    key = next(_KEYS)
    render_relay().canvases[key] = canvas
    return key


class TileNotice:
    """The ``on_tile`` callback a tile basemap calls from its fetch threads (holds no canvas)."""

    def __init__(self, key: int):
        self.key = key

    def __call__(self, tile_key, data) -> None:
        render_relay().tile.emit(self.key)  # a tile to draw, or the server went offline (redraw says so)
