"""Test data for import/export, made by the tests themselves (tmp_path)."""

import os
import warnings

import geopandas as gpd
import pyogrio
import pytest
import shapely

#: WGS84 truth: two district seats (names as planners' files spell them).
DISTRICTS = [("西湖区", "杭州市", 120.1300, 30.2595), ("鄞州区", "宁波市", 121.5466, 29.8167)]


def district_frame():
    return gpd.GeoDataFrame(
        {"name": [d[0] for d in DISTRICTS], "city": [d[1] for d in DISTRICTS], "rank": [1, 2], "pop_wan": [115.5, 167.8]},
        geometry=[shapely.Point(lon, lat).buffer(0.02, 8) for _, _, lon, lat in DISTRICTS], crs=4326)


def write_gbk_shapefile(path, zero_ldid=True):
    """A GBK shapefile as ArcGIS on Chinese Windows writes it, without a .cpg (and no code-page byte)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pyogrio.write_dataframe(district_frame(), path, encoding="GBK")
    os.remove(path.with_suffix(".cpg"))
    if zero_ldid:
        with open(path.with_suffix(".dbf"), "r+b") as f:
            f.seek(29)
            f.write(b"\x00")
    return path


@pytest.fixture
def gbk_shp(tmp_path):
    return write_gbk_shapefile(tmp_path / "districts_gbk.shp")


@pytest.fixture
def bowtie_geojson(tmp_path):
    """A GeoJSON with one self-intersecting polygon (fid 1) among valid ones."""
    gdf = gpd.GeoDataFrame({"name": ["好", "坏", "好2"]}, geometry=[
        shapely.box(120.0, 30.0, 120.1, 30.1),
        shapely.Polygon([(120.2, 30.0), (120.3, 30.1), (120.3, 30.0), (120.2, 30.1)]),
        shapely.box(120.4, 30.0, 120.5, 30.1)], crs=4326)
    path = tmp_path / "bowtie.geojson"
    pyogrio.write_dataframe(gdf, path)
    return path
