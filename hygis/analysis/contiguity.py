"""Zone contiguity (libpysal queen/rook weights), adjacency matrices and the plan's example questions.

Queen contiguity: two zones are neighbours when their boundaries share at least
one vertex; rook: when they share an edge (libpysal's definitions, which need
coincident vertices, as in the basemap's districts).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from hygis.geo import crs as hcrs
from hygis.analysis._common import as_frame, label_column, to_equal_area
from hygis.analysis.adjacency import PAIR_COLUMNS, adjacency_pairs
from hygis.core.errors import HygisError

CONTIGUITY_KINDS = ("queen", "rook")


def zone_contiguity(zones, kind: str = "queen", by: str | None = "name") -> pd.DataFrame:
    """Neighbouring zones by queen or rook contiguity (libpysal weights).

    Parameters
    ----------
    zones : GeoDataFrame or VectorLayer
        Polygon zones in any CRS.
    kind : {'queen', 'rook'}
        Queen: a shared vertex suffices; rook: a shared edge is needed.
    by : str, optional
        Field naming the zones (default 'name' if present, else the feature id).

    Returns
    -------
    DataFrame
        Columns :data:`hygis.analysis.adjacency.PAIR_COLUMNS`, one row per unordered pair
        (``relation`` = ``kind``; ``shared_length_km`` = geodesic length of the common
        boundary, 0 for a corner contact; ``overlap_area_km2`` and ``distance_m`` 0).
    """
    if kind not in CONTIGUITY_KINDS:
        raise HygisError("Unknown contiguity '{kind}': use queen or rook", kind=kind)
    frame = as_frame(zones, "zones")
    if by is not None and by not in frame.columns and by == "name":
        by = None
    col = label_column(frame, by)
    names = frame[col].astype(str).to_numpy(object) if col else frame.index.astype(str).to_numpy(object)
    i, j = _neighbour_pairs(frame, kind)
    geoms = frame.geometry.to_numpy()
    shared = _shared_length_km(geoms[i], geoms[j])
    out = pd.DataFrame({"a_id": frame.index.to_numpy()[i], "a_name": names[i],
                        "b_id": frame.index.to_numpy()[j], "b_name": names[j], "relation": kind,
                        "shared_length_km": shared, "overlap_area_km2": 0.0, "distance_m": 0.0})
    out = out[PAIR_COLUMNS].reset_index(drop=True)
    out.attrs["symmetric"] = True
    return out


def _neighbour_pairs(frame, kind) -> tuple[np.ndarray, np.ndarray]:
    if len(frame) < 2:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    import warnings

    from libpysal import weights

    cls = weights.Queen if kind == "queen" else weights.Rook
    with warnings.catch_warnings():  # islands (zones without neighbours) are fine here
        warnings.simplefilter("ignore")
        w = cls.from_dataframe(frame.reset_index(drop=True), use_index=False, silence_warnings=True)
    pairs = [(a, b) for a, nbrs in w.neighbors.items() for b in nbrs if a < b]
    if not pairs:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    arr = np.array(sorted(pairs), dtype=np.intp)
    return arr[:, 0], arr[:, 1]


def _shared_length_km(ga, gb) -> np.ndarray:
    """Geodesic length (km) of the common boundary of polygon pairs (WGS84)."""
    if len(ga) == 0:
        return np.zeros(0)
    common = shapely.intersection(shapely.boundary(ga), shapely.boundary(gb))
    parts, owner = shapely.get_parts(common, return_index=True)
    lines = np.isin(shapely.get_type_id(parts), (1, 2, 5))
    out = np.zeros(len(ga))
    if lines.any():
        np.add.at(out, owner[lines], hcrs.length_km(parts[lines]))
    return out


def adjacency_matrix(pairs: pd.DataFrame, symmetric: bool | None = None) -> pd.DataFrame:
    """A 0/1 matrix (DataFrame) of the pairs, labelled by name.

    Parameters
    ----------
    pairs : DataFrame with ``a_name`` and ``b_name`` (from :func:`adjacency_pairs` or
        :func:`zone_contiguity`).
    symmetric : bool, optional
        One square matrix over all names, filled both ways (pairs within one layer).
        Default: ``pairs.attrs['symmetric']``, else True when it is not set.

    Returns
    -------
    DataFrame
        Rows ``a_name``, columns ``b_name`` (or all names both ways when symmetric); the number
        of pairs between the two names (1 for distinct names).
    """
    if symmetric is None:
        symmetric = bool(pairs.attrs.get("symmetric", True))
    a, b = pairs["a_name"].astype(str), pairs["b_name"].astype(str)
    if symmetric:
        labels = list(dict.fromkeys(list(a) + list(b)))
        rows, cols = labels, labels
        a, b = pd.concat([a, b]), pd.concat([b, a])
    else:
        rows, cols = list(dict.fromkeys(a)), list(dict.fromkeys(b))
    matrix = pd.crosstab(a.to_numpy(), b.to_numpy()).reindex(index=rows, columns=cols, fill_value=0)
    matrix.index.name, matrix.columns.name = None, None
    return matrix.astype(int)


# -- the plan's example questions ---------------------------------------------------------------

def districts_hosting(points, districts, by: str | None = "name") -> "pd.DataFrame":
    """Districts (zones) that contain at least one of ``points``, with the count.

    A point on the boundary shared by two districts counts for the first of them in
    the districts' order (as in :func:`hygis.analysis.coverage.coverage_by_zone`).

    Returns
    -------
    GeoDataFrame
        The hosting districts' rows (WGS84) with an added ``point_count`` column.
    """
    zones = as_frame(districts, "districts")
    pts = as_frame(points, "points")
    if by is not None and by not in zones.columns and by == "name":
        by = None
    label_column(zones, by)
    zone_geoms = to_equal_area(zones.geometry.to_numpy())
    geoms = pts.geometry.to_numpy()
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))] if len(geoms) else geoms
    counts = np.zeros(len(zones), dtype=np.int64)
    if len(geoms) and len(zones):
        parts = shapely.get_parts(to_equal_area(geoms))
        p, z = shapely.STRtree(zone_geoms).query(parts, predicate="intersects")
        order = np.lexsort((z, p))
        p, z = p[order], z[order]
        first = np.r_[True, p[1:] != p[:-1]] if len(p) else np.empty(0, bool)
        counts = np.bincount(z[first], minlength=len(zones))
    out = zones.copy()
    out["point_count"] = counts
    return out[out["point_count"] > 0]


def hosting_districts_contiguity(points, districts, kind: str = "queen", by: str | None = "name") -> pd.DataFrame:
    """Which districts hosting ``points`` (e.g. enclaves) border each other (queen/rook pairs)."""
    return zone_contiguity(districts_hosting(points, districts, by), kind=kind, by=by)


def features_near(a, b, distance_m: float, a_name: str | None = None, b_name: str | None = None,
                  progress=None, cancelled=None) -> pd.DataFrame:
    """Pairs (a, b) whose features lie within ``distance_m`` metres (geodesic), meeting ones included.

    Answers "which FTZ sub-areas lie within 5 km of an innovation corridor"
    (``features_near(ftz, corridors, 5000)``) and "which heritage points lie within 1 km of
    an ecological coastline section" (``features_near(heritage, coastline, 1000)``).
    """
    return adjacency_pairs(a, b, distance_m=distance_m, a_name=a_name, b_name=b_name,
                           progress=progress, cancelled=cancelled)


def ftz_near_corridors(ftz, corridors, distance_m: float = 5000.0) -> pd.DataFrame:
    """FTZ sub-areas within ``distance_m`` metres (default 5 km) of an innovation corridor."""
    return features_near(ftz, corridors, distance_m)


def heritage_near_coastline(heritage, coastline, distance_m: float = 1000.0) -> pd.DataFrame:
    """Heritage points within ``distance_m`` metres (default 1 km) of an ecological coastline section."""
    return features_near(heritage, coastline, distance_m)
