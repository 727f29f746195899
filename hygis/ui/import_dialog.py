"""The import dialog: preview the first rows, override the text encoding, datum, CRS and field mapping.

A thin dialog over :func:`hygis.io.preview_vector` and :func:`hygis.io.load_layers`: the
features become a new layer or are appended to an existing one (the command of
``hygis import --append``); the field-mapping grid (:mod:`hygis.ui.import_mapping`) also maps
a column's values (工业 → industry) and sets constant values; a CSV's lon/lat columns are
pre-filled from the detection and can be changed.
Mojibake is never imported silently: when the chosen encoding does not decode
the file (or the preview shows replacement/Latin-1 characters) a warning says so,
and the preview shows the text exactly as it would be imported.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QTableWidget, QTableWidgetItem, QVBoxLayout)

from hygis.core.errors import HygisError
from hygis.layers.schema import SCHEMAS, FieldSpec
from hygis.ui.import_mapping import FieldMappingTable
from hygis.ui.error_dialog import error_message

#: (label, codec) of the encodings offered; None = detected automatically.
ENCODINGS = (("Auto", None), ("UTF-8", "utf-8"), ("GBK", "gbk"), ("GB18030", "gb18030"), ("Big5", "big5"))
PREVIEW_ROWS = 10


def looks_like_mojibake(texts) -> bool:
    """True if decoded text shows the usual signs of a wrong encoding.

    Replacement characters, private-use code points (Big5/GBK confusion) and
    Latin-1 letters in Chinese data (GBK read as Latin-1) are such signs.
    """
    for text in texts:
        for ch in str(text):
            o = ord(ch)
            if ch == "\ufffd" or 0xE000 <= o <= 0xF8FF or 0x80 <= o <= 0x24F:
                return True
    return False


def _redecode(value, encoding: str):
    """Text read as Latin-1 shown as ``encoding`` would decode it (invalid bytes become U+FFFD)."""
    if not isinstance(value, str):
        return value
    return value.encode("latin-1", "replace").decode(encoding, "replace")


def kind_label(kind: str) -> str:
    schema = SCHEMAS.get(kind)
    text = schema.label_en if schema else "Generic vector layer"
    return QCoreApplication.translate("ImportDialog", text)


class ImportDialog(QDialog):
    """Options for importing ``path``; after ``accept()``, :attr:`layers` holds the loaded layers."""

    def __init__(self, path, parent=None, project=None):
        super().__init__(parent)
        self.path = Path(path)
        self.project = project
        self.preview: dict | None = None
        self.layers: list = []
        self.append_command = None  # the AddFeatures of an append, after accept()
        self.mojibake = False
        self._error_source: str | None = None  # the English text of the error shown (retranslated)
        self.resize(820, 720)
        self._build()
        self.retranslate_ui()
        self.refresh_preview()

    def retranslate_ui(self) -> None:
        """Every text of the dialog in the current language (also while it is open: a language
        switch retranslates it, keeping the choices made)."""
        self.setWindowTitle(self.tr("Import %1").replace("%1", self.path.name))
        self.encoding_combo.setItemText(0, self.tr("Auto"))
        for i, text in enumerate((self.tr("WGS84 / CGCS2000 (GPS, survey data)"),
                                  self.tr("GCJ-02 (Amap/Gaode, Tencent)"), self.tr("BD-09 (Baidu)"))):
            self.datum_combo.setItemText(i, text)
        self.crs_edit.setPlaceholderText(self.tr("e.g. EPSG:4549 (CGCS2000 / 3-degree Gauss-Krüger 120°E)"))
        for i in range(self.kind_combo.count()):
            self.kind_combo.setItemText(i, kind_label(self.kind_combo.itemData(i)))
        self.target_combo.setItemText(0, self.tr("A new layer"))
        self.xy_label.setText(self.tr("Lon / lat columns"))
        self.lon_label.setText(self.tr("Longitude (x)"))
        self.lat_label.setText(self.tr("Latitude (y)"))
        self.mapping_label.setText(self.tr("Field mapping"))
        for widget, text in ((self.encoding_combo, self.tr("Text encoding")),
                             (self.datum_combo, self.tr("Coordinates are")),
                             (self.crs_edit, self.tr("Coordinate system")),
                             (self.target_combo, self.tr("Import into")), (self.kind_combo, self.tr("Import as"))):
            self.form.labelForField(widget).setText(text)
        self.warning_label.setText(self.tr("The text looks garbled (mojibake) with this encoding: "
                                           "choose another one before importing."))
        if self.preview is not None:
            self._show_info(self.preview)
            none_text = self.tr("(detect)") if self.preview.get("wkt_column") else self.tr("(none)")
            for combo in (self.lon_combo, self.lat_combo):
                if combo.count():
                    combo.setItemText(0, none_text)
        if self._error_source is not None:
            self.error_label.setText(self.tr(self._error_source))

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt virtual)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def _error(self, source: str) -> HygisError:
        """A refusal saying ``source`` (English) in the current language; shown in the dialog, it
        follows a language switch."""
        exc = HygisError(self.tr(source))
        exc.source = source
        return exc

    # -- widgets ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.encoding_combo = QComboBox()
        for label, codec in ENCODINGS:
            self.encoding_combo.addItem(label, codec)  # "Auto" translated in retranslate_ui
        self.encoding_combo.currentIndexChanged.connect(lambda _i: self.refresh_preview())
        self.warning_label = QLabel()
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.warning_label.hide()
        self.datum_combo = QComboBox()
        for datum in ("wgs84", "gcj02", "bd09"):  # texts in retranslate_ui
            self.datum_combo.addItem(datum, datum)
        from hygis.ui.crs_picker import CrsEdit

        self.crs_edit = CrsEdit()  # the … button searches PROJ's CRS database (GCJ-02/BD-09 set the datum)
        self.crs_edit.datumChosen.connect(lambda d: self.datum_combo.setCurrentIndex(self.datum_combo.findData(d)))
        self.kind_combo = QComboBox()
        self.kind_combo.addItem(kind_label("vector"), "vector")
        for kind in SCHEMAS:
            self.kind_combo.addItem(kind_label(kind), kind)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._fill_mapping())
        self.target_combo = QComboBox()
        self.target_combo.addItem("", None)  # "A new layer"
        for layer in (self.project.layers if self.project is not None else []):
            if hasattr(layer, "selection"):  # vector layers
                self.target_combo.addItem(layer.name, layer.name)
        self.target_combo.currentIndexChanged.connect(lambda _i: self._on_target())
        self.lon_combo, self.lat_combo = QComboBox(), QComboBox()
        self.xy_row = QHBoxLayout()
        self.xy_label, self.lon_label, self.lat_label = QLabel(), QLabel(), QLabel()
        for label, combo in ((self.lon_label, self.lon_combo), (self.lat_label, self.lat_combo)):
            self.xy_row.addWidget(label)
            self.xy_row.addWidget(combo, 1)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.mapping = FieldMappingTable()
        self.mapping.value_source = self._file_values
        self.mapping_label = QLabel()
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        form = QFormLayout()
        for widget in (self.encoding_combo, self.datum_combo, self.crs_edit, self.target_combo, self.kind_combo):
            form.addRow(QLabel(), widget)  # label texts in retranslate_ui
        form.addRow(self.xy_label, self.xy_row)
        self.form = form
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addWidget(self.info_label)
        layout.addLayout(form)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.mapping_label)
        layout.addWidget(self.mapping, 2)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    @property
    def encoding(self) -> str | None:
        return self.encoding_combo.currentData()

    # -- preview ---------------------------------------------------------------------------
    def _read_preview(self, encoding: str | None) -> dict:
        from hygis.io import preview_vector

        try:
            return preview_vector(self.path, encoding=encoding, n=PREVIEW_ROWS)
        except HygisError:
            if encoding is None:
                raise
        # the chosen encoding does not decode the file: show what it would make of the text
        preview = preview_vector(self.path, encoding="latin-1", n=PREVIEW_ROWS)
        preview["rows"] = [{_redecode(k, encoding): _redecode(v, encoding) for k, v in row.items()}
                           for row in preview["rows"]]
        preview["columns"] = [_redecode(c, encoding) for c in preview["columns"]]
        preview["decodes"] = False
        return preview

    def refresh_preview(self) -> None:
        """Read the first rows with the chosen encoding and show them (and any warning)."""
        try:
            preview = self._read_preview(self.encoding)
        except HygisError as exc:
            self.preview = None
            self._error_source = None
            self.error_label.setText(error_message(exc))
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
            return
        self.preview = preview
        self._error_source = None
        self.error_label.clear()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)
        self._show_rows(preview)
        self._show_info(preview)
        self._fill_xy(preview)
        texts = [v for row in preview["rows"] for v in row.values() if isinstance(v, str)]
        detected_unknown = self.encoding is None and preview.get("encoding_detected") is None
        self.mojibake = (not preview.get("decodes", True)) or detected_unknown or looks_like_mojibake(texts)
        self.warning_label.setVisible(self.mojibake)
        self._fill_mapping()

    def _show_rows(self, preview: dict) -> None:
        columns, rows = preview["columns"], preview["rows"]
        self.table.clear()
        self.table.setColumnCount(len(columns))
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels([str(c) for c in columns])
        for r, row in enumerate(rows):
            for c, col in enumerate(columns):
                value = row.get(col)
                self.table.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))

    def _show_info(self, preview: dict) -> None:
        enc = preview.get("encoding_detected") or self.tr("unknown")
        text = self.tr("%1 features, geometry: %2, encoding: %3 (%4)")
        for key, value in (("%1", preview.get("feature_count", "?")), ("%2", preview.get("geometry_type", "?")),
                           ("%3", enc), ("%4", error_message(preview.get("encoding_reason", "")))):
            text = text.replace(key, str(value))
        needs_crs = not preview.get("crs")
        if needs_crs:
            text += "\n" + self.tr("The file has no coordinate system: enter it below.")
        self.info_label.setText(text)
        self.crs_edit.setEnabled(True)
        self.crs_edit.setStyleSheet("border: 1px solid #b00020;" if needs_crs else "")

    # -- target layer, lon/lat columns ------------------------------------------------------
    def target_layer(self):
        """The layer the features are appended to, or None for a new layer."""
        name = self.target_combo.currentData()
        return self.project.layers[name] if name is not None else None

    def _on_target(self) -> None:
        target = self.target_layer()
        if target is not None:
            kind = target.kind if target.kind in SCHEMAS else "vector"
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))
        self.kind_combo.setEnabled(target is None)
        self._fill_mapping()

    def _fill_xy(self, preview: dict) -> None:
        is_csv = "lon_column" in preview
        self.xy_label.setVisible(is_csv)
        for i in range(self.xy_row.count()):
            self.xy_row.itemAt(i).widget().setVisible(is_csv)
        for combo, key in ((self.lon_combo, "lon_column"), (self.lat_combo, "lat_column")):
            combo.clear()
            combo.addItem(self.tr("(detect)") if preview.get("wkt_column") else self.tr("(none)"), None)
            for col in preview["columns"]:
                combo.addItem(str(col), col)
            combo.setCurrentIndex(max(0, combo.findData(preview.get(key))))

    def _file_values(self, column) -> list:
        from hygis.io.values import distinct_values

        try:
            return distinct_values(self.path, column, encoding=self.options()["encoding"])
        except HygisError as exc:
            self._error_source = None
            self.error_label.setText(error_message(exc))
            return []

    # -- field mapping ---------------------------------------------------------------------
    def _target_fields(self) -> list:
        target = self.target_layer()
        if target is not None and target.kind not in SCHEMAS:  # a generic layer: its own columns
            return [FieldSpec(str(c), "str") for c in target.data.columns if c != target.data.geometry.name]
        schema = SCHEMAS.get(self.kind_combo.currentData())
        return [s for s in schema.fields if not s.computed] if schema else []

    def _fill_mapping(self) -> None:
        from hygis.io import suggest_field_map

        self.error_label.clear()  # an error about the previous kind no longer applies
        self._error_source = None
        kind = self.kind_combo.currentData()
        columns = self.preview["columns"] if self.preview else []
        specs = self._target_fields()
        self.mapping.setVisible(bool(specs))
        self.mapping_label.setVisible(bool(specs))
        suggested = {dst: src for src, dst in suggest_field_map(columns, kind).items()} if kind in SCHEMAS else {}
        self.mapping.set_fields(specs, columns, suggested)

    def field_map(self) -> dict[str, str]:
        """{source field: target field} chosen in the mapping table."""
        return self.mapping.field_map()

    def set_mapping(self, field: str, source_field: str | None) -> None:
        self.mapping.set_source(field, source_field)

    # -- import ----------------------------------------------------------------------------
    def options(self) -> dict:
        """Keyword arguments for :func:`hygis.io.load_layers`."""
        crs = self.crs_edit.text().strip() or None
        kind = self.kind_combo.currentData()
        lon, lat = self.lon_combo.currentData(), self.lat_combo.currentData()
        xy = {"lon": lon, "lat": lat} if "lon_column" in (self.preview or {}) else {}
        return dict(encoding=self.encoding or (self.preview or {}).get("encoding_detected"),
                    datum=self.datum_combo.currentData(), crs=crs,
                    as_kind=None if kind == "vector" else kind, field_map=self.field_map() or None,
                    values=self.mapping.values() or None, constants=self.mapping.constants() or None, **xy)

    def load(self) -> list:
        """Load the file with the chosen options (raises HygisError)."""
        from hygis.io import load_layers

        if self.preview is None:
            raise self._error("The file cannot be read")
        if self.mojibake:
            raise self._error("The text would be imported garbled: choose the right encoding first")
        opts = self.options()
        if (opts.get("lon") is None) != (opts.get("lat") is None):
            raise self._error("Choose both the longitude and the latitude column")
        if not self.preview.get("crs") and not opts["crs"] and opts.get("lon") is None:
            raise self._error("The file has no coordinate system: enter one (e.g. EPSG:4549)")
        target = self.target_layer()
        if target is not None and target.kind not in SCHEMAS:  # a generic layer: renamed in append_to
            opts = {k: v for k, v in opts.items() if k not in ("field_map", "values", "constants")}
        return load_layers(self.path, **opts)

    def append_to(self, target, layers):
        """The undoable command appending the loaded features to ``target`` (raises HygisError)."""
        from hygis.io.values import apply_values
        from hygis.project.batch_edits import append_features

        if len(layers) != 1 or layers[0].kind == "raster":
            raise self._error("Appending needs a file with one vector layer")
        frame = layers[0].data
        if target.kind not in SCHEMAS:
            frame = apply_values(frame.rename(columns=self.field_map()), self.mapping.values(),
                                 self.mapping.constants(), self.path.name)
        return append_features(target, frame)

    def accept(self) -> None:
        try:
            layers = self.load()
            target = self.target_layer()
            self.append_command = self.append_to(target, layers) if target is not None else None
            self.layers = [] if target is not None else layers
        except HygisError as exc:
            self._error_source = getattr(exc, "source", None)
            self.error_label.setText(error_message(exc))
            return
        super().accept()
