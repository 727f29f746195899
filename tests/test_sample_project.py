"""The bundled sample project sample_projects/hangzhou_ningbo.hygis and its build script."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from hygis.geo import crs as hcrs
from hygis.geo.basemap import load_basemap
from hygis.layers.expressions import evaluate_filter
from hygis.project.scenarios import apply
from hygis.project.fileformat import open_project

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_projects" / "hangzhou_ningbo.hygis"
IDS = ["newarea", "corridor", "ftz", "coastline", "canal", "transport", "heritage", "hub", "platform", "flow",
       "enclave"]
KINDS = ["newarea", "corridor", "ftz", "coastline", "transport", "transport", "heritage", "hub", "platform", "vector",
         "enclave"]
NAMES = ["产业创新带", "科创走廊", "自贸片区", "生态海岸带", "浙东运河", "通勤圈交通", "运河遗产", "四港联动", "实验室",
         "飞地流向", "飞地"]


def _load_builder():
    tools = str(ROOT / "tools")
    if tools not in sys.path:
        sys.path.insert(0, tools)
    spec = importlib.util.spec_from_file_location("build_sample_project", ROOT / "tools" / "build_sample_project.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def project():
    return open_project(SAMPLE)


def _layer(project, layer_id):
    return project.layers.get(layer_id)


def _areas(layer):
    return dict(zip(layer.data["name"], hcrs.area_km2(layer.data.geometry.to_numpy())))


def test_file_opens_with_title_layers_in_draw_order(project):
    assert SAMPLE.stat().st_size < 2_000_000
    assert project.title == "杭甬“双城记”2025 规划示范项目"
    assert [layer.kind for layer in project.layers] == KINDS
    assert [layer.id for layer in project.layers] == IDS
    assert [layer.name for layer in project.layers] == NAMES
    assert all(layer.data.crs.to_epsg() == 4326 for layer in project.layers)


def test_corridors_have_the_stated_areas(project):
    layer = _layer(project, "corridor")
    areas = _areas(layer)
    assert areas["城西科创大走廊"] == pytest.approx(398, rel=0.01)
    assert areas["城西科创大走廊(2016版)"] == pytest.approx(224, rel=0.01)
    assert areas["甬江科创大走廊(北区)"] + areas["甬江科创大走廊(南区)"] == pytest.approx(136, rel=0.01)
    yongjiang = layer.data[layer.data["corridor"] == "甬江科创大走廊"]
    assert yongjiang["area_km2"].sum() == pytest.approx(136, rel=0.01)
    assert set(layer.data["area_basis"]) == {"published", "derived"}
    assert set(layer.data["city"]) == {"杭州市", "宁波市"}
    # the 2021 corridor runs from ZJU Yuquan to ZAFU (Lin'an): ~40 km east–west
    b = layer.data.loc[layer.data["name"] == "城西科创大走廊"].total_bounds
    assert b[0] < 119.73 < 120.12 < b[2] <= 120.131


def test_ftz_zones_sub_areas_and_totals(project):
    data = _layer(project, "ftz").data
    assert set(data["zone"]) == {"杭州片区", "宁波片区"}
    assert data["sub_area"].notna().all()
    areas = _areas(_layer(project, "ftz"))
    for name, km2 in [("杭州片区滨江区块", 11.32), ("杭州综合保税区", 2.01), ("宁波梅山综合保税区", 5.69),
                      ("宁波北仑港综合保税区", 2.99), ("宁波保税区", 2.3)]:
        assert areas[name] == pytest.approx(km2, rel=0.01), name
    per_zone = data.assign(a=hcrs.area_km2(data.geometry.to_numpy())).groupby("zone")["a"].sum()
    assert per_zone["杭州片区"] == pytest.approx(37.51, rel=0.01)
    assert per_zone["宁波片区"] == pytest.approx(46.0, rel=0.01)
    hz = data[data["zone"] == "杭州片区"]
    qs_xs = hz[hz["sub_area"].isin(["钱塘区块", "萧山区块"])]
    assert hcrs.area_km2(qs_xs.geometry.to_numpy()).sum() == pytest.approx(26.19, rel=0.01)
    geoms = data.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    pairs = tree.query(geoms, predicate="intersects")
    assert (pairs[0] == pairs[1]).all(), "FTZ blocks must not overlap"


def test_coastline_sections(project):
    data = _layer(project, "coastline").data
    assert len(data) >= 2
    assert {"钱塘新区先行段", "前湾新区先行段"} <= set(data["name"])
    assert data.geom_type.isin(["LineString", "MultiLineString"]).all()
    seawall = data[data["name"].str.startswith("萧山区海塘安澜工程")]
    assert seawall["length_km"].iloc[0] == pytest.approx(14.88, rel=0.01)
    assert set(data["status"]) <= {"planned", "under_construction", "completed"}


def test_enclaves(project):
    data = _layer(project, "enclave").data
    assert len(data) >= 20
    assert set(data["enclave_type"]) == {"science", "industry"}
    real = data[~data["source"].str.contains("illustrative")]
    assert len(real) >= 19
    assert {"衢州海创园", "鄞州—衢江产业飞地", "宿州市杭州科创飞地"} <= set(real["name"])
    assert real.loc[real["name"] == "衢州海创园", "year_opened"].iloc[0] == 2012
    planned = data[data["status"] == "planned"]
    assert len(planned) >= 5
    assert planned["source"].str.contains("illustrative").all()
    assert planned["year_opened"].between(2024, 2027).all()
    assert data["year_opened"].notna().all()
    # where the reference gives no year, the source says the year is an estimate
    jinyun = data.loc[data["name"].str.startswith("缙云大厦"), "source"].iloc[0]
    assert "year approximate" in jinyun and "消薄" in jinyun
    # the counting rule leaves out the cross-province and the intra-city enclaves, from the data alone
    from hygis.analysis.enclave_rule import classify

    verdict = classify(data).set_axis(data["name"].to_list())
    assert verdict.loc["宿州市杭州科创飞地", "rule"] == "outside"
    assert verdict.loc["千岛湖智谷大厦(生态飞地)", "rule"] == "intra_city"
    assert verdict.loc["甬杭科创飞地(规划)", "rule"] == "hz_nb"
    assert "in_target" not in data.columns


def test_heritage(project):
    data = _layer(project, "heritage").data
    assert len(data) >= 15
    assert set(data["heritage_level"]) <= {"world", "national", "provincial", "municipal"}
    level = dict(zip(data["name"], data["heritage_level"]))
    assert level["拱宸桥"] == "world" and level["永丰库遗址"] == "national"
    assert {"bridge", "granary", "historic block", "wharf", "channel node"} <= set(data["category"])
    assert set(data["city"]) == {"杭州市", "绍兴市", "宁波市"}


def test_every_feature_cites_a_source(project):
    for layer in project.layers:
        src = layer.data["source"]
        assert src.notna().all() and (src.str.strip().str.len() > 10).all(), layer.name
        marked = layer.data["name"].str.contains("示意|规划")
        assert src[marked].str.contains("illustrative").all(), layer.name
        # where the shape or point comes from: approximate / illustrative, or a page's coordinates
        assert src.str.contains("approximate|illustrative|coords").all(), layer.name


def test_all_features_lie_in_zhejiang(project):
    province = load_basemap("province")
    zj = province.loc[province["name"] == "浙江省"].geometry.iloc[0]
    zj_m = hcrs.project_geoms(np.array([zj]), hcrs.WGS84, hcrs.MAP_CRS)[0]
    zj_5km = zj_m.buffer(5000)
    for layer in project.layers:
        geoms_m = hcrs.project_geoms(layer.data.geometry.to_numpy(), hcrs.WGS84, hcrs.MAP_CRS)
        area = zj_5km if layer.kind in ("coastline", "heritage") else zj_m
        coords = shapely.points(shapely.get_coordinates(geoms_m))
        inside = shapely.contains(area, coords) | shapely.touches(area, coords)
        assert inside.all(), (layer.name, shapely.get_coordinates(coords[~inside])[:3])


def test_scenarios_filter_by_year(project):
    assert project.scenarios.names == ["现状 2020", "规划 2025", "愿景 2035"]
    counts = {}
    for scenario in project.scenarios:
        assert set(scenario.layers) == set(IDS)
        assert scenario.title and scenario.subtitle and scenario.notes and scenario.extent
        assert {"type": "enclave_target"} in scenario.indicators
        for lid, state in scenario.layers.items():
            evaluate_filter(project.layers.get(lid).data, state.filter)  # parses and runs
        apply(project, scenario)
        counts[scenario.year] = {layer.id: len(layer.visible_data()) for layer in project.layers}
        if scenario.year == 2020:
            enc = _layer(project, "enclave").visible_data()
            assert (enc["year_opened"] <= 2020).all() and (enc["status"] == "operating").all()
            assert "城西科创大走廊(2016版)" in set(_layer(project, "corridor").visible_data()["name"])
    assert counts[2020]["enclave"] < counts[2025]["enclave"] < counts[2035]["enclave"]
    assert counts[2020]["ftz"] == counts[2035]["ftz"] == len(_layer(project, "ftz").data)  # FTZ areas date from 2020-09
    assert counts[2025]["corridor"] >= 2
    bay, vision = project.scenarios["规划 2025"].extent, project.scenarios["愿景 2035"].extent
    assert vision[0] < bay[0] and vision[1] < bay[1] and vision[2] >= bay[2] and vision[3] >= bay[3]


def test_targets(project):
    keys = [t.key for t in project.targets]
    assert len(keys) == len(set(keys)) >= 12
    enclave = project.target("enclave_count")
    assert enclave.target == 50 and enclave.computed == "enclave_count" and enclave.unit == "个"
    assert project.target("road_density").computed == "road_density"
    assert project.target("road_density").target == pytest.approx(1.15)
    gdp = project.target("gdp_total")
    assert gdp.target == 43000 and gdp.latest < gdp.target
    assert gdp.baseline_year == 2020 and gdp.progress() == pytest.approx(0.91, abs=0.01)
    digital = project.target("digital_economy_share")
    assert digital.operator == ">" and digital.target_text() == ">30" and digital.met() is False
    assert project.target("enclave_count").operator == "≥"
    names = {layer.name for layer in project.layers}
    assert all(t.layer in names for t in project.targets if t.layer)  # targets point at their map layer
    assert project.target("shipping_index_rank").layer == "四港联动"
    for t in project.targets:
        if t.latest is not None and not t.computed:
            assert t.latest_year and t.latest_source, t.key
    rank = project.target("shipping_index_rank")
    assert rank.higher_is_better is False and rank.progress() == pytest.approx(1.0)
    assert project.target("social_card_services").target == 180
    assert all(t.source for t in project.targets)


def test_build_is_reproducible(tmp_path, project):
    builder = _load_builder()
    from sample_data.shapes import GRID
    moved = []
    out = tmp_path / "again.hygis"
    assert builder.main(["--out", str(out)]) == 0
    rebuilt = open_project(out)
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in project.layers]
    assert [layer.id for layer in rebuilt.layers] == [layer.id for layer in project.layers]
    for old, new in zip(project.layers, rebuilt.layers):
        a, b = old.data, new.data
        assert list(a.columns) == list(b.columns), old.name
        attrs = [c for c in a.columns if c != "geometry"]
        numbers = [c for c in attrs if pd.api.types.is_float_dtype(a[c])]  # computed areas: the last digit
        texts = [c for c in attrs if c not in numbers]                       # may differ across PROJ versions
        assert a[texts].astype(str).equals(b[texts].astype(str)), old.name
        assert np.allclose(a[numbers].to_numpy(float), b[numbers].to_numpy(float), rtol=1e-6, equal_nan=True), old.name
        # same parts, rings and vertex counts; a vertex may land one snapping-grid step (~1 cm) away where
        # GEOS/PROJ versions differ in the last bits near a half-grid boundary (see shapes.GRID), rarely
        ga, gb = a.geometry.to_numpy(), b.geometry.to_numpy()
        assert shapely.equals_exact(ga, gb, tolerance=GRID * 1.01).all(), old.name
        moved.append(np.abs(shapely.get_coordinates(ga) - shapely.get_coordinates(gb)).max(axis=1) > 1e-9)
    moved = np.concatenate(moved)
    assert moved.sum() <= 0.005 * len(moved), f"{moved.sum()} of {len(moved)} vertices moved"
    assert [s.to_dict() for s in rebuilt.scenarios] == [s.to_dict() for s in project.scenarios]
    assert [t.to_dict() for t in rebuilt.targets] == [t.to_dict() for t in project.targets]


def test_flagship_projects(project):
    """The plan's flagship projects that have a place (issue 14), each with its schema."""
    transport = _layer(project, "transport").data.set_index("name")
    assert {"萧甬铁路(杭绍甬城际列车)", "杭州至柯桥城际(杭绍城际)", "宁波至慈溪市域铁路", "杭绍甬智慧高速"} <= set(transport.index)
    assert transport.loc["杭绍甬智慧高速", "mode"] == "expressway" and transport.loc["杭绍甬智慧高速", "year"] == 2024
    assert transport["length_km"].gt(10).all()
    canal = _layer(project, "canal").data.iloc[0]
    assert canal["name"] == "浙东运河" and canal["heritage_level"] == "world" and canal["published_length_km"] == 239
    assert 150 < canal["length_km"] < 239  # the drawing does not follow every bend
    hubs = _layer(project, "hub").data
    assert {"seaport", "inland_port", "airport", "rail_sea"} == set(hubs["hub_type"])
    assert {"杭州萧山国际机场", "宁波栎社国际机场"} <= set(hubs["name"])
    assert set(_layer(project, "platform").data["name"]) == {"之江实验室", "甬江实验室"}
    areas = _layer(project, "newarea").data.set_index("name")
    assert areas.loc["宁波前湾新区", "area_km2"] == pytest.approx(604, rel=0.01)
    heritage = _layer(project, "heritage").data
    park = heritage[heritage["cultural_park"] == "大运河国家文化公园"]
    assert len(park) >= 10 and (park["heritage_level"] == "world").all()


def test_illustrative_features_are_marked(project):
    for layer in project.layers:
        data = layer.data
        assert set(data["data_status"]) <= {"illustrative", "sourced"}, layer.name
        marked = data["data_status"] == "illustrative"
        assert data.loc[marked, "source"].str.contains("illustrative").all(), layer.name
        assert marked[data["name"].str.contains("示意|规划")].all(), layer.name
    assert _layer(project, "corridor").data.set_index("name").loc["城东智造大走廊", "data_status"] == "illustrative"


def test_scenarios_show_what_existed_or_was_planned(project):
    seen = {}
    for scenario in project.scenarios:
        apply(project, scenario)
        seen[scenario.year] = {lid: set(_layer(project, lid).visible_data()["name"])
                               for lid in ("transport", "platform", "hub") if _layer(project, lid).visible}
        seen[scenario.year]["flow"] = _layer(project, "flow").visible
    assert "宁波至慈溪市域铁路" not in seen[2020]["transport"] and "杭绍甬智慧高速" not in seen[2020]["transport"]
    assert "萧甬铁路(杭绍甬城际列车)" in seen[2020]["transport"]
    assert {"宁波至慈溪市域铁路", "杭绍甬智慧高速"} <= seen[2025]["transport"]
    assert seen[2020]["platform"] == {"之江实验室"} and seen[2025]["platform"] == {"之江实验室", "甬江实验室"}
    assert "杭州内河港(京杭运河二通道·八堡)" not in seen[2020]["hub"]
    assert seen[2035]["flow"] and not seen[2020]["flow"]
