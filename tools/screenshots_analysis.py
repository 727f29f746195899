"""Screenshots of the analysis panels for the README (Chinese UI, sample project, 规划 2025).

    xvfb-run -a -s "-screen 0 1600x1000x24" python tools/screenshots_analysis.py

Writes ``docs/screenshots/analysis_enclaves.png``, ``analysis_coverage.png``,
``analysis_adjacency.png`` and ``targets_dashboard.png``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from screenshots import SAMPLE, _settle, _wait  # noqa: E402  (shared waiting helpers)
from hygis.project.fileformat import open_project

OUT = ROOT / "docs" / "screenshots"
SIZE = (1600, 950)


def main() -> int:
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp(prefix="hygis-shots-"))
    from hygis.project.scenarios import apply
    from hygis.ui.analysis import install_analysis
    from hygis.ui.app import create_app
    from hygis.ui.i18n import install_translator
    from hygis.ui.mainwindow import MainWindow
    from hygis.ui.settings import Settings

    app = create_app()
    install_translator(app, "zh_CN")
    project = open_project(SAMPLE)
    window = MainWindow(project, settings=Settings())
    window.resize(*SIZE)
    window.show()
    docks = getattr(window, "analysis", None) or install_analysis(window)
    window.dock_identify.hide()  # room for the analysis docks
    if getattr(window, "editing", None) is not None:
        window.editing.dock_history.hide()
    apply(project, project.scenarios["规划 2025"])
    _settle(window)
    shots = {"enclaves": "analysis_enclaves.png", "coverage": "analysis_coverage.png",
             "adjacency": "analysis_adjacency.png", "targets": "targets_dashboard.png"}
    for name, file in shots.items():
        if name not in docks.panels:
            continue
        for other in docks.docks.values():
            other.hide()
        panel = docks.show(name)
        from PySide6.QtCore import Qt

        window.resizeDocks([docks.docks[name]], [760], Qt.Orientation.Horizontal)
        if name == "coverage":
            panel.set_targets(["自贸片区"])
            panel.set_zones("basemap:district")
        elif name == "adjacency":
            panel.set_inputs("自贸片区", "科创走廊", 5000.0)
        _wait(2500)
        _settle(window)
        window.grab().save(str(OUT / file))
        print("wrote", OUT / file)
    window.project.mark_clean()
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
