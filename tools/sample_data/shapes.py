"""Deterministic illustrative shapes for the sample project (WGS84 in, WGS84 out).

Shapes are drawn in a local azimuthal-equidistant CRS (metres) around their
anchor and scaled so that :func:`hygis.geo.crs.area_km2` (equal-area) or
:func:`hygis.geo.crs.length_km` (geodesic) of the result matches the stated figure.

A polygon spec may carry a ``clip``: ``{"districts": [...], "envelope": [(lon, lat), ...],
"minus": [spec, ...]}`` -- the shape is cut to the basemap districts named (where the
published text puts the place), to an envelope polygon (published edges such as roads or
rivers, drawn approximately) and minus other shapes (blocks that must not overlap); the
scaling then matches the stated area *after* the cut.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import shapely
from shapely import affinity

from hygis.geo import crs as hcrs

#: Output coordinates are snapped to this grid (degrees, ~1 cm). The build is then the same across
#: GEOS/PROJ/numpy versions except where an unsnapped coordinate lies within their floating-point noise
#: of a half-grid boundary: that vertex lands one grid step away (shapely 2.0.1/GEOS 3.11/PROJ 9.2 vs
#: shapely 2.2/GEOS 3.14/PROJ 9.5: 2 of ~2000 vertices; test_build_is_reproducible allows exactly that).
#: No grid avoids this (noise near a rounding boundary always exists); a coarser one only makes it rarer.
GRID = 1e-7


def _to_local(geom, lon0, lat0):
    return hcrs.project_geoms(np.array([geom]), hcrs.WGS84, hcrs.local_metric_crs(lon0, lat0))[0]


def _to_wgs84(geom, lon0, lat0):
    out = hcrs.project_geoms(np.array([geom]), hcrs.local_metric_crs(lon0, lat0), hcrs.WGS84)[0]
    return shapely.set_precision(out, GRID)  # stable, compact coordinates


def _area(geom) -> float:
    return float(hcrs.area_km2(np.array([geom]))[0])


@cache
def _district_union(names: tuple) -> object:
    from hygis.geo.basemap import load_basemap

    districts = load_basemap("district")
    missing = set(names) - set(districts["name"])
    if missing:
        raise ValueError(f"unknown basemap districts {sorted(missing)}")
    return shapely.union_all(districts.loc[districts["name"].isin(names)].geometry.to_numpy())


def clip_region(clip: dict | None):
    """The WGS84 region a shape is cut to (None: no cut)."""
    if not clip:
        return None
    region = None
    if clip.get("districts"):
        region = _district_union(tuple(clip["districts"]))
    if clip.get("envelope"):
        env = shapely.Polygon(clip["envelope"])
        region = env if region is None else region.intersection(env)
    for other in clip.get("minus", ()):
        region = region.difference(build_geometry(other).buffer(3e-5))  # ~3 m gap: blocks do not touch
    return region


def _cut(geom, region):
    if region is None:
        return geom
    out = shapely.make_valid(shapely.set_precision(geom.intersection(region), GRID))
    parts = list(shapely.get_parts(out))
    while any(g.geom_type in ("MultiPolygon", "GeometryCollection") for g in parts):
        parts = [q for g in parts for q in shapely.get_parts(g)]
    polys = [g for g in parts if g.geom_type == "Polygon" and not g.is_empty]
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def _bisect(make, area_km2: float, lo: float, hi: float, steps: int = 50):
    """``make(x)`` for the x in [lo, hi] whose polygon has ``area_km2`` (area grows with x)."""
    for _ in range(steps):
        mid = (lo + hi) / 2
        if _area(make(mid)) < area_km2:
            lo = mid
        else:
            hi = mid
    return make((lo + hi) / 2), (lo + hi) / 2


def belt(path, area_km2: float, clip: dict | None = None):
    """A rounded belt along ``path`` [(lon, lat), ...] whose width gives ``area_km2`` (after ``clip``).

    Returns (polygon, width_km).
    """
    lon0, lat0 = np.mean(np.asarray(path, float), axis=0)
    line = _to_local(shapely.LineString(path), lon0, lat0)
    region = clip_region(clip)
    poly, width = _bisect(lambda w: _cut(_to_wgs84(line.buffer(w / 2, quad_segs=16), lon0, lat0), region),
                          area_km2, 10.0, 60_000.0)
    return poly, width / 1000.0


def belt_of_width(path, width_km: float, clip: dict | None = None):
    """A rounded belt of full width ``width_km`` along ``path`` [(lon, lat), ...] (cut by ``clip``)."""
    lon0, lat0 = np.mean(np.asarray(path, float), axis=0)
    line = _to_local(shapely.LineString(path), lon0, lat0)
    return _cut(_to_wgs84(line.buffer(width_km * 500.0, quad_segs=16), lon0, lat0), clip_region(clip))


def rounded_rect(center, area_km2: float, aspect: float = 1.4, rotation_deg: float = 0.0, clip: dict | None = None):
    """A rounded rectangle around ``center`` (lon, lat) scaled to ``area_km2`` (after ``clip``).

    ``aspect`` is width/height; ``rotation_deg`` turns it counter-clockwise.
    """
    lon0, lat0 = center
    h = 1000.0
    w = aspect * h
    r = 0.2 * min(w, h)
    unit = shapely.box(-w / 2 + r, -h / 2 + r, w / 2 - r, h / 2 - r).buffer(r, quad_segs=8)
    unit = affinity.rotate(unit, rotation_deg, origin=(0, 0))
    region = clip_region(clip)
    if region is None:
        scale = 1.0
        for _ in range(4):  # rescale until the equal-area measure matches
            poly = _to_wgs84(affinity.scale(unit, scale, scale, origin=(0, 0)), lon0, lat0)
            scale *= math.sqrt(area_km2 / _area(poly))
        return _to_wgs84(affinity.scale(unit, scale, scale, origin=(0, 0)), lon0, lat0)
    return _bisect(lambda k: _cut(_to_wgs84(affinity.scale(unit, k, k, origin=(0, 0)), lon0, lat0), region),
                   area_km2, 0.1, 20.0)[0]


def segment(center, length_km: float, bearing_deg: float):
    """A straight line of geodesic ``length_km`` centred on (lon, lat), along ``bearing_deg``."""
    lon0, lat0 = center
    half = length_km * 500.0
    lon1, lat1, _ = hcrs.GEOD.fwd(lon0, lat0, bearing_deg + 180.0, half)
    lon2, lat2, _ = hcrs.GEOD.fwd(lon0, lat0, bearing_deg, half)
    return polyline([(lon1, lat1), (lon0, lat0), (lon2, lat2)])


def polyline(path):
    return shapely.set_precision(shapely.LineString(path), GRID)


def point(lonlat):
    return shapely.Point(lonlat)


def build_geometry(spec: dict):
    """Geometry of a feature's ``shape`` spec (see the data modules)."""
    kind = spec["type"]
    if kind == "point":
        return point(spec["lonlat"])
    if kind == "line":
        return polyline(spec["path"])
    if kind == "multiline":
        return shapely.set_precision(shapely.MultiLineString(spec["paths"]), GRID)
    if kind == "segment":
        return segment(spec["center"], spec["length_km"], spec["bearing_deg"])
    if kind == "districts":  # the basemap's own polygons (e.g. a new area that is now a district)
        return shapely.set_precision(_district_union(tuple(spec["names"])), GRID)
    clip = spec.get("clip")
    if kind == "belt" and "width_km" in spec:
        return belt_of_width(spec["path"], spec["width_km"], clip)
    if kind == "belt":
        return belt(spec["path"], spec["area_km2"], clip)[0]
    if kind == "rect":
        return rounded_rect(spec["center"], spec["area_km2"], spec.get("aspect", 1.4), spec.get("rotation_deg", 0.0),
                            clip)
    raise ValueError(f"unknown shape type {kind!r}")
