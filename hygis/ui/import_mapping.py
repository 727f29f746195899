"""The import dialog's field-mapping grid: which file column (or constant) fills each field, and
how a column's own words map onto a coded field's values (工业 → industry).

One row per field of the target (a thematic kind's schema, or the columns of the layer the
features are appended to): the field, a combo (none / a column of the file / a constant value)
and, for a constant, its value; for a coded field filled from a column, a "Map values…" button
opening :class:`ValueMapDialog`.  The grid shows at least :data:`MIN_VISIBLE_ROWS` rows.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout)

from hygis.core.errors import HygisError
from hygis.layers.schema import coerce_value
from hygis.ui.i18n import field_label, value_label

MIN_VISIBLE_ROWS = 6
#: The source combo's entry for "every feature gets this value".
CONSTANT = "\x00constant"


def visible_rows_height(table: QTableWidget, rows: int) -> int:
    """Pixel height a table needs to show its header and ``rows`` rows."""
    header = table.horizontalHeader().sizeHint().height()
    return header + rows * table.verticalHeader().defaultSectionSize() + 2 * table.frameWidth() + 2


def _choice_text(code) -> str:
    return f"{value_label(code)} ({code})" if value_label(code) != code else code


def _choice_widget(spec, value=None) -> QComboBox:
    combo = QComboBox()
    combo.addItem("", None)
    for code in spec.choices:
        combo.addItem(_choice_text(code), code)
    if value is not None:
        combo.setCurrentIndex(max(0, combo.findData(value)))
    return combo


def _retranslate_choices(combo: QComboBox) -> None:
    """A coded field's combo in the current language (科创 (science) ↔ Science (science))."""
    for i in range(1, combo.count()):
        combo.setItemText(i, _choice_text(combo.itemData(i)))


def _field_text(spec) -> str:
    label = field_label(spec) if (spec.label_zh or spec.label_en != spec.name) else spec.name
    star = " *" if spec.required else ""
    return f"{label}{star} ({spec.name})" if label != spec.name else f"{label}{star}"


def _auto_code(spec, value):
    """The code the schema itself reads ``value`` as ('科创' → 'science'), else None."""
    try:
        code = coerce_value(spec, value)
    except HygisError:
        return None
    return code if code in spec.choices else None


class ValueMapDialog(QDialog):
    """"Value in the file → value in the layer" for one coded field; :meth:`mapping` after OK."""

    def __init__(self, spec, file_values, current: dict | None = None, parent=None):
        super().__init__(parent)
        self.spec = spec
        self.table = QTableWidget(len(file_values), 2)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        current = current or {}
        for row, value in enumerate(file_values):
            self.table.setItem(row, 0, QTableWidgetItem(str(value)))
            self.table.setCellWidget(row, 1, _choice_widget(spec, current.get(value, _auto_code(spec, value))))
        self.table.setMinimumHeight(visible_rows_height(self.table, min(max(len(file_values), 3), 10)))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.hint = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(460, 360)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Map values of %1").replace("%1", field_label(self.spec)))
        self.table.setHorizontalHeaderLabels([self.tr("Value in the file"), self.tr("Value in the layer")])
        self.hint.setText(self.tr("Values left empty are imported as they are."))
        for row in range(self.table.rowCount()):
            _retranslate_choices(self.table.cellWidget(row, 1))

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt virtual)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def set_value(self, file_value: str, code) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).text() == file_value:
                combo = self.table.cellWidget(row, 1)
                combo.setCurrentIndex(max(0, combo.findData(code)))

    def mapping(self) -> dict[str, str]:
        """{value in the file: code} for the rows given a value that differs from the file's."""
        out = {}
        for row in range(self.table.rowCount()):
            src, code = self.table.item(row, 0).text(), self.table.cellWidget(row, 1).currentData()
            if code is not None and code != src:
                out[src] = code
        return out


class FieldMappingTable(QTableWidget):
    """The mapping grid; ``value_source(column)`` lists a file column's distinct values."""

    def __init__(self, parent=None):
        super().__init__(0, 3, parent)
        self.specs: list = []
        self.value_maps: dict[str, dict[str, str]] = {}
        self.value_source = lambda column: []
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)  # sized to its combos
        header.setStretchLastSection(True)
        self.verticalHeader().hide()
        self.retranslate_ui()
        self.setMinimumHeight(visible_rows_height(self, MIN_VISIBLE_ROWS))

    def retranslate_ui(self) -> None:
        """Headers, field labels, the source combos' own entries and the value cells in the current
        language (a language switch while the import dialog is open keeps every choice)."""
        self.setHorizontalHeaderLabels([self.tr("Field of the layer"), self.tr("Field in the file"),
                                        self.tr("Value")])
        for row, spec in enumerate(self.specs):
            self.item(row, 0).setText(_field_text(spec))
            combo = self.cellWidget(row, 1)
            combo.setItemText(0, self.tr("(none)"))
            combo.setItemText(combo.count() - 1, self.tr("(constant value)"))
            self._retranslate_value_cell(row)
        if self.rowCount():
            self.resizeColumnToContents(0)
            self._fit_source_column()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt virtual)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def _retranslate_value_cell(self, row: int) -> None:
        widget = self.cellWidget(row, 2)
        if isinstance(widget, QLineEdit):
            widget.setPlaceholderText(self.tr("value for every feature"))
        elif isinstance(widget, QComboBox):
            _retranslate_choices(widget)
        elif isinstance(widget, QPushButton):
            mapping = self.value_maps.get(self.specs[row].name)
            widget.setText(self.tr("%1 value(s) mapped…").replace("%1", str(len(mapping))) if mapping
                           else self.tr("Map values…"))

    # -- filling ---------------------------------------------------------------------------
    def set_fields(self, specs, columns, suggested: dict[str, str]) -> None:
        """One row per field spec; ``suggested`` = {field: column} chosen initially."""
        self.specs = list(specs)
        self.value_maps = {}
        self.setRowCount(len(self.specs))
        for row, spec in enumerate(self.specs):
            self.setItem(row, 0, QTableWidgetItem(_field_text(spec)))
            combo = QComboBox()
            combo.addItem(self.tr("(none)"), None)
            for col in columns:
                combo.addItem(str(col), col)
            combo.addItem(self.tr("(constant value)"), CONSTANT)
            src = spec.name if spec.name in columns else suggested.get(spec.name)
            combo.setCurrentIndex(max(0, combo.findData(src)) if src is not None else 0)
            combo.currentIndexChanged.connect(lambda _i, r=row: self._on_source(r))
            self.setCellWidget(row, 1, combo)
            self._on_source(row)
        self.resizeColumnsToContents()
        self._fit_source_column()

    def _fit_source_column(self) -> None:
        """Column 1 as wide as its widest combo (ResizeToContents ignores cell widgets) and its header."""
        widths = [self.cellWidget(r, 1).sizeHint().width() for r in range(self.rowCount())]
        margin = self.style().pixelMetric(self.style().PixelMetric.PM_HeaderMargin)
        title = self.horizontalHeaderItem(1).text()
        header = self.horizontalHeader().fontMetrics().horizontalAdvance(title) + 4 * margin
        self.setColumnWidth(1, max([header, *widths]))

    def _on_source(self, row: int) -> None:
        spec, src = self.specs[row], self.cellWidget(row, 1).currentData()
        self.value_maps.pop(spec.name, None)
        if src == CONSTANT:
            widget = _choice_widget(spec) if spec.choices else QLineEdit()
            if isinstance(widget, QLineEdit):
                widget.setPlaceholderText(self.tr("value for every feature"))
        elif src is not None and spec.choices:
            widget = QPushButton(self.tr("Map values…"))
            widget.clicked.connect(lambda _c=False, r=row: self.edit_values(r))
        else:
            widget = None
        self.removeCellWidget(row, 2)
        if widget is not None:
            self.setCellWidget(row, 2, widget)

    def row_of(self, field: str) -> int:
        return [s.name for s in self.specs].index(field)

    def set_source(self, field: str, source) -> None:
        combo = self.cellWidget(self.row_of(field), 1)
        combo.setCurrentIndex(combo.findData(source))

    def set_constant(self, field: str, value) -> None:
        row = self.row_of(field)
        self.set_source(field, CONSTANT)
        widget = self.cellWidget(row, 2)
        if isinstance(widget, QComboBox):
            widget.setCurrentIndex(max(0, widget.findData(value)))
        else:
            widget.setText(str(value))

    def value_dialog(self, row: int) -> ValueMapDialog:
        spec = self.specs[row]
        column = self.cellWidget(row, 1).currentData()
        return ValueMapDialog(spec, self.value_source(column), self.value_maps.get(spec.name), self)

    def edit_values(self, row: int) -> None:
        dialog = self.value_dialog(row)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.set_values(self.specs[row].name, dialog.mapping())

    def set_values(self, field: str, mapping: dict[str, str]) -> None:
        row = self.row_of(field)
        self.value_maps[field] = dict(mapping)
        self._retranslate_value_cell(row)

    # -- reading ---------------------------------------------------------------------------
    def field_map(self) -> dict[str, str]:
        """{file column: field} for the rows filled from a column under another name."""
        out = {}
        for row, spec in enumerate(self.specs):
            src = self.cellWidget(row, 1).currentData()
            if src not in (None, CONSTANT) and src != spec.name:
                out[src] = spec.name
        return out

    def values(self) -> dict[str, dict[str, str]]:
        """{field: {value in the file: value}} of the fields filled from a column."""
        return {f: m for f, m in self.value_maps.items() if m
                and self.cellWidget(self.row_of(f), 1).currentData() not in (None, CONSTANT)}

    def constants(self) -> dict[str, object]:
        """{field: value} of the rows set to a constant (empty values left out)."""
        out = {}
        for row, spec in enumerate(self.specs):
            if self.cellWidget(row, 1).currentData() != CONSTANT:
                continue
            widget = self.cellWidget(row, 2)
            value = widget.currentData() if isinstance(widget, QComboBox) else widget.text().strip()
            if value not in (None, ""):
                out[spec.name] = value
        return out
