"""Adjacency pairs, contiguity and the plan's example questions on hand-made squares."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from hygis.geo import crs as hcrs
from hygis.analysis.adjacency import PAIR_COLUMNS, adjacency_pairs
from hygis.analysis.contiguity import (adjacency_matrix, districts_hosting, ftz_near_corridors,
                                       heritage_near_coastline, hosting_districts_contiguity, zone_contiguity)
from hygis.core.errors import CancelledError, HygisError

from .conftest import GK_X0, GK_Y0, gk_box, gk_frame, grid3x3


@pytest.fixture
def squares():
    # 甲 [0,10]², 乙 touches 甲 along a 10 km edge, 丙 overlaps 甲 by 1 km × 2 km, 丁 lies 3 km east of 乙
    return gk_frame([gk_box(0, 0, 10, 10), gk_box(10, 0, 20, 10), gk_box(-1, 4, 1, 6), gk_box(23, 0, 25, 10)],
                    name=["甲", "乙", "丙", "丁"])


def pair(result, a, b):
    hit = result[(result["a_name"] == a) & (result["b_name"] == b)]
    assert len(hit) == 1, (a, b, result)
    return hit.iloc[0]


def test_touching_and_overlapping_pairs_within_one_layer(squares):
    result = adjacency_pairs(squares)
    assert list(result.columns) == PAIR_COLUMNS
    assert len(result) == 2  # 甲–乙 touch, 甲–丙 overlap; 丁 is apart
    touch = pair(result, "甲", "乙")
    assert touch["relation"] == "touches"
    assert touch["shared_length_km"] == pytest.approx(10.0, rel=1e-4)
    assert touch["overlap_area_km2"] == 0.0
    over = pair(result, "甲", "丙")
    assert over["relation"] == "overlaps"
    assert over["overlap_area_km2"] == pytest.approx(2.0, rel=1e-3)
    assert result.attrs["symmetric"] is True
    assert list(result["a_id"]) == [0, 0] and list(result["b_id"]) == [1, 2]


def test_within_distance_is_geodesic(squares):
    near = adjacency_pairs(squares, distance_m=5000)
    far = pair(near, "乙", "丁")
    assert far["relation"] == "within_distance"
    assert far["distance_m"] == pytest.approx(3000.0, rel=1e-4)
    assert pair(near, "甲", "乙")["distance_m"] == 0.0
    assert len(adjacency_pairs(squares, distance_m=2000)) == 2


def test_between_two_layers_and_point_in_polygon(squares):
    pts = gk_frame([shapely.Point(GK_X0 + 5000, GK_Y0 + 5000), shapely.Point(GK_X0 + 30_000, GK_Y0)],
                   name=["点1", "点2"])
    result = adjacency_pairs(pts, squares)
    assert len(result) == 1
    hit = pair(result, "点1", "甲")
    assert hit["relation"] == "intersects" and hit["distance_m"] == 0.0
    assert result.attrs["symmetric"] is False


def test_empty_layer_gives_no_pairs(squares):
    empty = gpd.GeoDataFrame({"name": []}, geometry=gpd.GeoSeries([], crs=hcrs.WGS84))
    assert adjacency_pairs(empty, squares, distance_m=1000).empty
    assert list(adjacency_pairs(empty).columns) == PAIR_COLUMNS


def test_bad_distance_and_cancel(squares):
    with pytest.raises(HygisError, match="distance"):
        adjacency_pairs(squares, distance_m=-1)
    with pytest.raises(CancelledError):
        adjacency_pairs(squares, cancelled=lambda: True)


def test_queen_and_rook_contiguity_on_a_3x3_grid():
    grid = grid3x3()
    queen = zone_contiguity(grid, "queen")
    rook = zone_contiguity(grid, "rook")
    assert len(rook) == 12 and len(queen) == 20
    centre_queen = queen[(queen["a_name"] == "r1c1") | (queen["b_name"] == "r1c1")]
    centre_rook = rook[(rook["a_name"] == "r1c1") | (rook["b_name"] == "r1c1")]
    assert len(centre_queen) == 8 and len(centre_rook) == 4
    assert pair(rook, "r0c0", "r0c1")["shared_length_km"] == pytest.approx(10.0, rel=1e-4)
    assert pair(queen, "r0c0", "r1c1")["shared_length_km"] == 0.0  # corner contact
    matrix = adjacency_matrix(queen)
    assert matrix.shape == (9, 9)
    assert (matrix.to_numpy() == matrix.to_numpy().T).all()
    assert matrix.to_numpy().sum() == 40
    assert matrix.loc["r1c1"].sum() == 8 and matrix.loc["r0c0", "r2c2"] == 0


def test_matrix_between_two_layers(squares):
    pts = gk_frame([shapely.Point(GK_X0 + 5000, GK_Y0 + 5000)], name=["点1"])
    matrix = adjacency_matrix(adjacency_pairs(pts, squares, distance_m=6000))
    assert list(matrix.index) == ["点1"]
    assert matrix.loc["点1"].to_dict() == {"甲": 1, "乙": 1, "丙": 1}


def test_districts_hosting_enclaves_and_which_border_each_other():
    grid = grid3x3()
    points = gk_frame([shapely.Point(GK_X0 + 5000, GK_Y0 + 5000),      # r0c0
                       shapely.Point(GK_X0 + 15_000, GK_Y0 + 5000),    # r0c1
                       shapely.Point(GK_X0 + 16_000, GK_Y0 + 6000),    # r0c1 again
                       shapely.Point(GK_X0 + 25_000, GK_Y0 + 25_000)])  # r2c2
    hosting = districts_hosting(points, grid)
    assert dict(zip(hosting["name"], hosting["point_count"])) == {"r0c0": 1, "r0c1": 2, "r2c2": 1}
    pairs = hosting_districts_contiguity(points, grid, kind="rook")
    assert list(zip(pairs["a_name"], pairs["b_name"])) == [("r0c0", "r0c1")]


def test_ftz_within_5_km_of_corridor():
    corridor = gk_frame([gk_box(0, 0, 10, 10)], name=["城西科创大走廊"])
    ftz = gk_frame([gk_box(14, 0, 16, 2), gk_box(16, 0, 18, 2), gk_box(5, 5, 6, 6)],
                   name=["钱塘区块", "远处区块", "滨江区块"])
    result = ftz_near_corridors(ftz, corridor)
    assert dict(zip(result["a_name"], result["relation"])) == {"钱塘区块": "within_distance", "滨江区块": "overlaps"}
    assert pair(result, "钱塘区块", "城西科创大走廊")["distance_m"] == pytest.approx(4000, rel=1e-4)


def test_heritage_within_1_km_of_coastline():
    coast = gk_frame([shapely.LineString([(GK_X0, GK_Y0), (GK_X0 + 20_000, GK_Y0)])], name=["象山港岸段"])
    heritage = gk_frame([shapely.Point(GK_X0 + 5000, GK_Y0 + 800), shapely.Point(GK_X0 + 5000, GK_Y0 + 1500)],
                        name=["近岸遗产点", "远岸遗产点"])
    result = heritage_near_coastline(heritage.to_crs(hcrs.WGS84), coast)
    assert list(result["a_name"]) == ["近岸遗产点"]
    assert result["distance_m"].iloc[0] == pytest.approx(800, rel=1e-3)
    assert np.isclose(result["distance_m"].iloc[0], 800, atol=1)
