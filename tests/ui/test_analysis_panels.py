"""Analysis panels on real widgets: enclave count against 50, FTZ share by district, FTZ–corridor pairs,
undoable target edits, exports that read back, recompute on filter changes."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QImage

from hygis.geo import crs as hcrs
from hygis.analysis.coverage import TOTAL_LABEL
from hygis.project import Project
from hygis.project.scenarios import apply
from hygis.ui.analysis.adjacency_panel import AdjacencyPanel
from hygis.ui.analysis.common import export_chart, export_table
from hygis.ui.analysis.coverage_panel import CoveragePanel
from hygis.ui.analysis.enclave_panel import EnclavePanel
from hygis.ui.analysis.targets_dashboard import COLUMNS, TargetsDashboard
from hygis.project.fileformat import open_project, save_project
from tests.factories import enclave_layer

SAMPLE = Path(__file__).resolve().parents[2] / "sample_projects" / "hangzhou_ningbo.hygis"
TIMEOUT = 20_000


@pytest.fixture(scope="module")
def sample_path():
    if not SAMPLE.exists():
        pytest.skip("sample project not built")
    return SAMPLE


@pytest.fixture
def sample(sample_path):
    return open_project(sample_path)


_ALIVE = []  # qtbot holds widgets weakly: a top-level panel collected by the GC mid-paint would crash


@pytest.fixture(autouse=True)
def _keep_widgets_alive():
    yield
    for widget in _ALIVE:
        widget.close()
    _ALIVE.clear()


def make(qtbot, cls, project, canvas=None):
    panel = cls(project, canvas)
    qtbot.addWidget(panel)
    _ALIVE.append(panel)
    panel.resize(640, 720)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def wait_runs(qtbot, panel, n=1):
    qtbot.waitUntil(lambda: panel.run_count >= n and not panel.runner.busy, timeout=TIMEOUT)


def select_rows(view, rows):
    sel = view.selectionModel()
    sel.clearSelection()
    for r in rows:
        sel.select(view.model().index(r, 0),
                   QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)


# -- enclaves ------------------------------------------------------------------------------------
def test_enclave_panel_counts_against_target_on_small_fixture(qtbot):
    project = Project("t")
    project.layers.append(enclave_layer(5))  # opened 2015..2019; 杭州市 2015/2017/2019, 宁波市 2016/2018
    panel = make(qtbot, EnclavePanel, project)
    panel.set_as_of(2017)
    wait_runs(qtbot, panel)
    qtbot.waitUntil(lambda: panel.result["summary"]["as_of"] == 2017, timeout=TIMEOUT)
    assert "3 / 50 (6%)" in panel.summary.text()
    assert "47" in panel.summary.text()  # the gap
    frame = panel.model.frame
    assert list(frame.iloc[:, 0]) == ["杭州市", "宁波市", "合计"]
    assert list(frame["operating"]) == [2, 1, 3]
    operating_bars = panel.city_bars[0].opts
    assert list(operating_bars["height"]) == [2, 1]
    years, cum = panel.cumulative_line.getData()
    assert list(cum[years <= 2017]) == [1, 2, 3]
    assert np.isnan(cum[years > 2017]).all()  # openings after as_of are not known then
    assert panel.target_line.value() == 50 and panel.year_line.value() == 2025


def test_enclave_panel_on_sample_follows_scenario(qtbot, sample):
    panel = make(qtbot, EnclavePanel, sample)
    apply(sample, sample.scenarios["规划 2025"])
    qtbot.waitUntil(lambda: panel.result is not None and panel.result["summary"]["as_of"] == 2025, timeout=TIMEOUT)
    wait_runs(qtbot, panel)
    data = sample.layers.get("飞地").data
    counted = data[(data["status"] == "operating") & _cross_city(data)]
    assert len(counted) == 15 and f"{len(counted)} / 50" in panel.summary.text()
    # each enclave says whether it counts and why
    rows = panel.rows_model.frame.set_index("name")
    assert len(rows) == len(data)
    assert rows.loc["宿州市杭州科创飞地", "counts_text"].startswith("✗") and "安徽省宿州市" in rows.loc["宿州市杭州科创飞地", "why"]
    assert rows.loc["衢州海创园", "counts_text"].startswith("✓")
    by_city = counted["host_city"].value_counts()
    bars = dict(zip(panel.result["by_host_city"].index, panel.city_bars[0].opts["height"]))
    assert bars["杭州市"] == by_city["杭州市"] and bars["宁波市"] == by_city["宁波市"]
    assert panel.target_line.value() == 50
    # switching to the 2020 scenario recounts as of 2020
    apply(sample, sample.scenarios["现状 2020"])
    qtbot.waitUntil(lambda: panel.result["summary"]["as_of"] == 2020, timeout=TIMEOUT)
    n2020 = int(((counted["year_opened"] <= 2020)).sum())
    assert f"{n2020} / 50" in panel.summary.text()
    assert panel.year_spin.value() == 2020


def _cross_city(data):
    """Hand-written rule: one side 杭州/宁波, the other another Zhejiang city (not 杭州↔宁波)."""
    from hygis.layers.schema import CITIES

    dual = {"杭州市", "宁波市"}
    return pd.Series([(h in dual) != (o in dual) and h in CITIES and o in CITIES
                      for h, o in zip(data["host_city"], data["origin_city"])], index=data.index)


def test_hangzhou_ningbo_setting_is_an_undoable_check_box(qtbot, sample):
    panel = make(qtbot, EnclavePanel, sample)
    panel.set_as_of(2035)
    wait_runs(qtbot, panel)
    before = panel.result["summary"]
    panel.hz_nb_check.setChecked(True)
    assert sample.setting("count_hangzhou_ningbo") is True and sample.dirty
    qtbot.waitUntil(lambda: panel.result["summary"]["count_hangzhou_ningbo"], timeout=TIMEOUT)
    # the two 杭甬 enclaves are planned (2024): they join the planned count
    assert panel.result["summary"]["planned"] == before["planned"] + 2
    sample.undo()
    assert not sample.setting("count_hangzhou_ningbo")
    qtbot.waitUntil(lambda: not panel.hz_nb_check.isChecked()
                    and not panel.result["summary"]["count_hangzhou_ningbo"], timeout=TIMEOUT)


# -- coverage ------------------------------------------------------------------------------------
def test_coverage_panel_ftz_share_by_district_and_filter_recompute(qtbot, sample):
    panel = make(qtbot, CoveragePanel, sample)
    panel.set_zones("basemap:district")
    panel.set_targets(["自贸片区"])
    qtbot.waitUntil(lambda: panel.result is not None and panel.selected_target_names() == ["自贸片区"]
                    and not panel.runner.busy and "北仑区" in set(panel.model.frame["zone"]), timeout=TIMEOUT)
    frame = panel.model.frame.set_index("zone")
    assert frame.loc["北仑区", "covered_share_pct"] > 0
    ftz = sample.layers.get("自贸片区").data
    union_km2 = float(hcrs.area_km2([shapely.union_all(ftz.geometry.to_numpy())], hcrs.WGS84)[0])
    assert frame.loc[TOTAL_LABEL, "covered_area_km2"] == pytest.approx(union_km2, rel=1e-3)
    # the chart shows the share of the zones that have any
    heights = panel.bars.opts["width"]
    assert len(heights) == int((frame.drop(TOTAL_LABEL)["covered_share_pct"] > 0).sum())
    assert max(heights) == pytest.approx(frame.drop(TOTAL_LABEL)["covered_share_pct"].max())
    # selecting the 北仑区 row selects the FTZ features there
    row = list(panel.model.frame["zone"]).index("北仑区")
    select_rows(panel.table, [row])
    layer = sample.layers.get("自贸片区")
    assert layer.selection and set(layer.data.loc[list(layer.selection), "name"]).issubset(set(ftz["name"]))
    # a filter change recomputes: only one sub-area left
    runs = panel.run_count
    first = ftz.index[0]
    layer.filter = f"name == '{ftz.loc[first, 'name']}'"
    qtbot.waitUntil(lambda: panel.run_count > runs and not panel.runner.busy, timeout=TIMEOUT)
    total = panel.model.frame.set_index("zone").loc[TOTAL_LABEL, "covered_area_km2"]
    one_km2 = float(hcrs.area_km2([ftz.geometry.loc[first]], hcrs.WGS84)[0])
    assert total == pytest.approx(one_km2, rel=1e-3)


def test_coverage_panel_population_weights_from_a_zone_field(qtbot):
    import geopandas as gpd

    from hygis.layers.vector import VectorLayer

    zones = gpd.GeoDataFrame({"name": ["甲区", "乙区"], "人口": [1000.0, 500.0], "code": ["a", "b"]},
                             geometry=[shapely.box(120.0, 30.0, 120.1, 30.1), shapely.box(120.1, 30.0, 120.2, 30.1)],
                             crs=4326)
    target = gpd.GeoDataFrame({"name": ["新区"]}, geometry=[shapely.box(120.0, 30.0, 120.05, 30.1)], crs=4326)
    project = Project("t")
    project.layers.append(VectorLayer("分区", zones))
    project.layers.append(VectorLayer("新区", target))
    panel = make(qtbot, CoveragePanel, project)
    panel.set_zones("分区", by="name")
    panel.set_targets(["新区"])
    labels = [panel.weights_combo.itemText(i) for i in range(panel.weights_combo.count())]
    assert labels == ["None", "人口 (zone field)"]          # numeric zone fields only
    panel.set_weights("人口")
    qtbot.waitUntil(lambda: not panel.runner.busy and panel.result is not None
                    and "weight_share_pct" in panel.model.columns, timeout=TIMEOUT)
    frame = panel.model.frame.set_index("zone")
    assert frame.loc["甲区", "covered_share_pct"] == pytest.approx(50.0, abs=0.01)
    assert frame.loc["甲区", ["weight_total", "weight_covered"]].tolist() == pytest.approx([1000.0, 500.0], rel=1e-3)
    assert frame.loc["甲区", "weight_share_pct"] == pytest.approx(50.0, abs=0.01)
    assert frame.loc["乙区", "weight_share_pct"] == 0
    assert frame.loc[TOTAL_LABEL, "weight_share_pct"] == pytest.approx(500 / 1500 * 100, abs=0.01)
    headers = [panel.model.headerData(c, Qt.Orientation.Horizontal) for c in range(panel.model.columnCount())]
    assert headers[-3:] == ["Weight total", "Weight covered", "Weight share (%)"]
    row = list(panel.model.frame["zone"]).index("甲区")
    assert panel.model.data(panel.model.index(row, len(headers) - 1)) == "50.0"
    panel.set_weights(None)                                  # back to unweighted: no weight columns
    qtbot.waitUntil(lambda: not panel.runner.busy and "weight_share_pct" not in panel.model.columns,
                    timeout=TIMEOUT)


def test_coverage_panel_population_weights_from_a_raster(qtbot):
    import geopandas as gpd
    from rasterio.io import MemoryFile
    from rasterio.transform import from_origin

    from hygis.layers.raster import RasterLayer
    from hygis.layers.vector import VectorLayer

    zones = gpd.GeoDataFrame({"name": ["甲区"]}, geometry=[shapely.box(120.0, 30.0, 120.1, 30.1)], crs=4326)
    target = gpd.GeoDataFrame({"name": ["新区"]}, geometry=[shapely.box(120.0, 30.0, 120.05, 30.1)], crs=4326)
    pop = np.zeros((10, 10), "float32")
    pop[:, :5] = 3.0                                        # people live in the western half only
    with MemoryFile() as mem:
        with mem.open(driver="GTiff", width=10, height=10, count=1, dtype="float32", crs="EPSG:4326",
                      transform=from_origin(120.0, 30.1, 0.01, 0.01)) as ds:
            ds.write(pop, 1)
        content = mem.read()
    project = Project("t")
    project.layers.append(RasterLayer("人口栅格", content))
    project.layers.append(VectorLayer("分区", zones))
    project.layers.append(VectorLayer("新区", target))
    panel = make(qtbot, CoveragePanel, project)
    panel.set_zones("分区", by="name")
    panel.set_targets(["新区"])
    panel.set_weights("人口栅格")
    qtbot.waitUntil(lambda: not panel.runner.busy and panel.result is not None
                    and "weight_share_pct" in panel.model.columns, timeout=TIMEOUT)
    frame = panel.model.frame.set_index("zone")
    assert frame.loc["甲区", "covered_share_pct"] == pytest.approx(50.0, abs=0.01)
    assert frame.loc["甲区", "weight_total"] == pytest.approx(150.0)
    assert frame.loc["甲区", "weight_share_pct"] == pytest.approx(100.0)   # everyone lives under the cover


# -- adjacency -----------------------------------------------------------------------------------
def test_adjacency_panel_ftz_corridor_pairs_within_5km(qtbot, sample):
    from hygis.ui.canvas import MapCanvas

    canvas = MapCanvas(sample, show_basemap=False)
    qtbot.addWidget(canvas)
    _ALIVE.append(canvas)
    canvas.resize(500, 400)
    canvas.show()
    panel = make(qtbot, AdjacencyPanel, sample, canvas)
    panel.set_inputs("自贸片区", "科创走廊", 5000.0)
    qtbot.waitUntil(lambda: panel.result is not None and not panel.runner.busy
                    and panel.a_combo.currentText() == "自贸片区", timeout=TIMEOUT)
    pairs = panel.model.frame
    assert len(pairs) > 0
    assert (pairs["distance_m"] <= 5000.0 + 1e-6).all()
    ftz, cor = sample.layers.get("自贸片区"), sample.layers.get("科创走廊")
    assert set(pairs["a_name"]) <= set(ftz.data["name"]) and set(pairs["b_name"]) <= set(cor.data["name"])
    # matrix: FTZ rows × corridor columns, one mark per pair
    assert int(panel.matrix_model.frame.to_numpy().sum()) == len(pairs)
    # links on the map: one per pair, inside the canvas
    assert panel.overlay is not None and len(panel.overlay.links) == len(pairs)
    segs = panel.overlay.screen_segments()
    assert all(-50 < p.x() < 550 and -50 < p.y() < 450 for a, b in segs for p in (a, b))
    select_rows(panel.table, [0])
    assert ftz.selection == {int(pairs["a_id"].iloc[0])} and cor.selection == {int(pairs["b_id"].iloc[0])}
    assert panel.overlay.selected == {0}


# -- targets dashboard ---------------------------------------------------------------------------
def test_targets_dashboard_edit_is_undoable_and_saved(qtbot, sample, tmp_path):
    panel = make(qtbot, TargetsDashboard, sample)
    wait_runs(qtbot, panel)
    model = panel.model
    keys = [t.key for t in sample.targets]
    enclave_row = keys.index("enclave_count")
    latest = model.index(enclave_row, COLUMNS.index("latest"))
    assert not (model.flags(latest) & Qt.ItemFlag.ItemIsEditable)  # computed
    assert float(latest.data(Qt.ItemDataRole.EditRole)) > 0
    assert "飞地" in model.index(enclave_row, COLUMNS.index("note")).data()
    row = keys.index("gdp_total")
    cell = model.index(row, COLUMNS.index("target"))
    assert model.setData(cell, "45000")
    assert sample.target("gdp_total").target == 45000.0
    assert model.index(row, COLUMNS.index("target")).data() == "45,000"
    assert not model.setData(cell, "abc")  # refused, value kept, message shown
    assert sample.target("gdp_total").target == 45000.0 and "abc" in panel.status.text()
    sample.undo()
    assert sample.target("gdp_total").target == 43000.0
    assert model.index(row, COLUMNS.index("target")).data() == "43,000"
    sample.redo()
    path = save_project(sample, tmp_path / "t.hygis")
    assert open_project(path).target("gdp_total").target == 45000.0
    progress = model.index(row, COLUMNS.index("progress")).data(Qt.ItemDataRole.EditRole)
    baseline = sample.target("gdp_total").baseline
    assert progress == pytest.approx((41700 - baseline) / (45000 - baseline))
    assert model.index(row, COLUMNS.index("baseline")).data().endswith("(2020)")
    assert "四港联动" in model.index(keys.index("shipping_index_rank"), COLUMNS.index("note")).data()
    digital = keys.index("digital_economy_share")
    assert model.index(digital, COLUMNS.index("target")).data() == ">30"
    assert model.index(digital, COLUMNS.index("latest")).data() == "28.80 (2024)"


# -- exports -------------------------------------------------------------------------------------
def test_exports_read_back(qtbot, tmp_path):
    project = Project("t")
    project.layers.append(enclave_layer(4))
    panel = make(qtbot, EnclavePanel, project)
    wait_runs(qtbot, panel)
    frame = panel.table_frame()
    csv = export_table(frame, tmp_path / "t.csv")
    xlsx = export_table(frame, tmp_path / "t.xlsx")
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese
    for back in (pd.read_csv(csv, encoding="utf-8-sig"), pd.read_excel(xlsx)):
        assert list(back.columns) == list(frame.columns)
        assert list(back.iloc[:, 0]) == ["杭州市", "宁波市", "合计"]
        assert list(back.iloc[:, 1]) == [2, 2, 4]
    png = export_chart(panel.city_plot, tmp_path / "c.png")
    svg = export_chart(panel.city_plot, tmp_path / "c.svg")
    assert not QImage(str(png)).isNull() and QImage(str(png)).width() >= 1000
    assert "<svg" in svg.read_text(encoding="utf-8")
    from hygis.core.errors import HygisError

    with pytest.raises(HygisError):
        export_table(frame, tmp_path / "t.txt")


def test_cancel_keeps_previous_results(qtbot):
    project = Project("t")
    project.layers.append(enclave_layer(4))
    panel = make(qtbot, EnclavePanel, project)
    wait_runs(qtbot, panel)
    before = panel.summary.text()
    import threading

    gate = threading.Event()

    def slow(progress=None, cancelled=None):
        gate.wait(5)
        progress(0.5)  # raises CancelledError once Cancel was pressed
        return {"never": "shown"}

    panel.runner.run(slow)
    qtbot.waitUntil(lambda: panel.cancel_button.isEnabled(), timeout=TIMEOUT)
    panel.cancel_button.click()
    gate.set()
    qtbot.waitUntil(lambda: not panel.runner.busy, timeout=TIMEOUT)
    assert panel.summary.text() == before and "never" not in panel.result


def test_installing_the_panels_loads_no_chart_or_scipy_code(tmp_path):
    """The panels are cheap to install: pyqtgraph and scipy load with the first chart / analysis run."""
    import os
    import subprocess
    import sys

    code = ("import sys\nfrom PySide6.QtWidgets import QApplication\napp = QApplication([])\n"
            "from hygis.ui.mainwindow import MainWindow\nw = MainWindow(defer_analysis=True)\nw.install_analysis()\n"
            "assert w.analysis is not None\nw.canvas.dispose()\n"
            "print(sorted(m for m in ('pyqtgraph', 'scipy') if m in sys.modules))\n")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path))  # no real settings
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[2], env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
