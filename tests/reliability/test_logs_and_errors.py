"""Logs, --debug tracebacks, the error dialog and long work with progress and Cancel."""

from __future__ import annotations

import argparse
import logging
import threading
import time

import pytest

from hygis import cli
from hygis.core import logs
from hygis.core.errors import CancelledError, HygisError


def test_rotating_log_file_in_env_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HYGIS_LOG_DIR", str(tmp_path / "logs"))
    path = logs.setup_logging(debug=False)
    try:
        assert path == tmp_path / "logs" / "hygis.log" and logs.log_file() == path
        handler = next(h for h in logging.getLogger().handlers if isinstance(h, logging.handlers.RotatingFileHandler))
        assert (handler.maxBytes, handler.backupCount) == (1024 * 1024, 3)
        log = logging.getLogger("hygis.test")
        for _ in range(5000):  # ~1.5 MB: rotates once, never grows without bound
            log.info("平面 " + "x" * 300)
        assert path.stat().st_size <= 1024 * 1024 and (tmp_path / "logs" / "hygis.log.1").exists()
    finally:
        logs.setup_logging(debug=False)


def _fake_parser(exc):
    def build(only=None):
        parser = argparse.ArgumentParser(prog="hygis")
        parser.add_argument("--debug", action="store_true")
        sub = parser.add_subparsers(dest="command")
        p = sub.add_parser("info")
        p.add_argument("path")

        def boom(args):
            raise exc
        p.set_defaults(func=boom)
        return parser
    return build


@pytest.mark.parametrize("exc,line", [(HygisError("bad file x.geojson"), "hygis: error: bad file x.geojson"),
                                      (ZeroDivisionError("division by zero"), "hygis: internal error: ZeroDivisionError")])
def test_cli_one_line_normally_full_traceback_with_debug(monkeypatch, capfd, tmp_path, exc, line):
    monkeypatch.setenv("HYGIS_LOG_DIR", str(tmp_path))
    monkeypatch.setattr(cli, "build_parser", _fake_parser(exc))
    assert cli.main(["info", "x"]) == 1
    err = capfd.readouterr().err
    assert err.startswith(line) and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert cli.main(["--debug", "info", "x"]) == 1
    err = capfd.readouterr().err
    assert "Traceback (most recent call last)" in err and "def boom" not in err and err.strip().splitlines()[-1].startswith(line)
    logs.setup_logging(False)
    text = (tmp_path / "hygis.log").read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and line in text  # the log keeps the details


# -- Qt -------------------------------------------------------------------------------------------
def test_error_dialog_short_message_details_on_request(qtbot):
    from hygis.ui.error_dialog import show_error

    try:
        raise HygisError("科创走廊.shp: the file has no .shx part")
    except HygisError as exc:
        dialog = show_error(None, exc)
    assert dialog.message == "科创走廊.shp: the file has no .shx part"
    assert "Traceback" in dialog.details and "raise HygisError" in dialog.details
    assert "Traceback" not in dialog.text() and dialog.isVisible()
    dialog.close()


def test_error_dialog_for_a_bug_says_data_unchanged(qtbot):
    from hygis.ui.error_dialog import show_error

    try:
        {}["missing"]
    except KeyError as exc:
        dialog = show_error(None, exc)
    assert "KeyError" in dialog.message and "not changed" in dialog.message
    assert "Traceback" in dialog.details
    plain = show_error(None, "just text")
    assert plain.message == "just text" and plain.details == ""
    dialog.close()
    plain.close()


def _slow_sum(n, progress, cancelled):
    total = 0
    for i in range(n):
        time.sleep(0.002)
        total += i
        progress((i + 1) / n)
    return total


def test_run_task_returns_result_and_keeps_ui_responsive(qtbot):
    from PySide6.QtCore import QTimer

    from hygis.ui.tasks import run_task

    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(threading.current_thread() is threading.main_thread()))
    timer.start(10)
    result = run_task(None, "Summing", _slow_sum, 300)
    timer.stop()
    assert result == sum(range(300))
    assert len(ticks) >= 10 and all(ticks)  # the UI thread kept running its event loop


def test_run_task_errors_arrive_on_the_ui_thread(qtbot):
    from hygis.ui.tasks import run_task

    def bad(progress, cancelled):
        raise HygisError("读不了")

    with pytest.raises(HygisError, match="读不了"):
        run_task(None, "Reading", bad)


def test_cancel_stops_work_and_leaves_data_as_it_was(qtbot):
    from PySide6.QtCore import QTimer

    from hygis.ui.tasks import start_task
    from tests.reliability.helpers import small_project

    project = small_project()
    layer = project.layers["科创走廊"]
    before, history = layer.data.copy(), len(project.history)
    steps = []

    def buffer_all(frame, progress, cancelled):  # computes on a copy; the caller would apply it
        out = frame.copy()
        for i in range(200):
            time.sleep(0.005)
            steps.append(i)
            progress(i / 200)
        out["geometry"] = out.geometry.buffer(0.01)
        return out

    task = start_task(None, "Buffering", buffer_all, layer.data)
    from PySide6.QtWidgets import QPushButton

    QTimer.singleShot(100, lambda: task.dialog.findChild(QPushButton).click())  # the user presses Cancel
    with qtbot.waitSignal(task.cancelled, timeout=5000):
        pass
    assert task.is_finished and isinstance(task.error, CancelledError)
    assert len(steps) < 200  # it stopped early
    assert layer.data.equals(before) and len(project.history) == history


def test_progress_dialog_shows_for_long_work(qtbot):
    from hygis.ui import tasks

    seen = {}

    def slow(progress, cancelled):
        time.sleep(tasks.SHOW_AFTER_MS / 1000 + 0.4)
        progress(0.5)
        time.sleep(0.2)
        return 1

    task = tasks.start_task(None, "Long", slow)
    qtbot.waitUntil(lambda: task.dialog.isVisible() or task.is_finished, timeout=5000)
    seen["visible"] = task.dialog.isVisible() if not task.is_finished else False
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert seen["visible"] and task.result == 1
