"""The layer panel: the project's layers, topmost first, with show/hide, opacity, reorder, rename, remove.

:class:`LayerListModel` observes ``project.layers`` (inserted/removed/moved and
child events) and turns the view's gestures into commands (SetLayerProperty,
MoveLayer, RenameLayer, RemoveLayer) run through ``project.execute``; it never
changes a layer directly.  Row 0 is the top of the map (the last layer drawn).
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QByteArray, QEvent, QMimeData, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QLabel, QMenu, QSlider, QToolButton, QTreeView,
                               QVBoxLayout, QWidget)

from hygis.project.commands import Label, MoveLayer, RemoveLayer, RenameLayer, SetLayerProperty
from hygis.core.errors import HygisError
from hygis.layers.schema import SCHEMAS
from hygis.ui.icons import kind_icon
from hygis.ui.error_dialog import error_message

MIME = "application/x-hygis-layer-row"
LayerRole = Qt.ItemDataRole.UserRole + 1


class LayerListModel(QAbstractListModel):
    """Rows = layers of a project, topmost (last drawn) first.

    Signals: ``editFailed(str)`` when a command is refused (e.g. a duplicate name).
    """

    editFailed = Signal(str)

    def __init__(self, project=None, parent=None):
        super().__init__(parent)
        self.project = None
        #: ids of the layers in edit mode (shown bold with "✎ editing")
        self.editing_ids: set = set()
        self.set_project(project)

    def set_editing(self, layer, on: bool) -> None:
        """Mark ``layer`` as in (or out of) edit mode in the list."""
        (self.editing_ids.add if on else self.editing_ids.discard)(layer.id)
        if self.project is not None and layer in list(self.project.layers):
            index = self.index_of_layer(layer)
            self.dataChanged.emit(index, index)

    # -- binding ---------------------------------------------------------------------------
    def set_project(self, project) -> None:
        self.beginResetModel()
        if self.project is not None:
            ev = self.project.layers.events
            for name, cb in self._handlers():
                getattr(ev, name).disconnect(cb)
        self.project = project
        if project is not None:
            for name, cb in self._handlers():
                getattr(project.layers.events, name).connect(cb)
        self.endResetModel()

    def _handlers(self):
        return (("inserted", self._on_inserted), ("removed", self._on_removed),
                ("moved", self._on_moved), ("layer_changed", self._on_layer_changed))

    def _n(self) -> int:
        return len(self.project.layers) if self.project is not None else 0

    def row_of(self, layer_index: int) -> int:
        """View row of the layer at ``project.layers[layer_index]``."""
        return self._n() - 1 - layer_index

    def layer_at(self, row: int):
        n = self._n()
        return self.project.layers[n - 1 - row] if 0 <= row < n else None

    def index_of_layer(self, layer) -> QModelIndex:
        return self.index(self.row_of(self.project.layers.index(layer)), 0)

    def _on_inserted(self, index, layer) -> None:
        # the list already holds the layer: the view row counts from the new length
        row = self.row_of(index)
        self.beginInsertRows(QModelIndex(), row, row)
        self.endInsertRows()

    def _on_removed(self, index, layer) -> None:
        row = self._n() - index  # length before removal − 1 − index
        self.beginRemoveRows(QModelIndex(), row, row)
        self.endRemoveRows()

    def _on_moved(self, old, new) -> None:
        n = self._n()
        src, dst = n - 1 - old, n - 1 - new
        # Qt's destination is the row *before which* the item goes, in pre-move numbering
        self.beginMoveRows(QModelIndex(), src, src, QModelIndex(), dst + 1 if dst > src else dst)
        self.endMoveRows()

    def _on_layer_changed(self, layer, event_name, *args) -> None:
        if event_name in ("name", "visible", "data", "style", "filter"):
            idx = self.index_of_layer(layer)
            self.dataChanged.emit(idx, idx)

    # -- read ------------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self._n()

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        layer = self.layer_at(index.row()) if index.isValid() else None
        if layer is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            mark = "  ✎ " + self.tr("editing") if layer.id in self.editing_ids else ""
            return f"{layer.name}  ({self.feature_count_text(layer)}){mark}"
        if role == Qt.ItemDataRole.FontRole and layer.id in self.editing_ids:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and layer.id in self.editing_ids:
            return QColor("#b34700")
        if role == Qt.ItemDataRole.EditRole:
            return layer.name
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DecorationRole:
            return kind_icon(layer.kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(layer)
        if role == LayerRole:
            return layer
        return None

    def feature_count_text(self, layer) -> str:
        if layer.kind == "raster":
            return self.tr("raster")
        if layer.filter:
            return f"{len(layer.visible_data())}/{layer.feature_count}"
        return str(layer.feature_count)

    def _tooltip(self, layer) -> str:
        schema = SCHEMAS.get(layer.kind)
        kind = self.tr(schema.label_en) if schema else self.tr(layer.kind)
        lines = [layer.name, self.tr("Kind: {kind}").format(kind=kind)]
        if layer.kind != "raster":
            lines.append(self.tr("{n} features").format(n=layer.feature_count))
        if getattr(layer, "filter", ""):
            lines.append(self.tr("Filter: {expr}").format(expr=layer.filter))
        if getattr(layer, "source", ""):
            lines.append(self.tr("Source: {src}").format(src=layer.source))
        return "\n".join(lines)

    def flags(self, index):
        base = super().flags(index)
        if not index.isValid():
            return base | Qt.ItemFlag.ItemIsDropEnabled
        return (base | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEditable
                | Qt.ItemFlag.ItemIsDragEnabled)

    # -- write: every change is a command ----------------------------------------------------
    def _execute(self, command_factory) -> bool:
        try:
            self.project.execute(command_factory())
        except HygisError as exc:
            self.editFailed.emit(error_message(exc))
            return False
        return True

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        layer = self.layer_at(index.row()) if index.isValid() else None
        if layer is None:
            return False
        if role == Qt.ItemDataRole.CheckStateRole:
            visible = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
            if visible == layer.visible:
                return False
            label = Label("Show {name}" if visible else "Hide {name}", name=layer.name)
            return self._execute(lambda: SetLayerProperty(layer, "visible", visible, label=label))
        if role == Qt.ItemDataRole.EditRole:
            name = str(value).strip()
            if name == layer.name:
                return False
            return self._execute(lambda: RenameLayer(layer, name, self.project.layers))
        return False

    def move_row(self, src_row: int, dst_row: int) -> bool:
        """Move the layer shown at ``src_row`` so it is shown at ``dst_row`` (a MoveLayer command)."""
        n = self._n()
        if not (0 <= src_row < n and 0 <= dst_row < n) or src_row == dst_row:
            return False
        return self._execute(lambda: MoveLayer(self.project, n - 1 - src_row, n - 1 - dst_row))

    def remove_row(self, row: int) -> bool:
        layer = self.layer_at(row)
        return layer is not None and self._execute(lambda: RemoveLayer(self.project, layer))

    # -- drag and drop ------------------------------------------------------------------------
    def supportedDropActions(self):  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self):  # noqa: N802
        return [MIME]

    def mimeData(self, indexes):  # noqa: N802
        mime = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        if rows:
            mime.setData(MIME, QByteArray(str(rows[0]).encode()))
        return mime

    def dropMimeData(self, mime, action, row, column, parent) -> bool:  # noqa: N802
        if action != Qt.DropAction.MoveAction or not mime.hasFormat(MIME):
            return False
        src = int(bytes(mime.data(MIME)).decode() or -1)
        if row < 0:  # dropped on an item (or below the last one)
            row = parent.row() if parent.isValid() else self._n()
        dst = row - 1 if row > src else row  # Qt's row is "insert before" in pre-move numbering
        return self.move_row(src, min(max(dst, 0), self._n() - 1))

    def removeRows(self, row, count, parent=QModelIndex()) -> bool:  # noqa: N802
        return False  # the move already happened in dropMimeData; never let the view delete layers


class LayerPanel(QWidget):
    """Tree of layers + opacity slider for the current layer.

    Signals: ``currentLayerChanged(object)``, ``styleRequested(object)`` (double-click),
    ``zoomRequested(object)``, ``errorRaised(str)``.
    """

    currentLayerChanged = Signal(object)
    styleRequested = Signal(object)
    zoomRequested = Signal(object)
    errorRaised = Signal(str)

    def __init__(self, project=None, parent=None):
        super().__init__(parent)
        self.model = LayerListModel(project, self)
        self.model.editFailed.connect(self.errorRaised)
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setHeaderHidden(True)
        self.view.setRootIsDecorated(False)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.SelectedClicked)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        #: ``extra(menu, layer)`` callables adding window-level entries to the context menu
        self.context_extras: list = []
        self.view.customContextMenuRequested.connect(self._on_context_menu)
        self.view.doubleClicked.connect(self._on_double_clicked)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.opacity_label = QLabel()
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal)
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setEnabled(False)
        self.opacity_slider.sliderPressed.connect(self._on_slider_pressed)
        self.opacity_slider.sliderReleased.connect(self._on_slider_released)
        self.opacity_slider.valueChanged.connect(self._on_slider_value)
        self.remove_button = QToolButton()
        self.remove_button.clicked.connect(self.remove_current)
        row = QHBoxLayout()
        row.addWidget(self.opacity_label)
        row.addWidget(self.opacity_slider, 1)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        self._bound = None
        self._drag_start = None
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.opacity_label.setText(self.tr("Opacity"))
        self.remove_button.setText("−")
        self.remove_button.setToolTip(self.tr("Remove layer"))
        self.opacity_slider.setToolTip(self.tr("Opacity of the selected layer"))

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    @property
    def project(self):
        return self.model.project

    def set_project(self, project) -> None:
        self._bind_layer(None)
        self.model.set_project(project)
        if project is not None and len(project.layers):
            self.view.setCurrentIndex(self.model.index(0, 0))

    # -- current layer ------------------------------------------------------------------------
    def current_layer(self):
        idx = self.view.currentIndex()
        return self.model.layer_at(idx.row()) if idx.isValid() else None

    def set_current_layer(self, layer) -> None:
        if layer is not None and self.project is not None and layer in self.project.layers:
            self.view.setCurrentIndex(self.model.index_of_layer(layer))

    def _on_current_changed(self, current, previous) -> None:
        layer = self.model.layer_at(current.row()) if current.isValid() else None
        self._bind_layer(layer)
        self.currentLayerChanged.emit(layer)

    def _bind_layer(self, layer) -> None:
        if self._bound is not None:
            self._bound.events.opacity.disconnect(self._on_layer_opacity)
        self._bound = layer
        self.opacity_slider.setEnabled(layer is not None)
        if layer is not None:
            layer.events.opacity.connect(self._on_layer_opacity)
            self._on_layer_opacity(layer.opacity)

    # -- opacity: live while dragging, one command when the gesture ends ------------------------
    def _on_layer_opacity(self, value) -> None:
        self.opacity_slider.blockSignals(True)
        self.opacity_slider.setValue(int(round(float(value) * 100)))
        self.opacity_slider.blockSignals(False)

    def _on_slider_pressed(self) -> None:
        self._drag_start = self._bound.opacity if self._bound is not None else None

    def _on_slider_value(self, value: int) -> None:
        layer = self._bound
        if layer is None:
            return
        if self.opacity_slider.isSliderDown():
            layer.opacity = value / 100.0  # live preview; the command is pushed on release
        else:
            self._commit_opacity(value / 100.0, layer.opacity)

    def _on_slider_released(self) -> None:
        layer, start = self._bound, self._drag_start
        self._drag_start = None
        if layer is None or start is None:
            return
        new = self.opacity_slider.value() / 100.0
        with layer.events.opacity.blocker():
            layer.opacity = start
        self._commit_opacity(new, start)

    def _commit_opacity(self, new: float, old: float) -> None:
        layer = self._bound
        if layer is None or abs(new - old) < 1e-9:
            return
        self.model._execute(lambda: SetLayerProperty(
            layer, "opacity", new, label=Label("Opacity of {name}", name=layer.name)))

    # -- actions ---------------------------------------------------------------------------------
    def remove_current(self) -> None:
        idx = self.view.currentIndex()
        if idx.isValid():
            self.model.remove_row(idx.row())

    def rename_current(self) -> None:
        idx = self.view.currentIndex()
        if idx.isValid():
            self.view.edit(idx)

    def _on_double_clicked(self, index) -> None:
        layer = self.model.layer_at(index.row())
        if layer is not None:
            self.styleRequested.emit(layer)

    def _on_context_menu(self, pos) -> None:
        index = self.view.indexAt(pos)
        layer = self.model.layer_at(index.row()) if index.isValid() else None
        if layer is None:
            return
        self.view.setCurrentIndex(index)
        self.context_menu(layer).exec(self.view.viewport().mapToGlobal(pos))

    def context_menu(self, layer) -> QMenu:
        """The context menu of ``layer``: zoom, style, rename, the window's extras, remove."""
        menu = QMenu(self)
        menu.addAction(self.tr("Zoom to Layer"), lambda: self.zoomRequested.emit(layer))
        if layer.kind != "raster":
            menu.addAction(self.tr("Style…"), lambda: self.styleRequested.emit(layer))
        menu.addAction(self.tr("Rename"), self.rename_current)
        for extra in self.context_extras:
            extra(menu, layer)
        menu.addSeparator()
        menu.addAction(self.tr("Remove Layer"), self.remove_current)
        return menu
