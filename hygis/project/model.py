"""The project: owns the layers, scenarios, plan targets and the edit history.

The window, the CLI and the tests all go through one :class:`Project`.  Every
change of data is a command (:mod:`hygis.project.commands`) run through
``project.execute(cmd)`` so it can be undone; ``project.history`` is a plain
:class:`~hygis.project.commands.CommandStack` that the UI may replace with a
QUndoStack-backed one of the same interface.

Events: title, extent, dirty (bool), path, targets, settings (name, value)
"""

from __future__ import annotations

from pathlib import Path

from hygis.project.commands import Command, CommandStack
from hygis.core.errors import HygisError
from hygis.core.events import EmitterGroup
from hygis.project.layerlist import LayerList
from hygis.project.scenarios import Scenario, ScenarioCollection, apply
from hygis.project.targets import PlanTarget


#: Project settings and their defaults (saved in the project file, changed by SetProjectSetting).
SETTINGS = {
    # Whether 杭州市↔宁波市 enclaves count toward the 50-enclave target (the plan's literal reading
    # counts only enclaves with *other* Zhejiang cities: default off). See hygis.analysis.enclave_rule.
    "count_hangzhou_ningbo": False,
    # Whether illustrative (示意: invented, or no published extent) features are drawn and analysed.
    "show_illustrative": True,
    # Whether the basemap's city and district names are drawn as labels.
    "show_basemap_labels": True,
}


class Project:
    def __init__(self, title: str = ""):
        self.events = EmitterGroup("title", "extent", "dirty", "path", "targets", "settings")
        self._settings = dict(SETTINGS)
        self._title = title
        self._extent: tuple[float, float, float, float] | None = None
        self._path: Path | None = None
        self.layers = LayerList()
        self.scenarios = ScenarioCollection()
        self.targets: list[PlanTarget] = []
        self.show_basemap = True
        self.layouts: list = []  # print layouts (hygis.present.layout.Layout); see hygis.project.layouts
        self.tile_source: str | None = None  # tile basemap under the layers; see hygis.project.layouts
        self.bookmarks: list = []  # named map views (hygis.project.bookmarks.Bookmark)
        self.history: CommandStack = CommandStack()
        self._dirty_flag = False
        self.layers.events.removed.connect(self._on_layer_removed)
        self.layers.events.inserted.connect(self._on_layer_inserted)
        self.events.settings.connect(self._on_setting)
        # the layers always show the active scenario's record (after undo, edits, deletes)
        self.scenarios.events.active.connect(self._on_active_scenario)
        self.scenarios.events.changed.connect(self._on_scenario_changed)
        self._applying = False

    @property
    def show_illustrative(self) -> bool:
        """Whether illustrative (示意) features are drawn and analysed (the ``show_illustrative`` setting)."""
        return bool(self._settings["show_illustrative"])

    @show_illustrative.setter
    def show_illustrative(self, value: bool) -> None:
        self.set_setting("show_illustrative", bool(value))

    @property
    def show_basemap_labels(self) -> bool:
        """Whether the basemap's city and district names are drawn (the ``show_basemap_labels`` setting)."""
        return bool(self._settings["show_basemap_labels"])

    @show_basemap_labels.setter
    def show_basemap_labels(self, value: bool) -> None:
        self.set_setting("show_basemap_labels", bool(value))

    def _on_setting(self, name, value) -> None:
        if name == "show_illustrative":
            for layer in self.layers:
                if hasattr(layer, "show_illustrative"):
                    layer.show_illustrative = bool(value)

    def _on_layer_inserted(self, index, layer) -> None:
        if hasattr(layer, "show_illustrative"):
            layer.show_illustrative = self.show_illustrative

    # -- simple evented properties ------------------------------------------------------
    @property
    def title(self) -> str:
        return self._title

    @title.setter
    def title(self, value: str) -> None:
        value = str(value)[:500]
        if value != self._title:
            self._title = value
            self.events.title(value)

    @property
    def extent(self):
        return self._extent

    @extent.setter
    def extent(self, value) -> None:
        if value is not None:
            value = tuple(float(v) for v in value)
            if len(value) != 4 or value[0] > value[2] or value[1] > value[3]:
                raise HygisError("invalid extent {value}", value=value)
        if value != self._extent:
            self._extent = value
            self.events.extent(value)

    @property
    def path(self) -> Path | None:
        return self._path

    @path.setter
    def path(self, value) -> None:
        self._path = Path(value) if value else None
        self.events.path(self._path)

    # -- edits ---------------------------------------------------------------------------
    def execute(self, command: Command) -> None:
        """Run an undoable command (the one path every data change goes through)."""
        was = self.dirty
        self.history.push(command)
        if self.dirty != was:
            self.events.dirty(self.dirty)

    def undo(self) -> None:
        was = self.dirty
        self.history.undo()
        if self.dirty != was:
            self.events.dirty(self.dirty)

    def redo(self) -> None:
        was = self.dirty
        self.history.redo()
        if self.dirty != was:
            self.events.dirty(self.dirty)

    @property
    def dirty(self) -> bool:
        return self._dirty_flag or not self.history.is_clean()

    def mark_dirty(self) -> None:
        """For changes outside the history (e.g. targets edited in a form)."""
        if not self._dirty_flag:
            self._dirty_flag = True
            self.events.dirty(True)

    def mark_clean(self) -> None:
        self._dirty_flag = False
        self.history.set_clean()
        self.events.dirty(False)

    # -- settings --------------------------------------------------------------------------
    @property
    def settings(self) -> dict:
        """A copy of the project's settings (:data:`SETTINGS` keys)."""
        return dict(self._settings)

    def setting(self, name: str):
        if name not in SETTINGS:
            raise HygisError("Unknown project setting '{name}': use one of {value}",
                             name=name, value=', '.join(SETTINGS))
        return self._settings[name]

    def set_setting(self, name: str, value) -> None:
        """Validate, assign, emit ``settings(name, value)`` (use the SetProjectSetting command for undo)."""
        default = self.setting(name)
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise HygisError("setting '{name}' is true or false, got {value!r}", name=name, value=value)
        if value != self._settings[name]:
            self._settings[name] = value
            self.events.settings(name, value)

    # -- targets ---------------------------------------------------------------------------
    def target(self, key: str) -> PlanTarget | None:
        return next((t for t in self.targets if t.key == key), None)

    def set_targets(self, targets: list[PlanTarget]) -> None:
        self.targets = list(targets)
        self.events.targets(self.targets)

    # -- queries ---------------------------------------------------------------------------
    def layers_of_kind(self, kind: str) -> list:
        return [layer for layer in self.layers if layer.kind == kind]

    def full_extent(self):
        """Union of the layers' WGS84 bounds (None for an empty project)."""
        bounds = [b for b in (layer.bounds for layer in self.layers) if b is not None]
        if not bounds:
            return None
        xs0, ys0, xs1, ys1 = zip(*bounds)
        return min(xs0), min(ys0), max(xs1), max(ys1)

    def _on_layer_removed(self, index, layer) -> None:
        self.scenarios.drop_layer(layer.id)

    def _on_active_scenario(self, name) -> None:
        if self._applying:
            return
        if name is None:
            for layer in self.layers:
                layer.set_view()
        else:
            apply(self, self.scenarios[name])

    def _on_scenario_changed(self, scenario) -> None:
        if not self._applying and scenario.name == self.scenarios.active:
            apply(self, scenario)


def shadow_layer(layer):
    """A layer object sharing ``layer``'s data and id but with its own display state and events.

    The GeoDataFrame (or raster bytes) is shared, not copied: a shadow is cheap and
    meant for drawing one scenario beside another (compare view, slides,
    presentation) without touching the layers the user edits.
    """
    clone = object.__new__(type(layer))
    clone.__dict__.update(layer.__dict__)
    clone.events = EmitterGroup(*layer.events._names)
    return clone


def shadow_project(project, scenario: Scenario | None = None):
    """A lightweight copy of ``project`` (shadow layers, same scenarios) in ``scenario``'s state.

    Applying a scenario changes layer visibility, filters and styles; two views
    that show two scenarios at once therefore each draw their own shadow. The
    copy shares the layers' data frames, so it costs microseconds, and edits
    made to the copy's display state never reach the real project.
    """
    copy = Project(project.title)
    copy.show_basemap = getattr(project, "show_basemap", True)
    copy.targets = list(project.targets)
    copy.tile_source = getattr(project, "tile_source", None)
    copy.layouts = list(getattr(project, "layouts", []))
    copy.bookmarks = list(getattr(project, "bookmarks", []))
    copy._settings = dict(project._settings)
    copy.path = project.path
    for layer in project.layers:
        copy.layers.append(shadow_layer(layer))
    for s in project.scenarios:
        copy.scenarios.add(s)
    copy.extent = project.extent
    if scenario is not None:
        apply(copy, scenario)
    return copy
