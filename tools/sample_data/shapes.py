"""Deterministic illustrative shapes for the sample project (WGS84 in, WGS84 out).

Shapes are drawn in a local azimuthal-equidistant CRS (metres) around their
anchor and scaled so that :func:`hygis.geo.crs.area_km2` (equal-area) or
:func:`hygis.geo.crs.length_km` (geodesic) of the result matches the stated figure.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely import affinity

from hygis.geo import crs as hcrs


def _to_local(geom, lon0, lat0):
    return hcrs.project_geoms(np.array([geom]), hcrs.WGS84, hcrs.local_metric_crs(lon0, lat0))[0]


def _to_wgs84(geom, lon0, lat0):
    out = hcrs.project_geoms(np.array([geom]), hcrs.local_metric_crs(lon0, lat0), hcrs.WGS84)[0]
    return shapely.set_precision(out, 1e-7)  # ~1 cm: stable, compact coordinates


def _area(geom) -> float:
    return float(hcrs.area_km2(np.array([geom]))[0])


def belt(path, area_km2: float):
    """A rounded belt along ``path`` [(lon, lat), ...] whose width gives ``area_km2``.

    Returns (polygon, width_km).
    """
    lon0, lat0 = np.mean(np.asarray(path, float), axis=0)
    line = _to_local(shapely.LineString(path), lon0, lat0)
    lo, hi = 10.0, 50_000.0
    for _ in range(60):  # bisection on the full width (metres)
        mid = (lo + hi) / 2
        poly = _to_wgs84(line.buffer(mid / 2, quad_segs=16), lon0, lat0)
        if _area(poly) < area_km2:
            lo = mid
        else:
            hi = mid
    width = (lo + hi) / 2
    return _to_wgs84(line.buffer(width / 2, quad_segs=16), lon0, lat0), width / 1000.0


def belt_of_width(path, width_km: float):
    """A rounded belt of full width ``width_km`` along ``path`` [(lon, lat), ...]."""
    lon0, lat0 = np.mean(np.asarray(path, float), axis=0)
    line = _to_local(shapely.LineString(path), lon0, lat0)
    return _to_wgs84(line.buffer(width_km * 500.0, quad_segs=16), lon0, lat0)


def rounded_rect(center, area_km2: float, aspect: float = 1.4, rotation_deg: float = 0.0):
    """A rounded rectangle around ``center`` (lon, lat) scaled to ``area_km2``.

    ``aspect`` is width/height; ``rotation_deg`` turns it counter-clockwise.
    """
    lon0, lat0 = center
    h = 1000.0
    w = aspect * h
    r = 0.2 * min(w, h)
    unit = shapely.box(-w / 2 + r, -h / 2 + r, w / 2 - r, h / 2 - r).buffer(r, quad_segs=8)
    unit = affinity.rotate(unit, rotation_deg, origin=(0, 0))
    scale = 1.0
    for _ in range(4):  # rescale until the equal-area measure matches
        poly = _to_wgs84(affinity.scale(unit, scale, scale, origin=(0, 0)), lon0, lat0)
        scale *= math.sqrt(area_km2 / _area(poly))
    return _to_wgs84(affinity.scale(unit, scale, scale, origin=(0, 0)), lon0, lat0)


def segment(center, length_km: float, bearing_deg: float):
    """A straight line of geodesic ``length_km`` centred on (lon, lat), along ``bearing_deg``."""
    lon0, lat0 = center
    half = length_km * 500.0
    lon1, lat1, _ = hcrs.GEOD.fwd(lon0, lat0, bearing_deg + 180.0, half)
    lon2, lat2, _ = hcrs.GEOD.fwd(lon0, lat0, bearing_deg, half)
    return polyline([(lon1, lat1), (lon0, lat0), (lon2, lat2)])


def polyline(path):
    return shapely.set_precision(shapely.LineString(path), 1e-7)


def point(lonlat):
    return shapely.Point(lonlat)


def build_geometry(spec: dict):
    """Geometry of a feature's ``shape`` spec (see the data modules)."""
    kind = spec["type"]
    if kind == "point":
        return point(spec["lonlat"])
    if kind == "line":
        return polyline(spec["path"])
    if kind == "segment":
        return segment(spec["center"], spec["length_km"], spec["bearing_deg"])
    if kind == "belt" and "width_km" in spec:
        return belt_of_width(spec["path"], spec["width_km"])
    if kind == "belt":
        return belt(spec["path"], spec["area_km2"])[0]
    if kind == "rect":
        return rounded_rect(spec["center"], spec["area_km2"], spec.get("aspect", 1.4), spec.get("rotation_deg", 0.0))
    raise ValueError(f"unknown shape type {kind!r}")
