"""Every feature of the sample project lies in the districts its sources name.

``assets/reference/feature_districts.csv`` lists, for each feature, the basemap districts holding
at least :data:`MIN_SHARE` of its area (polygons) or length (lines), or the district of a point,
with the source of that assignment. The test measures the sample against the basemap.
"""

import csv
from pathlib import Path

import numpy as np
import pytest
import shapely

from hygis.geo import crs as hcrs
from hygis.geo.basemap import load_basemap
from hygis.project.fileformat import open_project

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_projects" / "hangzhou_ningbo.hygis"
TABLE = ROOT / "assets" / "reference" / "feature_districts.csv"
MIN_SHARE = 0.02


def _table():
    with TABLE.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {(r["layer"], r["name"]): r for r in rows}


@pytest.fixture(scope="module")
def project():
    return open_project(SAMPLE)


@pytest.fixture(scope="module")
def districts():
    return load_basemap("district")


def _shares(geom, districts) -> dict[str, float]:
    hits = districts[districts.intersects(geom)]
    if geom.geom_type in ("Point", "MultiPoint"):
        return {name: 1.0 for name, g in zip(hits["name"], hits.geometry) if g.contains(geom)}
    measure = hcrs.area_km2 if "Polygon" in geom.geom_type else hcrs.length_km
    total = float(measure(np.array([geom]))[0])
    parts = [geom.intersection(g) for g in hits.geometry]
    return dict(zip(hits["name"], measure(np.array(parts)) / total))


def _features(project):
    """Features that are places (the derived 飞地流向 arcs, a generic layer, join city seats instead)."""
    for layer in project.layers:
        if layer.kind == "vector":
            continue
        for _, row in layer.data.iterrows():
            yield layer, row


def test_table_lists_every_feature_with_a_source(project):
    table = _table()
    keys = {(layer.kind, row["name"]) for layer, row in _features(project)}
    assert keys == set(table), "feature_districts.csv and the sample disagree on the features"
    assert all(len(r["basis"]) > 10 for r in table.values())
    names = set(load_basemap("district")["name"])
    assert all(set(r["districts"].split(";")) <= names for r in table.values())


def test_each_feature_lies_in_its_districts(project, districts):
    table = _table()
    wrong = []
    for layer, row in _features(project):
        shares = _shares(row.geometry, districts)
        found = {name for name, share in shares.items() if share >= MIN_SHARE}
        expected = set(table[(layer.kind, row["name"])]["districts"].split(";"))
        if found != expected:
            wrong.append((layer.kind, row["name"], sorted(found), sorted(expected)))
    assert not wrong, wrong


def test_district_attributes_match_the_basemap(project, districts):
    """Where a feature names its district (heritage ``district``, enclave ``host_district``), the point is there."""
    for layer, row in _features(project):
        claimed = row.get("host_district", row.get("district"))
        if not isinstance(claimed, str) or row.geometry.geom_type != "Point":
            continue
        assert claimed in _shares(row.geometry, districts), (row["name"], claimed)


def test_places_the_issue_named(project, districts):
    """The corrections of issue 14, measured the way the planner did."""
    layers = {layer.kind: layer.data for layer in project.layers}
    corridor = layers["corridor"].set_index("name")
    chengxi = corridor.geometry["城西科创大走廊"]
    assert chengxi.bounds[2] <= 120.131  # west of 紫荆花路 / 浙大玉泉
    shares = _shares(chengxi, districts)
    assert shares.get("拱墅区", 0) < 0.001 and shares.get("上城区", 0) < 0.001
    assert hcrs.area_km2(np.array([chengxi]))[0] == pytest.approx(398, rel=0.01)
    assert corridor.loc["城东智造大走廊", "area_basis"] == "derived"
    assert _shares(corridor.geometry["城东智造大走廊"], districts).get("海宁市", 0) < 0.001
    north, south = corridor.geometry["甬江科创大走廊(北区)"], corridor.geometry["甬江科创大走廊(南区)"]
    assert hcrs.area_km2(np.array([north, south])) == pytest.approx([83, 53], rel=0.01)
    assert south.contains(shapely.Point(121.565, 29.818))  # 南高教园区 (学士路)
    ftz = layers["ftz"]
    ningbo = ftz[ftz["zone"] == "宁波片区"]
    assert hcrs.area_km2(ningbo.geometry.to_numpy()).sum() == pytest.approx(46, rel=0.01)
    beilun = districts.set_index("name").geometry["北仑区"]
    assert shapely.union_all(ningbo.geometry.to_numpy()).difference(beilun.buffer(1e-6)).area < 1e-9
    pilot = layers["coastline"].set_index("name").geometry["钱塘新区先行段"]
    assert set(_shares(pilot, districts)) == {"钱塘区"} and pilot.geom_type == "MultiLineString"
    jinyun = layers["enclave"].set_index("name").geometry["缙云大厦(消薄飞地)"]
    assert set(_shares(jinyun, districts)) == {"富阳区"}
    level = layers["heritage"].set_index("name")["heritage_level"]
    assert level["浙东运河萧山段(衙前)"] == "world"
