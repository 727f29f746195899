"""Coverage panel: how much of each zone the chosen layers cover (table + bar chart of the share).

A thin wrapper over :func:`hygis.analysis.coverage.coverage_by_zone`; selecting
zone rows selects the target features inside those zones on the map.  "Show on map"
draws the zones as a choropleth of their covered share over the canvas
(:mod:`hygis.ui.analysis.choropleth`, natural breaks by default), redrawn by each run
and removed with the results.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QSplitter)

from hygis.analysis import registry
from hygis.ui.analysis.charts import bar_chart, set_hbars
from hygis.ui.analysis.common import (ZONE_BASEMAP, DataFrameModel, make_table_view, snapshot, vector_layers,
                                      with_blocked)
from hygis.ui.analysis.panel import AnalysisPanel

#: Bars shown at most (zones with the largest share).
MAX_BARS = 25


def run_coverage(targets, zones, by=None, buffer_m=0.0, weights=None, denominator="drawn", progress=None,
                 cancelled=None) -> dict:
    """Worker job: resolve basemap zones, run coverage_by_zone; returns table and zones frame.

    ``weights``: None, a numeric zone field name or a RasterLayer (population per pixel).
    """
    if isinstance(zones, str):
        from hygis.geo.basemap import zones_from_spec

        zones = zones_from_spec(zones)
    table = registry.get("coverage").run(progress=progress, cancelled=cancelled, targets=targets, zones=zones,
                                         by=by, buffer_m=buffer_m, weights=weights, denominator=denominator)
    return {"table": table, "zones": zones, "by": by or "name"}


class CoveragePanel(AnalysisPanel):
    """Targets (multi), buffer (m), zones (basemap districts/cities or a polygon layer) → shares."""

    def _build_inputs(self, layout) -> None:
        form = QFormLayout()
        self.targets_list = QListWidget(self)
        self.targets_list.setMaximumHeight(110)
        self.targets_list.itemChanged.connect(self._on_input_changed)
        self.buffer_spin = QDoubleSpinBox(self)
        self.buffer_spin.setRange(0.0, registry.get("coverage").param("buffer_m").maximum)
        self.buffer_spin.setDecimals(0)
        self.buffer_spin.setSingleStep(500.0)
        self.buffer_spin.setSuffix(" m")
        self.buffer_spin.valueChanged.connect(self._on_input_changed)
        self.zones_combo = QComboBox(self)
        self.zones_combo.currentIndexChanged.connect(self._on_zones_changed)
        self.by_combo = QComboBox(self)
        self.by_combo.currentIndexChanged.connect(self._on_input_changed)
        self.weights_combo = QComboBox(self)  # data: None, "field:<name>" or "raster:<layer id>"
        self.weights_combo.currentIndexChanged.connect(self._on_input_changed)
        self.denominator_combo = QComboBox(self)  # what the shares divide by: drawn / official area
        for key in ("drawn", "official"):
            self.denominator_combo.addItem(key, key)
        self.denominator_combo.currentIndexChanged.connect(self._on_input_changed)
        self.form = form
        self.form_labels = [QLabel(self) for _ in range(6)]
        for label, widget in zip(self.form_labels, (self.targets_list, self.buffer_spin, self.zones_combo,
                                                    self.by_combo, self.weights_combo, self.denominator_combo)):
            form.addRow(label, widget)
        layout.addLayout(form)
        self.map_check = QCheckBox(self)  # the shares as a choropleth over the map
        self.map_check.toggled.connect(lambda *_: self._update_map())
        self.map_method = QComboBox(self)
        for method in ("jenks", "quantile", "equal"):
            self.map_method.addItem(method, method)
        self.map_method.currentIndexChanged.connect(lambda *_: self._update_map())
        row = QHBoxLayout()
        row.addWidget(self.map_check)
        row.addWidget(self.map_method, 1)
        layout.addLayout(row)
        self.choropleth = None

    def _build_results(self, layout) -> None:
        split = QSplitter(Qt.Orientation.Vertical, self)
        self.model = DataFrameModel(parent=self)
        self.model.digits = {"covered_share_pct": 1, "points_per_100km2": 2, "weight_total": 0,
                             "weight_covered": 0, "weight_share_pct": 1}
        self.table = make_table_view(self.model, self)
        self.table.selectionModel().selectionChanged.connect(self._on_rows_selected)
        self.plot = bar_chart(self)
        self.bars = None
        split.addWidget(self.table)
        split.addWidget(self.plot)
        layout.addWidget(split, 1)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Coverage"))
        self.runner.title = self.tr("Coverage")
        for row, text in enumerate((self.tr("Target layers"), self.tr("Buffer"), self.tr("Zones"),
                                    self.tr("Group by"), self.tr("Weights"), self.tr("Share of"))):
            self.form_labels[row].setText(text)
        self.denominator_combo.setItemText(0, self.tr("Drawn area (incl. tidal flats)"))
        self.denominator_combo.setItemText(1, self.tr("Official land area (where known)"))
        self.model.headers = {
            "zone": self.tr("Zone"), "zone_area_km2": self.tr("Zone area (km²)"),
            "covered_area_km2": self.tr("Covered (km²)"), "covered_share_pct": self.tr("Share (%)"),
            "covered_length_km": self.tr("Length (km)"), "point_count": self.tr("Points"),
            "points_per_100km2": self.tr("Points per 100 km²"), "weight_total": self.tr("Weight total"),
            "weight_covered": self.tr("Weight covered"), "weight_share_pct": self.tr("Weight share (%)"),
            "denominator_km2": self.tr("Divided by (km²)"), "denominator": self.tr("Area used")}
        self._fill_weights()
        if self.zones_combo.count() >= 2:
            self.zones_combo.setItemText(0, self.tr("Basemap districts"))
            self.zones_combo.setItemText(1, self.tr("Basemap cities"))
        self.plot.setLabel("bottom", self.tr("Share covered (%)"))
        self.map_check.setText(self.tr("Show on map"))
        for i, text in enumerate((self.tr("Natural breaks (Jenks)"), self.tr("Quantile (equal count)"),
                                  self.tr("Equal interval"))):
            self.map_method.setItemText(i, text)
        self._update_map()

    # inputs -----------------------------------------------------------------------------------
    def _project_changed(self) -> None:
        checked = set(self.selected_target_names())
        with_blocked(self.targets_list, lambda: self._fill_targets(checked))
        current = self.zones_combo.currentData()

        def fill_zones():
            self.zones_combo.clear()
            self.zones_combo.addItem(self.tr("Basemap districts"), ZONE_BASEMAP[0])
            self.zones_combo.addItem(self.tr("Basemap cities"), ZONE_BASEMAP[1])
            for layer in vector_layers(self.project, ("polygon",)):
                self.zones_combo.addItem(layer.name, layer.id)
            i = self.zones_combo.findData(current)
            self.zones_combo.setCurrentIndex(max(i, 0))

        with_blocked(self.zones_combo, fill_zones)
        self._fill_fields()

    def _fill_targets(self, checked: set) -> None:
        self.targets_list.clear()
        for layer in vector_layers(self.project):
            item = QListWidgetItem(layer.name, self.targets_list)
            item.setData(Qt.ItemDataRole.UserRole, layer.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if layer.name in checked else Qt.CheckState.Unchecked)

    def _fill_fields(self) -> None:
        def fill():
            current = self.by_combo.currentText()
            self.by_combo.clear()
            zone = self._zone_layer()
            if zone is None:
                self.by_combo.addItem("name")
                self.by_combo.setEnabled(False)
                return
            self.by_combo.setEnabled(True)
            fields = [f for f in zone.data.columns if f != zone.data.geometry.name]
            self.by_combo.addItems(fields)
            i = self.by_combo.findText(current if current in fields else "name")
            self.by_combo.setCurrentIndex(max(i, 0))

        with_blocked(self.by_combo, fill)
        self._fill_weights()

    def _fill_weights(self) -> None:
        """None, the numeric fields of a zones layer, and the project's raster layers."""
        def fill():
            current = self.weights_combo.currentData()
            self.weights_combo.clear()
            self.weights_combo.addItem(self.tr("None"), None)
            zone = self._zone_layer()
            if zone is not None:
                for name in zone.data.columns:
                    if name != zone.data.geometry.name and pd.api.types.is_numeric_dtype(zone.data[name]) \
                            and not pd.api.types.is_bool_dtype(zone.data[name]):
                        self.weights_combo.addItem(self.tr("{name} (zone field)").format(name=name), f"field:{name}")
            for layer in self.project.layers if self.project is not None else ():
                if layer.kind == "raster":
                    self.weights_combo.addItem(self.tr("{name} (raster)").format(name=layer.name),
                                               f"raster:{layer.id}")
            self.weights_combo.setCurrentIndex(max(self.weights_combo.findData(current), 0))

        with_blocked(self.weights_combo, fill)

    def set_weights(self, choice: str | None) -> None:
        """Weight by ``choice``: None, a zone field name or a raster layer's name."""
        i = 0
        if choice is not None:
            i = self.weights_combo.findData(f"field:{choice}")
            if i < 0:
                layer = next((lyr for lyr in self.project.layers if lyr.kind == "raster" and lyr.name == choice), None)
                i = self.weights_combo.findData(f"raster:{layer.id}") if layer is not None else -1
            if i < 0:
                raise ValueError(f"no weight field or raster named {choice!r}")
        self.weights_combo.setCurrentIndex(i)

    def _weights(self):
        """What the weights choice means for coverage_by_zone (field name or RasterLayer)."""
        data = self.weights_combo.currentData()
        if not data:
            return None
        kind, _, value = data.partition(":")
        if kind == "field":
            return value
        return next((lyr for lyr in self.project.layers if lyr.id == value), None)

    def _on_zones_changed(self) -> None:
        self._fill_fields()
        self._on_input_changed()

    def set_targets(self, names) -> None:
        """Check the target layers named in ``names`` (others unchecked)."""
        names = set(names)
        with_blocked(self.targets_list, lambda: [
            self.targets_list.item(i).setCheckState(
                Qt.CheckState.Checked if self.targets_list.item(i).text() in names else Qt.CheckState.Unchecked)
            for i in range(self.targets_list.count())])
        self._on_input_changed()

    def set_zones(self, spec_or_layer: str, by: str | None = None) -> None:
        """Choose zones: 'basemap:district', 'basemap:city' or a polygon layer's name/id."""
        i = self.zones_combo.findData(spec_or_layer)
        if i < 0:
            i = self.zones_combo.findText(spec_or_layer)
        self.zones_combo.setCurrentIndex(max(i, 0))
        if by:
            self.by_combo.setCurrentIndex(max(self.by_combo.findText(by), 0))

    def selected_target_names(self) -> list[str]:
        return [self.targets_list.item(i).text() for i in range(self.targets_list.count())
                if self.targets_list.item(i).checkState() == Qt.CheckState.Checked]

    def _target_layers(self) -> list:
        ids = {self.targets_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.targets_list.count())
               if self.targets_list.item(i).checkState() == Qt.CheckState.Checked}
        return [layer for layer in vector_layers(self.project) if layer.id in ids]

    def _zone_layer(self):
        data = self.zones_combo.currentData()
        if data in ZONE_BASEMAP or self.project is None:
            return None
        return next((layer for layer in vector_layers(self.project) if layer.id == data), None)

    def _job(self):
        layers = self._target_layers()
        if not layers:
            self.status.setText(self.tr("Choose one or more target layers."))
            return None
        zone_layer = self._zone_layer()
        zones = snapshot(zone_layer) if zone_layer is not None else self.zones_combo.currentData()
        by = self.by_combo.currentText() if zone_layer is not None else "name"
        return run_coverage, dict(targets=[snapshot(layer) for layer in layers], zones=zones, by=by,
                                  buffer_m=self.buffer_spin.value(), weights=self._weights(),
                                  denominator=self.denominator_combo.currentData())

    # results ----------------------------------------------------------------------------------
    def _show(self, result) -> None:
        from hygis.analysis.coverage import TOTAL_LABEL  # loaded by the run that made ``result``

        self.model.total_label = TOTAL_LABEL
        table = result["table"]
        columns = ["zone", "zone_area_km2", "covered_area_km2", "covered_share_pct", "denominator_km2",
                   "denominator"]
        total = table[table["zone"] == TOTAL_LABEL]
        if len(total) and float(total["covered_length_km"].iloc[0]) > 0:
            columns.append("covered_length_km")
        if len(total) and int(total["point_count"].iloc[0]) > 0:
            columns += ["point_count", "points_per_100km2"]
        if "weight_share_pct" in table.columns:
            columns += ["weight_total", "weight_covered", "weight_share_pct"]
        self.model.set_frame(table, columns)
        self.table.resizeColumnsToContents()
        zones = table[(table["zone"] != TOTAL_LABEL)]
        shown = zones[zones["covered_share_pct"] > 0].sort_values("covered_share_pct", ascending=False)
        shown = shown.head(MAX_BARS)
        self.bars = set_hbars(self.plot, self.bars, list(shown["zone"]), shown["covered_share_pct"].to_numpy())
        self._update_map()

    def _update_map(self) -> None:
        """Draw (or remove) the choropleth of the current result's shares over the canvas."""
        if self.canvas is None:
            return
        if self.result is None or not self.map_check.isChecked():
            if self.choropleth is not None:
                self.choropleth.clear()
            return
        if self.choropleth is None:
            from hygis.ui.analysis.choropleth import ChoroplethOverlay

            self.choropleth = ChoroplethOverlay(self.canvas)
        geoms, shares = zone_shares(self.result)
        self.choropleth.set_zones(geoms, shares, method=self.map_method.currentData(),
                                  title=self.tr("Share covered (%)"))

    def _clear(self) -> None:
        if getattr(self, "choropleth", None) is not None:
            self.choropleth.clear()
        self.model.set_frame(pd.DataFrame())
        if self.bars is not None:  # the chart is only built by a first result
            self.bars = set_hbars(self.plot, self.bars, [], np.empty(0))

    def table_frame(self):
        if self.result is None:
            return None
        return self.model.frame[self.model.columns].rename(columns=self.model.headers)

    def chart(self):
        return self.plot

    def _on_rows_selected(self, *args) -> None:
        """Select the target features lying in the selected zones (all of them for the total row)."""
        if self.result is None:
            return
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        labels = [str(self.model.value(r, "zone")) for r in rows]
        zone_geom = zone_union(self.result["zones"], self.result["by"], labels)
        for layer in self._target_layers():
            layer.selection = fids_in(layer, zone_geom)


def zone_shares(result: dict):
    """(WGS84 zone geometries, covered share % per zone) of a coverage result, in zone order."""
    from hygis.analysis.coverage import TOTAL_LABEL

    zones, by, table = result["zones"], result["by"], result["table"]
    if zones.crs is not None and not zones.crs.equals("EPSG:4326"):
        zones = zones.to_crs(4326)
    shares = table[table["zone"] != TOTAL_LABEL].drop_duplicates("zone").set_index("zone")["covered_share_pct"]
    labels = zones[by].astype(str) if by in zones.columns else pd.Series([""] * len(zones))
    return zones.geometry.to_numpy(), labels.map(shares).to_numpy(dtype=float)


def zone_union(zones: pd.DataFrame, by: str, labels: list[str]):
    """Union (WGS84) of the zone rows labelled ``labels`` (every zone for the total row)."""
    from hygis.analysis.coverage import TOTAL_LABEL

    if not labels:
        return None
    if TOTAL_LABEL in labels or by not in zones.columns:
        geoms = zones.geometry.to_numpy()
    else:
        geoms = zones.geometry.to_numpy()[zones[by].astype(str).isin(labels).to_numpy()]
    return shapely.union_all(geoms) if len(geoms) else None


def fids_in(layer, geom) -> list[int]:
    """Fids of the layer's filtered features intersecting ``geom`` (WGS84), for map highlighting."""
    if geom is None:
        return []
    data = layer.visible_data()
    if data.crs is not None and not data.crs.equals("EPSG:4326"):
        data = data.to_crs(4326)
    hits = data.sindex.query(geom, predicate="intersects")
    return [int(f) for f in data.index.to_numpy()[np.unique(hits)]]
