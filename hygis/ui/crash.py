"""What happens when hygis itself fails: nothing is lost silently.

* An exception nobody caught in a Qt slot or virtual (PySide calls ``sys.excepthook``) goes to
  the log file with its traceback and to the error dialog ("Something went wrong inside
  hygis…"); the app keeps running.  While that dialog is open, further exceptions (a broken
  ``paintEvent`` raises on every frame) are only logged, so the user never gets a pile of boxes.
* An exception in a worker thread (``threading.excepthook``) goes to the log file.
* A hard crash (segfault, abort in a C library) leaves faulthandler's Python traceback of
  every thread at the end of the log file.
"""

from __future__ import annotations

import faulthandler
import logging
import sys
import threading

log = logging.getLogger(__name__)

_state: dict = {"fault_file": None, "parent": None, "dialog": None, "installed": False}


def install_crash_reporting() -> None:
    """Install the hooks described in the module docstring (idempotent)."""
    _enable_faulthandler()
    if _state["installed"]:
        return
    _state["installed"] = True
    sys.excepthook = excepthook
    threading.excepthook = _thread_excepthook


def set_dialog_parent(widget) -> None:
    """The window the error dialog is shown over (the main window)."""
    _state["parent"] = widget


def _enable_faulthandler() -> None:
    from hygis.core.logs import log_file

    path = log_file()
    if path is None:
        faulthandler.enable()  # no log file: stderr is all there is
        return
    if _state["fault_file"] is not None and _state["fault_file"].name == str(path):
        return
    try:
        # its own descriptor in append mode: a crash report lands after the last log record
        fault_file = open(path, "a", encoding="utf-8")  # noqa: SIM115 (kept open for the process lifetime)
    except OSError:
        faulthandler.enable()
        return
    faulthandler.enable(file=fault_file, all_threads=True)
    old, _state["fault_file"] = _state["fault_file"], fault_file
    if old is not None:
        old.close()


def fault_file_path() -> str | None:
    """The file faulthandler writes to (None: stderr)."""
    f = _state["fault_file"]
    return f.name if f is not None else None


def excepthook(exc_type, exc, tb) -> None:
    """Log an uncaught exception and show it in the error dialog (the app keeps running)."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    if exc is None:
        exc = exc_type()
    if exc.__traceback__ is None and tb is not None:
        exc = exc.with_traceback(tb)
    log.error("uncaught exception: %s: %s", exc_type.__name__, exc, exc_info=(exc_type, exc, tb))
    try:
        _show(exc)
    except Exception:  # the report itself must never raise out of the hook
        log.exception("could not show the error dialog")


def _show(exc: BaseException) -> None:
    from PySide6.QtCore import QThread
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None or QThread.currentThread() is not app.thread():
        return
    if _state["dialog"] is not None:
        return  # one dialog at a time; the log has every exception
    from hygis.ui.error_dialog import ErrorDialog, error_texts

    message, details = error_texts(exc)
    dialog = ErrorDialog(message, details, _state["parent"])
    dialog.finished.connect(lambda _r: _state.update(dialog=None))
    _state["dialog"] = dialog
    dialog.open()


def current_dialog():
    """The error dialog the hook is showing (None when none is open)."""
    return _state["dialog"]


def _thread_excepthook(args) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "?"
    log.error("uncaught exception in thread %s: %s", name, args.exc_value,
              exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
