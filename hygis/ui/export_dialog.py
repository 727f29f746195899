"""Export a layer or its selection: format, text encoding (shapefile/CSV) and output datum.

A thin dialog over :func:`hygis.io.export_layer`; a refused export (HygisError)
is shown in the dialog, which stays open.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout)

from hygis.core.errors import HygisError
from hygis.ui.error_dialog import error_message
from hygis.core.text import Joined

#: (label, suffix) of the output formats, in menu order.
FORMATS = (("GeoPackage", ".gpkg"), ("Shapefile", ".shp"), ("GeoJSON", ".geojson"), ("KML", ".kml"),
           ("CSV", ".csv"), ("FlatGeobuf", ".fgb"), ("GeoParquet", ".parquet"))


class ExportDialog(QDialog):
    """Choose what and where to export; :meth:`export` writes the file."""

    def __init__(self, project, layer=None, parent=None):
        super().__init__(parent)
        self.project = project
        self.written: Path | None = None
        self.setWindowTitle(self.tr("Export layer"))
        self.layer_combo = QComboBox()
        self.layers = [lyr for lyr in project.layers if hasattr(lyr, "selection")]
        for lyr in self.layers:
            self.layer_combo.addItem(lyr.name, lyr.id)
        if layer in self.layers:
            self.layer_combo.setCurrentIndex(self.layers.index(layer))
        self.selected_only = QCheckBox(self.tr("Selected features only"))
        self.format_combo = QComboBox()
        for label, suffix in FORMATS:
            self.format_combo.addItem(f"{label} (*{suffix})", suffix)
        self.encoding_combo = QComboBox()
        self.encoding_combo.addItem(self.tr("UTF-8 (with .cpg)"), "utf-8")
        self.encoding_combo.addItem(self.tr("GBK (for old software)"), "gbk")
        self.encoding_combo.addItem(self.tr("GB18030 (every character)"), "gb18030")
        self.allow_truncate = QCheckBox(self.tr("Allow cutting field names to 10 bytes and texts to 254 bytes"))
        self.datum_combo = QComboBox()
        self.datum_combo.addItem(self.tr("WGS84"), "wgs84")
        self.datum_combo.addItem(self.tr("CGCS2000"), "cgcs2000")
        self.datum_combo.addItem(self.tr("GCJ-02 (Amap/Gaode, Tencent)"), "gcj02")
        self.datum_combo.addItem(self.tr("BD-09 (Baidu)"), "bd09")
        from hygis.ui.crs_picker import CrsEdit

        self.crs_edit = CrsEdit()  # empty: lon/lat of the datum; the … button searches PROJ's database
        self.crs_edit.setPlaceholderText(self.tr("lon/lat (or a CRS, e.g. EPSG:4549)"))
        self.crs_edit.datumChosen.connect(lambda d: self._pseudo_crs(d))
        self.report: list[str] = []
        self.path_edit = QLineEdit()
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        form = QFormLayout()
        form.addRow(self.tr("Layer"), self.layer_combo)
        form.addRow("", self.selected_only)
        form.addRow(self.tr("Format"), self.format_combo)
        form.addRow(self.tr("Text encoding"), self.encoding_combo)
        form.addRow("", self.allow_truncate)
        form.addRow(self.tr("Coordinates"), self.datum_combo)
        form.addRow(self.tr("Coordinate system"), self.crs_edit)
        form.addRow(self.tr("File"), path_row)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.layer_combo.currentIndexChanged.connect(self._update_state)
        self.format_combo.currentIndexChanged.connect(self._update_state)
        self._update_state()

    @property
    def layer(self):
        i = self.layer_combo.currentIndex()
        return self.layers[i] if 0 <= i < len(self.layers) else None

    def _update_state(self, *args) -> None:
        layer = self.layer
        has_selection = bool(layer is not None and layer.selection)
        self.selected_only.setEnabled(has_selection)
        self.selected_only.setChecked(has_selection and self.selected_only.isChecked())
        suffix = self.format_combo.currentData()
        self.encoding_combo.setEnabled(suffix in (".shp", ".csv"))
        self.allow_truncate.setEnabled(suffix == ".shp")
        path = self.path_edit.text().strip()
        if path:
            self.path_edit.setText(str(Path(path).with_suffix(suffix)))

    def _pseudo_crs(self, datum: str) -> None:
        """GCJ-02 / BD-09 picked in the CRS search: they are datums of lon/lat, chosen above."""
        self.datum_combo.setCurrentIndex(self.datum_combo.findData(datum))
        self.crs_edit.clear()

    def _browse(self) -> None:
        suffix = self.format_combo.currentData()
        start = self.path_edit.text() or (self.layer.name + suffix if self.layer else "")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export to"), start, f"*{suffix}")
        if path:
            self.path_edit.setText(str(Path(path).with_suffix(suffix)))

    def export(self) -> Path:
        """Write the file with the chosen options (raises HygisError)."""
        from hygis.io import export_layer

        layer = self.layer
        if layer is None:
            raise HygisError(self.tr("There is no vector layer to export"))
        text = self.path_edit.text().strip()
        if not text:
            raise HygisError(self.tr("Choose a file to export to"))
        path = Path(text).with_suffix(self.format_combo.currentData())
        fids = sorted(layer.selection) if self.selected_only.isChecked() else None
        encoding = self.encoding_combo.currentData() if self.encoding_combo.isEnabled() else "utf-8"
        self.report = []
        export_layer(layer, path, datum=self.datum_combo.currentData(), encoding=encoding, fids=fids,
                     allow_truncate=self.allow_truncate.isEnabled() and self.allow_truncate.isChecked(),
                     report=self.report, crs=self.crs_edit.text().strip() or None)
        return path

    def accept(self) -> None:
        try:
            self.written = self.export()
        except HygisError as exc:
            self.error_label.setText(error_message(exc))
            return
        status = getattr(self.parent(), "statusBar", None)
        if self.report and callable(status):  # what the export lost or must be told: never silent
            status().showMessage(error_message(Joined(self.report)), 30000)
        super().accept()
