"""Coverage against hand-computed answers (km², km, counts)."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from hygis.geo import crs as hcrs
from hygis.analysis.coverage import TOTAL_LABEL, coverage_by_zone
from hygis.core.errors import CancelledError, HygisError

from .conftest import ea_box, ea_frame, ea_origin


def row(result, zone):
    return result.set_index("zone").loc[zone]


def test_overlapping_targets_are_not_counted_twice(zones3):
    # two 2×2 km squares overlapping by 1×2 km inside 甲区: union = 6 km², sum would be 8
    targets = ea_frame([ea_box(1, 1, 3, 3), ea_box(2, 1, 4, 3)])
    result = coverage_by_zone(targets, zones3)
    assert row(result, "甲区")["covered_area_km2"] == pytest.approx(6.0, rel=1e-9)
    assert row(result, "甲区")["covered_share_pct"] == pytest.approx(6.0, rel=1e-9)
    assert row(result, "甲区")["zone_area_km2"] == pytest.approx(100.0, rel=1e-9)


def test_zone_with_nothing_and_total_row(zones3):
    targets = ea_frame([ea_box(1, 1, 3, 3), ea_box(9, 4, 11, 6)])  # the second straddles 甲|乙
    result = coverage_by_zone(targets, zones3)
    assert list(result["zone"]) == ["甲区", "乙区", "丙区", TOTAL_LABEL]
    assert row(result, "丙区")["covered_area_km2"] == 0.0
    assert row(result, "丙区")["covered_share_pct"] == 0.0
    assert row(result, "甲区")["covered_area_km2"] == pytest.approx(6.0, rel=1e-9)
    assert row(result, "乙区")["covered_area_km2"] == pytest.approx(2.0, rel=1e-9)
    total = row(result, TOTAL_LABEL)
    assert total["zone_area_km2"] == pytest.approx(300.0, rel=1e-9)
    assert total["covered_area_km2"] == pytest.approx(8.0, rel=1e-9)
    assert total["covered_share_pct"] == pytest.approx(8.0 / 3.0, rel=1e-9)


def test_points_on_a_shared_edge_count_once_for_the_first_zone(zones3):
    ox, oy = ea_origin()
    pts = ea_frame([shapely.Point(ox + 10_000, oy + 5_000),   # on the 甲|乙 edge → 甲区 (first zone)
                    shapely.Point(ox + 15_000, oy + 5_000),   # inside 乙区
                    shapely.MultiPoint([(ox + 16_000, oy + 5_000), (ox + 17_000, oy + 5_000)]),
                    shapely.Point(ox + 50_000, oy + 5_000)])  # outside every zone
    result = coverage_by_zone(pts, zones3)
    assert list(result["point_count"]) == [1, 3, 0, 4]
    assert row(result, "乙区")["points_per_100km2"] == pytest.approx(3.0)
    assert row(result, TOTAL_LABEL)["points_per_100km2"] == pytest.approx(4 / 3)
    assert row(result, TOTAL_LABEL)["covered_area_km2"] == 0.0


def test_line_crossing_zones_is_split_and_measured_geodesically(zones3):
    ox, oy = ea_origin()
    line = shapely.LineString([(ox + 5_000, oy + 5_000), (ox + 15_000, oy + 5_000)])
    result = coverage_by_zone(ea_frame([line]), zones3)
    geodesic_total = hcrs.length_km(hcrs.project_geoms([line], hcrs.EQUAL_AREA, hcrs.WGS84))[0]
    a, b = row(result, "甲区")["covered_length_km"], row(result, "乙区")["covered_length_km"]
    assert a + b == pytest.approx(geodesic_total, rel=1e-6)
    assert a == pytest.approx(5.0, rel=2e-3) and b == pytest.approx(5.0, rel=2e-3)  # Albers scale ≈ 1
    assert row(result, "丙区")["covered_length_km"] == 0.0


def test_overlapping_lines_are_counted_once(zones3):
    ox, oy = ea_origin()
    lines = ea_frame([shapely.LineString([(ox + 1_000, oy + 2_000), (ox + 5_000, oy + 2_000)]),
                      shapely.LineString([(ox + 3_000, oy + 2_000), (ox + 7_000, oy + 2_000)])])
    result = coverage_by_zone(lines, zones3)
    assert row(result, "甲区")["covered_length_km"] == pytest.approx(6.0, rel=2e-3)


def test_empty_targets_give_zero_cover(zones3):
    empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=hcrs.WGS84))
    result = coverage_by_zone(empty, zones3)
    assert len(result) == 4
    assert result["covered_area_km2"].sum() == 0.0 and result["point_count"].sum() == 0
    assert row(result, TOTAL_LABEL)["zone_area_km2"] == pytest.approx(300.0)


@pytest.mark.parametrize("crs", ["EPSG:4549", "EPSG:3857", "EPSG:4326"])
def test_targets_in_another_crs_give_the_same_answer(zones3, crs):
    targets = ea_frame([ea_box(1, 1, 3, 3), ea_box(9, 4, 11, 6)])
    reference = coverage_by_zone(targets, zones3)
    result = coverage_by_zone(targets.to_crs(crs), zones3.to_crs("EPSG:4549"))
    # straight edges stay straight only in the CRS they were drawn in: allow 0.01 %
    np.testing.assert_allclose(result["covered_area_km2"], reference["covered_area_km2"], rtol=1e-4)


def test_list_of_layers_are_unioned_together(zones3):
    a = ea_frame([ea_box(1, 1, 3, 3)])
    b = ea_frame([ea_box(2, 1, 4, 3)]).to_crs(3857)
    result = coverage_by_zone([a, b], zones3)
    assert row(result, "甲区")["covered_area_km2"] == pytest.approx(6.0, rel=1e-6)


def test_buffered_point_covers_a_disc(zones3):
    ox, oy = ea_origin()
    pts = ea_frame([shapely.Point(ox + 5_000, oy + 5_000)])
    result = coverage_by_zone(pts, zones3, buffer_m=1000)
    # a 64-gon of radius 1 km: 32·sin(π/32) km² = 3.1365 km² (0.16 % under π)
    assert row(result, "甲区")["covered_area_km2"] == pytest.approx(32 * np.sin(np.pi / 32), rel=1e-3)
    assert row(result, "甲区")["point_count"] == 1  # counts use the unbuffered points


def test_buffered_line_straddling_zones(zones3):
    ox, oy = ea_origin()
    line = shapely.LineString([(ox + 10_000, oy + 2_000), (ox + 10_000, oy + 8_000)])  # on the 甲|乙 edge
    result = coverage_by_zone(ea_frame([line]), zones3, buffer_m=500)
    # 6 km × 1 km plus two half discs of r = 0.5 km, split evenly
    expected_half = (6.0 + 32 * np.sin(np.pi / 32) * 0.5 ** 2) / 2
    assert row(result, "甲区")["covered_area_km2"] == pytest.approx(expected_half, rel=2e-3)
    assert row(result, "乙区")["covered_area_km2"] == pytest.approx(expected_half, rel=2e-3)


def test_zones_grouped_by_a_field(zones3):
    zones = zones3.assign(city=["杭州市", "杭州市", "宁波市"])
    targets = ea_frame([ea_box(9, 4, 11, 6)])
    result = coverage_by_zone(targets, zones, by="city")
    assert list(result["zone"]) == ["杭州市", "宁波市", TOTAL_LABEL]
    assert row(result, "杭州市")["zone_area_km2"] == pytest.approx(200.0)
    assert row(result, "杭州市")["covered_area_km2"] == pytest.approx(4.0)


def test_attribute_weights_spread_uniformly(zones3):
    targets = ea_frame([ea_box(1, 1, 3, 3), ea_box(2, 1, 4, 3), ea_box(10, 0, 15, 10)])
    result = coverage_by_zone(targets, zones3, weights="population")
    assert row(result, "甲区")["weight_covered"] == pytest.approx(1000 * 0.06)
    assert row(result, "乙区")["weight_covered"] == pytest.approx(2000 * 0.5)
    assert row(result, TOTAL_LABEL)["weight_total"] == pytest.approx(6000)
    assert row(result, TOTAL_LABEL)["weight_share_pct"] == pytest.approx(1060 / 6000 * 100)


def test_raster_weights_sum_pixels_under_the_cover(tmp_path, zones3):
    rasterio = pytest.importorskip("rasterio")
    from rasterio.transform import from_origin

    ox, oy = ea_origin()
    path = tmp_path / "pop.tif"
    data = np.ones((100, 300), dtype="float32")  # 100 m pixels over the three zones, 1 person each
    data[:, 200:] = 5.0
    with rasterio.open(path, "w", driver="GTiff", width=300, height=100, count=1, dtype="float32",
                       crs=hcrs.EQUAL_AREA, transform=from_origin(ox, oy + 10_000, 100, 100)) as ds:
        ds.write(data, 1)
    targets = ea_frame([ea_box(1, 1, 3, 3), ea_box(20, 0, 21, 10)])
    result = coverage_by_zone(targets, zones3, weights=str(path))
    assert row(result, "甲区")["weight_total"] == pytest.approx(10_000)
    assert row(result, "甲区")["weight_covered"] == pytest.approx(400)
    assert row(result, "丙区")["weight_covered"] == pytest.approx(5 * 1000)
    assert row(result, "乙区")["weight_share_pct"] == 0.0


def test_progress_and_cancel(zones3):
    targets = ea_frame([ea_box(1, 1, 3, 3)])
    seen = []
    coverage_by_zone(targets, zones3, progress=seen.append)
    assert seen[-1] == 1.0 and seen == sorted(seen)
    with pytest.raises(CancelledError):
        coverage_by_zone(targets, zones3, cancelled=lambda: True)


def test_bad_input_is_a_hygis_error(zones3):
    targets = ea_frame([ea_box(1, 1, 3, 3)])
    with pytest.raises(HygisError, match="buffer"):
        coverage_by_zone(targets, zones3, buffer_m=-5)
    with pytest.raises(HygisError, match="field 'nope' not found"):
        coverage_by_zone(targets, zones3, by="nope")
    with pytest.raises(HygisError, match="coordinate reference system"):
        coverage_by_zone(gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)]), zones3)


@pytest.mark.parametrize("tiled", [False, True])
def test_agrees_with_overlay_and_dissolve_within_0_1_percent(monkeypatch, tiled):
    if tiled:  # force the tile-by-tile union of big clusters
        monkeypatch.setattr("hygis.analysis._overlay.BIG_CLUSTER", 3)
        monkeypatch.setattr("hygis.analysis._overlay.TILE_PIECES", 5)
    rng = np.random.default_rng(7)
    cells = [ea_box(c * 10, r * 10, (c + 1) * 10, (r + 1) * 10) for r in range(3) for c in range(3)]
    zones = ea_frame(cells, name=[f"z{i}" for i in range(9)]).to_crs(hcrs.WGS84)
    ox, oy = ea_origin()
    n = 400
    cx, cy = ox + rng.uniform(-2e3, 32e3, n), oy + rng.uniform(-2e3, 32e3, n)
    r = rng.uniform(200, 1500, n)
    polys = shapely.buffer(shapely.points(cx, cy), r, quad_segs=3)
    targets = ea_frame(polys).to_crs(hcrs.WGS84)
    ours = coverage_by_zone(targets, zones).set_index("zone")["covered_area_km2"]
    pieces = gpd.overlay(targets.to_crs(hcrs.EQUAL_AREA), zones.to_crs(hcrs.EQUAL_AREA), how="intersection")
    baseline = pieces.dissolve(by="name").area / 1e6
    assert len(baseline) == 9
    for name, value in baseline.items():
        assert ours[name] == pytest.approx(value, rel=1e-3), name
    assert ours[TOTAL_LABEL] == pytest.approx(baseline.sum(), rel=1e-3)


def test_invalid_and_missing_geometries_are_handled(zones3):
    ox, oy = ea_origin()
    # a bow-tie (self-intersecting): two triangles of 1 km² each once repaired; and a missing geometry
    bowtie = shapely.Polygon([(ox + 1000, oy + 1000), (ox + 3000, oy + 3000), (ox + 3000, oy + 1000),
                              (ox + 1000, oy + 3000)])
    targets = ea_frame([bowtie, None])
    zones = zones3.copy()
    zones.loc[3] = ["空区", 0.0, None]
    zones = zones.set_crs(zones3.crs, allow_override=True)  # pandas < 2.2 drops the CRS when .loc adds a row
    result = coverage_by_zone(targets, zones)
    assert row(result, "甲区")["covered_area_km2"] == pytest.approx(2.0, rel=1e-9)
    assert row(result, "空区")["zone_area_km2"] == 0.0 and row(result, "空区")["covered_share_pct"] == 0.0


def test_overlapping_zones_each_get_their_part():
    zones = ea_frame([ea_box(0, 0, 10, 10), ea_box(5, 0, 15, 10)], name=["甲", "乙"])
    targets = ea_frame([ea_box(4, 4, 6, 6), ea_box(1, 1, 2, 2)])  # the first lies inside 甲 and crosses 乙's edge
    result = coverage_by_zone(targets, zones)
    assert row(result, "甲")["covered_area_km2"] == pytest.approx(5.0, rel=1e-9)
    assert row(result, "乙")["covered_area_km2"] == pytest.approx(2.0, rel=1e-9)
