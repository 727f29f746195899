"""Tile grids: which tiles cover a view, and where each tile's corners are on the earth.

A grid answers two questions for the drawing code (:mod:`hygis.ui.render.tiles`):

* :meth:`TileGrid.plan` — the tile keys ``(z, x, y)`` covering a WGS84 box at a ground
  resolution (metres per device pixel), at most ``max_tiles`` of them;
* :meth:`TileGrid.corners` — the WGS84 lon/lat of a tile's four image corners (top-left,
  top-right, bottom-right, bottom-left), so each tile is warped onto the map corner by corner.

Three grids exist:

* :class:`MercatorGrid` — the XYZ Web Mercator grid (OpenStreetMap, 高德, 天地图 ``w``),
  optionally in the GCJ-02 datum (高德's tiles: shifted back to WGS84 corner by corner);
* :class:`BaiduGrid` — 百度's own scheme: BD-09 lon/lat in Baidu Mercator
  (:func:`hygis.geo.crs.bd09_to_bd09mc`), tile origin at (0, 0), rows counted upwards,
  level ``z`` at 2^(18−z) metres per pixel;
* :class:`WmtsGrid` — an OGC WMTS TileMatrixSet (from a GetCapabilities document,
  :mod:`hygis.geo.wmts`): any CRS PROJ knows, e.g. 天地图's EPSG:4490 ``c`` set.

No Qt here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hygis.geo import crs as hcrs

EARTH_R = 6378137.0
MAX_LAT = 85.0511287798
#: Metres per degree at the equator, as OGC WMTS counts pixel sizes of geographic CRSs.
WMTS_METRES_PER_DEGREE = 2 * math.pi * EARTH_R / 360.0
#: OGC "standardized rendering pixel size" (metres).
WMTS_PIXEL_M = 0.28e-3


def _to_datum(lon, lat, datum: str):
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    if datum == "gcj02":
        return hcrs.wgs84_to_gcj02(lon, lat)
    if datum == "bd09":
        return hcrs.wgs84_to_bd09(lon, lat)
    return lon, lat


def _from_datum(lon, lat, datum: str):
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    if datum == "gcj02":
        return hcrs.gcj02_to_wgs84(lon, lat)
    if datum == "bd09":
        return hcrs.bd09_to_wgs84(lon, lat)
    return lon, lat


def _edge_points(bounds, n: int = 5):
    """Points along the edges of a lon/lat box (a box's image in another datum/CRS is not a box)."""
    lon0, lat0, lon1, lat1 = bounds
    t = np.linspace(0.0, 1.0, n)
    lon = np.concatenate([lon0 + (lon1 - lon0) * t, np.full(n, lon1), lon1 - (lon1 - lon0) * t, np.full(n, lon0)])
    lat = np.concatenate([np.full(n, lat0), lat0 + (lat1 - lat0) * t, np.full(n, lat1), lat1 - (lat1 - lat0) * t])
    return lon, lat


class TileGrid:
    """How a tile pyramid covers the earth (see the module docstring)."""

    datum = "wgs84"

    def matrix_id(self, z: int) -> str:
        """The zoom as the tile URL names it."""
        return str(z)

    def plan(self, bounds_wgs84, res_m: float, min_zoom: int, max_zoom: int, max_tiles: int) -> list:
        raise NotImplementedError

    def corners(self, key) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError


# -- XYZ Web Mercator --------------------------------------------------------------------------
def lonlat_to_tile(lon, lat, z: int) -> tuple[float, float]:
    """Fractional XYZ tile coordinates of a lon/lat at zoom ``z``."""
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    n = 2 ** z
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return x, y


def tile_to_lonlat(x: float, y: float, z: int) -> tuple[float, float]:
    """Lon/lat of the (fractional) tile corner x, y at zoom ``z``."""
    n = 2 ** z
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lon, lat


def zoom_for(res_m: float, lat: float, lo: int = 0, hi: int = 19) -> int:
    """The tile zoom whose pixels are closest to ``res_m`` ground metres (at latitude ``lat``)."""
    ground = 2 * math.pi * EARTH_R * math.cos(math.radians(lat)) / 256.0
    z = round(math.log2(max(ground / max(res_m, 1e-6), 1e-9)))
    return int(max(lo, min(hi, z)))


def tiles_covering(bounds_lonlat, z: int) -> list[tuple[int, int, int]]:
    """(z, x, y) of the XYZ tiles covering lon/lat ``bounds`` at zoom ``z``."""
    x0, y1 = lonlat_to_tile(bounds_lonlat[0], bounds_lonlat[1], z)
    x1, y0 = lonlat_to_tile(bounds_lonlat[2], bounds_lonlat[3], z)
    n = 2 ** z
    xs = range(max(0, int(math.floor(x0))), min(n - 1, int(math.floor(x1))) + 1)
    ys = range(max(0, int(math.floor(y0))), min(n - 1, int(math.floor(y1))) + 1)
    return [(z, x, y) for y in ys for x in xs]


class MercatorGrid(TileGrid):
    """XYZ Web Mercator tiles (y down from the north-west corner), in WGS84 or GCJ-02."""

    def __init__(self, datum: str = "wgs84"):
        self.datum = datum

    def plan(self, bounds_wgs84, res_m, min_zoom, max_zoom, max_tiles):
        lon, lat = _to_datum(*_edge_points(bounds_wgs84), self.datum)
        bounds = (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))
        z = zoom_for(res_m, (bounds_wgs84[1] + bounds_wgs84[3]) / 2, min_zoom, max_zoom)
        keys = tiles_covering(bounds, z)
        while len(keys) > max_tiles and z > min_zoom:
            z -= 1
            keys = tiles_covering(bounds, z)
        return keys

    def corners(self, key):
        z, x, y = key
        pts = [tile_to_lonlat(x + dx, y + dy, z) for dx, dy in ((0, 0), (1, 0), (1, 1), (0, 1))]
        return _from_datum([p[0] for p in pts], [p[1] for p in pts], self.datum)


# -- 百度 Baidu ----------------------------------------------------------------------------------
class BaiduGrid(TileGrid):
    """Baidu's tiles: BD-09 in Baidu Mercator, origin (0, 0), x east, y NORTH, 2^(18−z) m per pixel."""

    datum = "bd09"
    size = 256

    @staticmethod
    def tile_metres(z: int) -> float:
        """Baidu Mercator metres across one tile at level ``z``."""
        return 256.0 * 2.0 ** (18 - z)

    def tile_of(self, lon, lat, z: int) -> tuple[float, float]:
        """Fractional Baidu tile numbers (x, y; y counted up) of a WGS84 point."""
        mx, my = hcrs.bd09_to_bd09mc(*hcrs.wgs84_to_bd09(lon, lat))
        t = self.tile_metres(z)
        return mx / t, my / t

    def plan(self, bounds_wgs84, res_m, min_zoom, max_zoom, max_tiles):
        mx, my = hcrs.bd09_to_bd09mc(*hcrs.wgs84_to_bd09(*_edge_points(bounds_wgs84)))
        lat = (bounds_wgs84[1] + bounds_wgs84[3]) / 2
        # one Baidu Mercator metre is about cos(lat) ground metres (a Mercator's scale)
        z = round(18 - math.log2(max(res_m, 1e-6) / math.cos(math.radians(lat))))
        z = int(max(min_zoom, min(max_zoom, z)))
        while True:
            t = self.tile_metres(z)
            xs = range(int(math.floor(mx.min() / t)), int(math.floor(mx.max() / t)) + 1)
            ys = range(int(math.floor(my.max() / t)), int(math.floor(my.min() / t)) - 1, -1)  # north first
            if len(xs) * len(ys) <= max_tiles or z <= min_zoom:
                return [(z, x, y) for y in ys for x in xs]
            z -= 1

    def corners(self, key):
        z, x, y = key
        t = self.tile_metres(z)
        mx = np.array([x, x + 1, x + 1, x], float) * t
        my = np.array([y + 1, y + 1, y, y], float) * t  # image top = the tile's north edge
        return hcrs.bd09_to_wgs84(*hcrs.bd09mc_to_bd09(mx, my))


# -- OGC WMTS ------------------------------------------------------------------------------------
@dataclass
class TileMatrix:
    """One zoom level of a WMTS TileMatrixSet (in the set's CRS, x east / y north)."""

    identifier: str
    scale_denominator: float
    left: float
    top: float
    tile_width: int
    tile_height: int
    matrix_width: int
    matrix_height: int
    #: CRS units per pixel when known better than the scale denominator says (see hygis.geo.wmts)
    pixel: float | None = None


class WmtsGrid(TileGrid):
    """A WMTS TileMatrixSet: levels of :class:`TileMatrix` in ``crs`` (rows counted down from ``top``)."""

    def __init__(self, crs, matrices: list[TileMatrix], datum: str = "wgs84", identifier: str = ""):
        self.crs = hcrs.parse_crs(crs)
        self.crs_key = self.crs.to_string()
        self.matrices = sorted(matrices, key=lambda m: -m.scale_denominator)  # coarse → fine
        self.datum, self.identifier = datum, identifier
        self.geographic = self.crs.is_geographic
        unit = 1.0 if self.geographic else float(self.crs.axis_info[0].unit_conversion_factor or 1.0)
        self._metres_per_unit = WMTS_METRES_PER_DEGREE if self.geographic else unit

    def matrix_id(self, level: int) -> str:
        """The TileMatrix identifier of ``level`` (what GetTile asks for)."""
        return self.matrices[level].identifier

    def pixel_size(self, level: int) -> float:
        """Size of one tile pixel of ``level`` in CRS units."""
        if self.matrices[level].pixel:
            return self.matrices[level].pixel
        return self.matrices[level].scale_denominator * WMTS_PIXEL_M / self._metres_per_unit

    def ground_res(self, level: int, lat: float) -> float:
        """Ground metres of one pixel of ``level`` near latitude ``lat``."""
        m = self.pixel_size(level) * self._metres_per_unit
        if self.geographic:  # a degree of longitude shrinks with latitude
            return m * math.cos(math.radians(lat))
        if self.crs.to_epsg() in (3857, 900913):  # Web Mercator metres stretch with latitude
            return m * math.cos(math.radians(lat))
        return m

    def _to_crs(self, lon, lat):
        lon, lat = _to_datum(lon, lat, self.datum)
        return hcrs.transformer(hcrs.WGS84, self.crs_key).transform(lon, lat)

    def plan(self, bounds_wgs84, res_m, min_zoom, max_zoom, max_tiles):
        if not self.matrices:
            return []
        lat = (bounds_wgs84[1] + bounds_wgs84[3]) / 2
        lo, hi = max(0, min_zoom), min(len(self.matrices) - 1, max_zoom)
        level = min(range(lo, hi + 1), key=lambda i: abs(math.log2(self.ground_res(i, lat) / max(res_m, 1e-6))))
        x, y = self._to_crs(*_edge_points(bounds_wgs84))
        x, y = np.asarray(x), np.asarray(y)
        while True:
            m = self.matrices[level]
            px = self.pixel_size(level)
            tw, th = m.tile_width * px, m.tile_height * px
            c0 = max(0, int(math.floor((x.min() - m.left) / tw)))
            c1 = min(m.matrix_width - 1, int(math.floor((x.max() - m.left) / tw)))
            r0 = max(0, int(math.floor((m.top - y.max()) / th)))
            r1 = min(m.matrix_height - 1, int(math.floor((m.top - y.min()) / th)))
            keys = [(level, c, r) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
            if len(keys) <= max_tiles or level <= lo:
                return keys
            level -= 1

    def corners(self, key):
        level, col, row = key
        m = self.matrices[level]
        px = self.pixel_size(level)
        tw, th = m.tile_width * px, m.tile_height * px
        x = m.left + np.array([col, col + 1, col + 1, col], float) * tw
        y = m.top - np.array([row, row, row + 1, row + 1], float) * th
        lon, lat = hcrs.transformer(self.crs_key, hcrs.WGS84).transform(x, y)
        return _from_datum(lon, lat, self.datum)


def grid_for_datum(datum: str) -> TileGrid:
    """The grid of XYZ-numbered tiles drawn in ``datum``: Baidu's own scheme for ``bd09``."""
    return BaiduGrid() if datum == "bd09" else MercatorGrid(datum)
