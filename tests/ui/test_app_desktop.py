"""The desktop app as the desktop sees it: its name and icon, one settings file, HiDPI, crash reports."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

from tests.ui.fixtures_window import isolated_settings, main_window, small_project  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def _child_env(**extra) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    env.update(extra)
    return env


def test_application_is_named_with_version_and_icon(qapp):
    from hygis import __version__
    from hygis.ui.app import create_app

    app = create_app()
    assert QCoreApplication.organizationName() == "hygis"
    assert QCoreApplication.organizationDomain() == "hygis.local"
    assert QCoreApplication.applicationName() == "hygis"
    assert QCoreApplication.applicationVersion() == __version__
    assert QApplication.desktopFileName() == "hygis"
    assert not app.windowIcon().isNull() and not app.windowIcon().pixmap(48, 48).isNull()


def test_preferences_and_autosave_share_one_settings_file(main_window, monkeypatch):
    from hygis.ui.autosave import autosave_interval, install_autosave
    from hygis.ui.settings import PreferencesDialog, qsettings

    controller = install_autosave(main_window)

    def choose_90_s(dialog):
        dialog.autosave_spin.setValue(90)
        dialog.accept()
        return True

    monkeypatch.setattr(PreferencesDialog, "exec", choose_90_s)
    main_window.show_preferences()
    assert controller.interval_s == 90  # applied at once
    assert autosave_interval() == 90  # what the next start reads
    store = qsettings()
    store.sync()
    path = Path(store.fileName())
    text = path.read_text(encoding="utf-8")
    assert "interval_seconds=90" in text and "language=" in text  # both preferences in the one file
    assert main_window.settings.store.fileName() == store.fileName()
    controller.project_closed()


def test_canvas_renders_at_the_device_pixel_ratio():
    """At 200 % (QT_SCALE_FACTOR=2) the cached map has ratio 2 and twice the pixels each way, and the
    widget shows those pixels as they are (sharp), not a 100 % image scaled up."""
    script = r"""
import numpy as np
from hygis.ui.app import create_app
from hygis.ui.canvas import MapCanvas
from hygis.project.fileformat import open_project
app = create_app()
canvas = MapCanvas(open_project(r"%s"))
canvas.show_legend = False
canvas.resize(400, 300)
canvas.show()
app.processEvents()
canvas.render_now()
cache = canvas._cache
shot = canvas.grab().toImage().convertToFormat(cache.format())
def px(img):
    a = np.frombuffer(img.constBits(), np.uint32, count=img.bytesPerLine() * img.height() // 4)
    return a.reshape(img.height(), img.bytesPerLine() // 4)[:, :img.width()]
a, b = px(cache), px(shot)
h, w = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
middle = (slice(h // 4, 3 * h // 4), slice(w // 4, 3 * w // 4))
print(canvas.pixel_ratio(), cache.devicePixelRatio(), cache.width(), cache.height(), canvas.width(), canvas.height(),
      shot.width(), (a[middle] == b[middle]).mean(), len(np.unique(a)))
""" % (ROOT / "sample_projects" / "hangzhou_ningbo.hygis")
    res = subprocess.run([sys.executable, "-c", script], env=_child_env(QT_SCALE_FACTOR="2"),
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    ratio, img_ratio, iw, ih, cw, ch, shot_w, same, colours = res.stdout.split()[-9:]
    assert float(ratio) == 2.0 and float(img_ratio) == 2.0
    assert (int(iw), int(ih)) == (2 * int(cw), 2 * int(ch)) == (800, 600)
    assert int(shot_w) == 800  # the widget on screen has device pixels too
    assert float(same) > 0.97  # shown 1:1, not resampled
    assert int(colours) > 50  # a map was drawn (basemap, layers, anti-aliased edges)


@pytest.mark.qt_no_exception_capture
def test_uncaught_exception_in_a_slot_goes_to_log_and_dialog(qapp, qtbot, tmp_path, monkeypatch):
    from hygis.core.logs import log_file, setup_logging
    from hygis.ui import crash
    from hygis.ui.error_dialog import ErrorDialog

    monkeypatch.setenv("HYGIS_LOG_DIR", str(tmp_path))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(crash, "_state", {"fault_file": None, "parent": None, "dialog": None, "installed": False})
    setup_logging()
    try:
        crash.install_crash_reporting()
        assert sys.excepthook is crash.excepthook

        def broken_slot():
            raise ZeroDivisionError("planner clicked something odd")

        QTimer.singleShot(0, broken_slot)
        qtbot.waitUntil(lambda: crash.current_dialog() is not None, timeout=3000)
        dialog = crash.current_dialog()
        assert isinstance(dialog, ErrorDialog)
        assert "ZeroDivisionError: planner clicked something odd" in dialog.message
        assert "broken_slot" in dialog.details  # the traceback under "Show Details..."
        QTimer.singleShot(0, broken_slot)  # a second one while the dialog is open: logged only
        qtbot.wait(50)
        assert crash.current_dialog() is dialog
        dialog.done(0)
        assert crash.current_dialog() is None
        for handler in logging.getLogger().handlers:
            handler.flush()
        text = log_file().read_text(encoding="utf-8")
        assert text.count("ZeroDivisionError: planner clicked something odd") >= 2
        assert "Traceback" in text and "broken_slot" in text
    finally:
        if crash._state["fault_file"] is not None:
            import faulthandler

            faulthandler.disable()
            crash._state["fault_file"].close()
        setup_logging()


def test_a_hard_crash_leaves_its_traceback_in_the_log(tmp_path):
    script = ("from hygis.core.logs import setup_logging\n"
              "from hygis.ui.crash import install_crash_reporting\n"
              "import faulthandler, logging\n"
              "setup_logging(); logging.getLogger('hygis').info('before the crash')\n"
              "install_crash_reporting()\n"
              "def deep_in_a_c_library():\n"
              "    faulthandler._sigsegv()\n"
              "deep_in_a_c_library()\n")
    res = subprocess.run([sys.executable, "-c", script], env=_child_env(HYGIS_LOG_DIR=str(tmp_path)),
                         capture_output=True, text=True, timeout=60)
    assert res.returncode != 0
    text = (tmp_path / "hygis.log").read_text(encoding="utf-8")
    assert "before the crash" in text
    assert "Fatal Python error: Segmentation fault" in text and "deep_in_a_c_library" in text
