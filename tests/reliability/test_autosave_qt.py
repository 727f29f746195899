"""Autosave in the app: recovery files while dirty, gone after save/close, restored after a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hygis.project.fileformat import open_project, save_project
from hygis.project.recovery import RecoveryStore
from hygis.ui.i18n import format_date
from tests.reliability.helpers import small_project
from tests.reliability.test_recovery import _add_enclave

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def controller(qtbot, tmp_path):
    from hygis.ui.autosave import AutosaveController

    project = small_project()
    save_project(project, tmp_path / "p.hygis")
    ctl = AutosaveController(project, store=RecoveryStore(tmp_path / "data"), interval_s=0.05)
    yield ctl, project
    ctl.timer.stop()


def test_writes_only_while_dirty_and_changed(controller, qtbot):
    ctl, project = controller
    qtbot.wait(200)
    assert ctl.store.list() == []  # clean project: nothing written
    with qtbot.waitSignal(ctl.written, timeout=3000) as blocker:
        _add_enclave(project)
    entry = blocker.args[0]
    assert entry.feature_count == 10 and entry.original == project.path.resolve()
    mtime = entry.project_file.stat().st_mtime_ns
    qtbot.wait(300)
    assert entry.project_file.stat().st_mtime_ns == mtime  # no change since: no rewrite


def test_save_and_undo_to_clean_remove_the_recovery_file(controller, qtbot):
    ctl, project = controller
    with qtbot.waitSignal(ctl.written, timeout=3000):
        _add_enclave(project)
    save_project(project)
    assert ctl.store.list() == []
    with qtbot.waitSignal(ctl.written, timeout=3000):
        project.layers["飞地"].name  # noqa: B018
        _add_enclave(project)
    project.undo()  # back to the saved state: the file on disk has everything
    assert not project.dirty and ctl.store.list() == []


def test_close_removes_and_interval_setting(controller, qtbot, monkeypatch):
    from hygis.ui import autosave
    from hygis.ui.settings import qsettings

    ctl, project = controller
    with qtbot.waitSignal(ctl.written, timeout=3000):
        _add_enclave(project)
    ctl.project_closed()
    assert ctl.store.list() == [] and ctl.project is None
    settings = qsettings()  # the one store Preferences writes too
    old = settings.value(autosave.SETTINGS_KEY)
    try:
        settings.setValue(autosave.SETTINGS_KEY, 90)
        assert autosave.autosave_interval() == 90
        settings.setValue(autosave.SETTINGS_KEY, "junk")
        assert autosave.autosave_interval() == 60
    finally:
        settings.remove(autosave.SETTINGS_KEY) if old is None else settings.setValue(autosave.SETTINGS_KEY, old)


def test_autosave_failure_is_reported_not_raised(controller, qtbot, tmp_path):
    ctl, project = controller
    blocker_file = tmp_path / "notadir"
    blocker_file.write_text("x")
    ctl.store = RecoveryStore(blocker_file)  # recovery folder cannot be created
    with qtbot.waitSignal(ctl.failed, timeout=3000) as blocker:
        _add_enclave(project)
    assert "recovery folder" in blocker.args[0]


CHILD = r"""
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
sys.path.insert(0, sys.argv[2])
from hygis.project.fileformat import open_project
from hygis.ui.autosave import AutosaveController
from tests.reliability.test_recovery import _add_enclave
project = open_project(sys.argv[1])
ctl = AutosaveController(project, interval_s=0.2)
ctl.written.connect(lambda entry: print("WRITTEN", flush=True))
_add_enclave(project)          # an edit through a command, not saved
app.exec()                     # ... until SIGKILL
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_edit_kill_restart_recovers_the_edit(qtbot, tmp_path):
    from hygis.ui.autosave import offer_recovery

    path = save_project(small_project(), tmp_path / "杭甬.hygis")
    before = path.read_bytes()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(ROOT)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()  # blocks until the first autosave (or the child dies)
        assert line.strip() == "WRITTEN", child.stderr.read()
    finally:
        child.send_signal(signal.SIGKILL)  # the crash: no save, no clean-up
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    assert path.read_bytes() == before  # autosave never writes over the user's file

    # "next start": a fresh store finds the entry, the dialog says what and when, Restore
    [entry] = RecoveryStore().list()
    assert entry.original == path.resolve() and entry.feature_count == 10

    shown = {}

    def press_restore(dialog):
        shown["text"] = dialog.list.item(0).text()
        dialog.restore_button.click()

    project = offer_recovery(None, dialog_hook=press_restore)
    when = format_date(entry.saved_at, with_time=True)           # the UI language's date ("December 2, 2026 14:05")
    assert "杭甬.hygis" in shown["text"] and when in shown["text"] and "10" in shown["text"]
    assert project.path == path.resolve() and project.dirty
    assert "新飞地" in set(project.layers["飞地"].data["name"])
    assert open_project(path).layers["飞地"].feature_count == 4  # the file still holds the saved state
    # saving the recovered project removes the recovery file
    from hygis.ui.autosave import AutosaveController

    ctl = AutosaveController(project, interval_s=60)
    save_project(project)
    assert RecoveryStore().list() == []
    ctl.timer.stop()


def test_offer_recovery_discard_and_later(qtbot, tmp_path):
    from hygis.ui.autosave import offer_recovery

    store = RecoveryStore()
    project = small_project("稍后")
    project.mark_dirty()
    store.write(project)
    assert offer_recovery(None, store, dialog_hook=lambda d: d.later_button.click()) is None
    assert len(store.list()) == 1
    assert offer_recovery(None, store, dialog_hook=lambda d: d.discard_button.click()) is None
    assert store.list() == []
    assert offer_recovery(None, store, dialog_hook=lambda d: pytest.fail("no dialog without entries")) is None
