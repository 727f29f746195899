"""Measuring on the ellipsoid: segment lengths, total length, area and perimeter of clicked points.

Everything is geodesic on the WGS84 ellipsoid (:data:`hygis.geo.crs.GEOD`, pyproj's
``Geod``): segment lengths by the inverse geodesic problem, the area of a measured polygon
by ``Geod.polygon_area_perimeter`` — never in degrees, never in the map projection.
Lengths are shown in metres or kilometres (``auto`` picks km from 1 km on), areas in m²,
hectares (公顷) or km².  No Qt here (the panel is :mod:`hygis.ui.measure_panel`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hygis.geo.crs import GEOD

UNITS = ("auto", "m", "km")


@dataclass
class Measurement:
    """A measured line (or polygon with ``closed``): lengths in metres, area in m²."""

    segments_m: list[float] = field(default_factory=list)
    closed: bool = False
    area_m2: float = 0.0
    perimeter_m: float = 0.0

    @property
    def total_m(self) -> float:
        return float(sum(self.segments_m))


def measure(points, closed: bool = False) -> Measurement:
    """Measure lon/lat ``points`` (degrees); ``closed`` adds the closing segment and the area."""
    pts = np.asarray(list(points), dtype=float).reshape(-1, 2)
    if len(pts) < 2:
        return Measurement(closed=closed)
    ring = np.vstack([pts, pts[:1]]) if closed and len(pts) > 2 else pts
    _, _, dist = GEOD.inv(ring[:-1, 0], ring[:-1, 1], ring[1:, 0], ring[1:, 1])
    out = Measurement(segments_m=[float(d) for d in np.atleast_1d(dist)], closed=closed)
    if closed and len(pts) > 2:
        area, perimeter = GEOD.polygon_area_perimeter(pts[:, 0], pts[:, 1])
        out.area_m2, out.perimeter_m = abs(float(area)), float(perimeter)
    return out


def format_length(metres: float, unit: str = "auto") -> str:
    """'850 m', '12.35 km' — ``unit`` m, km or auto (km from 1 km on)."""
    if unit == "km" or (unit == "auto" and metres >= 1000):
        km = metres / 1000
        return f"{km:,.3f} km" if km < 10 else f"{km:,.2f} km"
    return f"{metres:,.1f} m" if metres < 100 else f"{metres:,.0f} m"


def format_area(m2: float, unit: str = "auto") -> str:
    """'5,300 m²', '53.0 ha', '4.56 km²' — m², km², or auto (hectares between 1 ha and 1 km²)."""
    if unit == "m":
        return f"{m2:,.0f} m²"
    if unit == "km" or (unit == "auto" and m2 >= 1e6):
        return f"{m2 / 1e6:,.3f} km²" if m2 < 1e7 else f"{m2 / 1e6:,.2f} km²"
    if m2 >= 1e4:
        return f"{m2 / 1e4:,.2f} ha"
    return f"{m2:,.0f} m²"


def summary(m: Measurement, unit: str = "auto") -> str:
    """One line for the status bar: the total length, or the area for a closed measure."""
    if m.closed:
        return format_area(m.area_m2, unit) if m.area_m2 > 0 else format_area(0.0, unit)
    return format_length(m.total_m, unit)
