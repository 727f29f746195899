"""Adjacency: which features touch, overlap or lie within a distance of each other.

Methods:

* Candidate pairs come from one STRtree query (``predicate='intersects'`` or
  ``'dwithin'``) in an azimuthal equidistant projection centred on the data
  (metres; scale error < 0.05 % within 300 km of the centre).  The query
  distance is widened by 0.5 % + 1 m so no pair is lost to that error.
* Distances are between the nearest points of the two features (found in the
  local projection, ``shapely.shortest_line``) measured geodesically on the
  WGS84 ellipsoid; pairs farther than the requested distance are dropped.
* Overlap areas are in the equal-area projection :data:`hygis.geo.crs.EQUAL_AREA`;
  shared boundary lengths are geodesic.
* One row per pair with its strongest relation: ``overlaps`` (the interiors
  share an area), ``touches`` (only the boundaries meet), ``intersects`` (they
  meet otherwise: a point inside a polygon, crossing lines) or
  ``within_distance``.  Within one layer each unordered pair appears once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from hygis.geo import crs as hcrs
from hygis.analysis._common import Feedback, as_frame, label_column, local_crs_for
from hygis.core.errors import HygisError

PAIR_COLUMNS = ["a_id", "a_name", "b_id", "b_name", "relation", "shared_length_km", "overlap_area_km2",
                "distance_m"]
#: Largest search distance accepted (metres).
MAX_DISTANCE_M = 1_000_000.0


def adjacency_pairs(a, b=None, distance_m: float | None = None, a_name: str | None = None,
                    b_name: str | None = None, progress=None, cancelled=None,
                    local_crs: str | None = None) -> pd.DataFrame:
    """Pairs of features that touch, overlap or lie within ``distance_m`` of each other.

    Parameters
    ----------
    a : GeoDataFrame or VectorLayer
        Features in any CRS.
    b : GeoDataFrame or VectorLayer, optional
        Second layer; without it, pairs are found within ``a`` (each pair once, no self pairs).
    distance_m : float, optional
        Also report pairs whose nearest points are at most this many metres apart
        (geodesic).  Without it only touching/overlapping/intersecting pairs are reported.
    a_name, b_name : str, optional
        Fields naming the features (default 'name' when present, else the feature id).
    progress, cancelled : callables, optional
        ``progress(fraction)`` and ``cancelled() -> bool`` (raises CancelledError).
    local_crs : str, optional
        The metric CRS to work in (default: centred on the data); the dask engine passes the
        whole layer's, so its partitions give the same numbers as one run.

    Returns
    -------
    DataFrame
        Columns :data:`PAIR_COLUMNS`: ``a_id``/``b_id`` (feature ids = index labels),
        ``a_name``/``b_name``, ``relation``, ``shared_length_km`` (km, geodesic; touching
        pairs), ``overlap_area_km2`` (km², equal-area), ``distance_m`` (metres, geodesic;
        0 for pairs that meet).  ``attrs['symmetric']`` is True for pairs within one layer.
    """
    fb = Feedback(progress, cancelled)
    distance = check_distance(distance_m)
    same = b is None
    fa = as_frame(a, "layer A")
    fb_ = fa if same else as_frame(b, "layer B")
    local = local_crs or local_crs_for(fa, fb_)
    ga = _local(fa, local)
    gb = ga if same else _local(fb_, local)
    fb.report(0.1)
    i, j = _candidates(ga, gb, distance, same)
    fb.report(0.4)
    meets = shapely.intersects(ga[i], gb[j])
    frame = _measure_meeting(ga[i], gb[j], meets, local)
    fb.report(0.7)
    frame["distance_m"] = 0.0
    if distance is not None:
        far = ~meets
        frame.loc[far, "distance_m"] = geodesic_gap_m(ga[i[far]], gb[j[far]], local)
        frame.loc[far, "relation"] = "within_distance"
        keep = meets | (frame["distance_m"].to_numpy() <= distance)
    else:
        keep = meets
    frame, i, j = frame[keep], i[keep], j[keep]
    frame.insert(0, "a_id", fa.index.to_numpy()[i])
    frame.insert(1, "a_name", _names(fa, a_name)[i])
    frame.insert(2, "b_id", fb_.index.to_numpy()[j])
    frame.insert(3, "b_name", _names(fb_, b_name)[j])
    out = frame[PAIR_COLUMNS].sort_values(["a_id", "b_id"], kind="stable").reset_index(drop=True)
    out.attrs["symmetric"] = same
    fb.report(1.0)
    return out


def check_distance(distance_m) -> float | None:
    """A pair distance in metres as :func:`adjacency_pairs` accepts it (None: touching only); a HygisError
    otherwise.  Other engines (:mod:`hygis.analysis.engines`) check their argument with it."""
    if distance_m is None:
        return None
    try:
        value = float(distance_m)
    except (TypeError, ValueError):
        raise HygisError("distance must be a number of metres, got {distance_m!r}",
                         distance_m=distance_m) from None
    if not np.isfinite(value) or value < 0 or value > MAX_DISTANCE_M:
        raise HygisError("distance must be between 0 and {MAX_DISTANCE_M:.0f} metres, got {distance_m}",
                         MAX_DISTANCE_M=MAX_DISTANCE_M, distance_m=distance_m)
    return value


def _local(frame, local: str) -> np.ndarray:
    geoms = frame.geometry.to_numpy()
    if len(geoms) == 0:
        return np.empty(0, object)
    geoms = np.where(shapely.is_missing(geoms), shapely.from_wkt("GEOMETRYCOLLECTION EMPTY"), geoms)
    return hcrs.project_geoms(geoms, hcrs.WGS84, local)


def _candidates(ga, gb, distance, same):
    if len(ga) == 0 or len(gb) == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    tree = shapely.STRtree(gb)
    if distance is None:
        i, j = tree.query(ga, predicate="intersects")
    else:
        i, j = tree.query(ga, predicate="dwithin", distance=distance * 1.005 + 1.0)
    if same:
        keep = i < j
        i, j = i[keep], j[keep]
    order = np.lexsort((j, i))
    return i[order], j[order]


def _measure_meeting(ga, gb, meets, local) -> pd.DataFrame:
    """Relation, shared boundary length (km) and overlap area (km²) of pairs that meet."""
    n = len(ga)
    relation = np.full(n, "intersects", dtype=object)
    shared_km, overlap_km2 = np.zeros(n), np.zeros(n)
    idx = np.flatnonzero(meets)
    if len(idx):
        inter = shapely.intersection(ga[idx], gb[idx])
        overlap_km2[idx] = _part_measure(inter, (3, 6), lambda g: hcrs.area_km2(g, local))
        shared_km[idx] = _part_measure(inter, (1, 2, 5), lambda g: hcrs.length_km(g, local))
        touches = shapely.touches(ga[idx], gb[idx])
        relation[idx[touches]] = "touches"
        relation[idx[overlap_km2[idx] > 0]] = "overlaps"
        shared_km[idx[~touches]] = 0.0
    return pd.DataFrame({"relation": relation, "shared_length_km": shared_km, "overlap_area_km2": overlap_km2})


def _part_measure(geoms, type_ids, measure) -> np.ndarray:
    """Sum of ``measure`` over the parts of each geometry whose type id is in ``type_ids``."""
    parts, owner = shapely.get_parts(geoms, return_index=True)
    # a GeometryCollection part can itself hold parts (rare); flatten once more
    nested = shapely.get_type_id(parts) == 7
    if nested.any():
        sub, which = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], sub])
        owner = np.concatenate([owner[~nested], owner[nested][which]])
    keep = np.isin(shapely.get_type_id(parts), type_ids) & ~shapely.is_empty(parts)
    out = np.zeros(len(geoms))
    if keep.any():
        np.add.at(out, owner[keep], measure(parts[keep]))
    return out


def geodesic_gap_m(ga, gb, local: str) -> np.ndarray:
    """Geodesic distance (metres) between the nearest points of geometry pairs given in ``local``."""
    if len(ga) == 0:
        return np.zeros(0)
    lines = shapely.shortest_line(ga, gb)
    ends = shapely.get_coordinates(lines).reshape(-1, 2, 2)
    lon, lat = hcrs.transformer(local, hcrs.WGS84).transform(ends[:, :, 0].ravel(), ends[:, :, 1].ravel())
    lon, lat = np.asarray(lon).reshape(-1, 2), np.asarray(lat).reshape(-1, 2)
    return hcrs.geodesic_distance_m(lon[:, 0], lat[:, 0], lon[:, 1], lat[:, 1])


def _names(frame, field) -> np.ndarray:
    col = label_column(frame, field)
    if col is None:
        return frame.index.astype(str).to_numpy(dtype=object)
    values = frame[col].astype(object)
    fallback = pd.Series(frame.index.astype(str), index=frame.index)
    return values.where(values.notna(), fallback).astype(str).to_numpy(dtype=object)
