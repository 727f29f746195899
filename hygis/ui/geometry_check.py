"""Geometry check: the invalid features of a layer with GEOS' reason, and a Repair button.

Nothing is dropped: :class:`~hygis.layers.validity.RepairGeometries` repairs with
``shapely.make_valid`` as one undoable step, and features that cannot be
repaired without losing them stay listed.
"""

from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout)

from hygis.core.errors import HygisError
from hygis.layers.validity import RepairGeometries, check_geometries
from hygis.ui.error_dialog import error_message


class GeometryCheck(QDialog):
    """Lists invalid geometries of ``layer``; clicking a row selects the feature on the map."""

    def __init__(self, project, layer, canvas=None, parent=None):
        super().__init__(parent)
        self.project, self.layer, self.canvas = project, layer, canvas
        self.setWindowTitle(self.tr("Geometry check — %1").replace("%1", layer.name))
        self.resize(520, 360)
        self.summary = QLabel()
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([self.tr("Feature"), self.tr("Problem")])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.itemSelectionChanged.connect(self._select_on_map)
        self.repair_button = QPushButton(self.tr("Repair all"))
        self.repair_button.clicked.connect(self.repair)
        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.repair_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.problems = check_geometries(self.layer.data)
        self.table.setRowCount(len(self.problems))
        for row, problem in enumerate(self.problems.itertuples()):
            name = self.layer.data.at[problem.fid, "name"] if "name" in self.layer.data.columns else ""
            self.table.setItem(row, 0, QTableWidgetItem(f"{problem.fid} {name or ''}".strip()))
            self.table.setItem(row, 1, QTableWidgetItem(problem.reason))
        n = len(self.problems)
        self.summary.setText(self.tr("All %1 geometries are valid.").replace("%1", str(len(self.layer.data)))
                             if n == 0 else self.tr("%1 invalid geometries").replace("%1", str(n)))
        self.repair_button.setEnabled(n > 0)

    def _select_on_map(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        self.layer.selection = {int(self.problems["fid"].iloc[r]) for r in rows}

    def repair(self) -> None:
        """Repair all invalid geometries as one undoable step."""
        try:
            cmd = RepairGeometries(self.layer)
            self.project.execute(cmd)
        except HygisError as exc:
            self.message.setText(error_message(exc))
            return
        self.message.setText(self.tr("Repaired %1 geometries (Ctrl+Z undoes it).").replace("%1", str(len(cmd.new))))
        self.refresh()
