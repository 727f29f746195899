"""Undoable edits of a project's scenarios (run them with ``project.execute(cmd)``).

One class per edit kind, each storing what it needs to undo itself:
:class:`AddScenario` (capture the current view), :class:`UpdateScenario`
(replace a scenario's layer states and extent with the current ones),
:class:`EditScenario` (title, subtitle, notes, year, indicators),
:class:`RenameScenario`, :class:`DuplicateScenario`, :class:`DeleteScenario`
and :class:`MoveScenario`.

Applying (switching to) a scenario is deliberately *not* a command, like a
QGIS map theme: a presenter switches dozens of times in a meeting, and each
switch on the undo stack would push the user's last real edit out of reach of
Ctrl+Z.  Nothing is lost by a switch either: the scenario is a stored record
and switching back restores it.  Use :func:`hygis.project.scenarios.apply`.
"""

from __future__ import annotations

from hygis.project.commands import Command, Label
from hygis.core.errors import HygisError
from hygis.project.scenarios import Scenario, capture, duplicate

#: Fields of a scenario that :class:`EditScenario` may change (``layers``: per layer visibility,
#: filter and style, as in :meth:`hygis.project.scenarios.LayerState.from_dict`).
EDITABLE = ("title", "subtitle", "notes", "year", "indicators", "layers")


class AddScenario(Command):
    """Create a scenario from the project's current state (visible layers, styles, filters, extent).

    Parameters
    ----------
    project : Project
    name : str
        Name of the new scenario (must be unique).
    extent : tuple, optional
        WGS84 bounds (degrees) of the view to store; default the project's extent.
    index : int, optional
        Position in the scenario list (default: at the end).
    **fields
        title, subtitle, notes, year, indicators.
    """

    def __init__(self, project, name: str, extent=None, index: int | None = None, **fields):
        name = str(name or "").strip()
        if not name:
            raise HygisError("a scenario needs a name")
        if name in project.scenarios.names:
            raise HygisError("A scenario named '{name}' already exists", name=name)
        _check_fields(fields)
        self.project = project
        self.scenario = capture(project, name, **fields)
        if extent is not None:
            self.scenario.extent = tuple(float(v) for v in extent)
        self.index = len(project.scenarios) if index is None else int(index)
        self.label = Label("New scenario {name}", name=name)

    def do(self):
        self.project.scenarios.insert(self.index, self.scenario)

    def undo(self):
        self.project.scenarios.remove(self.scenario.name)


class UpdateScenario(Command):
    """Replace a scenario's layer states and extent with the current ones (texts and indicators kept)."""

    def __init__(self, project, name: str, extent=None):
        self.project = project
        self.old = project.scenarios[name]
        keep = {k: getattr(self.old, k) for k in EDITABLE if k != "layers"}
        keep["indicators"] = [dict(i) for i in self.old.indicators]
        self.new = capture(project, self.old.name, **keep)
        if extent is not None:
            self.new.extent = tuple(float(v) for v in extent)
        self.label = Label("Update scenario {name}", name=name)

    def do(self):
        self.project.scenarios.replace(self.new)

    def undo(self):
        self.project.scenarios.replace(self.old)


class EditScenario(Command):
    """Change the texts, year, indicator list or per-layer states (visibility, filter, style) of a scenario."""

    def __init__(self, project, name: str, **fields):
        _check_fields(fields)
        self.project = project
        self.old = project.scenarios[name]
        d = self.old.to_dict()
        d.update(fields)
        self.new = Scenario.from_dict(d)  # validates lengths, year, indicators
        self.label = Label("Edit scenario {name}", name=name)

    def do(self):
        self.project.scenarios.replace(self.new)

    def undo(self):
        self.project.scenarios.replace(self.old)


class RenameScenario(Command):
    def __init__(self, project, old: str, new: str):
        new = str(new or "").strip()
        if not new:
            raise HygisError("a scenario needs a name")
        project.scenarios[old]
        if new != old and new in project.scenarios.names:
            raise HygisError("A scenario named '{new}' already exists", new=new)
        self.project, self.old, self.new = project, old, new
        self.label = Label("Rename scenario {old} → {new}", old=old, new=new)

    def do(self):
        self.project.scenarios.rename(self.old, self.new)

    def undo(self):
        self.project.scenarios.rename(self.new, self.old)


class DuplicateScenario(Command):
    """Copy a scenario (inserted right after it) under a new unique name."""

    def __init__(self, project, name: str, new_name: str | None = None):
        self.project = project
        source = project.scenarios[name]
        new_name = (new_name or "").strip() or project.scenarios.unique_name(f"{source.name} copy")
        if new_name in project.scenarios.names:
            raise HygisError("A scenario named '{new_name}' already exists", new_name=new_name)
        self.scenario = duplicate(source, new_name)
        self.index = project.scenarios.index(name) + 1
        self.label = Label("Duplicate scenario {name}", name=name)

    def do(self):
        self.project.scenarios.insert(self.index, self.scenario)

    def undo(self):
        self.project.scenarios.remove(self.scenario.name)


class DeleteScenario(Command):
    def __init__(self, project, name: str):
        self.project = project
        self.scenario = project.scenarios[name]
        self.index = project.scenarios.index(name)
        self.was_active = project.scenarios.active == name
        self.label = Label("Delete scenario {name}", name=name)

    def do(self):
        self.project.scenarios.remove(self.scenario.name)

    def undo(self):
        self.project.scenarios.insert(self.index, self.scenario)
        if self.was_active:
            self.project.scenarios.set_active(self.scenario.name)


class MoveScenario(Command):
    """Move a scenario from position ``old`` to ``new`` (0-based, the slide order)."""

    def __init__(self, project, old: int, new: int):
        n = len(project.scenarios)
        if not (0 <= old < n and 0 <= new < n):
            raise HygisError("scenario position out of range")
        self.project, self.old, self.new = project, int(old), int(new)
        self.label = Label("Move scenario {name}", name=project.scenarios[old].name)

    def do(self):
        if self.old != self.new:
            self.project.scenarios.move(self.old, self.new)

    def undo(self):
        if self.old != self.new:
            self.project.scenarios.move(self.new, self.old)


def _check_fields(fields: dict) -> None:
    bad = sorted(set(fields) - set(EDITABLE))
    if bad:
        raise HygisError("unknown scenario field(s): {value}", value=', '.join(bad))
