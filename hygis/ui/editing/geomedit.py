"""Pure geometry edits used by the editing tools (no Qt): vertices of one feature.

A geometry is viewed as parts → rings → coordinate arrays, in the order of
:func:`shapely.get_coordinates`, so a "vertex index" k is the row of that
array.  Polygon rings stay closed: moving the first vertex moves the last.
Coordinates are WGS84 degrees (storage); hit tests take map-CRS metres.
"""

from __future__ import annotations

import numpy as np
import shapely

from hygis.geo import crs as hcrs
from hygis.core.errors import HygisError


def explode(geom) -> tuple[str, list[list[np.ndarray]]]:
    """(family, parts) with parts = [[ring_or_line_coords (n, 2)], ...]."""
    family = {"Point": "point", "MultiPoint": "point", "LineString": "line", "MultiLineString": "line",
              "Polygon": "polygon", "MultiPolygon": "polygon"}.get(geom.geom_type)
    if family is None:
        raise HygisError("cannot edit vertices of a {geom_type}", geom_type=geom.geom_type)
    parts = []
    for part in shapely.get_parts(geom):
        if family == "polygon":
            rings = [part.exterior] + list(part.interiors)
            parts.append([np.asarray(r.coords)[:, :2].copy() for r in rings])
        else:
            parts.append([np.asarray(part.coords)[:, :2].copy()])
    return family, parts


def build(geom_type: str, parts) -> shapely.Geometry:
    """Inverse of :func:`explode` keeping the original single/multi type."""
    if geom_type == "Point":
        return shapely.Point(parts[0][0][0])
    if geom_type == "MultiPoint":
        return shapely.MultiPoint([p[0][0] for p in parts])
    if geom_type == "LineString":
        return shapely.LineString(parts[0][0])
    if geom_type == "MultiLineString":
        return shapely.MultiLineString([p[0] for p in parts])
    polys = [shapely.Polygon(p[0], p[1:]) for p in parts]
    return polys[0] if geom_type == "Polygon" else shapely.MultiPolygon(polys)


def _locate(parts, k: int) -> tuple[int, int, int]:
    for pi, rings in enumerate(parts):
        for ri, coords in enumerate(rings):
            if k < len(coords):
                return pi, ri, k
            k -= len(coords)
    raise HygisError("no such vertex")


def move_vertex(geom, k: int, lon: float, lat: float):
    """``geom`` with vertex ``k`` at (lon, lat) (both ends of a closed ring move together)."""
    family, parts = explode(geom)
    pi, ri, i = _locate(parts, k)
    coords = parts[pi][ri]
    coords[i] = (lon, lat)
    if family == "polygon" and i in (0, len(coords) - 1):
        coords[0] = coords[-1] = (lon, lat)
    return build(geom.geom_type, parts)


def insert_vertex(geom, k: int, lon: float, lat: float):
    """``geom`` with a new vertex after vertex ``k`` (on the segment k → k+1)."""
    family, parts = explode(geom)
    if family == "point":
        raise HygisError("a point has no segments")
    pi, ri, i = _locate(parts, k)
    parts[pi][ri] = np.insert(parts[pi][ri], i + 1, (lon, lat), axis=0)
    return build(geom.geom_type, parts)


def delete_vertex(geom, k: int):
    """``geom`` without vertex ``k``; refuses to leave a line < 2 or a ring < 3 vertices."""
    family, parts = explode(geom)
    if family == "point":
        raise HygisError("delete the feature to remove a point")
    pi, ri, i = _locate(parts, k)
    coords = parts[pi][ri]
    if family == "polygon":
        ring = coords[:-1]
        if len(ring) <= 3:
            raise HygisError("a polygon ring needs at least 3 vertices")
        ring = np.delete(ring, i % len(ring), axis=0)
        parts[pi][ri] = np.vstack([ring, ring[:1]])
    else:
        if len(coords) <= 2:
            raise HygisError("a line needs at least 2 vertices")
        parts[pi][ri] = np.delete(coords, i, axis=0)
    return build(geom.geom_type, parts)


def to_map(geom):
    """``geom`` (WGS84) in the map CRS (metres)."""
    return hcrs.project_geoms(np.array([geom]), hcrs.WGS84, hcrs.MAP_CRS)[0]


def to_wgs84(geom):
    return hcrs.project_geoms(np.array([geom]), hcrs.MAP_CRS, hcrs.WGS84)[0]


def translate(geom, dx: float, dy: float):
    """``geom`` moved by (dx, dy) metres in the map CRS."""
    moved = shapely.transform(to_map(geom), lambda c: c + np.array([dx, dy]))
    return to_wgs84(moved)


def nearest_vertex(geom_map, x: float, y: float) -> tuple[int, float]:
    """(index, distance in metres) of the vertex of ``geom_map`` nearest to (x, y)."""
    coords = shapely.get_coordinates(geom_map)
    d = np.hypot(coords[:, 0] - x, coords[:, 1] - y)
    k = int(np.argmin(d))
    return k, float(d[k])


def nearest_segment(geom_map, x: float, y: float) -> tuple[int, float, float, float]:
    """(k, distance, px, py): the segment k → k+1 of ``geom_map`` nearest to (x, y) and the foot point."""
    best = (-1, np.inf, x, y)
    k0 = 0
    for line in shapely.get_parts(shapely.boundary(geom_map) if geom_map.geom_type.endswith("Polygon")
                                  else geom_map):
        for sub in shapely.get_parts(line):
            c = shapely.get_coordinates(sub)
            a, b = c[:-1], c[1:]
            d = b - a
            len2 = np.where((d ** 2).sum(1) == 0, 1.0, (d ** 2).sum(1))
            t = np.clip(((x - a[:, 0]) * d[:, 0] + (y - a[:, 1]) * d[:, 1]) / len2, 0, 1)
            px, py = a[:, 0] + t * d[:, 0], a[:, 1] + t * d[:, 1]
            dist = np.hypot(px - x, py - y)
            j = int(np.argmin(dist)) if len(dist) else -1
            if j >= 0 and dist[j] < best[1]:
                best = (k0 + j, float(dist[j]), float(px[j]), float(py[j]))
            k0 += len(c)
    return best
