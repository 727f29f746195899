"""Screenshots of edit mode, the attribute form and the attribute table (sample project, Chinese UI).

Run: ``QT_QPA_PLATFORM=offscreen python tools/screenshots_editing.py`` → docs/screenshots/*.png
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import shapely
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtTest import QTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from hygis.project.fileformat import open_project  # noqa: E402  (after the checkout is on the path)
OUT = ROOT / "docs" / "screenshots"
SAMPLE = ROOT / "sample_projects" / "hangzhou_ningbo.hygis"


def settle(app, window, ms: int = 400) -> None:
    """Let the canvas finish its (threaded) redraw; never render on two threads at once."""
    QTest.qWait(ms)
    for _ in range(200):
        app.processEvents()
        if not window.canvas.is_rendering():
            break
        QTest.qWait(50)
    QTest.qWait(100)
    app.processEvents()


def screen(canvas, lon, lat) -> QPoint:
    from hygis.geo import crs as hcrs

    x, y = hcrs.transformer(hcrs.WGS84, hcrs.MAP_CRS).transform(lon, lat)
    p = canvas.map_to_screen(x, y)
    return QPoint(round(p.x()), round(p.y()))


def main() -> None:
    from hygis.ui.app import create_app
    from hygis.ui.i18n import install_translator
    from hygis.ui.mainwindow import MainWindow
    from hygis.ui.settings import Settings

    app = create_app()
    install_translator(app, "zh_CN")
    tmp = Path(tempfile.mkdtemp())
    shutil.copy(SAMPLE, tmp / SAMPLE.name)
    settings = Settings(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(open_project(tmp / SAMPLE.name), settings=settings)
    # draw on the UI thread: the threaded redraw crashes in pyproj here (reported to the canvas owner)
    window.canvas._timer.timeout.disconnect()
    window.canvas._timer.timeout.connect(window.canvas.render_now)
    window.resize(1400, 860)
    window.show()
    OUT.mkdir(parents=True, exist_ok=True)
    ui, canvas, project = window.editing, window.canvas, window.project
    ui.dock_history.show()

    # 1. edit mode: a free-trade-zone block being digitized next to existing ones, snapped to a vertex
    ftz = project.layers_of_kind("ftz")[0]
    window.layer_panel.set_current_layer(ftz)
    ui.act_toggle_edit.trigger()
    b = ftz.data.geometry.iloc[0].bounds
    canvas.set_extent((b[0] - 0.12, b[1] - 0.08, b[2] + 0.12, b[3] + 0.08))
    settle(app, window)
    ftz.selection = {int(ftz.data.index[0])}
    ui.act_vertex.trigger()
    ui.act_add_feature.trigger()
    corner = tuple(shapely.get_coordinates(ftz.data.geometry.iloc[0])[0])
    pts = [(corner[0] + 0.0004, corner[1] + 0.0003), (b[0] - 0.06, b[1] - 0.03), (b[0] - 0.07, b[3] + 0.02)]
    for lon, lat in pts:
        pos = screen(canvas, lon, lat)
        QTest.mouseMove(canvas, pos)
        QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=pos)
    QTest.mouseMove(canvas, screen(canvas, b[0] + 0.01, b[3] + 0.03))
    settle(app, window)
    window.grab().save(str(OUT / "edit_mode.png"))

    # 2. the attribute form of the new feature, with a refused value
    QTest.mouseDClick(canvas, Qt.MouseButton.LeftButton, pos=screen(canvas, b[0] + 0.01, b[3] + 0.03))
    form = ui.controller.form
    form.set_value("name", "新片区")
    form.set_value("source", "规划草案")
    form.accept()  # zone missing: refused with a message naming the field
    form.adjustSize()
    app.processEvents()
    form.grab().save(str(OUT / "attribute_form.png"))
    form.set_value("zone", "杭州片区")
    form.accept()

    # 3. the attribute table of the enclaves with a selection shown on the map
    enclaves = project.layers_of_kind("enclave")[0]
    settle(app, window)
    window.set_tool("pan")
    window.layer_panel.set_current_layer(enclaves)
    ui.open_table()
    settle(app, window)
    enclaves.selection = set(int(f) for f in enclaves.data.index[enclaves.data["status"] == "operating"][:6])
    settle(app, window)
    ui.table.zoom_to_selected()
    ui.dock_table.resize(1400, 300)
    window.resizeDocks([ui.dock_table], [300], Qt.Orientation.Vertical)
    settle(app, window, 800)
    window.grab().save(str(OUT / "attribute_table.png"))
    print("\n".join(str(p) for p in sorted(OUT.glob("*.png"))))


if __name__ == "__main__":
    main()
