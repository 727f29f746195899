"""Team layers: connect to PostGIS, browse its tables, add one to the project, see each team
layer's sync status, sync, and resolve conflicts feature by feature (mine / theirs).

Everything goes through :mod:`hygis.db` (the same functions as ``hygis db …``).  The URL field
never takes a password into the project: it is stored without it (the password comes from
~/.pgpass, PGPASSFILE or the OS keyring).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)

from hygis.core.errors import HygisError
from hygis.ui.error_dialog import error_message

STATUS_COLUMNS = ("Layer", "Table", "State", "Inserts", "Updates", "Deletes", "Last sync")
TABLE_COLUMNS = ("Table", "Geometry", "Rows", "Team table")
CONFLICT_COLUMNS = ("Layer", "Feature", "Fields", "Mine", "Theirs", "Keep")


def _table(columns) -> QTableWidget:
    t = QTableWidget(0, len(columns))
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _item(text) -> QTableWidgetItem:
    return QTableWidgetItem("" if text is None else str(text))


class TeamDialog(QDialog):
    def __init__(self, project, canvas=None, parent=None):
        super().__init__(parent)
        self.project, self.canvas = project, canvas
        self.tables: list[dict] = []
        self.conflicts: list[tuple] = []  # (layer id, layer name, Conflict)
        self.outcomes: dict = {}  # layer name -> the LayerReport of its last sync or commit
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("postgresql://planner@db.example:5432/team?sslmode=verify-full")
        self.connect_button = QPushButton()
        self.connect_button.clicked.connect(self.connect_db)
        self.table_list = _table(TABLE_COLUMNS)
        self.where_edit = QLineEdit()
        self.where_edit.setPlaceholderText("city = '宁波市'")
        self.name_edit = QLineEdit()
        self.add_button = QPushButton()
        self.add_button.clicked.connect(self.add_selected)
        self.link_button = QPushButton()
        self.link_button.clicked.connect(self.link_selected)
        self.status_table = _table(STATUS_COLUMNS)
        rows = self.status_table.verticalHeader().defaultSectionSize()
        self.status_table.setMinimumHeight(rows * 4 + self.status_table.horizontalHeader().sizeHint().height() + 4)
        self.sync_button = QPushButton()
        self.sync_button.clicked.connect(lambda: self.sync())
        self.conflict_table = _table(CONFLICT_COLUMNS)
        self.resolve_button = QPushButton()
        self.resolve_button.clicked.connect(lambda: self.sync(resolve=True))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.boxes = [QGroupBox(), QGroupBox(), QGroupBox()]
        top = QHBoxLayout()
        self.url_label = QLabel()
        top.addWidget(self.url_label)
        top.addWidget(self.url_edit, 1)
        top.addWidget(self.connect_button)
        browse = QVBoxLayout(self.boxes[0])
        browse.addLayout(top)
        browse.addWidget(self.table_list)
        form = QFormLayout()
        self.where_label, self.name_label = QLabel(), QLabel()
        form.addRow(self.where_label, self.where_edit)
        form.addRow(self.name_label, self.name_edit)
        browse.addLayout(form)
        add_row = QHBoxLayout()
        add_row.addStretch(1)
        add_row.addWidget(self.link_button)
        add_row.addWidget(self.add_button)
        browse.addLayout(add_row)
        status = QVBoxLayout(self.boxes[1])
        status.addWidget(self.status_table)
        status.addWidget(self.sync_button, 0, Qt.AlignmentFlag.AlignRight)
        conflicts = QVBoxLayout(self.boxes[2])
        conflicts.addWidget(self.conflict_table)
        conflicts.addWidget(self.resolve_button, 0, Qt.AlignmentFlag.AlignRight)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for box in self.boxes:
            layout.addWidget(box)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.retranslate_ui()
        self.resize(900, 760)
        self.refresh_status()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt virtual)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Team Layers (PostGIS)"))
        for box, title in zip(self.boxes, (self.tr("Database"), self.tr("Sync status"), self.tr("Conflicts"))):
            box.setTitle(title)
        self.url_label.setText(self.tr("Connection:"))
        self.connect_button.setText(self.tr("Connect"))
        self.where_label.setText(self.tr("Filter (SQL):"))
        self.name_label.setText(self.tr("Layer name:"))
        self.add_button.setText(self.tr("Add as Offline Layer"))
        self.link_button.setText(self.tr("Add as Linked Layer"))
        self.link_button.setToolTip(self.tr("Show the table live: the map reads the rows of its view; "
                                            "edits are committed to the database when the project is saved"))
        self.sync_button.setText(self.tr("Sync Now"))
        self.resolve_button.setText(self.tr("Apply Choices and Sync"))
        for table, cols in ((self.table_list, TABLE_COLUMNS), (self.status_table, STATUS_COLUMNS),
                            (self.conflict_table, CONFLICT_COLUMNS)):
            table.setHorizontalHeaderLabels([self.tr(c) for c in cols])
        for row in range(self.conflict_table.rowCount()):
            combo = self.conflict_table.cellWidget(row, 5)
            if combo is not None:
                combo.setItemText(0, self.tr("Mine"))
                combo.setItemText(1, self.tr("Theirs"))
        self._fill_tables()
        self.refresh_status()  # "never", "(linked)" in the new language
        said = getattr(self, "_said", None)
        if said is not None and callable(said[0]):  # the status line follows the language too
            self._say(*said)
        if hasattr(self, "project"):
            self.refresh_status()

    def _say(self, text, error: bool = False) -> None:
        """Show a status line; ``text`` may be a function giving it, re-run on a language switch."""
        self._said = (text, error)
        self.message.setStyleSheet("color: #b00020;" if error else "")
        self.message.setText(text() if callable(text) else text)

    # -- browse ----------------------------------------------------------------------------------
    def connect_db(self) -> bool:
        from hygis.db.connection import connect, list_tables
        from hygis.db.tables import table_info

        url = self.url_edit.text().strip()
        try:
            with connect(url) as con:
                self.tables = list_tables(con)
                for t in self.tables:
                    t["team"] = table_info(con, t["schema"], t["table"]).team
        except HygisError as exc:
            self.tables = []
            self._fill_tables()
            self._say(error_message(exc), error=True)
            return False
        self._fill_tables()
        self._say(lambda: self.tr("{0} table(s) with geometry").format(len(self.tables)))
        return True

    def _fill_tables(self) -> None:
        self.table_list.setRowCount(len(self.tables))
        for r, t in enumerate(self.tables):
            values = (f"{t['schema']}.{t['table']}", f"{t['type']} ({t['srid']})", t["rows"],
                      self.tr("yes") if t.get("team") else self.tr("no (read only)"))
            for c, v in enumerate(values):
                self.table_list.setItem(r, c, _item(v))

    def add_selected(self):
        from hygis.db.sync import checkout_into

        row = self.table_list.currentRow()
        if row < 0 or row >= len(self.tables):
            self._say(lambda: self.tr("Choose a table first."), error=True)
            return None
        t = self.tables[row]
        try:
            layer = checkout_into(self.project, self.url_edit.text().strip(), f"{t['schema']}.{t['table']}",
                                  name=self.name_edit.text().strip() or None, where=self.where_edit.text() or None)
        except HygisError as exc:
            self._say(error_message(exc), error=True)
            return None
        count, name = layer.feature_count, layer.name
        self._say(lambda: self.tr("Added {0} feature(s) as layer {1}; save the project to keep them offline.")
                  .format(count, name))
        self.refresh_status()
        return layer

    def link_selected(self):
        """Add the chosen table as a live linked layer and show its extent (the map reads its windows)."""
        from hygis.db.live import link_layer, link_of

        row = self.table_list.currentRow()
        if row < 0 or row >= len(self.tables):
            self._say(self.tr("Choose a table first."), error=True)
            return None
        t = self.tables[row]
        try:
            layer = link_layer(self.project, self.url_edit.text().strip(), f"{t['schema']}.{t['table']}",
                               name=self.name_edit.text().strip() or None)
        except HygisError as exc:
            self._say(error_message(exc), error=True)
            return None
        extent = link_of(self.project, layer).extent
        if self.canvas is not None and extent:
            self.canvas.set_extent(extent, margin=0.03)  # the map reads the rows of the new view
        self._say(self.tr("Linked {0} as layer {1}: the map reads the features of its view from the database.")
                  .format(f"{t['schema']}.{t['table']}", layer.name))
        self.refresh_status()
        return layer

    # -- status and sync -------------------------------------------------------------------------
    def refresh_status(self) -> None:
        from hygis.db.sync import status

        rows = status(self.project)
        self.status_table.setRowCount(len(rows))
        for r, s in enumerate(rows):
            table = s["table"] + (" " + self.tr("(linked)") if s.get("mode") == "live" else "")
            for c, v in enumerate((s["layer"], table, self.state_text(s), s["inserts"], s["updates"], s["deletes"],
                                   s["last_sync"] or self.tr("never"))):
                self.status_table.setItem(r, c, _item(v))
        self.sync_button.setEnabled(bool(rows))

    def state_text(self, s: dict) -> str:
        """One layer's state in words, from its local changes and its last sync's (or commit's) outcome.

        Linked: committed / N edit(s) to commit on save / conflict / read-only (the edits stay here) /
        not committed (another refusal).  Checked out: synced / N local change(s) / conflicts / not synced."""
        pending = int(s["inserts"]) + int(s["updates"]) + int(s["deletes"])
        report = self.outcomes.get(s["layer"])
        conflicts = len(report.conflicts) if report is not None else 0
        refused = report is not None and bool(report.error)
        read_only = refused and getattr(report, "read_only", False)
        if s.get("mode") == "live":
            if pending and conflicts:
                return self.tr("Conflict: {0} feature(s) changed by others").format(conflicts)
            if pending and read_only:
                return self.tr("Read-only: {0} edit(s) kept in the project").format(pending)
            if pending and refused:
                return self.tr("Not committed: {0} edit(s) kept in the project").format(pending)
            if pending:
                return self.tr("{0} edit(s) to commit (on save)").format(pending)
            return self.tr("Committed")
        if conflicts:
            return self.tr("Conflicts: {0}").format(conflicts)
        if pending and refused:
            return self.tr("Not synced: {0} local change(s)").format(pending)
        if pending:
            return self.tr("{0} local change(s)").format(pending)
        return self.tr("Synced")

    def choices(self) -> dict:
        """``{layer id: {feature id: 'mine' | 'theirs'}}`` from the conflict table."""
        out: dict = {}
        for row, (lid, _, c) in enumerate(self.conflicts):
            combo = self.conflict_table.cellWidget(row, 5)
            out.setdefault(lid, {})[c.uid] = combo.currentData()
        return out

    def sync(self, resolve: bool = False):
        from hygis.db.sync import sync_project

        if self.project.path is None:
            self._say(lambda: self.tr("Save the project before syncing it."), error=True)
            return None
        try:
            reports = sync_project(self.project, resolutions=self.choices() if resolve else None)
        except HygisError as exc:
            self._say(error_message(exc), error=True)
            return None
        self.show_reports(reports)
        return reports

    def show_reports(self, reports, committed: bool = False) -> None:
        """Show a sync's (or, with ``committed``, a save's commit's) outcome: counts, errors, the conflicts."""
        ids = {layer.name: layer.id for layer in self.project.layers}
        self.note_reports(reports)
        self.conflicts = [(ids.get(r.layer), r.layer, c) for r in reports for c in r.conflicts]
        self._fill_conflicts()
        errors = [f"{r.layer}: {error_message(r.error)}" for r in reports if r.error]
        pushed = sum(sum(r.pushed.values()) for r in reports)
        pulled = sum(sum(r.pulled.values()) for r in reports)
        n_conflicts = len(self.conflicts)

        def head():
            if errors and not (pushed or pulled or n_conflicts):
                return self.tr("Nothing was committed to the database.") if committed else \
                    self.tr("Nothing was synced.")
            if committed:
                return self.tr("Saved: {0} change(s) committed to the database, {1} conflict(s) to resolve.").format(
                    pushed, n_conflicts) if n_conflicts else \
                    self.tr("Saved: {0} change(s) committed to the database.").format(pushed)
            return self.tr("Synced: {0} change(s) sent, {1} received, {2} conflict(s).").format(
                pushed, pulled, n_conflicts)

        self._say(lambda: "\n".join([head()] + errors), error=bool(errors or self.conflicts))
        self.refresh_status()

    def note_reports(self, reports) -> None:
        """Remember each layer's last outcome (the state column reads it)."""
        for r in reports:
            self.outcomes[r.layer] = r

    def _fill_conflicts(self) -> None:
        from hygis.db.merge import format_value

        def side(row, fields):
            if row is None:
                return self.tr("(deleted)")
            return ", ".join(f"{f}={format_value(row.get(f))}" for f in fields if f != "<deleted>") or "…"

        self.conflict_table.setRowCount(len(self.conflicts))
        for r, (_, name, c) in enumerate(self.conflicts):
            fields = c.fields if c.fields != ["<deleted>"] else [f for f in (c.mine or c.theirs or {})
                                                                   if f != "geometry"][:3]
            values = (name, c.uid[:8], ", ".join(c.fields).replace("<deleted>", self.tr("deleted vs edited")),
                      side(c.mine, fields), side(c.theirs, fields))
            for col, v in enumerate(values):
                self.conflict_table.setItem(r, col, _item(v))
            combo = QComboBox()
            combo.addItem(self.tr("Mine"), "mine")
            combo.addItem(self.tr("Theirs"), "theirs")
            self.conflict_table.setCellWidget(r, 5, combo)
        self.resolve_button.setEnabled(bool(self.conflicts))
