"""Small fixtures shared by model tests (real data shapes, hand-checkable numbers)."""

import geopandas as gpd
import shapely

from hygis.layers.vector import VectorLayer


def enclave_layer(n=3, name="飞地"):
    rows = [dict(name=f"飞地{i}", host_city="杭州市" if i % 2 == 0 else "宁波市", origin_city="衢州市",
                 enclave_type="science" if i % 2 == 0 else "industry", status="operating",
                 year_opened=2015 + i, source="test") for i in range(n)]
    geoms = [shapely.Point(120.0 + 0.1 * i, 30.0 + 0.05 * i) for i in range(n)]
    return VectorLayer(name, gpd.GeoDataFrame(rows, geometry=geoms, crs=4326), kind="enclave")


def corridor_layer(name="科创走廊"):
    rows = [dict(name="城西科创大走廊", name_en="Chengxi", city="杭州市", source="test")]
    return VectorLayer(name, gpd.GeoDataFrame(rows, geometry=[shapely.box(119.7, 30.2, 120.1, 30.35)], crs=4326),
                       kind="corridor")
