"""Enclaves per city pair (flow map) and coverage shares of drawn vs official land area (issue 14)."""

import io
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hygis.analysis import registry
from hygis.analysis.coverage import coverage_by_zone
from hygis.analysis.enclave_pairs import (
    CITY_SEATS,
    enclave_pairs,
    flow_layer,
    pair_arcs,
)
from hygis.analysis.enclaves import enclave_counts
from hygis.analysis.targets import targets_table
from hygis.core.errors import HygisError
from hygis.geo import crs as hcrs
from hygis.geo.basemap import load_basemap, official_land_areas
from hygis.layers.vector import VectorLayer
from hygis.project import Project
from hygis.project.fileformat import open_project
from hygis.project.targets import PlanTarget

from .test_enclaves_targets import enclaves_frame

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_projects" / "hangzhou_ningbo.hygis"


def test_pairs_add_up_to_the_enclave_report():
    frame = enclaves_frame()
    pairs = enclave_pairs(frame, as_of=2022, target_year=2025)
    report = enclave_counts(frame, as_of=2022, target_year=2025)["total"]
    assert pairs["operating"].sum() == report["operating"].iloc[0]
    assert pairs["planned"].sum() == report["planned"].iloc[0]
    row = pairs.set_index(["origin_city", "host_city"]).loc[("衢州市", "杭州市")]
    assert (row["operating"], row["planned"], row["total"]) == (2, 0, 2)
    assert list(pairs["total"]) == sorted(pairs["total"], reverse=True)
    assert not pairs["mutual"].any()  # nobody sends an enclave back


def test_mutual_pairs_and_arcs():
    frame = pd.DataFrame({"origin_city": ["杭州市", "宁波市", "宁波市", "安徽省宿州市"],
                          "host_city": ["宁波市", "杭州市", "杭州市", "杭州市"], "enclave_type": ["science"] * 4,
                          "status": ["operating"] * 4, "year_opened": [2020, 2021, 2022, 2023]})
    assert len(enclave_pairs(frame)) == 0  # the rule: 杭州↔宁波 and cross-province enclaves do not count
    pairs = enclave_pairs(frame, count_hangzhou_ningbo=True).set_index(["origin_city", "host_city"])
    assert pairs.loc[("宁波市", "杭州市"), "total"] == 2 and pairs.loc[("宁波市", "杭州市"), "mutual"]
    assert pairs.loc[("杭州市", "宁波市"), "mutual"] and len(pairs) == 2
    arcs = pair_arcs(enclave_pairs(frame, count_hangzhou_ningbo=True))
    assert len(arcs) == 2 and set(arcs["label"]) == {"宁波市→杭州市 2", "杭州市→宁波市 1"}
    for arc in arcs.itertuples():
        start, end = arc.geometry.coords[0], arc.geometry.coords[-1]
        assert start == pytest.approx(CITY_SEATS[arc.origin_city]) and end == pytest.approx(CITY_SEATS[arc.host_city])
    # the two directions bow to opposite sides, so they do not draw on top of each other
    mids = [shapely.line_interpolate_point(g, 0.5, normalized=True) for g in arcs.geometry]
    assert mids[0].distance(mids[1]) > 0.2


def test_flow_layer_of_the_sample():
    project = open_project(SAMPLE)
    layer = flow_layer(project.layers_of_kind("enclave"))
    assert layer.geometry_type == "line" and layer.style.mode == "categorized" and layer.style.field == "total"
    assert set(layer.style.categories) == {str(n) for n in layer.data["total"]}  # one legend row per count
    pairs = enclave_pairs(project.layers_of_kind("enclave"))
    assert layer.data["total"].sum() == pairs.loc[pairs["origin_city"] != pairs["host_city"], "total"].sum()


def test_cli_by_pair():
    out = subprocess.run([sys.executable, "-m", "hygis", "analyze", "enclaves", str(SAMPLE), "--by-pair",
                          "--format", "csv"], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns) == ["origin_city", "host_city", "operating", "planned", "total", "mutual"]
    enclaves = open_project(SAMPLE).layers_of_kind("enclave")
    assert table["total"].sum() == registry.get("enclave_pairs").run(enclaves=enclaves)["total"].sum() > 10


def _ningbo_square(km2: float):
    """A square of ``km2`` in the equal-area CRS inside 宁波市 (鄞州)."""
    x, y = hcrs.transformer(hcrs.WGS84, hcrs.EQUAL_AREA).transform(121.60, 29.80)
    side = np.sqrt(km2) * 1000
    return gpd.GeoDataFrame(geometry=[shapely.box(x, y, x + side, y + side)], crs=hcrs.EQUAL_AREA)


def test_coverage_divides_by_drawn_or_official_area():
    cities = load_basemap("city")
    ningbo = cities[cities["name"] == "宁波市"]
    target = _ningbo_square(100.0)
    drawn = coverage_by_zone(target, ningbo).set_index("zone").loc["宁波市"]
    official = coverage_by_zone(target, ningbo, denominator="official").set_index("zone").loc["宁波市"]
    assert drawn["denominator"] == "drawn" and official["denominator"] == "official"
    assert drawn["denominator_km2"] == pytest.approx(drawn["zone_area_km2"]) and drawn["zone_area_km2"] > 10_300
    assert official["denominator_km2"] == official_land_areas()["宁波市"] == 9816
    assert official["covered_share_pct"] == pytest.approx(100.0 / 9816 * 100, rel=1e-4)
    assert drawn["covered_share_pct"] < official["covered_share_pct"]
    with pytest.raises(HygisError, match="denominator"):
        coverage_by_zone(target, ningbo, denominator="land")


def test_districts_without_official_area_fall_back_to_drawn():
    districts = load_basemap("district")
    zones = districts[districts["name"].isin(["鄞州区", "北仑区"])]
    table = coverage_by_zone(_ningbo_square(10.0), zones, denominator="official")
    assert set(table["denominator"]) == {"drawn"}
    assert (table["denominator_km2"] == table["zone_area_km2"]).all()


def test_road_density_target_uses_hang_shao_yong_land_area():
    roads = gpd.GeoDataFrame({"name": ["r1", "r2"]}, geometry=[
        shapely.LineString([(120.10, 30.25), (120.30, 30.25)]),     # 杭州
        shapely.LineString([(121.40, 29.85), (121.60, 29.85)])], crs="EPSG:4326")  # 宁波
    project = Project("t")
    project.layers.append(VectorLayer("道路", roads))
    project.set_targets([PlanTarget(key="road_density", name_zh="路网密度", name_en="Road density",
                                    unit="km/km²", target=1.15, computed="road_density")])
    row = targets_table(project).set_index("key").loc["road_density"]
    land = sum(official_land_areas()[c] for c in ("杭州市", "绍兴市", "宁波市"))
    assert row["latest"] == pytest.approx(hcrs.length_km(roads.geometry.to_numpy()).sum() / land, rel=1e-3)
    assert row["computed_from"] == "道路" and "道路" in row["latest_source"]


def test_coverage_indicator_says_what_it_divides_by():
    from hygis.project.indicators import evaluate_one

    project = Project("t")
    square = _ningbo_square(100.0).to_crs(4326).assign(name="块", zone="宁波片区", source="test")
    project.layers.append(VectorLayer("自贸片区", square, kind="ftz"))
    spec = {"type": "coverage", "target": "自贸片区", "zones": "basemap:city", "zone": "宁波市"}
    drawn = evaluate_one(project, spec)
    official = evaluate_one(project, {**spec, "denominator": "official"})
    assert "图斑面积" in drawn.label and "官方陆域面积" in official.label
    assert official.value == pytest.approx(100.0 / 9816 * 100, rel=1e-3) and drawn.value < official.value
