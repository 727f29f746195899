"""Editing on the real canvas with simulated mouse/keyboard events, undo to the saved state, redo, save, reopen."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from PySide6.QtCore import QPoint, Qt

from hygis.geo import crs as hcrs
from hygis.layers.vector import VectorLayer
from hygis.project import Project
from hygis.ui.attribute_table import AttributeTable
from hygis.ui.canvas import MapCanvas
from hygis.ui.editing.controller import EditController
from hygis.ui.undo import QtCommandStack
from hygis.project.fileformat import open_project, save_project
from tests.factories import corridor_layer, enclave_layer
from tests.ui.fixtures_window import isolated_settings, main_window, small_project  # noqa: F401

TO_MAP = hcrs.transformer(hcrs.WGS84, hcrs.MAP_CRS)


@pytest.fixture
def setup(qtbot, tmp_path):
    project = Project("编辑测试")
    project.layers.append(corridor_layer())
    project.layers.append(VectorLayer("自贸片区", None, kind="ftz"))
    project.layers.append(enclave_layer(3))
    path = save_project(project, tmp_path / "edit.hygis")
    project.history = QtCommandStack()
    canvas = MapCanvas(project, show_basemap=False)
    qtbot.addWidget(canvas)
    canvas.resize(800, 600)
    canvas.show()
    qtbot.waitExposed(canvas)
    canvas.set_extent((119.6, 29.95, 120.2, 30.45))
    controller = EditController(project, canvas)
    yield project, canvas, controller, path
    canvas.dispose()


def screen(canvas, lon, lat, dx=0, dy=0) -> QPoint:
    x, y = TO_MAP.transform(lon, lat)
    p = canvas.map_to_screen(x, y)
    return QPoint(round(p.x()) + dx, round(p.y()) + dy)


def click(qtbot, canvas, pos, button=Qt.MouseButton.LeftButton):
    qtbot.mouseMove(canvas, pos)
    qtbot.mouseClick(canvas, button, pos=pos)


def test_digitize_snap_form_table_undo_redo_save(qtbot, setup):
    project, canvas, controller, path = setup
    corridor, ftz = project.layers[0], project.layers[1]
    controller.set_editing(ftz, True)
    tool = controller.activate_tool("add")
    assert canvas.tool() == "map_tool" and tool.geometry == "polygon"

    # Esc cancels a started shape
    click(qtbot, canvas, screen(canvas, 119.8, 30.0))
    click(qtbot, canvas, screen(canvas, 119.9, 30.0))
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert tool.vertices == [] and len(ftz.data) == 0

    # first vertex 4 px off the corridor's corner (119.7, 30.2): snapped onto it exactly
    click(qtbot, canvas, screen(canvas, 119.7, 30.2, dx=4, dy=-3))
    assert tool.snapped is not None and tool.snapped.kind == "vertex"
    click(qtbot, canvas, screen(canvas, 119.75, 30.05))
    click(qtbot, canvas, screen(canvas, 119.95, 30.05))
    click(qtbot, canvas, screen(canvas, 120.1, 30.1))       # a wrong vertex ...
    qtbot.keyClick(canvas, Qt.Key.Key_Backspace)             # ... removed
    assert len(tool.vertices) == 3
    end = screen(canvas, 119.95, 30.15)
    qtbot.mouseMove(canvas, end)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=end)
    qtbot.mouseDClick(canvas, Qt.MouseButton.LeftButton, pos=end)

    form = controller.form
    assert form is not None and form.isVisible()
    assert len(ftz.data) == 0                                # nothing added before the form is accepted
    form.set_value("name", "测试片区")
    form.set_value("source", "测试")
    qtbot.mouseClick(form.buttons.button(form.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert form.isVisible() and "'zone'" in form.error_label.text()   # required choice missing: refused
    assert len(ftz.data) == 0
    form.set_value("zone", "杭州片区")
    qtbot.mouseClick(form.buttons.button(form.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert not form.isVisible() and len(ftz.data) == 1

    geom = ftz.data.geometry.iloc[0]
    ring = np.asarray(geom.exterior.coords)
    assert len(ring) == 5 and geom.is_valid                  # 4 vertices + closing one
    assert tuple(ring[0]) == (119.7, 30.2)                   # snapped: bit-for-bit the corridor's vertex
    assert abs(ring[1][0] - 119.75) < 0.002 and abs(ring[1][1] - 30.05) < 0.002
    assert ftz.data["area_km2"].iloc[0] > 100

    # edit an attribute in the table
    table = AttributeTable(project, canvas)
    qtbot.addWidget(table)
    table.set_layer(ftz)
    model = table.model
    assert model.setData(model.index(0, model.columns.index("sub_area")), "城西区块")
    assert not model.setData(model.index(0, model.columns.index("zone")), "上海片区")
    assert ftz.data["sub_area"].iloc[0] == "城西区块" and ftz.data["zone"].iloc[0] == "杭州片区"
    assert project.dirty and len(project.history) == 2
    edited = ftz.data.copy()

    # undo everything: back to the saved state
    while project.history.can_undo():
        project.undo()
    assert not project.dirty
    saved = open_project(path)
    assert len(ftz.data) == len(saved.layers[1].data) == 0
    assert corridor.data.geometry.iloc[0].equals(saved.layers[0].data.geometry.iloc[0])

    # redo it all, save, reopen
    while project.history.can_redo():
        project.redo()
    assert project.dirty
    assert ftz.data.drop(columns="geometry").equals(edited.drop(columns="geometry"))
    save_project(project, path)
    assert not project.dirty
    reopened = open_project(path).layers[1]
    assert len(reopened.data) == 1
    row = reopened.data.iloc[0]
    assert (row["name"], row["zone"], row["sub_area"], row["source"]) == ("测试片区", "杭州片区", "城西区块", "测试")
    assert shapely.equals(reopened.data.geometry.iloc[0], geom)
    assert tuple(shapely.get_coordinates(reopened.data.geometry.iloc[0])[0]) == (119.7, 30.2)


def test_attribute_form_refuses_bad_number_naming_the_field(qtbot, setup):
    project, canvas, controller, _ = setup
    enclaves = project.layers[2]
    controller.set_editing(enclaves, True)
    controller.activate_tool("add")
    click(qtbot, canvas, screen(canvas, 120.05, 30.3))
    form = controller.form
    for name, value in dict(name="新飞地", host_city="杭州市", origin_city="衢州市", enclave_type="science",
                            status="planned", source="测试", year_opened="二〇二五").items():
        form.set_value(name, value)
    form.accept()
    assert "year_opened" in form.error_label.text() and len(enclaves.data) == 3
    form.set_value("year_opened", "2025")
    form.accept()
    assert len(enclaves.data) == 4 and enclaves.data["year_opened"].iloc[-1] == 2025
    assert enclaves.data.geometry.iloc[-1].distance(shapely.Point(120.05, 30.3)) < 0.002


def test_select_move_vertex_delete_copy_paste(qtbot, setup):
    project, canvas, controller, _ = setup
    corridor, ftz, enclaves = project.layers[0], project.layers[1], project.layers[2]
    controller.set_editing(enclaves, True)
    controller.activate_tool("select")
    click(qtbot, canvas, screen(canvas, 120.1, 30.05, dx=2))
    assert enclaves.selection == {1}
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=screen(canvas, 119.95, 29.97))
    qtbot.mouseMove(canvas, screen(canvas, 120.15, 30.1))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=screen(canvas, 120.15, 30.1))
    assert enclaves.selection == {0, 1}

    # move both selected points by dragging one of them (one undo step)
    controller.activate_tool("move")
    before = enclaves.data.geometry.copy()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=screen(canvas, 120.0, 30.0))
    qtbot.mouseMove(canvas, screen(canvas, 120.0, 30.0, dx=40))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=screen(canvas, 120.0, 30.0, dx=40))
    shift = enclaves.data.geometry.x - before.x
    assert shift.loc[0] > 0.005 and abs(shift.loc[0] - shift.loc[1]) < 1e-4 and shift.loc[2] == 0
    project.undo()
    assert enclaves.data.geometry.equals(before)

    # vertex editing on the corridor: drag a corner, insert on an edge, delete a vertex
    controller.set_editing(corridor, True)
    controller.activate_tool("vertex")
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=screen(canvas, 120.1, 30.35, dx=2))
    qtbot.mouseMove(canvas, screen(canvas, 120.15, 30.4))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=screen(canvas, 120.15, 30.4))
    coords = shapely.get_coordinates(corridor.data.geometry.iloc[0])
    assert len(coords) == 5 and np.abs(coords - [120.15, 30.4]).max(axis=1).min() < 0.002
    click(qtbot, canvas, screen(canvas, 119.9, 30.2))           # on the southern edge: a new vertex
    assert len(shapely.get_coordinates(corridor.data.geometry.iloc[0])) == 6
    qtbot.keyClick(canvas, Qt.Key.Key_Delete)                   # delete it again
    assert len(shapely.get_coordinates(corridor.data.geometry.iloc[0])) == 5
    assert corridor.data.geometry.iloc[0].is_valid

    # copy an enclave, paste into another enclave layer, delete the original
    other = VectorLayer("飞地副本", None, kind="enclave")
    project.layers.append(other)
    enclaves.selection = {2}
    assert controller.copy_selected(enclaves) == 1
    assert controller.paste(other)
    assert other.data["name"].tolist() == ["飞地2"] and other.data.geometry.iloc[0].equals(enclaves.data.geometry.loc[2])
    controller.set_current_layer(enclaves)
    assert controller.delete_selected() and 2 not in enclaves.data.index
    messages = []
    controller.message.connect(messages.append)
    assert not controller.paste(ftz)                            # points into a polygon layer: refused
    assert messages and len(ftz.data) == 0


def test_snap_index_vectorized_and_exact(qtbot):
    from hygis.ui.editing.snapping import SnapIndex

    rng = np.random.default_rng(1)
    polys = [shapely.box(x, y, x + 0.01, y + 0.01) for x, y in zip(120 + rng.random(5000), 30 + rng.random(5000))]
    layer = VectorLayer("多边形", gpd.GeoDataFrame(geometry=polys, crs=4326))
    index = SnapIndex([layer])
    assert index.vertex_count == 25000 and index.segment_count == 20000
    target = polys[1234].exterior.coords[2]
    x, y = TO_MAP.transform(*target)
    hit = index.snap(x + 1.5, y - 1.0, 5.0)
    assert (hit.lon, hit.lat) == target and hit.fid == 1234 and hit.kind == "vertex"
    assert index.snap(x + 1.5, y - 1.0, 5.0, exclude=(layer.id, 1234)) is None or \
        index.snap(x + 1.5, y - 1.0, 5.0, exclude=(layer.id, 1234)).fid != 1234


def test_main_window_editing_actions_docks_and_chinese(qtbot, main_window):  # noqa: F811
    from PySide6.QtWidgets import QApplication

    from hygis.ui.i18n import install_translator

    w = main_window
    ui = w.editing
    enclaves = w.project.layers[1]
    assert ui.act_import in w.menu_layer.actions() and ui.act_toggle_edit in w.menu_edit.actions()
    assert not ui.act_add_feature.isEnabled()
    w.layer_panel.set_current_layer(enclaves)
    ui.act_toggle_edit.trigger()
    assert ui.act_toggle_edit.isChecked() and ui.controller.current_layer is enclaves
    ui.act_add_feature.trigger()
    assert w.canvas.tool() == "map_tool" and ui.act_add_feature.isChecked()
    w.canvas.set_extent((119.6, 29.95, 120.2, 30.45))
    click(qtbot, w.canvas, screen(w.canvas, 120.05, 30.3))
    form = ui.controller.form
    for name, value in dict(name="新飞地", host_city="杭州市", origin_city="衢州市", enclave_type="industry",
                            status="planned", source="测试").items():
        form.set_value(name, value)
    form.accept()
    assert len(enclaves.data) == 5 and w.project.dirty
    assert ui.history.stack.count() == 1                      # the undo history panel shows the step
    w.act_undo.trigger()
    assert len(enclaves.data) == 4 and not w.project.dirty
    w.set_tool("pan")
    assert not ui.act_add_feature.isChecked()
    ui.open_table()
    assert ui.dock_table.isVisible() and ui.table.layer is enclaves and ui.table.model.rowCount() == 4
    install_translator(QApplication.instance(), "zh_CN")
    qtbot.waitUntil(lambda: ui.act_toggle_edit.text() != "Toggle &Editing", timeout=2000)
    assert ui.act_toggle_edit.text() == "切换编辑(&E)" and ui.dock_table.windowTitle() == "属性表"
    assert ui.table.model.headerData(0, Qt.Orientation.Horizontal) == "名称"


def test_editing_strings_have_chinese_translations():
    import json
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "hygis"
    catalogue = json.loads((root / "i18n" / "zh_CN.json").read_text(encoding="utf-8"))
    files = {"EditingUi": "ui/editing/__init__.py", "EditController": "ui/editing/controller.py",
             "EditTools": "ui/editing/tools.py", "AttributeForm": "ui/attribute_form.py",
             "AttributeTable": "ui/attribute_table.py", "UndoHistory": "ui/undo_view.py",
             "ImportDialog": "ui/import_dialog.py", "ExportDialog": "ui/export_dialog.py",
             "GeometryCheck": "ui/geometry_check.py"}
    for context, rel in files.items():
        text = (root / rel).read_text(encoding="utf-8")
        strings = re.findall(r'(?:self\.tr|_tr)\("([^"]+)"\)', text)
        strings += [s for s, _ in re.findall(r'\("act_\w+", "([^"]+)", ("[^"]*"|None)\)', text) if not s.startswith("act_")]
        missing = [s for s in strings if s not in catalogue.get(context, {})]
        assert not missing, f"{context}: {missing}"


def test_snapping_menu_layer_choice_and_tolerance(main_window):  # noqa: F811
    w = main_window
    ui, c = w.editing, w.editing.controller
    corridor, enclaves = w.project.layers
    w.canvas.set_extent((119.6, 29.95, 120.2, 30.45))
    px = w.canvas.pixel_size()
    corner = TO_MAP.transform(119.7, 30.2)         # a corridor vertex
    site = TO_MAP.transform(120.0, 30.0)           # enclave 飞地0
    near = lambda xy, d: (xy[0] + d * px, xy[1] - 0.5 * d * px)  # noqa: E731
    assert c.snap(*near(site, 4)).layer_id == enclaves.id

    ui.fill_snap_layers()                          # what opening the menu shows: top layer first, all on
    actions = ui.menu_snap_layers.actions()
    assert [a.text() for a in actions] == ["飞地", "科创走廊"] and all(a.isChecked() for a in actions)
    actions[0].trigger()                           # uncheck 飞地
    assert c.snap(*near(site, 4)) is None          # ignored, although visible and within tolerance
    hit = c.snap(*near(corner, 4))
    assert hit.layer_id == corridor.id and (hit.lon, hit.lat) == (119.7, 30.2)
    ui.fill_snap_layers()
    assert [a.isChecked() for a in ui.menu_snap_layers.actions()] == [False, True]
    ui.menu_snap_layers.actions()[0].trigger()     # back on
    assert c.snap(*near(site, 4)).layer_id == enclaves.id

    five = next(a for a in ui.tolerance_group.actions() if a.data() == 5)
    five.trigger()                                 # tolerance in screen pixels
    assert c.snap_settings.tolerance_px == 5 and c.snap(*near(site, 7)) is None
    assert c.snap(*near(site, 3)) is not None
