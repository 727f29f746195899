"""The attribute table: a dockable QTableView over a model that reads the layer's frame directly.

Nothing is copied and there is no widget per cell: :class:`LayerTableModel`
keeps only an integer array ``rows`` (positions into ``layer.data`` after the
table's filter, in the table's sort order), so a 100 000-feature layer opens at
once.  Sorting and filtering are vectorized on the frame (pandas), cell edits
become :class:`~hygis.project.commands.ChangeAttribute` commands validated by the
layer's schema, and the row selection and ``layer.selection`` follow each other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QItemSelection, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QInputDialog, QLabel, QLineEdit,
                               QPushButton, QStyledItemDelegate, QTableView, QVBoxLayout, QWidget)

from hygis.project.commands import AddField, ChangeAttribute, RemoveField
from hygis.core.errors import HygisError
from hygis.layers.expressions import evaluate_filter, is_expression_for
from hygis.layers.schema import SCHEMAS
from hygis.layers.style import ILLUSTRATIVE_FIELD
from hygis.ui.attribute_form import choice_label, field_label
from hygis.ui.error_dialog import error_message

_ROLE_EDIT = Qt.ItemDataRole.EditRole
_ROLE_DISPLAY = Qt.ItemDataRole.DisplayRole
#: Labels of extra columns outside the schemas that the sample data and hygis itself write
#: (the 示意 marking on every layer, the enclaves' origin county): (Chinese, English).
EXTRA_FIELD_LABELS = {ILLUSTRATIVE_FIELD: ("数据状态", "Data status"), "origin_county": ("来源县（区）", "Origin county")}


def _extra_label(name: str) -> str:
    from hygis.ui.i18n import current_language

    labels = EXTRA_FIELD_LABELS.get(name)
    return name if labels is None else labels[0 if current_language() == "zh_CN" else 1]


def _display(value) -> str:
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float):
        return "" if value != value else f"{value:.6g}"
    return str(value)


class LayerTableModel(QAbstractTableModel):
    """Rows = features of a vector layer (filtered/sorted), columns = its fields.

    Signals: ``editFailed(str)`` with the message when an edit is refused.
    """

    editFailed = Signal(str)

    def __init__(self, layer, project, parent=None):
        super().__init__(parent)
        self.layer, self.project = layer, project
        self.rows = np.arange(len(layer.data))
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._filter_text, self._filter_mode = "", "auto"
        self._columns = layer.fields
        layer.events.data.connect(self._on_layer_data)

    def close(self) -> None:
        self.layer.events.data.disconnect(self._on_layer_data)

    # -- Qt model interface --------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._columns)

    @property
    def columns(self) -> list[str]:
        return self._columns

    def fid(self, row: int) -> int:
        return int(self.layer.data.index[self.rows[row]])

    def _spec(self, column: str):
        schema = SCHEMAS.get(self.layer.kind)
        return schema.field(column) if schema else None

    def data(self, index: QModelIndex, role=_ROLE_DISPLAY):
        if not index.isValid() or role not in (_ROLE_DISPLAY, _ROLE_EDIT):
            return None
        frame = self.layer.data
        col = frame.columns.get_loc(self._columns[index.column()])
        value = frame.iat[int(self.rows[index.row()]), col]
        if role == _ROLE_EDIT:
            return None if value is None or value is pd.NA or (isinstance(value, float) and value != value) else value
        spec = self._spec(self._columns[index.column()])
        text = _display(value)
        if self._columns[index.column()] == ILLUSTRATIVE_FIELD:  # 示意 / 有出处
            return choice_label(text) if text else text
        return choice_label(text) if spec is not None and spec.choices and text else text

    def headerData(self, section: int, orientation, role=_ROLE_DISPLAY):
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Vertical and section < len(self.rows):
            return f"fid {self.fid(section)}"
        if role != _ROLE_DISPLAY:
            return None
        if orientation == Qt.Orientation.Horizontal:
            name = self._columns[section]
            spec = self._spec(name)
            return f"{field_label(spec)}" if spec is not None else _extra_label(name)
        return str(section + 1) if section < len(self.rows) else None  # 1-based row numbers (fid: tooltip)

    def flags(self, index: QModelIndex):
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        spec = self._spec(self._columns[index.column()]) if index.isValid() else None
        if spec is not None and spec.computed:
            return base
        return base | Qt.ItemFlag.ItemIsEditable

    def setData(self, index: QModelIndex, value, role=_ROLE_EDIT) -> bool:
        if role != _ROLE_EDIT or not index.isValid():
            return False
        fid, field = self.fid(index.row()), self._columns[index.column()]
        if isinstance(value, str) and not value.strip() and self._spec(field) is None:
            value = None
        try:
            old = self.layer.data.at[fid, field]
            if _display(old) == _display(value):
                return False
            self.project.execute(ChangeAttribute(self.layer, fid, field, value))
        except HygisError as exc:
            self.editFailed.emit(f"{self.headerData(index.column(), Qt.Orientation.Horizontal)}: {error_message(exc)}")
            return False
        return True

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sort on the frame (column < 0: back to feature order)."""
        self._sort = (column, order) if 0 <= column < len(self._columns) else None
        self.layoutAboutToBeChanged.emit()
        self.rows = self._ordered(self.rows) if self._sort else np.sort(self.rows)
        self.layoutChanged.emit()

    # -- filtering and sorting on the frame ----------------------------------------------
    def set_filter(self, text: str, mode: str = "auto") -> None:
        """Show only rows matching ``text``: mode 'text' (substring in any field), 'expression'
        (the filter language) or 'auto' (an expression when it is a valid filter naming only this
        layer's fields, e.g. ``year_opened >= 2020``; else a text search, e.g. ``杭州``).

        Raises HygisError for an invalid expression (the table is unchanged).
        """
        mask = self._mask(text, mode)
        self._filter_text, self._filter_mode = text, mode
        self.beginResetModel()
        self.rows = self._ordered(np.flatnonzero(mask))
        self.endResetModel()

    def _mask(self, text: str, mode: str) -> np.ndarray:
        frame = self.layer.data
        text = (text or "").strip()
        if not text:
            return np.ones(len(frame), dtype=bool)
        if mode == "expression" or (mode == "auto" and is_expression_for(text, frame.columns)):
            return evaluate_filter(frame, text)
        mask = np.zeros(len(frame), dtype=bool)
        for name in self._columns:
            mask |= frame[name].astype(str).str.contains(text, case=False, regex=False, na=False).to_numpy()
        return mask

    def _ordered(self, rows: np.ndarray) -> np.ndarray:
        if self._sort is None or len(rows) == 0:
            return rows
        column, order = self._sort
        series = self.layer.data[self._columns[column]].iloc[rows]
        ascending = order == Qt.SortOrder.AscendingOrder
        try:
            keys = series.reset_index(drop=True).sort_values(ascending=ascending, kind="stable",
                                                            na_position="last").index.to_numpy()
        except TypeError:  # mixed types: compare as text
            keys = series.astype(str).reset_index(drop=True).sort_values(
                ascending=ascending, kind="stable").index.to_numpy()
        return rows[keys]

    def _on_layer_data(self, reason: str = "") -> None:
        self.beginResetModel()
        self._columns = self.layer.fields
        try:
            mask = self._mask(self._filter_text, self._filter_mode)
        except HygisError:
            mask = np.ones(len(self.layer.data), dtype=bool)
        if self._sort is not None and self._sort[0] >= len(self._columns):
            self._sort = None
        self.rows = self._ordered(np.flatnonzero(mask))
        self.endResetModel()

    # -- selection helpers ---------------------------------------------------------------
    def rows_of_fids(self, fids) -> np.ndarray:
        """Table rows showing the features ``fids`` (sorted)."""
        positions = np.flatnonzero(self.layer.data.index.isin(list(fids)))
        return np.sort(np.flatnonzero(np.isin(self.rows, positions)))

    def fids_of_rows(self, rows) -> list[int]:
        idx = self.layer.data.index
        return [int(idx[self.rows[r]]) for r in rows]


def row_ranges(rows: np.ndarray):
    """Contiguous runs [(first, last), ...] of a sorted int array."""
    if len(rows) == 0:
        return []
    breaks = np.flatnonzero(np.diff(rows) != 1)
    starts = np.concatenate([[rows[0]], rows[breaks + 1]])
    ends = np.concatenate([rows[breaks], [rows[-1]]])
    return list(zip(starts.tolist(), ends.tolist()))


def select_rows(view, model: LayerTableModel, rows: np.ndarray) -> None:
    """Select whole rows in ``view`` with one QItemSelection (fast for large selections)."""
    selection = QItemSelection()
    last_col = max(0, model.columnCount() - 1)
    for first, last in row_ranges(rows):
        selection.select(model.index(first, 0), model.index(last, last_col))
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    view.selectionModel().select(selection, flags)


class ChoiceDelegate(QStyledItemDelegate):
    """Combo-box editor for fields with allowed values (the schema's choices)."""

    def createEditor(self, parent, option, index):
        model = index.model()
        spec = model._spec(model.columns[index.column()])
        if spec is None or not spec.choices:
            return super().createEditor(parent, option, index)
        combo = QComboBox(parent)
        if not spec.required:
            combo.addItem("", None)
        for choice in spec.choices:
            combo.addItem(choice_label(choice), choice)
        return combo

    def setEditorData(self, editor, index):
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(index.data(_ROLE_EDIT))))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor, model, index):
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), _ROLE_EDIT)
        else:
            super().setModelData(editor, model, index)


class AttributeTable(QWidget):
    """Dockable attribute table of one vector layer of the project (chosen in a combo)."""

    def __init__(self, project=None, canvas=None, parent=None):
        super().__init__(parent)
        self.project, self.canvas, self.layer = None, canvas, None
        self.model: LayerTableModel | None = None
        self._syncing = False
        self._build()
        self.set_project(project)

    def _build(self) -> None:
        self.layer_combo = QComboBox()
        self.layer_combo.currentIndexChanged.connect(self._on_layer_chosen)
        self.mode_combo = QComboBox()
        self.mode_combo.addItem(self.tr("Search or expression"), "auto")
        self.mode_combo.addItem(self.tr("Text"), "text")
        self.mode_combo.addItem(self.tr("Expression"), "expression")
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("Filter, e.g. 杭州 or year_opened >= 2020"))
        self.filter_edit.returnPressed.connect(self.apply_filter)
        self.mode_combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.zoom_button = QPushButton(self.tr("Zoom to selected"))
        self.zoom_button.clicked.connect(self.zoom_to_selected)
        self.add_field_button = QPushButton(self.tr("Add field…"))
        self.add_field_button.clicked.connect(self._ask_add_field)
        self.remove_field_button = QPushButton(self.tr("Remove field…"))
        self.remove_field_button.clicked.connect(self._ask_remove_field)
        top = QHBoxLayout()
        for w in (self.layer_combo, self.mode_combo, self.filter_edit, self.zoom_button,
                  self.add_field_button, self.remove_field_button):
            top.addWidget(w)
        top.setStretch(2, 1)
        self.view = QTableView()
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setItemDelegate(ChoiceDelegate(self.view))
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.setAlternatingRowColors(True)
        self.count_label = QLabel()
        self.message_label = QLabel()
        self.message_label.setStyleSheet("color: #b00020;")
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addWidget(self.message_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)

    # -- project and layer ------------------------------------------------------------------
    def set_project(self, project) -> None:
        if self.project is not None:
            self.project.layers.events.inserted.disconnect(self._on_layers_changed)
            self.project.layers.events.removed.disconnect(self._on_layers_changed)
        self.project = project
        if project is not None:
            project.layers.events.inserted.connect(self._on_layers_changed)
            project.layers.events.removed.connect(self._on_layers_changed)
        self._on_layers_changed()

    def _vector_layers(self) -> list:
        return [] if self.project is None else [lyr for lyr in self.project.layers if hasattr(lyr, "selection")]

    def _on_layers_changed(self, *args) -> None:
        layers = self._vector_layers()
        keep = self.layer if self.layer in layers else (layers[0] if layers else None)
        with _blocked(self.layer_combo):
            self.layer_combo.clear()
            for lyr in layers:
                self.layer_combo.addItem(lyr.name, lyr.id)
            self.layer_combo.setCurrentIndex(layers.index(keep) if keep is not None else -1)
        self.set_layer(keep)

    def _on_layer_chosen(self, index: int) -> None:
        layers = self._vector_layers()
        self.set_layer(layers[index] if 0 <= index < len(layers) else None)

    def set_layer(self, layer) -> None:
        """Show ``layer``'s features (None: empty table)."""
        if layer is self.layer and self.model is not None:
            return
        if self.model is not None:
            self.model.close()
            self.layer.events.selection.disconnect(self._on_layer_selection)
            self.layer.events.data.disconnect(self._after_data)
        self.layer = layer
        self.model = LayerTableModel(layer, self.project, self) if layer is not None else None
        self.view.setModel(self.model)
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # rows in fid order
        if layer is not None:
            self.model.editFailed.connect(self.show_message)
            self.model.modelAboutToBeReset.connect(self._remember_current)
            self.model.modelReset.connect(self._restore_current)
            self.fit_columns()
            self.view.selectionModel().selectionChanged.connect(self._on_view_selection)
            layer.events.selection.connect(self._on_layer_selection)
            layer.events.data.connect(self._after_data)
            idx = self.layer_combo.findData(layer.id)
            with _blocked(self.layer_combo):
                self.layer_combo.setCurrentIndex(idx)
            self._on_layer_selection(layer.selection)
        generic = layer is not None and layer.kind not in SCHEMAS
        self.add_field_button.setEnabled(generic)
        self.remove_field_button.setEnabled(generic)
        self._update_count()

    def fit_columns(self, widest: int = 280) -> None:
        """Columns as wide as their header and the values in view (at most ``widest`` px each)."""
        self.view.resizeColumnsToContents()
        header = self.view.horizontalHeader()
        for c in range(header.count()):
            if header.sectionSize(c) > widest:
                header.resizeSection(c, widest)

    def _remember_current(self) -> None:
        index = self.view.currentIndex()
        self._current = (self.model.fid(index.row()), index.column()) if index.isValid() else None

    def _restore_current(self) -> None:
        """After an edit the model is rebuilt: keep the cursor on the edited feature and field."""
        current = getattr(self, "_current", None)
        if current is None or self.model is None:
            return
        rows = self.model.rows_of_fids([current[0]])
        if len(rows):
            index = self.model.index(int(rows[0]), current[1])
            self.view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.view.scrollTo(index)

    def _after_data(self, reason: str = "") -> None:
        self._on_layer_selection(self.layer.selection)
        self._update_count()

    def _update_count(self) -> None:
        if self.model is None:
            self.count_label.setText("")
            return
        self.count_label.setText(self.tr("%1 of %2 features, %3 selected")
                                 .replace("%1", str(len(self.model.rows)))
                                 .replace("%2", str(len(self.layer.data)))
                                 .replace("%3", str(len(self.layer.selection))))

    # -- filter --------------------------------------------------------------------------
    def apply_filter(self) -> None:
        if self.model is None:
            return
        try:
            self.model.set_filter(self.filter_edit.text(), self.mode_combo.currentData())
        except HygisError as exc:
            self.show_message(error_message(exc))
            return
        self.message_label.clear()
        self._on_layer_selection(self.layer.selection)
        self._update_count()

    def show_message(self, text: str) -> None:
        self.message_label.setText(text)

    # -- selection both ways ---------------------------------------------------------------
    def _on_view_selection(self, *args) -> None:
        if self._syncing or self.model is None:
            return
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        shown = set(self.model.fids_of_rows(range(len(self.model.rows))))
        hidden_selected = {f for f in self.layer.selection if f not in shown}
        self._syncing = True
        try:
            self.layer.selection = hidden_selected | set(self.model.fids_of_rows(rows))
        finally:
            self._syncing = False
        self._update_count()

    def _on_layer_selection(self, fids) -> None:
        if self._syncing or self.model is None:
            return
        self._syncing = True
        try:
            select_rows(self.view, self.model, self.model.rows_of_fids(fids))
        finally:
            self._syncing = False
        self._update_count()

    def zoom_to_selected(self) -> None:
        if self.layer is None or self.canvas is None or not self.layer.selection:
            return
        b = self.layer.data.loc[sorted(self.layer.selection)].total_bounds
        pad = max(b[2] - b[0], b[3] - b[1]) * 0.1 or 0.01
        self.canvas.set_extent((b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad))

    # -- fields of generic layers -----------------------------------------------------------
    def add_field(self, name: str, dtype: str = "str") -> None:
        self.project.execute(AddField(self.layer, name, dtype))

    def remove_field(self, name: str) -> None:
        self.project.execute(RemoveField(self.layer, name))

    def _ask_add_field(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("Add field"), self.tr("Field name:"))
        if not ok:
            return
        types = [self.tr("Text"), self.tr("Integer"), self.tr("Decimal")]
        kind, ok = QInputDialog.getItem(self, self.tr("Add field"), self.tr("Type:"), types, 0, False)
        if ok:
            self._run(self.add_field, name, ("str", "int", "float")[types.index(kind)])

    def _ask_remove_field(self) -> None:
        fields = self.layer.fields if self.layer is not None else []
        if not fields:
            return
        name, ok = QInputDialog.getItem(self, self.tr("Remove field"), self.tr("Field:"), fields, 0, False)
        if ok:
            self._run(self.remove_field, name)

    def _run(self, func, *args) -> None:
        try:
            func(*args)
        except HygisError as exc:
            self.show_message(error_message(exc))


class _blocked:
    def __init__(self, obj):
        self.obj = obj

    def __enter__(self):
        self.old = self.obj.blockSignals(True)

    def __exit__(self, *exc):
        self.obj.blockSignals(self.old)
