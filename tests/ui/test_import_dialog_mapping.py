"""Import dialog, daily use: a readable mapping grid, value mapping and constants, appending to a
layer, the CSV lon/lat picker and stale errors cleared (in English and Chinese)."""

import pytest
from PySide6.QtWidgets import QApplication, QComboBox, QPushButton, QStyle

from hygis.project import Project
from hygis.project.commands import AddLayer
from hygis.ui.import_dialog import ImportDialog
from hygis.ui.import_mapping import MIN_VISIBLE_ROWS
from tests.factories import enclave_layer
from tests.ui.lang_fixtures import language, shot  # noqa: F401 (fixture)

CSV = ("名称,所在城市,来源地,类型,经度,纬度,新址东经,新址北纬\n"
       "西湖科创飞地,杭州市,衢州市,研发飞地,120.13,30.26,120.20,30.30\n"
       "鄞州产业飞地,宁波市,丽水市,工业,121.55,29.82,121.60,29.90\n"
       "余杭产业飞地,杭州市,丽水市,工业,120.30,30.42,120.35,30.45\n")


@pytest.fixture
def enclave_csv(tmp_path):
    path = tmp_path / "飞地.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def _shown(qtbot, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_mapping_grid_shows_six_rows_and_whole_headers(qtbot, enclave_csv, language, tmp_path):
    dialog = _shown(qtbot, ImportDialog(enclave_csv))
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("enclave"))
    grid = dialog.mapping
    QApplication.processEvents()
    visible = grid.viewport().height() // grid.rowHeight(0)
    assert grid.rowCount() >= MIN_VISIBLE_ROWS and visible >= MIN_VISIBLE_ROWS
    header, margin = grid.horizontalHeader(), grid.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin)
    for col in range(grid.columnCount()):
        text = grid.horizontalHeaderItem(col).text()
        assert header.fontMetrics().horizontalAdvance(text) + 2 * margin <= header.sectionSize(col), text
    for row in range(grid.rowCount()):  # the field names (with their labels) are not cut either
        text = grid.item(row, 0).text()
        assert grid.fontMetrics().horizontalAdvance(text) <= grid.columnWidth(0), text
    expected = {"en": "Field in the file", "zh_CN": "文件中的字段"}[language]
    assert grid.horizontalHeaderItem(1).text() == expected
    combo_width = max(grid.cellWidget(r, 1).sizeHint().width() for r in range(grid.rowCount()))
    assert grid.columnWidth(1) >= combo_width                          # the chosen column names are whole
    shot(dialog, f"import_dialog_{language}")


def test_value_mapping_and_constants_import_a_valid_enclave_layer(qtbot, enclave_csv):
    dialog = _shown(qtbot, ImportDialog(enclave_csv))
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("enclave"))
    dialog.accept()
    assert dialog.result() == 0 and "required" in dialog.error_label.text()   # status, source unmapped
    dialog.set_mapping("enclave_type", "类型")
    grid = dialog.mapping
    row = grid.row_of("enclave_type")
    assert isinstance(grid.cellWidget(row, 2), QPushButton)            # "Map values…"
    values = grid.value_dialog(row)
    qtbot.addWidget(values)
    file_values = [values.table.item(r, 0).text() for r in range(values.table.rowCount())]
    assert file_values == ["工业", "研发飞地"]                         # every value of the column, most frequent first
    values.set_value("工业", "industry")
    values.set_value("研发飞地", "science")
    grid.set_values("enclave_type", values.mapping())
    assert "2" in grid.cellWidget(row, 2).text()
    grid.set_constant("status", "planned")
    grid.set_constant("source", "市发改委 2025")
    assert isinstance(grid.cellWidget(grid.row_of("status"), 2), QComboBox)   # coded field: a choice
    dialog.accept()
    assert dialog.result() == 1, dialog.error_label.text()
    (layer,) = dialog.layers
    assert layer.data["enclave_type"].tolist() == ["science", "industry", "industry"]
    assert set(layer.data["status"]) == {"planned"} and set(layer.data["source"]) == {"市发改委 2025"}


def test_append_to_an_existing_layer_is_one_undoable_command(qtbot, enclave_csv):
    project = Project()
    target = enclave_layer(3)
    project.execute(AddLayer(project, target))
    dialog = _shown(qtbot, ImportDialog(enclave_csv, project=project))
    dialog.target_combo.setCurrentIndex(dialog.target_combo.findData(target.name))
    assert dialog.kind_combo.currentData() == "enclave" and not dialog.kind_combo.isEnabled()
    dialog.set_mapping("enclave_type", "类型")
    dialog.mapping.set_values("enclave_type", {"工业": "industry", "研发飞地": "science"})
    dialog.mapping.set_constant("status", "operating")
    dialog.mapping.set_constant("source", "测试")
    dialog.accept()
    assert dialog.result() == 1, dialog.error_label.text()
    assert dialog.layers == [] and dialog.append_command is not None
    project.execute(dialog.append_command)
    assert target.feature_count == 6 and target.data["name"].tolist()[-1] == "余杭产业飞地"
    project.undo()
    assert target.feature_count == 3


def test_csv_lon_lat_picker_prefilled_and_changeable(qtbot, enclave_csv):
    dialog = _shown(qtbot, ImportDialog(enclave_csv))
    assert not dialog.lon_combo.isHidden()
    assert (dialog.lon_combo.currentData(), dialog.lat_combo.currentData()) == ("经度", "纬度")
    dialog.lon_combo.setCurrentIndex(dialog.lon_combo.findData("新址东经"))   # the user's choice
    dialog.lat_combo.setCurrentIndex(dialog.lat_combo.findData("新址北纬"))
    dialog.accept()
    (layer,) = dialog.layers
    point = layer.data.geometry.iloc[0]
    assert (round(point.x, 2), round(point.y, 2)) == (120.20, 30.30)
    dialog2 = _shown(qtbot, ImportDialog(enclave_csv))
    dialog2.lat_combo.setCurrentIndex(0)
    dialog2.accept()
    assert dialog2.result() == 0 and dialog2.error_label.text()


def test_errors_are_cleared_when_switching_kind(qtbot, enclave_csv):
    dialog = _shown(qtbot, ImportDialog(enclave_csv))
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("enclave"))
    dialog.accept()
    assert dialog.error_label.text()
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("vector"))
    assert dialog.error_label.text() == ""


def test_geotiff_is_in_the_import_filter():
    from hygis.ui import fileops

    first = fileops.layer_filter().split(";;")[0]
    assert "*.tif" in first and "*.tiff" in first and "*.shp" in first


def test_the_open_dialog_follows_a_language_switch_keeping_the_choices(qtbot, enclave_csv, tmp_path):
    """Switching the language while the import dialog is open retranslates every text (labels, combos,
    the grid, the error shown) and keeps what the user chose."""
    import re

    from hygis.ui.app import ensure_cjk_font
    from hygis.ui.i18n import install_translator

    app = QApplication.instance()
    font = app.font()
    ensure_cjk_font(app)
    install_translator(app, "en")
    project = Project("p")
    project.execute(AddLayer(project, enclave_layer(2, name="已有飞地")))
    dialog = _shown(qtbot, ImportDialog(enclave_csv, project=project))
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("enclave"))
    dialog.mapping.set_constant("status", "planned")
    dialog.set_mapping("enclave_type", "类型")
    dialog.mapping.set_values("enclave_type", {"工业": "industry", "研发飞地": "science"})
    dialog.lat_combo.setCurrentIndex(0)
    dialog.accept()  # refused: one of lon/lat chosen
    assert dialog.result() == 0 and dialog.error_label.text() == "Choose both the longitude and the latitude column"
    choices = (dialog.kind_combo.currentData(), dialog.mapping.constants(), dialog.mapping.values(),
               dialog.lon_combo.currentData(), dialog.lat_combo.currentData(), dialog.datum_combo.currentData())
    grid = dialog.mapping
    row = grid.row_of("status")

    def texts():
        form = [dialog.form.labelForField(w).text() for w in (dialog.encoding_combo, dialog.datum_combo,
                                                                dialog.crs_edit, dialog.target_combo, dialog.kind_combo)]
        return [dialog.windowTitle(), *form, dialog.encoding_combo.itemText(0), dialog.datum_combo.currentText(),
                dialog.kind_combo.currentText(), dialog.target_combo.itemText(0), dialog.xy_label.text(),
                dialog.lon_label.text(), dialog.mapping_label.text(), dialog.error_label.text(),
                dialog.lat_combo.itemText(0), dialog.info_label.text().splitlines()[0],
                *(grid.horizontalHeaderItem(c).text() for c in range(3)), grid.item(row, 0).text(),
                grid.cellWidget(row, 1).currentText(), grid.cellWidget(row, 2).currentText(),
                grid.cellWidget(grid.row_of("enclave_type"), 2).text()]

    english = texts()
    assert english[0] == "Import 飞地.csv" and english[1] == "Text encoding" and english[16] == "Field of the layer"
    try:
        install_translator(app, "zh_CN")
        qtbot.waitUntil(lambda: dialog.windowTitle() != english[0], timeout=3000)
        QApplication.processEvents()
        chinese = texts()
        shot_path = tmp_path / "import_switched_zh.png"
        dialog.grab().save(str(shot_path))
        for en, zh in zip(english, chinese):  # every text changed, and into Chinese
            assert en != zh and re.search(r"[\u4e00-\u9fff]", zh), (en, zh)
        assert chinese[1] == "文字编码" and chinese[13] == "请同时选择经度列和纬度列"
        assert chinese[19] == "状态 * (status)" and chinese[-1] == "已对应 2 个取值…"
        assert (dialog.kind_combo.currentData(), dialog.mapping.constants(), dialog.mapping.values(),
                dialog.lon_combo.currentData(), dialog.lat_combo.currentData(),
                dialog.datum_combo.currentData()) == choices
        header = grid.horizontalHeader()
        assert header.fontMetrics().horizontalAdvance(grid.horizontalHeaderItem(1).text()) <= header.sectionSize(1)
        install_translator(app, "en")
        qtbot.waitUntil(lambda: dialog.windowTitle() == english[0], timeout=3000)
        QApplication.processEvents()
        assert texts() == english
    finally:
        install_translator(app, "en")
        app.setFont(font)
