"""Screenshots of the sample's whole plan map for the README (issue 14): flagship projects, 示意 marking,
basemap names and the enclave flow map, in Chinese and English.

Run under a virtual X server::

    xvfb-run -a -s "-screen 0 1600x1000x24" python tools/screenshots_flagships.py

Writes ``docs/screenshots/flagships_zh.png`` (规划 2025, the Hangzhou–Ningbo bay) and
``flagships_en.png`` (愿景 2035 with the enclave flows, English UI).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from screenshots import SAMPLE, SIZE, _settle  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
BAY = (119.95, 29.70, 122.05, 30.45)


def main() -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    tmp = Path(tempfile.mkdtemp(prefix="hygis-shots-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "settings"))
    from hygis.project.fileformat import open_project
    from hygis.ui.app import create_app
    from hygis.ui.i18n import install_translator
    from hygis.ui.mainwindow import MainWindow
    from hygis.ui.settings import Settings

    app = create_app()
    OUT.mkdir(parents=True, exist_ok=True)
    project = open_project(SAMPLE)
    install_translator(app, "zh_CN")
    window = MainWindow(project, settings=Settings())
    window.resize(*SIZE)
    window.show()
    window.scenario_bar.switch_to("规划 2025")
    window.canvas.set_extent(BAY)
    _settle(window)
    window.grab().save(str(OUT / "flagships_zh.png"))
    install_translator(app, "en")
    window.scenario_bar.switch_to("愿景 2035")
    window.canvas.set_extent((118.6, 27.9, 122.3, 30.9))
    _settle(window)
    window.grab().save(str(OUT / "flagships_en.png"))
    project.mark_clean()
    window.close()
    window.canvas.dispose()
    QApplication.processEvents()
    print(f"wrote {OUT / 'flagships_zh.png'} and {OUT / 'flagships_en.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
