"""Import and export dialogs: GBK preview, mojibake warning, CRS prompt, datum, field mapping onto a schema."""

import geopandas as gpd
import pyogrio
import pytest
import shapely
from PySide6.QtWidgets import QDialogButtonBox

from hygis.geo import crs as hcrs
from hygis.project import Project
from hygis.ui.export_dialog import ExportDialog
from hygis.ui.import_dialog import ImportDialog, looks_like_mojibake
from tests.factories import enclave_layer


def write_shapefile(path, frame, encoding):
    pyogrio.write_dataframe(frame, path, encoding=encoding)
    path.with_suffix(".cpg").unlink(missing_ok=True)  # like ArcGIS-era files: no .cpg
    return path


@pytest.fixture
def gbk_enclaves(tmp_path):
    frame = gpd.GeoDataFrame({
        "名称": ["西湖区飞地", "鄞州区飞地"], "所在城市": ["杭州市", "宁波市"], "来源地": ["衢州市", "丽水市"],
        "type": ["science", "industry"], "状态": ["operating", "planned"], "source": ["测试", "测试"]},
        geometry=[shapely.Point(120.13, 30.26), shapely.Point(121.55, 29.82)], crs=4326)
    return write_shapefile(tmp_path / "飞地.shp", frame, "GBK")


def test_gbk_shapefile_without_cpg_previews_and_warns_on_utf8(qtbot, gbk_enclaves):
    dialog = ImportDialog(gbk_enclaves)
    qtbot.addWidget(dialog)
    assert dialog.preview["encoding_detected"] == "gbk"
    assert "gbk" in dialog.info_label.text().lower()
    headers = [dialog.table.horizontalHeaderItem(c).text() for c in range(dialog.table.columnCount())]
    assert "名称" in headers
    assert dialog.table.item(0, headers.index("名称")).text() == "西湖区飞地"
    assert dialog.warning_label.isHidden()

    dialog.encoding_combo.setCurrentIndex(dialog.encoding_combo.findData("utf-8"))
    assert not dialog.warning_label.isHidden() and "mojibake" in dialog.warning_label.text()
    assert "西湖区飞地" not in [dialog.table.item(0, c).text() for c in range(dialog.table.columnCount())]
    dialog.accept()                                   # refused: garbled text is never imported
    assert dialog.result() == 0 and dialog.layers == [] and "encoding" in dialog.error_label.text()

    dialog.encoding_combo.setCurrentIndex(dialog.encoding_combo.findData("gb18030"))
    assert dialog.warning_label.isHidden()
    assert dialog.table.item(1, headers.index("名称")).text() == "鄞州区飞地"


def test_field_mapping_onto_enclave_schema(qtbot, gbk_enclaves):
    dialog = ImportDialog(gbk_enclaves)
    qtbot.addWidget(dialog)
    assert dialog.mapping.isHidden()
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("enclave"))
    from hygis.layers.schema import SCHEMAS

    editable = [f for f in SCHEMAS["enclave"].fields if not f.computed]
    assert not dialog.mapping.isHidden() and dialog.mapping.rowCount() == len(editable) == 10
    # Chinese column names matching the schema's labels are mapped automatically
    assert dialog.field_map() == {"名称": "name", "所在城市": "host_city", "来源地": "origin_city", "状态": "status"}
    assert "*" in dialog.mapping.item(0, 0).text()
    dialog.accept()                                   # enclave_type is required and still unmapped
    assert dialog.layers == [] and "enclave_type" in dialog.error_label.text()
    dialog.set_mapping("enclave_type", "type")
    dialog.accept()
    assert dialog.result() == 1
    (layer,) = dialog.layers
    assert layer.kind == "enclave"
    assert layer.data["name"].tolist() == ["西湖区飞地", "鄞州区飞地"]
    assert layer.data["enclave_type"].tolist() == ["science", "industry"]
    assert layer.data.geometry.iloc[0].equals(shapely.Point(120.13, 30.26))


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_crs_required_and_gcj02_datum(qtbot, tmp_path):
    frame = gpd.GeoDataFrame({"名称": ["西湖"]}, geometry=[shapely.Point(120.13, 30.26)], crs=None)
    path = write_shapefile(tmp_path / "no_crs.shp", frame, "UTF-8")
    path.with_suffix(".prj").unlink(missing_ok=True)
    dialog = ImportDialog(path)
    qtbot.addWidget(dialog)
    assert "no coordinate system" in dialog.info_label.text()
    dialog.accept()
    assert dialog.layers == [] and "EPSG" in dialog.error_label.text()
    dialog.crs_edit.setText("EPSG:4326")
    dialog.datum_combo.setCurrentIndex(dialog.datum_combo.findData("gcj02"))
    dialog.accept()
    (layer,) = dialog.layers
    expected = hcrs.gcj02_to_wgs84(120.13, 30.26)
    point = layer.data.geometry.iloc[0]
    assert abs(point.x - float(expected[0])) < 1e-7 and abs(point.y - float(expected[1])) < 1e-7
    assert point.distance(shapely.Point(120.13, 30.26)) > 0.003   # the GCJ-02 offset (~500 m) was removed


def test_broken_file_disables_ok(qtbot, tmp_path):
    bad = tmp_path / "broken.geojson"
    bad.write_text("{not json", encoding="utf-8")
    dialog = ImportDialog(bad)
    qtbot.addWidget(dialog)
    assert dialog.error_label.text() and not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_mojibake_heuristic():
    assert looks_like_mojibake(["Î÷ºþÇø"]) and looks_like_mojibake(["\ufffd\ufffd区"])
    assert not looks_like_mojibake(["西湖区", "Xihu District", "鄞州区 No.1"])


def test_export_dialog_selection_gbk_shapefile(qtbot, tmp_path):
    project = Project()
    layer = enclave_layer(3)
    project.layers.append(layer)
    layer.selection = {0, 2}
    dialog = ExportDialog(project, layer)
    qtbot.addWidget(dialog)
    dialog.selected_only.setChecked(True)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(".shp"))
    assert dialog.encoding_combo.isEnabled()
    dialog.encoding_combo.setCurrentIndex(dialog.encoding_combo.findData("gbk"))
    dialog.path_edit.setText(str(tmp_path / "out.shp"))
    dialog.accept()  # enclave_type, origin_city ... do not fit a shapefile's 10 bytes: refused, said
    assert dialog.result() == 0 and "enclave_type → enclave_ty" in dialog.error_label.text()
    dialog.allow_truncate.setChecked(True)
    dialog.accept()
    assert dialog.result() == 1 and dialog.written.exists()
    assert any("enclave_type → enclave_ty" in r for r in dialog.report)
    back = pyogrio.read_dataframe(dialog.written, encoding="gbk")
    assert back["name"].tolist() == ["飞地0", "飞地2"]
    dialog2 = ExportDialog(project, layer)
    qtbot.addWidget(dialog2)
    dialog2.accept()
    assert dialog2.result() == 0 and dialog2.error_label.text()
