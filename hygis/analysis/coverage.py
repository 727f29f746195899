"""Coverage: how much of each zone the target features cover.

Methods (what a report footnote should say):

* Areas are planar areas in the equal-area Albers projection
  :data:`hygis.geo.crs.EQUAL_AREA` (standard parallels 27°N/31°N, centred on
  Zhejiang): exact up to floating point, the same numbers QGIS gives after an
  intersection + dissolve in that projection.
* The covered area of a zone is the area of the *union* of the targets' parts
  inside it: overlapping targets are not counted twice.
* Buffers (metres) are built in an azimuthal equidistant projection centred
  on the targets (scale error below 0.05 % within 300 km of the centre, i.e.
  all of Zhejiang), then projected to the equal-area CRS.
* Overlapping lines are counted once (snapped to a 1 cm grid when unioned).
* Line lengths are geodesic on the WGS84 ellipsoid: the clipped lines are
  projected back to longitude/latitude and measured with
  :func:`hygis.geo.crs.length_km` (error far below 0.1 %).
* Points are counted by part (a MultiPoint of 3 points counts 3).  A point
  exactly on the boundary shared by two zones counts once, for the zone that
  comes first in the zones table.
* The total row sums the zones.  Zones normally do not overlap (the basemap's
  districts/cities form a valid coverage); overlapping zones each get their
  part, so the total then counts the overlap once per zone.
* Speed: the covered areas come from the edges (:mod:`hygis.analysis._arrangement`: the area of
  a union is the shoelace sum over the pieces of its boundary, so no union and no clip is built);
  planar targets (:func:`hygis.analysis._overlay.is_planar`) lying properly inside a zone count
  whole.  Raster weights (which need the cover geometry) and overlapping zones use GEOS
  (:mod:`hygis.analysis._overlay`: clip, then union tile by tile).  ``benchmarks/bench_coverage.py``
  compares it with overlay + dissolve.
* Denominator: shares divide by the *drawn* zone area (the polygon, which for the basemap includes
  tidal flats, reclaimed land and estuary water) unless ``denominator='official'``: then zones with an
  official land area (:func:`hygis.geo.basemap.official_land_areas`, sourced) divide by it and the
  others by the drawn area; the ``denominator`` column says which, row by row.
* Population weighting either spreads a zone attribute (e.g. population)
  uniformly over the zone's area, or sums the pixels of a raster whose
  centres fall under the cover (rasterio).

Other engines (:mod:`hygis.analysis.engines`: dask, SQL in PostGIS) compute the same numbers their
own way and share these pieces, so labels, checks, point rules and the result table are the
in-process ones: :func:`zone_labels`, :func:`check_buffer`, :func:`count_points`, :func:`result_frame`.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hygis.geo import crs as hcrs
from hygis.analysis import weights as wmod
from hygis.analysis._common import (Feedback, as_frame, as_frames, clean_geoms, explode_collections, family_of,
                                    label_column, local_crs_for, to_equal_area)
from hygis.analysis._arrangement import covered_areas
from hygis.analysis._overlay import (clip_to_zones, cover_clusters, is_planar, split_big_clusters, tiled_union_area,
                                     union_by_key)
from hygis.core.errors import HygisError

#: Label of the summary row.
TOTAL_LABEL = "合计"
#: Lines closer than this (metres) are merged when unioned (overlapping lines digitised twice).
LINE_SNAP_M = 0.01
#: Largest accepted buffer (metres): a bigger one is almost certainly a unit mistake.
MAX_BUFFER_M = 500_000.0

COLUMNS = ["zone", "zone_area_km2", "covered_area_km2", "covered_share_pct", "covered_length_km",
           "point_count", "points_per_100km2", "denominator_km2", "denominator"]
#: What shares can divide by: the drawn polygon area, or the official land area where known.
DENOMINATORS = ("drawn", "official")


def coverage_by_zone(targets, zones, by: str | None = None, buffer_m: float = 0.0, weights=None,
                     denominator: str = "drawn", progress=None, cancelled=None) -> pd.DataFrame:
    """Share of each zone covered by the target features.

    Parameters
    ----------
    targets : GeoDataFrame, VectorLayer or list of them
        Polygon, line and/or point features in any CRS (reprojected to WGS84, then to the
        equal-area CRS).
    zones : GeoDataFrame or VectorLayer
        Polygon zones in any CRS.
    by : str, optional
        Zone field grouping the zones (rows with the same value form one zone).  Default
        'name' if the zones have it, else one zone per row (labelled by its index).
    buffer_m : float
        Buffer distance in metres applied to every target before measuring the covered
        area (0 = none).  Lines and points only cover an area when buffered.
    weights : str, RasterLayer or path, optional
        Population weighting: the name of a numeric zone field (assumed uniformly spread
        over the zone), or a raster (hygis RasterLayer or a file path) whose pixel values
        are summed under the cover.
    denominator : {'drawn', 'official'}
        What the shares divide by: the drawn zone polygon area, or the official land area of the
        zones that have one (others keep the drawn area).
    progress : callable(float), optional
        Called with the fraction done (0–1).
    cancelled : callable() -> bool, optional
        Polled between steps; when it returns True, :class:`hygis.core.errors.CancelledError` is raised.

    Returns
    -------
    DataFrame
        One row per zone (first-appearance order) and a total row labelled :data:`TOTAL_LABEL`:
        ``zone``, ``zone_area_km2`` (km²), ``covered_area_km2`` (km², union of the buffered
        targets inside the zone), ``covered_share_pct`` (%), ``covered_length_km`` (km,
        geodesic, unbuffered lines), ``point_count``, ``points_per_100km2``, ``denominator_km2`` (the
        area the share and density divide by) and ``denominator`` ('drawn' / 'official'); with weights
        also ``weight_total``, ``weight_covered`` and ``weight_share_pct`` (%).
    """
    fb = Feedback(progress, cancelled)
    buffer_m = _check_buffer(buffer_m)
    if denominator not in DENOMINATORS:
        raise HygisError("denominator must be one of {value}, got {denominator!r}",
                         value=', '.join(DENOMINATORS), denominator=denominator)
    frames = as_frames(targets, "targets")
    zones = as_frame(zones, "zones")
    labels, codes = _zone_groups(zones, by)
    zone_geoms = clean_geoms(to_equal_area(zones.geometry.to_numpy()))
    fb.report(0.02)
    geoms = _target_geoms(frames)
    fam = family_of(geoms)
    n = len(labels)
    zone_area = _group_area(zone_geoms, codes, n)
    fb.report(0.05)

    polys = geoms[fam == "polygon"]
    if buffer_m > 0:
        polys = _buffer(geoms, buffer_m, frames)
    area, cover = _covered_area(clean_geoms(to_equal_area(polys)), zone_geoms, codes, n, fb, 0.05, 0.7,
                                need_cover=weights is not None)
    length = _covered_length(geoms[fam == "line"], zone_geoms, codes, n, fb)
    fb.report(0.85)
    count = _point_counts(geoms[fam == "point"], zone_geoms, codes, n)
    result = _assemble(labels, zone_area, area, length, count, denominator)
    if weights is not None:
        result = wmod.add_weights(result, zones, codes, zone_geoms, cover, weights, fb)
    fb.report(1.0)
    return result


def _check_buffer(buffer_m) -> float:
    try:
        value = float(buffer_m or 0.0)
    except (TypeError, ValueError):
        raise HygisError("buffer must be a distance in metres, got {buffer_m!r}", buffer_m=buffer_m) from None
    if not np.isfinite(value) or value < 0 or value > MAX_BUFFER_M:
        raise HygisError("buffer must be between 0 and {MAX_BUFFER_M:.0f} metres, got {buffer_m}",
                         MAX_BUFFER_M=MAX_BUFFER_M, buffer_m=buffer_m)
    return value


def _zone_groups(zones: gpd.GeoDataFrame, by: str | None) -> tuple[list[str], np.ndarray]:
    """Zone labels (first-appearance order) and the group code of every zone row."""
    col = label_column(zones, by)
    values = zones[col] if col else pd.Series(zones.index, index=zones.index)
    values = values.astype(object).where(values.notna(), "").astype(str)
    codes, uniques = pd.factorize(values, sort=False)
    return [str(u) for u in uniques], codes.astype(np.intp)


def _target_geoms(frames: list[gpd.GeoDataFrame]) -> np.ndarray:
    """All targets' geometries (WGS84), collections split into parts, empties dropped."""
    arrays = [f.geometry.to_numpy() for f in frames if len(f)]
    if not arrays:
        return np.empty(0, object)
    geoms = np.concatenate(arrays)
    geoms, _ = explode_collections(geoms, np.arange(len(geoms)))
    return geoms


def _buffer(geoms: np.ndarray, buffer_m: float, frames) -> np.ndarray:
    """Buffer WGS84 geometries by ``buffer_m`` metres in a local equidistant CRS → WGS84."""
    if len(geoms) == 0:
        return geoms
    local = local_crs_for(*frames)
    buffered = shapely.buffer(hcrs.project_geoms(geoms, hcrs.WGS84, local), buffer_m, quad_segs=16)
    return hcrs.project_geoms(buffered, local, hcrs.WGS84)


def _group_area(zone_geoms: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    """Area (m²) of each zone group: the union of its rows (rows of one group may overlap)."""
    counts = np.bincount(codes, minlength=n)
    area = np.bincount(codes, weights=shapely.area(zone_geoms), minlength=n)
    for g in np.flatnonzero(counts > 1):
        area[g] = shapely.area(shapely.union_all(zone_geoms[codes == g]))
    return area


def _covered_area(polys, zone_geoms, codes, n, fb, start, span, need_cover=False):
    """Area (m²) of the union of ``polys`` inside each zone group, and the unioned covers.

    Without ``need_cover`` (the cover geometry is needed only by raster weights) the areas come
    from the edges of the targets and zones (:func:`hygis.analysis._arrangement.union_area_by_zone`:
    no union, no clipping).  Otherwise, or when zones overlap each other: non-overlapping targets
    (a planar partition) need no union (their clipped areas add up), overlapping ones are clipped
    and unioned tile by tile (:func:`tiled_union_area`).

    Returns (area per group, (group code per cover part, disjoint cover parts in the equal-area CRS)
    or None without ``need_cover``).
    """
    if need_cover:
        planar = is_planar(polys)
    else:
        rows, planar = covered_areas(polys, zone_geoms)
        if rows is not None:
            fb.report(start + span)
            return np.bincount(codes, weights=rows, minlength=n)[:n], None
    fb.report(start + span * 0.1)
    pieces, zone_idx, _ = clip_to_zones(polys, zone_geoms, fb, start + span * 0.1, span * 0.5)
    group = codes[zone_idx]
    if planar:
        area = np.bincount(group, weights=shapely.area(pieces), minlength=n) if len(pieces) else np.zeros(n)
        fb.report(start + span)
        return area, (group, pieces)
    area, cover = tiled_union_area(pieces, group, n)
    fb.report(start + span)
    return area, cover


def _covered_length(lines, zone_geoms, codes, n, fb) -> np.ndarray:
    """Geodesic length (km) of the union of ``lines`` (WGS84) inside each zone group."""
    if len(lines) == 0:
        return np.zeros(n)
    pieces, zone_idx, _ = clip_to_zones(clean_geoms(to_equal_area(lines)), zone_geoms, fb, 0.75, 0.05)
    group = codes[zone_idx]
    keys = cover_clusters(pieces, group, tolerance=LINE_SNAP_M)
    pieces, group, keys = split_big_clusters(pieces, group, keys)
    _, unions = union_by_key(pieces, keys, grid_size=LINE_SNAP_M)
    first = np.unique(keys, return_index=True)[1]
    if len(unions) == 0:
        return np.zeros(n)
    km = hcrs.length_km(hcrs.project_geoms(unions, hcrs.EQUAL_AREA, hcrs.WGS84))
    return np.bincount(group[first], weights=km, minlength=n)


def _point_counts(points, zone_geoms, codes, n) -> np.ndarray:
    """Points (parts) per zone group; a point on a shared edge counts for the first zone row."""
    if len(points) == 0:
        return np.zeros(n, dtype=np.int64)
    parts = shapely.get_parts(to_equal_area(points))
    tree = shapely.STRtree(zone_geoms)
    pt_idx, zone_idx = tree.query(parts, predicate="intersects")
    order = np.lexsort((zone_idx, pt_idx))
    pt_idx, zone_idx = pt_idx[order], zone_idx[order]
    first = np.r_[True, pt_idx[1:] != pt_idx[:-1]] if len(pt_idx) else np.empty(0, bool)
    return np.bincount(codes[zone_idx[first]], minlength=n).astype(np.int64)


def _denominators(labels, zone_km2: np.ndarray, denominator: str) -> tuple[np.ndarray, list[str]]:
    """Area each zone's share divides by, and which area it is ('drawn' or 'official')."""
    if denominator != "official":
        return zone_km2, ["drawn"] * len(labels)
    from hygis.geo.basemap import official_land_areas

    official = official_land_areas()
    area = np.array([official.get(name, z) for name, z in zip(labels, zone_km2)], float)
    return area, ["official" if name in official else "drawn" for name in labels]


def _assemble(labels, zone_area_m2, area_m2, length_km, count, denominator="drawn") -> pd.DataFrame:
    zone_km2 = zone_area_m2 / 1e6
    covered_km2 = area_m2 / 1e6
    denom_km2, basis = _denominators(labels, zone_km2, denominator)
    frame = pd.DataFrame({
        "zone": labels + [TOTAL_LABEL],
        "zone_area_km2": np.r_[zone_km2, zone_km2.sum()],
        "covered_area_km2": np.r_[covered_km2, covered_km2.sum()],
        "covered_length_km": np.r_[length_km, length_km.sum()],
        "point_count": np.r_[count, count.sum()].astype(np.int64),
        "denominator_km2": np.r_[denom_km2, denom_km2.sum()],
        "denominator": basis + ["drawn" if set(basis) <= {"drawn"} else
                                "official" if set(basis) == {"official"} else "mixed"],
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        zone = frame["denominator_km2"].to_numpy()
        frame["covered_share_pct"] = np.where(zone > 0, frame["covered_area_km2"] / zone * 100.0, 0.0)
        frame["points_per_100km2"] = np.where(zone > 0, frame["point_count"] / zone * 100.0, 0.0)
    return frame[COLUMNS]


# -- the pieces other engines share (hygis.analysis.engines) ----------------------------------------
def zone_labels(zones: gpd.GeoDataFrame, by: str | None = None) -> tuple[list[str], np.ndarray]:
    """The zone labels of a result (first-appearance order) and each zone row's index into them."""
    return _zone_groups(as_frame(zones, "zones"), by)


def check_buffer(buffer_m) -> float:
    """A buffer distance in metres as :func:`coverage_by_zone` accepts it (a HygisError otherwise)."""
    return _check_buffer(buffer_m)


def count_points(points, zones, by: str | None = None) -> np.ndarray:
    """Point parts per zone label (the order of :func:`zone_labels`), by the in-process rule: tested
    in the equal-area CRS; a point on a border shared by zones counts once, for the first zone row.
    ``points``: WGS84 geometries (non-point parts are ignored)."""
    zones = as_frame(zones, "zones")
    labels, codes = _zone_groups(zones, by)
    geoms = np.asarray(points, dtype=object)
    if len(geoms) == 0:
        return np.zeros(len(labels), dtype=np.int64)
    geoms, _ = explode_collections(geoms, np.arange(len(geoms)))
    geoms = geoms[family_of(geoms) == "point"]
    return _point_counts(geoms, clean_geoms(to_equal_area(zones.geometry.to_numpy())), codes, len(labels))


def result_frame(labels, zone_area_m2, area_m2, length_km, point_count, denominator: str = "drawn") -> pd.DataFrame:
    """The result table of :func:`coverage_by_zone` (without weights) from per-zone sums: zone areas (m²),
    covered areas (m²), line lengths (km) and point counts, in the order of ``labels``; a total row added."""
    return _assemble(list(labels), np.asarray(zone_area_m2, float), np.asarray(area_m2, float),
                     np.asarray(length_km, float), np.asarray(point_count, np.int64), denominator)
