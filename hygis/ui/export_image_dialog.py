"""File ▸ Export Map Image…: the canvas extent as PNG/JPEG/SVG/PDF with size, DPI, title and furniture.

The image shows exactly the canvas's current extent (aspect kept).  At more than
96 DPI a PNG is drawn with a scaled painter, so lines, labels and the legend keep
their printed size and the file carries its DPI; SVG/PDF stay vector.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox)

from hygis.core.errors import HygisError
from hygis.ui.error_dialog import error_message

DPIS = (96, 150, 200, 300)


def export_view_image(project, path, size, extent, *, dpi: int = 96, title: str | None = None, legend=True,
                      scalebar=True, north_arrow=True, map_bounds=None) -> Path:
    """Write the map of ``extent`` (WGS84) at ``size`` pixels; raster formats drawn at ``dpi``.

    ``map_bounds`` (canvas metres, the canvas's ``view().bounds``): exactly that view, no margin."""
    from hygis.ui.render import export_map
    from hygis.ui.render.mapdraw import BACKGROUND, _check_size, paint_map

    path = Path(path)
    w, h = _check_size(size)
    kw = dict(title=title or None, legend=legend, scalebar=scalebar, north_arrow=north_arrow)
    if map_bounds is not None:
        kw.update(map_bounds=tuple(map_bounds), margin=0.0)
    if path.suffix.lower() not in (".png", ".jpg", ".jpeg") or dpi == 96:
        return export_map(project, path, (w, h), extent=extent, **kw)
    k = dpi / 96.0
    image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(BACKGROUND)
    image.setDotsPerMeterX(round(dpi / 0.0254))
    image.setDotsPerMeterY(round(dpi / 0.0254))
    painter = QPainter(image)
    try:
        painter.scale(k, k)
        paint_map(painter, QRectF(0, 0, w / k, h / k), project, extent, **kw)
    finally:
        painter.end()
    if path.suffix.lower() in (".jpg", ".jpeg"):
        image = image.convertToFormat(QImage.Format.Format_RGB32)
    from hygis.io.filesets import atomic_output

    with atomic_output(path) as tmp:  # the old image is replaced only by a complete new one
        if not image.save(str(tmp), path.suffix.lstrip(".").upper()):
            raise HygisError("Cannot write {file}", file=path.name)
    return path


class ExportImageDialog(QDialog):
    """Size (kept to the canvas's aspect), DPI, title, legend/scale bar/north arrow, file."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        canvas = window.canvas
        self.aspect = max(canvas.width(), 1) / max(canvas.height(), 1)
        self.width_spin, self.height_spin = QSpinBox(), QSpinBox()
        for spin in (self.width_spin, self.height_spin):
            spin.setRange(64, 20000)
            spin.setSuffix(" px")
        self.width_spin.setValue(1920)
        self.height_spin.setValue(round(1920 / self.aspect))
        self.width_spin.valueChanged.connect(lambda v: self._keep_aspect(self.height_spin, round(v / self.aspect)))
        self.height_spin.valueChanged.connect(lambda v: self._keep_aspect(self.width_spin, round(v * self.aspect)))
        self.dpi_combo = QComboBox()
        for d in DPIS:
            self.dpi_combo.addItem(f"{d} dpi", d)
        self.title_edit = QLineEdit(window.project.title or "")
        self.legend_check, self.scalebar_check, self.north_check = QCheckBox(), QCheckBox(), QCheckBox()
        for check in (self.legend_check, self.scalebar_check, self.north_check):
            check.setChecked(True)
        base = (window.project.path.with_suffix(".png") if window.project.path else Path((window.project.title or
                                                                                           "map") + ".png"))
        self.path_edit = QLineEdit(str(base))
        self.browse = QPushButton()
        self.browse.clicked.connect(self._choose)
        self.error_label = QLabel(wordWrap=True)
        self.error_label.setStyleSheet("color: #b00020")
        self._labels = [QLabel() for _ in range(5)]
        form = QFormLayout(self)
        size_row = QHBoxLayout()
        size_row.addWidget(self.width_spin)
        size_row.addWidget(QLabel("×"))
        size_row.addWidget(self.height_spin)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.browse)
        form.addRow(self._labels[0], size_row)
        form.addRow(self._labels[1], self.dpi_combo)
        form.addRow(self._labels[2], self.title_edit)
        for check in (self.legend_check, self.scalebar_check, self.north_check):
            form.addRow("", check)
        form.addRow(self._labels[3], file_row)
        form.addRow(self.error_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.written = None
        self.retranslate_ui()

    def _keep_aspect(self, spin, value) -> None:
        spin.blockSignals(True)
        spin.setValue(max(64, min(20000, value)))
        spin.blockSignals(False)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Export Map Image"))
        for label, text in zip(self._labels, (self.tr("Size:"), self.tr("Resolution:"), self.tr("Title:"),
                                              self.tr("File:"))):
            label.setText(text)
        self.legend_check.setText(self.tr("Legend"))
        self.scalebar_check.setText(self.tr("Scale bar"))
        self.north_check.setText(self.tr("North arrow"))
        self.browse.setText(self.tr("Browse…"))

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt virtual)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def _choose(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export Map Image"), self.path_edit.text(),
                                              self.tr("Images (*.png *.jpg *.svg *.pdf)"))
        if path:
            self.path_edit.setText(path)

    def accept(self) -> None:
        """Write the image; on failure say why in the dialog and stay open (nothing half-written kept)."""
        path = self.path_edit.text().strip()
        if Path(path).suffix.lower() not in (".png", ".jpg", ".jpeg", ".svg", ".pdf"):
            self._show_error(self.tr("Use a .png, .jpg, .svg or .pdf file name."))
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.written = export_view_image(self.window.project, path, (self.width_spin.value(),
                                                                         self.height_spin.value()),
                                             self.window.canvas.extent(), dpi=self.dpi_combo.currentData(),
                                             title=self.title_edit.text().strip(),
                                             legend=self.legend_check.isChecked(),
                                             scalebar=self.scalebar_check.isChecked(),
                                             north_arrow=self.north_check.isChecked(),
                                             map_bounds=self.window.canvas.view().bounds)
        except (HygisError, OSError) as exc:
            self._show_error(error_message(exc))
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.window.statusBar().showMessage(self.tr("Exported {0}").format(self.written), 5000)
        super().accept()


    def _show_error(self, text: str) -> None:
        """The reason under the form, whole: the dialog grows to the wrapped lines."""
        self.error_label.setText(text)
        self.layout().activate()
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))


def open_export_image_dialog(window) -> ExportImageDialog:
    dialog = ExportImageDialog(window)
    window.export_image_dialog = dialog
    dialog.open()
    return dialog
