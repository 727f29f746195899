"""The style dialog of a vector layer: single symbol, categorized or graduated, plus labels.

The widgets only collect values; classification uses :mod:`hygis.layers.style`
(``with_categories``, ``graduated_breaks``, ``class_colors``) and Apply/OK push
one undoable ``SetLayerProperty(layer, 'style', …)`` command.
"""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QColorDialog, QComboBox, QDialog, QDialogButtonBox,
                               QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from hygis.project.commands import Label, SetLayerProperty
from hygis.core.errors import HygisError
from hygis.layers.style import (BREAK_METHODS, DASHES, HATCHES, MARKERS, MODES, RAMPS, class_colors, graduated_breaks,
                                parse_color, to_hex, with_categories)
from hygis.ui.i18n import current_language
from hygis.ui.icons import qcolor, swatch_pixmap
from hygis.ui.legend import value_label

_FORM_TEXT = {"mode": "Style:", "fill": "Fill:", "stroke": "Stroke:", "width": "Stroke width (px):", "dash": "Dash:",
              "hatch": "Hatch:", "marker": "Point symbol:", "size": "Symbol size (px):", "field": "Field:",
              "ramp": "Colour ramp:", "classes": "Classes:", "label_field": "Label field:",
              "label_size": "Label size (pt):", "method": "Method:"}
_METHOD_TEXT = {"quantile": "Quantile (equal count)", "jenks": "Natural breaks (Jenks)", "equal": "Equal interval"}
_MODE_TEXT = {"single": "Single symbol", "categorized": "Categorized", "graduated": "Graduated"}
_DASH_TEXT = {"solid": "Solid", "dash": "Dashed", "dot": "Dotted", "dashdot": "Dash-dot"}
_HATCH_TEXT = {"none": "None", "diagonal": "Diagonal", "cross": "Cross", "horizontal": "Horizontal",
               "vertical": "Vertical"}
_MARKER_TEXT = {"circle": "Circle", "square": "Square", "triangle": "Triangle", "diamond": "Diamond",
                "star": "Star", "cross": "Cross"}


class ColorButton(QPushButton):
    """A button showing a colour; clicking opens a colour dialog. ``color`` is '#rrggbb[aa]'."""

    colorChanged = Signal(str)

    def __init__(self, color: str = "#000000", alpha: bool = False, parent=None):
        super().__init__(parent)
        self._alpha = alpha
        self._color = "#000000"
        self.set_color(color)
        self.clicked.connect(self._choose)

    @property
    def color(self) -> str:
        return self._color

    def set_color(self, value: str) -> None:
        rgba = parse_color(value)
        if not self._alpha:
            rgba = (*rgba[:3], 255)
        self._color = to_hex(rgba)
        self.setIcon(QIcon(swatch_pixmap(self._color, "#444444", 16)))
        self.setText(self._color)

    def _choose(self) -> None:
        opts = QColorDialog.ColorDialogOption.ShowAlphaChannel if self._alpha else QColorDialog.ColorDialogOption(0)
        colour = QColorDialog.getColor(qcolor(self._color), self, self.tr("Choose colour"), opts)
        if colour.isValid():
            self.set_color(to_hex((colour.red(), colour.green(), colour.blue(), colour.alpha())))
            self.colorChanged.emit(self._color)


class StyleDialog(QDialog):
    """Edit ``layer.style``; :meth:`apply` pushes the change as one command."""

    def __init__(self, layer, project, parent=None):
        super().__init__(parent)
        self.layer, self.project = layer, project
        self._build()
        self.set_style(layer.style)
        self.retranslate_ui()

    # -- construction --------------------------------------------------------------------------
    def _build(self) -> None:
        self.mode_combo = self._combo(MODES)
        self.fill_button = ColorButton()
        self.fill_alpha = QSpinBox()
        self.fill_alpha.setRange(0, 100)
        self.fill_alpha.setSuffix(" %")
        self.stroke_button = ColorButton()
        self.width_spin = self._dspin(0, 50, 0.5)
        self.dash_combo = self._combo(DASHES)
        self.hatch_combo = self._combo(HATCHES)
        self.marker_combo = self._combo(MARKERS)
        self.size_spin = self._dspin(1, 200, 1)
        self.stroke_by_class = QCheckBox()
        self.field_combo = QComboBox()
        self.ramp_combo = self._combo(RAMPS)
        self.classes_spin = QSpinBox()
        self.classes_spin.setRange(1, 20)
        self.method_combo = self._combo(BREAK_METHODS)
        self.classify_button = QPushButton()
        self.classify_button.clicked.connect(self.classify)
        self.remove_class_button = QPushButton()
        self.remove_class_button.clicked.connect(self._remove_selected_classes)
        self.class_table = QTableWidget(0, 2)
        self.class_table.verticalHeader().setVisible(False)
        self.class_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.class_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.class_table.cellDoubleClicked.connect(self._on_class_double_clicked)
        self.label_combo = QComboBox()
        self.label_size = self._dspin(4, 72, 0.5)
        for name in self.layer.fields:
            self.label_combo.addItem(_field_text(self.layer, name), name)
        self.label_combo.insertItem(0, "", None)

        self.symbol_box, self.class_box, self.label_box = QGroupBox(), QGroupBox(), QGroupBox()
        self.symbol_form = QFormLayout(self.symbol_box)
        fill_row = QHBoxLayout()
        fill_row.addWidget(self.fill_button, 1)
        fill_row.addWidget(self.fill_alpha)
        self._labels = {key: QLabel() for key in ("mode", "fill", "stroke", "width", "dash", "hatch", "marker",
                                                  "size", "field", "ramp", "classes", "label_field", "label_size",
                                                  "method")}
        geom = self.layer.geometry_type
        self.symbol_form.addRow(self._labels["fill"], _wrap(fill_row))
        self.symbol_form.addRow(self._labels["stroke"], self.stroke_button)
        self.symbol_form.addRow(self._labels["width"], self.width_spin)
        self.symbol_form.addRow(self._labels["dash"], self.dash_combo)
        if geom in ("polygon", "mixed", "empty"):
            self.symbol_form.addRow(self._labels["hatch"], self.hatch_combo)
        if geom in ("point", "mixed", "empty"):
            self.symbol_form.addRow(self._labels["marker"], self.marker_combo)
            self.symbol_form.addRow(self._labels["size"], self.size_spin)
        if geom in ("line", "mixed"):
            self.symbol_form.addRow("", self.stroke_by_class)
        class_form = QFormLayout()
        class_form.addRow(self._labels["field"], self.field_combo)
        class_form.addRow(self._labels["ramp"], self.ramp_combo)
        class_form.addRow(self._labels["classes"], self.classes_spin)
        class_form.addRow(self._labels["method"], self.method_combo)
        buttons_row = QHBoxLayout()
        buttons_row.addWidget(self.classify_button)
        buttons_row.addWidget(self.remove_class_button)
        buttons_row.addStretch(1)
        class_layout = QVBoxLayout(self.class_box)
        class_layout.addLayout(class_form)
        class_layout.addLayout(buttons_row)
        class_layout.addWidget(self.class_table)
        label_form = QFormLayout(self.label_box)
        label_form.addRow(self._labels["label_field"], self.label_combo)
        label_form.addRow(self._labels["label_size"], self.label_size)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Apply
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply)
        mode_row = QFormLayout()
        mode_row.addRow(self._labels["mode"], self.mode_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(mode_row)
        layout.addWidget(self.symbol_box)
        layout.addWidget(self.class_box, 1)
        layout.addWidget(self.label_box)
        layout.addWidget(self.buttons)
        self.mode_combo.currentIndexChanged.connect(self._on_mode_changed)
        self.field_combo.currentIndexChanged.connect(self._on_field_changed)
        self.ramp_combo.currentIndexChanged.connect(self._refresh_graduated)
        self.classes_spin.valueChanged.connect(self._refresh_graduated)
        self.method_combo.currentIndexChanged.connect(self._refresh_graduated)
        self.resize(440, 620)

    @staticmethod
    def _combo(values) -> QComboBox:
        combo = QComboBox()
        for v in values:
            combo.addItem(v, v)
        return combo

    @staticmethod
    def _dspin(lo: float, hi: float, step: float) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(lo, hi)
        spin.setSingleStep(step)
        spin.setDecimals(1)
        return spin

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Style of {name}").format(name=self.layer.name))
        for key, text in _FORM_TEXT.items():
            self._labels[key].setText(self.tr(text))
        for combo, names in ((self.mode_combo, _MODE_TEXT), (self.dash_combo, _DASH_TEXT),
                             (self.method_combo, _METHOD_TEXT),
                             (self.hatch_combo, _HATCH_TEXT), (self.marker_combo, _MARKER_TEXT)):
            for i in range(combo.count()):
                combo.setItemText(i, self.tr(names[combo.itemData(i)]))
        self.symbol_box.setTitle(self.tr("Symbol"))
        self.class_box.setTitle(self.tr("Classification"))
        self.label_box.setTitle(self.tr("Labels"))
        self.fill_alpha.setToolTip(self.tr("Fill opacity"))
        self.stroke_by_class.setText(self.tr("Colour lines by class"))
        self.classify_button.setText(self.tr("Classify"))
        self.remove_class_button.setText(self.tr("Remove class"))
        self.class_table.setHorizontalHeaderLabels([self.tr("Value"), self.tr("Colour")])
        self.label_combo.setItemText(0, self.tr("(no labels)"))

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # -- style ⇄ widgets ------------------------------------------------------------------------
    def set_style(self, style) -> None:
        """Show ``style`` in the widgets."""
        self._style = style
        self.mode_combo.blockSignals(True)
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(style.mode))
        self.mode_combo.blockSignals(False)
        r, g, b, a = parse_color(style.fill)
        self.fill_button.set_color(to_hex((r, g, b, 255)))
        self.fill_alpha.setValue(round(a * 100 / 255))
        self.stroke_button.set_color(style.stroke)
        self.width_spin.setValue(style.width)
        self.dash_combo.setCurrentIndex(self.dash_combo.findData(style.dash))
        self.hatch_combo.setCurrentIndex(self.hatch_combo.findData(style.hatch))
        self.marker_combo.setCurrentIndex(self.marker_combo.findData(style.marker))
        self.size_spin.setValue(style.size)
        self.stroke_by_class.setChecked(style.stroke_by_class)
        self.ramp_combo.blockSignals(True)
        self.ramp_combo.setCurrentIndex(max(0, self.ramp_combo.findData(style.ramp)))
        self.ramp_combo.blockSignals(False)
        self.classes_spin.blockSignals(True)
        self.classes_spin.setValue(style.classes)
        self.classes_spin.blockSignals(False)
        self._fill_field_combo(style.mode, style.field)
        self.label_combo.setCurrentIndex(max(0, self.label_combo.findData(style.label_field)))
        self.label_size.setValue(style.label_size)
        self._categories = dict(style.categories)
        self._breaks = list(style.breaks)
        self._update_mode_widgets()
        self._fill_class_table()

    def current_style(self):
        """The Style the widgets describe (raises HygisError if it is incomplete)."""
        r, g, b, _ = parse_color(self.fill_button.color)
        mode = self.mode_combo.currentData()
        return self._style.copy(
            mode=mode, fill=to_hex((r, g, b, round(self.fill_alpha.value() * 255 / 100))),
            stroke=self.stroke_button.color, width=self.width_spin.value(), dash=self.dash_combo.currentData(),
            hatch=self.hatch_combo.currentData(), marker=self.marker_combo.currentData(),
            size=self.size_spin.value(), stroke_by_class=self.stroke_by_class.isChecked(),
            field=self.field_combo.currentData() if mode != "single" else self._style.field,
            categories=self._categories if mode == "categorized" else self._style.categories,
            ramp=self.ramp_combo.currentData(), classes=self.classes_spin.value(),
            breaks=self._breaks if mode == "graduated" else self._style.breaks,
            label_field=self.label_combo.currentData(), label_size=self.label_size.value())

    def _fill_field_combo(self, mode: str, selected: str | None) -> None:
        data = self.layer.data
        names = [c for c in self.layer.fields
                 if mode != "graduated" or pd.api.types.is_numeric_dtype(data[c])]
        self.field_combo.blockSignals(True)
        self.field_combo.clear()
        for name in names:
            self.field_combo.addItem(_field_text(self.layer, name), name)
        self.field_combo.setCurrentIndex(max(0, self.field_combo.findData(selected)))
        self.field_combo.blockSignals(False)

    def _update_mode_widgets(self) -> None:
        mode = self.mode_combo.currentData()
        self.class_box.setVisible(mode != "single")
        for w in (self.ramp_combo, self.classes_spin, self._labels["ramp"], self._labels["classes"], self.method_combo,
                  self._labels["method"]):
            w.setVisible(mode == "graduated")
        self.remove_class_button.setVisible(mode == "categorized")

    def _on_mode_changed(self) -> None:
        mode = self.mode_combo.currentData()
        self._fill_field_combo(mode, self.field_combo.currentData() or self._style.field)
        self._update_mode_widgets()
        if mode == "categorized" and not self._categories:
            self.classify()
        elif mode == "graduated":
            self._refresh_graduated()
        self._fill_class_table()

    def _on_field_changed(self) -> None:
        if self.mode_combo.currentData() == "categorized":
            self._categories = {}
            self.classify()
        else:
            self._refresh_graduated()

    # -- classification (domain logic lives in hygis.layers.style) -------------------------------
    def classify(self) -> None:
        """Fill the classes from the layer's data for the chosen field."""
        field = self.field_combo.currentData()
        if not field or field not in self.layer.data.columns:
            return
        if self.mode_combo.currentData() == "graduated":
            self._refresh_graduated()
            return
        base = self._style.copy(mode="single", categories=self._categories)
        self._categories = with_categories(base, self.layer.data[field]).categories
        self._fill_class_table()

    def _refresh_graduated(self) -> None:
        field = self.field_combo.currentData()
        if self.mode_combo.currentData() != "graduated" or not field:
            return
        self._breaks = graduated_breaks(self.layer.data[field], self.classes_spin.value(),
                                        self.method_combo.currentData())
        self._fill_class_table()

    def _class_rows(self) -> list[tuple[str, str]]:
        mode = self.mode_combo.currentData()
        if mode == "categorized":
            return list(self._categories.items())
        if mode == "graduated":
            return _graduated_rows(self.ramp_combo.currentData(), self._breaks)
        return []

    def _fill_class_table(self) -> None:
        rows = self._class_rows()
        self.class_table.setRowCount(len(rows))
        categorized = self.mode_combo.currentData() == "categorized"
        for i, (value, colour) in enumerate(rows):
            key = QTableWidgetItem(value_label(value) if categorized else value)
            key.setData(Qt.ItemDataRole.UserRole, value)
            self.class_table.setItem(i, 0, key)
            item = QTableWidgetItem(QIcon(swatch_pixmap(colour)), colour)
            item.setData(Qt.ItemDataRole.UserRole, colour)
            self.class_table.setItem(i, 1, item)

    def _on_class_double_clicked(self, row: int, column: int) -> None:
        if self.mode_combo.currentData() != "categorized":
            return
        value = self.class_table.item(row, 0).data(Qt.ItemDataRole.UserRole)
        colour = QColorDialog.getColor(qcolor(self._categories[value]), self, self.tr("Choose colour"),
                                       QColorDialog.ColorDialogOption.ShowAlphaChannel)
        if colour.isValid():
            self.set_category_color(value, to_hex((colour.red(), colour.green(), colour.blue(), colour.alpha())))

    def set_category_color(self, value: str, colour: str) -> None:
        parse_color(colour)
        self._categories[str(value)] = colour
        self._fill_class_table()

    def _remove_selected_classes(self) -> None:
        for row in sorted({i.row() for i in self.class_table.selectedIndexes()}, reverse=True):
            self._categories.pop(self.class_table.item(row, 0).data(Qt.ItemDataRole.UserRole), None)
        self._fill_class_table()

    # -- apply -----------------------------------------------------------------------------------
    def apply(self) -> bool:
        """Push the style as one undoable command; False (with a message) if it is invalid."""
        try:
            style = self.current_style()
            if style != self.layer.style:
                self.project.execute(SetLayerProperty(self.layer, "style", style,
                                                      label=Label("Style of {name}", name=self.layer.name)))
            self._style = style
        except HygisError as exc:
            from hygis.ui.error_dialog import show_error

            self.last_error = show_error(self, exc)
            return False
        return True

    def accept(self) -> None:
        if self.apply():
            super().accept()


def _field_text(layer, name: str) -> str:
    """'状态 (status)' in the UI language when the kind's schema labels the field, else the name."""
    spec = layer.schema.field(name) if getattr(layer, "schema", None) else None
    if spec is None:
        return name
    label = spec.label_zh if current_language().startswith("zh") else spec.label_en
    return f"{label} ({name})" if label and label != name else name


def _graduated_rows(ramp: str, breaks: list[float]) -> list[tuple[str, str]]:
    from hygis.layers.style import Style

    return class_colors(Style(mode="graduated", field="_", ramp=ramp, breaks=list(breaks)))


def _wrap(layout) -> QWidget:
    w = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    w.setLayout(layout)
    return w

