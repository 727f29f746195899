"""Closing a map while its linked layer's view-window reads are in flight (real PostGIS): the worker
thread hands results over through a relay on the UI thread, never a QObject of the canvas; closing
cancels the query in flight and waits for the worker.  Repeated open/close: no crash, no Qt thread
warning, no read left running, no result delivered to a closed map."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from hygis.db import live
from hygis.project import Project
from hygis.project.fileformat import save_project
from tests.db.helpers import EVERYWHERE

THREAD_WARNINGS = ("Cannot create children", "different thread", "QBasicTimer", "QObject::startTimer",
                   "QObject::killTimer", "QSocketNotifier")


@pytest.fixture
def window_factory(qtbot, tmp_path, monkeypatch):
    from hygis.ui import fileops
    from hygis.ui.mainwindow import MainWindow
    from hygis.ui.settings import Settings

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    monkeypatch.setattr(fileops, "ask_save", lambda window: QMessageBox.StandardButton.Discard)

    def make(url, i):
        project = Project(f"live{i}")
        save_project(project, tmp_path / f"live{i}.hygis")
        live.link_layer(project, url, "plan.corridor", name="共享走廊")
        window = MainWindow(project, settings=Settings())
        window.resize(800, 600)
        window.show()
        qtbot.waitExposed(window)
        return window

    return make


def _hold_table(url):
    """A colleague's transaction holding the table exclusively: every read waits for it."""
    con = psycopg.connect(url)
    con.execute("LOCK TABLE plan.corridor IN ACCESS EXCLUSIVE MODE")
    return con


def _reads_waiting(url) -> int:
    with psycopg.connect(url, autocommit=True) as con:
        return con.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hygis' "
                           "AND wait_event_type = 'Lock'").fetchone()[0]


def _live_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("hygis-live")]


def _start_read(qtbot, window, url):
    views = window.team.live
    window.canvas.set_extent(EVERYWHERE)
    views.schedule()
    qtbot.waitUntil(lambda: bool(views._busy), timeout=20_000)  # a read submitted to the worker
    qtbot.waitUntil(lambda: _reads_waiting(url) >= 1, timeout=20_000)  # and waiting in the database
    return views


@pytest.mark.parametrize("how", ["close", "delete"])
def test_open_and_close_a_live_map_while_reads_are_in_flight(qtbot, qtlog, team_url, window_factory, how):
    before = set(_live_threads())
    delivered = []
    for i in range(4):
        window = window_factory(team_url, i)
        views = window.team.live
        views.windowApplied.connect(lambda *a: delivered.append(a))
        colleague = _hold_table(team_url)
        try:
            _start_read(qtbot, window, team_url)
            started = time.monotonic()
            if how == "close":  # File ▸ Quit / the window's close button
                assert window.close()
            else:  # the window deleted without closing first: the canvas's destruction closes the reads
                window.canvas.dispose()
                window.deleteLater()
                qtbot.waitUntil(lambda: views.closed, timeout=20_000)
            assert views.closed and time.monotonic() - started < 10  # the query was cancelled, not waited out
            assert _reads_waiting(team_url) == 0
        finally:
            colleague.rollback()
            colleague.close()
        if how == "close":
            window.canvas.dispose()
            window.deleteLater()
        for _ in range(5):
            QApplication.processEvents()
            qtbot.wait(20)
    qtbot.waitUntil(lambda: set(_live_threads()) <= before, timeout=20_000)  # every worker thread ended
    assert delivered == []  # no answer reached a closed map
    messages = [r.message for r in qtlog.records]
    assert not [m for m in messages if any(w in m for w in THREAD_WARNINGS)], messages


def test_a_live_map_still_reads_after_others_closed(qtbot, team_url, window_factory):
    """The relay is shared by every map: one closed does not stop another's reads."""
    first = window_factory(team_url, 0)
    second = window_factory(team_url, 1)
    assert first.close()
    layer = second.project.layers[0]
    with qtbot.waitSignal(second.team.live.windowApplied, timeout=60_000):
        second.canvas.set_extent(EVERYWHERE)
    assert layer.feature_count == 6
    assert second.close()
    for w in (first, second):
        w.canvas.dispose()
        w.deleteLater()
