"""Long work off the UI thread: a progress dialog with Cancel, the window stays responsive.

``run_task(parent, title, fn, *args, **kw)`` calls ``fn(*args, progress=..., cancelled=..., **kw)``
in a worker thread and returns its result (or raises its exception) on the UI thread.

The contract for ``fn`` (same as the analysis functions' ``progress``/``cancelled``):

* ``progress(fraction)`` -- 0..1; it raises :class:`~hygis.core.errors.CancelledError` once the
  user pressed Cancel, so a function that reports progress stops promptly;
* ``cancelled()`` -- True once the user pressed Cancel;
* ``fn`` must not change the project: it computes and returns; the caller applies the
  result (usually as one command) on the UI thread.  So cancelling leaves data as it was.

``start_task`` is the non-blocking form: it returns a :class:`Task` whose signals
``succeeded(result)``, ``failed(exception)`` and ``cancelled()`` arrive on the UI thread.

No worker outlives the application: when it quits, :func:`stop_all` cancels the running tasks
and waits for their threads (a QThread destroyed while it runs aborts the process).
"""

from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from hygis.core.errors import CancelledError

log = logging.getLogger(__name__)

#: The dialog appears only for work that takes longer than this (milliseconds).
SHOW_AFTER_MS = 500
STEPS = 1000
_RUNNING: set["Task"] = set()  # a task without a parent must not be collected while its thread runs


class _Worker(QThread):
    progressed = Signal(float)
    done = Signal(object, object)  # result, exception

    def __init__(self, fn, args, kw, cancel_event: threading.Event):
        super().__init__()
        self._fn, self._args, self._kw = fn, args, kw
        self._cancel = cancel_event
        self._last_emit = 0.0

    def _progress(self, fraction) -> None:
        if self._cancel.is_set():
            raise CancelledError()
        now = time.monotonic()
        if now - self._last_emit >= 0.05 or fraction >= 1.0:  # at most 20 updates/s to the UI
            self._last_emit = now
            self.progressed.emit(float(fraction))

    def run(self) -> None:
        try:
            result = self._fn(*self._args, progress=self._progress, cancelled=self._cancel.is_set, **self._kw)
        except BaseException as exc:  # delivered to the UI thread, never lost in the worker
            self.done.emit(None, exc)
        else:
            if self._cancel.is_set():
                self.done.emit(None, CancelledError())
            else:
                self.done.emit(result, None)


class Task(QObject):
    """A running task; signals arrive on the UI thread."""

    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, parent: QWidget | None, title: str, fn, args, kw):
        super().__init__(parent)
        self.result = None
        self.error: BaseException | None = None
        self.is_finished = False
        self._cancel = threading.Event()
        self.dialog = QProgressDialog(title, self.tr("Cancel"), 0, STEPS, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(SHOW_AFTER_MS)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setValue(0)
        self.dialog.canceled.connect(self.cancel)
        self._worker = _Worker(fn, args, kw, self._cancel)
        self._worker.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._worker.done.connect(self._on_done, Qt.ConnectionType.QueuedConnection)
        _RUNNING.add(self)
        _stop_all_on_quit()
        self._worker.start()

    def cancel(self) -> None:
        """Ask the work to stop (it stops at its next ``progress``/``cancelled`` check)."""
        if not self._cancel.is_set():
            self._cancel.set()
            self.dialog.setLabelText(self.tr("Cancelling…"))

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _on_progress(self, fraction: float) -> None:
        if not self.is_finished:
            self.dialog.setValue(int(max(0.0, min(1.0, fraction)) * STEPS))

    def _on_done(self, result, exc) -> None:
        self._worker.wait()
        self.is_finished = True
        _RUNNING.discard(self)
        self.dialog.canceled.disconnect(self.cancel)
        self.dialog.close()
        self.dialog.deleteLater()
        if exc is None:
            self.result = result
            self.succeeded.emit(result)
        else:
            self.error = exc
            if isinstance(exc, CancelledError):
                self.cancelled.emit()
            else:
                if not isinstance(exc, Exception):
                    log.error("task stopped by %r", exc)
                self.failed.emit(exc)
        self.finished.emit()


_QUIT_HOOKED = False


def _stop_all_on_quit() -> None:
    global _QUIT_HOOKED
    app = QCoreApplication.instance()
    if not _QUIT_HOOKED and app is not None:
        app.aboutToQuit.connect(stop_all)
        _QUIT_HOOKED = True


def stop_all(timeout_ms: int = 10_000) -> bool:
    """Cancel every running task and wait (up to ``timeout_ms`` in all) for its thread to end;
    True when none is left running.  Also for tasks whose window was already deleted."""
    tasks = list(_RUNNING)
    for task in tasks:
        task._cancel.set()
    deadline = time.monotonic() + timeout_ms / 1000
    stopped = True
    for task in tasks:
        left = max(0, int((deadline - time.monotonic()) * 1000))
        if task._worker.wait(left):
            if not task.is_finished:  # its window is gone, so _on_done never came: forget it here
                _RUNNING.discard(task)
        else:
            stopped = False
            log.warning("a background task did not stop within %d ms", timeout_ms)
    return stopped


def start_task(parent: QWidget | None, title: str, fn, *args, **kw) -> Task:
    """Start ``fn`` in a worker thread; returns the :class:`Task` (non-blocking)."""
    return Task(parent, title, fn, args, kw)


def run_task(parent: QWidget | None, title: str, fn, *args, **kw):
    """Run ``fn`` in a worker thread with a progress dialog; the UI keeps processing events.

    Returns ``fn``'s result on the UI thread, or raises its exception there
    (:class:`~hygis.core.errors.CancelledError` if the user cancelled).
    """
    task = start_task(parent, title, fn, *args, **kw)
    if not task.is_finished:
        loop = QEventLoop()
        task.finished.connect(loop.quit)
        if not task.is_finished:  # finished may have been delivered before the connect
            loop.exec()
    if task.error is not None:
        raise task.error
    return task.result
