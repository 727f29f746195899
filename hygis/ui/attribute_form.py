"""The attribute form shown after digitizing a feature (built from the layer kind's schema).

Choice fields become combo boxes, required fields are marked with ``*``, labels
come from the schema in the UI language (through the translation catalogue),
and :meth:`AttributeForm.accept` refuses invalid input with a message naming
the field (the :class:`~hygis.core.errors.HygisError` of
:func:`hygis.layers.schema.coerce_value`).
"""

from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from hygis.core.errors import HygisError
from hygis.layers.schema import CITIES, SCHEMAS, FieldSpec, coerce_value, column_spec
from hygis.ui.i18n import field_label
from hygis.ui.i18n import value_label as choice_label
from hygis.ui.error_dialog import error_message

#: Columns of a team (PostGIS-linked) layer that belong to the database (hygis.db.tables ID / VERSION).
INTERNAL_FIELDS = ("hygis_id", "hygis_version")
#: Fields whose values are usually a Zhejiang city: an editable combo with suggestions.
CITY_FIELDS = ("city", "host_city", "origin_city")




class AttributeForm(QDialog):
    """Edit the attributes of one feature of ``layer`` (thematic schema or generic fields).

    After ``accept()`` succeeds, :attr:`record` holds the validated values
    (computed fields such as ``area_km2`` are not shown: the layer fills them).
    """

    def __init__(self, layer, values: dict | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.layer = layer
        self.record: dict | None = None
        self.editors: dict[str, QWidget] = {}
        self.setWindowTitle(self.tr("Feature attributes — %1").replace("%1", layer.name))
        self.specs = self._specs(layer)
        values = values or {}
        form = QFormLayout()
        for spec in self.specs:
            editor = self._make_editor(spec, values.get(spec.name))
            self.editors[spec.name] = editor
            label = field_label(spec) + (" *" if spec.required else "")
            form.addRow(QLabel(label), editor)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        if any(s.required for s in self.specs):
            hint = QLabel(self.tr("Fields marked * are required."))
            hint.setStyleSheet("color: palette(mid);")
            layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    # -- construction ---------------------------------------------------------------------
    @staticmethod
    def _specs(layer) -> list[FieldSpec]:
        schema = SCHEMAS.get(layer.kind)
        if schema is not None:
            return [s for s in schema.fields if not s.computed]
        # a generic layer: every field, typed by its column (a team layer's row id and version are not
        # the user's to edit)
        return [column_spec(layer.kind, layer.data, name) for name in layer.fields if name not in INTERNAL_FIELDS]

    def _make_editor(self, spec: FieldSpec, value) -> QWidget:
        if spec.choices:
            combo = QComboBox()
            if not spec.required:
                combo.addItem("", None)
            for choice in spec.choices:
                combo.addItem(choice_label(choice), choice)
            if value is not None:
                combo.setCurrentIndex(max(0, combo.findData(value)))
            elif spec.required:
                combo.setCurrentIndex(-1)
            return combo
        if spec.name in CITY_FIELDS:
            combo = QComboBox()
            combo.setEditable(True)
            combo.addItems(CITIES)
            combo.setCurrentText("" if value is None else str(value))
            return combo
        edit = QLineEdit("" if value is None or value != value else str(value))
        if spec.type in ("int", "float"):
            edit.setPlaceholderText(self.tr("number"))
        return edit

    # -- values ---------------------------------------------------------------------------
    def raw_values(self) -> dict:
        """What the user entered, before validation (choice combos give their code)."""
        out = {}
        for name, editor in self.editors.items():
            if isinstance(editor, QComboBox) and not editor.isEditable():
                out[name] = editor.currentData() if editor.currentIndex() >= 0 else None
            elif isinstance(editor, QComboBox):
                out[name] = editor.currentText()
            else:
                out[name] = editor.text()
        return out

    def set_value(self, name: str, value) -> None:
        """Fill one editor (used by tests and by 'paste attributes')."""
        editor = self.editors[name]
        if isinstance(editor, QComboBox) and not editor.isEditable():
            editor.setCurrentIndex(editor.findData(value))
        elif isinstance(editor, QComboBox):
            editor.setCurrentText("" if value is None else str(value))
        else:
            editor.setText("" if value is None else str(value))

    def validated(self) -> dict:
        """The values coerced by the schema; raises HygisError naming the first bad field."""
        raw = self.raw_values()
        out = {}
        for spec in self.specs:
            try:
                out[spec.name] = coerce_value(spec, raw.get(spec.name))
            except HygisError as exc:
                raise HygisError("{field} — {reason}", field=field_label(spec), reason=exc) from None
        return out

    def accept(self) -> None:
        try:
            self.record = self.validated()
        except HygisError as exc:
            self.show_error(error_message(exc))
            return
        self.error_label.hide()
        super().accept()

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        for spec in self.specs:
            if f"'{spec.name}'" in message or f"“{field_label(spec)}”" in message:  # en / zh_CN messages
                self.editors[spec.name].setFocus()
                break
