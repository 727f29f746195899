"""pyqtgraph charts of the analysis panels: bars labelled in Chinese, the cumulative line with markers.

pyqtgraph is imported only when a chart is first drawn: :func:`bar_chart` returns a
:class:`LazyPlot` placeholder, so installing the panels at start-up costs no chart
library (about 0.3 s).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QVBoxLayout, QWidget

from hygis.ui.fonts import cjk_font

BAR_COLOR = "#3a7ca5"
PLANNED_COLOR = "#f2a65a"
LINE_COLOR = "#1d3557"
TARGET_COLOR = "#d62828"
MARKER_COLOR = "#6c757d"


class LazyPlot(QWidget):
    """A chart area whose pyqtgraph ``PlotWidget`` is created on first use.

    ``setLabel`` is remembered until then; ``getPlotItem()`` (used by the drawing
    functions and the chart export) creates the plot.  ``setup(plot_widget)`` runs
    once after creation (e.g. to add a legend).
    """

    def __init__(self, parent=None, setup=None):
        super().__init__(parent)
        self.setMinimumHeight(180)
        self._plot = None
        self._labels: dict[str, str] = {}
        self._setup = setup
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    @property
    def created(self) -> bool:
        return self._plot is not None

    @property
    def plot_widget(self):
        """The pyqtgraph PlotWidget (created, and pyqtgraph imported, on the first call)."""
        if self._plot is None:
            self._plot = _make_plot(self)
            self.layout().addWidget(self._plot)
            for axis, text in self._labels.items():
                self._plot.setLabel(axis, text)
            if self._setup is not None:
                self._setup(self._plot)
        return self._plot

    def getPlotItem(self):  # noqa: N802 (pyqtgraph's name)
        return self.plot_widget.getPlotItem()

    def setLabel(self, axis: str, text: str) -> None:  # noqa: N802 (pyqtgraph's name)
        self._labels[axis] = text
        if self._plot is not None:
            self._plot.setLabel(axis, text)


def bar_chart(parent=None, setup=None) -> LazyPlot:
    """A white plot whose axes and labels use a CJK font (Chinese category names never show as boxes)."""
    return LazyPlot(parent, setup)


def _make_plot(parent):
    import pyqtgraph as pg

    plot = pg.PlotWidget(parent, background="w")
    plot.setMinimumHeight(180)
    item = plot.getPlotItem()
    font = cjk_font(9)
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setTickFont(font)
        axis.setPen(pg.mkPen("#555555"))
        axis.setTextPen(pg.mkPen("#222222"))
        axis.label.setFont(cjk_font(9))
    item.showGrid(x=True, y=True, alpha=0.2)
    item.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    return plot


def legend_above(plot_widget, columns: int = 3):
    """A one-row legend in the band above the plot area (the title row), never over the data:
    the curves, the dashed target and forecast lines and the year marker keep the whole plot.
    Returns the ``pg.LegendItem``; items added with a name are listed in it."""
    import pyqtgraph as pg

    item = plot_widget.getPlotItem()
    legend = pg.LegendItem(colCount=columns, labelTextColor="#222222", frame=False, horSpacing=14,
                           labelTextSize="9pt")
    item.layout.removeItem(item.titleLabel)
    item.titleLabel.setVisible(False)
    item.layout.addItem(legend, 0, 1)  # the title's cell: above the top of the view box
    item.legend = legend  # PlotItem.addItem lists named items here
    height = max(QFontMetrics(cjk_font(9)).height() + 8, 22)
    item.layout.setRowFixedHeight(0, height)
    return legend


def set_hbars(plot, old, labels: list[str], values):
    """Horizontal bars (first label on top) of ``values`` on ``plot`` (a LazyPlot or PlotWidget);
    replaces ``old``. Returns the bar item (``pg.BarGraphItem``)."""
    import pyqtgraph as pg

    item = plot.getPlotItem()
    if old is not None:
        item.removeItem(old)
    values = np.asarray(values, dtype=float)
    n = len(values)
    y = np.arange(n, dtype=float)[::-1]  # first row on top
    bars = pg.BarGraphItem(x0=np.zeros(n), y=y, width=values, height=0.7, brush=BAR_COLOR, pen=pg.mkPen(None))
    item.addItem(bars)
    axis = item.getAxis("left")
    axis.setTicks([[(float(yy), str(lbl)) for yy, lbl in zip(y, labels)]])
    metrics = QFontMetrics(cjk_font(9))
    axis.setWidth(max([metrics.horizontalAdvance(str(lbl)) for lbl in labels] + [20]) + 14)
    item.setYRange(-0.6, max(n - 0.4, 0.6), padding=0)
    item.setXRange(0, float(values.max()) * 1.08 if n and values.max() > 0 else 1.0, padding=0)
    return bars


def set_vbars(plot, old: list, labels: list[str], series: list[tuple]) -> list:
    """Stacked vertical bars: ``series`` = [(values, colour[, legend name]), ...]; returns the bar items."""
    import pyqtgraph as pg

    item = plot.getPlotItem()
    for bar in old or []:
        item.removeItem(bar)
    x = np.arange(len(labels), dtype=float)
    base = np.zeros(len(labels))
    bars = []
    for values, colour, *name in series:
        values = np.asarray(values, dtype=float)
        bar = pg.BarGraphItem(x=x, y0=base.copy(), height=values, width=0.65, brush=colour, pen=pg.mkPen(None),
                              name=name[0] if name else None)
        item.addItem(bar)
        bars.append(bar)
        base = base + values
    item.getAxis("bottom").setTicks([[(float(i), str(lbl)) for i, lbl in enumerate(labels)]])
    top = float(base.max()) if len(base) else 1.0
    item.setXRange(-0.6, max(len(labels) - 0.4, 0.6), padding=0)
    item.setYRange(0, max(top * 1.12, 1.0), padding=0)
    return bars


def target_line(value: float, label: str):
    """A dashed horizontal line (``pg.InfiniteLine``) at ``value`` with a label (the plan target)."""
    import pyqtgraph as pg

    line = pg.InfiniteLine(pos=value, angle=0, pen=pg.mkPen(TARGET_COLOR, width=2, style=pg.QtCore.Qt.DashLine),
                           label=label, labelOpts={"position": 0.08, "color": QColor(TARGET_COLOR),
                                                   "anchors": [(0, 1), (0, 1)]})
    line.label.setFont(cjk_font(9))
    return line


def year_marker(year: float, label: str, at: float = 0.985):
    """A dotted vertical line (``pg.InfiniteLine``) at ``year`` with a label (the target year) whose
    bottom-right corner is at ``at`` (0 bottom … 1 top of the plot) just left of the line: callers put
    it on the target line's height, so it sits in the band above the target like the target's label."""
    import pyqtgraph as pg

    line = pg.InfiniteLine(pos=year, angle=90, pen=pg.mkPen(MARKER_COLOR, width=1.5, style=pg.QtCore.Qt.DotLine),
                           label=label, labelOpts={"position": at, "color": QColor(MARKER_COLOR),
                                                   "anchors": [(1, 1), (1, 1)]})
    line.label.setFont(cjk_font(9))
    return line
