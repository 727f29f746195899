"""Plan targets dashboard: baseline, latest and target of every PlanTarget with a progress bar each.

Edits of baseline/latest/target cells become one undoable ``SetTargets`` command
(saved with the project).  Computed rows (the enclave count, the road network
density when a road layer exists) take their latest value from
:func:`hygis.analysis.targets.targets_table` (registry declaration 'targets'),
run in the worker; they are not editable.
"""

from __future__ import annotations

import dataclasses
import math
import re

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from hygis.analysis import registry
from hygis.project.commands import SetTargets
from hygis.core.errors import HygisError
from hygis.project.model import shadow_project
from hygis.ui.analysis.common import format_value, make_table_view
from hygis.ui.analysis.panel import AnalysisPanel
from hygis.ui.i18n import current_language
from hygis.ui.error_dialog import error_message

COLUMNS = ("name", "baseline", "latest", "target", "unit", "progress", "projected", "note")
EDITABLE = ("baseline", "latest", "target")


def run_targets(project, progress=None, cancelled=None):
    """Worker job: the targets table with computed rows filled in."""
    return registry.get("targets").run(project=project)


#: English forecast explanations (hygis.analysis.forecast) with numbers → (pattern, catalogue text).
_FORECAST_PATTERNS = (
    (re.compile(r"^linear fit of the last (\d+) years \((\d+)–(\d+)\)$"), "linear fit of the last %1 years (%2–%3)"),
    (re.compile(r"^reached in (\d+)$"), "reached in %1"),
    (re.compile(r"^fewer than (\d+) years of data \((\d+)\)$"), "fewer than %1 years of data (%2)"),
)


def forecast_text(text: str) -> str:
    """A forecast's method or note translated (numbers kept): '线性拟合最近 5 年（2019–2023）'."""
    for pattern, source in _FORECAST_PATTERNS:
        match = pattern.match(text)
        if match:
            out = QCoreApplication.translate("TargetsModel", source)
            for i, value in enumerate(match.groups(), 1):
                out = out.replace(f"%{i}", value)
            return out
    return QCoreApplication.translate("TargetsModel", text) if text else ""


class TargetsModel(QAbstractTableModel):
    """One row per PlanTarget of the project; computed latest values come from ``set_computed``.

    ``errorRaised(message)`` reports a typed value that is not a number (the edit is refused).
    """

    errorRaised = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.project = None
        self.computed: dict[str, tuple] = {}  # key → (latest, latest_year, progress_pct, origin)
        self.forecasts: dict[str, tuple] = {}  # key → (projected_year, method, note) of every row
        self.headers: dict[str, str] = {}
        self.computed_text = "computed"
        self.layer_text = "on the map"

    def set_project(self, project) -> None:
        self.beginResetModel()
        if self.project is not None:
            self.project.events.targets.disconnect(self._on_targets)
        self.project = project
        self.computed = {}
        self.forecasts = {}
        if project is not None:
            project.events.targets.connect(self._on_targets)
        self.endResetModel()

    def set_computed(self, table) -> None:
        """Take the computed rows of a :func:`targets_table` result."""
        self.computed = {row.key: (row.latest, row.latest_year, row.progress_pct, row.computed_from)
                         for row in table.itertuples() if row.computed_from}
        self.forecasts = {row.key: (row.projected_year, row.projection_method, row.projection_note)
                          for row in table.itertuples()}
        self._on_targets()

    def latest_year(self, row: int):
        t = self.targets[row]
        return self.computed[t.key][1] if t.key in self.computed else t.latest_year

    def projected_text(self, row: int) -> str:
        """The projected year ("—" when there is none): the one forecast of the panel, slides and CLI."""
        fc = self.forecasts.get(self.targets[row].key)
        if fc is None or fc[0] is None or (isinstance(fc[0], float) and math.isnan(fc[0])):
            return "—"
        return str(int(fc[0]))

    def projected_tip(self, row: int) -> str:
        """How the projected year was found (method, else the reason there is none), in the UI language."""
        fc = self.forecasts.get(self.targets[row].key)
        if fc is None:
            return ""
        return forecast_text(fc[1] or fc[2] or "")

    def _on_targets(self, *args) -> None:
        self.beginResetModel()
        self.endResetModel()

    @property
    def targets(self) -> list:
        return list(self.project.targets) if self.project is not None else []

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt virtual)
        return 0 if parent.isValid() else len(self.targets)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt virtual)
        return 0 if parent.isValid() else len(COLUMNS)

    def is_computed(self, row: int) -> bool:
        return self.targets[row].key in self.computed

    def latest(self, row: int):
        t = self.targets[row]
        return self.computed[t.key][0] if t.key in self.computed else t.latest

    def progress(self, row: int) -> float | None:
        """Share (0–1+) of the way from baseline to target (computed rows: from the analysis)."""
        t = self.targets[row]
        if t.key in self.computed:
            pct = self.computed[t.key][2]
            return None if pct is None or (isinstance(pct, float) and math.isnan(pct)) else pct / 100.0
        return t.progress()

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), COLUMNS[index.column()]
        t = self.targets[row]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == "name":
                return t.name_zh if current_language() == "zh_CN" else t.name_en
            if col == "latest":
                value = self.latest(row)
                if role == Qt.ItemDataRole.EditRole:
                    return value
                year = self.latest_year(row)
                text = format_value(value, _digits(value))
                return f"{text} ({int(year)})" if value is not None and year is not None and year == year else text
            if col == "projected":
                return self.projected_text(row)
            if col in ("baseline", "target"):
                value = getattr(t, col)
                if role == Qt.ItemDataRole.EditRole:
                    return value
                text = format_value(value, _digits(value))
                if col == "baseline" and value is not None and t.baseline_year:
                    text = f"{text} ({t.baseline_year})"
                return f"{t.operator}{text}" if col == "target" and value is not None else text
            if col == "unit":
                return t.unit
            if col == "progress":
                p = self.progress(row)
                return p if role == Qt.ItemDataRole.EditRole else ("" if p is None else f"{p * 100:.0f}%")
            if col == "note":
                if self.is_computed(row):
                    return f"{self.computed_text}: {self.computed[t.key][3]}"
                return f"{self.layer_text}: {t.layer}" if t.layer else ""
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == "name":  # the whole name (a narrow dock elides it), then where it comes from
                name = t.name_zh if current_language() == "zh_CN" else t.name_en
                return "\n".join(x for x in (name, t.source) if x)
            if col == "projected":
                return self.projected_tip(row) or None
            if col == "latest" and t.latest_source and not self.is_computed(row):
                return t.latest_source
            if col == "baseline" and t.baseline_source:
                return t.baseline_source
            return t.source or None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in ("baseline", "latest", "target", "progress",
                                                                 "projected"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == "latest" and self.is_computed(row):
            return QColor("#1d6fa5")
        return None

    def flags(self, index):
        flags = super().flags(index)
        col = COLUMNS[index.column()]
        if col in EDITABLE and not (col == "latest" and self.is_computed(index.row())):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802 (Qt virtual)
        """Edit baseline/latest/target as one undoable SetTargets command."""
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        col = COLUMNS[index.column()]
        try:
            number = parse_number(value)
        except HygisError as exc:
            self.errorRaised.emit(error_message(exc))
            return False
        targets = self.targets
        old = targets[index.row()]
        if getattr(old, col) == number:
            return False
        targets[index.row()] = dataclasses.replace(old, **{col: number})
        self.project.execute(SetTargets(self.project, targets))
        return True

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers.get(COLUMNS[section], COLUMNS[section])
        return None


def parse_number(value) -> float | None:
    """A typed cell value as a float ('' = no value); HygisError for text that is not a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        raise HygisError("'{value}' is not a number", value=value) from None
    if not math.isfinite(number):
        raise HygisError("'{value}' is not a finite number", value=value)
    return number


def _digits(value) -> int:
    if value is None or float(value).is_integer():
        return 0
    return 2


class ProgressDelegate(QStyledItemDelegate):
    """Paints the progress column as a bar (green when reached) with the percentage."""

    def paint(self, painter: QPainter, option, index) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if value is None:
            super().paint(painter, option, index)
            return
        painter.save()
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, option.palette.highlight())
        r = QRectF(option.rect).adjusted(3, 4, -3, -4)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#e6e6e6"))
        painter.drawRoundedRect(r, 3, 3)
        share = max(0.0, min(float(value), 1.0))
        painter.setBrush(QColor("#2a9d8f") if value >= 1.0 else QColor("#3a7ca5"))
        painter.drawRoundedRect(QRectF(r.x(), r.y(), r.width() * share, r.height()), 3, 3)
        painter.setPen(QColor("#111111"))
        painter.drawText(r, int(Qt.AlignmentFlag.AlignCenter), f"{float(value) * 100:.0f}%")
        painter.restore()


class TargetsDashboard(AnalysisPanel):
    """The plan's measurable targets, editable; computed rows recomputed in the worker."""

    def _build_inputs(self, layout) -> None:
        pass

    def _build_results(self, layout) -> None:
        self.model = TargetsModel(self)
        self.table = make_table_view(self.model, self)
        self.table.setItemDelegateForColumn(COLUMNS.index("progress"), ProgressDelegate(self.table))
        self.table.setEditTriggers(self.table.EditTrigger.DoubleClicked | self.table.EditTrigger.EditKeyPressed
                                   | self.table.EditTrigger.AnyKeyPressed)
        for col, width in zip(COLUMNS, (200, 72, 96, 72, 62, 110, 80, 120)):
            self.table.setColumnWidth(COLUMNS.index(col), width)
        header = self.table.horizontalHeader()
        for visual, col in ((1, "progress"), (2, "projected")):  # what a dock-wide view must show: name,
            header.moveSection(header.visualIndex(COLUMNS.index(col)), visual)  # progress, year reached
        layout.addWidget(self.table, 1)
        self.model.errorRaised.connect(lambda message: self._on_failed(message))

    def set_project(self, project) -> None:
        self.model.set_project(project)
        super().set_project(project)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Plan targets"))
        self.runner.title = self.tr("Plan targets")
        self.model.computed_text = self.tr("computed from")
        self.model.layer_text = self.tr("on the map")
        self.model.headers = {"name": self.tr("Target"), "baseline": self.tr("Baseline"),
                              "latest": self.tr("Latest"), "target": self.tr("Target value"),
                              "unit": self.tr("Unit"), "progress": self.tr("Progress"),
                              "projected": self.tr("Reached in"), "note": self.tr("Note")}
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)

    def _job(self):
        return run_targets, dict(project=shadow_project(self.project))

    def _show(self, result) -> None:
        self.model.set_computed(result)

    def _clear(self) -> None:
        self.model.computed, self.model.forecasts = {}, {}
        self.model._on_targets()

    def table_frame(self):
        import pandas as pd

        rows = [[self.model.index(r, c).data() for c in range(len(COLUMNS))] for r in range(self.model.rowCount())]
        return pd.DataFrame(rows, columns=[self.model.headers.get(c, c) for c in COLUMNS])

    def closeEvent(self, event) -> None:
        self.model.set_project(None)
        super().closeEvent(event)
