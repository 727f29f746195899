"""Logging: a rotating log file in the user's log folder, warnings on stderr.

``setup_logging(debug)`` is called once by :func:`hygis.cli.main` (CLI and desktop app).
The file is ``hygis.log`` in ``$HYGIS_LOG_DIR`` or ``platformdirs.user_log_dir('hygis')``,
rotated at 1 MB with 3 old files kept, so it never grows without bound.  If the folder
cannot be written, logging goes to stderr only: logging never stops the app.  A log file that
stops taking writes (a full disk, a file size limit) is skipped silently: the command's one-line
error still reaches the user, never a "Logging error" traceback.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

ENV_LOG_DIR = "HYGIS_LOG_DIR"
LOG_FILE = "hygis.log"
MAX_BYTES = 1024 * 1024
BACKUP_COUNT = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d]: %(message)s"

_HANDLER_FLAG = "_hygis_handler"


def _console_filter(record: logging.LogRecord) -> bool:
    """Records logged with ``extra=FILE_ONLY`` go to the log file only (the CLI/UI already
    told the user in one line; the file keeps the traceback)."""
    return getattr(record, "console", True)


def _console_filter_quiet(record: logging.LogRecord) -> bool:
    """Without --debug only hygis' own messages reach stderr; library warnings (GDAL via
    rasterio/pyogrio, Python warnings) go to the file: the CLI's contract is one clear line."""
    return _console_filter(record) and (record.name == "root" or record.name.split(".")[0] == "hygis")


#: ``logger.error(..., extra=FILE_ONLY)``: write to the log file, not to stderr.
FILE_ONLY = {"console": False}


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is now (tests and the GUI may replace it)."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


class _LogFileHandler(logging.handlers.RotatingFileHandler):
    """The rotating log file; a record it cannot write (disk full, ``ulimit -f``) is dropped quietly."""

    def handleError(self, record):  # noqa: N802 - logging's name
        pass


def log_dir() -> Path:
    """The folder of the log file (``$HYGIS_LOG_DIR`` overrides, for tests)."""
    env = os.environ.get(ENV_LOG_DIR)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_log_dir("hygis", appauthor=False))


def setup_logging(debug: bool = False) -> Path | None:
    """Configure the root logger: rotating file (INFO, DEBUG with ``debug``) + stderr (WARNING,
    DEBUG with ``debug``).  Safe to call again (replaces what it installed before).

    Returns
    -------
    Path or None
        The log file, or None if it could not be opened.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_FLAG, False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    formatter = logging.Formatter(FORMAT)

    console = _StderrHandler()
    console.setLevel(logging.DEBUG if debug else logging.WARNING)
    console.setFormatter(logging.Formatter("hygis: %(levelname)s: %(message)s"))
    console.addFilter(_console_filter if debug else _console_filter_quiet)
    setattr(console, _HANDLER_FLAG, True)
    root.addHandler(console)
    logging.captureWarnings(True)

    path = log_dir() / LOG_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        file_handler = _LogFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT,
                                                            encoding="utf-8", delay=True)
    except OSError:
        return None
    file_handler.setLevel(logging.DEBUG if debug else logging.INFO)
    file_handler.setFormatter(formatter)
    setattr(file_handler, _HANDLER_FLAG, True)
    root.addHandler(file_handler)
    for noisy in ("fiona", "rasterio", "pyogrio", "matplotlib", "PIL", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path


def log_file() -> Path | None:
    """The log file currently written (None before :func:`setup_logging`)."""
    for handler in logging.getLogger().handlers:
        if getattr(handler, _HANDLER_FLAG, False) and isinstance(handler, logging.FileHandler):
            return Path(handler.baseFilename)
    return None
