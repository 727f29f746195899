import numpy as np
import pytest
import shapely

from hygis.geo import crs as hcrs
from hygis.core.errors import HygisError

# Published test vectors of the GCJ-02 algorithm (googollee/eviltransform)
KNOWN = [((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
         ((116.404, 39.915), (116.41024449916938, 39.91640428150164))]


@pytest.mark.parametrize("wgs,gcj", KNOWN)
def test_gcj02_forward_matches_published_values(wgs, gcj):
    lon, lat = hcrs.wgs84_to_gcj02(*wgs)
    assert lon == pytest.approx(gcj[0], abs=1e-9)
    assert lat == pytest.approx(gcj[1], abs=1e-9)


def test_offset_around_hangzhou_and_ningbo_is_a_few_hundred_metres():
    lon = np.array([120.155, 121.55])
    lat = np.array([30.274, 29.875])
    glon, glat = hcrs.wgs84_to_gcj02(lon, lat)
    d = hcrs.geodesic_distance_m(lon, lat, glon, glat)
    assert np.all((d > 300) & (d < 700))


def test_gcj02_and_bd09_round_trips_below_half_a_metre():
    rng = np.random.default_rng(1)
    lon = rng.uniform(118, 123, 2000)
    lat = rng.uniform(27, 31.5, 2000)
    for fwd, inv in ((hcrs.wgs84_to_gcj02, hcrs.gcj02_to_wgs84), (hcrs.wgs84_to_bd09, hcrs.bd09_to_wgs84),
                     (hcrs.gcj02_to_bd09, hcrs.bd09_to_gcj02)):
        back = inv(*fwd(lon, lat))
        err = hcrs.geodesic_distance_m(lon, lat, back[0], back[1])
        assert err.max() < 0.5, fwd.__name__
        assert err.max() < 0.01  # in fact far better


def test_bd09_offset_from_gcj02():
    blon, blat = hcrs.gcj02_to_bd09(120.155, 30.274)
    assert 0.004 < blon - 120.155 < 0.009 and 0.004 < blat - 30.274 < 0.009


def test_outside_china_is_not_shifted():
    lon, lat = hcrs.wgs84_to_gcj02(np.array([2.35]), np.array([48.85]))
    assert lon[0] == 2.35 and lat[0] == 48.85


def test_datum_conversion_of_geometries():
    pt = shapely.Point(120.155, 30.274)
    gcj = hcrs.wgs84_to_datum([pt], "gcj02")[0]
    back = hcrs.datum_to_wgs84([gcj], "Amap")[0]
    assert back.distance(pt) < 1e-8
    assert hcrs.datum_to_wgs84([pt], "wgs84")[0].equals(pt)
    with pytest.raises(HygisError, match="Unknown datum"):
        hcrs.normalize_datum("mars")


def test_area_of_one_degree_cell_matches_ellipsoidal_formula():
    # Exact area of a lon/lat cell on the WGS84 ellipsoid via pyproj's geodesic polygon area
    cell = shapely.box(120, 30, 121, 31)
    dense = shapely.segmentize(cell, 0.001)  # follow parallels as the equal-area projection does
    geod_area, _ = hcrs.GEOD.geometry_area_perimeter(dense)
    assert hcrs.area_km2([cell])[0] == pytest.approx(abs(geod_area) / 1e6, rel=1e-4)
    assert hcrs.area_km2([cell])[0] == pytest.approx(10642.3, rel=1e-3)


def test_geodesic_lengths():
    # one degree of longitude along the equator = 111.319 km on WGS84
    assert hcrs.length_km([shapely.LineString([(0, 0), (1, 0)])])[0] == pytest.approx(111.3195, rel=1e-5)
    multi = shapely.MultiLineString([[(0, 0), (1, 0)], [(0, 1), (0, 2)]])
    one_deg_lat = hcrs.geodesic_distance_m(0, 1, 0, 2) / 1000
    assert hcrs.length_km([multi])[0] == pytest.approx(111.3195 + one_deg_lat, rel=1e-6)
    # a polygon's length is its perimeter
    poly = shapely.box(0, 0, 1, 1)
    assert hcrs.length_km([poly])[0] == pytest.approx(hcrs.length_km([poly.boundary])[0])


def test_lengths_from_a_projected_crs():
    line = shapely.LineString([(500000, 3300000), (510000, 3300000)])  # 10 km east in GK CM120
    assert hcrs.length_km([line], crs="EPSG:4549")[0] == pytest.approx(10.0, rel=2e-3)


def test_gauss_kruger_zone_and_false_easting():
    zone, e, n = hcrs.gauss_kruger_3deg(120.0, 30.0)
    assert zone == 40 and e == pytest.approx(40_500_000, abs=1) and 3_300_000 < n < 3_330_000


def test_parse_crs():
    assert hcrs.parse_crs("4549").to_epsg() == 4549
    with pytest.raises(HygisError):
        hcrs.parse_crs("not a crs")
