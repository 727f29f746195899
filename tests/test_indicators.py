"""Indicators evaluated in a scenario's state, and their comparison."""

import geopandas as gpd
import pytest
import shapely

from hygis.project.indicators import NO_VALUE, compare_indicators, evaluate
from hygis.layers.vector import VectorLayer
from hygis.project import Project
from hygis.project.scenario_commands import AddScenario
from hygis.project.targets import PlanTarget
from tests.factories import enclave_layer


@pytest.fixture
def project():
    p = Project("t")
    enclaves = enclave_layer(6)
    p.layers.append(enclaves)
    # two 1°×1° blocks as zones: the FTZ box covers exactly a quarter of the west one in degrees
    zones = gpd.GeoDataFrame({"name": ["西区", "东区"]},
                             geometry=[shapely.box(119, 29, 120, 30), shapely.box(120, 29, 121, 30)], crs=4326)
    p.layers.append(VectorLayer("分区", zones, validate=False))
    ftz = gpd.GeoDataFrame({"name": ["片区"], "zone": ["宁波片区"], "source": ["t"]},
                           geometry=[shapely.box(119.0, 29.0, 119.5, 29.5)], crs=4326)
    p.layers.append(VectorLayer("自贸片区", ftz, kind="ftz"))
    p.set_targets([PlanTarget("enclave_count", "飞地", "Enclaves", target=10, computed="enclave_count")])
    p.execute(AddScenario(p, "2016", indicators=[{"type": "enclave_target"}, {"type": "count", "layer": "飞地"}]))
    p.scenarios["2016"].layers[enclaves.id].filter = "year_opened <= 2016"
    p.scenarios["2016"].layers[p.layers["自贸片区"].id].filter = "name == '未设'"  # no FTZ yet
    p.execute(AddScenario(p, "all", indicators=[{"type": "enclave_target"}, {"type": "count", "layer": "飞地"},
                                               {"type": "coverage", "target": "自贸片区", "zones": "分区",
                                                "zone": "西区"}]))
    return p


def test_enclave_target_counts_in_the_scenario_state(project):
    rows = evaluate(project, "2016")
    assert rows[0].label == "飞地" and rows[0].text == "2 / 10 (20%) · 2016年" and rows[0].progress == pytest.approx(0.2)
    assert rows[1].text == "2" and rows[1].value == 2
    assert project.layers["飞地"].filter == ""  # the real layer is untouched
    assert evaluate(project, "all")[0].text == "6 / 10 (60%) · 2020年"


def test_an_override_with_its_reason_excludes_a_row(project):
    from hygis.project.commands import ChangeAttribute

    layer = project.layers["飞地"]
    fid = int(layer.data.index[1])
    with pytest.raises(Exception, match="override_reason"):
        project.execute(ChangeAttribute(layer, fid, "target_override", "0"))
    project.execute(ChangeAttribute(layer, fid, "override_reason", "合作已终止"))
    project.execute(ChangeAttribute(layer, fid, "target_override", "0"))
    assert layer.data["target_override"].dtype == "boolean"
    assert evaluate(project, "2016")[0].text == "1 / 10 (10%) · 2016年"
    project.undo()
    assert evaluate(project, "2016")[0].text == "2 / 10 (20%) · 2016年"


def test_coverage_share_of_a_zone(project):
    row = evaluate(project, "all")[2]
    # equal-area share of a quarter-degree box in a 1° block at 29–30°N: about 25 %
    assert row.unit == "%" and 24.0 < row.value < 26.5
    assert row.text == f"{row.value:.1f}%"


def test_bad_spec_gives_a_dash_not_an_exception(project):
    rows = evaluate(project, "all", [{"type": "count", "layer": "不存在"}, {"type": "nonsense"},
                                      {"type": "text", "label": "GDP", "value": "4.17万亿"}])
    assert [r.text for r in rows] == [NO_VALUE, NO_VALUE, "4.17万亿"]
    assert "不存在" in rows[0].error and rows[2].label == "GDP"


def test_compare_gives_both_values_and_difference(project):
    rows = compare_indicators(project, "2016", "all")
    assert [r.label for r in rows][:2] == ["飞地", "飞地"]
    enclave = rows[0]
    assert (enclave.text_a, enclave.text_b, enclave.diff_text, enclave.diff) == (
        "2 / 10 (20%) · 2016年", "6 / 10 (60%) · 2020年", "+4", 4.0)
    coverage = rows[2]  # only in 'all', evaluated for both: no FTZ in 2016
    assert coverage.text_a == "0.0%" and coverage.diff_text == f"+{coverage.diff:.1f} pp"
    assert 24.0 < coverage.diff < 26.5


def test_planned_enclaves_are_shown_apart_from_the_count(project):
    layer = project.layers["飞地"]
    data = layer.data.copy()
    data.loc[data.index[-1], "status"] = "planned"
    layer.set_data(data)
    row = evaluate(project, "all")[0]
    assert row.text == "5 / 10 (50%) +1 规划 · 2019年" and row.value == 5 and row.progress == pytest.approx(0.5)
