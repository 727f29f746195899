"""Compare two scenarios: two maps side by side with linked pan/zoom (or one swipe map), and their indicators.

A scenario changes layer state (visibility, filters, styles), and both maps
draw at the same time, so each side draws its own *shadow* of the project
(:func:`hygis.project.scenarios.shadow_project`: new layer objects sharing the data
frames, in that side's scenario state).  The user's layers are never touched
and nothing lands on the undo stack.

Pan/zoom is linked through ``extentChanged`` → ``set_extent`` on the other
canvas, with a guard so the echo of that call does not bounce back.  The
table lists each indicator for both scenarios and the difference (B − A).

The two panes are always equally wide; each side's legend is listed below the maps (never
drawn over them); Esc closes the view, whichever map has the focus.

The Split / Swipe toggle swaps the two maps for one
:class:`~hygis.ui.swipe_view.SwipeCanvas` (A left of a draggable divider, B right),
created on first use; the view (centre and scale) carries over in both directions
and the table stays.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QHBoxLayout, QHeaderView, QLabel, QSizePolicy, QSplitter,
                               QStackedWidget, QTableWidget, QTableWidgetItem, QToolButton, QVBoxLayout, QWidget)

from hygis.core.errors import HygisError
from hygis.project.indicators import compare_indicators
from hygis.project.model import shadow_project
from hygis.ui.fonts import cjk_font
from hygis.ui.legend import LegendWidget


class CompareView(QWidget):
    """Scenario A | scenario B, linked maps, and the indicator comparison table."""

    def __init__(self, project, a: str | None = None, b: str | None = None, parent=None, show_basemap=True):
        super().__init__(parent)
        from hygis.ui.canvas import MapCanvas

        names = project.scenarios.names
        if len(names) < 1:
            raise HygisError(self.tr("The project has no scenarios to compare"))
        self.project = project
        self.setWindowTitle(self.tr("Compare scenarios"))
        a = a if a in names else names[0]
        b = b if b in names else names[min(1, len(names) - 1)]
        self._syncing = False
        self._show_basemap = show_basemap
        #: The swipe map, created the first time Swipe is chosen.
        self.swipe = None
        self.combo_a, self.combo_b = QComboBox(), QComboBox()
        for combo, name in ((self.combo_a, a), (self.combo_b, b)):
            combo.addItems(names)
            combo.setCurrentText(name)
        self.canvas_a = MapCanvas(None, self, show_basemap=show_basemap)
        self.canvas_b = MapCanvas(None, self, show_basemap=show_basemap)
        self.legend_a, self.legend_b = LegendWidget(), LegendWidget()
        self.title_a, self.title_b = QLabel(), QLabel()
        for label in (self.title_a, self.title_b):
            label.setFont(cjk_font(13, bold=True))
            # a long scenario title must not widen its pane: the two maps stay equally wide
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([self.tr("Indicator"), "A", "B", self.tr("Difference (B − A)")])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.btn_split, self.btn_swipe = QToolButton(), QToolButton()
        self.btn_split.setText(self.tr("Split"))
        self.btn_split.setToolTip(self.tr("Two maps side by side, pan and zoom linked"))
        self.btn_swipe.setText(self.tr("Swipe"))
        self.btn_swipe.setToolTip(self.tr("One map: A left of a divider you can drag, B right of it"))
        self._modes = QButtonGroup(self)
        for button in (self.btn_split, self.btn_swipe):
            button.setCheckable(True)
            self._modes.addButton(button)
        self.btn_split.setChecked(True)
        self.stack = QStackedWidget()
        self._swipe_page = QWidget()
        QVBoxLayout(self._swipe_page).setContentsMargins(2, 2, 2, 2)
        self._build_layout()
        self.esc = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)  # also from inside a map
        self.esc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.esc.activated.connect(self.close)
        self.esc.activatedAmbiguously.connect(self.close)  # another compare view's Esc: this one still closes
        self.btn_split.clicked.connect(lambda: self.set_mode("split"))
        self.btn_swipe.clicked.connect(lambda: self.set_mode("swipe"))
        self.canvas_a.extentChanged.connect(lambda ext: self._link(self.canvas_a, self.canvas_b, ext))
        self.canvas_b.extentChanged.connect(lambda ext: self._link(self.canvas_b, self.canvas_a, ext))
        self.combo_a.currentTextChanged.connect(lambda _: self._show_side(self.canvas_a, self.combo_a, self.title_a,
                                                                                 follow=True))
        self.combo_b.currentTextChanged.connect(lambda _: self._show_side(self.canvas_b, self.combo_b, self.title_b,
                                                                                 follow=True))
        self.combo_a.currentTextChanged.connect(self._update_table)
        self.combo_b.currentTextChanged.connect(self._update_table)
        self._show_side(self.canvas_a, self.combo_a, self.title_a)
        self._show_side(self.canvas_b, self.combo_b, self.title_b, follow=True)
        self._update_table()

    def _build_layout(self) -> None:
        head = QHBoxLayout()
        for tag, combo in (("A", self.combo_a), ("B", self.combo_b)):
            head.addWidget(QLabel(f"{tag}:"))
            head.addWidget(combo)
        head.addStretch(1)
        head.addWidget(self.btn_split)
        head.addWidget(self.btn_swipe)
        sides = QWidget()
        row = QHBoxLayout(sides)  # equal stretch: equal widths at any window size (a splitter drifts)
        row.setContentsMargins(0, 0, 0, 0)
        for title, canvas in ((self.title_a, self.canvas_a), (self.title_b, self.canvas_b)):
            side = QWidget()
            side.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
            box = QVBoxLayout(side)
            box.setContentsMargins(2, 2, 2, 2)
            box.addWidget(title)
            box.addWidget(canvas, 1)
            row.addWidget(side, 1)
        self.stack.addWidget(sides)
        self.stack.addWidget(self._swipe_page)
        legends = QWidget()
        legend_row = QHBoxLayout(legends)  # the legends below the maps: they never cover data
        legend_row.setContentsMargins(2, 0, 2, 0)
        for legend in (self.legend_a, self.legend_b):
            legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            legend_row.addWidget(legend, 1)
        for canvas in (self.canvas_a, self.canvas_b):
            canvas.show_legend = False
        vertical = QSplitter(Qt.Orientation.Vertical)
        vertical.addWidget(self.stack)
        vertical.addWidget(legends)
        vertical.addWidget(self.table)
        vertical.setStretchFactor(0, 5)
        vertical.setStretchFactor(1, 1)
        vertical.setStretchFactor(2, 1)
        vertical.setSizes([500, 110, 120])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.addLayout(head)
        outer.addWidget(vertical, 1)

    # -- split / swipe ------------------------------------------------------------------------
    def mode(self) -> str:
        """'split' (two linked maps) or 'swipe' (one map with a divider)."""
        return "swipe" if self.stack.currentIndex() == 1 else "split"

    def set_mode(self, mode: str) -> None:
        """Show the two scenarios as 'split' maps or as one 'swipe' map (the view carries over)."""
        if mode not in ("split", "swipe"):
            raise ValueError(f"unknown compare mode {mode!r}")
        (self.btn_swipe if mode == "swipe" else self.btn_split).setChecked(True)
        if mode == self.mode():
            return
        if mode == "swipe":
            if self.swipe is None:
                self._create_swipe()
            self.stack.setCurrentIndex(1)
            self._link(self.canvas_a, self.swipe, self.canvas_a.extent())
            self.swipe.setFocus()
        else:
            self.stack.setCurrentIndex(0)
            for canvas in (self.canvas_a, self.canvas_b):
                self._link(self.swipe, canvas, self.swipe.extent())

    def _create_swipe(self) -> None:
        from hygis.ui.swipe_view import SwipeCanvas

        self.swipe = SwipeCanvas(self.canvas_a.project, self.canvas_b.project, self._swipe_page,
                                 show_basemap=self._show_basemap, name_a=self.scenario_a, name_b=self.scenario_b)
        self.swipe.show_legend = False  # the legends are listed below the maps
        self._swipe_page.layout().addWidget(self.swipe)

    def _update_swipe(self) -> None:
        if self.swipe is not None:
            self.swipe.set_projects(self.canvas_a.project, self.canvas_b.project, self.scenario_a, self.scenario_b)

    # -- sides ------------------------------------------------------------------------------
    @property
    def scenario_a(self) -> str:
        return self.combo_a.currentText()

    @property
    def scenario_b(self) -> str:
        return self.combo_b.currentText()

    def set_scenarios(self, a: str, b: str) -> None:
        self.combo_a.setCurrentText(a)
        self.combo_b.setCurrentText(b)

    def _show_side(self, canvas, combo, title, follow: bool = False) -> None:
        scenario = self.project.scenarios[combo.currentText()]
        view = shadow_project(self.project, scenario)
        other = self.canvas_a if canvas is self.canvas_b else self.canvas_b
        extent = other.extent() if follow else None
        self._syncing = True  # set_project zooms to the full extent: do not drag the other side along
        try:
            canvas.set_project(view)
        finally:
            self._syncing = False
        title.setText(scenario.title or scenario.name)
        (self.legend_a if canvas is self.canvas_a else self.legend_b).set_project(view)
        self._set_extent(canvas, extent or self._scenarios_extent() or view.full_extent())
        self._update_swipe()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt virtual)
        """Zoom to the scenarios' extent once the maps have their real size (set_extent keeps the
        scale on resize, so an extent set on the small unshown canvases would open zoomed out)."""
        super().showEvent(event)
        if not getattr(self, "_zoomed", False):
            self._zoomed = True
            self.layout().activate()
            self._set_extent(self.canvas_a, self._scenarios_extent() or self.canvas_a.project.full_extent())
            self._link(self.canvas_a, self.canvas_b, self.canvas_a.extent())

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt virtual): Esc with no child focused
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def _scenarios_extent(self):
        """The union of the two scenarios' saved extents (None if neither has one)."""
        boxes = [self.project.scenarios[c.currentText()].extent for c in (self.combo_a, self.combo_b)]
        boxes = [b for b in boxes if b is not None]
        if not boxes:
            return None
        return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))

    def _set_extent(self, canvas, extent) -> None:
        if extent is None:
            return
        self._syncing = True
        try:
            canvas.set_extent(extent)
        finally:
            self._syncing = False

    def _link(self, source, target, extent) -> None:
        """Follow the other side's pan/zoom (ignoring the echo of our own change).

        The view is copied as centre + metres per pixel: passing WGS84 bounds back and
        forth would grow the view a little on every hop (a projected rectangle's
        lon/lat bounding box is larger than the rectangle).
        """
        if self._syncing or extent is None:
            return
        self._syncing = True
        try:
            if hasattr(source, "view") and hasattr(target, "_set_view"):
                from hygis.ui.render.view import MapView

                v = source.view()
                target._set_view(MapView(v.cx, v.cy, v.res, max(target.width(), 1), max(target.height(), 1)))
            else:
                target.set_extent(extent)
        finally:
            self._syncing = False

    # -- indicators ---------------------------------------------------------------------------
    def _update_table(self, *_):
        rows = compare_indicators(self.project, self.scenario_a, self.scenario_b)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate((row.label, row.text_a, row.text_b, row.diff_text)):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c == 3 and row.diff:
                    item.setForeground(QColor("#1b7837") if row.diff > 0 else QColor("#b2182b"))
                self.table.setItem(r, c, item)

    def table_rows(self) -> list[list[str]]:
        """What the comparison table shows, row by row (for tests and copy)."""
        return [[self.table.item(r, c).text() for c in range(self.table.columnCount())]
                for r in range(self.table.rowCount())]
