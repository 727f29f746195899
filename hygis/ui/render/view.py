"""The map view: which part of the map (canvas CRS metres) is drawn at what pixel size.

Plain numpy/pyproj (no Qt), shared by the canvas, the headless render and the slides.
"""

from __future__ import annotations

from dataclasses import dataclass
import numpy as np

from hygis.geo import crs as hcrs

#: Default view when a project has no layers: the Hangzhou–Ningbo region (WGS84 degrees).
DEFAULT_EXTENT = (119.6, 29.3, 122.3, 30.7)
#: the finest and coarsest views, metres per pixel (zooming and fitting both stay inside)
MIN_RES, MAX_RES = 0.01, 1e6


def _transformer(src: str, dst: str):
    # hcrs.transformer keeps one cache per thread: render workers must not share PROJ objects
    return hcrs.transformer(src, dst)


def to_map(lon, lat):
    """WGS84 degrees → canvas CRS metres (arrays or scalars)."""
    return _transformer(hcrs.WGS84, hcrs.MAP_CRS).transform(lon, lat)


def to_wgs84(x, y):
    """Canvas CRS metres → WGS84 degrees (arrays or scalars)."""
    return _transformer(hcrs.MAP_CRS, hcrs.WGS84).transform(x, y)


def _transform_bounds(bounds, transform, n: int = 21):
    """Bounds of a box after ``transform``, with 21 points per edge so curved edges are covered."""
    x0, y0, x1, y1 = (float(v) for v in bounds)
    t = np.linspace(0.0, 1.0, n)
    xs = np.concatenate([x0 + (x1 - x0) * t, np.full(n, x1), x0 + (x1 - x0) * t, np.full(n, x0)])
    ys = np.concatenate([np.full(n, y0), y0 + (y1 - y0) * t, np.full(n, y1), y0 + (y1 - y0) * t])
    x, y = transform(xs, ys)
    return float(np.min(x)), float(np.min(y)), float(np.max(x)), float(np.max(y))


def bounds_to_map(bounds):
    """WGS84 bounds → canvas CRS bounds (densified edges, so curved edges are covered)."""
    return _transform_bounds(bounds, to_map)


def bounds_to_wgs84(bounds):
    """Canvas CRS bounds → WGS84 bounds (densified edges)."""
    return _transform_bounds(bounds, to_wgs84)


@dataclass(frozen=True)
class MapView:
    """A view: centre (cx, cy) in canvas metres, ``res`` metres per pixel, size in pixels.

    The aspect ratio is locked: one pixel is ``res`` metres both ways.
    """

    cx: float
    cy: float
    res: float
    width: int
    height: int

    @classmethod
    def fit(cls, map_bounds, width: int, height: int, margin: float = 0.0) -> "MapView":
        """The view showing ``map_bounds`` (canvas metres) whole in a width×height viewport."""
        x0, y0, x1, y1 = map_bounds
        width, height = max(int(width), 1), max(int(height), 1)
        # bounds under 1 m on one side (a bookmark of a street corner in a wide window) are shown
        # exactly; only the resolution is kept to the range zooming has (a point: 1 cm per pixel)
        res = max((x1 - x0) / width, (y1 - y0) / height) * (1.0 + 2 * margin)
        res = min(max(res, MIN_RES), MAX_RES)
        return cls((x0 + x1) / 2, (y0 + y1) / 2, res, width, height)

    @classmethod
    def fit_wgs84(cls, bounds, width: int, height: int, margin: float = 0.0) -> "MapView":
        return cls.fit(bounds_to_map(bounds), width, height, margin)

    def rescaled(self, width: int, height: int) -> "MapView":
        """The same centre and map width drawn at width×height pixels (offscreen images of a view)."""
        return MapView(self.cx, self.cy, self.res * self.width / max(int(width), 1), int(width), int(height))

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) in canvas metres."""
        hw, hh = self.width * self.res / 2, self.height * self.res / 2
        return self.cx - hw, self.cy - hh, self.cx + hw, self.cy + hh

    def wgs84_bounds(self) -> tuple[float, float, float, float]:
        return bounds_to_wgs84(self.bounds)

    def to_pixels(self, x, y):
        """Canvas metres → pixel coordinates (origin top-left, y down)."""
        x0, _, _, y1 = self.bounds
        return (np.asarray(x) - x0) / self.res, (y1 - np.asarray(y)) / self.res

    def to_map(self, px, py):
        """Pixel coordinates → canvas metres."""
        x0, _, _, y1 = self.bounds
        return x0 + np.asarray(px) * self.res, y1 - np.asarray(py) * self.res

    def resized(self, width: int, height: int) -> "MapView":
        return MapView(self.cx, self.cy, self.res, max(int(width), 1), max(int(height), 1))

    def panned(self, dx_px: float, dy_px: float) -> "MapView":
        """Move the map content by (dx, dy) screen pixels (drag direction)."""
        return MapView(self.cx - dx_px * self.res, self.cy + dy_px * self.res, self.res, self.width, self.height)

    def zoomed(self, factor: float, px: float | None = None, py: float | None = None) -> "MapView":
        """Zoom by ``factor`` (>1 zooms in) keeping the map point under pixel (px, py) fixed."""
        px = self.width / 2 if px is None else px
        py = self.height / 2 if py is None else py
        mx, my = self.to_map(px, py)
        res = min(max(self.res / factor, MIN_RES), MAX_RES)
        cx = float(mx) + (self.width / 2 - px) * res
        cy = float(my) - (self.height / 2 - py) * res
        return MapView(cx, cy, res, self.width, self.height)

    def scale_denominator(self, dpi: float = 96.0) -> float:
        """N of a 1:N scale at ``dpi`` screen dots per inch."""
        return self.res / (0.0254 / dpi)
