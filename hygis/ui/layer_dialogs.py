"""Layer ▸ Filter… and Layer ▸ Properties…, and the extra entries of the layer list's context menu.

:class:`FilterDialog` edits a vector layer's filter expression with the field list, the
values of the chosen field and comparison buttons; it shows how many features match
as you type and applies the filter as one undoable command.  :class:`LayerProperties`
shows what a layer is (kind, geometry, feature count, CRS, extent, source, filter).
:func:`install_layer_menu` adds Attribute Table, Filter…, Export Layer… and
Properties… to the layer list's context menu (next to Zoom, Style, Rename, Remove).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QListWidget,
                               QPlainTextEdit, QPushButton, QVBoxLayout)

from hygis.core.errors import HygisError
from hygis.ui.error_dialog import error_message

OPERATORS = ("=", "<>", "<", ">", "<=", ">=", "AND", "OR", "NOT", "IN (…)")
MAX_VALUES = 200


def _quote(value) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return "'" + str(value).replace("'", "\\'") + "'"


class FilterDialog(QDialog):
    """Edit the filter of ``layer`` (applied with SetLayerProperty, undoable)."""

    def __init__(self, layer, project, parent=None):
        super().__init__(parent)
        self.layer, self.project = layer, project
        self.fields = QListWidget()
        for name in layer.data.columns:
            if name != layer.data.geometry.name:
                self.fields.addItem(str(name))
        self.values = QListWidget()
        self.editor = QPlainTextEdit(layer.filter or "")
        self.editor.setMaximumHeight(90)
        self.count_label = QLabel()
        self.fields.currentTextChanged.connect(self._show_values)
        self.fields.itemDoubleClicked.connect(lambda item: self.insert(item.text()))
        self.values.itemDoubleClicked.connect(lambda item: self.insert(item.data(Qt.ItemDataRole.UserRole)))
        self.editor.textChanged.connect(self.check)
        ops = QHBoxLayout()
        for op in OPERATORS:
            b = QPushButton(op)
            b.setMaximumWidth(64)
            b.clicked.connect(lambda checked=False, o=op: self.insert("in ()" if o == "IN (…)" else o.lower()
                                                                     if o in ("AND", "OR", "NOT") else o))
            ops.addWidget(b)
        self.clear_button = QPushButton()
        self.clear_button.clicked.connect(lambda: self.editor.setPlainText(""))
        ops.addWidget(self.clear_button)
        self._field_label, self._value_label, self._expr_label = QLabel(), QLabel(), QLabel()
        lists = QHBoxLayout()
        for label, widget in ((self._field_label, self.fields), (self._value_label, self.values)):
            col = QVBoxLayout()
            col.addWidget(label)
            col.addWidget(widget)
            lists.addLayout(col)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(lists)
        layout.addLayout(ops)
        layout.addWidget(self._expr_label)
        layout.addWidget(self.editor)
        layout.addWidget(self.count_label)
        layout.addWidget(self.buttons)
        self.retranslate_ui()
        self.resize(620, 480)
        self.check()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Filter of {0}").format(self.layer.name))
        self._field_label.setText(self.tr("Fields (double-click to insert):"))
        self._value_label.setText(self.tr("Values of the field:"))
        self._expr_label.setText(self.tr("Show only features where:"))
        self.clear_button.setText(self.tr("Clear"))
        self.check()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt virtual)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def insert(self, text: str) -> None:
        cursor = self.editor.textCursor()
        before = self.editor.toPlainText()[: cursor.position()]
        cursor.insertText(("" if not before or before.endswith((" ", "(")) else " ") + str(text) + " ")
        self.editor.setFocus()

    def _show_values(self, field: str) -> None:
        self.values.clear()
        if field not in self.layer.data.columns:
            return
        uniques = self.layer.data[field].dropna().unique()[:MAX_VALUES]
        for v in sorted(uniques, key=lambda x: (str(type(x)), x) if not isinstance(x, str) else ("", x)):
            item_text = str(v)
            self.values.addItem(item_text)
            self.values.item(self.values.count() - 1).setData(Qt.ItemDataRole.UserRole, _quote(v))

    @property
    def expression(self) -> str:
        return self.editor.toPlainText().strip()

    def check(self) -> bool:
        """Show how many features match; False (OK disabled) if the expression is not understood."""
        ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            n = int(self.layer.filter_mask(self.expression).sum())
        except HygisError as exc:
            self.count_label.setText(error_message(exc))
            self.count_label.setStyleSheet("color: #b00020")
            ok_button.setEnabled(False)
            return False
        self.count_label.setStyleSheet("")
        self.count_label.setText(self.tr("{0} of {1} features match").format(n, len(self.layer.data)))
        ok_button.setEnabled(True)
        return True

    def accept(self) -> None:
        from hygis.project.commands import Label, SetLayerProperty

        if not self.check():
            return
        if self.expression != (self.layer.filter or ""):
            self.project.execute(SetLayerProperty(self.layer, "filter", self.expression,
                                                  label=Label("Filter {name}", name=self.layer.name)))
        super().accept()


class LayerProperties(QDialog):
    """What a layer is: kind, geometry, features (shown/total), CRS, extent, source, filter."""

    def __init__(self, layer, parent=None):
        super().__init__(parent)
        self.layer = layer
        self.form = QFormLayout(self)
        self.rows: dict[str, QLabel] = {}
        for key in ("name", "kind", "geometry", "features", "crs", "extent", "source", "filter"):
            value = QLabel(textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse, wordWrap=True)
            self.rows[key] = value
            self.form.addRow(QLabel(), value)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.form.addRow(buttons)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        layer = self.layer
        self.setWindowTitle(self.tr("Properties of {0}").format(layer.name))
        names = {"name": self.tr("Name:"), "kind": self.tr("Kind:"), "geometry": self.tr("Geometry:"),
                 "features": self.tr("Features:"), "crs": self.tr("CRS:"), "extent": self.tr("Extent (lon/lat):"),
                 "source": self.tr("Source:"), "filter": self.tr("Filter:")}
        for i, key in enumerate(self.rows):
            self.form.itemAt(i, QFormLayout.ItemRole.LabelRole).widget().setText(names[key])
        data = getattr(layer, "data", None)
        vector = layer.kind != "raster" and data is not None
        shown = int(layer.filter_mask().sum()) if vector and getattr(layer, "filter", "") else (len(data) if vector else 0)
        bounds = getattr(layer, "bounds", None)
        values = {"name": layer.name, "kind": layer.kind, "geometry": getattr(layer, "geometry_type", "raster"),
                  "features": self.tr("{0} shown of {1}").format(shown, len(data)) if vector else "-",
                  "crs": str(getattr(data, "crs", None) or getattr(layer, "crs", "") or "-") if vector else
                  str(getattr(layer, "crs", "-")),
                  "extent": ", ".join(f"{v:.5f}" for v in bounds) if bounds is not None else "-",
                  "source": getattr(layer, "source", "") or "-", "filter": getattr(layer, "filter", "") or "-"}
        for key, label in self.rows.items():
            label.setText(str(values[key]))


def install_layer_menu(window) -> None:
    """Attribute Table, Filter…, Export Layer… and Properties… in the layer list's context menu."""
    panel = window.layer_panel

    def open_filter(layer):
        window.filter_dialog = FilterDialog(layer, window.project, window)
        window.filter_dialog.open()
        return window.filter_dialog

    def open_properties(layer):
        window.properties_dialog = LayerProperties(layer, window)
        window.properties_dialog.open()
        return window.properties_dialog

    def select_and(layer, action):
        panel.set_current_layer(layer)
        action()

    def extra(menu, layer) -> None:
        editing = getattr(window, "editing", None)
        if layer.kind != "raster":
            if editing is not None:
                menu.addAction(panel.tr("Open Attribute Table"), lambda: select_and(layer, editing.open_table))
            menu.addAction(panel.tr("Filter…"), lambda: open_filter(layer))
            if editing is not None:
                menu.addAction(panel.tr("Export Layer…"), lambda: select_and(layer, editing.export_dialog))
        menu.addAction(panel.tr("Properties…"), lambda: open_properties(layer))

    panel.context_extras.append(extra)
    window.open_filter_dialog, window.open_layer_properties = open_filter, open_properties
