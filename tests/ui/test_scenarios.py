"""Scenario bar, switching, compare view (pytest-qt, offscreen)."""

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMainWindow

from hygis.ui.canvas import MapCanvas
from hygis.ui.scenario_bar import ScenarioBar
from hygis.project.fileformat import open_project
from tests.ui.scenario_fixtures import EXTENTS, three_scenario_project

SAMPLE = Path(__file__).resolve().parents[2] / "sample_projects" / "hangzhou_ningbo.hygis"


@pytest.fixture
def window(qtbot):
    project = three_scenario_project()
    win = QMainWindow()
    canvas = MapCanvas(project)
    win.setCentralWidget(canvas)
    bar = ScenarioBar(project, canvas, win, show_error=lambda msg: errors.append(msg))
    errors = []
    win.addToolBar(bar)
    win.resize(800, 600)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.bar, win.project, win.canvas, win.errors = bar, project, canvas, errors
    return win


def _contains(outer, inner, tol=1e-6):
    return (outer[0] <= inner[0] + tol and outer[1] <= inner[1] + tol
            and outer[2] >= inner[2] - tol and outer[3] >= inner[3] - tol)


def test_switching_changes_visible_layers_filters_and_extent(window):
    bar, project = window.bar, window.project
    corridor, enclaves = project.layers["科创走廊"], project.layers["飞地"]
    assert [bar.tabs.tabText(i) for i in range(bar.tabs.count())] == ["现状 2020", "规划 2025", "愿景 2035"]
    bar.tabs.tabBarClicked.emit(0)  # a click on the first tab
    assert project.scenarios.active == "现状 2020" and bar.tabs.currentIndex() == 0
    assert corridor.visible is False and enclaves.filter == "year_opened <= 2016"
    assert len(enclaves.visible_data()) == 2
    assert project.extent == EXTENTS["现状 2020"]
    assert _contains(window.canvas.extent(), EXTENTS["现状 2020"])
    bar.switch_to("愿景 2035")
    assert corridor.visible is True and enclaves.filter == "" and len(enclaves.visible_data()) == 6
    assert _contains(window.canvas.extent(), EXTENTS["愿景 2035"])
    # the view fits the stored extent: one side matches it (aspect ratio locked)
    ext, want = window.canvas.extent(), EXTENTS["愿景 2035"]
    assert min((ext[2] - ext[0]) / (want[2] - want[0]), (ext[3] - ext[1]) / (want[3] - want[1])) < 1.05
    assert len(project.history) == 0 and not project.dirty  # switching is not an undo step


def test_keyboard_shortcuts_switch(window):
    window.activateWindow()
    QTest.keyClick(window.canvas, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.project.scenarios.active == "规划 2025"
    QTest.keyClick(window.canvas, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.project.scenarios.active == "愿景 2035"
    QTest.keyClick(window.canvas, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(window.canvas, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert window.project.scenarios.active == "现状 2020"
    assert window.project.layers["飞地"].filter == "year_opened <= 2016"


def test_bar_edits_are_undoable(window):
    bar, project = window.bar, window.project
    project.layers["飞地"].filter = "year_opened >= 2019"
    assert bar.new_scenario("专题 飞地") == "专题 飞地"
    assert bar.tabs.tabText(3) == "专题 飞地" and bar.tabs.currentIndex() == 3
    assert project.scenarios["专题 飞地"].layers[project.layers["飞地"].id].filter == "year_opened >= 2019"
    bar.rename_scenario("飞地专题")
    bar.move_scenario(-1)
    assert project.scenarios.names == ["现状 2020", "规划 2025", "飞地专题", "愿景 2035"]
    bar.duplicate_scenario()
    assert project.scenarios.active == "飞地专题 copy" and bar.tabs.tabText(3) == "飞地专题 copy"
    bar.delete_scenario(confirm=False)
    assert "飞地专题 copy" not in project.scenarios.names
    bar.switch_to("现状 2020")
    project.layers["科创走廊"].visible = True
    bar.update_scenario()
    assert project.scenarios["现状 2020"].layers[project.layers["科创走廊"].id].visible is True
    for _ in range(6):
        project.undo()
    assert project.scenarios.names == ["现状 2020", "规划 2025", "愿景 2035"]
    assert project.scenarios["现状 2020"].layers[project.layers["科创走廊"].id].visible is False
    assert [bar.tabs.tabText(i) for i in range(bar.tabs.count())] == project.scenarios.names


def test_bad_name_is_reported_not_raised(window):
    window.bar.new_scenario("现状 2020")
    assert window.errors and "already exists" in window.errors[0]


def test_dragging_a_tab_reorders_through_a_command(window):
    bar, project = window.bar, window.project
    bar.tabs.moveTab(0, 2)  # what a drag does; emits tabMoved
    assert project.scenarios.names == ["规划 2025", "愿景 2035", "现状 2020"]
    project.undo()
    assert project.scenarios.names == ["现状 2020", "规划 2025", "愿景 2035"]


def test_compare_view_links_extents_and_shows_differences(qtbot):
    from hygis.ui.compare_view import CompareView

    project = three_scenario_project()
    view = CompareView(project, "现状 2020", "愿景 2035")
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    a, b = view.canvas_a, view.canvas_b
    # each side draws its own state; the project is not touched
    assert a.project.layers["飞地"].filter == "year_opened <= 2016" and b.project.layers["飞地"].filter == ""
    assert a.project.layers["科创走廊"].visible is False and b.project.layers["科创走廊"].visible is True
    assert project.layers["飞地"].filter == "" and project.scenarios.active is None
    a.zoom_in()
    assert b.extent() == pytest.approx(a.extent(), abs=1e-6)
    b.set_extent((120.0, 30.0, 120.2, 30.1))
    assert a.extent() == pytest.approx(b.extent(), abs=1e-6)
    rows = view.table_rows()
    assert rows[0] == ["飞地", "2 / 6 (33%) · 2016年", "6 / 6 (100%) · 2020年", "+4"]
    assert rows[1] == ["科创走廊", "1", "1", "0"]
    view.set_scenarios("规划 2025", "愿景 2035")
    assert view.table_rows()[0][1] == "4 / 6 (67%) · 2018年"
    assert a.project.layers["飞地"].filter == "year_opened <= 2018"


@pytest.mark.skipif(not SAMPLE.exists(), reason="sample project not built")
def test_switch_timing_on_the_sample_project(qtbot):
    """Switching = apply + a full canvas render; printed (the bound is asserted in benchmarks/)."""
    project = open_project(SAMPLE)
    canvas = MapCanvas(project)
    qtbot.addWidget(canvas)
    canvas.resize(1280, 800)
    bar = ScenarioBar(project, canvas)
    qtbot.addWidget(bar)
    canvas.render_image(1280, 800)  # warm caches (fonts, projected geometry)
    times = []
    for name in project.scenarios.names * 2:
        t0 = time.perf_counter()
        bar.switch_to(name)
        image = canvas.render_image(1280, 800)
        times.append(time.perf_counter() - t0)
        assert not image.isNull()
    print(f"\nscenario switch (apply + render 1280x800), sample project: "
          f"median {sorted(times)[len(times) // 2] * 1000:.1f} ms, max {max(times) * 1000:.1f} ms")


def test_install_scenarios_in_the_main_window(qtbot, tmp_path):
    mainwindow = pytest.importorskip("hygis.ui.mainwindow")
    from hygis.ui.scenario_bar import install_scenarios

    win = mainwindow.MainWindow(three_scenario_project())
    qtbot.addWidget(win)
    bar = win.scenario_bar if hasattr(win, "scenario_bar") else install_scenarios(win)
    win.show()
    qtbot.waitExposed(win)
    view_texts = [a.text() for a in win.menu_view.actions()]
    assert "Compare scenarios" in view_texts and "Present" in view_texts
    assert "Export slides…" in [a.text() for a in win.menu_file.actions()]
    assert win.scenario_actions.act_present.shortcut().toString() == "F5"
    bar.switch_to("规划 2025")
    win.scenario_actions.present()
    show = win.scenario_actions.presentation
    assert show.current == "规划 2025" and show.isFullScreen()
    QTest.keyClick(show, Qt.Key.Key_End)
    QTest.keyClick(show, Qt.Key.Key_Escape)
    assert win.project.scenarios.active == "愿景 2035"  # the window follows where the talk ended
    written = win.scenario_actions.export_slides(str(tmp_path / "deck.pdf"))
    assert [p.name for p in written] == ["deck.pdf"] and written[0].stat().st_size > 1000
    bar.new_scenario("新情景")
    assert win.project.history.undo_label() == "New scenario 新情景"
    win.project.undo()
    assert "新情景" not in win.project.scenarios.names
    other = three_scenario_project()
    other.scenarios.remove("现状 2020")
    win.set_project(other)  # the bar follows a newly opened project
    assert [bar.tabs.tabText(i) for i in range(bar.tabs.count())] == ["规划 2025", "愿景 2035"]
