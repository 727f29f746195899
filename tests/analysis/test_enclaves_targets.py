"""Enclave counts against the target, and the plan targets table."""

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from hygis.analysis.enclaves import enclave_counts
from hygis.analysis.targets import road_network_density, targets_table
from hygis.core.errors import HygisError
from hygis.layers.vector import VectorLayer
from hygis.project import Project
from hygis.project.targets import PlanTarget

from .conftest import GK_X0, GK_Y0, gk_box, gk_frame


def enclaves_frame():
    #            opened: 2019 2020 2021 2022 2023 (undated)  | planned due 2024, 2026
    return pd.DataFrame({
        "name": [f"飞地{i}" for i in range(8)],
        "host_city": ["杭州市", "杭州市", "杭州市", "宁波市", "宁波市", "宁波市", "宁波市", "杭州市"],
        "origin_city": ["衢州市", "丽水市", "衢州市", "衢州市", "丽水市", "衢州市", "温州市", "温州市"],
        "enclave_type": ["science"] * 5 + ["industry"] * 3,
        "status": ["operating"] * 6 + ["planned"] * 2,
        "year_opened": [2019, 2020, 2021, 2022, 2023, None, 2024, 2026],
    })


def test_counts_as_of_a_past_year():
    result = enclave_counts(enclaves_frame(), as_of=2022, target=10, target_year=2025)
    s = result["summary"]
    # operating by 2022: four dated + one undated; the 2023 opening and the 2024 plan are 'planned'
    assert (s["count"], s["undated"], s["planned"]) == (5, 1, 2)
    assert s["gap"] == 5 and s["gap_after_planned"] == 3 and s["progress_pct"] == pytest.approx(50.0)
    # cumulative 2019–2022 = 2, 3, 4, 5: one a year → 10 reached in 2027
    assert s["pace_per_year"] == pytest.approx(1.0)
    assert s["projected_year"] == 2027
    by_host = result["by_host_city"]
    assert by_host.loc["杭州市"].to_dict() == {"operating": 3, "planned": 0, "total": 3}
    assert by_host.loc["宁波市"].to_dict() == {"operating": 2, "planned": 2, "total": 4}
    assert result["by_type"].loc["industry", "operating"] == 1
    assert result["total"].loc["合计", "total"] == 7


def test_by_year_is_cumulative_and_stops_at_as_of():
    table = enclave_counts(enclaves_frame(), as_of=2022, target=10)["by_year"].set_index("year")
    assert list(table.loc[2019:2022, "cumulative"]) == [2, 3, 4, 5]
    assert table.loc[2023, "cumulative"] != table.loc[2023, "cumulative"]  # NaN: not known in 2022
    assert table.loc[2025, "cumulative_with_planned"] == 7


def test_counts_now_and_target_reached():
    result = enclave_counts(enclaves_frame(), target=6)
    s = result["summary"]
    assert s["count"] == 6 and s["gap"] == 0 and s["progress_pct"] == pytest.approx(100.0)
    assert s["reference_year"] == 2023
    assert s["projected_year"] == 2023  # the first year the cumulative count reached 6


def test_no_pace_means_no_projection():
    frame = enclaves_frame().assign(year_opened=[2020] * 6 + [2030, 2031])
    s = enclave_counts(frame, as_of=2024, target=50)["summary"]
    assert s["count"] == 6 and s["projected_year"] is None


def test_empty_and_bad_input():
    empty = pd.DataFrame(columns=["status", "year_opened", "host_city"])
    s = enclave_counts(empty, as_of=2025)["summary"]
    assert s["count"] == 0 and s["gap"] == 50 and s["projected_year"] is None
    with pytest.raises(HygisError, match="as_of"):
        enclave_counts(enclaves_frame(), as_of="soon")


def _project_with_layers():
    project = Project("测试")
    frame = enclaves_frame().assign(source="test")
    pts = [shapely.Point(120.1 + 0.01 * i, 30.2) for i in range(len(frame))]
    project.layers.append(VectorLayer("飞地", gpd.GeoDataFrame(frame, geometry=pts, crs=4326), kind="enclave"))
    roads = gk_frame([shapely.LineString([(GK_X0 + 1000, GK_Y0 + 5000), (GK_X0 + 9000, GK_Y0 + 5000)]),
                      shapely.LineString([(GK_X0 + 5000, GK_Y0 + 1000), (GK_X0 + 5000, GK_Y0 + 9000)])], name=["a", "b"])
    project.layers.append(VectorLayer("道路", roads.to_crs(4326), kind="vector"))
    project.set_targets([
        PlanTarget("gdp_total", "地区生产总值", "GDP", "亿元", target=100, baseline=50, latest=75),
        PlanTarget("enclave_count", "飞地数量", "Enclaves", "个", target=10, computed="enclave_count", latest=1),
        PlanTarget("road_density", "路网密度", "Road density", "km/km²", target=0.2, computed="road_density"),
    ])
    return project


def test_road_network_density():
    zones = gk_frame([gk_box(0, 0, 10, 10)], name=["方格"])
    project = _project_with_layers()
    result = road_network_density(project.layers[1].data, zones)
    assert result["road_length_km"].iloc[0] == pytest.approx(16.0, rel=1e-4)
    assert result["density_km_per_km2"].iloc[0] == pytest.approx(0.16, rel=1e-3)


def test_targets_table_computes_enclave_and_road_rows():
    zones = gk_frame([gk_box(0, 0, 10, 10)], name=["方格"])
    table = targets_table(_project_with_layers(), as_of=2022, zones=zones).set_index("key")
    assert table.loc["gdp_total", "progress_pct"] == pytest.approx(50.0)
    assert table.loc["gdp_total", "computed_from"] == ""
    assert table.loc["enclave_count", "latest"] == 5 and table.loc["enclave_count", "latest_year"] == 2022
    assert table.loc["enclave_count", "progress_pct"] == pytest.approx(50.0)
    assert table.loc["enclave_count", "computed_from"] == "飞地"
    assert table.loc["road_density", "latest"] == pytest.approx(0.16, rel=1e-3)
    assert table.loc["road_density", "progress_pct"] == pytest.approx(80.0, rel=1e-3)


def test_targets_table_keeps_typed_values_without_layers():
    project = Project("空")
    project.set_targets([PlanTarget("road_density", "路网密度", "Road density", target=2.0, latest=1.5,
                                    computed="road_density")])
    table = targets_table(project)
    assert list(table["key"]) == ["road_density"]
    assert table["latest"].iloc[0] == 1.5 and table["progress_pct"].iloc[0] == pytest.approx(75.0)
