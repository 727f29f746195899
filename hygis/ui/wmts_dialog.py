"""View ▸ Tile Basemap ▸ WMTS…: read a GetCapabilities document and choose a layer and TileMatrixSet.

The dialog reads the document (URL or local file; 天地图 URLs get the user's token), lists
its layers and each layer's TileMatrixSets with their CRS (天地图: ``c`` = EPSG:4490
lon/lat, ``w`` = Web Mercator), and answers the tile-source spec
``wmts:LOCATION#layer=…&set=…`` (:mod:`hygis.geo.wmts`) that the project stores.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (QApplication, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout)

from hygis.core.errors import HygisError
from hygis.ui.error_dialog import error_message

TIANDITU_EXAMPLE = "https://t0.tianditu.gov.cn/vec_c/wmts?request=GetCapabilities&service=wmts"


class WmtsDialog(QDialog):
    """Choose a WMTS layer and TileMatrixSet; :meth:`spec` is the tile source to store."""

    def __init__(self, parent=None, location: str = "", token: str | None = None):
        super().__init__(parent)
        self.token = token
        self._layers: list = []
        self.url = QLineEdit(location)
        self.url.setPlaceholderText(TIANDITU_EXAMPLE)
        self.url.setMinimumWidth(460)
        self.load_button = QPushButton()
        self.browse_button = QPushButton()
        self.load_button.clicked.connect(self.load)
        self.browse_button.clicked.connect(self.browse)
        self.url.returnPressed.connect(self.load)
        row = QHBoxLayout()
        row.addWidget(self.url, 1)
        row.addWidget(self.browse_button)
        row.addWidget(self.load_button)
        self.layer_box = QComboBox()
        self.set_box = QComboBox()
        self.layer_box.currentIndexChanged.connect(self._fill_sets)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.form = QFormLayout()
        self._labels = [QLabel(), QLabel(), QLabel()]
        self.form.addRow(self._labels[0], row)
        self.form.addRow(self._labels[1], self.layer_box)
        self.form.addRow(self._labels[2], self.set_box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.retranslate_ui()
        self._update_ok()
        if location:
            self.load()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("WMTS tile basemap"))
        self._labels[0].setText(self.tr("Capabilities URL or file:"))
        self._labels[1].setText(self.tr("Layer:"))
        self._labels[2].setText(self.tr("Tile matrix set:"))
        self.load_button.setText(self.tr("Load"))
        self.browse_button.setText(self.tr("File…"))
        if not self._layers and not self.message.property("error"):
            self.message.setText(self.tr("天地图: {example} (your token is added from the settings)")
                                 .format(example=TIANDITU_EXAMPLE))

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("WMTS capabilities"), "",
                                              self.tr("WMTS capabilities (*.xml)"))
        if path:
            self.url.setText(path)
            self.load()

    def load(self) -> bool:
        """Read the document and list its layers; False (and the reason shown) if it cannot be read."""
        from hygis.geo import wmts

        location = self.url.text().strip()
        self._layers = []
        self.layer_box.clear()
        self.set_box.clear()
        if not location:
            return False
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self._layers = wmts.describe(location, token=self.token)
        except HygisError as exc:
            self.message.setProperty("error", True)
            self.message.setText(error_message(exc))
            self._update_ok()
            return False
        finally:
            QApplication.restoreOverrideCursor()
        self.message.setProperty("error", False)
        for name, title, _ in self._layers:
            self.layer_box.addItem(f"{title} ({name})" if title != name else name, name)
        self.message.setText(self.tr("{n} layer(s)").format(n=len(self._layers)))
        self._update_ok()
        return True

    def _fill_sets(self) -> None:
        self.set_box.clear()
        i = self.layer_box.currentIndex()
        if 0 <= i < len(self._layers):
            for set_id, crs in self._layers[i][2]:
                self.set_box.addItem(f"{set_id} — {crs}", set_id)
        self._update_ok()

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.set_box.count() > 0)

    def choose(self, layer: str | None = None, matrix_set: str | None = None) -> None:
        """Select ``layer`` and ``matrix_set`` by identifier (what a click on the lists does)."""
        if layer is not None:
            self.layer_box.setCurrentIndex(self.layer_box.findData(layer))
        if matrix_set is not None:
            self.set_box.setCurrentIndex(self.set_box.findData(matrix_set))

    def spec(self) -> str | None:
        """``wmts:LOCATION#layer=…&set=…`` for the chosen layer and set (None before a document is read)."""
        layer, matrix_set = self.layer_box.currentData(), self.set_box.currentData()
        if not layer or not matrix_set:
            return None
        return f"wmts:{self.url.text().strip()}#layer={layer}&set={matrix_set}"
