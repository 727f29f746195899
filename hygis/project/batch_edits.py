"""Batch edits: append a file's features to a layer, set fields of many features (the field calculator).

Both are ordinary undoable commands (``project.execute``): ``hygis import --append`` and
``hygis update`` run them on the command line, the window runs the same ones.
"""

from __future__ import annotations

import pandas as pd

from hygis.core.errors import HygisError
from hygis.layers.schema import SCHEMAS, coerce_value, column_spec, row_where, validate_record
from hygis.project.commands import AddFeatures, Command, FieldNames, Label


def append_features(layer, frame, label: str | None = None) -> "AddFeatures":
    """An :class:`AddFeatures` appending a GeoDataFrame's features to ``layer`` (``hygis import --append``).

    Only the layer's own columns are taken (others are listed in ``dropped``); every value is
    validated and coerced to the layer's column types, geometries checked against the layer's
    geometry type; one bad feature refuses all, naming it (1-based position in ``frame``).
    """
    if frame.crs is not None and not frame.crs.equals(layer.data.crs):
        frame = frame.to_crs(layer.data.crs)
    keep = [c for c in frame.columns if c in layer.data.columns and c != frame.geometry.name and c != "geometry"]
    dropped = [c for c in frame.columns if c not in keep and c not in (frame.geometry.name, "geometry")]
    family, new = layer.geometry_type, _family_of(frame)
    if layer.kind not in SCHEMAS and family not in ("empty", "mixed") and new not in ("empty", family):
        raise HygisError("{layer_name} holds {family} features; the file has {new} features",
                         layer_name=layer.name, family=family, new=new)
    records = frame[keep].to_dict("records")
    for i, geom in enumerate(frame.geometry):
        if geom is None or geom.is_empty:
            raise HygisError("feature {value}: no geometry", value=i + 1)
    cmd = AddFeatures(layer, records, list(frame.geometry), label=label or Label("Append {n} feature(s) to {layer}", n=len(frame), layer=layer.name),
                      always_name=True)
    cmd.dropped = dropped
    return cmd


def _family_of(frame) -> str:
    from hygis.layers.vector import geometry_family

    return geometry_family(frame.geom_type)


class SetAttributes(Command):
    """Set fields of many features at once (the field calculator: ``hygis update``).

    ``values`` maps field → value (validated and coerced to the column's type, refused naming the
    field); ``changed`` counts the features whose values actually change.
    """

    def __init__(self, layer, fids, values: dict, label: str | None = None):
        self.layer = layer
        self.fids = [int(f) for f in fids]
        if not values:
            raise HygisError("nothing to set")
        data = layer.data
        coerced = {}
        for field, value in values.items():
            if field == "geometry" or field not in data.columns:
                raise HygisError("No field '{field}' in {layer_name} (fields: {value})",
                                 field=field, layer_name=layer.name, value=', '.join(layer.fields))
            spec = column_spec(layer.kind, data, field)
            if spec.computed:
                raise HygisError("field '{field}' is computed and cannot be edited", field=field)
            coerced[field] = coerce_value(spec, value)
        self.values = coerced
        self.old = data.loc[self.fids, list(coerced)].copy()
        new = self.old.copy()
        for field, value in coerced.items():
            new[field] = pd.Series([value] * len(new), index=new.index, dtype=self.old[field].dtype) \
                if value is not None else self.old[field].where(pd.Series(False, index=new.index))
        if layer.kind in SCHEMAS:  # record rules (an override needs its reason) on the rows as they would be
            rows = data.loc[self.fids].drop(columns="geometry").copy()
            rows[list(coerced)] = new
            for fid, rec in zip(self.fids, rows.to_dict("records")):
                validate_record(layer.kind, rec, where=row_where(fid))
        self.new = new
        same = (self.old.astype(object).fillna("\0") == new.astype(object).fillna("\0")).all(axis=1)
        self.changed = int((~same).sum())
        self.label = label or Label("Update {fields} of {n} feature(s) in {layer}", fields=FieldNames(list(coerced), layer.kind), n=len(self.fids), layer=layer.name)

    def _set(self, values):
        data = self.layer.data.copy()
        for field in values.columns:
            data.loc[values.index, field] = values[field]
        self.layer.set_data(data, "attribute", validate=False)

    def do(self):
        self._set(self.new)

    def undo(self):
        self._set(self.old)
