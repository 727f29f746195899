"""Enclave panel: 飞地 counted against the plan target (50 by 2025), by city and by year.

A thin wrapper over :func:`hygis.analysis.enclaves.enclave_counts` (through the
registry declaration) with the project's own rule (:func:`hygis.analysis.enclaves.project_rule`).
The year counted is the active scenario's year (or a chosen year, or "now"); the target comes
from the project's ``enclave_count`` target.  The "Each enclave" table shows, per row, whether
it counts and why; the 杭州↔宁波 check box is the project setting (an undoable command).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QSplitter,
                               QTabWidget)

from hygis.analysis import registry
from hygis.analysis.enclave_rule import explain
from hygis.analysis.enclaves import GROUP_FIELDS, project_rule
from hygis.core.errors import HygisError
from hygis.project.commands import SetProjectSetting
from hygis.ui.analysis import charts
from hygis.ui.analysis.common import DataFrameModel, make_table_view, with_blocked
from hygis.ui.analysis.panel import AnalysisPanel
from hygis.ui.fonts import cjk_font
from hygis.ui.i18n import value_label
from hygis.ui.error_dialog import error_message

NOW = 1999  # the spin box's special value: count every operating enclave ("now")
TOTAL = "合计"


SETTING = "count_hangzhou_ningbo"
ENCLAVE_SHOWN = ["name", "host_city", "origin_city", "enclave_type", "status", "year_opened", "counts_text", "why"]


def run_enclaves(enclaves, as_of, target, target_year, count_hangzhou_ningbo=False, progress=None,
                 cancelled=None) -> dict:
    """Worker job: the enclave counts (see :func:`hygis.analysis.enclaves.enclave_counts`)."""
    return registry.get("enclaves").run(enclaves=list(enclaves), as_of=as_of, target=target, target_year=target_year,
                                        count_hangzhou_ningbo=count_hangzhou_ningbo)


class EnclavePanel(AnalysisPanel):
    """Count against the target, gap, projected year; bars by host city; cumulative line by year."""

    def _build_inputs(self, layout) -> None:
        row = QHBoxLayout()
        self.year_label = QLabel(self)
        self.year_spin = QSpinBox(self)
        self.year_spin.setRange(NOW, 2100)
        self.year_spin.setValue(NOW)
        self.year_spin.valueChanged.connect(self._on_input_changed)
        self.follow_check = QCheckBox(self)
        self.follow_check.setChecked(True)
        self.follow_check.toggled.connect(self._on_follow_toggled)
        self.group_label = QLabel(self)
        self.group_combo = QComboBox(self)
        for key in GROUP_FIELDS:
            self.group_combo.addItem(key, key)
        self.group_combo.currentIndexChanged.connect(self._on_group_changed)
        self.flow_button = QPushButton(self)  # 飞地流向: origin → host arcs with the count per city pair
        self.flow_button.clicked.connect(self.add_flow_layer)
        for w in (self.year_label, self.year_spin, self.follow_check, self.group_label, self.group_combo,
                  self.flow_button):
            row.addWidget(w)
        row.addStretch(1)
        layout.addLayout(row)
        self.hz_nb_check = QCheckBox(self)
        self.hz_nb_check.toggled.connect(self._on_hz_nb_toggled)
        layout.addWidget(self.hz_nb_check)
        self.summary = QLabel(self)
        self.summary.setFont(cjk_font(12, bold=True))
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

    def _build_results(self, layout) -> None:
        split = QSplitter(Qt.Orientation.Vertical, self)
        self.model = DataFrameModel(parent=self)
        self.model.total_label = TOTAL
        self.table = make_table_view(self.model, self)
        self.table.selectionModel().selectionChanged.connect(self._on_rows_selected)
        self.rows_model = DataFrameModel(parent=self)
        self.rows_table = make_table_view(self.rows_model, self)
        self.tables = QTabWidget(self)
        self.tables.addTab(self.table, "")
        self.tables.addTab(self.rows_table, "")
        self.charts = QTabWidget(self)
        # legends above the plot area, never over the bars, curves or dashed target/forecast lines
        self.city_plot = charts.bar_chart(self, setup=charts.legend_above)
        self.year_plot = charts.bar_chart(self, setup=charts.legend_above)
        self.charts.addTab(self.city_plot, "")
        self.charts.addTab(self.year_plot, "")
        self.city_bars: list = []
        self.year_items: list = []
        split.addWidget(self.tables)
        split.addWidget(self.charts)
        split.setSizes([160, 360])
        split.setChildrenCollapsible(False)  # a short dock scrolls (see AnalysisDocks), never hides the chart
        layout.addWidget(split, 1)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Enclaves"))
        self.runner.title = self.tr("Enclave counts")
        self.year_label.setText(self.tr("As of"))
        self.year_spin.setSpecialValueText(self.tr("now"))
        self.follow_check.setText(self.tr("Follow the scenario's year"))
        self.group_label.setText(self.tr("Table by"))
        self.flow_button.setText(self.tr("Add flow map"))
        self.flow_button.setToolTip(self.tr("Add a layer of arcs from origin to host city, one per city pair, "
                                            "coloured by its number of enclaves (undoable)"))
        names = {"by_host_city": self.tr("Host city"), "by_origin_city": self.tr("Origin city"),
                 "by_type": self.tr("Type"), "by_status": self.tr("Status")}
        for i in range(self.group_combo.count()):
            self.group_combo.setItemText(i, names[self.group_combo.itemData(i)])
        self.hz_nb_check.setText(self.tr("Count 杭州↔宁波 enclaves toward the target (project setting)"))
        self.tables.setTabText(0, self.tr("Summary"))
        self.tables.setTabText(1, self.tr("Each enclave"))
        self.rows_model.headers = {"name": self.tr("Name"), "host_city": self.tr("Host city"),
                                   "origin_city": self.tr("Origin city"), "enclave_type": self.tr("Type"),
                                   "status": self.tr("Status"), "year_opened": self.tr("Year opened"),
                                   "counts_text": self.tr("Counts"), "why": self.tr("Why")}
        self.charts.setTabText(0, self.tr("By host city"))
        self.charts.setTabText(1, self.tr("By year"))
        self.city_plot.setLabel("left", self.tr("Enclaves"))
        self.year_plot.setLabel("left", self.tr("Enclaves (cumulative)"))
        self.year_plot.setLabel("bottom", self.tr("Year"))
        self.model.headers = {"operating": self.tr("Operating"), "planned": self.tr("Planned"),
                              "total": self.tr("Total")}

    def add_flow_layer(self):
        """Add the enclave flow layer (as of the year counted) as one undoable command; returns it."""
        from hygis.analysis.enclave_pairs import flow_layer
        from hygis.core.errors import HygisError
        from hygis.project.commands import AddLayer

        layers = self._layers()
        if not layers:
            self.summary.setText(self.tr("The project has no enclave layer."))
            return None
        try:
            layer = flow_layer(layers, as_of=self.as_of(), target_year=self.target()[1])
        except HygisError as exc:
            self.summary.setText(error_message(exc))
            return None
        self.project.execute(AddLayer(self.project, layer))
        return layer

    # inputs -------------------------------------------------------------------------------------
    def _project_changed(self) -> None:
        self._sync_year()
        self._sync_setting()

    def _sync_setting(self, *args) -> None:
        value = bool(self.project.setting(SETTING)) if self.project is not None else False
        with_blocked(self.hz_nb_check, lambda: self.hz_nb_check.setChecked(value))

    def _on_hz_nb_toggled(self, checked: bool) -> None:
        """The check box is the project setting: one undoable command, then a recount."""
        if self.project is None or bool(self.project.setting(SETTING)) == checked:
            return
        try:
            self.project.execute(SetProjectSetting(self.project, SETTING, bool(checked)))
        except HygisError as exc:
            self._on_failed(error_message(exc))
        self._on_input_changed()

    def _clear(self) -> None:
        self.summary.setText("")
        self.model.set_frame(pd.DataFrame())
        self.rows_model.set_frame(pd.DataFrame())
        for plot, items in ((self.city_plot, self.city_bars), (self.year_plot, self.year_items)):
            for it in items:
                plot.getPlotItem().removeItem(it)
            items.clear()

    def _on_follow_toggled(self, checked: bool) -> None:
        self.year_spin.setEnabled(not checked)
        self._sync_year()
        self._on_input_changed()

    def _on_group_changed(self) -> None:
        if self.result is not None:
            self._show(self.result)

    def _sync_year(self) -> None:
        """Follow the active scenario's year (or "now" without one)."""
        if not self.follow_check.isChecked() or self.project is None:
            return
        name = self.project.scenarios.active
        year = self.project.scenarios[name].year if name else None
        with_blocked(self.year_spin, lambda: self.year_spin.setValue(int(year) if year else NOW))

    def as_of(self) -> int | None:
        value = self.year_spin.value()
        return None if value == NOW else int(value)

    def set_as_of(self, year: int | None) -> None:
        """Count as of ``year`` (None = now); stops following the scenario."""
        self.follow_check.setChecked(False)
        self.year_spin.setValue(NOW if year is None else int(year))

    def target(self) -> tuple[float, int]:
        rule = project_rule(self.project)
        return rule["target"], rule["target_year"]

    def _layers(self) -> list:
        return self.project.layers_of_kind("enclave") if self.project is not None else []

    def _job(self):
        self._sync_year()
        self._sync_setting()
        layers = self._layers()
        if not layers:
            self.summary.setText(self.tr("The project has no enclave layer."))
            return None
        # all features, not the scenario's filtered view: the rule counts as of the year, so the
        # count, the latest and the forecast are those of the dashboard, the slides and the CLI
        return run_enclaves, dict(enclaves=[layer.data.drop(columns="geometry").copy() for layer in layers],
                                  as_of=self.as_of(),
                                  **project_rule(self.project))

    # results -------------------------------------------------------------------------------------
    def _show(self, result) -> None:
        s = result["summary"]
        self.summary.setText(self.summary_text(s))
        key = self.group_combo.currentData()
        table = result[key].reset_index()
        field = table.columns[0]
        total = pd.DataFrame({field: [TOTAL], **{c: [int(table[c].sum())] for c in ("operating", "planned", "total")}})
        self.model.headers[field] = self.group_combo.currentText()
        self.model.set_frame(pd.concat([table, total], ignore_index=True))
        self.table.resizeColumnsToContents()
        self._show_rows(result["enclaves"], s.get("as_of"))
        self._plot_cities(result["by_host_city"])
        self._plot_years(result["by_year"], s)

    def _show_rows(self, rows: pd.DataFrame, as_of) -> None:
        """Every enclave: whether it counts (✓ counted, ○ planned, ✗ not) and why, in the UI language."""
        frame = rows.copy()
        frame["counts_text"] = [("✓ " + self.tr("yes")) if c else (("○ " + self.tr("planned")) if p else
                                                                 ("✗ " + self.tr("no")))
                                for c, p in zip(frame["counts"], frame["planned"])]
        frame["why"] = [explain(rec, rec["rule"], as_of, template=self.tr) for rec in frame.to_dict("records")]
        frame["year_opened"] = [str(int(y)) if y == y and y is not None else "" for y in frame["year_opened"]]
        for col in ("enclave_type", "status"):
            frame[col] = [value_label(v) for v in frame[col]]
        self.rows_model.set_frame(frame, columns=ENCLAVE_SHOWN)
        self._fit_rows_table()

    def _fit_rows_table(self) -> None:
        """Name, counts? and the reason first; the reason wraps in the width left (no sideways scrolling
        to read why an enclave does not count), the other fields follow."""
        view, header = self.rows_table, self.rows_table.horizontalHeader()
        view.resizeColumnsToContents()
        for visual, col in enumerate(("name", "counts_text", "why")):
            header.moveSection(header.visualIndex(ENCLAVE_SHOWN.index(col)), visual)
        name, counts, why = (ENCLAVE_SHOWN.index(c) for c in ("name", "counts_text", "why"))
        view.setColumnWidth(name, min(view.columnWidth(name), 140))
        room = view.viewport().width() - view.columnWidth(name) - view.columnWidth(counts)
        view.setColumnWidth(why, max(200, min(room, view.columnWidth(why))))
        view.setWordWrap(True)
        view.resizeRowsToContents()

    def summary_text(self, s: dict) -> str:
        count, target = int(s["count"]), s["target"]
        pct = f"{s['progress_pct']:.0f}" if s.get("progress_pct") is not None else "—"
        parts = [self.tr("Enclaves {0} / {1} ({2}%)").format(count, f"{target:g}", pct)]
        if s.get("reference_year"):
            parts.append(self.tr("as of {0}").format(s["reference_year"]))
        parts.append(self.tr("gap {0}").format(f"{s['gap']:g}"))
        if s.get("planned"):
            parts.append(self.tr("planned {0}").format(s["planned"]))
        if s.get("excluded"):
            parts.append(self.tr("{0} not counted (see Each enclave)").format(s["excluded"]))
        return " · ".join(parts) + "\n" + self.forecast_text(s)

    def forecast_text(self, s: dict) -> str:
        """The one "latest" and forecast (the same in the dashboard, the slides and the CLI)."""
        latest = self.tr("latest {0} ({1})").format(s.get("latest"), s.get("latest_year") or "—")
        if s.get("projected_year") and s.get("projection_years"):
            how = self.tr("target reached in {0} (linear fit of the last {1} years, {2}–{3})").format(
                s["projected_year"], s["projection_years"], s.get("projection_from") or "",
                s.get("latest_year") or "")
        elif s.get("projected_year"):
            how = self.tr("target reached in {0}").format(s["projected_year"])
        else:
            how = self.tr("target reached in — ({0})").format(self.tr(s.get("projection_note") or "no data"))
        return latest + " · " + how

    def _plot_cities(self, by_city: pd.DataFrame) -> None:
        labels = [str(v) for v in by_city.index]
        self.city_bars = charts.set_vbars(self.city_plot, self.city_bars, labels, [
            (by_city["operating"].to_numpy(), charts.BAR_COLOR, self.tr("Operating")),
            (by_city["planned"].to_numpy(), charts.PLANNED_COLOR, self.tr("Planned"))])

    def _plot_years(self, by_year: pd.DataFrame, s: dict) -> None:
        import pyqtgraph as pg

        item = self.year_plot.getPlotItem()
        for old in self.year_items:
            item.removeItem(old)
        legend = item.legend
        if legend is not None:
            legend.clear()
        years = by_year["year"].to_numpy(dtype=float)
        cum = by_year["cumulative"].to_numpy(dtype=float)
        planned = by_year["cumulative_with_planned"].to_numpy(dtype=float)
        with_planned = pg.PlotDataItem(years, planned, pen=pg.mkPen(charts.PLANNED_COLOR, width=2,
                                                                     style=Qt.PenStyle.DashLine),
                                       connect="finite", name=self.tr("incl. planned"))
        line = pg.PlotDataItem(years, cum, pen=pg.mkPen(charts.LINE_COLOR, width=2.5), symbol="o", symbolSize=5,
                               symbolBrush=charts.LINE_COLOR, connect="finite", name=self.tr("operating"))
        target = charts.target_line(float(s["target"]), self.tr("target {0}").format(f"{s['target']:g}"))
        top = np.nanmax(np.r_[cum, planned, float(s["target"])]) if len(years) else float(s["target"])
        # the year's label sits on the target line, in the band above it (with the target's label)
        marker = charts.year_marker(float(s["target_year"]), str(s["target_year"]),
                                    at=float(s["target"]) / (top * 1.18) + 0.01)
        self.year_items = [with_planned, line, target, marker]
        for it in self.year_items:
            item.addItem(it)
        self.cumulative_line, self.target_line, self.year_line = line, target, marker
        item.setYRange(0, top * 1.18, padding=0)
        if len(years):
            item.setXRange(years.min() - 0.5, max(years.max(), s["target_year"]) + 0.5, padding=0)

    def table_frame(self):
        if self.result is None:
            return None
        return self.model.frame[self.model.columns].rename(columns=self.model.headers)

    def chart(self):
        return self.charts.currentWidget()

    def _on_rows_selected(self, *args) -> None:
        """Select on the map the enclaves of the selected groups (all of them for the total row)."""
        if self.result is None:
            return
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        field = GROUP_FIELDS[self.group_combo.currentData()]
        values = {str(self.model.frame.iloc[r, 0]) for r in rows}
        for layer in self._layers():
            data = layer.visible_data()
            if not rows:
                layer.selection = []
            elif TOTAL in values or field not in data.columns:
                layer.selection = data.index
            else:
                col = data[field].astype(object).where(data[field].notna(), "未知").astype(str)
                layer.selection = data.index[col.isin(values).to_numpy()]
