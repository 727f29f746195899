"""Presentation mode reacts to every listed key, on the presentation widget itself."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from hygis.ui.presentation import PresentationWidget, PresenterWindow
from tests.ui.scenario_fixtures import three_scenario_project


@pytest.fixture
def show(qtbot):
    project = three_scenario_project()
    widget = PresentationWidget(project)
    qtbot.addWidget(widget)
    widget.resize(640, 360)
    widget.show()
    return widget


def key(widget, k):
    QTest.keyClick(widget, k)
    return widget.current


@pytest.mark.parametrize("k", [Qt.Key.Key_PageDown, Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Space])
def test_next_keys(show, k):
    assert show.current == "现状 2020"
    assert key(show, k) == "规划 2025"
    assert key(show, k) == "愿景 2035"
    assert key(show, k) == "愿景 2035"  # stays on the last


@pytest.mark.parametrize("k", [Qt.Key.Key_PageUp, Qt.Key.Key_Left, Qt.Key.Key_Up])
def test_previous_keys(show, k):
    show.last()
    assert key(show, k) == "规划 2025"
    assert key(show, k) == "现状 2020"
    assert key(show, k) == "现状 2020"


def test_home_end_and_numbers(show):
    assert key(show, Qt.Key.Key_End) == "愿景 2035"
    assert key(show, Qt.Key.Key_Home) == "现状 2020"
    assert key(show, Qt.Key.Key_2) == "规划 2025"


def test_blank_toggles_black_screen(show, qtbot):
    page = show.render_page(320, 180)
    assert page.pixelColor(160, 10).name() != "#000000"
    QTest.keyClick(show, Qt.Key.Key_B)
    assert show.blanked
    blank = show.render_page(320, 180)
    assert {blank.pixelColor(x, y).name() for x in (0, 160, 319) for y in (0, 90, 179)} == {"#000000"}
    QTest.keyClick(show, Qt.Key.Key_B)
    assert not show.blanked and show.current == "现状 2020"
    QTest.keyClick(show, Qt.Key.Key_B)
    QTest.keyClick(show, Qt.Key.Key_Right)  # next also unblanks
    assert not show.blanked and show.current == "规划 2025"


def test_escape_leaves_and_reports_the_last_scenario(show, qtbot):
    show.go(1)
    with qtbot.waitSignal(show.finished) as sig:
        QTest.keyClick(show, Qt.Key.Key_Escape)
    assert sig.args == ["规划 2025"] and not show.isVisible()


def test_application_shortcuts_do_not_steal_presentation_keys(show, qtbot):
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import QWidget

    other = QWidget()
    qtbot.addWidget(other)
    stolen = []
    for k in ("PgDown", "Space", "B", "Home"):
        act = QAction(other)
        act.setShortcut(QKeySequence(k))
        act.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        act.triggered.connect(lambda checked=False, k=k: stolen.append(k))
        other.addAction(act)
    other.show()
    show.activateWindow()
    assert key(show, Qt.Key.Key_PageDown) == "规划 2025"
    assert key(show, Qt.Key.Key_Space) == "愿景 2035"
    QTest.keyClick(show, Qt.Key.Key_B)
    assert show.blanked
    assert key(show, Qt.Key.Key_Home) == "现状 2020"
    assert stolen == []


def test_starts_on_the_active_scenario_and_shows_its_indicators():
    project = three_scenario_project()
    project.scenarios.set_active("愿景 2035")
    widget = PresentationWidget(project, project.scenarios.active)
    assert widget.current == "愿景 2035"
    assert [i.text for i in widget.slide.indicators] == ["6 / 6 (100%) · 2020年", "1"]
    widget.go(0)
    assert [i.text for i in widget.slide.indicators] == ["2 / 6 (33%) · 2016年", "1"]
    assert project.layers["飞地"].filter == ""  # presenting does not touch the project's layers
    widget.deleteLater()


def test_presenter_window_shows_notes_next_title_and_clock(show, qtbot):
    presenter = PresenterWindow(show)
    qtbot.addWidget(presenter)
    assert presenter.notes.toPlainText() == "现状 2020 讲稿"
    assert "规划 2025 标题" in presenter.next_label.text()
    assert ":" in presenter.clock.text()
    QTest.keyClick(presenter, Qt.Key.Key_PageDown)  # keys typed on the presenter screen drive the show
    assert show.current == "规划 2025"
    assert presenter.notes.toPlainText() == "规划 2025 讲稿"
    show.last()
    assert "end of the presentation" in presenter.next_label.text()
