"""The enclave charts' legends sit above the plot area: they never cover the bars, the curves, the
dashed forecast (incl. planned) and target lines or the year marker — at the default dock size and a
narrow one, in English and Chinese."""

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication

from hygis.project.fileformat import open_project
from tests.ui.fixtures_window import isolated_settings  # noqa: F401
from tests.ui.lang_fixtures import language, shot  # noqa: F401 (fixture)

SAMPLE = Path(__file__).resolve().parents[2] / "sample_projects" / "hangzhou_ningbo.hygis"


@pytest.fixture
def enclaves(qtbot, isolated_settings, language):  # noqa: F811
    if not SAMPLE.exists():
        pytest.skip("sample project not built")
    from hygis.ui.mainwindow import MainWindow

    w = MainWindow(open_project(SAMPLE), settings=isolated_settings)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    panel = w.analysis.show("enclaves")
    panel.recompute()
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=30000)
    yield panel
    w.close()
    w.canvas.dispose()
    w.deleteLater()
    qtbot.wait(1)


def _check(chart, names):
    widget = chart.plot_widget
    item = widget.getPlotItem()
    legend, box = item.legend, item.getViewBox().sceneBoundingRect()
    shown = widget.mapToScene(widget.viewport().rect()).boundingRect()
    assert [label.text for _, label in legend.items] == names
    rect = legend.mapRectToScene(legend.childrenBoundingRect())
    assert not rect.intersects(box), (rect, box)  # above the plot area: no data under it
    assert shown.contains(rect), (rect, shown)  # and whole on screen
    return item, box


def test_legends_never_cover_the_data(qtbot, enclaves, language):
    panel = enclaves
    tr = {"en": ("Operating", "Planned", "incl. planned", "operating"),
          "zh_CN": ("已运营", "规划中", "含规划", "已运营")}[language]
    for width, height in ((None, None), (300, 220)):
        for index, (chart, names) in enumerate(((panel.city_plot, list(tr[:2])), (panel.year_plot, list(tr[2:])))):
            panel.charts.setCurrentIndex(index)
            if width:
                chart.plot_widget.resize(width, height)
            QApplication.processEvents()
            item, box = _check(chart, names)
            if chart is panel.year_plot:  # the year marker's label stays above the dashed target line
                target_y = item.getViewBox().mapViewToScene(QPointF(2020, panel.target_line.value())).y()
                label = panel.year_line.label
                pad = label.textItem.document().documentMargin()  # the text's box minus its empty margin
                ink = label.sceneBoundingRect().adjusted(pad, pad, -pad, -pad)
                assert ink.bottom() <= target_y, (ink, target_y)
            if not width:
                shot(panel.charts, f"chart_{'city' if index == 0 else 'year'}_{language}")
