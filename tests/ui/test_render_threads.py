"""The map drawing off the UI thread never takes the process down (a desktop GIS that crashes loses work).

* A layer that fails while it is drawn into its own image (translucent layers are) used to leave that
  image being painted when it was freed: a segfault of the whole app.  The scripts run in a child
  process, so a crash is a failed test here and not a dead test run.
* Render workers hold no canvas: a canvas closed and deleted while its render runs gets nothing, and
  the app goes on.
* One raster layer (and its scenario shadows) read by several threads at once gives every thread
  the right pixels (a GDAL dataset handle is not thread-safe: the layer serialises its use).
* Quitting stops the background tasks (a QThread running at exit aborts the process).
"""

import gc
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from hygis.layers.style import Style
from hygis.layers.vector import VectorLayer
from hygis.project import Project
from hygis.ui.canvas import MapCanvas
from hygis.ui.render.relay import render_relay

ROOT = Path(__file__).resolve().parents[2]

BROKEN_LAYER_SCRIPT = textwrap.dedent("""
    import sys
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    import geopandas as gpd, shapely
    from hygis.layers.style import Style
    from hygis.layers.vector import VectorLayer
    from hygis.project import Project
    from hygis.ui.canvas import MapCanvas
    from hygis.ui.render import mapdraw
    from hygis.ui.render.bridge import RendererSet
    from hygis.ui.render.view import MapView, to_map

    def layer(name, box, colour, opacity):
        gdf = gpd.GeoDataFrame({"n": [1]}, geometry=[shapely.box(*box)], crs=4326)
        lyr = VectorLayer(name, gdf, style=Style(fill=colour, stroke=colour, width=0))
        lyr.opacity = opacity
        return lyr

    good = layer("good", (120.0, 30.0, 120.1, 30.1), "#dd0000", 1.0)
    broken = layer("broken", (120.15, 30.0, 120.25, 30.1), "#0000dd", 0.5)
    broken.style.fill = "not a colour"  # fails inside the drawing, into the layer's own image
    view = MapView.fit_wgs84((119.95, 29.95, 120.3, 30.15), 300, 200)
    for _ in range(20):  # the headless drawing (hygis render, exports)
        img = mapdraw.render_layers([good, broken], view, RendererSet(), basemap=False)
    project = Project("t")
    project.show_basemap = False
    project.layers.append(good)
    project.layers.append(broken)
    canvas = MapCanvas(project, show_basemap=False)
    canvas.show_legend = False
    canvas.resize(300, 200)
    canvas.show()
    app.processEvents()
    canvas.set_extent((119.95, 29.95, 120.3, 30.15))
    for _ in range(10):  # the canvas' render worker
        canvas.refresh()
        while canvas.is_rendering():
            app.processEvents()
    p = canvas.map_to_screen(*to_map(120.05, 30.05))
    print(QColor(canvas.grab().toImage().pixel(int(p.x()), int(p.y()))).name())
    canvas.show_legend = True  # the legend fails inside paintEvent: an error, and the painter is ended
    for _ in range(5):
        try:
            canvas.grab()
        except Exception as exc:
            print("paint failed:", exc)
""")


def test_a_layer_failing_mid_drawing_does_not_crash_the_app(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-X", "faulthandler", "-c", BROKEN_LAYER_SCRIPT], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Segmentation fault" not in done.stderr and "being painted" not in done.stderr
    assert "broken not drawn: Invalid colour 'not a colour'" in done.stderr  # the log says which layer
    lines = done.stdout.splitlines()
    assert lines[0] == "#dd0000"  # the other layer is on the map
    assert len(lines) == 6 and all("Invalid colour 'not a colour'" in line for line in lines[1:])


TWO_THREADS_DRAW_SCRIPT = textwrap.dedent("""
    import sys, threading
    from PySide6.QtGui import QGuiApplication
    app = QGuiApplication([])  # (a QApplication creates some enums itself: this starts from none)
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath
    if "--no-warm-up" not in sys.argv:  # (the control: without it this failed 3 runs out of 3)
        from hygis.ui.render.painting import create_enums_on_ui_thread
        create_enums_on_ui_thread()  # what the canvas does before its first render job
    paths = []
    for i in range(20000):
        p = QPainterPath()
        p.addEllipse(QPointF(0, 0), 5 + i % 7, 5 + i % 7)
        paths.append(p)
    errors = []
    def work():  # two threads drawing at once, as the render worker and the UI thread do
        try:
            img = QImage(64, 64, QImage.Format.Format_ARGB32_Premultiplied)
            painter = QPainter(img)
            try:
                painter.translate(32, 32)
                for p in paths:
                    painter.fillPath(p, QColor(255, 0, 0))
                    painter.drawPath(p)
            finally:
                painter.end()
        except Exception as exc:
            errors.append(repr(exc))
    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(errors or "ok")
""")


def test_two_threads_drawing_at_once_find_every_qt_enum():
    """PySide6 builds an enum type on its first lookup, in Python code that can switch threads: two
    threads looking up the same enum for the first time made one fail ('type object Qt has no
    attribute BrushStyle')."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-X", "faulthandler", "-c", TWO_THREADS_DRAW_SCRIPT], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", (done.stdout, done.stderr[-2000:])


def test_canvas_deleted_while_rendering_gets_nothing(qtbot):
    """Also: the project outlives the canvas and its changes no longer reach it ('Internal C++ object
    already deleted' in every later edit)."""
    project = Project("t")
    project.show_basemap = False
    for i in range(40):  # enough to keep the worker busy for a while
        gdf = gpd.GeoDataFrame({"n": range(500)}, geometry=[shapely.Point(120 + j * 1e-3, 30 + i * 1e-3).buffer(5e-4)
                                                            for j in range(500)], crs=4326)
        lyr = VectorLayer(f"l{i}", gdf, style=Style(fill="#33669980", label_field="n"))
        lyr.opacity = 0.7
        project.layers.append(lyr)
    delivered = []
    canvas = MapCanvas(project, show_basemap=False)
    canvas.renderDone.connect(lambda: delivered.append(1))
    canvas.resize(400, 300)
    canvas.show()
    canvas._timer.stop()
    canvas._start_render()  # the worker now draws for this canvas
    pending, key = canvas._pending, canvas._key
    canvas.deleteLater()
    del canvas
    qtbot.wait(1)  # the deferred delete
    gc.collect()
    assert render_relay()._canvas(key) is None  # the canvas is gone; the worker never held it
    before = len(delivered)
    pending.result(timeout=120)  # the render finishes and hands its image to the relay
    qtbot.wait(100)  # the relay drops it on the UI thread
    assert len(delivered) == before
    project.layers["l0"].visible = False  # the project lives on: it no longer calls into the deleted canvas
    project.layers.remove(project.layers["l1"])


def test_one_raster_read_by_many_threads_gives_each_the_right_pixels(tmp_path):
    import rasterio
    from rasterio.transform import from_origin

    from hygis.layers.raster import RasterLayer
    from hygis.project.model import shadow_layer
    from hygis.ui.render.view import bounds_to_map

    path = tmp_path / "grid.tif"
    data = (np.arange(600 * 600) % 251).astype("float32").reshape(600, 600)
    with rasterio.open(path, "w", driver="GTiff", width=600, height=600, count=1, dtype="float32", crs="EPSG:4326",
                       transform=from_origin(120.0, 30.5, 0.001, 0.001), nodata=0.0, tiled=True) as ds:
        ds.write(data, 1)
    layer = RasterLayer.from_file(path)
    bounds = bounds_to_map(layer.bounds)
    sizes = [120, 173, 211, 256, 299]
    expected = {s: layer.read_window(bounds, (s, s)).filled(-1) for s in sizes}
    wrong, errors = [], []

    def read(lyr, k):
        try:
            for i in range(25):
                s = sizes[(i + k) % len(sizes)]
                if not np.array_equal(lyr.read_window(bounds, (s, s)).filled(-1), expected[s]):
                    wrong.append(s)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(repr(exc))

    threads = [threading.Thread(target=read, args=(lyr, k))
               for k, lyr in enumerate([layer, shadow_layer(layer), layer, shadow_layer(layer)])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and not wrong


def test_quitting_stops_background_tasks_even_when_their_window_is_gone(qtbot):
    """A task whose window was deleted while it ran is cancelled and waited for when the app quits
    (a QThread still running when Python tears the app down aborts the process)."""
    import time

    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QWidget

    from hygis.ui import tasks

    steps = []

    def long_work(progress, cancelled):
        for i in range(3000):  # ~30 s unless cancelled
            time.sleep(0.01)
            steps.append(i)
            progress(i / 3000)

    window = QWidget()
    task = tasks.start_task(window, "Long work", long_work)
    worker = task._worker
    qtbot.waitUntil(lambda: len(steps) > 3, timeout=10_000)
    window.deleteLater()  # the window goes, its task (a child) with it; the thread runs on
    del window
    qtbot.wait(10)
    assert worker.isRunning()
    assert QCoreApplication.instance().receivers("2aboutToQuit()") >= 1  # stop_all is hooked to the quit
    started = time.monotonic()
    assert tasks.stop_all(timeout_ms=10_000)
    assert time.monotonic() - started < 5 and len(steps) < 3000  # cancelled at its next progress()
    assert worker.isFinished() and task not in tasks._RUNNING
