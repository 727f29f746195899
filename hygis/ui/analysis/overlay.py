"""The base of the analysis overlays drawn over the map canvas (adjacency links, coverage choropleth).

A :class:`CanvasOverlay` is a transparent child widget of the canvas: it keeps the canvas's size,
lets the mouse through and repaints when the view moves or a new map image is on screen.  The
canvas itself is not changed; subclasses paint through its public ``map_to_screen``.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QWidget


class CanvasOverlay(QWidget):
    """A transparent widget over ``canvas`` that follows its size and view."""

    def __init__(self, canvas: QWidget):
        super().__init__(canvas)
        self.canvas = canvas
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setGeometry(canvas.rect())
        self._follower = _ResizeFollower(self)
        canvas.installEventFilter(self._follower)
        for name in ("extentChanged", "renderDone"):
            signal = getattr(canvas, name, None)
            if signal is not None:
                signal.connect(self.update)


class _ResizeFollower(QObject):
    """Keeps the overlay the size of the canvas."""

    def __init__(self, overlay: CanvasOverlay):
        super().__init__(overlay)
        self.overlay = overlay

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt virtual)
        if event.type() == QEvent.Type.Resize:
            self.overlay.setGeometry(obj.rect())
        return False
