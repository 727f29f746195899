"""A QPainter that is always ended, and Qt's enums created on the UI thread before workers draw.

A painter left active on an image that is then freed crashes the process (Qt prints "Cannot
destroy paint device that is being painted"; the painter's later ``end()`` writes into freed
memory).  An exception raised while drawing — a broken layer, a bug — would do exactly that
to the local images of the map drawing, so every offscreen painter goes through
:func:`painting`.
"""

from __future__ import annotations

from contextlib import contextmanager

from PySide6.QtGui import QPainter

from hygis.core.errors import HygisError


@contextmanager
def painting(device, antialias: bool = False, error: str = "Cannot start drawing (is the output writable?)"):
    """``with painting(image) as p:`` — a painter on ``device``, ended however the block exits
    (``error``: the message when the device cannot be painted on, e.g. an unwritable PDF)."""
    painter = QPainter()
    if not painter.begin(device):
        raise HygisError(error)
    if antialias:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    try:
        yield painter
    finally:
        if painter.isActive():
            painter.end()


_ENUMS_READY = False


def create_enums_on_ui_thread() -> None:
    """Create, on the UI thread, the Qt enums the map drawing uses, before a worker thread draws.

    PySide6 builds each enum type the first time it is looked up, in Python code that can
    switch threads midway: a render worker and the UI thread looking up the same enum for
    the first time at once make one of them fail (``type object 'Qt' has no attribute
    'BrushStyle'``), and a map drawing failing mid-paint used to crash.  Once created, the
    lookups are plain attribute reads.  Costs a few tens of milliseconds, once.
    """
    global _ENUMS_READY
    if _ENUMS_READY:
        return
    from PySide6 import QtCore, QtGui

    for cls in (QtCore.Qt, QtGui.QPainter, QtGui.QImage, QtGui.QFont, QtGui.QFontDatabase, QtGui.QPen,
                QtGui.QBrush, QtGui.QColor, QtGui.QPainterPath, QtGui.QTransform, QtGui.QTextOption,
                QtGui.QPaintEngine, QtGui.QFontMetricsF, QtGui.QPolygonF, QtGui.QGradient, QtGui.QPageSize,
                QtGui.QPageLayout, QtGui.QPagedPaintDevice, QtGui.QImageReader, QtGui.QImageWriter):
        for name in dir(cls):
            if name[:1].isupper():
                getattr(cls, name, None)
    _ENUMS_READY = True
