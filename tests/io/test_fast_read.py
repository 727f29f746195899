"""The drawing fast path of hygis.io.readers: simple polygons from GDAL's Arrow stream."""

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from hygis.io.readers import read_simple_polygons, read_vector


def _write(path, geoms, **cols):
    gdf = gpd.GeoDataFrame(cols, geometry=geoms, crs="EPSG:4326")
    pyogrio.write_dataframe(gdf, path, layer="p")
    return path


def _squares(n):
    return [shapely.box(120 + i * 0.01, 30, 120.005 + i * 0.01, 30.005 + (i % 3) * 0.001) for i in range(n)]


def test_simple_polygons_read_like_read_vector(tmp_path):
    path = _write(tmp_path / "a.gpkg", _squares(50), n=np.arange(50), v=np.linspace(0, 1, 50),
                  name=[f"区{i}" for i in range(50)])
    fast, plain = read_simple_polygons(path, "p"), read_vector(path, "p")
    assert list(fast.columns) == list(plain.columns) and fast.crs == plain.crs
    assert fast["name"].tolist() == plain["name"].tolist() and fast["n"].dtype == plain["n"].dtype
    assert np.array_equal(fast["v"], plain["v"])
    assert shapely.equals_exact(fast.geometry.to_numpy(), plain.geometry.to_numpy(), tolerance=0).all()


def test_anything_but_simple_polygons_takes_the_ordinary_path(tmp_path):
    holed = shapely.Polygon(shapely.box(120, 30, 121, 31).exterior.coords, [shapely.box(120.2, 30.2, 120.4, 30.4).exterior.coords])
    assert read_simple_polygons(_write(tmp_path / "h.gpkg", [holed] + _squares(3), k=[1, 2, 3, 4]), "p") is None
    multi = [shapely.MultiPolygon([g]) for g in _squares(3)]
    assert read_simple_polygons(_write(tmp_path / "m.gpkg", multi, k=[1, 2, 3]), "p") is None
    pts = [shapely.Point(120, 30)]
    assert read_simple_polygons(_write(tmp_path / "p.gpkg", pts, k=[1]), "p") is None


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
    fast, plain = read_simple_polygons(path, "p"), read_vector(path, "p")
    assert len(fast) == n and list(fast.columns) == list(plain.columns)
    assert np.array_equal(fast["k"], plain["k"]) and fast["k"].dtype == plain["k"].dtype
    assert np.array_equal(fast["gaps"].isna(), plain["gaps"].isna()) and fast["gaps"].isna().sum() == len(range(0, n, 7))
    assert np.allclose(fast["gaps"].dropna(), plain["gaps"].dropna())
    assert shapely.equals_exact(fast.geometry.to_numpy(), plain.geometry.to_numpy(), tolerance=0).all()


def test_flatgeobuf_takes_the_fast_path_too(tmp_path):
    path = tmp_path / "a.fgb"
    gpd.GeoDataFrame({"n": np.arange(5)}, geometry=_squares(5), crs="EPSG:4326").to_file(path, engine="pyogrio")
    fast, plain = read_simple_polygons(path), read_vector(path)
    assert fast is not None and fast["n"].tolist() == plain["n"].tolist()  # FlatGeobuf keeps its own (spatial) order
    assert sorted(fast["n"]) == list(range(5))
    assert shapely.equals_exact(fast.geometry.to_numpy(), plain.geometry.to_numpy(), tolerance=0).all()
