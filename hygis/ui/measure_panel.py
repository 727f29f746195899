"""The Measure panel: every segment's length, the total, and the area of a measured polygon.

:func:`install_measure` adds a "Measure" dock to the window that opens when Measure
Distance (M) or Measure Area (Shift+M) is chosen.  It follows the canvas's measure (the
points clicked so far and the rubber-band point under the mouse) and lists each segment's
geodesic length, the total, and for an area measure the closing segment, the perimeter
and the area (:mod:`hygis.geo.measure`).  The unit (auto / m / km) applies to the panel
and to the status bar's measure text; it is kept in the user settings.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from hygis.geo import measure as gmeasure

UNIT_TEXT = {"auto": "Auto (m / km)", "m": "Metres (m, m²)", "km": "Kilometres (km, km²)"}


class MeasurePanel(QWidget):
    """Segments, total and area of the canvas's current measure."""

    def __init__(self, canvas, settings=None, parent=None):
        super().__init__(parent)
        self.canvas, self.settings = canvas, settings
        self.unit_box = QComboBox()
        for unit in gmeasure.UNITS:
            self.unit_box.addItem("", unit)
        unit = settings.store.value("measure/unit", "auto") if settings is not None else "auto"
        self.unit_box.setCurrentIndex(max(0, self.unit_box.findData(unit)))
        canvas.measure_unit = self.unit()
        self.unit_box.currentIndexChanged.connect(self._unit_changed)
        self.table = QTableWidget(0, 2)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.total_label = QLabel()
        self.area_label = QLabel()
        for label in (self.total_label, self.area_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            font = label.font()
            font.setBold(True)
            label.setFont(font)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.clear_button = QPushButton()
        self.clear_button.clicked.connect(self.clear)
        self._unit_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(self._unit_label)
        top.addWidget(self.unit_box, 1)
        top.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.total_label)
        layout.addWidget(self.area_label)
        layout.addWidget(self.hint)
        self.measurement = gmeasure.Measurement()
        canvas.measureChanged.connect(lambda _text: self.refresh())
        self.retranslate_ui()

    def unit(self) -> str:
        return self.unit_box.currentData() or "auto"

    def set_unit(self, unit: str) -> None:
        self.unit_box.setCurrentIndex(self.unit_box.findData(unit))

    def _unit_changed(self) -> None:
        self.canvas.measure_unit = self.unit()
        if self.settings is not None:
            self.settings.store.setValue("measure/unit", self.unit())
        interaction = getattr(self.canvas, "_interaction", None)
        if interaction is not None and self.canvas.tool().startswith("measure"):
            interaction._emit_measure()  # the status bar follows the unit too
        self.refresh()

    def clear(self) -> None:
        interaction = getattr(self.canvas, "_interaction", None)
        if interaction is not None:
            interaction.reset()
            self.canvas.measureChanged.emit("")
            self.canvas.update()
        self.refresh()

    def refresh(self) -> None:
        """Re-read the canvas's measure points and show their segments, total and area."""
        tool = self.canvas.tool()
        interaction = getattr(self.canvas, "_interaction", None)
        points = interaction.measure_points() if interaction is not None and tool.startswith("measure") else []
        closed = tool == "measure_area"
        m = self.measurement = gmeasure.measure(points, closed=closed)
        unit = self.unit()
        self.table.setRowCount(len(m.segments_m))
        for i, length in enumerate(m.segments_m):
            closing = closed and i == len(m.segments_m) - 1 and len(points) > 2
            name = self.tr("closing") if closing else str(i + 1)
            for col, text in enumerate((name, gmeasure.format_length(length, unit))):
                item = QTableWidgetItem(text)
                if col == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, col, item)
        if m.segments_m:
            self.table.scrollToBottom()
        label = self.tr("Perimeter: {value}") if closed else self.tr("Total: {value}")
        self.total_label.setText(label.format(value=gmeasure.format_length(m.total_m, unit)))
        self.area_label.setVisible(closed)
        self.area_label.setText(self.tr("Area: {value}").format(value=gmeasure.format_area(m.area_m2, unit)))

    def retranslate_ui(self) -> None:
        self._unit_label.setText(self.tr("Unit:"))
        for i in range(self.unit_box.count()):
            self.unit_box.setItemText(i, self.tr(UNIT_TEXT[self.unit_box.itemData(i)]))
        self.clear_button.setText(self.tr("Clear"))
        self.table.setHorizontalHeaderLabels([self.tr("Segment"), self.tr("Length")])
        self.hint.setText(self.tr("Click to add points; double-click or right-click ends the measure. "
                                  "Lengths and areas are geodesic on the WGS84 ellipsoid."))
        self.refresh()

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


def install_measure(window) -> MeasurePanel:
    """Add the Measure dock to ``window``; it opens when a measure tool is chosen."""
    panel = MeasurePanel(window.canvas, getattr(window, "settings", None))
    dock = window.add_dock(panel, Qt.DockWidgetArea.RightDockWidgetArea, "Measure")
    identify = getattr(window, "dock_identify", None)
    if identify is not None:  # a tab beside Identify Results: the segment list gets the full height
        window.tabifyDockWidget(identify, dock)
    dock.hide()
    window.measure_panel, window.dock_measure = panel, dock

    def _tool_chosen(checked: bool = True) -> None:
        if window.canvas.tool().startswith("measure"):
            dock.show()
            dock.raise_()
        panel.refresh()

    for action in (window.act_measure_distance, window.act_measure_area):
        action.triggered.connect(_tool_chosen)
    return panel
