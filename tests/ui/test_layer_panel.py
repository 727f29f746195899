"""The layer panel (model over project.layers, every gesture a command), legend and kind icons."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor

from hygis.ui.icons import kind_pixmap
from tests.ui.fixtures_window import isolated_settings, main_window, small_project  # noqa: F401


def _rows(model):
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


def test_rows_show_layers_topmost_first_with_feature_counts(main_window):
    model = main_window.layer_panel.model
    assert _rows(model) == ["飞地  (4)", "科创走廊  (1)"]
    enclaves = main_window.project.layers["飞地"]
    enclaves.filter = "year_opened <= 2016"
    assert _rows(model)[0] == "飞地  (2/4)"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.EditRole) == "飞地"


def test_checkbox_hides_layer_and_is_undoable(main_window):
    w = main_window
    model = w.layer_panel.model
    corridor = w.project.layers["科创走廊"]
    idx = model.index(1, 0)
    assert model.setData(idx, Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert corridor.visible is False
    assert model.data(idx, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert w.history.undo_label() == "Hide 科创走廊"
    w.project.undo()
    assert corridor.visible is True
    assert model.data(idx, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked


def test_drag_reorder_through_the_model_moves_the_layer(main_window):
    w = main_window
    model = w.layer_panel.model
    mime = model.mimeData([model.index(1, 0)])  # 科创走廊 (bottom) dragged above 飞地
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert w.project.layers.names == ["飞地", "科创走廊"]  # index 0 = drawn first (bottom)
    assert _rows(model) == ["科创走廊  (1)", "飞地  (4)"]
    w.project.undo()
    assert w.project.layers.names == ["科创走廊", "飞地"]
    assert _rows(model) == ["飞地  (4)", "科创走廊  (1)"]


def test_rename_in_place_and_duplicate_name_is_refused(main_window, qtbot):
    w = main_window
    model = w.layer_panel.model
    assert model.setData(model.index(0, 0), "省级飞地", Qt.ItemDataRole.EditRole)
    assert w.project.layers[1].name == "省级飞地" and _rows(model)[0] == "省级飞地  (4)"
    with qtbot.waitSignal(model.editFailed) as blocker:
        assert not model.setData(model.index(0, 0), "科创走廊", Qt.ItemDataRole.EditRole)
    assert "already exists" in blocker.args[0]
    assert w.project.layers[1].name == "省级飞地"
    w.project.undo()
    assert w.project.layers[1].name == "飞地"


def test_remove_and_opacity_of_current_layer(main_window):
    w = main_window
    panel = w.layer_panel
    panel.set_current_layer(w.project.layers["科创走廊"])
    panel.opacity_slider.setValue(40)  # keyboard/programmatic change: one command
    corridor = w.project.layers["科创走廊"]
    assert corridor.opacity == 0.4
    w.project.undo()
    assert corridor.opacity == 1.0 and panel.opacity_slider.value() == 100
    panel.remove_current()
    assert w.project.layers.names == ["飞地"] and _rows(panel.model) == ["飞地  (4)"]
    w.project.undo()
    assert w.project.layers.names == ["科创走廊", "飞地"]


def test_legend_lists_visible_layers_with_class_rows(main_window, qtbot):
    legend = main_window.legend
    qtbot.waitUntil(lambda: legend.topLevelItemCount() == 2)
    top = legend.topLevelItem(0)
    assert top.text(0) == "飞地"
    assert [top.child(i).text(0) for i in range(top.childCount())] == ["Science enclave", "Industry enclave"]
    main_window.project.layers["科创走廊"].visible = False
    qtbot.waitUntil(lambda: legend.topLevelItemCount() == 1)


def test_kind_icons_have_their_colours():
    def centre(kind):
        return QColor(kind_pixmap(kind, 32).toImage().pixel(16, 16))

    enclave, heritage = centre("enclave"), centre("heritage")
    assert enclave.red() > 180 and enclave.green() < 80  # red dot
    assert heritage.red() > heritage.blue() + 40 and heritage.alpha() == 255  # brown diamond
    ftz = centre("ftz")
    assert ftz.blue() > ftz.red()


def test_opacity_drag_previews_live_and_gives_one_undo_step(main_window):
    w = main_window
    panel = w.layer_panel
    corridor = w.project.layers["科创走廊"]
    panel.set_current_layer(corridor)
    slider = panel.opacity_slider
    slider.setSliderDown(True)
    for value in (90, 70, 50):
        slider.setValue(value)
        assert corridor.opacity == value / 100  # the map follows the drag
    assert w.history.undo_stack.count() == 0
    slider.setSliderDown(False)
    assert corridor.opacity == 0.5 and w.history.undo_stack.count() == 1
    w.project.undo()
    assert corridor.opacity == 1.0 and slider.value() == 100
