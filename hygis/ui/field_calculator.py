"""Layer ▸ Update features… and Layer ▸ Append features from file…: the window's side of
``hygis update`` and ``hygis import --append``.

Both build the same undoable commands as the CLI (:mod:`hygis.project.batch_edits`); bad input
is a message in the dialog and nothing changes.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QLabel, QLineEdit,
                               QMessageBox)

from hygis.core.errors import HygisError
from hygis.ui.error_dialog import error_message


class UpdateDialog(QDialog):
    """Where EXPR, set FIELD = VALUE on the current layer; OK runs SetAttributes (one undo step)."""

    def __init__(self, project, layer, parent=None):
        super().__init__(parent)
        self.project, self.layer = project, layer
        self.setWindowTitle(self.tr("Update features — {0}").format(layer.name))
        self.where = QLineEdit(self)
        self.where.setPlaceholderText("status == 'planned' and year_opened <= 2025")
        self.field = QComboBox(self)
        computed = {f.name for f in layer.schema.fields if f.computed} if layer.schema else set()
        self.field.addItems([f for f in layer.fields if f not in computed])
        self.value = QLineEdit(self)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("Where:"), self.where)
        form.addRow(self.tr("Field:"), self.field)
        form.addRow(self.tr("New value:"), self.value)
        form.addRow(self.message)
        form.addRow(buttons)
        self.changed = 0

    def run(self) -> int:
        """Apply the update; returns how many features changed (HygisError for bad input)."""
        from hygis.project.batch_edits import SetAttributes

        where = self.where.text().strip()
        mask = self.layer.filter_mask("" if where.lower() in ("", "all") else where)
        cmd = SetAttributes(self.layer, self.layer.data.index[mask], {self.field.currentText(): self.value.text()})
        if cmd.changed:
            self.project.execute(cmd)
        return cmd.changed

    def accept(self) -> None:
        try:
            self.changed = self.run()
        except HygisError as exc:
            self.message.setText(error_message(exc))
            return
        super().accept()


def append_from_file(window, layer, path: str | None = None) -> int:
    """Append a file's features to ``layer`` (fields by name) as one undoable command."""
    from hygis.io import load_layers
    from hygis.project.batch_edits import append_features

    if path is None:
        path, _ = QFileDialog.getOpenFileName(window, _tr("Append features from file"), "",
                                              _tr("GIS files (*.gpkg *.shp *.geojson *.json *.kml *.csv *.fgb)"))
        if not path:
            return 0
    try:
        layers = load_layers(path, as_kind=layer.kind if layer.schema is not None else None)
        if len(layers) != 1 or layers[0].kind == "raster":
            raise HygisError(_tr("The file must hold one vector layer"))
        cmd = append_features(layer, layers[0].data)
        window.project.execute(cmd)
    except HygisError as exc:
        QMessageBox.warning(window, _tr("Append features from file"), error_message(exc))
        return 0
    return len(layers[0].data)


def _tr(text: str) -> str:
    return QCoreApplication.translate("FieldCalculator", text)


def install_field_calculator(window) -> None:
    """Add Layer ▸ Update features… and Layer ▸ Append features from file… to the window."""
    update = QAction(window.tr("Update features…"), window)
    append = QAction(window.tr("Append features from file…"), window)
    texts = getattr(window, "_action_texts", None)
    if texts is not None:  # retranslated with the window's own actions
        texts[update], texts[append] = "Update features…", "Append features from file…"

    def current():
        layer = window.layer_panel.current_layer()
        return layer if layer is not None and hasattr(layer, "filter_mask") else None

    def on_update(checked=False):
        layer = current()
        if layer is None:
            window.status.showMessage(_tr("Choose a vector layer first"), 5000)
            return
        dialog = UpdateDialog(window.project, layer, window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            window.status.showMessage(_tr("{0} feature(s) changed").format(dialog.changed), 8000)

    def on_append(checked=False):
        layer = current()
        if layer is None:
            window.status.showMessage(_tr("Choose a vector layer first"), 5000)
            return
        append_from_file(window, layer)

    update.triggered.connect(on_update)
    append.triggered.connect(on_append)
    window.menu_layer.addSeparator()
    window.menu_layer.addActions([update, append])
    window.act_update_features, window.act_append_features = update, append
