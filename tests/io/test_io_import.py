"""Importing GeoPackage, Shapefile, GeoJSON, KML, CSV (Amap GCJ-02), DXF and GeoTIFF; clear errors."""

import warnings

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from hygis.geo.crs import geodesic_distance_m, wgs84_to_bd09, wgs84_to_gcj02
from hygis.core.errors import HygisError
from hygis.io import load_layers, preview_vector, suggest_field_map
from hygis.layers.raster import RasterLayer
from tests.io.conftest import DISTRICTS, district_frame

# West Lake Broken Bridge, Ningbo Tianyi Pavilion, Hangzhou East Station (WGS84 truth)
TRUTH = [("断桥残雪", 120.1517, 30.2590), ("天一阁", 121.5437, 29.8723), ("杭州东站", 120.2129, 30.2907)]


def _write_dxf(path, features):
    gdf = gpd.GeoDataFrame({"Layer": [f[0] for f in features]}, geometry=[f[1] for f in features])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pyogrio.write_dataframe(gdf, path, driver="DXF")


def test_dxf_needs_a_crs_and_lands_at_the_right_lon_lat(tmp_path):
    # CGCS2000 3-degree GK zone CM 120°E: easting 500 000 m is exactly on 120°E
    dxf = tmp_path / "规划图.dxf"
    _write_dxf(dxf, [("道路", shapely.LineString([(500000, 3345000), (510000, 3350000)])),
                     ("地块", shapely.box(500000, 3340000, 501000, 3341000)),
                     ("站点", shapely.Point(500000, 3350000))])
    with pytest.raises(HygisError, match=r"规划图.dxf has no coordinate reference system.*--crs"):
        load_layers(dxf)
    layers = {l.name: l for l in load_layers(dxf, crs="EPSG:4549")}
    assert set(layers) == {"规划图 点", "规划图 线", "规划图 面"}
    pt = layers["规划图 点"].data.geometry.iloc[0]
    lat_truth = Transformer.from_crs(4549, 4326, always_xy=True).transform(500000, 3350000)[1]
    assert pt.x == pytest.approx(120.0, abs=1e-9)
    assert pt.y == pytest.approx(lat_truth, abs=1e-9) and 30.2 < pt.y < 30.3
    assert layers["规划图 线"].data["Layer"].tolist() == ["道路"]
    assert layers["规划图 面"].geometry_type == "polygon"


def test_dxf_as_kind_takes_the_matching_family_and_validates_schema(tmp_path):
    dxf = tmp_path / "coast.dxf"
    _write_dxf(dxf, [("南岸", shapely.LineString([(500000, 3345000), (510000, 3350000)])),
                     ("标注", shapely.Point(500000, 3350000))])
    with pytest.raises(HygisError, match="coast.dxf: field 'status' is required"):
        load_layers(dxf, crs="EPSG:4549", as_kind="coastline", field_map={"Layer": "name"})
    with pytest.raises(HygisError, match="no polygon entities"):
        load_layers(dxf, crs="EPSG:4549", as_kind="corridor")


def test_kml_written_by_hand(tmp_path):
    kml = tmp_path / "heritage.kml"
    kml.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder><name>运河</name>
<Placemark><name>拱宸桥</name><Point><coordinates>120.1397,30.3186,0</coordinates></Point></Placemark>
<Placemark><name>富义仓</name><Point><coordinates>120.1515,30.3006</coordinates></Point></Placemark>
</Folder></Document></kml>""", encoding="utf-8")
    layer, = load_layers(kml)
    assert layer.data["name"].tolist() == ["拱宸桥", "富义仓"]
    assert list(layer.data.columns) == ["name", "geometry"]
    assert layer.data.geometry.iloc[0].coords[0] == (120.1397, 30.3186)  # 2D, exact


def _amap_csv(tmp_path, encoding="utf-8"):
    gx, gy = wgs84_to_gcj02([t[1] for t in TRUTH], [t[2] for t in TRUTH])
    lines = ["名称,经度,纬度,类型"] + [f"{n},{x:.8f},{y:.8f},景点" for (n, _, _), x, y in zip(TRUTH, gx, gy)]
    path = tmp_path / "amap_poi.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_amap_gcj02_csv_comes_back_within_half_a_metre(tmp_path, encoding):
    path = _amap_csv(tmp_path, encoding)
    layer, = load_layers(path, datum="gcj02")
    assert layer.data["名称"].tolist() == [t[0] for t in TRUTH]
    d = geodesic_distance_m(layer.data.geometry.x, layer.data.geometry.y, [t[1] for t in TRUTH], [t[2] for t in TRUTH])
    assert np.all(d < 0.5)
    raw, = load_layers(path)  # without the datum the points are hundreds of metres off
    d_raw = geodesic_distance_m(raw.data.geometry.x, raw.data.geometry.y, [t[1] for t in TRUTH], [t[2] for t in TRUTH])
    assert np.all(d_raw > 100)


def test_baidu_bd09_csv(tmp_path):
    bx, by = wgs84_to_bd09([t[1] for t in TRUTH], [t[2] for t in TRUTH])
    path = tmp_path / "baidu.csv"
    path.write_text("name;lng;lat\n" + "".join(f"{t[0]};{x};{y}\n" for t, x, y in zip(TRUTH, bx, by)), encoding="utf-8")
    layer, = load_layers(path, datum="bd09")
    d = geodesic_distance_m(layer.data.geometry.x, layer.data.geometry.y, [t[1] for t in TRUTH], [t[2] for t in TRUTH])
    assert np.all(d < 0.5)


def test_csv_columns_chosen_and_projected_xy(tmp_path):
    path = tmp_path / "pts.csv"
    path.write_text("id,E,N,code\n1,500000,3350000,0571\n", encoding="utf-8")
    with pytest.raises(HygisError, match="no longitude/latitude columns.*--lon"):
        load_layers(path)
    with pytest.raises(HygisError, match="not longitudes/latitudes.*--crs"):
        load_layers(path, lon="E", lat="N")
    layer, = load_layers(path, lon="E", lat="N", crs="EPSG:4549")
    assert layer.data.geometry.iloc[0].x == pytest.approx(120.0, abs=1e-9)
    assert layer.data["code"].tolist() == ["0571"]  # leading zeros are codes, kept as text
    assert layer.data["id"].tolist() == [1]
    bad = tmp_path / "bad.csv"
    bad.write_text("name,lon,lat\na,120.1,30.2\nb,abc,30.3\n", encoding="utf-8")
    with pytest.raises(HygisError, match="row 3"):
        load_layers(bad)


def test_csv_preview_detects_columns(tmp_path):
    p = preview_vector(_amap_csv(tmp_path, "gbk"), n=2)
    assert (p["lon_column"], p["lat_column"]) == ("经度", "纬度")
    assert p["encoding_detected"] == "gbk" and p["feature_count"] == 3 and len(p["rows"]) == 2


def test_csv_as_heritage_with_field_map(tmp_path):
    path = tmp_path / "遗产.csv"
    path.write_text("名称,城市,级别,lon,lat\n拱宸桥,杭州市,world,120.1397,30.3186\n"
                    "富义仓,杭州市,national,120.1515,30.3006\n", encoding="utf-8")
    assert suggest_field_map(["名称", "城市", "级别"], "heritage") == {"名称": "name", "城市": "city"}
    with pytest.raises(HygisError, match="field 'heritage_level'"):
        load_layers(path, as_kind="heritage")
    with pytest.raises(HygisError, match="no field 'level'"):
        load_layers(path, as_kind="heritage", field_map={"level": "heritage_level"})
    with pytest.raises(HygisError, match="field 'source'"):
        load_layers(path, as_kind="heritage", field_map={"级别": "heritage_level"})
    path.write_text(path.read_text(encoding="utf-8").replace("级别,lon", "级别,来源,lon")
                    .replace("world,", "world,test,").replace("national,", "nat,test,"), encoding="utf-8")
    with pytest.raises(HygisError, match="feature 2: field 'heritage_level': 'nat' is not allowed"):
        load_layers(path, as_kind="heritage", field_map={"级别": "heritage_level", "来源": "source"})
    path.write_text(path.read_text(encoding="utf-8").replace("nat,", "national,"), encoding="utf-8")
    layer, = load_layers(path, as_kind="heritage", field_map={"级别": "heritage_level", "来源": "source"})
    assert layer.kind == "heritage"
    assert layer.data[["name", "city", "heritage_level"]].values.tolist() == [
        ["拱宸桥", "杭州市", "world"], ["富义仓", "杭州市", "national"]]


def test_geopackage_all_layers_or_one(tmp_path):
    gpkg = tmp_path / "multi.gpkg"
    pyogrio.write_dataframe(district_frame(), gpkg, layer="区县")
    pyogrio.write_dataframe(district_frame().set_geometry(shapely.centroid(district_frame().geometry.values), crs=4326), gpkg, layer="驻地")
    assert [l.name for l in load_layers(gpkg)] == ["区县", "驻地"]
    one, = load_layers(gpkg, layer="驻地", name="区政府")
    assert one.name == "区政府" and one.geometry_type == "point"
    with pytest.raises(HygisError, match="no layer 'x'.*区县, 驻地"):
        load_layers(gpkg, layer="x")


def test_projected_shapefile_is_converted_and_missing_prj_asks_for_crs(tmp_path):
    gdf = district_frame().to_crs(4549)
    shp = tmp_path / "gk.shp"
    pyogrio.write_dataframe(gdf, shp)
    layer, = load_layers(shp)
    c = shapely.centroid(layer.data.geometry.values)
    assert c[0].x == pytest.approx(DISTRICTS[0][2], abs=1e-6)
    shp.with_suffix(".prj").unlink()
    with pytest.raises(HygisError, match="gk.shp has no coordinate reference system"):
        load_layers(shp)
    assert shapely.centroid(load_layers(shp, crs="4549")[0].data.geometry.values)[1].y == pytest.approx(DISTRICTS[1][3], abs=1e-6)
    with pytest.raises(HygisError, match="not positions on Earth"):
        load_layers(shp, crs="EPSG:4326")  # metres labelled as degrees


@pytest.mark.parametrize("name, content, message", [
    ("empty.geojson", b"", "empty.geojson is empty"),
    ("cut.geojson", b'{"type": "FeatureCollection", "features": [{"ty', "Cannot read cut.geojson as GeoJSON"),
    ("junk.gpkg", b"hello", "Cannot read junk.gpkg as GeoPackage"),
    ("map.docx", b"x", "unsupported file type '.docx'"),
    ("nothere.shp", None, "No such file"),
    ("none.geojson", b'{"type": "FeatureCollection", "features": []}', "no features"),
])
def test_broken_files_give_one_clear_line(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(HygisError, match=message) as info:
        load_layers(path)
    assert "\n" not in str(info.value) and str(tmp_path) not in str(info.value).replace(str(path), "")


@pytest.mark.parametrize("part, word", [(".dbf", "attribute"), (".shx", "index")])
def test_shapefile_missing_part(gbk_shp, part, word):
    gbk_shp.with_suffix(part).unlink()
    with pytest.raises(HygisError, match=f"the {word} file districts_gbk{part} is missing"):
        load_layers(gbk_shp)


def test_invalid_geometries_are_reported_not_dropped(bowtie_geojson):
    layer, = load_layers(bowtie_geojson)
    assert layer.feature_count == 3
    assert layer.import_problems["fid"].tolist() == [1]
    assert layer.import_warnings[0].startswith("1 invalid geometries (fid 1: Self-intersection")
    with pytest.raises(HygisError, match="1 invalid geometries.*--repair"):
        load_layers(bowtie_geojson, refuse_invalid=True)
    fixed, = load_layers(bowtie_geojson, repair=True, refuse_invalid=True)
    assert fixed.data.is_valid.all() and fixed.feature_count == 3
    assert fixed.data.geometry.iloc[1].geom_type == "MultiPolygon"
    assert fixed.import_warnings == ["repaired 1 invalid geometries"]


def test_geotiff_becomes_a_raster_layer(tmp_path):
    import rasterio
    from rasterio.transform import from_origin

    tif = tmp_path / "dem.tif"
    with rasterio.open(tif, "w", driver="GTiff", width=4, height=3, count=1, dtype="int16", crs="EPSG:4326",
                       transform=from_origin(120.0, 30.3, 0.1, 0.1)) as ds:
        ds.write(np.arange(12, dtype="int16").reshape(1, 3, 4))
    layer, = load_layers(tif)
    assert isinstance(layer, RasterLayer) and (layer.width, layer.height) == (4, 3)
    assert layer.bounds == pytest.approx((120.0, 30.0, 120.4, 30.3))
    with pytest.raises(HygisError, match="raster"):
        load_layers(tif, as_kind="enclave")


def test_dxf_from_chinese_autocad_in_gbk(tmp_path):
    dxf = tmp_path / "cad.dxf"
    _write_dxf(dxf, [("道路", shapely.LineString([(500000, 3345000), (510000, 3350000)]))])
    text = dxf.read_text(encoding="utf-8").replace("ANSI_1252", "ANSI_936")
    dxf.write_bytes(text.encode("gbk"))
    layer, = load_layers(dxf, crs="EPSG:4549")
    assert layer.data["Layer"].tolist() == ["道路"]


def test_preview_of_dxf_and_kml_shows_clean_decoded_rows(tmp_path):
    dxf = tmp_path / "cad.dxf"
    _write_dxf(dxf, [("道路", shapely.LineString([(500000, 3345000), (510000, 3350000)])),
                     ("站点", shapely.Point(500000, 3350000))])
    dxf.write_bytes(dxf.read_text(encoding="utf-8").encode("gbk"))
    p = preview_vector(dxf)
    assert p["encoding_detected"] == "gbk" and p["feature_count"] == 2 and p["crs"] is None
    assert [r["Layer"] for r in p["rows"]] == ["道路", "站点"] and p["geometry_type"] == "mixed"
    kml = tmp_path / "k.kml"
    kml.write_text('<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>拱宸桥</name>'
                   "<Point><coordinates>120.1397,30.3186</coordinates></Point></Placemark></Document></kml>",
                   encoding="utf-8")
    assert preview_vector(kml)["rows"] == [{"name": "拱宸桥"}]
