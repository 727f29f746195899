"""Geometry checks and repair: invalid geometries are reported, never silently dropped.

:func:`check_geometries` lists invalid features with GEOS' reason
("Self-intersection[120.1 30.2]", "Ring Self-intersection", "Too few points"),
:func:`repair_geometries` fixes them with :func:`shapely.make_valid` while
keeping each geometry's family (a polygon stays a polygon: the lines or points
a repair may produce are dropped from the result, not the feature), and
:class:`RepairGeometries` does it as an undoable edit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from hygis.project.commands import Command, Label
from hygis.core.errors import HygisError
from hygis.core.text import Joined

# shapely type ids: 0 Point, 1 LineString, 2 LinearRing, 3 Polygon, 4 MultiPoint, 5 MultiLineString,
# 6 MultiPolygon, 7 GeometryCollection
_FAMILY_OF_TYPE = {0: "point", 4: "point", 1: "line", 2: "line", 5: "line", 3: "polygon", 6: "polygon"}
_FAMILY_TYPES = {"point": (0, 4), "line": (1, 2, 5), "polygon": (3, 6)}


def check_geometries(gdf) -> pd.DataFrame:
    """Invalid geometries of a GeoDataFrame.

    Returns
    -------
    DataFrame with columns ``fid`` (the frame's index label) and ``reason``
    (GEOS' explanation, with the location in the data's coordinates, degrees for
    layers).  Missing geometries are not reported (they are legal); an empty
    frame means every geometry is valid.
    """
    geoms = np.asarray(gdf.geometry.to_numpy())
    present = ~shapely.is_missing(geoms)
    invalid = present & ~shapely.is_valid(geoms)
    idx = np.flatnonzero(invalid)
    reasons = shapely.is_valid_reason(geoms[idx]) if len(idx) else []
    return pd.DataFrame({"fid": [int(v) if isinstance(v, (int, np.integer)) else v for v in gdf.index[idx]],
                         "reason": [str(r) for r in reasons]}, columns=["fid", "reason"])


def describe_problems(problems: pd.DataFrame, limit: int = 3) -> str:
    """One line: 'fid 3: Self-intersection[120.1 30.2]; fid 7: ...' (at most ``limit`` listed)."""
    parts = [f"fid {r.fid}: {r.reason}" for r in problems.head(limit).itertuples()]
    more = len(problems) - limit
    return Joined(parts + ([Label("and {n} more", n=more)] if more > 0 else []))


def _family(geom) -> str | None:
    return _FAMILY_OF_TYPE.get(shapely.get_type_id(geom))


def _reduce(geom, family: str):
    """Keep only the parts of ``geom`` of ``family`` (None if it has none)."""
    if geom is None:
        return None
    parts = shapely.get_parts(geom)
    # a collection inside a collection (rare) is flattened once more
    flat = []
    for p in parts:
        flat.extend(shapely.get_parts(p) if shapely.get_type_id(p) == 7 else [p])
    keep = [p for p in flat if shapely.get_type_id(p) in _FAMILY_TYPES[family] and not p.is_empty]
    if not keep:
        return None
    if len(keep) == 1:
        return keep[0]
    merged = shapely.union_all(keep) if family == "polygon" else None
    if merged is not None and shapely.get_type_id(merged) in _FAMILY_TYPES[family]:
        return merged
    if family == "point":
        return shapely.multipoints(keep)
    if family == "line":
        return shapely.multilinestrings(keep)
    return shapely.multipolygons(keep)


def repair_geometry(geom, family: str | None = None):
    """A valid version of one geometry of the same family, or None if a repair leaves nothing of it."""
    if geom is None or shapely.is_valid(geom):
        return geom
    family = family or _family(geom)
    fixed = shapely.make_valid(geom)
    if family is None:
        return fixed
    if _family(fixed) == family:
        return fixed
    return _reduce(fixed, family)


def repair_geometries(gdf, family: str | None = None):
    """A copy of ``gdf`` with invalid geometries repaired (shapely.make_valid).

    Each geometry keeps its family (polygon/line/point; ``family`` forces one,
    e.g. the thematic kind's); collections a repair produces are reduced to that
    family.  A geometry whose repair leaves nothing of its family (a polygon
    collapsed to a line) is kept unchanged, so :func:`check_geometries` still
    reports it.
    """
    out = gdf.copy()
    problems = check_geometries(gdf)
    if problems.empty:
        return out
    geoms = out.geometry.copy()
    for fid in problems["fid"]:
        fixed = repair_geometry(geoms.loc[fid], family)
        if fixed is not None:
            geoms.loc[fid] = fixed
    out[out.geometry.name] = geoms
    return out


class RepairGeometries(Command):
    """Repair the invalid geometries of a vector layer (all, or those in ``fids``) as one undo step."""

    def __init__(self, layer, fids=None, label: str | None = None):
        from hygis.layers.schema import SCHEMAS

        self.layer = layer
        data = layer.data if fids is None else layer.data.loc[[int(f) for f in fids if int(f) in layer.data.index]]
        problems = check_geometries(data)
        if problems.empty:
            raise HygisError("{layer_name}: no invalid geometries to repair", layer_name=layer.name)
        family = SCHEMAS[layer.kind].geometry if layer.kind in SCHEMAS else None
        self.old, self.new = {}, {}
        for fid in problems["fid"]:
            geom = layer.data.geometry.loc[fid]
            fixed = repair_geometry(geom, family)
            if fixed is not None:
                self.old[fid], self.new[fid] = geom, fixed
        if not self.new:
            raise HygisError("{layer_name}: the invalid geometries cannot be repaired without losing them",
                             layer_name=layer.name)
        self.label = label or Label("Repair {n} geometries in {layer}", n=len(self.new), layer=layer.name)

    def _set(self, geoms: dict) -> None:
        data = self.layer.data.copy()
        col = data.geometry.copy()
        for fid, geom in geoms.items():
            col.loc[fid] = geom
        data[data.geometry.name] = col
        self.layer.set_data(data, "geometry", validate=False)

    def do(self) -> None:
        self._set(self.new)

    def undo(self) -> None:
        self._set(self.old)
