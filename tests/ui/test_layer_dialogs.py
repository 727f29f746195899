"""The layer list's context menu, the filter editor and layer properties."""

from tests.ui.fixtures_window import isolated_settings, main_window, small_project  # noqa: F401 (fixtures)


def menu_texts(menu):
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def test_context_menu_offers_table_filter_style_export_zoom_properties(main_window):
    w = main_window
    layer = w.project.layers["飞地"]
    texts = menu_texts(w.layer_panel.context_menu(layer))
    for wanted in ("Zoom to Layer", "Style…", "Open Attribute Table", "Filter…", "Export Layer…", "Properties…",
                   "Remove Layer"):
        assert wanted in texts
    table = next(a for a in w.layer_panel.context_menu(layer).actions() if a.text() == "Open Attribute Table")
    table.trigger()
    assert w.editing.dock_table.isVisible() and w.editing.table.layer is layer


def test_filter_dialog_counts_matches_and_applies_one_undoable_filter(main_window):
    w = main_window
    layer = w.project.layers["飞地"]
    total = len(layer.data)
    dialog = w.open_filter_dialog(layer)
    dialog.fields.setCurrentRow([dialog.fields.item(i).text() for i in range(dialog.fields.count())].index("host_city"))
    values = [dialog.values.item(i).text() for i in range(dialog.values.count())]
    assert "杭州市" in values
    dialog.editor.setPlainText("host_city = '杭州市'")
    expected = int((layer.data["host_city"] == "杭州市").sum())
    assert dialog.count_label.text() == f"{expected} of {total} features match"
    dialog.editor.setPlainText("host_city = = ")  # not understood: said, OK disabled
    assert not dialog.check() and "filter" in dialog.count_label.text().lower()
    dialog.editor.setPlainText("host_city = '杭州市'")
    dialog.accept()
    assert layer.filter == "host_city = '杭州市'" and len(layer.visible_data()) == expected
    w.project.undo()
    assert layer.filter == ""


def test_filter_dialog_cancel_changes_nothing(main_window):
    w = main_window
    layer = w.project.layers["飞地"]
    dialog = w.open_filter_dialog(layer)
    dialog.editor.setPlainText("year_opened > 2016")
    dialog.reject()
    assert layer.filter == ""


def test_properties_show_count_crs_and_extent(main_window):
    w = main_window
    layer = w.project.layers["飞地"]
    dialog = w.open_layer_properties(layer)
    assert dialog.rows["features"].text() == f"{len(layer.data)} shown of {len(layer.data)}"
    assert "4326" in dialog.rows["crs"].text()
    assert dialog.rows["extent"].text().count(",") == 3
    dialog.reject()


def test_compare_view_closes_with_escape(qtbot):
    from PySide6.QtCore import Qt

    from hygis.ui.compare_view import CompareView
    from tests.ui.scenario_fixtures import three_scenario_project

    view = CompareView(three_scenario_project(), "现状 2020", "愿景 2035")
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not view.isVisible()


def test_one_layer_in_edit_mode_at_a_time_and_the_list_shows_which(main_window):
    from PySide6.QtCore import Qt

    w = main_window
    controller, model = w.editing.controller, w.layer_panel.model
    enclaves, corridor = w.project.layers["飞地"], w.project.layers["科创走廊"]

    def text(layer):
        return model.data(model.index_of_layer(layer), Qt.ItemDataRole.DisplayRole)

    controller.set_editing(enclaves, True)
    assert "editing" in text(enclaves) and "editing" not in text(corridor)
    assert model.data(model.index_of_layer(enclaves), Qt.ItemDataRole.FontRole).bold()
    controller.set_editing(corridor, True)
    assert controller.editing_layers == [corridor]
    assert "editing" in text(corridor) and "editing" not in text(enclaves)
    controller.set_editing(corridor, False)
    assert "editing" not in text(corridor)


def test_toolbars_fit_a_1280_by_800_window(main_window, qtbot):
    from PySide6.QtWidgets import QToolBar, QToolButton

    w = main_window
    w.resize(1280, 800)
    qtbot.wait(50)
    for bar in w.findChildren(QToolBar):
        if not bar.isVisible():
            continue
        ext = bar.findChild(QToolButton, "qt_toolbar_ext_button")
        assert ext is None or not ext.isVisible(), f"{bar.objectName()} overflows"
    assert w.editing.toolbar.widgetForAction(w.editing.act_table).isVisible()


def test_export_map_image_dialog_size_dpi_title(main_window, tmp_path):
    from PySide6.QtGui import QImage

    w = main_window
    w.act_export_image.trigger()
    dialog = w.export_image_dialog
    assert dialog.isVisible()
    dialog.width_spin.setValue(1200)
    assert dialog.height_spin.value() == round(1200 / dialog.aspect)  # the canvas's aspect
    dialog.dpi_combo.setCurrentIndex(dialog.dpi_combo.findData(300))
    dialog.title_edit.setText("杭甬示意图")
    dialog.path_edit.setText(str(tmp_path / "map.png"))
    dialog.accept()
    image = QImage(str(tmp_path / "map.png"))
    assert image.width() == 1200 and round(image.dotsPerMeterX() * 0.0254) == 300
    assert not dialog.isVisible()
    dialog = w.fileops_dialog = __import__("hygis.ui.export_image_dialog", fromlist=["x"]).open_export_image_dialog(w)
    dialog.path_edit.setText(str(tmp_path / "map.docx"))
    dialog.accept()  # refused in the dialog, nothing written
    assert dialog.isVisible() and dialog.error_label.text() and not (tmp_path / "map.docx").exists()
    dialog.reject()
