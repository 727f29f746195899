"""The drawing fast path: layers read from GDAL's Arrow stream as flat arrays (hygis.io.flatread),
decoded from WKB with numpy (hygis.io.wkb), the same features as the ordinary reader."""

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from hygis.io import wkb
from hygis.io.flatread import read_flat_layer
from hygis.io.readers import read_vector


def _write(path, geoms, crs="EPSG:4326", **cols):
    gdf = gpd.GeoDataFrame(cols, geometry=geoms, crs=crs)
    pyogrio.write_dataframe(gdf, path, layer="p")
    return path


def _squares(n):
    return [shapely.box(120 + i * 0.01, 30, 120.005 + i * 0.01, 30.005 + (i % 3) * 0.001) for i in range(n)]


def _same_geometries(flat_layer, frame):
    a, b = flat_layer.data.geometry.to_numpy(), frame.geometry.to_numpy()
    both = [x is None and y is None or (x is not None and y is not None and shapely.equals_exact(x, y, 0))
            for x, y in zip(a, b)]
    return len(a) == len(b) and all(both)


def test_simple_polygons_read_like_read_vector(tmp_path):
    path = _write(tmp_path / "a.gpkg", _squares(50), n=np.arange(50), v=np.linspace(0, 1, 50),
                  name=[f"区{i}" for i in range(50)])
    fast, plain = read_flat_layer(path, "p", "a"), read_vector(path, "p")
    assert fast.flat is not None and fast.flat.family == "polygon" and fast.feature_count == 50
    assert fast.fields == [c for c in plain.columns if c != "geometry"]
    assert fast.attributes["name"].tolist() == plain["name"].tolist() and fast.attributes["n"].dtype == plain["n"].dtype
    assert np.array_equal(fast.attributes["v"], plain["v"])
    assert fast.bounds == pytest.approx(tuple(plain.total_bounds))
    assert fast.flat is not None  # nothing above built shapely geometries
    assert _same_geometries(fast, plain)


def test_holes_multipolygons_and_null_geometries(tmp_path):
    holed = shapely.Polygon(shapely.box(120, 30, 121, 31).exterior.coords,
                            [shapely.box(120.2, 30.2, 120.4, 30.4).exterior.coords,
                             shapely.box(120.6, 30.6, 120.7, 30.7).exterior.coords])
    multi = shapely.MultiPolygon([shapely.box(122, 30, 122.5, 30.5), holed])
    geoms = [holed, None, multi] + _squares(3) + [shapely.MultiPolygon([shapely.box(119, 29, 119.1, 29.1)])]
    path = _write(tmp_path / "h.gpkg", geoms, k=np.arange(7))
    fast, plain = read_flat_layer(path, "p", "h"), read_vector(path, "p")
    assert fast is not None and fast.geometry_type == "polygon"
    assert fast.flat.null.tolist() == [False, True] + [False] * 5
    assert int(fast.flat.exterior().sum()) == 1 + 2 + 3 + 1  # one shell per polygon part
    assert _same_geometries(fast, plain)


@pytest.mark.parametrize("geoms, family", [
    ([shapely.LineString([(120, 30), (120.1, 30.2), (120.3, 30.1)]),
      shapely.MultiLineString([[(121, 30), (121.1, 30.1)], [(121.2, 30.2), (121.3, 30.2), (121.4, 30.5)]])], "line"),
    ([shapely.Point(120, 30), shapely.MultiPoint([(121, 30), (121.5, 30.5)]), shapely.Point(122, 31)], "point"),
])
def test_lines_and_points(tmp_path, geoms, family):
    path = _write(tmp_path / f"{family}.gpkg", geoms, k=np.arange(len(geoms)))
    fast, plain = read_flat_layer(path, "p", family), read_vector(path, "p")
    assert fast.geometry_type == family and _same_geometries(fast, plain)


def test_other_crs_is_reprojected_to_wgs84(tmp_path):
    boxes = [shapely.box(500_000 + i * 1000, 3_300_000, 500_500 + i * 1000, 3_300_800) for i in range(4)]
    path = _write(tmp_path / "cgcs.gpkg", boxes, crs="EPSG:4549", k=np.arange(4))
    fast = read_flat_layer(path, "p", "c")
    plain = read_vector(path, "p").to_crs("EPSG:4326")
    assert np.allclose(shapely.get_coordinates(fast.data.geometry.to_numpy()),
                       shapely.get_coordinates(plain.geometry.to_numpy()), atol=1e-9)


def test_mixed_families_and_3d_take_the_ordinary_path(tmp_path):
    mixed = _write(tmp_path / "m.gpkg", [shapely.Point(120, 30), shapely.box(120, 30, 121, 31)], k=[1, 2])
    assert read_flat_layer(mixed, "p", "m") is None
    z = _write(tmp_path / "z.gpkg", [shapely.Point(120, 30, 5)], k=[1])
    assert read_flat_layer(z, "p", "z") is None
    assert wkb.decode(np.frombuffer(b"\x00\x00\x00\x00\x01" + bytes(16), np.uint8), np.array([0, 21])) is None  # big-endian


def test_many_batches_and_numeric_nulls_read_like_read_vector(tmp_path):
    """Over 65 536 features GDAL hands several Arrow batches; a numeric column with missing values
    is read through GDAL (nulls stay nulls), the others straight from the Arrow buffers."""
    n = 70_000
    rng = np.random.default_rng(3)
    x, y = 120 + rng.random(n), 30 + rng.random(n)
    geoms = shapely.box(x, y, x + 0.001, y + 0.002)
    with_gaps = rng.random(n)
    with_gaps[::7] = np.nan
    path = _write(tmp_path / "big.gpkg", geoms, k=np.arange(n), gaps=with_gaps)
    fast, plain = read_flat_layer(path, "p", "big"), read_vector(path, "p")
    attrs = fast.attributes
    assert fast.feature_count == n and list(attrs.columns) == [c for c in plain.columns if c != "geometry"]
    assert np.array_equal(attrs["k"], plain["k"]) and attrs["k"].dtype == plain["k"].dtype
    assert np.array_equal(attrs["gaps"].isna(), plain["gaps"].isna()) and attrs["gaps"].isna().sum() == len(range(0, n, 7))
    assert np.allclose(attrs["gaps"].dropna(), plain["gaps"].dropna())
    assert _same_geometries(fast, plain)


def test_flatgeobuf_takes_the_fast_path_too(tmp_path):
    path = tmp_path / "a.fgb"
    gpd.GeoDataFrame({"n": np.arange(5)}, geometry=_squares(5), crs="EPSG:4326").to_file(path, engine="pyogrio")
    fast, plain = read_flat_layer(path, None, "a"), read_vector(path)
    assert fast is not None and fast.attributes["n"].tolist() == plain["n"].tolist()  # FlatGeobuf keeps its own order
    assert _same_geometries(fast, plain)


def test_a_flat_layer_becomes_an_ordinary_layer_when_its_data_is_replaced(tmp_path):
    path = _write(tmp_path / "a.gpkg", _squares(4), n=np.arange(4))
    layer = read_flat_layer(path, "p", "a")
    frame = layer.data.iloc[:2].copy()
    layer.set_data(frame)
    assert layer.flat is None and layer.feature_count == 2 and layer.bounds == pytest.approx(tuple(frame.total_bounds))
    assert layer.new_fid() not in (0, 1)
