"""Small project builders for the reliability tests."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from hygis.project.commands import AddLayer
from hygis.layers.vector import VectorLayer
from hygis.project import Project


def polygon_layer(n: int, name: str, kind: str = "corridor", seed: int = 0) -> VectorLayer:
    """``n`` small rectangles (≈0.5 km) scattered over Hangzhou–Ningbo, Chinese attribute values."""
    rng = np.random.default_rng(seed)
    x = 119.5 + rng.random(n) * 2.5
    y = 29.0 + rng.random(n) * 1.5
    rows = dict(name=[f"走廊{i}" for i in range(n)], name_en=[f"c{i}" for i in range(n)],
                city=np.where(np.arange(n) % 2 == 0, "杭州市", "宁波市"), source=["test"] * n)
    return VectorLayer(name, gpd.GeoDataFrame(rows, geometry=shapely.box(x, y, x + 0.005, y + 0.004), crs=4326),
                       kind=kind)


def point_layer(n: int, name: str = "飞地") -> VectorLayer:
    rows = [dict(name=f"飞地{i}", host_city="杭州市", origin_city="衢州市", enclave_type="science",
                 status="operating", year_opened=2015 + i % 10, source="test") for i in range(n)]
    geoms = shapely.points(120.0 + 0.001 * np.arange(n), 30.0 + 0.0005 * np.arange(n))
    return VectorLayer(name, gpd.GeoDataFrame(rows, geometry=geoms, crs=4326), kind="enclave")


def small_project(title: str = "杭甬双城记") -> Project:
    p = Project(title)
    p.execute(AddLayer(p, polygon_layer(5, "科创走廊")))
    p.execute(AddLayer(p, point_layer(4)))
    return p
