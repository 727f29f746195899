"""Flat geometry: a layer's coordinates as numpy arrays plus offsets, no per-feature objects.

Drawing a million features needs their coordinates, not a million shapely geometries (building
them costs ~1.4 s per million polygons, taking them apart again for drawing another second).
:class:`FlatGeometry` holds what GDAL's WKB decodes to (:mod:`hygis.io.wkb`): WGS84 x/y, ring
(or line part, or point) offsets, the owning row of each ring and whether it is a polygon's
exterior.  :class:`FlatVectorLayer` is a vector layer read for drawing: attributes plus flat
geometry; its GeoDataFrame (shapely geometries) is built only when something asks for it
(identify, editing, analyses), so every layer operation still works.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hygis.geo import crs as hcrs
from hygis.layers.vector import VectorLayer

FAMILIES = ("polygon", "line", "point")
_PENDING = object()  # FlatVectorLayer's data while VectorLayer.__init__ runs


@dataclass
class FlatGeometry:
    """Flattened geometries of ``n`` rows of one family, WGS84 degrees.

    Attributes
    ----------
    family : 'polygon', 'line' or 'point'
    x, y : ndarray (M,)
        Coordinates.
    starts : ndarray (R + 1,)
        Offsets of each ring / line part / point into x, y (a point is a one-vertex part).
    feature : ndarray (R,)
        Row of the feature owning each ring (non-decreasing).
    part : ndarray (R,)
        Polygons: index of the polygon (part of a multipolygon) each ring belongs to, numbered
        over the whole layer; lines and points: the ring index itself.
    multi : ndarray (n,) bool
        Rows whose geometry is a Multi* type.
    null : ndarray (n,) bool
        Rows without geometry.
    """

    family: str
    x: np.ndarray
    y: np.ndarray
    starts: np.ndarray
    feature: np.ndarray
    part: np.ndarray
    multi: np.ndarray
    null: np.ndarray

    @property
    def n(self) -> int:
        return len(self.null)

    def exterior(self) -> np.ndarray:
        """Per ring: whether it is the first ring (shell) of its polygon."""
        ext = np.ones(len(self.feature), bool)
        if self.family == "polygon" and len(ext) > 1:
            ext[1:] = self.part[1:] != self.part[:-1]
        return ext

    def bounds(self) -> tuple[float, float, float, float] | None:
        """WGS84 (xmin, ymin, xmax, ymax) of all coordinates, None when there are none."""
        if len(self.x) == 0 or np.all(np.isnan(self.x)):
            return None
        return (float(np.nanmin(self.x)), float(np.nanmin(self.y)), float(np.nanmax(self.x)),
                float(np.nanmax(self.y)))

    def subset(self, rows: np.ndarray) -> "FlatGeometry":
        """The geometries of ``rows`` (positions, in that order) as a new FlatGeometry."""
        rows = np.asarray(rows, np.int64)
        order = np.argsort(rows, kind="stable")
        remap = np.full(self.n, -1, np.int64)
        remap[rows[order]] = order  # new row of each kept old row
        ring_ids = np.flatnonzero(remap[self.feature] >= 0)
        ring_ids = ring_ids[np.argsort(remap[self.feature[ring_ids]], kind="stable")]  # in the new row order
        lens = np.diff(self.starts)[ring_ids]
        starts = _offsets(lens)
        idx = np.arange(starts[-1], dtype=np.int64) - np.repeat(starts[:-1] - self.starts[ring_ids], lens)
        return FlatGeometry(self.family, self.x[idx], self.y[idx], starts, remap[self.feature[ring_ids]],
                            self.part[ring_ids], self.multi[rows], self.null[rows])

    def to_shapely(self) -> np.ndarray:
        """The geometries as a shapely array of ``n`` rows (None where null)."""
        coords = np.column_stack([self.x, self.y])
        out = np.empty(self.n, object)
        rows = np.flatnonzero(~self.null)
        if len(rows) == 0:
            return out
        counts = np.bincount(self.feature, minlength=self.n)[rows]  # rings / parts / points per row
        if self.family == "point":
            geoms = _build(shapely.GeometryType.MULTIPOINT, coords, (_offsets(counts),))
        else:
            kind = shapely.GeometryType.MULTIPOLYGON if self.family == "polygon" else \
                shapely.GeometryType.MULTILINESTRING
            if self.family == "polygon":
                first = np.r_[True, self.part[1:] != self.part[:-1]] if len(self.part) else np.zeros(0, bool)
                poly_rings = np.diff(np.r_[np.flatnonzero(first), len(self.part)])
                polys_per_row = np.bincount(self.feature[first], minlength=self.n)[rows]
                offsets = (self.starts, _offsets(poly_rings), _offsets(polys_per_row))
            else:
                offsets = (self.starts, _offsets(counts))
            geoms = _build(kind, coords, offsets)
        single = ~self.multi[rows]
        if single.any():
            one = shapely.get_geometry(geoms[single], 0)
            empty = shapely.get_num_geometries(geoms[single]) == 0  # an empty Polygon/LineString/Point
            if empty.any():
                blank = {"polygon": "POLYGON EMPTY", "line": "LINESTRING EMPTY", "point": "POINT EMPTY"}
                one[empty] = shapely.from_wkt(blank[self.family])
            geoms[single] = one
        out[rows] = geoms
        return out


def _offsets(counts: np.ndarray) -> np.ndarray:
    out = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(counts, out=out[1:])
    return out


def _build(kind, coords, offsets) -> np.ndarray:
    return np.asarray(shapely.from_ragged_array(kind, coords, offsets), object)


class FlatVectorLayer(VectorLayer):
    """A generic vector layer read for drawing: attributes and :class:`FlatGeometry` (WGS84).

    ``data`` (the GeoDataFrame) is built from them on first access; until then the renderers
    draw straight from :attr:`flat`.  After :meth:`set_data` it is an ordinary vector layer.

    ``attributes`` may be a DataFrame or a callable returning one, read on first use (with
    ``fields``, the column names): a map drawn with a single symbol never needs them, and a
    ``hygis render`` process then never imports pandas (see :mod:`hygis.core.lazyimport`).
    """

    def __init__(self, name: str, attributes, flat: FlatGeometry, source: str = "", fields=None, **kw):
        self._attrs_lock = threading.Lock()
        self._attrs_source = attributes
        self._attrs_frame = None
        self._field_names = [str(f) for f in fields] if fields is not None else None
        self.flat = flat
        self._frame = None
        self._building = True  # VectorLayer.__init__ sees no frame; the real one is built lazily
        super().__init__(name, _PENDING, kind="vector", source=source, validate=False, **kw)
        self._building = False
        self._next_fid = iter(range(flat.n, 1 << 62))

    def _prepare(self, gdf, validate: bool):
        if self._building:
            return None
        return super()._prepare(gdf, validate)

    @property
    def _attrs(self) -> pd.DataFrame:
        if self._attrs_frame is None:
            with self._attrs_lock:
                if self._attrs_frame is None:
                    source = self._attrs_source
                    frame = (source() if callable(source) else source).reset_index(drop=True)
                    frame.index.name = "fid"
                    self._attrs_frame, self._attrs_source = frame, None
        return self._attrs_frame

    @_attrs.setter
    def _attrs(self, frame: pd.DataFrame) -> None:
        self._attrs_frame, self._attrs_source = frame, None

    @property
    def _data(self) -> gpd.GeoDataFrame:
        if self._frame is None:
            if self._building:
                return ()  # VectorLayer.__init__ asks for its length only
            geoms = gpd.GeoSeries(self.flat.to_shapely(), index=self._attrs.index, crs=hcrs.WGS84)
            frame = gpd.GeoDataFrame(self._attrs.copy(), geometry=geoms, crs=hcrs.WGS84)
            frame.index.name = "fid"
            self._frame = frame
        return self._frame

    @_data.setter
    def _data(self, frame: gpd.GeoDataFrame) -> None:
        if self._building:
            return  # the empty frame of VectorLayer.__init__
        self._frame = frame
        self.flat = None  # replaced data: drawn from the new frame
        self._attrs = frame.drop(columns=frame.geometry.name)

    @property
    def attributes(self) -> pd.DataFrame:
        return self._attrs if self.flat is not None else self._data

    @property
    def data_token(self) -> int:
        return id(self.flat) if self.flat is not None else id(self._data)

    @property
    def feature_count(self) -> int:
        return self.flat.n if self.flat is not None else len(self._attrs)

    @property
    def geometry_type(self) -> str:
        if self.flat is None:
            return super().geometry_type
        return "empty" if self.flat.null.all() else self.flat.family

    @property
    def bounds(self):
        if self.flat is None:
            return super().bounds
        return self.flat.bounds()

    @property
    def fields(self) -> list[str]:
        if self._attrs_frame is None and self._field_names is not None:
            return list(self._field_names)
        return [str(c) for c in self._attrs.columns]

    def filter_mask(self, expression: str | None = None) -> np.ndarray:
        expr = self.filter if expression is None else expression
        if self.flat is not None and not expr and (expression is not None or self.show_illustrative):
            return np.ones(self.feature_count, bool)
        return super().filter_mask(expression)

    @property
    def filters_rows(self) -> bool:
        if self.flat is not None and not self.filter and self.show_illustrative:
            return False
        return super().filters_rows
