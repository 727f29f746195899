"""Helpers shared by the analyses: input normalisation, projections, progress and cancel.

Every analysis takes GeoDataFrames in any CRS; they are brought to WGS84
(the storage CRS) first and then to the metric CRS the computation needs.
"""

from __future__ import annotations

from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hygis.geo import crs as hcrs
from hygis.core.errors import CancelledError, HygisError

Progress = Callable[[float], None] | None
Cancelled = Callable[[], bool] | None


class Feedback:
    """Progress reporting and cancel checks of one analysis run (both callbacks optional)."""

    def __init__(self, progress: Progress = None, cancelled: Cancelled = None):
        self._progress = progress
        self._cancelled = cancelled

    def check(self) -> None:
        """Raise :class:`CancelledError` if the caller asked to stop."""
        if self._cancelled is not None and self._cancelled():
            raise CancelledError("Analysis cancelled")

    def report(self, fraction: float) -> None:
        """Check for cancel, then report ``fraction`` (0–1) done."""
        self.check()
        if self._progress is not None:
            self._progress(float(min(max(fraction, 0.0), 1.0)))


def as_frame(data, what: str = "layer") -> gpd.GeoDataFrame:
    """A GeoDataFrame in EPSG:4326 from a GeoDataFrame or a hygis VectorLayer.

    Raises HygisError when there is no CRS (coordinates could be anything).
    """
    if hasattr(data, "data") and isinstance(getattr(data, "data"), gpd.GeoDataFrame):
        data = data.data
    if not isinstance(data, gpd.GeoDataFrame):
        raise HygisError("{what} must be a GeoDataFrame or a vector layer", what=what)
    if data.crs is None:
        if len(data) == 0:
            return data.set_crs(hcrs.WGS84)
        raise HygisError("{what} has no coordinate reference system", what=what)
    if not data.crs.equals(hcrs.parse_crs(hcrs.WGS84)):
        data = data.to_crs(hcrs.WGS84)
    return data


def as_frames(data, what: str = "targets") -> list[gpd.GeoDataFrame]:
    """One or several layers as a list of WGS84 GeoDataFrames."""
    items = data if isinstance(data, (list, tuple)) else [data]
    return [as_frame(item, what) for item in items]


def clean_geoms(geoms: np.ndarray) -> np.ndarray:
    """Repair invalid geometries (self-intersections) so overlay cannot fail; missing → empty."""
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 0:
        return geoms
    missing = shapely.is_missing(geoms)
    if missing.any():
        geoms = geoms.copy()
        geoms[missing] = shapely.from_wkt("GEOMETRYCOLLECTION EMPTY")
    bad = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    if bad.any():
        geoms = geoms.copy()
        geoms[bad] = shapely.make_valid(geoms[bad])
    return geoms


def to_equal_area(geoms) -> np.ndarray:
    """WGS84 geometries → the equal-area Albers projection (metres) of :data:`hygis.geo.crs.EQUAL_AREA`."""
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 0:
        return geoms
    return hcrs.project_geoms(geoms, hcrs.WGS84, hcrs.EQUAL_AREA)


def local_crs_for(*frames: gpd.GeoDataFrame) -> str:
    """An azimuthal equidistant CRS centred on the data (scale error < 0.05 % within 300 km)."""
    bounds = [f.total_bounds for f in frames if len(f) and np.isfinite(f.total_bounds).all()]
    if not bounds:
        return hcrs.local_metric_crs(120.5, 29.5)
    b = np.array(bounds)
    lon = (b[:, 0].min() + b[:, 2].max()) / 2
    lat = (b[:, 1].min() + b[:, 3].max()) / 2
    return hcrs.local_metric_crs(float(lon), float(lat))


def family_of(geoms: np.ndarray) -> np.ndarray:
    """'point'/'line'/'polygon'/'' per geometry (collections are split beforehand)."""
    type_id = shapely.get_type_id(geoms)
    out = np.full(len(geoms), "", dtype=object)
    out[np.isin(type_id, (0, 4))] = "point"
    out[np.isin(type_id, (1, 2, 5))] = "line"
    out[np.isin(type_id, (3, 6))] = "polygon"
    return out


def explode_collections(geoms: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split GeometryCollections into their parts (keeping the owning feature index); drop empties."""
    geoms = np.asarray(geoms, dtype=object)
    index = np.asarray(index)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    geoms, index = geoms[keep], index[keep]
    is_coll = shapely.get_type_id(geoms) == 7
    if not is_coll.any():
        return geoms, index
    parts, which = shapely.get_parts(geoms[is_coll], return_index=True)
    return (np.concatenate([geoms[~is_coll], parts]),
            np.concatenate([index[~is_coll], index[is_coll][which]]))


def label_column(frame: pd.DataFrame, by: str | None) -> str | None:
    """The field naming features: ``by`` if given (must exist), else 'name' if present."""
    if by:
        if by not in frame.columns:
            fields = ", ".join(c for c in frame.columns if c != frame.geometry.name) or "none"
            raise HygisError("field '{by}' not found (fields: {fields})", by=by, fields=fields)
        return by
    return "name" if "name" in frame.columns else None
