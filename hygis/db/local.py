"""The project side of a team layer: its rows keyed by ``hygis_id``, the diff against the base,
and the one undoable command that writes a sync's result into the layer."""

from __future__ import annotations

import uuid

import geopandas as gpd
import pandas as pd
import shapely

from hygis.db import state as db_state
from hygis.db.merge import GEOMETRY, canon_row, canon_value
from hygis.db.tables import ID
from hygis.project.commands import Command


def _has_id(v) -> bool:
    return isinstance(v, str) and len(v) == 36


def base_rows(state, layer_id: str) -> dict:
    """``{uid: (version, row)}`` of the stored base."""
    out = {}
    for uid, (ver, props, wkb) in state.base.get(layer_id, {}).items():
        row = dict(props)
        row[GEOMETRY] = wkb
        out[uid] = (ver, row)
    return out


def local_rows(layer, fields, base: dict | None = None) -> tuple[dict, list]:
    """``({uid: row}, [fids without an id])``.  A field missing locally keeps its base value."""
    data = layer.data
    base = base or {}
    ids = data[ID] if ID in data.columns else pd.Series([None] * len(data), index=data.index)
    present = [f for f in fields if f in data.columns]
    records = data[present].to_dict("index") if present else {fid: {} for fid in data.index}
    out, missing = {}, []
    for fid, uid, geom in zip(data.index, ids, data.geometry):
        if not _has_id(uid):
            missing.append(fid)
            continue
        props = records[fid]
        b = base.get(uid)
        for f in fields:
            if f not in props:
                props[f] = b[1].get(f) if b else None
        out[uid] = canon_row(props, geom, fields)
    return out, missing


def diff_counts(layer, link, state) -> dict:
    """Local inserts / updates / deletes since the last sync (no database needed)."""
    base = base_rows(state, link.layer_id)
    rows, missing = local_rows(layer, link.fields, base)
    inserts = len(missing) + sum(1 for uid in rows if uid not in base)
    updates = sum(1 for uid, row in rows.items() if uid in base and base[uid][1] != row)
    deletes = sum(1 for uid in base if uid not in rows)
    return {"inserts": inserts, "updates": updates, "deletes": deletes}


class ReplaceLayerData(Command):
    """Replace a layer's features in one undoable step (a sync's pulls, ids for new features)."""

    def __init__(self, layer, new_data: gpd.GeoDataFrame, label: str):
        self.layer, self.new, self.old, self.label = layer, new_data, layer.data, label

    def do(self):
        self.layer.set_data(self.new, "sync", validate=False)

    def undo(self):
        self.layer.set_data(self.old, "sync", validate=False)


def with_ids(layer) -> gpd.GeoDataFrame | None:
    """The layer's data with a fresh ``hygis_id`` for every feature that has none (None: nothing to do)."""
    data = layer.data
    if ID in data.columns and data[ID].map(_has_id).all():
        return None
    data = data.copy()
    if ID not in data.columns:
        data[ID] = pd.Series([None] * len(data), index=data.index, dtype=object)
    data[ID] = [v if _has_id(v) else str(uuid.uuid4()) for v in data[ID]]
    return data


def applied(layer, plan) -> gpd.GeoDataFrame:
    """The layer's data after a plan's local changes (rows matched by ``hygis_id``; new rows appended)."""
    data = layer.data.copy()
    if ID not in data.columns:
        data[ID] = None
    by_uid = {uid: fid for fid, uid in zip(data.index, data[ID]) if _has_id(uid)}
    drop = [by_uid[u] for u in plan.local_delete if u in by_uid]
    if drop:
        data = data.drop(index=drop)
    new_rows = []
    for uid, row in plan.local_set.items():
        geom = shapely.from_wkb(row[GEOMETRY]) if row.get(GEOMETRY) is not None else None
        fid = by_uid.get(uid)
        if fid is None or fid not in data.index:
            rec = {k: v for k, v in row.items() if k != GEOMETRY}
            rec[ID] = uid
            new_rows.append((rec, geom))
            continue
        for f, v in row.items():
            if f == GEOMETRY:
                continue
            if f not in data.columns:
                data[f] = None
            if canon_value(data.at[fid, f]) != v:
                if v is not None and pd.api.types.is_numeric_dtype(data[f]) and isinstance(v, str):
                    data[f] = data[f].astype(object)
                data.at[fid, f] = v
        data.at[fid, data.geometry.name] = geom
    if new_rows:
        start = int(data.index.max()) + 1 if len(data) else 0
        extra = gpd.GeoDataFrame([r for r, _ in new_rows], geometry=[g for _, g in new_rows], crs=data.crs,
                                 index=pd.Index(range(start, start + len(new_rows)), name="fid"))
        data = pd.concat([data, extra.reindex(columns=data.columns)], axis=0) if len(data) else \
            extra.reindex(columns=data.columns)
        data = gpd.GeoDataFrame(data, geometry="geometry", crs=layer.data.crs)
    return data


def layer_link(project, layer_name: str | None = None):
    """``[(layer, link)]`` of the project's team layers (one, when ``layer_name`` is given)."""
    from hygis.core.errors import HygisError

    state = db_state.of(project)
    pairs = [(layer, state.links[layer.id]) for layer in project.layers
             if state is not None and layer.id in state.links]
    if layer_name is not None:
        pairs = [(lyr, lk) for lyr, lk in pairs if lyr.name == layer_name]
        if not pairs:
            raise HygisError("No team layer named '{layer_name}' in this project", layer_name=layer_name)
    return pairs
