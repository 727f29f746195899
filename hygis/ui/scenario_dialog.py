"""Edit one scenario: texts, and per layer its visibility, filter and style; its indicators.

The dialog only collects values; the scenario bar turns them into one undoable
:class:`~hygis.project.scenario_commands.EditScenario`.  A layer's style in a scenario is
either the layer's own (the scenario stores none), the one the scenario stores, or the style
the layer shows on the map now.
"""

from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit,
                               QListWidget, QListWidgetItem, QPlainTextEdit, QSpinBox, QTableWidget, QTabWidget,
                               QVBoxLayout, QWidget)
from PySide6.QtCore import Qt

from hygis.core.errors import HygisError
from hygis.layers.expressions import parse_filter
from hygis.project.indicators import spec_key
from hygis.ui.error_dialog import error_message

OWN, STORED, CURRENT = "own", "stored", "current"


def candidate_indicators(project, scenario) -> list[dict]:
    """Indicators a scenario may show: those of any scenario of the project, the enclave target and a
    feature count per vector layer (each once, in that order)."""
    specs = [dict(i) for s in project.scenarios for i in s.indicators]
    specs.append({"type": "enclave_target"})
    specs += [{"type": "count", "layer": layer.name} for layer in project.layers if hasattr(layer, "visible_data")]
    out, seen = [], set()
    for spec in [dict(i) for i in scenario.indicators] + specs:
        key = spec_key(spec)
        if key not in seen:
            seen.add(key)
            out.append(spec)
    return out


def indicator_text(spec: dict) -> str:
    parts = [str(spec.get("type"))] + [f"{k}={v}" for k, v in spec.items() if k != "type"]
    return spec.get("label") or " · ".join(parts)


class ScenarioDialog(QDialog):
    """Title, subtitle, year, notes; per layer visible/filter/style; indicators."""

    def __init__(self, project, scenario, parent=None):
        super().__init__(parent)
        self.project, self.scenario = project, scenario
        self.setWindowTitle(self.tr("Scenario {0}").format(scenario.name))
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._texts_tab(scenario), self.tr("Texts"))
        self.tabs.addTab(self._layers_tab(project, scenario), self.tr("Layers"))
        self.tabs.addTab(self._indicators_tab(project, scenario), self.tr("Indicators"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(720, 460)

    def _texts_tab(self, scenario) -> QWidget:
        page = QWidget(self)
        self.title = QLineEdit(scenario.title)
        self.subtitle = QLineEdit(scenario.subtitle)
        self.year = QSpinBox(minimum=0, maximum=2200, value=scenario.year or 0, specialValueText="—")
        self.notes = QPlainTextEdit(scenario.notes)
        form = QFormLayout(page)
        form.addRow(self.tr("Title:"), self.title)
        form.addRow(self.tr("Subtitle:"), self.subtitle)
        form.addRow(self.tr("Year:"), self.year)
        form.addRow(self.tr("Speaker notes:"), self.notes)
        return page

    def _layers_tab(self, project, scenario) -> QWidget:
        layers = list(project.layers)
        self.layer_table = table = QTableWidget(len(layers), 4, self)
        table.setHorizontalHeaderLabels([self.tr("Layer"), self.tr("Visible"), self.tr("Filter"), self.tr("Style")])
        self.rows = []
        for r, layer in enumerate(layers):
            state = scenario.layers.get(layer.id)
            table.setCellWidget(r, 0, QLineEdit(layer.name, readOnly=True, frame=False))
            visible = QCheckBox(self)
            visible.setChecked(bool(state.visible) if state is not None else False)
            table.setCellWidget(r, 1, visible)
            flt = QLineEdit(state.filter if state is not None else "", self)
            flt.setPlaceholderText(self.tr("all features"))
            flt.setEnabled(hasattr(layer, "visible_data"))
            table.setCellWidget(r, 2, flt)
            style = QComboBox(self)
            style.addItem(self.tr("Layer's own style"), OWN)
            if state is not None and state.style is not None:
                style.addItem(self.tr("This scenario's style"), STORED)
            if hasattr(layer, "visible_data"):
                style.addItem(self.tr("Style shown now"), CURRENT)
            style.setCurrentIndex(max(style.findData(STORED), 0))
            table.setCellWidget(r, 3, style)
            self.rows.append((layer, visible, flt, style, state))
        table.horizontalHeader().setStretchLastSection(True)
        table.setColumnWidth(0, 150)
        table.setColumnWidth(1, 60)
        table.setColumnWidth(2, 300)
        return table

    def _indicators_tab(self, project, scenario) -> QWidget:
        self.indicator_list = QListWidget(self)
        chosen = {spec_key(i) for i in scenario.indicators}
        for spec in candidate_indicators(project, scenario):
            item = QListWidgetItem(indicator_text(spec), self.indicator_list)
            item.setData(Qt.ItemDataRole.UserRole, spec)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if spec_key(spec) in chosen else Qt.CheckState.Unchecked)
        return self.indicator_list

    # -- values ---------------------------------------------------------------------------------
    def layer_states(self) -> dict:
        """Per layer id: visible, filter, style (a dict or None = the layer's own)."""
        out = {}
        for layer, visible, flt, style, state in self.rows:
            text = flt.text().strip()
            if text:
                try:
                    parse_filter(text)
                except HygisError as exc:
                    raise HygisError("{layer}: {reason}", layer=layer.name, reason=exc) from None
            choice = style.currentData()
            if choice == STORED:
                chosen = state.style
            elif choice == CURRENT:
                chosen = layer.style.to_dict()
            else:
                chosen = None
            out[layer.id] = {"visible": visible.isChecked(), "filter": text, "style": chosen}
        return out

    def indicators(self) -> list[dict]:
        items = (self.indicator_list.item(i) for i in range(self.indicator_list.count()))
        return [dict(item.data(Qt.ItemDataRole.UserRole)) for item in items
                if item.checkState() == Qt.CheckState.Checked]

    def values(self) -> dict:
        return {"title": self.title.text().strip(), "subtitle": self.subtitle.text().strip(),
                "year": self.year.value() or None, "notes": self.notes.toPlainText(),
                "layers": self.layer_states(), "indicators": self.indicators()}

    def accept(self) -> None:
        try:
            self.layer_states()
        except HygisError as exc:
            self.setToolTip(error_message(exc))
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(self, self.windowTitle(), error_message(exc))
            return
        super().accept()
