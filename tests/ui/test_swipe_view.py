"""Swipe view: scenario A left of the divider, B right of it, one shared view; the Split/Swipe toggle."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from hygis.layers.style import Style
from hygis.layers.vector import VectorLayer
from hygis.project import Project
from hygis.project.scenario_commands import AddScenario
from hygis.project.model import shadow_project
from hygis.ui.swipe_view import SwipeCanvas
from tests.factories import enclave_layer

ROOT = Path(__file__).resolve().parents[2]
EXTENT = (120.0, 30.0, 120.4, 30.3)


def _red_square_project() -> Project:
    """Scenario 'A' hides a red square covering the whole map; scenario 'B' shows it."""
    p = Project("swipe")
    square = VectorLayer("红块", gpd.GeoDataFrame({"name": ["红块"]}, geometry=[shapely.box(119.0, 29.0, 121.5, 31.5)],
                                                 crs=4326), kind="vector",
                         style=Style(fill="#ff0000", stroke="#ff0000", width=0))
    p.layers.append(square)
    p.layers.append(enclave_layer(3))
    for name, shown in (("A", False), ("B", True)):
        square.visible = shown
        p.execute(AddScenario(p, name, extent=EXTENT))
    p.history.clear()
    return p


def _is_red(c: QColor) -> bool:
    return c.red() > 200 and c.green() < 60 and c.blue() < 60


@pytest.fixture
def swipe(qtbot):
    p = _red_square_project()
    canvas = SwipeCanvas(shadow_project(p, p.scenarios["A"]), shadow_project(p, p.scenarios["B"]),
                         show_basemap=False, name_a="A", name_b="B")
    qtbot.addWidget(canvas)
    canvas.resize(400, 300)
    canvas.show()
    qtbot.waitExposed(canvas)
    canvas.set_extent(EXTENT)
    canvas.render_now()
    yield canvas
    canvas.dispose()


def test_left_of_divider_shows_a_right_shows_b(swipe):
    assert swipe.divider() == 0.5
    img = swipe.grab().toImage()
    rows = (60, 110, 170)  # above the legend (bottom right)
    assert not any(_is_red(img.pixelColor(x, y)) for x in (20, 100, 180) for y in rows)
    assert all(_is_red(img.pixelColor(x, y)) for x in (220, 300) for y in rows)
    swipe.set_divider(0.25)  # only a repaint: the same two rendered images, split elsewhere
    img = swipe.grab().toImage()
    assert _is_red(img.pixelColor(150, 150)) and not _is_red(img.pixelColor(80, 150))
    offscreen = swipe.render_image(800, 600)  # the same split, at another size
    assert _is_red(offscreen.pixelColor(300, 300)) and not _is_red(offscreen.pixelColor(150, 300))


def test_dragging_the_divider_moves_it_and_pans_elsewhere(swipe, qtbot):
    moved = []
    swipe.dividerMoved.connect(moved.append)
    qtbot.mousePress(swipe, Qt.MouseButton.LeftButton, pos=QPoint(202, 100))
    qtbot.mouseMove(swipe, QPoint(300, 110))
    qtbot.mouseRelease(swipe, Qt.MouseButton.LeftButton, pos=QPoint(300, 110))
    assert swipe.divider() == pytest.approx(0.75)
    assert moved and moved[-1] == pytest.approx(0.75)
    img = swipe.grab().toImage()
    assert not _is_red(img.pixelColor(250, 150)) and _is_red(img.pixelColor(340, 150))
    # a drag away from the divider pans the map and leaves the divider where it is
    before = swipe.view().cx
    qtbot.mousePress(swipe, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    qtbot.mouseMove(swipe, QPoint(60, 100))
    qtbot.mouseRelease(swipe, Qt.MouseButton.LeftButton, pos=QPoint(60, 100))
    assert swipe.divider() == pytest.approx(0.75)
    assert swipe.view().cx == pytest.approx(before + 40 * swipe.pixel_size())


def test_arrow_keys_move_the_divider(swipe, qtbot):
    swipe.setFocus()
    qtbot.keyClick(swipe, Qt.Key.Key_Left)
    assert swipe.divider() == pytest.approx(0.45)
    qtbot.keyClick(swipe, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert swipe.divider() == pytest.approx(0.46)
    for _ in range(30):
        qtbot.keyClick(swipe, Qt.Key.Key_Right)
    assert swipe.divider() == 1.0


def test_zoom_changes_both_halves(swipe, qtbot):
    before = swipe.extent()
    with qtbot.waitSignal(swipe.renderDone, timeout=10000):  # the canvas's render worker draws both halves
        swipe.zoom_in()
    after = swipe.extent()
    assert (after[2] - after[0]) == pytest.approx((before[2] - before[0]) / 2, rel=0.01)
    assert swipe._cache_view is swipe.view()  # both halves were rendered for the one zoomed view
    assert swipe._cache.size() == swipe._cache_b.size()
    img = swipe.grab().toImage()  # enclave 0 (120.0, 30.0) left the view; the red square still covers B's half
    assert _is_red(img.pixelColor(300, 150)) and not _is_red(img.pixelColor(100, 150))


def test_compare_view_toggles_split_and_swipe(qtbot):
    from hygis.ui.compare_view import CompareView

    p = _red_square_project()
    view = CompareView(p, "A", "B", show_basemap=False)
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    assert view.mode() == "split" and view.swipe is None
    rows = view.table_rows()
    view.canvas_a.zoom_in()
    view.set_mode("swipe")
    swipe = view.swipe
    assert swipe.isVisible() and not view.canvas_a.isVisible()
    assert (swipe.name_a, swipe.name_b) == ("A", "B")
    assert swipe.pixel_size() == pytest.approx(view.canvas_a.pixel_size())  # same scale as the split maps
    assert view.table_rows() == rows  # the indicator table stays in both modes
    swipe.zoom_in()
    view.set_mode("split")
    assert view.canvas_a.pixel_size() == pytest.approx(swipe.pixel_size())
    assert view.canvas_b.pixel_size() == pytest.approx(swipe.pixel_size())
    view.set_mode("swipe")
    before = swipe.view()
    view.set_scenarios("B", "A")  # changing a scenario keeps the swipe map where it is
    assert (swipe.name_a, swipe.name_b) == ("B", "A")
    assert (swipe.view().cx, swipe.view().cy, swipe.pixel_size()) == (before.cx, before.cy, before.res)
    assert swipe.project.layers["红块"].visible and not swipe.project_b.layers["红块"].visible


def test_swipe_strings_are_translated():
    catalogue = json.loads((ROOT / "hygis" / "i18n" / "zh_CN.json").read_text(encoding="utf-8"))
    missing = []
    for name in ("swipe_view", "compare_view"):
        tree = ast.parse((ROOT / "hygis" / "ui" / f"{name}.py").read_text(encoding="utf-8"))
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            for node in ast.walk(cls):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "tr"
                        and node.args and isinstance(node.args[0], ast.Constant)
                        and not catalogue.get(cls.name, {}).get(node.args[0].value)):
                    missing.append(f"{cls.name}: {node.args[0].value}")
    assert missing == []
