"""Every file of ``tests/data/bad/`` through ``hygis import``, ``hygis info`` and the GUI open path.

``reject`` files: exit 1 with exactly one stderr line (no traceback), the project untouched,
the GUI shows an error and keeps its project.  ``either`` files may also be accepted, but then
what got in must be sane (valid, finite geometries in WGS84 range).  Regenerate the corpus
with ``python tools/make_bad_corpus.py``.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from pathlib import Path

import pytest

from hygis.cli import main
from hygis.project.fileformat import open_project, save_project
from tests.reliability.helpers import small_project

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
MANIFEST = json.loads((BAD / "MANIFEST.json").read_text(encoding="utf-8"))
FILES = sorted(name for name, info in MANIFEST.items() if info["expect"] != "part")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _corpus_sha() -> str:
    h = hashlib.sha256()
    for p in sorted(BAD.rglob("*")):
        if p.is_file():
            h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


def test_corpus_is_complete_and_small():
    assert len(FILES) >= 80
    for name in MANIFEST:
        assert (BAD / name).is_file(), name
    assert sum(p.stat().st_size for p in BAD.rglob("*") if p.is_file()) < 3 * 2**20
    kinds = {Path(n).suffix for n in FILES}
    assert {".geojson", ".shp", ".gpkg", ".tif", ".hygis"} <= kinds


@pytest.fixture(scope="module")
def pristine_project(tmp_path_factory):
    path = save_project(small_project("现有项目"), tmp_path_factory.mktemp("corpus") / "existing.hygis")
    return path, _sha(path)


@pytest.fixture(scope="module", autouse=True)
def corpus_unchanged():
    before = _corpus_sha()
    yield
    assert _corpus_sha() == before, "reading the corpus changed a corpus file"


def _one_line_error(code, err, name, expect, describe_ok=False):
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err, f"{name}: traceback\n{err}"
    if code == 0:
        assert expect == "either" or describe_ok, f"{name} was accepted; stderr: {err!r}"
        return False
    assert code == 1, f"{name}: exit code {code}; stderr {err!r}"
    assert len(lines) == 1 and lines[0].startswith("hygis: error: "), f"{name}: stderr {lines!r}"
    return True


def _assert_sane_layers(project, name, require_valid=True):
    for layer in project.layers:
        data = getattr(layer, "data", None)
        if data is None or not len(data):
            continue
        geoms = data.geometry.dropna()
        assert geoms.is_valid.all() or not require_valid, f"{name}: invalid geometry accepted"
        geoms = geoms[~geoms.is_empty]
        if len(geoms):
            x0, y0, x1, y1 = geoms.total_bounds
            assert all(math.isfinite(v) for v in (x0, y0, x1, y1)), f"{name}: non-finite coordinates"
            assert -180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90, f"{name}: out-of-range coordinates"


@pytest.mark.parametrize("name", FILES)
def test_cli_import_refuses_or_imports_sanely(name, pristine_project, tmp_path, capfd):
    source, sha = pristine_project
    project = tmp_path / "existing.hygis"
    shutil.copyfile(source, project)
    code = main(["import", str(project), str(BAD / name)])
    out, err = capfd.readouterr()
    if _one_line_error(code, err, name, MANIFEST[name]["expect"]):
        assert _sha(project) == sha, f"{name}: failed import changed the project"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.hygis"], "temporary files left"
    else:
        reopened = open_project(project)
        assert len(reopened.layers) > 2
        _assert_sane_layers(reopened, name)


@pytest.mark.parametrize("name", FILES)
def test_cli_info_one_line_error(name, capfd):
    code = main(["info", str(BAD / name)])
    out, err = capfd.readouterr()
    describe_ok = MANIFEST[name].get("info") == "may describe"  # readable, bad content: describing it is fine
    if not _one_line_error(code, err, name, MANIFEST[name]["expect"], describe_ok):
        assert out.strip(), f"{name}: exit 0 without a description"


# -- the GUI open path ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def window(qapp, tmp_path_factory):
    try:
        from hygis.ui.mainwindow import MainWindow
    except ImportError as exc:
        pytest.skip(f"the main window is not there yet ({exc})")
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path_factory.mktemp("settings")))
    from hygis.ui.settings import Settings

    project = small_project("现有项目")
    project.history.clear()
    win = MainWindow(project, settings=Settings())  # not shown: the open path, not the drawing, is tested
    # The map keeps drawing in its worker thread while files are read in the task thread: this
    # once segfaulted (PROJ contexts in Qt pool threads) and must not again.
    guard = QTimer()  # a modal prompt would block the test: close any within 2 s
    guard.timeout.connect(lambda: QApplication.activeModalWidget() and QApplication.activeModalWidget().close())
    guard.start(2000)
    yield win
    guard.stop()
    win.project.mark_clean()
    win.close()
    if hasattr(win.canvas, "dispose"):
        win.canvas.dispose()
    win.deleteLater()


def _snapshot(project):
    return (project.title, project.dirty, [(layer.name, layer.feature_count) for layer in project.layers])


@pytest.mark.parametrize("name", FILES)
def test_gui_open_shows_error_and_keeps_project(name, window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QApplication

    from hygis.ui import fileops

    refusals = []

    def press_import(dialog):  # vector files open through the import dialog: the user presses Import
        dialog.accept()
        if dialog.result() != 1:  # refused there: the reason is shown in the dialog's error line
            refusals.append(dialog.error_label.text())
        return dialog.result() == 1

    monkeypatch.setattr(fileops, "run_import_dialog", press_import)
    project, before = window.project, _snapshot(window.project)
    window.last_error_dialog = None
    opened = window.open_project(str(BAD / name))  # an exception escaping here fails the test
    dialog = getattr(window, "last_error_dialog", None)
    if not opened:
        assert dialog is not None or refusals, f"{name}: refused without telling the user"
        message = dialog.text() if dialog is not None else refusals[0]
        assert message and "Traceback" not in message and len(message) < 600
        assert window.project is project and _snapshot(project) == before
        if dialog is not None:
            dialog.close()
    else:
        assert MANIFEST[name]["expect"] == "either", f"{name} opened in the GUI"
        _assert_sane_layers(window.project, name, require_valid=False)  # the GUI offers Check/Repair geometries
        window.set_project(project)  # back to the existing project for the next file
    for widget in QApplication.topLevelWidgets():
        if widget is not window and widget.isVisible():
            widget.close()
