"""Vector layers: a GeoDataFrame (EPSG:4326) with a name, kind, style and display state.

Feature ids are the GeoDataFrame's integer index labels ("fid"); they stay
stable across edits so undo commands can refer to them.

A layer has its *own* visibility, style and filter (saved with it) and may show a scenario's
*view* on top (:meth:`Layer.set_view`, set by :func:`hygis.project.scenarios.apply`): the
``visible``/``style``/``filter`` properties give what is drawn; applying a scenario never
changes the own values (``own_visible``, ``own_style``, ``own_filter``).  Setting a property
sets the own value and drops that part of the view, so an edit shows at once.

Events (``layer.events.<name>.connect(cb)``):
    name, visible, opacity, style, filter -- the new (drawn) value
    data      -- (reason: str) after features/geometries/attributes changed
    selection -- the new selected fid set
"""

from __future__ import annotations

import itertools
import uuid

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hygis.geo import crs as hcrs
from hygis.core.errors import HygisError
from hygis.core.events import EmitterGroup
from hygis.layers.expressions import evaluate_filter, parse_filter
from hygis.layers.schema import DTYPES, LAYER_KINDS, SCHEMAS, cast_frame, schema_for, validate_frame
from hygis.layers.style import Style, default_style, illustrative_mask

_GEOM_FAMILY = {"Polygon": "polygon", "MultiPolygon": "polygon", "LineString": "line",
                "MultiLineString": "line", "LinearRing": "line", "Point": "point", "MultiPoint": "point"}


#: shapely type id → geom_type name (7 = GeometryCollection).
_TYPE_NAMES = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
                        "MultiPolygon", "GeometryCollection"], dtype=object)


def geometry_family(geom_types) -> str:
    """'polygon', 'line', 'point', 'mixed' or 'empty' for a sequence of geom_type strings."""
    fams = {_GEOM_FAMILY.get(t, "mixed") for t in pd.unique(pd.Series(geom_types).dropna())}
    if not fams:
        return "empty"
    return fams.pop() if len(fams) == 1 else "mixed"


class Layer:
    """State shared by vector and raster layers."""

    kind = "vector"

    def __init__(self, name: str, visible: bool = True, opacity: float = 1.0, layer_id: str | None = None):
        self.events = EmitterGroup("name", "visible", "opacity", "style", "filter", "data", "selection")
        self.id = layer_id or uuid.uuid4().hex[:12]
        self._name = ""
        self.name = name
        self._visible = bool(visible)
        self._view: dict = {}  # a scenario's visible/style/filter shown over the own values
        self._opacity = 1.0
        self.opacity = opacity

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        value = str(value).strip()
        if not value:
            raise HygisError("A layer name cannot be empty")
        if len(value) > 200:
            raise HygisError("A layer name is limited to 200 characters")
        if value != self._name:
            self._name = value
            self.events.name(value)

    @property
    def visible(self) -> bool:
        return self._view.get("visible", self._visible)

    @visible.setter
    def visible(self, value: bool) -> None:
        before = self.visible
        self._visible = bool(value)
        self._drop_view("visible", before)

    @property
    def own_visible(self) -> bool:
        return self._visible

    # -- a scenario's view -------------------------------------------------------------------
    VIEW_PROPS = ("visible",)

    @property
    def view(self) -> dict:
        """The scenario state shown over the own values (a copy; empty when none)."""
        return dict(self._view)

    def set_view(self, **state) -> None:
        """Show ``state`` (visible / style / filter; None or absent = the own value) over the own
        values; emits the events of what is drawn differently.  The own values never change."""
        unknown = set(state) - set(self.VIEW_PROPS)
        if unknown:
            raise HygisError("a layer view has no {value}", value=', '.join(sorted(unknown)))
        view = {k: self._check_view(k, v) for k, v in state.items() if v is not None}
        before = {p: getattr(self, p) for p in self.VIEW_PROPS}
        self._view = view  # a new dict: shadow layers share the old one
        self._emit_changes(before)

    def _check_view(self, prop: str, value):
        return bool(value)

    def _drop_view(self, prop: str, before) -> None:
        if prop in self._view:
            self._view = {k: v for k, v in self._view.items() if k != prop}
        self._emit_changes({prop: before})

    def _emit_changes(self, before: dict) -> None:
        for prop, old in before.items():
            new = getattr(self, prop)
            same = old.to_dict() == new.to_dict() if hasattr(new, "to_dict") and hasattr(old, "to_dict") else old == new
            if not same:
                getattr(self.events, prop)(new)

    @property
    def opacity(self) -> float:
        return self._opacity

    @opacity.setter
    def opacity(self, value: float) -> None:
        value = float(value)
        if not 0.0 <= value <= 1.0:
            raise HygisError("opacity must be between 0.0 and 1.0; got {value}", value=value)
        if value != self._opacity:
            self._opacity = value
            self.events.opacity(value)


class VectorLayer(Layer):
    """A vector layer of one of the thematic kinds or a generic ``vector`` layer."""

    def __init__(self, name: str, data: gpd.GeoDataFrame | None = None, kind: str = "vector",
                 style: Style | None = None, visible: bool = True, opacity: float = 1.0,
                 filter: str = "", source: str = "", layer_id: str | None = None, validate: bool = True):
        if kind not in LAYER_KINDS or kind == "raster":
            raise HygisError("Unknown vector layer kind '{kind}'", kind=kind)
        self.kind = kind
        super().__init__(name, visible, opacity, layer_id)
        self.source = source
        self._style = style or default_style(kind)
        self._filter = ""
        self.filter = filter
        self._selection: frozenset[int] = frozenset()
        self._data = self._prepare(data if data is not None else self.empty_frame(kind), validate)
        self._next_fid = itertools.count(int(self._data.index.max()) + 1 if len(self._data) else 0)

    # -- construction helpers ---------------------------------------------------------
    @staticmethod
    def empty_frame(kind: str = "vector") -> gpd.GeoDataFrame:
        schema = SCHEMAS.get(kind)
        cols = {f.name: pd.Series([], dtype=DTYPES[f.type]) for f in schema.fields} if schema else {}
        return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=hcrs.WGS84), crs=hcrs.WGS84)

    def _prepare(self, gdf: gpd.GeoDataFrame, validate: bool) -> gpd.GeoDataFrame:
        if not isinstance(gdf, gpd.GeoDataFrame):
            raise HygisError("layer data must be a GeoDataFrame")
        if gdf.crs is None:
            raise HygisError("Layer '{self_name}' has no coordinate reference system", self_name=self.name)
        if not gdf.crs.equals(hcrs.parse_crs(hcrs.WGS84)):
            gdf = gdf.to_crs(hcrs.WGS84)
        gdf = gdf.copy()
        if gdf.geometry.name != "geometry":
            gdf = gdf.rename_geometry("geometry")
        if not pd.api.types.is_integer_dtype(gdf.index) or gdf.index.has_duplicates:
            gdf = gdf.reset_index(drop=True)
        gdf.index.name = "fid"
        if validate and self.kind in SCHEMAS:
            gdf = validate_frame(self.kind, gdf)
        elif self.kind in SCHEMAS:  # validated rows: only keep every column in its schema dtype
            gdf = cast_frame(self.kind, gdf)
        return self._with_computed(gdf)

    def _with_computed(self, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        schema = SCHEMAS.get(self.kind)
        if schema is None:
            return gdf
        geoms = gdf.geometry.to_numpy()
        for spec in schema.fields:
            if spec.name == "area_km2":
                gdf[spec.name] = np.round(hcrs.area_km2(geoms), 4) if len(gdf) else pd.Series([], dtype=float)
            elif spec.name == "length_km":
                gdf[spec.name] = np.round(hcrs.length_km(geoms), 4) if len(gdf) else pd.Series([], dtype=float)
        return gdf

    # -- data access --------------------------------------------------------------------
    @property
    def data(self) -> gpd.GeoDataFrame:
        """The layer's features (do not modify in place: use commands or :meth:`set_data`)."""
        return self._data

    def set_data(self, gdf: gpd.GeoDataFrame, reason: str = "data", validate: bool = True) -> None:
        self._data = self._prepare(gdf, validate)
        self._selection = frozenset(f for f in self._selection if f in self._data.index)
        self.events.data(reason)

    @property
    def schema(self):
        return schema_for(self.kind)

    @property
    def attributes(self) -> pd.DataFrame:
        """The features' attributes (a frame with one row per feature; may include the geometry)."""
        return self._data

    @property
    def data_token(self) -> int:
        """Changes whenever the layer's data is replaced (a cache key for what is derived from it)."""
        return id(self._data)

    @property
    def feature_count(self) -> int:
        return len(self._data)

    @property
    def geometry_type(self) -> str:
        # from shapely's type ids: GeoSeries.geom_type builds a string per feature (~0.3 s per million)
        ids = shapely.get_type_id(self._data.geometry.to_numpy())
        return geometry_family(_TYPE_NAMES[np.unique(ids[ids >= 0])])

    @property
    def bounds(self) -> tuple[float, float, float, float] | None:
        if len(self._data) == 0 or self._data.geometry.is_empty.all():
            return None
        b = self._data.total_bounds
        return tuple(float(v) for v in b) if np.all(np.isfinite(b)) else None

    @property
    def fields(self) -> list[str]:
        return [c for c in self._data.columns if c != "geometry"]

    def new_fid(self) -> int:
        fid = next(self._next_fid)
        while fid in self._data.index:
            fid = next(self._next_fid)
        return fid

    # -- style, filter, selection --------------------------------------------------------
    VIEW_PROPS = ("visible", "style", "filter")

    def _check_view(self, prop: str, value):
        if prop == "style":
            if not isinstance(value, Style):
                raise HygisError("style must be a Style")
            value.validate()
            return value
        if prop == "filter":
            value = (value or "").strip()
            if value:
                parse_filter(value)
            return value
        return bool(value)

    @property
    def style(self) -> Style:
        return self._view.get("style", self._style)

    @style.setter
    def style(self, value: Style) -> None:
        if not isinstance(value, Style):
            raise HygisError("style must be a Style")
        value.validate()
        had_view = "style" in self._view
        self._style = value
        if had_view:
            self._view = {k: v for k, v in self._view.items() if k != "style"}
        self.events.style(value)

    @property
    def own_style(self) -> Style:
        return self._style

    @property
    def filter(self) -> str:
        return self._view.get("filter", self._filter)

    @filter.setter
    def filter(self, value: str | None) -> None:
        value = (value or "").strip()
        if value:
            parse_filter(value)
        before = self.filter
        self._filter = value
        self._drop_view("filter", before)

    @property
    def own_filter(self) -> str:
        return self._filter

    def filter_mask(self, expression: str | None = None) -> np.ndarray:
        """Boolean mask of features passing ``expression`` (default: the drawn filter, and
        without illustrative features while they are hidden)."""
        mask = evaluate_filter(self._data, self.filter if expression is None else expression)
        if expression is None and not self.show_illustrative:
            mask = np.asarray(mask, bool) & ~illustrative_mask(self._data)
        return mask

    @property
    def show_illustrative(self) -> bool:
        """Whether illustrative (示意) features are drawn and analysed (a view setting of the project)."""
        return getattr(self, "_show_illustrative", True)

    @show_illustrative.setter
    def show_illustrative(self, value: bool) -> None:
        value = bool(value)
        if value != self.show_illustrative:
            self._show_illustrative = value
            self.events.filter(self.filter)

    @property
    def filters_rows(self) -> bool:
        """Whether :meth:`filter_mask` can drop rows (a filter is set or illustrative features are hidden)."""
        return bool(self.filter) or (not self.show_illustrative and bool(illustrative_mask(self._data).any()))

    def visible_data(self) -> gpd.GeoDataFrame:
        """Features passing the drawn filter (what is drawn and analysed)."""
        if not self.filters_rows:
            return self._data
        return self._data[self.filter_mask()]

    @property
    def selection(self) -> frozenset[int]:
        return self._selection

    @selection.setter
    def selection(self, fids) -> None:
        fids = frozenset(int(f) for f in fids if int(f) in self._data.index)
        if fids != self._selection:
            self._selection = fids
            self.events.selection(fids)

    def __repr__(self) -> str:
        return f"<VectorLayer {self.name!r} kind={self.kind} n={self.feature_count}>"
