"""Undoable edit commands: one class per edit kind, each storing old and new values.

Every user edit is a :class:`Command` with ``do``/``undo`` and a label.  The
GUI wraps them for Qt's QUndoStack (``hygis.ui.undo``); the CLI and tests use
the plain :class:`CommandStack`.  A run of geometry edits of one feature
(a vertex drag) merges into one undo step through :meth:`Command.merge_with`.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from hygis.core.errors import HygisError
from hygis.core.events import EmitterGroup
from hygis.core.text import Label, _label  # noqa: F401 (commands' labels; _label: pickles of older labels)
from hygis.layers.schema import SCHEMAS, check_geometry_type, coerce_value, column_spec, row_where, validate_record


class FieldNames(str):
    """Field names inside a label ("name, status"): the UI shows a thematic layer's fields by their
    schema labels in its language (名称, 状态); the CLI prints the names."""

    names: tuple
    kind: str | None

    def __new__(cls, names, kind: str | None = None):
        names = (names,) if isinstance(names, str) else tuple(str(n) for n in names)
        obj = super().__new__(cls, ", ".join(names))
        obj.names, obj.kind = names, kind
        return obj

    def __reduce__(self):
        return FieldNames, (self.names, self.kind)


class Command:
    label = Label("Edit")
    merge_id: int = -1  # commands with the same non-negative id may merge

    def do(self) -> None:
        raise NotImplementedError

    def undo(self) -> None:
        raise NotImplementedError

    def merge_with(self, other: "Command") -> bool:
        return False


class CommandStack:
    """A plain undo stack (same interface as the UI's QUndoStack adapter).

    Events: changed() after push/undo/redo/set_clean.
    """

    def __init__(self):
        self.events = EmitterGroup("changed")
        self._commands: list[Command] = []
        self._index = 0  # number of applied commands
        self._clean = 0

    def push(self, cmd: Command) -> None:
        cmd.do()
        del self._commands[self._index:]
        if self._clean > self._index:
            self._clean = -1
        if self._commands and self._index != self._clean and self._commands[-1].merge_with(cmd):
            pass
        else:
            self._commands.append(cmd)
            self._index += 1
        self.events.changed()

    def can_undo(self) -> bool:
        return self._index > 0

    def can_redo(self) -> bool:
        return self._index < len(self._commands)

    def undo(self) -> None:
        if self.can_undo():
            self._index -= 1
            self._commands[self._index].undo()
            self.events.changed()

    def redo(self) -> None:
        if self.can_redo():
            self._commands[self._index].do()
            self._index += 1
            self.events.changed()

    def undo_label(self) -> str:
        return self._commands[self._index - 1].label if self.can_undo() else ""

    def redo_label(self) -> str:
        return self._commands[self._index].label if self.can_redo() else ""

    def is_clean(self) -> bool:
        return self._index == self._clean

    def set_clean(self) -> None:
        self._clean = self._index
        self.events.changed()

    def clear(self) -> None:
        self._commands.clear()
        self._index = self._clean = 0
        self.events.changed()

    def __len__(self) -> int:
        return len(self._commands)


# -- feature edits -------------------------------------------------------------------------
def _check_schema(layer, records: list[dict], geoms, always_name: bool = False) -> list[dict]:
    """Records validated and coerced to the layer's column types (schema fields and the
    existing extra columns alike); HygisError naming the feature and field."""
    out = []
    schema_fields = set(SCHEMAS[layer.kind].field_names) if layer.kind in SCHEMAS else set()
    for i, (rec, geom) in enumerate(zip(records, geoms)):
        where = row_where(i + 1) if len(records) > 1 or always_name else ""
        if layer.kind in SCHEMAS:
            check_geometry_type(layer.kind, geom.geom_type if geom is not None else None, where)
            rec = validate_record(layer.kind, rec, where)
        for name in [k for k in rec if k not in schema_fields and k in layer.data.columns and k != "geometry"]:
            rec[name] = coerce_value(column_spec(layer.kind, layer.data, name), rec[name], where)
        out.append(rec)
    return out


class AddFeatures(Command):
    """Add features (records + geometries in WGS84) to a vector layer."""

    def __init__(self, layer, records: list[dict], geometries, label: str | None = None, always_name=False):
        self.layer = layer
        geoms = list(geometries)
        if len(records) != len(geoms):
            raise HygisError("records and geometries differ in number")
        records = _check_schema(layer, [dict(r) for r in records], geoms, always_name)
        self.fids = [layer.new_fid() for _ in records]
        self.rows = gpd.GeoDataFrame(records, geometry=geoms, crs=layer.data.crs,
                                     index=pd.Index(self.fids, name="fid"))
        self.label = label or Label("Add {n} feature(s) to {layer}", n=len(records), layer=layer.name)

    def do(self):
        data = self.layer.data
        rows = self.rows.reindex(columns=list(dict.fromkeys(list(data.columns) + list(self.rows.columns))))
        if len(data) == 0:
            merged = rows
        else:
            merged = pd.concat([data, rows[[c for c in rows.columns]]], axis=0)
        self.layer.set_data(gpd.GeoDataFrame(merged, geometry="geometry", crs=data.crs), "add", validate=False)

    def undo(self):
        self.layer.set_data(self.layer.data.drop(index=self.fids), "delete", validate=False)


class DeleteFeatures(Command):
    def __init__(self, layer, fids, label: str | None = None):
        self.layer = layer
        self.fids = [int(f) for f in fids]
        missing = [f for f in self.fids if f not in layer.data.index]
        if missing:
            raise HygisError("No features with id {value} in {layer_name}",
                             value=missing[:5], layer_name=layer.name)
        self.rows = layer.data.loc[self.fids].copy()
        self.label = label or Label("Delete {n} feature(s) from {layer}", n=len(self.fids), layer=layer.name)

    def do(self):
        self.layer.set_data(self.layer.data.drop(index=self.fids), "delete", validate=False)

    def undo(self):
        merged = pd.concat([self.layer.data, self.rows]).sort_index()
        self.layer.set_data(gpd.GeoDataFrame(merged, geometry="geometry", crs=self.rows.crs), "add", validate=False)


class ChangeGeometry(Command):
    """Replace one feature's geometry; successive edits of the same feature merge."""

    merge_id = 1

    def __init__(self, layer, fid: int, new_geometry, label: str | None = None, mergeable: bool = False):
        self.layer, self.fid = layer, int(fid)
        if self.fid not in layer.data.index:
            raise HygisError("No feature with id {fid} in {layer_name}", fid=fid, layer_name=layer.name)
        if layer.kind in SCHEMAS:
            check_geometry_type(layer.kind, new_geometry.geom_type)
        self.old = layer.data.geometry.loc[self.fid]
        self.new = new_geometry
        self.mergeable = mergeable
        self.label = label or Label("Edit geometry in {layer}", layer=layer.name)

    def _set(self, geom):
        data = self.layer.data.copy()
        data.loc[self.fid, "geometry"] = geom
        self.layer.set_data(data, "geometry", validate=False)

    def do(self):
        self._set(self.new)

    def undo(self):
        self._set(self.old)

    def merge_with(self, other: Command) -> bool:
        if (isinstance(other, ChangeGeometry) and self.mergeable and other.mergeable
                and other.layer is self.layer and other.fid == self.fid):
            self.new = other.new
            return True
        return False


class ChangeAttribute(Command):
    """Set one attribute of one feature, validated against the layer's schema."""

    def __init__(self, layer, fid: int, field: str, value, label: str | None = None):
        self.layer, self.fid, self.field = layer, int(fid), field
        if self.fid not in layer.data.index:
            raise HygisError("No feature with id {fid} in {layer_name}", fid=fid, layer_name=layer.name)
        if field == "geometry" or field not in layer.data.columns:
            raise HygisError("No field '{field}' in {layer_name}", field=field, layer_name=layer.name)
        spec = column_spec(layer.kind, layer.data, field)
        if spec.computed:
            raise HygisError("field '{field}' is computed and cannot be edited", field=field)
        value = coerce_value(spec, value, where=row_where(self.fid))
        if spec.requires and value is not None and spec.requires in layer.data.columns:
            reason = layer.data.at[self.fid, spec.requires]
            if reason is None or reason is pd.NA or not str(reason).strip() or reason != reason:
                raise HygisError("feature {fid}: field '{requires}': a value is required when '{field}' is set (fill it in first)",
                                 fid=self.fid, requires=spec.requires, field=field)
        self.old = layer.data.at[self.fid, field]
        self.new = value
        self.label = label or Label("Change {field} in {layer}", field=FieldNames(field, layer.kind), layer=layer.name)

    def _set(self, value):
        data = self.layer.data.copy()  # the value is coerced to the column's type: the dtype stays
        data.at[self.fid, self.field] = value
        self.layer.set_data(data, "attribute", validate=False)

    def do(self):
        self._set(self.new)

    def undo(self):
        self._set(self.old)


class AddField(Command):
    def __init__(self, layer, field: str, dtype: str = "str"):
        if layer.kind in SCHEMAS:
            raise HygisError("Fields of a thematic layer are fixed by its schema")
        field = str(field).strip()
        if not field or field in layer.data.columns or len(field) > 63:
            raise HygisError("Invalid or existing field name '{field}'", field=field)
        if dtype not in ("str", "int", "float"):
            raise HygisError("field type '{dtype}': use str, int or float", dtype=dtype)
        self.layer, self.field, self.dtype = layer, field, dtype
        self.label = Label("Add field {field}", field=field)

    def do(self):
        data = self.layer.data.copy()
        data[self.field] = pd.Series([None] * len(data), index=data.index,
                                     dtype={"str": object, "int": "Int64", "float": float}[self.dtype])
        self.layer.set_data(data, "fields", validate=False)

    def undo(self):
        self.layer.set_data(self.layer.data.drop(columns=[self.field]), "fields", validate=False)


class RemoveField(Command):
    def __init__(self, layer, field: str):
        if layer.kind in SCHEMAS:
            raise HygisError("Fields of a thematic layer are fixed by its schema")
        if field not in layer.data.columns or field == "geometry":
            raise HygisError("No field '{field}'", field=field)
        self.layer, self.field = layer, field
        self.position = list(layer.data.columns).index(field)
        self.values = layer.data[field].copy()
        self.label = Label("Remove field {field}", field=field)

    def do(self):
        self.layer.set_data(self.layer.data.drop(columns=[self.field]), "fields", validate=False)

    def undo(self):
        data = self.layer.data.copy()
        data.insert(self.position, self.field, self.values)
        self.layer.set_data(data, "fields", validate=False)


# -- layer edits ---------------------------------------------------------------------------
class AddLayer(Command):
    def __init__(self, project, layer, index: int | None = None):
        self.project, self.layer = project, layer
        self.index = len(project.layers) if index is None else index
        self.label = Label("Add layer {name}", name=layer.name)

    def do(self):
        self.project.layers.insert(self.index, self.layer)

    def undo(self):
        self.project.layers.remove(self.layer)


class RemoveLayer(Command):
    def __init__(self, project, layer):
        self.project, self.layer = project, layer
        self.label = Label("Remove layer {name}", name=layer.name)
        self.scenario_states = {}

    def do(self):
        self.scenario_states = {s.name: s.layers.get(self.layer.id) for s in self.project.scenarios}
        self.index = self.project.layers.remove(self.layer)

    def undo(self):
        self.project.layers.insert(self.index, self.layer)
        for s in self.project.scenarios:
            state = self.scenario_states.get(s.name)
            if state is not None:
                s.layers[self.layer.id] = state


class RenameLayer(Command):
    def __init__(self, layer, name: str, layers=None):
        name = str(name).strip()
        if not name:
            raise HygisError("A layer name cannot be empty")
        if layers is not None and name != layer.name and name in layers.names:
            raise HygisError("A layer named '{name}' already exists", name=name)
        self.layer, self.old, self.new = layer, layer.name, name
        self.label = Label("Rename layer {old} → {new}", old=self.old, new=name)

    def do(self):
        self.layer.name = self.new

    def undo(self):
        self.layer.name = self.old


class MoveLayer(Command):
    def __init__(self, project, old: int, new: int):
        self.project, self.old, self.new = project, old, new
        self.label = Label("Reorder layers")

    def do(self):
        self.project.layers.move(self.old, self.new)

    def undo(self):
        self.project.layers.move(self.new, self.old)


#: Words for the layer properties and project settings in command labels (translated like them).
PROPERTY_NAMES = {"style": "style", "opacity": "opacity", "visible": "visibility", "filter": "filter"}
SETTING_NAMES = {"count_hangzhou_ningbo": "Hangzhou–Ningbo enclaves count", "show_illustrative":
                 "show illustrative features", "show_basemap_labels": "basemap labels"}


class SetLayerProperty(Command):
    """Style, opacity, visibility or filter of a layer (style changes are undoable)."""

    _ALLOWED = ("style", "opacity", "visible", "filter")

    def __init__(self, layer, prop: str, value, label: str | None = None):
        if prop not in self._ALLOWED:
            raise HygisError("cannot set layer property '{prop}'", prop=prop)
        self.layer, self.prop, self.new = layer, prop, value
        self.old = getattr(layer, prop)
        self.label = label or Label("Change {prop} of {layer}", prop=Label(PROPERTY_NAMES[prop]), layer=layer.name)

    def do(self):
        setattr(self.layer, self.prop, self.new)

    def undo(self):
        setattr(self.layer, self.prop, self.old)


class SetTargets(Command):
    """Replace the project's plan targets (edits in the dashboard)."""

    def __init__(self, project, targets):
        self.project, self.new, self.old = project, list(targets), list(project.targets)
        self.label = Label("Edit plan targets")

    def do(self):
        self.project.set_targets(self.new)

    def undo(self):
        self.project.set_targets(self.old)


class SetProjectSetting(Command):
    """Change one project setting (e.g. whether 杭州↔宁波 enclaves count toward the target)."""

    def __init__(self, project, name: str, value):
        self.project, self.name, self.new = project, name, value
        self.old = project.setting(name)
        if isinstance(self.old, bool) and not isinstance(value, bool):
            raise HygisError("setting '{name}' is true or false, got {value!r}", name=name, value=value)
        self.label = Label("Change setting {name}", name=Label(SETTING_NAMES.get(name, name)))

    def do(self):
        self.project.set_setting(self.name, self.new)

    def undo(self):
        self.project.set_setting(self.name, self.old)


class CompositeCommand(Command):
    """Several commands undone/redone as one step (moving or pasting several features)."""

    def __init__(self, commands: list[Command], label: str):
        self.commands, self.label = list(commands), label

    def do(self):
        for cmd in self.commands:
            cmd.do()

    def undo(self):
        for cmd in reversed(self.commands):
            cmd.undo()
