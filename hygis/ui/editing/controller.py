"""Edit mode: which layers are editable, the current edit layer, tools, snapping, clipboard.

Every change goes through ``project.execute(Command)`` (hygis.project.commands), so it
is one Ctrl+Z away.  Digitized features of a thematic kind open the
:class:`~hygis.ui.attribute_form.AttributeForm` (non-blocking) and are added
only when the form is accepted.  The same form edits the attributes of an existing
feature (:meth:`EditController.edit_attributes`): the changed fields become ONE undoable
command -- on a team (linked) layer an edit like any other, committed with the next save.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from hygis.project.batch_edits import SetAttributes
from hygis.project.commands import AddFeatures, Command, DeleteFeatures, Label
from hygis.core.errors import HygisError
from hygis.layers.schema import SCHEMAS
from hygis.ui.attribute_form import AttributeForm
from hygis.ui.editing.snapping import SnapIndex, SnapSettings, snap_layers
from hygis.ui.error_dialog import error_message


class EditController(QObject):
    """Edit-mode state of one window (project + canvas)."""

    editingChanged = Signal(object, bool)   # layer, editable
    currentLayerChanged = Signal(object)    # the layer new features go to (or None)
    toolChanged = Signal(str)               # 'add' | 'select' | 'move' | 'vertex' | ''
    message = Signal(str)                   # a refused edit, for the status bar
    formOpened = Signal(object)             # the AttributeForm of a digitized feature

    TOOLS = ("add", "select", "move", "vertex")

    def __init__(self, project=None, canvas=None, parent=None):
        super().__init__(parent)
        self.canvas = canvas
        self.project = None
        self.snap_settings = SnapSettings()
        self.clipboard: tuple[list[dict], list, str] | None = None
        self.form: AttributeForm | None = None
        self.tool = None
        self.tool_name = ""
        self._editing: list = []
        self._current = None
        self._snap_index: SnapIndex | None = None
        self.set_project(project)

    # -- project ------------------------------------------------------------------------------
    def set_project(self, project) -> None:
        if self.project is not None:
            self.project.layers.events.layer_changed.disconnect(self._on_layer_changed)
            self.project.layers.events.removed.disconnect(self._on_layer_removed)
            self.project.layers.events.inserted.disconnect(self._invalidate)
        for layer in list(self._editing):
            self.set_editing(layer, False)
        self.project = project
        self._snap_index = None
        if project is not None:
            project.layers.events.layer_changed.connect(self._on_layer_changed)
            project.layers.events.removed.connect(self._on_layer_removed)
            project.layers.events.inserted.connect(self._invalidate)

    def _on_layer_changed(self, layer, event_name, *args) -> None:
        if event_name in ("data", "visible"):
            self._snap_index = None

    def _invalidate(self, *args) -> None:
        self._snap_index = None

    def _on_layer_removed(self, index, layer) -> None:
        self._snap_index = None
        if layer in self._editing:
            self.set_editing(layer, False)

    # -- edit mode ------------------------------------------------------------------------------
    @property
    def editing_layers(self) -> list:
        return list(self._editing)

    def is_editing(self, layer) -> bool:
        return layer in self._editing

    def set_editing(self, layer, on: bool) -> None:
        """Toggle edit mode of ``layer``: one layer is in edit mode at a time (switching another on
        switches the previous one off), so the tools always act on the layer the list marks."""
        if on and not hasattr(layer, "selection"):
            self.message.emit(self.tr("Only vector layers can be edited"))
            return
        if on and layer not in self._editing:
            for other in list(self._editing):
                self._editing.remove(other)
                self.editingChanged.emit(other, False)
            self._editing.append(layer)
            self.editingChanged.emit(layer, True)
            self.set_current_layer(layer)
        elif not on and layer in self._editing:
            self._editing.remove(layer)
            self.editingChanged.emit(layer, False)
            if self._current is layer:
                self.set_current_layer(self._editing[-1] if self._editing else None)

    @property
    def current_layer(self):
        return self._current

    def set_current_layer(self, layer) -> None:
        if layer is not None and layer not in self._editing:
            self.set_editing(layer, True)
            return
        if layer is not self._current:
            self._current = layer
            self.currentLayerChanged.emit(layer)
            if self.tool_name:
                self.activate_tool(self.tool_name if layer is not None else "")

    # -- tools ----------------------------------------------------------------------------------
    def activate_tool(self, name: str):
        """Put the ``name`` editing tool on the canvas ('' or None: back to panning)."""
        from hygis.ui.editing import tools

        if self.tool is not None and self.canvas is not None:
            self.canvas.set_map_tool(None)
        self.tool, self.tool_name = None, ""
        if name and self._current is not None:
            self.tool = tools.make_tool(name, self)
            self.tool_name = name
            if self.canvas is not None:
                self.canvas.set_map_tool(self.tool)
        self.toolChanged.emit(self.tool_name)
        return self.tool

    # -- snapping -------------------------------------------------------------------------------
    def snap_index(self) -> SnapIndex | None:
        if self.project is None:
            return None
        if self._snap_index is None:
            self._snap_index = SnapIndex(snap_layers(self.project, self.snap_settings))
        return self._snap_index

    def set_snap_layer(self, layer_id: str, on: bool) -> None:
        """Switch snapping to one layer on or off (the index is rebuilt on the next snap)."""
        excluded = self.snap_settings.excluded_layer_ids
        excluded.discard(layer_id) if on else excluded.add(layer_id)
        self._snap_index = None

    def snap(self, x: float, y: float, exclude=None):
        """The snapped point near map position (x, y) in metres, or None."""
        s = self.snap_settings
        if not s.enabled or self.canvas is None or not (s.vertices or s.segments):
            return None
        index = self.snap_index()
        tolerance = s.tolerance_px * self.canvas.pixel_size()
        return index.snap(x, y, tolerance, s.vertices, s.segments, exclude) if index else None

    # -- edits ----------------------------------------------------------------------------------
    def execute(self, command_factory, *args, **kw) -> bool:
        """Build and run a command; a HygisError becomes a message and nothing changes."""
        try:
            cmd = command_factory(*args, **kw) if not isinstance(command_factory, Command) else command_factory
            self.project.execute(cmd)
        except HygisError as exc:
            self.message.emit(error_message(exc))
            return False
        return True

    def add_geometry(self, geometry) -> AttributeForm | None:
        """A digitized geometry (WGS84): thematic layers ask for attributes first."""
        layer = self._current
        if layer is None:
            return None
        if layer.kind not in SCHEMAS:
            self.execute(AddFeatures, layer, [{}], [geometry])
            return None
        return self._open_form(layer, lambda form: self._add_from_form(layer, form, geometry))

    def _open_form(self, layer, on_ok, values=None) -> AttributeForm:
        """Open an attribute form on ``layer`` (non-blocking, kept as :attr:`form` while open);
        ``on_ok(form)`` runs when the user accepts it."""
        parent = self.canvas.window() if self.canvas is not None else None
        form = AttributeForm(layer, values=values, parent=parent)
        form.accepted.connect(lambda: on_ok(form))
        form.finished.connect(lambda _r: setattr(self, "form", None) if self.form is form else None)
        self.form = form
        form.open()
        self.formOpened.emit(form)
        return form

    def _add_from_form(self, layer, form: AttributeForm, geometry) -> None:
        self.execute(AddFeatures, layer, [form.record], [geometry])

    def edit_selected_attributes(self) -> AttributeForm | None:
        """The attribute form of the one selected feature of the edit layer (a message otherwise)."""
        layer = self._current
        if layer is None:
            return None
        if len(layer.selection) != 1:
            self.message.emit(self.tr("Select one feature to edit its attributes."))
            return None
        return self.edit_attributes(layer, next(iter(layer.selection)))

    def edit_attributes(self, layer, fid) -> AttributeForm | None:
        """Open the attribute form on feature ``fid`` of ``layer`` (non-blocking); OK applies the
        changed fields as one command (:meth:`_update_from_form`)."""
        if layer is None or fid not in layer.data.index:
            return None
        row = layer.data.loc[fid]
        values = {name: None if _missing(row[name]) else row[name] for name in layer.fields}
        return self._open_form(layer, lambda form: self._update_from_form(layer, form, fid), values)

    def _update_from_form(self, layer, form: AttributeForm, fid) -> bool:
        """The fields the form changed, set on the feature as one undoable command."""
        if fid not in layer.data.index:  # deleted meanwhile (undo, a colleague's edit read back)
            return False
        row = layer.data.loc[fid]
        changed = {k: v for k, v in (form.record or {}).items() if k in layer.data.columns and not _same(row[k], v)}
        if not changed:
            return False
        return self.execute(SetAttributes, layer, [fid], changed,
                            label=Label("Edit attributes of feature {fid} in {layer}", fid=int(fid), layer=layer.name))

    def delete_selected(self) -> bool:
        layer = self._current
        if layer is None or not layer.selection:
            return False
        return self.execute(DeleteFeatures, layer, sorted(layer.selection))

    def copy_selected(self, layer=None) -> int:
        """Copy the selected features of ``layer`` (default: current, else any with a selection)."""
        layer = layer or (self._current if self._current is not None and self._current.selection else None)
        if layer is None and self.project is not None:
            layer = next((lyr for lyr in self.project.layers if getattr(lyr, "selection", None)), None)
        if layer is None or not layer.selection:
            return 0
        rows = layer.data.loc[sorted(layer.selection)]
        records = rows.drop(columns="geometry").to_dict("records")
        self.clipboard = (records, list(rows.geometry), layer.kind)
        return len(records)

    def paste(self, layer=None) -> bool:
        """Paste the clipboard into ``layer`` (default: the current edit layer)."""
        layer = layer or self._current
        if layer is None or not self.clipboard:
            return False
        records, geoms, kind = self.clipboard
        schema = SCHEMAS.get(layer.kind)
        if schema is not None:
            computed = {f.name for f in schema.fields if f.computed}
            records = [{k: v for k, v in r.items() if k in schema.field_names and k not in computed} for r in records]
        else:
            records = [{k: v for k, v in r.items() if k in layer.fields} for r in records]
        label = Label("Paste {n} feature(s) into {layer}", n=len(records), layer=layer.name)
        return self.execute(AddFeatures, layer, records, geoms, label=label)


def _missing(value) -> bool:
    """None, NaN, pd.NA, NaT (a scalar only: a list value is a value)."""
    import pandas as pd

    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def _same(old, new) -> bool:
    """True if a form value equals the feature's (empty = missing; 5 = 5.0)."""
    old_missing = _missing(old)
    if new is None or old_missing:
        return (new is None or new == "") and old_missing
    try:
        return bool(old == new)
    except (TypeError, ValueError):
        return str(old) == str(new)
