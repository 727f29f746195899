"""The identify dock: field → value of the feature clicked with the identify tool.

Field labels come from the kind's schema in the UI language; identifying a
feature also selects it (``layer.selection``), so the canvas highlights it.
"""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from hygis.layers.style import ILLUSTRATIVE_FIELD, ILLUSTRATIVE_VALUE
from hygis.ui.i18n import current_language


def _text(value) -> str:
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float):
        return "" if value != value else f"{value:.6g}"
    return str(value)


class IdentifyPanel(QWidget):
    """Attributes of one feature: a header (layer, feature id) and a two-column table."""

    def __init__(self, project=None, parent=None):
        super().__init__(parent)
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.table = QTableWidget(0, 2)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.header)
        layout.addWidget(self.table, 1)
        self.project = None
        self.layer = None
        self.fid = None
        self.set_project(project)
        self.retranslate_ui()

    def set_project(self, project) -> None:
        if self.project is not None:
            self.project.layers.events.removed.disconnect(self._on_layer_removed)
            self.project.layers.events.layer_changed.disconnect(self._on_layer_changed)
        self.project = project
        if project is not None:
            project.layers.events.removed.connect(self._on_layer_removed)
            project.layers.events.layer_changed.connect(self._on_layer_changed)
        self.clear()

    def retranslate_ui(self) -> None:
        self.table.setHorizontalHeaderLabels([self.tr("Field"), self.tr("Value")])
        if self.layer is not None and self.fid is not None:
            self.show_feature(self.layer.id, self.fid, select=False)
        else:
            self.header.setText(self.tr("Click a feature with the Identify tool."))

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def clear(self) -> None:
        self.layer, self.fid = None, None
        self.table.setRowCount(0)
        self.header.setText(self.tr("Click a feature with the Identify tool."))

    def _on_layer_removed(self, index, layer) -> None:
        if layer is self.layer:
            self.clear()

    def _on_layer_changed(self, layer, event_name, *args) -> None:
        if layer is self.layer and event_name == "data":
            if self.fid in layer.data.index:
                self.show_feature(layer.id, self.fid, select=False)
            else:
                self.clear()

    def field_label(self, layer, name: str) -> str:
        """The field's label in the UI language (schema label), else the column name."""
        spec = layer.schema.field(name) if getattr(layer, "schema", None) else None
        if spec is None:
            return self.tr("Data status") if name == ILLUSTRATIVE_FIELD else name
        if current_language().startswith("zh"):
            return spec.label_zh or spec.label_en or name
        return spec.label_en or name

    def rows(self, layer, fid: int) -> list[tuple[str, str]]:
        """(label, value text) rows of one feature, schema fields first."""
        record = layer.data.loc[fid]
        names = [c for c in layer.data.columns if c != "geometry"]
        if getattr(layer, "schema", None):
            order = [f for f in layer.schema.field_names if f in names]
            names = order + [c for c in names if c not in order]
        return [(self.field_label(layer, n), _value_label(record[n])) for n in names]

    def show_feature(self, layer_id: str, fid: int, select: bool = True) -> bool:
        """Show the attributes of feature ``fid`` of layer ``layer_id`` (and select it)."""
        layer = self.project.layers.get(layer_id) if self.project is not None else None
        if layer is None or layer.kind == "raster" or fid is None or int(fid) not in layer.data.index:
            self.clear()
            return False
        self.layer, self.fid = layer, int(fid)
        rows = self.rows(layer, self.fid)
        self.table.setRowCount(len(rows))
        for i, (label, value) in enumerate(rows):
            key = QTableWidgetItem(label)
            key.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            self.table.setItem(i, 0, key)
            self.table.setItem(i, 1, QTableWidgetItem(value))
        self.table.resizeRowsToContents()
        geom = layer.data.geometry.loc[self.fid]
        self.header.setText(self.tr("{layer} · feature {fid} · {geom}").format(
            layer=layer.name, fid=self.fid, geom=self.tr(geom.geom_type) if geom is not None else "—")
            + (f" · {_value_label(ILLUSTRATIVE_VALUE)}" if layer.data.get(ILLUSTRATIVE_FIELD) is not None
               and layer.data.at[self.fid, ILLUSTRATIVE_FIELD] == ILLUSTRATIVE_VALUE else ""))
        if select and self.fid not in layer.selection:  # the canvas may have selected it (Ctrl adds)
            for other in self.project.layers:
                if other is not layer and getattr(other, "selection", None):
                    other.selection = ()
            layer.selection = {self.fid}
        return True

    def value_of(self, label: str) -> str | None:
        """The value text shown for a field label (for tests and tooltips)."""
        for i in range(self.table.rowCount()):
            if self.table.item(i, 0).text() == label:
                return self.table.item(i, 1).text()
        return None


def _value_label(value) -> str:
    from hygis.ui.i18n import value_label

    return value_label(_text(value))
