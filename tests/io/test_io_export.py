"""Export → import round trips for every format, GBK shapefiles, output datums, selections."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from hygis.geo.crs import wgs84_to_gcj02
from hygis.core.errors import HygisError
from hygis.io import export_layer, load_layers
from hygis.layers.vector import VectorLayer
from tests.factories import enclave_layer
from tests.io.conftest import district_frame

FORMATS = [".gpkg", ".shp", ".geojson", ".kml", ".csv", ".fgb", ".parquet"]


def _districts():
    return VectorLayer("区县", district_frame())


def _assert_same(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, columns):
    assert len(a) == len(b)
    for ga, gb in zip(a.geometry, b.geometry):
        assert shapely.equals_exact(shapely.normalize(ga), shapely.normalize(gb), tolerance=1e-7), (ga, gb)
    for col in columns:
        assert [None if pd.isna(v) else v for v in a[col]] == [None if pd.isna(v) else v for v in b[col]], col


@pytest.mark.parametrize("ext", FORMATS)
def test_round_trip_polygons_keeps_geometry_and_chinese_attributes(tmp_path, ext):
    layer = _districts()
    out = export_layer(layer, tmp_path / f"区县{ext}")
    back, = load_layers(out)
    _assert_same(layer.data, back.data, ["name", "city", "rank", "pop_wan"])


@pytest.mark.parametrize("ext", FORMATS)
def test_round_trip_thematic_points(tmp_path, ext):
    layer = enclave_layer(4)
    out = export_layer(layer, tmp_path / f"飞地{ext}", allow_truncate=True)  # shapefile names: 10 bytes
    fields = ["name", "host_city", "origin_city", "enclave_type", "status", "source"]
    back, = load_layers(out, as_kind="enclave")  # a shapefile's cut names (enclave_ty ...) are matched
    if ext == ".shp":
        assert "enclave_ty" not in back.data.columns
    _assert_same(layer.data, back.data, fields + ["year_opened"])


def test_shapefile_utf8_has_cpg_and_gbk_is_readable_as_gbk(tmp_path):
    layer = _districts()
    export_layer(layer, tmp_path / "u.shp")
    assert (tmp_path / "u.cpg").read_text() == "UTF-8"
    export_layer(layer, tmp_path / "g.shp", encoding="gbk")
    assert (tmp_path / "g.cpg").read_text() == "GBK"
    raw = (tmp_path / "g.dbf").read_bytes()
    assert "西湖区".encode("gbk") in raw and "西湖区".encode("utf-8") not in raw
    (tmp_path / "g.cpg").unlink()  # old tools drop it: still detected
    assert load_layers(tmp_path / "g.shp")[0].data["name"].tolist() == ["西湖区", "鄞州区"]


def test_gbk_csv_and_unencodable_text(tmp_path):
    layer = enclave_layer(2)
    export_layer(layer, tmp_path / "e.csv", encoding="gbk")
    text = (tmp_path / "e.csv").read_bytes().decode("gbk")
    assert text.splitlines()[0].startswith("lon,lat,name") and "飞地0" in text
    emoji = VectorLayer("x", gpd.GeoDataFrame({"name": ["ok", "咖啡☕"]}, geometry=[shapely.Point(120, 30)] * 2, crs=4326))
    (tmp_path / "x.shp").write_bytes(b"old")
    with pytest.raises(HygisError, match="feature 2 field 'name'.*GBK"):
        export_layer(emoji, tmp_path / "x.shp", encoding="gbk")
    assert (tmp_path / "x.shp").read_bytes() == b"old"  # nothing half-written
    with pytest.raises(HygisError, match="always UTF-8"):
        export_layer(layer, tmp_path / "e.geojson", encoding="gbk")


def test_output_datums(tmp_path):
    layer = enclave_layer(3)
    export_layer(layer, tmp_path / "amap.csv", datum="gcj02")
    table = pd.read_csv(tmp_path / "amap.csv", encoding="utf-8-sig")
    gx, gy = wgs84_to_gcj02(layer.data.geometry.x.to_numpy(), layer.data.geometry.y.to_numpy())
    assert np.allclose(table["lon"], gx, atol=1e-9) and np.allclose(table["lat"], gy, atol=1e-9)
    back, = load_layers(tmp_path / "amap.csv", datum="gcj02")
    assert np.allclose(back.data.geometry.x, layer.data.geometry.x, atol=1e-8)
    export_layer(layer, tmp_path / "amap.gpkg", datum="gcj02")
    assert pyogrio.read_info(tmp_path / "amap.gpkg")["crs"] == "EPSG:4326"
    export_layer(layer, tmp_path / "cgcs.gpkg", datum="cgcs2000")
    assert pyogrio.read_info(tmp_path / "cgcs.gpkg")["crs"] == "EPSG:4490"
    assert np.allclose(pyogrio.read_dataframe(tmp_path / "cgcs.gpkg").geometry.x, layer.data.geometry.x)


def test_selection_and_wkt_csv(tmp_path):
    layer = _districts()
    export_layer(layer, tmp_path / "sel.geojson", fids=[1])
    assert load_layers(tmp_path / "sel.geojson")[0].data["name"].tolist() == ["鄞州区"]
    with pytest.raises(HygisError, match="no features with fid"):
        export_layer(layer, tmp_path / "sel.geojson", fids=[7])
    export_layer(layer, tmp_path / "poly.csv")
    assert (tmp_path / "poly.csv").read_text(encoding="utf-8-sig").startswith("wkt,name,city")


def test_bad_targets(tmp_path):
    layer = _districts()
    with pytest.raises(HygisError, match=r"cannot export to '\.dwg'"):
        export_layer(layer, tmp_path / "a.dwg")
    with pytest.raises(HygisError, match="No such folder"):
        export_layer(layer, tmp_path / "nope" / "a.gpkg")
    mixed = VectorLayer("m", gpd.GeoDataFrame({"a": [1, 2]}, geometry=[shapely.Point(120, 30), shapely.box(120, 30, 121, 31)], crs=4326))
    with pytest.raises(HygisError, match="one geometry type"):
        export_layer(mixed, tmp_path / "m.shp")
    assert not list(tmp_path.glob("*hygis-export*"))  # temporary files are cleaned up


def test_export_replaces_an_older_file_and_its_stale_parts(tmp_path):
    layer = _districts()
    export_layer(layer, tmp_path / "d.shp", encoding="gbk")
    export_layer(layer, tmp_path / "d.geojson")
    export_layer(enclave_layer(1), tmp_path / "d.geojson")
    assert load_layers(tmp_path / "d.geojson")[0].feature_count == 1
    (tmp_path / "d.cpg").unlink()
    export_layer(layer, tmp_path / "d.shp")
    assert (tmp_path / "d.cpg").read_text() == "UTF-8"
    assert load_layers(tmp_path / "d.shp")[0].data["name"].tolist() == ["西湖区", "鄞州区"]
