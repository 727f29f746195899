"""A searchable coordinate-system picker (PROJ's EPSG database plus GCJ-02 / BD-09).

:class:`CrsDialog` searches by code or name as you type ("4490", "CGCS2000", "3857",
"gauss 120", "国家2000"; :mod:`hygis.geo.crs_search`) and shows the area of use of the
highlighted CRS.  :class:`CrsEdit` is a line edit (typed codes still work) with a "…"
button that opens the dialog; picking the pseudo-CRS GCJ-02 or BD-09 fills in EPSG:4326
and emits :attr:`CrsEdit.datumChosen` so the form can set its datum.  Used wherever a
CRS is chosen: the import of files without a CRS and the export dialog.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QLineEdit,
                               QTableWidget, QTableWidgetItem, QVBoxLayout)

from hygis.geo import crs_search

KIND_TEXT = {"geographic": "Geographic (lon/lat)", "projected": "Projected (metres)", "compound": "Compound",
             "pseudo": "Chinese web datum", "other": "Other"}


class CrsDialog(QDialog):
    """Pick a CRS by searching; :meth:`entry` is the chosen :class:`~hygis.geo.crs_search.CrsEntry`."""

    def __init__(self, parent=None, current: str = ""):
        super().__init__(parent)
        self.search_edit = QLineEdit()
        self.search_edit.setClearButtonEnabled(True)
        self.table = QTableWidget(0, 3)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemDoubleClicked.connect(lambda *_: self.accept())
        self.table.itemSelectionChanged.connect(self._show_selected)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.count_label = QLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(self.info)
        layout.addWidget(self.buttons)
        self._entries: list = []
        self._timer = QTimer(self, singleShot=True, interval=120)
        self._timer.timeout.connect(self.refresh)
        self.search_edit.textChanged.connect(lambda *_: self._timer.start())
        self.resize(720, 480)
        self.retranslate_ui()
        entry = crs_search.lookup(current) if current else None
        self.search_edit.setText(entry.code.split(":")[-1] if entry else "")
        self.refresh()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Coordinate reference system"))
        self.search_edit.setPlaceholderText(self.tr("Search by code or name: 4490, CGCS2000, 3857, gauss 120 …"))
        self.table.setHorizontalHeaderLabels([self.tr("Code"), self.tr("Name"), self.tr("Kind")])
        self.refresh()

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def set_query(self, text: str) -> None:
        """Search now (what typing does after a short pause)."""
        self.search_edit.setText(text)
        self.refresh()

    def refresh(self) -> None:
        self._timer.stop()
        self._entries = crs_search.search(self.search_edit.text())
        self.table.setRowCount(len(self._entries))
        for row, e in enumerate(self._entries):
            for col, text in enumerate((e.code, e.name, self.tr(KIND_TEXT.get(e.kind, e.kind)))):
                item = QTableWidgetItem(text)
                if col == 1 and e.area:
                    item.setToolTip(e.area)
                self.table.setItem(row, col, item)
        self.count_label.setText(self.tr("{n} found").format(n=len(self._entries)))
        if self._entries:
            self.table.selectRow(0)
        self._show_selected()

    def codes(self) -> list[str]:
        """The codes listed, in order."""
        return [e.code for e in self._entries]

    def select(self, code: str) -> None:
        self.table.selectRow(self.codes().index(code))

    def entry(self):
        rows = self.table.selectionModel().selectedRows()
        return self._entries[rows[0].row()] if rows and rows[0].row() < len(self._entries) else None

    def _show_selected(self) -> None:
        e = self.entry()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(e is not None)
        if e is None:
            self.info.setText("")
        elif e.kind == "pseudo":
            self.info.setText(self.tr("{name}: not a CRS of its own but WGS84 lon/lat shifted by a Chinese web-map "
                                      "datum; hygis converts it.").format(name=e.code))
        else:
            self.info.setText(self.tr("{code} — area of use: {area}").format(code=e.code, area=e.area or "—"))


class CrsEdit(QLineEdit):
    """A CRS field: type a code, or search with the "…" button.  ``datumChosen(datum)`` when the
    pseudo-CRS GCJ-02 or BD-09 was picked (the field then says EPSG:4326)."""

    datumChosen = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.pick_action = QAction("…", self)
        self.pick_action.triggered.connect(lambda: self.pick())
        self.addAction(self.pick_action, QLineEdit.ActionPosition.TrailingPosition)
        self.dialog = None
        self.pick_action.setToolTip(self.tr("Search the coordinate systems"))

    def pick(self, accept: bool | None = None):
        """Open the search dialog; with ``accept`` (tests) take its first hit without showing it."""
        self.dialog = CrsDialog(self, self.text())
        if accept is None:
            ok = self.dialog.exec()
        else:
            ok = accept
        if ok:
            self.take(self.dialog.entry())
        return self.dialog

    def take(self, entry) -> None:
        """Fill the field from a picked entry (pseudo-CRSs: EPSG:4326 and ``datumChosen``)."""
        if entry is None:
            return
        if entry.datum:
            self.setText("EPSG:4326")
            self.datumChosen.emit(entry.datum)
        else:
            self.setText(entry.code)
