"""Analysis docks at their default size in a 1280×800 window: they share one tab group (not four
strips), the window still fits the screen, the targets dashboard shows names and progress without
scrolling sideways, and a short enclave dock scrolls instead of hiding its chart."""

from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QStyle

from hygis.project.fileformat import open_project
from hygis.ui.analysis.enclave_panel import ENCLAVE_SHOWN
from hygis.ui.analysis.targets_dashboard import COLUMNS
from tests.ui.fixtures_window import isolated_settings  # noqa: F401
from tests.ui.lang_fixtures import language, shot  # noqa: F401 (fixture)

SAMPLE = Path(__file__).resolve().parents[2] / "sample_projects" / "hangzhou_ningbo.hygis"


@pytest.fixture
def window(qtbot, isolated_settings, language):  # noqa: F811
    if not SAMPLE.exists():
        pytest.skip("sample project not built")
    from hygis.ui.mainwindow import MainWindow

    w = MainWindow(open_project(SAMPLE), settings=isolated_settings)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()
    w.canvas.dispose()
    w.deleteLater()                                             # no main window left for later tests
    qtbot.wait(1)


def test_docks_fit_a_1280x800_window_and_show_what_matters(qtbot, window, language):
    docks = window.analysis
    enclaves = docks.show("enclaves")
    targets = docks.show("targets")
    QApplication.processEvents()
    assert docks.docks["targets"] in window.tabifiedDockWidgets(docks.docks["enclaves"])
    assert window.height() <= 800 and window.minimumSizeHint().height() <= 800
    targets.recompute()
    qtbot.waitUntil(lambda: bool(targets.model.computed), timeout=20000)
    table, model = targets.table, targets.model
    header = table.horizontalHeader()
    assert model.rowCount() > 5
    for col in ("name", "progress"):                          # both on screen without scrolling sideways
        section = COLUMNS.index(col)
        assert header.sectionViewportPosition(section) >= 0
        assert header.sectionViewportPosition(section) + header.sectionSize(section) <= table.viewport().width()
    assert table.rowHeight(0) * 5 <= table.viewport().height()  # at least five targets visible
    shot(docks.docks["targets"], f"dock_targets_{language}")
    docks.show("enclaves")
    enclaves.recompute()
    qtbot.waitUntil(lambda: enclaves.model.rowCount() > 0, timeout=20000)
    QApplication.processEvents()
    # the dock may be shorter than the panel: the panel keeps its size (scrolls), the chart is not squeezed away
    assert enclaves.height() >= enclaves.minimumSizeHint().height()
    assert enclaves.charts.height() >= 180
    for index, chart in enumerate((enclaves.city_plot, enclaves.year_plot)):  # axes and titles inside the chart
        enclaves.charts.setCurrentIndex(index)
        QApplication.processEvents()
        widget = chart.plot_widget
        visible = widget.mapToScene(widget.viewport().rect()).boundingRect()
        for name in ("left", "bottom"):
            axis = widget.getPlotItem().getAxis(name)
            assert visible.contains(axis.sceneBoundingRect()), (index, name)
            if axis.label.isVisible() and axis.labelText:
                pad = axis.label.document().documentMargin()     # the text's box minus its empty margin
                ink = axis.label.sceneBoundingRect().adjusted(pad, pad, -pad, -pad)
                assert visible.contains(ink), (index, name, axis.labelText)
    shot(window, f"window_analysis_{language}")
    enclaves.tables.setCurrentIndex(1)                          # "Each enclave": why each counts or not
    QApplication.processEvents()
    view, rows = enclaves.rows_table, enclaves.rows_model
    enclaves._fit_rows_table()
    why = ENCLAVE_SHOWN.index("why")
    header = view.horizontalHeader()
    assert header.visualIndex(why) == 2
    assert header.sectionViewportPosition(why) + header.sectionSize(why) <= view.viewport().width() + 1
    fm = view.fontMetrics()
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1  # Qt's cell text margin
    for row in range(rows.rowCount()):                          # the whole reason, wrapped, in its row
        text = rows.index(row, why).data()
        width = header.sectionSize(why) - 2 * margin
        box = fm.boundingRect(QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), text)
        assert box.height() <= view.rowHeight(row) + 2, text
    shot(docks.docks["enclaves"], f"dock_enclave_rows_{language}")
