"""The map canvas: what is drawn follows the layers (visibility, order, style), the view follows
zoom/pan/keys, identify emits the clicked feature, measuring reports geodesic lengths."""

import geopandas as gpd
import pytest
import shapely
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QWheelEvent

from hygis.layers.style import Style
from hygis.layers.vector import VectorLayer
from hygis.project import Project
from hygis.ui.canvas import MapCanvas
from hygis.ui.maptools import MapTool
from hygis.ui.render.view import to_map

RED, BLUE = "#dd0000", "#0000dd"


def square_layer(name, box, color, **style):
    gdf = gpd.GeoDataFrame({"name": [name]}, geometry=[shapely.box(*box)], crs=4326)
    return VectorLayer(name, gdf, style=Style(fill=color, stroke=color, width=0, **style))


@pytest.fixture
def project():
    p = Project("t")
    p.show_basemap = False
    p.layers.append(square_layer("下层", (120.0, 30.0, 120.2, 30.2), RED))
    p.layers.append(square_layer("上层", (120.1, 30.1, 120.3, 30.3), BLUE))
    return p


@pytest.fixture
def canvas(qtbot, project):
    c = MapCanvas(project, show_basemap=False)
    qtbot.addWidget(c)
    c.resize(400, 300)
    c.show()
    qtbot.waitExposed(c)
    c.set_extent((119.95, 29.95, 120.35, 30.35))
    yield c
    c.dispose()


def pixel_at(canvas, lon, lat, img=None):
    img = img or canvas.render_image(canvas.width(), canvas.height())
    p = canvas.map_to_screen(*to_map(lon, lat))
    return QColor(img.pixel(int(p.x()), int(p.y()))).name()


def test_overlap_shows_top_layer_and_visibility_toggle_changes_pixels(canvas, project):
    assert pixel_at(canvas, 120.15, 30.15) == BLUE
    project.layers["上层"].visible = False
    assert pixel_at(canvas, 120.15, 30.15) == RED
    project.layers["下层"].visible = False
    assert pixel_at(canvas, 120.15, 30.15) != RED


def test_reorder_changes_draw_order(canvas, project):
    project.layers.move(1, 0)  # blue to the bottom
    assert pixel_at(canvas, 120.15, 30.15) == RED
    assert pixel_at(canvas, 120.25, 30.25) == BLUE  # only blue there


def test_categorized_style_colours_each_category(canvas, project):
    gdf = gpd.GeoDataFrame({"status": ["completed", "planned", "other"]},
                           geometry=[shapely.box(120.0 + 0.1 * i, 30.0, 120.08 + 0.1 * i, 30.08) for i in range(3)],
                           crs=4326)
    style = Style(mode="categorized", field="status", width=0,
                  categories={"completed": "#00aa00", "planned": "#aa00aa", "other": "#ff8800"})
    project.layers.append(VectorLayer("分类", gdf, style=style))
    img = canvas.render_image(400, 300)
    assert [pixel_at(canvas, 120.04 + 0.1 * i, 30.04, img) for i in range(3)] == ["#00aa00", "#aa00aa", "#ff8800"]


def test_async_redraw_after_layer_change(canvas, project, qtbot):
    with qtbot.waitSignal(canvas.renderDone, timeout=5000):
        project.layers["上层"].visible = False
    p = canvas.map_to_screen(*to_map(120.15, 30.15))
    assert QColor(canvas.grab().toImage().pixel(int(p.x()), int(p.y()))).name() == RED


def test_zoom_in_out_full_and_keyboard_pan(canvas, qtbot):
    x0, y0, x1, y1 = canvas.extent()
    res = canvas.pixel_size()
    canvas.zoom_in()
    assert canvas.pixel_size() == pytest.approx(res / 2)
    a0, b0, a1, b1 = canvas.extent()
    assert (a1 - a0) == pytest.approx((x1 - x0) / 2, rel=0.02)
    canvas.zoom_out()
    assert canvas.pixel_size() == pytest.approx(res)
    before = canvas.extent()
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    after = canvas.extent()
    assert after[0] > before[0] and after[2] > before[2]  # the view moved east
    assert after[1] == pytest.approx(before[1], abs=1e-3)
    canvas.zoom_full()
    e = canvas.extent()
    assert e[0] <= 120.0 and e[2] >= 120.3 and e[1] <= 30.0 and e[3] >= 30.3


def test_wheel_zooms_about_the_cursor(canvas):
    pos = QPointF(100, 80)
    before = canvas.screen_to_map(pos)
    scales = []
    canvas.scaleChanged.connect(scales.append)
    ev = QWheelEvent(pos, canvas.mapToGlobal(pos), QPoint(), QPoint(0, 120), Qt.MouseButton.NoButton,
                     Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    res = canvas.pixel_size()
    canvas.wheelEvent(ev)
    assert canvas.pixel_size() < res
    assert canvas.screen_to_map(pos) == pytest.approx(before, abs=0.01)
    assert scales and scales[-1] == pytest.approx(canvas.pixel_size() / (0.0254 / canvas.logicalDpiX()))


def test_drag_pans_and_zoom_rect_zooms(canvas, qtbot):
    start = canvas.screen_to_map(QPointF(200, 150))
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(200, 150))
    qtbot.mouseMove(canvas, QPoint(250, 150))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(250, 150))
    assert canvas.screen_to_map(QPointF(250, 150)) == pytest.approx(start, abs=1.0)
    canvas.set_tool("zoom_rect")
    res = canvas.pixel_size()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    qtbot.mouseMove(canvas, QPoint(200, 175))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(200, 175))
    assert canvas.pixel_size() == pytest.approx(res / 4, rel=0.01)


def test_identify_click_emits_topmost_feature_and_selects_it(canvas, project, qtbot):
    canvas.set_tool("identify")
    p = canvas.map_to_screen(*to_map(120.15, 30.15))
    top = project.layers["上层"]
    with qtbot.waitSignal(canvas.featureClicked) as sig:
        qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=p.toPoint())
    assert sig.args == [top.id, int(top.data.index[0])]
    assert top.selection == {int(top.data.index[0])}
    img = canvas.grab().toImage()  # selection outline (yellow) around the blue square
    edge = canvas.map_to_screen(*to_map(120.3, 30.2))
    assert QColor(img.pixel(int(edge.x()) - 1, int(edge.y()))).name() not in (BLUE, "#dfeaf2")
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))  # empty: clears
    assert top.selection == frozenset()


def test_measure_distance_is_geodesic(canvas, qtbot):
    canvas.set_tool("measure_distance")
    texts = []
    canvas.measureChanged.connect(texts.append)
    a = canvas.map_to_screen(*to_map(120.0, 30.0)).toPoint()
    b = canvas.map_to_screen(*to_map(120.2, 30.0)).toPoint()
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=b)
    km = float(texts[-1].replace(" km", ""))
    assert km == pytest.approx(19.27, abs=0.3)  # 0.2° of longitude at 30°N


def test_map_tool_gets_map_coordinates(canvas, qtbot):
    class Recorder(MapTool):
        def __init__(self):
            super().__init__()
            self.events = []

        def mouse_press(self, ev):
            self.events.append(ev)
            return True

    tool = Recorder()
    canvas.set_map_tool(tool)
    extent = canvas.extent()
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(200, 150))
    ev = tool.events[0]
    assert ev.lon == pytest.approx((extent[0] + extent[2]) / 2, abs=0.01)
    assert (ev.x, ev.y) == pytest.approx(canvas.screen_to_map(QPointF(200, 150)), abs=1e-6)
    assert extent == canvas.extent()  # the tool consumed the press: no pan
    canvas.set_map_tool(None)
    assert canvas.tool() == "pan"
