"""Live linked layers on the map: each view window is read from PostGIS off the UI thread.

When the map's extent settles (pan, zoom, resize, a project opened), every visible live layer
whose table has not been read for that window yet gets one read in a worker thread
(:class:`hygis.db.live.WindowReader`: a ``geom && window`` query the GiST index answers, at
most :data:`~hygis.db.live.WINDOW_LIMIT` rows).  The rows arrive on the UI thread, are added
to the layer (:func:`hygis.db.live.apply_window`) and the map redraws.  A failed read is one
line on the status bar; the map keeps what it has.

Reads that arrive late are never dropped and never shown for the wrong view: every read carries
its layer's sequence number; the newest read applied refreshes features the team changed (unless
edited here), an older one arriving after it only adds the features still missing (never putting
back an older version); the "first N features" note is shown only when the read's window is still
the view.  Features once read stay on the layer, so panning within them keeps them drawn.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from hygis.core.errors import HygisError

log = logging.getLogger(__name__)
SETTLE_MS = 150


class LiveWindows(QObject):
    """Feeds the live layers of ``canvas.project`` with the rows of the canvas's view window."""

    arrived = Signal(object, str, object, object)  # project, layer id, Window (the read and its answer), error
    windowApplied = Signal(str, int)  # layer id, features added (tests wait on this)

    def __init__(self, canvas):
        super().__init__(canvas)
        self.canvas = canvas
        self._project = None
        self._readers: dict[str, object] = {}
        self._busy: set[str] = set()
        self._again: set[str] = set()
        self._issued: dict[str, int] = {}  # layer id -> sequence number of its latest read
        self._applied: dict[str, int] = {}  # layer id -> sequence number of the newest read applied
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hygis-live")
        self._timer = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._timer.timeout.connect(self.fetch)
        self.arrived.connect(self._on_arrived)
        canvas.extentChanged.connect(lambda *_: self.schedule())
        canvas.destroyed.connect(lambda *_: self.close())

    def schedule(self) -> None:
        self._timer.start()

    def reader(self, layer_id: str):
        return self._readers.get(layer_id)

    def is_busy(self) -> bool:
        return bool(self._busy) or self._timer.isActive()

    def fetch(self) -> None:
        from hygis.db.live import WindowReader, live_links

        project = self.canvas.project
        if project is not self._project:
            self._forget()
            self._project = project
        if project is None:
            return
        bbox = tuple(float(v) for v in self.canvas.extent())
        for layer, link in live_links(project):
            if not layer.visible:
                continue
            reader = self._readers.get(layer.id)
            if reader is None:
                reader = self._readers[layer.id] = WindowReader(link)
            if reader.covers(bbox):
                continue
            if layer.id in self._busy:
                self._again.add(layer.id)  # read the newest window when this read is done
                continue
            self._busy.add(layer.id)
            window = self.issue(layer.id, bbox)
            self._pool.submit(self._read, project, reader, window)

    def issue(self, layer_id: str, bbox) -> "Window":
        """A new read of ``bbox`` for the layer, numbered after every earlier one."""
        self._issued[layer_id] = self._issued.get(layer_id, 0) + 1
        return Window(layer_id, tuple(float(v) for v in bbox), self._issued[layer_id])

    def _read(self, project, reader, window) -> None:  # the worker thread
        try:
            window.rows, window.truncated = reader.read(window.bbox)
            window.extent = reader.extent
        except HygisError as exc:
            self.arrived.emit(project, window.layer_id, window, exc)
        except Exception as exc:  # a bug: still reported, never lost in the thread
            log.exception("reading a view window failed")
            self.arrived.emit(project, window.layer_id, window, exc)
        else:
            self.arrived.emit(project, window.layer_id, window, None)

    def _on_arrived(self, project, layer_id, window, error) -> None:
        from hygis.db.live import apply_window, link_of

        self._busy.discard(layer_id)
        if project is not self.canvas.project:
            return
        layer = next((lyr for lyr in project.layers if lyr.id == layer_id), None)
        added = 0
        if layer is not None and error is not None:
            self.canvas.statusMessage.emit(_tr("{0}: {1}").format(layer.name, error))
        elif layer is not None:
            newest = window.seq > self._applied.get(layer_id, 0)
            added = apply_window(project, layer, window.rows, refresh=newest)
            if newest:
                self._applied[layer_id] = window.seq
            link = link_of(project, layer)
            if link is not None and window.extent and list(window.extent) != list(link.extent or []):
                link.extent = list(window.extent)  # the table grew or shrank since it was linked
            if window.truncated and self._is_view(window.bbox):
                self.canvas.statusMessage.emit(_tr("{0}: the first {1} features of this view are shown; zoom in "
                                                   "to see all").format(layer.name, f"{len(window.rows):,}"))
            if added:
                self.canvas.refresh()
        self.windowApplied.emit(layer_id, added)
        if layer_id in self._again:
            self._again.discard(layer_id)
            self.schedule()

    def _is_view(self, bbox) -> bool:
        view = tuple(float(v) for v in self.canvas.extent())
        return all(abs(a - b) <= 1e-9 * max(1.0, abs(b)) for a, b in zip(bbox, view))

    def _forget(self) -> None:
        readers, self._readers = self._readers, {}
        self._busy.clear()
        self._again.clear()
        self._applied.clear()
        for r in readers.values():
            self._pool.submit(r.close)  # its connection belongs to the worker thread

    def close(self) -> None:
        self._forget()
        self._pool.shutdown(wait=False)


class Window:
    """One view-window read of a layer: its box, sequence number and, once read, its rows."""

    def __init__(self, layer_id: str, bbox: tuple, seq: int):
        self.layer_id, self.bbox, self.seq = layer_id, bbox, seq
        self.rows: dict = {}
        self.truncated = False
        self.extent = None


def _tr(text: str) -> str:
    return QCoreApplication.translate("LiveWindows", text)
