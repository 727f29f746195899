"""The dask engine's coverage, cut into tiles: the worker-side kernels and the tile grid.

Why tiles give the in-process numbers, with no feature counted twice:

* The plane (the equal-area CRS :data:`hygis.geo.crs.EQUAL_AREA`, metres) is cut into square
  tiles.  A tile's task gets every target whose box meets the tile -- from every partition, so
  overlapping features of different partitions meet there -- and the zones near it *clipped
  to the tile* (in the equal-area CRS, where the analysis measures).  The covered area of a zone
  is the area of a union; an area is additive over disjoint tiles, so the sum over tiles of
  "union of the targets inside zone ∩ tile" is the union's area inside the zone.
* Lines are not cut where that can be avoided: the in-process engine unions lines within 1 cm
  of each other snapped to a 1 cm grid, so a cut could move a vertex by millimetres.  A tile
  also gets the lines within half a tile (its halo) of it; lines linked within 1 cm form groups,
  and a group smaller than the halo is measured whole, against the whole zones, by the one tile
  holding its lower-left corner (it lies inside that tile's halo, so that tile sees all of it).
  Only a group as large as the halo (a connected network) is cut at the tile edges -- as the
  in-process engine itself cuts clusters of more than 512 pieces into tiles; a cut line may then be
  snapped to the 1 cm grid on one side of the cut only, so such lengths agree to about 1e-6.
* Points are not cut: each point (part) belongs to the one tile holding it (half-open tiles)
  and is counted there against the whole zones near it, so a point on a border shared by two
  zones still counts for the first zone, as in-process.
* Zone areas, denominators and weight totals depend on the zones only: one small task computes
  them with the in-process function.
* Buffers are drawn per partition, in the whole layer's local CRS (from the partitions' boxes),
  as the in-process engine draws them; the unbuffered lines and points keep their lengths/counts.

Every tile task calls :func:`hygis.analysis.coverage.coverage_by_zone` itself, so the methods
(union, snapping of lines, geodesic lengths, raster weights) are the in-process ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hygis.analysis._common import clean_geoms, explode_collections, family_of, to_equal_area
from hygis.geo import crs as hcrs

#: = hygis.analysis.coverage.LINE_SNAP_M: lines this close are unioned (metres).
LINE_SNAP_M = 0.01

#: Features per tile aimed at (a tile's task holds about this many, plus one partition being read).
TILE_FEATURES = 4_000
#: Without a feature count: most tiles per partition (partitions that all span the whole extent).
MAX_TILES_PER_PARTITION = 4


@dataclass
class Grid:
    """Square tiles of ``side`` metres in the equal-area CRS; tile id = ix * ny + iy."""

    x0: float
    y0: float
    side: float
    nx: int
    ny: int

    @property
    def halo(self) -> float:
        """Lines this close to a tile go to it too (metres)."""
        return self.side / 2

    def box(self, t: int, grow: float = 0.0) -> tuple:
        ix, iy = divmod(int(t), self.ny)
        return (self.x0 + ix * self.side - grow, self.y0 + iy * self.side - grow,
                self.x0 + (ix + 1) * self.side + grow, self.y0 + (iy + 1) * self.side + grow)

    def meeting(self, box, grow: float = 0.0) -> list[int]:
        """Tiles meeting an equal-area box grown by ``grow`` metres."""
        ix0, iy0 = self._index(box[0] - grow, box[1] - grow)
        ix1, iy1 = self._index(box[2] + grow, box[3] + grow)
        return [ix * self.ny + iy for ix in range(ix0, ix1 + 1) for iy in range(iy0, iy1 + 1)]

    def _index(self, x, y):
        ix = int(min(max(math.floor((x - self.x0) / self.side), 0), self.nx - 1))
        iy = int(min(max(math.floor((y - self.y0) / self.side), 0), self.ny - 1))
        return ix, iy

    def owner(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        ix = np.clip(np.floor((x - self.x0) / self.side), 0, self.nx - 1).astype(np.int64)
        iy = np.clip(np.floor((y - self.y0) / self.side), 0, self.ny - 1).astype(np.int64)
        return ix * self.ny + iy

    def wgs84_box(self, t: int, margin_m: float = 0.0) -> tuple:
        """A WGS84 box holding the tile and its halo grown by ``margin_m`` (edges densified, 0.1 % more)."""
        x0, y0, x1, y1 = self.box(t, self.halo)
        m = margin_m + 0.001 * self.side + 1.0
        ring = shapely.segmentize(shapely.box(x0 - m, y0 - m, x1 + m, y1 + m), (x1 - x0 + 2 * m) / 32)
        return tuple(float(v) for v in shapely.bounds(hcrs.project_geoms(np.array([ring]), hcrs.EQUAL_AREA,
                                                                          hcrs.WGS84)[0]))


def albers_box(bbox, margin_m: float = 0.0) -> tuple:
    """The equal-area box holding a WGS84 box (edges densified), grown by ``margin_m`` + 0.1 % + 1 m."""
    x0, y0, x1, y1 = bbox
    ring = shapely.segmentize(shapely.box(x0, y0, x1, y1), max(x1 - x0, y1 - y0, 1e-9) / 64)
    b = shapely.bounds(to_equal_area(np.array([ring]))[0])
    m = margin_m + 0.001 * max(b[2] - b[0], b[3] - b[1]) + 1.0
    return b[0] - m, b[1] - m, b[2] + m, b[3] + m


def plan_grid(boxes_ea: list, rows: int = 0, tile_m: float | None = None) -> Grid:
    """Tiles holding about :data:`TILE_FEATURES` features each (from the number of features and the
    area the partitions' boxes cover), so a tile's work stays the same however large the layer
    grows; without a count, tiles twice as wide as a typical partition's box."""
    b = np.array(boxes_ea, float)
    x0, y0 = math.floor(b[:, 0].min()) - 1.0, math.floor(b[:, 1].min()) - 1.0
    x1, y1 = b[:, 2].max(), b[:, 3].max()
    if tile_m:
        side = float(tile_m)
    elif rows > 0:
        covered = float(shapely.area(shapely.union_all(shapely.box(b[:, 0], b[:, 1], b[:, 2], b[:, 3]))))
        side = math.sqrt(max(covered * TILE_FEATURES / rows, 1.0))
    else:
        typical = float(np.median((b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])))
        spread = (x1 - x0) * (y1 - y0) / len(b)
        side = 2 * math.sqrt(max(min(typical, spread), spread / MAX_TILES_PER_PARTITION, 1.0))
    side = float(max(round(side), 1.0))  # whole metres
    return Grid(x0, y0, side, int((x1 - x0) // side) + 1, int((y1 - y0) // side) + 1)


# -- worker side -------------------------------------------------------------------------------
def split(frame, grid: Grid, wanted, buffer_m: float, local: str) -> dict:
    """One partition's targets per tile: ``{tile: (polygons, lines, points)}`` (WGS84 arrays).

    Polygons go to every wanted tile their equal-area box meets (the tile clips them through its
    zones), lines to every tile whose halo they meet, each point part to the one tile holding
    it.  With a buffer, every target is buffered here (in ``local``) and the unbuffered lines
    and points kept as well."""
    from hygis.analysis.engines.partitions import to_wgs84

    wanted = set(int(t) for t in wanted)
    out: dict = {}
    if frame is None or len(frame) == 0 or not wanted:
        return out
    geoms = to_wgs84(frame).geometry.to_numpy()
    geoms, _ = explode_collections(geoms, np.arange(len(geoms)))
    fam = family_of(geoms)
    lines, points = geoms[fam == "line"], geoms[fam == "point"]
    if buffer_m > 0 and len(geoms):
        areas = hcrs.project_geoms(shapely.buffer(hcrs.project_geoms(geoms, hcrs.WGS84, local), buffer_m,
                                                  quad_segs=16), local, hcrs.WGS84)
    else:
        areas = geoms[fam == "polygon"]
    for slot, geoms_, grow in ((0, areas, 0.0), (1, lines, grid.halo + 2 * LINE_SNAP_M)):
        geoms_ = geoms_[~shapely.is_empty(geoms_)]
        if not len(geoms_):
            continue
        b = shapely.bounds(to_equal_area(geoms_))
        t0, t1 = grid.owner(b[:, 0] - grow, b[:, 1] - grow), grid.owner(b[:, 2] + grow, b[:, 3] + grow)
        for t in np.unique(t0[t0 == t1]):  # most features meet one tile
            if int(t) in wanted:
                _slot(out, int(t))[slot].extend(geoms_[(t0 == t) & (t1 == t)])
        for k in np.flatnonzero(t0 != t1):
            for t in grid.meeting(b[k], grow):
                if t in wanted:
                    _slot(out, t)[slot].append(geoms_[k])
    if len(points):
        parts = shapely.get_parts(points)
        xy = shapely.get_coordinates(to_equal_area(parts))
        owner = grid.owner(xy[:, 0], xy[:, 1])
        for t in np.unique(owner):
            if int(t) in wanted:
                _slot(out, int(t))[2].extend(parts[owner == t])
    return {t: tuple(np.array(v, dtype=object) for v in slots) for t, slots in out.items()}


def _slot(out: dict, t: int):
    return out.setdefault(t, ([], [], []))


def split_one(frame, grid: Grid, t: int, buffer_m: float, local: str):
    """:func:`split` for one tile (a partition's features read for that tile only)."""
    return split(frame, grid, [t], buffer_m, local).get(int(t))


def _frame(geoms) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=gpd.GeoSeries(geoms, crs=4326), crs=4326)


def clip_zones(zones: gpd.GeoDataFrame, box) -> gpd.GeoDataFrame:
    """The zones cut to a tile in the equal-area CRS (zones inside it are kept as they are)."""
    ea = clean_geoms(to_equal_area(zones.geometry.to_numpy()))
    b = shapely.bounds(ea)
    inside = (b[:, 0] >= box[0]) & (b[:, 1] >= box[1]) & (b[:, 2] <= box[2]) & (b[:, 3] <= box[3])
    geoms = zones.geometry.to_numpy().copy()
    cut = ~inside
    if cut.any():
        pieces = shapely.intersection(ea[cut], shapely.box(*box))
        geoms[cut] = hcrs.project_geoms(pieces, hcrs.EQUAL_AREA, hcrs.WGS84)
        keep = inside.copy()
        keep[cut] = shapely.area(pieces) > 0
    else:
        keep = inside
    out = zones.copy()
    out[zones.geometry.name] = gpd.GeoSeries(geoms, index=zones.index, crs=4326)
    return out[keep]


def line_groups(lines: np.ndarray, box, halo: float):
    """The lines measured whole by this tile, and the lines cut at its edges.

    Lines within :data:`LINE_SNAP_M` of each other form a group (as the in-process engine's
    clusters, but over whole lines).  A group smaller than ``halo`` is whole here when it meets
    the tile (all its lines reach into the halo), and it is this tile's when its lower-left corner
    lies in the tile; a larger group is cut at the tile edges."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    ea = to_equal_area(lines)
    b = shapely.bounds(ea)
    i, j = shapely.STRtree(ea).query(ea, predicate="dwithin", distance=LINE_SNAP_M)
    n = len(lines)
    label = connected_components(coo_matrix((np.ones(len(i), bool), (i, j)), shape=(n, n)), directed=False)[1]
    gx0 = pd.Series(b[:, 0]).groupby(label).transform("min").to_numpy()
    gy0 = pd.Series(b[:, 1]).groupby(label).transform("min").to_numpy()
    gx1 = pd.Series(b[:, 2]).groupby(label).transform("max").to_numpy()
    gy1 = pd.Series(b[:, 3]).groupby(label).transform("max").to_numpy()
    small = np.maximum(gx1 - gx0, gy1 - gy0) < halo
    mine = small & (gx0 >= box[0]) & (gx0 < box[2]) & (gy0 >= box[1]) & (gy0 < box[3])
    meets = (b[:, 0] <= box[2]) & (b[:, 2] >= box[0]) & (b[:, 1] <= box[3]) & (b[:, 3] >= box[1])
    return lines[mine], lines[~small & meets]


def tile_task(grid: Grid, t: int, zones: gpd.GeoDataFrame, by, raster, loaders, buffer_m: float,
              local: str) -> pd.DataFrame:
    """One tile: reads each partition's features near the tile in turn (``loaders``, keeping only
    what the tile needs), then the covered area and weight under the cover of each zone ∩ tile, the
    lengths of the tile's line groups (whole, or cut at the tile's edges when large), and the points
    the tile holds counted against the whole zones -- the in-process function each time."""
    from hygis.analysis.coverage import coverage_by_zone

    box, halo = grid.box(t), grid.halo
    pieces = [split_one(load(), grid, t, buffer_m, local) for load in loaders]
    pieces = [p for p in pieces if p is not None]
    areas, lines, pts = (np.concatenate([p[k] for p in pieces]) if pieces else np.empty(0, object)
                         for k in range(3))
    del pieces
    whole, cut = line_groups(lines, box, halo) if len(lines) else (lines, lines)
    rows = []
    if len(areas) or len(cut):
        clipped = clip_zones(zones, box)
        if len(clipped):
            r = coverage_by_zone(_frame(np.concatenate([areas, cut])), clipped, by=by, weights=raster).iloc[:-1]
            rows.append(pd.DataFrame({"zone": r["zone"], "covered_area_km2": r["covered_area_km2"],
                                      "covered_length_km": r["covered_length_km"], "point_count": 0,
                                      "weight_covered": r["weight_covered"] if raster is not None else 0.0}))
    if len(whole) or len(pts):
        r = coverage_by_zone(_frame(np.concatenate([whole, pts])), zones, by=by).iloc[:-1]
        rows.append(pd.DataFrame({"zone": r["zone"], "covered_area_km2": 0.0,
                                  "covered_length_km": r["covered_length_km"], "point_count": r["point_count"],
                                  "weight_covered": 0.0}))
    if not rows:
        return pd.DataFrame(columns=["zone", "covered_area_km2", "covered_length_km", "point_count",
                                     "weight_covered"])
    return pd.concat(rows, ignore_index=True)
