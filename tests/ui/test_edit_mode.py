"""Edit mode in the window: the editing layer stands out in the layer list, one layer at a time
(switching asks first), and the editing tools follow the layer chosen in the list."""

import geopandas as gpd
import shapely
from PySide6.QtCore import Qt

from hygis.layers.vector import VectorLayer
from hygis.project.commands import AddLayer
from hygis.ui import editing
from tests.ui.fixtures_window import isolated_settings, main_window, small_project  # noqa: F401
from tests.ui.lang_fixtures import shot


def _row_text(window, layer, role=Qt.ItemDataRole.DisplayRole):
    model = window.layer_panel.model
    return model.data(model.index_of_layer(layer), role)


def test_edit_mode_is_marked_one_layer_at_a_time_and_switching_asks(qtbot, main_window, monkeypatch):  # noqa: F811
    w, ui = main_window, main_window.editing
    corridor, enclaves = w.project.layers
    asked = []
    answer = {"value": False}
    monkeypatch.setattr(editing, "ask_switch_editing",
                        lambda window, old, new: asked.append((old, new)) or answer["value"])
    w.layer_panel.set_current_layer(enclaves)
    ui.act_toggle_edit.trigger()
    assert "✎" in _row_text(w, enclaves) and _row_text(w, enclaves, Qt.ItemDataRole.FontRole).bold()
    assert "✎" not in _row_text(w, corridor)
    shot(w.layer_panel, "layer_list_editing")
    w.layer_panel.set_current_layer(corridor)
    ui.act_toggle_edit.trigger()                                 # asked, and the user says No
    assert asked == [("飞地", "科创走廊")]
    assert ui.controller.editing_layers == [enclaves] and not ui.act_toggle_edit.isChecked()
    answer["value"] = True
    ui.act_toggle_edit.trigger()                                 # Yes: the first layer stops, this one starts
    assert ui.controller.editing_layers == [corridor]
    assert "✎" in _row_text(w, corridor) and "✎" not in _row_text(w, enclaves)


def test_tools_follow_the_current_layer(qtbot, main_window):  # noqa: F811
    w, ui = main_window, main_window.editing
    corridor, enclaves = w.project.layers
    mixed = VectorLayer("混合", gpd.GeoDataFrame(
        {"name": ["a", "b"]}, geometry=[shapely.Point(120.1, 30.1), shapely.box(120.2, 30.2, 120.3, 30.3)], crs=4326))
    w.project.execute(AddLayer(w.project, mixed))
    tools = (ui.act_add_feature, ui.act_move, ui.act_vertex, ui.act_delete)
    assert not any(a.isEnabled() for a in tools)               # nothing in edit mode
    w.layer_panel.set_current_layer(enclaves)
    ui.act_toggle_edit.trigger()
    assert all(a.isEnabled() for a in tools)
    w.layer_panel.set_current_layer(corridor)                  # another layer chosen: its tools are off
    assert not any(a.isEnabled() for a in tools) and ui.act_toggle_edit.isEnabled()
    w.layer_panel.set_current_layer(enclaves)
    assert all(a.isEnabled() for a in tools)
    ui.act_toggle_edit.trigger()                               # edit mode off
    assert not any(a.isEnabled() for a in tools)
    w.layer_panel.set_current_layer(mixed)
    ui.act_toggle_edit.trigger()                               # a mixed layer: no type for Add Feature
    assert ui.act_move.isEnabled() and ui.act_vertex.isEnabled() and not ui.act_add_feature.isEnabled()
