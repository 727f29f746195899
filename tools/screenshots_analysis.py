"""Screenshots of the analysis panels for the README (sample project, 规划 2025), Chinese and English.

    xvfb-run -a -s "-screen 0 1600x1000x24" python tools/screenshots_analysis.py [zh_CN|en]

Writes ``docs/screenshots/analysis_enclaves.png``, ``analysis_enclaves_rows.png`` (each enclave:
counts and why), ``analysis_coverage.png``, ``analysis_adjacency.png``, ``targets_dashboard.png``
and ``scenario_dialog.png`` (``*_en.png`` for English).
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


def main(argv=None) -> int:
    lang = (argv or sys.argv[1:] or ["zh_CN"])[0]
    suffix = "" if lang == "zh_CN" else f"_{lang}"
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp(prefix="hygis-shots-"))
    from hygis.project.scenarios import apply
    from hygis.ui.analysis import install_analysis
    from hygis.ui.app import create_app
    from hygis.ui.i18n import install_translator
    from hygis.ui.mainwindow import MainWindow
    from hygis.ui.settings import Settings

    app = create_app()
    install_translator(app, lang)
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
    shots = {k: v.replace(".png", f"{suffix}.png") for k, v in shots.items()}
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
        if name == "enclaves":
            panel.tables.setCurrentIndex(1)
            _settle(window)
            window.grab().save(str(OUT / f"analysis_enclaves_rows{suffix}.png"))
            panel.tables.setCurrentIndex(0)
    from hygis.ui.scenario_dialog import ScenarioDialog

    dialog = ScenarioDialog(project, project.scenarios["规划 2025"], window)
    dialog.tabs.setCurrentIndex(1)
    dialog.show()
    _settle(window)
    dialog.grab().save(str(OUT / f"scenario_dialog{suffix}.png"))
    dialog.close()
    window.project.mark_clean()
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
