"""The style dialog: categorized/graduated/single styles applied as one undoable command."""

from __future__ import annotations

import shapely
from PySide6.QtGui import QColor

from hygis.geo import crs as hcrs
from hygis.layers.style import PALETTE
from tests.ui.fixtures_window import isolated_settings, main_window, small_project  # noqa: F401

CORRIDOR_PROBE = (119.75, 30.22)  # inside 城西科创大走廊, away from its label


def _pixel(window, lon, lat):
    canvas = window.canvas
    canvas.set_extent((119.6, 29.9, 120.5, 30.5))
    img = canvas.render_image(canvas.width(), canvas.height())
    x, y = hcrs.project_geoms([shapely.Point(lon, lat)], hcrs.WGS84, hcrs.MAP_CRS)[0].coords[0]
    pos = canvas.map_to_screen(x, y)
    return QColor(img.pixel(int(pos.x()), int(pos.y())))


def _choose(combo, data):
    combo.setCurrentIndex(combo.findData(data))


def test_categorized_style_colours_the_map_and_undo_restores(main_window):
    w = main_window
    corridor = w.project.layers["科创走廊"]
    old = corridor.style
    before = _pixel(w, *CORRIDOR_PROBE)
    assert before.red() > 200 and before.green() > 120  # translucent orange by default
    dialog = w.open_style_dialog(corridor)
    _choose(dialog.mode_combo, "categorized")
    _choose(dialog.field_combo, "city")
    assert dialog.class_table.rowCount() == 1
    assert dialog.class_table.item(0, 0).text() == "杭州市"
    dialog.set_category_color("杭州市", "#2b6cb0")
    assert dialog.apply()
    assert corridor.style.mode == "categorized" and corridor.style.field == "city"
    assert corridor.style.categories == {"杭州市": "#2b6cb0"}
    assert w.history.undo_label() == "Style of 科创走廊"
    after = _pixel(w, *CORRIDOR_PROBE)
    assert after.blue() > after.red() + 40  # the category's blue
    w.project.undo()
    assert corridor.style == old
    dialog.close()


def test_classify_uses_palette_and_graduated_breaks(main_window):
    w = main_window
    enclaves = w.project.layers["飞地"]
    dialog = w.open_style_dialog(enclaves)
    assert dialog.mode_combo.currentData() == "categorized"
    assert [dialog.class_table.item(r, 0).text() for r in range(2)] == ["Science enclave", "Industry enclave"]
    _choose(dialog.field_combo, "host_city")
    assert dialog.current_style().categories == {"杭州市": PALETTE[0], "宁波市": PALETTE[1]}
    _choose(dialog.mode_combo, "graduated")
    _choose(dialog.field_combo, "year_opened")  # 2015..2018
    dialog.classes_spin.setValue(2)
    style = dialog.current_style()
    assert style.mode == "graduated" and style.breaks == [2016.5, 2018.0]
    assert dialog.class_table.rowCount() == 2
    assert dialog.class_table.item(1, 0).text() == "2016.5 – ≤ 2018"
    _choose(dialog.method_combo, "jenks")  # natural breaks: 2015–2016 | 2017–2018
    assert dialog.current_style().breaks == [2016.0, 2018.0]
    dialog.close()


def test_single_symbol_fill_alpha_marker_and_labels(main_window):
    w = main_window
    enclaves = w.project.layers["飞地"]
    dialog = w.open_style_dialog(enclaves)
    _choose(dialog.mode_combo, "single")
    dialog.fill_button.set_color("#336699")
    dialog.fill_alpha.setValue(50)
    _choose(dialog.marker_combo, "star")
    dialog.size_spin.setValue(14)
    dialog.label_combo.setCurrentIndex(0)  # no labels
    dialog.accept()
    style = enclaves.style
    assert (style.mode, style.fill, style.marker, style.size, style.label_field) == \
        ("single", "#33669980", "star", 14.0, None)
    assert style.field == "enclave_type"  # kept for switching back to categorized
    assert not dialog.isVisible()
    w.project.undo()
    assert enclaves.style.mode == "categorized"


def test_dialog_in_chinese_shows_field_labels_and_value_names(main_window, qtbot):
    from PySide6.QtWidgets import QApplication, QDialogButtonBox

    from hygis.ui.i18n import install_translator

    install_translator(QApplication.instance(), "zh_CN")
    dialog = main_window.open_style_dialog(main_window.project.layers["飞地"])
    assert dialog.field_combo.currentText() == "类型 (enclave_type)"
    assert [dialog.class_table.item(r, 0).text() for r in range(2)] == ["科创飞地", "产业飞地"]
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
    dialog.set_category_color("science", "#000000")  # values stay the data codes
    assert dialog.current_style().categories["science"] == "#000000"
    dialog.close()
