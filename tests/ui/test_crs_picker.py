"""The searchable CRS picker (PROJ's EPSG database + GCJ-02/BD-09) in the import and export dialogs."""

import geopandas as gpd
import pyogrio
import pytest
import shapely
from pyproj import Transformer
from PySide6.QtWidgets import QApplication

from hygis.cli import main
from hygis.geo import crs as hcrs
from hygis.geo import crs_search
from hygis.project import Project
from hygis.project.fileformat import save_project
from hygis.ui.crs_picker import CrsDialog, CrsEdit
from hygis.ui.export_dialog import ExportDialog
from hygis.ui.import_dialog import ImportDialog
from tests.factories import enclave_layer


def test_search_by_code_and_name():
    assert crs_search.search("4490")[0].code == "EPSG:4490"
    assert crs_search.search("EPSG:3857")[0].name == "WGS 84 / Pseudo-Mercator"
    cgcs = [e.code for e in crs_search.search("CGCS2000")]
    assert cgcs[0] == "EPSG:4490" and "EPSG:4549" in cgcs[:3] and len(cgcs) > 40
    assert [e.code for e in crs_search.search("gauss 120 cgcs2000")] == ["EPSG:4549"]
    assert crs_search.search("国家2000")[0].code == "EPSG:4490"
    assert [e.code for e in crs_search.search("gcj")] == ["GCJ-02"] and crs_search.search("百度")[0].datum == "bd09"
    assert [e.code for e in crs_search.search("")[:3]] == ["GCJ-02", "BD-09", "EPSG:4326"]
    assert crs_search.search("no such crs xyz") == []


def test_dialog_filters_as_you_type_and_the_edit_takes_the_choice(qtbot):
    edit = CrsEdit()
    qtbot.addWidget(edit)
    dialog = CrsDialog(edit)
    qtbot.addWidget(dialog)
    dialog.search_edit.setText("CGCS2000 120E")
    qtbot.waitUntil(lambda: dialog.codes()[:1] == ["EPSG:4549"], timeout=3000)
    assert "area of use" in dialog.info.text() and "118°30'E" in dialog.info.text()
    edit.take(dialog.entry())
    assert edit.text() == "EPSG:4549"
    datums = []
    edit.datumChosen.connect(datums.append)
    dialog.set_query("GCJ")
    edit.take(dialog.entry())
    assert edit.text() == "EPSG:4326" and datums == ["gcj02"]
    reopened = edit.pick(accept=False)  # opens at the field's CRS
    qtbot.addWidget(reopened)
    assert reopened.codes()[0] == "EPSG:4326"
    from hygis.ui.i18n import install_translator

    install_translator(QApplication.instance(), "zh_CN")
    try:
        qtbot.waitUntil(lambda: reopened.windowTitle() == "坐标参考系", timeout=3000)
        assert reopened.table.horizontalHeaderItem(0).text() == "代码"
    finally:
        install_translator(QApplication.instance(), "en")


def test_import_picks_gcj02_through_the_picker(qtbot, tmp_path):
    frame = gpd.GeoDataFrame({"名称": ["西湖"]}, geometry=[shapely.Point(120.13, 30.26)], crs=None)
    path = tmp_path / "no_crs.shp"
    frame.to_file(path, encoding="UTF-8")
    path.with_suffix(".prj").unlink(missing_ok=True)
    dialog = ImportDialog(path)
    qtbot.addWidget(dialog)
    assert isinstance(dialog.crs_edit, CrsEdit)
    dialog.crs_edit.take(crs_search.lookup("GCJ-02"))
    assert dialog.crs_edit.text() == "EPSG:4326" and dialog.datum_combo.currentData() == "gcj02"
    dialog.accept()
    (layer,) = dialog.layers
    expected = hcrs.gcj02_to_wgs84(120.13, 30.26)
    assert layer.data.geometry.iloc[0].x == pytest.approx(float(expected[0]), abs=1e-7)


def test_export_in_a_projected_crs(qtbot, tmp_path):
    project = Project()
    layer = enclave_layer(3)
    project.layers.append(layer)
    dialog = ExportDialog(project, layer)
    qtbot.addWidget(dialog)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(".gpkg"))
    dialog.crs_edit.take(crs_search.lookup("4549"))
    dialog.path_edit.setText(str(tmp_path / "gk.gpkg"))
    dialog.accept()
    assert dialog.result() == 1, dialog.error_label.text()
    back = pyogrio.read_dataframe(dialog.written)
    assert back.crs.to_epsg() == 4549
    p = layer.data.geometry.iloc[0]
    x, y = Transformer.from_crs(4326, 4549, always_xy=True).transform(p.x, p.y)
    assert back.geometry.iloc[0].x == pytest.approx(x, abs=0.01) and back.geometry.iloc[0].y == pytest.approx(y, abs=0.01)
    assert 300_000 < x < 700_000 and 3_000_000 < y < 3_600_000  # Gauss–Krüger metres, not degrees
    csv = ExportDialog(project, layer)
    qtbot.addWidget(csv)
    csv.format_combo.setCurrentIndex(csv.format_combo.findData(".csv"))
    csv.crs_edit.setText("EPSG:4549")
    csv.path_edit.setText(str(tmp_path / "gk.csv"))
    csv.accept()  # CSV holds lon/lat: refused with the reason, nothing written
    assert csv.result() == 0 and "lon/lat only" in csv.error_label.text() and not (tmp_path / "gk.csv").exists()
    csv.crs_edit.take(crs_search.lookup("BD-09"))  # a pseudo-CRS sets the datum and clears the CRS
    assert csv.datum_combo.currentData() == "bd09" and csv.crs_edit.text() == ""


def test_cli_export_crs(tmp_path, capsys):
    project = Project()
    project.layers.append(enclave_layer(2))
    src = save_project(project, tmp_path / "p.hygis")
    out = tmp_path / "gk.gpkg"
    assert main(["export", str(src), "飞地", str(out), "--crs", "4549"]) == 0
    assert pyogrio.read_info(out)["crs"] == "EPSG:4549"
    capsys.readouterr()
    assert main(["export", str(src), "飞地", str(tmp_path / "x.gpkg"), "--crs", "4549", "--datum", "gcj02"]) == 1
    assert main(["export", str(src), "飞地", str(tmp_path / "x.gpkg"), "--crs", "EPSG:99999999"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "lon/lat" in err[0] and "Unknown coordinate reference system" in err[1]
