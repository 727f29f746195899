"""Adjacency panel: pairs of features that touch, overlap or lie within a distance; zone contiguity.

A thin wrapper over the ``adjacency`` and ``contiguity`` declarations of
:mod:`hygis.analysis.registry`.  Shows a pairs table, the 0/1 matrix, and links
between the pairs on the map; selecting pairs selects their features.

The default run is cheap and meaningful: the project's FTZ areas × innovation corridors
within 5 km (else its first layer with itself).  Basemap zones are only used when the user
picks them.  The links belong to the panel: closing it or opening another project clears them.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QLabel, QTabWidget

from hygis.analysis import registry
from hygis.ui.analysis.common import (ZONE_BASEMAP, DataFrameModel, MatrixModel, make_table_view, snapshot,
                                      vector_layers, with_blocked)
from hygis.ui.analysis.map_links import LinkOverlay, pair_links
from hygis.ui.analysis.panel import AnalysisPanel

METHODS = ("distance", "queen", "rook")
SAME_LAYER = ""


def run_adjacency(a, b=None, distance_m=None, method="distance", progress=None, cancelled=None) -> dict:
    """Worker job: pairs (registry 'adjacency' or 'contiguity'), their matrix and map links."""
    from hygis.analysis.contiguity import adjacency_matrix  # the analysis stack loads with the first run
    from hygis.geo.basemap import zones_from_spec

    a = zones_from_spec(a) if isinstance(a, str) else a
    b = zones_from_spec(b) if isinstance(b, str) else b
    if method == "distance":
        pairs = registry.get("adjacency").run(progress=progress, cancelled=cancelled, a=a, b=b,
                                              distance_m=distance_m)
    else:
        pairs = registry.get("contiguity").run(zones=a, kind=method, by="name")
    return {"pairs": pairs, "matrix": adjacency_matrix(pairs), "links": pair_links(pairs, a, b)}


class AdjacencyPanel(AnalysisPanel):
    """Layer A / layer B / distance (m) / method → pairs, matrix, links on the map."""

    def _build_inputs(self, layout) -> None:
        form = QFormLayout()
        self.method_combo = QComboBox(self)
        for m in METHODS:
            self.method_combo.addItem(m, m)
        self.method_combo.currentIndexChanged.connect(self._on_method_changed)
        self.a_combo = QComboBox(self)
        self.b_combo = QComboBox(self)
        self.distance_spin = QDoubleSpinBox(self)
        param = registry.get("adjacency").param("distance_m")
        self.distance_spin.setRange(0.0, param.maximum)
        self.distance_spin.setDecimals(0)
        self.distance_spin.setSingleStep(500.0)
        self.distance_spin.setValue(5000.0)
        self.distance_spin.setSuffix(" m")
        for w in (self.a_combo, self.b_combo):
            w.currentIndexChanged.connect(self._on_input_changed)
            w.activated.connect(self._on_user_choice)
        self.method_combo.activated.connect(self._on_user_choice)
        self._explicit = False  # the user chose the inputs (basemap zones only run when chosen)
        self.distance_spin.valueChanged.connect(self._on_input_changed)
        self.form_labels = [QLabel(self) for _ in range(4)]
        for label, w in zip(self.form_labels, (self.method_combo, self.a_combo, self.b_combo, self.distance_spin)):
            form.addRow(label, w)
        layout.addLayout(form)
        self.overlay = None

    def _build_results(self, layout) -> None:
        self.tabs = QTabWidget(self)
        self.model = DataFrameModel(parent=self)
        self.model.digits = {"distance_m": 0, "shared_length_km": 2, "overlap_area_km2": 3}
        self.table = make_table_view(self.model, self)
        self.table.selectionModel().selectionChanged.connect(self._on_rows_selected)
        self.matrix_model = MatrixModel(parent=self)
        self.matrix = make_table_view(self.matrix_model, self)
        self.matrix.verticalHeader().setVisible(True)
        self.matrix.horizontalHeader().setStretchLastSection(False)
        self.tabs.addTab(self.table, "")
        self.tabs.addTab(self.matrix, "")
        layout.addWidget(self.tabs, 1)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Adjacency"))
        self.runner.title = self.tr("Adjacency")
        for label, text in zip(self.form_labels, (self.tr("Method"), self.tr("Layer A"), self.tr("Layer B"),
                                                  self.tr("Distance"))):
            label.setText(text)
        names = {"distance": self.tr("Touching or within distance"), "queen": self.tr("Zone contiguity (queen)"),
                 "rook": self.tr("Zone contiguity (rook)")}
        for i in range(self.method_combo.count()):
            self.method_combo.setItemText(i, names[self.method_combo.itemData(i)])
        self.distance_spin.setSpecialValueText(self.tr("touching only"))
        self.tabs.setTabText(0, self.tr("Pairs"))
        self.tabs.setTabText(1, self.tr("Matrix"))
        self.model.headers = {"a_id": self.tr("A id"), "a_name": self.tr("A"), "b_id": self.tr("B id"),
                              "b_name": self.tr("B"), "relation": self.tr("Relation"),
                              "shared_length_km": self.tr("Shared boundary (km)"),
                              "overlap_area_km2": self.tr("Overlap (km²)"), "distance_m": self.tr("Distance (m)")}
        self._project_changed()

    # inputs --------------------------------------------------------------------------------------
    def _project_changed(self) -> None:
        def fill(combo, with_same):
            current = combo.currentData()
            combo.clear()
            if with_same:
                combo.addItem(self.tr("(pairs within layer A)"), SAME_LAYER)
            for layer in vector_layers(self.project):
                combo.addItem(layer.name, layer.id)
            combo.addItem(self.tr("Basemap districts"), ZONE_BASEMAP[0])
            combo.addItem(self.tr("Basemap cities"), ZONE_BASEMAP[1])
            combo.setCurrentIndex(max(combo.findData(current), 0))

        with_blocked(self.a_combo, lambda: fill(self.a_combo, False))
        with_blocked(self.b_combo, lambda: fill(self.b_combo, True))
        if not self._explicit:
            self._choose_defaults()

    def _choose_defaults(self) -> None:
        """FTZ areas × corridors within 5 km; else the first layer with itself; never basemap × basemap."""
        layers = vector_layers(self.project) if self.project is not None else []
        a = next((lyr for lyr in layers if lyr.kind == "ftz"), layers[0] if layers else None)
        b = next((lyr for lyr in layers if lyr.kind == "corridor"), None) if a is not None and a.kind == "ftz" else None
        with_blocked(self.a_combo, lambda: self.a_combo.setCurrentIndex(
            self.a_combo.findData(a.id) if a is not None else -1))
        with_blocked(self.b_combo, lambda: self.b_combo.setCurrentIndex(
            max(self.b_combo.findData(b.id if b is not None else SAME_LAYER), 0)))
        with_blocked(self.method_combo, lambda: self.method_combo.setCurrentIndex(0))
        with_blocked(self.distance_spin, lambda: self.distance_spin.setValue(5000.0))

    def _on_user_choice(self, *args) -> None:
        self._explicit = True

    def _clear(self) -> None:
        self.model.set_frame(self.model.frame.iloc[0:0] if len(self.model.columns) else self.model.frame)
        self.matrix_model.set_frame(self.matrix_model.frame.iloc[0:0, 0:0])
        self.clear_links()

    def _on_method_changed(self) -> None:
        distance = self.method_combo.currentData() == "distance"
        self.b_combo.setEnabled(distance)
        self.distance_spin.setEnabled(distance)
        self._on_input_changed()

    def set_inputs(self, a: str, b: str | None = None, distance_m: float | None = 5000.0,
                   method: str = "distance") -> None:
        """Choose the inputs by layer name (or 'basemap:district'/'basemap:city')."""
        self._explicit = True
        for combo, value in ((self.a_combo, a), (self.b_combo, b or SAME_LAYER)):
            i = combo.findText(value) if combo.findText(value) >= 0 else combo.findData(value)
            combo.setCurrentIndex(max(i, 0))
        self.distance_spin.setValue(distance_m or 0.0)
        self.method_combo.setCurrentIndex(METHODS.index(method))

    def _layer(self, combo):
        data = combo.currentData()
        if data in ZONE_BASEMAP or data == SAME_LAYER or self.project is None:
            return None
        return next((layer for layer in vector_layers(self.project) if layer.id == data), None)

    def _input(self, combo):
        data = combo.currentData()
        if data in ZONE_BASEMAP:
            return data
        layer = self._layer(combo)
        return None if layer is None else snapshot(layer)

    def set_project(self, project) -> None:
        if project is not self.project:
            self._explicit = False
        super().set_project(project)

    def _job(self):
        a = self._input(self.a_combo)
        if isinstance(a, str) and not self._explicit:  # basemap zones: only when the user asks
            a = None
        if a is None:
            self.status.setText(self.tr("Choose layer A."))
            return None
        method = self.method_combo.currentData()
        b = self._input(self.b_combo) if method == "distance" else None
        distance = self.distance_spin.value() or None
        return run_adjacency, dict(a=a, b=b, distance_m=distance, method=method)

    # results ---------------------------------------------------------------------------------------
    def _show(self, result) -> None:
        pairs = result["pairs"].copy()
        names = {"overlaps": self.tr("overlaps"), "touches": self.tr("touches"), "intersects": self.tr("intersects"),
                 "within_distance": self.tr("within distance"), "queen": self.tr("queen"), "rook": self.tr("rook")}
        pairs["relation"] = pairs["relation"].map(lambda r: names.get(r, r))
        self.model.set_frame(pairs)
        self.table.resizeColumnsToContents()
        self.matrix_model.set_frame(result["matrix"])
        self.matrix.resizeColumnsToContents()
        self.status.setText(self.tr("{0} pairs").format(len(result["pairs"])))
        overlay = self.link_overlay()
        if overlay is not None:
            overlay.set_links(result["links"])

    def link_overlay(self) -> LinkOverlay | None:
        if self.canvas is None:
            return None
        if self.overlay is None:
            self.overlay = LinkOverlay(self.canvas)
        return self.overlay

    def clear_links(self) -> None:
        if self.overlay is not None:
            self.overlay.set_links(None)

    def table_frame(self):
        if self.result is None:
            return None
        return self.model.frame[self.model.columns].rename(columns=self.model.headers)

    def chart(self):
        return None

    def _on_rows_selected(self, *args) -> None:
        """Select both features of every selected pair on the map and emphasise their links."""
        if self.result is None:
            return
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        pairs = self.model.frame
        layer_a, layer_b = self._layer(self.a_combo), self._layer(self.b_combo)
        a_ids = [int(pairs["a_id"].iloc[r]) for r in rows]
        b_ids = [int(pairs["b_id"].iloc[r]) for r in rows]
        if self.method_combo.currentData() != "distance" or self.b_combo.currentData() == SAME_LAYER:
            layer_b, a_ids = None, a_ids + b_ids
        if layer_a is not None:
            layer_a.selection = a_ids
        if layer_b is not None:
            layer_b.selection = b_ids
        if self.overlay is not None:
            self.overlay.set_selected(rows)

    def closeEvent(self, event) -> None:
        self.clear_links()
        super().closeEvent(event)
