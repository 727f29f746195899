"""The import dialog: preview the first rows, override the text encoding, datum, CRS and field mapping.

A thin dialog over :func:`hygis.io.preview_vector` and :func:`hygis.io.load_layers`.
Mojibake is never imported silently: when the chosen encoding does not decode
the file (or the preview shows replacement/Latin-1 characters) a warning says so,
and the preview shows the text exactly as it would be imported.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QTableWidget, QTableWidgetItem, QVBoxLayout)

from hygis.core.errors import HygisError
from hygis.layers.schema import SCHEMAS
from hygis.ui.attribute_form import field_label

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

    def __init__(self, path, parent=None):
        super().__init__(parent)
        self.path = Path(path)
        self.preview: dict | None = None
        self.layers: list = []
        self.mojibake = False
        self.setWindowTitle(self.tr("Import %1").replace("%1", self.path.name))
        self.resize(760, 560)
        self._build()
        self.refresh_preview()

    # -- widgets ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.encoding_combo = QComboBox()
        for label, codec in ENCODINGS:
            self.encoding_combo.addItem(self.tr(label) if codec is None else label, codec)
        self.encoding_combo.currentIndexChanged.connect(lambda _i: self.refresh_preview())
        self.warning_label = QLabel()
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.warning_label.hide()
        self.datum_combo = QComboBox()
        self.datum_combo.addItem(self.tr("WGS84 / CGCS2000 (GPS, survey data)"), "wgs84")
        self.datum_combo.addItem(self.tr("GCJ-02 (Amap/Gaode, Tencent)"), "gcj02")
        self.datum_combo.addItem(self.tr("BD-09 (Baidu)"), "bd09")
        self.crs_edit = QLineEdit()
        self.crs_edit.setPlaceholderText(self.tr("e.g. EPSG:4549 (CGCS2000 / 3-degree Gauss-Krüger 120°E)"))
        self.kind_combo = QComboBox()
        self.kind_combo.addItem(kind_label("vector"), "vector")
        for kind in SCHEMAS:
            self.kind_combo.addItem(kind_label(kind), kind)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._fill_mapping())
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.mapping = QTableWidget(0, 2)
        self.mapping.setHorizontalHeaderLabels([self.tr("Field of the layer kind"), self.tr("Field in the file")])
        self.mapping.horizontalHeader().setStretchLastSection(True)
        self.mapping_label = QLabel(self.tr("Field mapping"))
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        form = QFormLayout()
        form.addRow(self.tr("Text encoding"), self.encoding_combo)
        form.addRow(self.tr("Coordinates are"), self.datum_combo)
        form.addRow(self.tr("Coordinate system"), self.crs_edit)
        form.addRow(self.tr("Import as"), self.kind_combo)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addWidget(self.info_label)
        layout.addLayout(form)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.mapping_label)
        layout.addWidget(self.mapping, 1)
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
            self.error_label.setText(str(exc))
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
            return
        self.preview = preview
        self.error_label.clear()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)
        self._show_rows(preview)
        self._show_info(preview)
        texts = [v for row in preview["rows"] for v in row.values() if isinstance(v, str)]
        detected_unknown = self.encoding is None and preview.get("encoding_detected") is None
        self.mojibake = (not preview.get("decodes", True)) or detected_unknown or looks_like_mojibake(texts)
        self.warning_label.setText(self.tr("The text looks garbled (mojibake) with this encoding: "
                                           "choose another one before importing."))
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
                           ("%3", enc), ("%4", preview.get("encoding_reason", ""))):
            text = text.replace(key, str(value))
        needs_crs = not preview.get("crs")
        if needs_crs:
            text += "\n" + self.tr("The file has no coordinate system: enter it below.")
        self.info_label.setText(text)
        self.crs_edit.setEnabled(True)
        self.crs_edit.setStyleSheet("border: 1px solid #b00020;" if needs_crs else "")

    # -- field mapping ---------------------------------------------------------------------
    def _fill_mapping(self) -> None:
        from hygis.io import suggest_field_map

        kind = self.kind_combo.currentData()
        schema = SCHEMAS.get(kind)
        columns = self.preview["columns"] if self.preview else []
        specs = [s for s in schema.fields if not s.computed] if schema else []
        self.mapping.setRowCount(len(specs))
        self.mapping.setVisible(bool(specs))
        self.mapping_label.setVisible(bool(specs))
        suggested = {dst: src for src, dst in suggest_field_map(columns, kind).items()} if schema else {}
        for row, spec in enumerate(specs):
            item = QTableWidgetItem(f"{field_label(spec)}{' *' if spec.required else ''} ({spec.name})")
            self.mapping.setItem(row, 0, item)
            combo = QComboBox()
            combo.addItem(self.tr("(none)"), None)
            for col in columns:
                combo.addItem(str(col), col)
            src = spec.name if spec.name in columns else suggested.get(spec.name)
            combo.setCurrentIndex(max(0, combo.findData(src)) if src is not None else 0)
            self.mapping.setCellWidget(row, 1, combo)

    def field_map(self) -> dict[str, str]:
        """{source field: schema field} chosen in the mapping table."""
        kind = self.kind_combo.currentData()
        schema = SCHEMAS.get(kind)
        if schema is None:
            return {}
        specs = [s for s in schema.fields if not s.computed]
        out = {}
        for row, spec in enumerate(specs):
            src = self.mapping.cellWidget(row, 1).currentData()
            if src is not None and src != spec.name:
                out[src] = spec.name
        return out

    def set_mapping(self, schema_field: str, source_field: str | None) -> None:
        schema = SCHEMAS[self.kind_combo.currentData()]
        row = [s.name for s in schema.fields if not s.computed].index(schema_field)
        combo = self.mapping.cellWidget(row, 1)
        combo.setCurrentIndex(combo.findData(source_field))

    # -- import ----------------------------------------------------------------------------
    def options(self) -> dict:
        """Keyword arguments for :func:`hygis.io.load_layers`."""
        crs = self.crs_edit.text().strip() or None
        kind = self.kind_combo.currentData()
        return dict(encoding=self.encoding or (self.preview or {}).get("encoding_detected"),
                    datum=self.datum_combo.currentData(), crs=crs,
                    as_kind=None if kind == "vector" else kind, field_map=self.field_map() or None)

    def load(self) -> list:
        """Load the file with the chosen options (raises HygisError)."""
        from hygis.io import load_layers

        if self.preview is None:
            raise HygisError(self.tr("The file cannot be read"))
        if self.mojibake:
            raise HygisError(self.tr("The text would be imported garbled: choose the right encoding first"))
        opts = self.options()
        if not self.preview.get("crs") and not opts["crs"]:
            raise HygisError(self.tr("The file has no coordinate system: enter one (e.g. EPSG:4549)"))
        return load_layers(self.path, **opts)

    def accept(self) -> None:
        try:
            self.layers = self.load()
        except HygisError as exc:
            self.error_label.setText(str(exc))
            return
        super().accept()
