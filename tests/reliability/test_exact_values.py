"""Values come back as they went in (issue 16): 64-bit codes, floats, dates, CSV geometries,
text encodings, Shapefile record counts, world files and south-up rasters.  Own inputs only."""

from __future__ import annotations

import json
import shutil
import subprocess

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from hygis.core.errors import HygisError
from hygis.io import export_layer, load_layers
from hygis.layers.vector import VectorLayer

#: 2**53 + 1 and 2**53 are different codes that float64 makes equal.
BIG = [9007199254740993, 9007199254740992]


def test_int64_codes_stay_distinct_through_csv(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text(f"lon,lat,code\n120.1,30.1,{BIG[0]}\n120.2,30.2,{BIG[1]}\n120.3,30.3,\n", encoding="utf-8")
    layer, = load_layers(path)
    assert str(layer.data["code"].dtype) == "Int64"
    assert layer.data["code"].tolist()[:2] == BIG and pd.isna(layer.data["code"].iloc[2])


def test_int64_codes_stay_distinct_through_geojson(tmp_path):
    feats = [{"type": "Feature", "properties": {"code": c}, "geometry": {"type": "Point", "coordinates": [120, 30]}}
             for c in BIG + [None]]
    path = tmp_path / "codes.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    layer, = load_layers(path)
    assert str(layer.data["code"].dtype) == "Int64"
    assert layer.data["code"].tolist()[:2] == BIG and pd.isna(layer.data["code"].iloc[2])
    export_layer(layer, tmp_path / "again.csv")
    again, = load_layers(tmp_path / "again.csv")
    assert again.data["code"].tolist()[:2] == BIG


def test_floats_round_trip_exactly_through_csv(tmp_path):
    values = [0.1 + 0.2, 1 / 3, 1e-17, 123456789.123456789, -2.5e300]
    layer = VectorLayer("v", gpd.GeoDataFrame({"v": values}, geometry=shapely.points(np.linspace(120, 121, 5), 30.0),
                                              crs=4326))
    export_layer(layer, tmp_path / "f.csv")
    back, = load_layers(tmp_path / "f.csv")
    assert back.data["v"].tolist() == values  # bit for bit, not 10 significant digits
    assert back.data.geometry.x.tolist() == layer.data.geometry.x.tolist()


def _dated_layer():
    frame = gpd.GeoDataFrame({"name": ["甲", "乙"], "opened": pd.to_datetime(["2019-03-01", "2024-12-31"])},
                             geometry=[shapely.Point(120, 30), shapely.Point(121, 30)], crs=4326)
    return VectorLayer("dated", frame)


@pytest.mark.parametrize("ext", [".shp", ".gpkg", ".geojson", ".fgb", ".parquet"])
def test_dates_stay_dates(tmp_path, ext):
    out = export_layer(_dated_layer(), tmp_path / f"d{ext}")
    back, = load_layers(out)
    col = back.data["opened"]
    assert pd.api.types.is_datetime64_any_dtype(col) or isinstance(col.iloc[0], __import__("datetime").date)
    assert [pd.Timestamp(v).date().isoformat() for v in col] == ["2019-03-01", "2024-12-31"]
    if ext == ".shp" and shutil.which("/usr/bin/ogrinfo"):
        text = subprocess.run(["/usr/bin/ogrinfo", "-ro", "-so", "-al", str(out)], capture_output=True, text=True).stdout
        assert "opened: Date" in text


def test_polygon_csv_with_lon_lat_attributes_comes_back_as_polygons(tmp_path):
    frame = gpd.GeoDataFrame({"name": ["园区"], "lon": [120.5], "lat": [30.5]},
                             geometry=[shapely.box(120, 30, 121, 31)], crs=4326)
    export_layer(VectorLayer("p", frame), tmp_path / "p.csv")
    back, = load_layers(tmp_path / "p.csv")
    assert back.geometry_type == "polygon" and back.data.geometry[0].equals(shapely.box(120, 30, 121, 31))
    assert back.data["lon"].tolist() == [120.5] and back.data["lat"].tolist() == [30.5]


def test_points_with_lon_lat_attributes_and_a_null_geometry_survive_csv(tmp_path):
    frame = gpd.GeoDataFrame({"name": ["a", "b", "无位置"], "lon": [1.0, 2.0, 3.0]},
                             geometry=[shapely.Point(120, 30), shapely.Point(121, 31), None], crs=4326)
    export_layer(VectorLayer("p", frame), tmp_path / "p.csv")
    back, = load_layers(tmp_path / "p.csv")
    assert back.feature_count == 3 and back.data.geometry[2] is None
    assert back.data.geometry[1].equals(shapely.Point(121, 31)) and back.data["lon"].tolist() == [1.0, 2.0, 3.0]
    plain = gpd.GeoDataFrame({"name": ["a", "无位置"]}, geometry=[shapely.Point(120, 30), None], crs=4326)
    export_layer(VectorLayer("q", plain), tmp_path / "q.csv")
    assert (tmp_path / "q.csv").read_text(encoding="utf-8-sig").splitlines()[0] == "lon,lat,name"
    back, = load_layers(tmp_path / "q.csv")
    assert back.feature_count == 2 and back.data.geometry[1] is None


def _dbf_without_code_page(path, names, encoding):
    frame = gpd.GeoDataFrame({"name": names}, geometry=shapely.points(np.arange(len(names)) * 0.01 + 120, 30.0),
                             crs=4326)
    pyogrio.write_dataframe(frame, path, encoding=encoding.upper())
    path.with_suffix(".cpg").unlink()
    with open(path.with_suffix(".dbf"), "r+b") as f:
        f.seek(29)
        f.write(b"\x00")
    return path


@pytest.mark.parametrize("encoding,names", [
    ("latin1", ["Café Müller", "Zürich Straße", "Genève", "Ærøskøbing"]),
    ("cp1252", ["São Paulo", "Bücherei", "déjà vu", "Œuvre"]),
    ("shift_jis", ["東京都", "さいたま市", "横浜市中区", "カタカナ"]),
    ("latin1", ["José", "café", "Zoé", "André"]),  # é at the end looks like UTF-8 cut short: it is not
])
def test_latin1_and_shift_jis_are_not_taken_for_gbk(tmp_path, encoding, names):
    shp = _dbf_without_code_page(tmp_path / "t.shp", names, encoding)
    with pytest.raises(HygisError, match=r"cannot tell the text encoding.*--encoding"):
        load_layers(shp)
    layer, = load_layers(shp, encoding=encoding)
    assert layer.data["name"].tolist() == names
    csv = tmp_path / "t.csv"
    csv.write_bytes(("lon,lat,name\n" + "".join(f"120.{i},30,{n}\n" for i, n in enumerate(names))).encode(encoding))
    with pytest.raises(HygisError, match=r"cannot tell the text encoding.*--encoding"):
        load_layers(csv)
    assert load_layers(csv, encoding=encoding)[0].data["name"].tolist() == names


def test_gbk_chinese_is_still_detected(tmp_path):
    names = ["西湖区", "鄞州区", "余杭区（临平）", "宁波·北仑"]
    shp = _dbf_without_code_page(tmp_path / "g.shp", names, "gbk")
    assert load_layers(shp)[0].data["name"].tolist() == names


def test_shapes_beyond_the_dbf_records_are_refused_with_both_counts(tmp_path):
    frame = gpd.GeoDataFrame({"n": [1, 2, 3]}, geometry=shapely.points([120, 121, 122], 30.0), crs=4326)
    pyogrio.write_dataframe(frame, tmp_path / "three.shp")
    pyogrio.write_dataframe(frame.iloc[:2], tmp_path / "two.shp")
    shutil.copy(tmp_path / "two.dbf", tmp_path / "three.dbf")  # attributes of another, shorter file
    with pytest.raises(HygisError, match=r"3 shapes \(\.shx\) but 2 attribute records \(\.dbf\)"):
        load_layers(tmp_path / "three.shp")


def _tiff(path, transform=None, crs=None, data=None):
    import rasterio

    data = np.arange(12, dtype="float32").reshape(3, 4) if data is None else data
    kw = {"transform": transform} if transform is not None else {}
    if crs is not None:
        kw["crs"] = crs
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with rasterio.open(path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0], count=1,
                           dtype=data.dtype, **kw) as ds:
            ds.write(data, 1)
    return path


def test_world_file_places_the_raster(tmp_path):
    tif = _tiff(tmp_path / "scan.tif")
    # 0.01° pixels, upper-left pixel centre at 120.005, 30.995 (world files give pixel centres)
    tif.with_suffix(".tfw").write_text("0.01\n0\n0\n-0.01\n120.005\n30.995\n")
    with pytest.raises(HygisError, match="coordinate reference system"):
        load_layers(tif)
    layer, = load_layers(tif, crs="EPSG:4326")
    assert np.allclose(layer.bounds, (120.0, 30.97, 120.04, 31.0))
    assert any("world file" in w for w in layer.import_warnings)


def test_south_up_raster_has_ordered_bounds(tmp_path):
    from rasterio.transform import Affine

    tif = _tiff(tmp_path / "southup.tif", transform=Affine(0.01, 0, 120.0, 0, 0.01, 30.0), crs="EPSG:4326")
    layer, = load_layers(tif)
    west, south, east, north = layer.bounds
    assert west < east and south < north
    assert np.allclose((west, south, east, north), (120.0, 30.0, 120.04, 30.03))
    from hygis.cli.info import file_info  # `hygis info southup.tif` too (it printed south > north)

    info = file_info(tif)
    assert np.allclose(info["bounds"], (120.0, 30.0, 120.04, 30.03))
    assert np.allclose(info["bounds_wgs84"], (120.0, 30.0, 120.04, 30.03))
