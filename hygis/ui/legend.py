"""The legend dock: for each visible layer (topmost first) its style's rows with colour swatches.

Rows come from :func:`hygis.layers.style.class_colors`, the same function the
rendered legend uses, so the dock and exported maps agree.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from hygis.layers.style import ILLUSTRATIVE_LABEL, class_colors, has_illustrative, ramp_colors
from hygis.ui.i18n import current_language
from hygis.ui.icons import kind_icon, swatch_pixmap
from hygis.ui.i18n import value_label

_SHAPES = {"polygon": "rect", "line": "line", "point": "point"}




def _number(value: float) -> str:
    """A legend number: 3 significant digits, float noise shown as 0."""
    return "0" if abs(value) < 1e-6 else f"{value:.3g}"


class LegendWidget(QTreeWidget):
    """Read-only legend; rebuilt (debounced) whenever layers or their styles change."""

    def __init__(self, project=None, parent=None):
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setIconSize(QSize(16, 16))
        self.setRootIsDecorated(False)
        self.setIndentation(14)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.rebuild)
        self.project = None
        self.set_project(project)

    def set_project(self, project) -> None:
        if self.project is not None:
            for name in ("inserted", "removed", "moved", "layer_changed"):
                getattr(self.project.layers.events, name).disconnect(self._schedule)
        self.project = project
        if project is not None:
            for name in ("inserted", "removed", "moved", "layer_changed"):
                getattr(project.layers.events, name).connect(self._schedule)
        self.rebuild()

    def _schedule(self, *args) -> None:
        if len(args) >= 2 and args[1] in ("selection", "opacity"):
            return
        self._timer.start()

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self._schedule()
        super().changeEvent(event)

    def rebuild(self) -> None:
        """Rebuild all rows from the project's visible layers."""
        self.clear()
        if self.project is None:
            return
        for layer in reversed(list(self.project.layers)):
            if layer.visible:
                self.addTopLevelItem(self._layer_item(layer))
        self.expandAll()

    def _layer_item(self, layer) -> QTreeWidgetItem:
        item = QTreeWidgetItem([layer.name])
        if layer.kind == "raster":
            item.setIcon(0, kind_icon("raster"))
            style = layer.style
            lo, hi = layer.band_range(style.band) if style.vmin is None or style.vmax is None else (0, 0)
            vmin = style.vmin if style.vmin is not None else lo
            vmax = style.vmax if style.vmax is not None else hi
            cols = ramp_colors(style.ramp, 2)
            for label, colour in ((_number(vmax), cols[1]), (_number(vmin), cols[0])):
                child = QTreeWidgetItem([label])
                child.setIcon(0, QIcon(swatch_pixmap(colour)))
                item.addChild(child)
            return item
        style = layer.style
        shape = _SHAPES.get(layer.geometry_type, "rect")
        rows = class_colors(style)
        if style.mode == "single" or not rows:
            fill = style.stroke if shape == "line" else style.fill
            item.setIcon(0, QIcon(swatch_pixmap(fill, style.stroke, shape=shape)))
        else:
            item.setIcon(0, kind_icon(layer.kind))
            for label, colour in rows:
                text = value_label(label) if style.mode == "categorized" else label
                child = QTreeWidgetItem([text])
                child.setIcon(0, QIcon(swatch_pixmap(colour, style.stroke, shape=shape)))
                item.addChild(child)
        if has_illustrative(layer):  # invented or unpublished extents: dashed and hatched on the map
            zh = current_language().startswith("zh")
            child = QTreeWidgetItem([ILLUSTRATIVE_LABEL[0] if zh else ILLUSTRATIVE_LABEL[1]])
            colour = rows[0][1] if rows and style.mode != "single" else (style.stroke if shape == "line" else style.fill)
            child.setIcon(0, QIcon(swatch_pixmap(colour, style.stroke, shape=shape, illustrative=True)))
            item.addChild(child)
        return item
