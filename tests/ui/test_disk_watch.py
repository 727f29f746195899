"""The window and a project file another program changes (issue 16): it warns, offers to reload,
and never saves over the other program's version without asking."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from hygis.project import lock as hlock
from hygis.project.commands import SetLayerProperty
from hygis.project.fileformat import open_project, save_project
from hygis.ui import fileops
from hygis.ui.i18n import install_translator
from tests.ui.fixtures_window import isolated_settings, main_window, make_small_project, small_project  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("HYGIS_TEST_SHOTS", "/tmp/hygis-shots"))


def _other_program_imports(path: Path, name: str) -> None:
    part = path.parent / f"{name}.geojson"
    part.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"n": 1}, "geometry": {"type": "Point", "coordinates": [120.3, 30.2]}}]}))
    out = subprocess.run([sys.executable, "-m", "hygis", "import", str(path), str(part), "--name", name],
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr


def _opened(main_window, tmp_path) -> Path:
    path = save_project(make_small_project(), tmp_path / "shared.hygis")
    assert main_window.open_project(path)
    return path


def test_window_warns_once_when_the_file_changes_and_reloads(main_window, tmp_path):
    w = main_window
    path = _opened(w, tmp_path)
    assert not w.disk_watch.check()
    _other_program_imports(path, "他们的图层")
    assert w.disk_watch.check()
    box = w.disk_watch.box
    assert box.isVisible() and "shared.hygis was changed by another program." == box.text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    box.grab().save(str(SHOTS / "disk_changed_en.png"))
    assert w.disk_watch.check() and w.disk_watch.box is box  # told once, not again every 2 s
    w.disk_watch.reload_button.click()
    QApplication.processEvents()
    assert "他们的图层" in w.project.layers.names and not hlock.changed_on_disk(w.project)


def test_save_over_a_changed_file_asks_and_can_save_elsewhere_or_overwrite(main_window, tmp_path, monkeypatch):
    w = main_window
    path = _opened(w, tmp_path)
    corridor = w.project.layers["科创走廊"]
    w.project.execute(SetLayerProperty(corridor, "opacity", 0.5))
    _other_program_imports(path, "他们的图层")
    theirs = path.read_bytes()
    answers = []

    def answer(button_text):
        """Press ``button_text`` in the question the next save asks (a modal box)."""
        w.last_overwrite_box = None

        def click():
            box = w.last_overwrite_box
            if box is None or not box.isVisible():
                QTimer.singleShot(20, click)
                return
            answers.append(box.text())
            next(b for b in box.buttons() if b.text() == button_text).click()
        QTimer.singleShot(20, click)

    answer("Cancel")
    assert not fileops.save_to(w, path)
    assert path.read_bytes() == theirs and w.project.dirty  # nothing overwritten silently
    elsewhere = tmp_path / "mine.hygis"
    monkeypatch.setattr(fileops.QFileDialog, "getSaveFileName", lambda *a, **k: (str(elsewhere), ""))
    answer("Save As…")
    assert fileops.save_to(w, path)
    assert path.read_bytes() == theirs and open_project(elsewhere).layers["科创走廊"].opacity == 0.5
    _other_program_imports(elsewhere, "又一个")
    answer("Overwrite")
    assert fileops.save_to(w, elsewhere)
    assert open_project(elsewhere).layers.names == ["科创走廊", "飞地"]
    assert len(answers) == 3 and all("was changed by another program since you opened it." in a for a in answers)


def test_the_warning_in_chinese(main_window, tmp_path):
    w = main_window
    path = _opened(w, tmp_path)
    install_translator(QApplication.instance(), "zh_CN")
    try:
        _other_program_imports(path, "他们的图层")
        assert w.disk_watch.check()
        box = w.disk_watch.box
        assert box.text() == "shared.hygis 已被其他程序修改。" and box.windowTitle() == "项目文件已在磁盘上更改"
        assert [b.text() for b in box.buttons()] == ["重新载入", "保留当前版本"]
        box.grab().save(str(SHOTS / "disk_changed_zh.png"))
    finally:
        install_translator(QApplication.instance(), "en")


def test_two_windows_on_one_file_never_overwrite_each_other_silently(main_window, tmp_path, isolated_settings,
                                                                     qtbot):
    """Window A saves; window B (same file, its own copy of the project) is warned, and its save
    asks before replacing A's version -- the second save does not silently win."""
    from hygis.ui.mainwindow import MainWindow

    a = main_window
    path = _opened(a, tmp_path)
    b = MainWindow(open_project(path), settings=isolated_settings)
    b.show()
    qtbot.waitExposed(b)
    try:
        a.project.execute(SetLayerProperty(a.project.layers["科创走廊"], "opacity", 0.25))
        assert fileops.save_to(a, path)
        saved_by_a = path.read_bytes()
        assert b.disk_watch.check() and b.disk_watch.box.isVisible()  # B is told at once
        b.disk_watch.box.close()
        b.project.execute(SetLayerProperty(b.project.layers["飞地"], "opacity", 0.75))
        asked = []

        def cancel():
            box = b.last_overwrite_box
            if box is None or not box.isVisible():
                QTimer.singleShot(20, cancel)
                return
            asked.append(box.text())
            next(x for x in box.buttons() if x.text() == "Cancel").click()
        b.last_overwrite_box = None
        QTimer.singleShot(20, cancel)
        assert not fileops.save_to(b, path)
        assert path.read_bytes() == saved_by_a and b.project.dirty
        assert asked and "was changed by another program since you opened it." in asked[0]
        assert open_project(path).layers["科创走廊"].opacity == 0.25
    finally:
        b.close()
        b.canvas.dispose()
        b.deleteLater()
