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

The worker thread holds no QObject: a read carries only the number of its :class:`LiveWindows`,
and its answer is emitted on one relay (:class:`_LiveRelay`, made on the UI thread, never deleted)
that hands it on the UI thread to that LiveWindows if it still exists and is open.  Closing the map
(its canvas destroyed, the window closed) cancels the query in flight and the reads not started, and
waits for the worker thread, so no read outlives its map.
"""

from __future__ import annotations

import itertools
import logging
import weakref
from concurrent.futures import ThreadPoolExecutor

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

from hygis.core.errors import HygisError

log = logging.getLogger(__name__)
SETTLE_MS = 150
CLOSE_WAIT_S = 30  # closing waits this long at most for a read the server does not let go of


class _LiveRelay(QObject):
    """Hands window reads from the worker threads to their :class:`LiveWindows`, on the UI thread.

    One per application, made on the UI thread and never deleted; workers emit on it with a number,
    never on a LiveWindows (a child of a canvas the UI thread may be deleting at that moment)."""

    arrived = Signal(int, object, str, object, object)  # number, project, layer id, Window, error

    def __init__(self):
        super().__init__()
        self.targets: "weakref.WeakValueDictionary[int, LiveWindows]" = weakref.WeakValueDictionary()
        self.arrived.connect(self._deliver)  # the relay lives on the UI thread: queued from workers

    @Slot(int, object, str, object, object)
    def _deliver(self, key, project, layer_id, window, error) -> None:
        target = self.targets.get(key)
        if target is not None and shiboken6.isValid(target) and not target.closed:
            target._on_arrived(project, layer_id, window, error)


_RELAY: _LiveRelay | None = None
_KEYS = itertools.count(1)


def _relay() -> _LiveRelay:
    global _RELAY
    if _RELAY is None:  # the first LiveWindows makes it, on the UI thread
        _RELAY = _LiveRelay()
    return _RELAY


def _read(relay: _LiveRelay, key: int, project, reader, window) -> None:  # the worker thread
    error = None
    try:
        window.rows, window.truncated = reader.read(window.bbox)
        window.extent = reader.extent
    except HygisError as exc:
        error = exc
    except Exception as exc:  # a bug: still reported, never lost in the thread
        log.exception("reading a view window failed")
        error = exc
    relay.arrived.emit(key, project, window.layer_id, window, error)


class LiveWindows(QObject):
    """Feeds the live layers of ``canvas.project`` with the rows of the canvas's view window."""

    windowApplied = Signal(str, int)  # layer id, features added (tests wait on this)

    def __init__(self, canvas):
        super().__init__(canvas)
        self.canvas = canvas
        self.closed = False
        self._relay = _relay()
        self._key = next(_KEYS)
        self._relay.targets[self._key] = self
        self._futures: list = []  # reads submitted (cancelled if not started when the map closes)
        self._project = None
        self._readers: dict[str, object] = {}
        self._busy: set[str] = set()
        self._again: set[str] = set()
        self._issued: dict[str, int] = {}  # layer id -> sequence number of its latest read
        self._applied: dict[str, int] = {}  # layer id -> sequence number of the newest read applied
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hygis-live")
        self._timer = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._timer.timeout.connect(self.fetch)
        canvas.extentChanged.connect(lambda *_: self.schedule())
        canvas.destroyed.connect(lambda *_: self.close())

    def schedule(self) -> None:
        if not self.closed:
            self._timer.start()

    def reader(self, layer_id: str):
        return self._readers.get(layer_id)

    def is_busy(self) -> bool:
        return bool(self._busy) or self._timer.isActive()

    def fetch(self) -> None:
        from hygis.db.live import WindowReader, live_links

        if self.closed:
            return
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
            self._futures = [f for f in self._futures if not f.done()]
            self._futures.append(self._pool.submit(_read, self._relay, self._key, project, reader, window))

    def issue(self, layer_id: str, bbox) -> "Window":
        """A new read of ``bbox`` for the layer, numbered after every earlier one."""
        self._issued[layer_id] = self._issued.get(layer_id, 0) + 1
        return Window(layer_id, tuple(float(v) for v in bbox), self._issued[layer_id])

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
        """Stop reading for good (the map closes): reads not started are cancelled, the query in
        flight is cancelled on the server, the readers' connections closed in the worker thread,
        and the worker thread waited for."""
        if self.closed:
            return
        self.closed = True
        self._timer.stop()
        self._relay.targets.pop(self._key, None)
        for future in self._futures:
            future.cancel()
        self._futures = []
        for reader in self._readers.values():
            reader.cancel()
        self._forget()
        import threading

        done = threading.Event()
        self._pool.submit(done.set)
        self._pool.shutdown(wait=False)
        if not done.wait(CLOSE_WAIT_S):  # a server that ignores the cancel: the thread ends with its read
            log.warning("a view-window read did not stop within %s s of closing the map", CLOSE_WAIT_S)


class Window:
    """One view-window read of a layer: its box, sequence number and, once read, its rows."""

    def __init__(self, layer_id: str, bbox: tuple, seq: int):
        self.layer_id, self.bbox, self.seq = layer_id, bbox, seq
        self.rows: dict = {}
        self.truncated = False
        self.extent = None


def _tr(text: str) -> str:
    return QCoreApplication.translate("LiveWindows", text)
