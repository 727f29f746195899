"""Map scenarios (现状 / 规划 / 愿景): plain records of per-layer state, extent and indicators.

A scenario stores, per layer id, its visibility, style and filter; the map
extent (WGS84 bounds); the indicators to show; and speaker notes.  The
collection is evented; entries for a removed layer are dropped.

Events of :class:`ScenarioCollection`:
    added(index, scenario), removed(index, scenario), moved(old, new),
    changed(scenario), renamed(old_name, new_name), active(name or None)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from hygis.core.errors import HygisError
from hygis.core.text import Label
from hygis.core.events import EmitterGroup
from hygis.layers.expressions import parse_filter
from hygis.layers.style import Style

MAX_TEXT = 20_000


@dataclass
class LayerState:
    visible: bool = True
    filter: str = ""
    style: dict | None = None  # Style.to_dict(); None keeps the layer's current style

    @classmethod
    def from_dict(cls, d: dict) -> "LayerState":
        if not isinstance(d, dict):
            raise HygisError("scenario layer state must be an object")
        flt = str(d.get("filter") or "")
        if flt:
            parse_filter(flt)
        style = d.get("style")
        if style is not None:
            style = Style.from_dict(style).to_dict()
        return cls(visible=bool(d.get("visible", True)), filter=flt, style=style)


@dataclass
class Scenario:
    name: str
    title: str = ""
    subtitle: str = ""
    layers: dict[str, LayerState] = field(default_factory=dict)  # layer id → state
    extent: tuple[float, float, float, float] | None = None  # WGS84 (xmin, ymin, xmax, ymax)
    indicators: list[dict] = field(default_factory=list)  # e.g. {"type": "enclave_target"}
    notes: str = ""
    year: int | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["extent"] = list(self.extent) if self.extent else None
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Scenario":
        if not isinstance(d, dict):
            raise HygisError("a scenario must be an object")
        name = _text(d.get("name"), Label("scenario name"), 200)
        if not name:
            raise HygisError("a scenario needs a name")
        extent = d.get("extent")
        if extent is not None:
            try:
                extent = tuple(float(v) for v in extent)
                if len(extent) != 4 or not all(abs(v) <= 1e3 for v in extent):
                    raise ValueError
            except (TypeError, ValueError, OverflowError):
                raise HygisError("scenario '{name}': invalid extent", name=name) from None
        layers = d.get("layers") or {}
        if not isinstance(layers, dict):
            raise HygisError("scenario '{name}': layers must be an object", name=name)
        indicators = d.get("indicators") or []
        if not isinstance(indicators, list) or not all(isinstance(i, dict) for i in indicators):
            raise HygisError("scenario '{name}': indicators must be a list of objects", name=name)
        year = d.get("year")
        try:
            year = None if year is None else int(year)
        except (TypeError, ValueError, OverflowError):
            raise HygisError("scenario '{name}': invalid year", name=name) from None
        return cls(name=name, title=_text(d.get("title"), Label("title"), 500), subtitle=_text(d.get("subtitle"), Label("subtitle"), 500),
                   layers={str(k): LayerState.from_dict(v) for k, v in layers.items()}, extent=extent,
                   indicators=[dict(i) for i in indicators], notes=_text(d.get("notes"), Label("notes"), MAX_TEXT), year=year)


def _text(value, what: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise HygisError("{what} must be text", what=what)
    if len(value) > limit:
        raise HygisError("{what} is longer than {limit} characters", what=what, limit=limit)
    return value


class ScenarioCollection:
    def __init__(self):
        self.events = EmitterGroup("added", "removed", "moved", "changed", "renamed", "active")
        self._items: list[Scenario] = []
        self._active: str | None = None

    def __len__(self):
        return len(self._items)

    def __iter__(self):
        return iter(list(self._items))

    def __getitem__(self, key) -> Scenario:
        if isinstance(key, int):
            return self._items[key]
        for s in self._items:
            if s.name == key:
                return s
        raise HygisError("No scenario named '{key}'", key=key)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self._items]

    def index(self, name: str) -> int:
        return self.names.index(self[name].name)

    @property
    def active(self) -> str | None:
        return self._active

    def set_active(self, name: str | None) -> None:
        if name is not None:
            self[name]
        if name != self._active:
            self._active = name
            self.events.active(name)

    def insert(self, index: int, scenario: Scenario) -> None:
        if scenario.name in self.names:
            raise HygisError("A scenario named '{scenario_name}' already exists", scenario_name=scenario.name)
        index = max(0, min(index, len(self._items)))
        self._items.insert(index, scenario)
        self.events.added(index, scenario)

    def add(self, scenario: Scenario) -> None:
        self.insert(len(self._items), scenario)

    def remove(self, name: str) -> tuple[int, Scenario]:
        s = self[name]
        i = self._items.index(s)
        self._items.pop(i)
        if self._active == name:
            self.set_active(None)
        self.events.removed(i, s)
        return i, s

    def rename(self, old: str, new: str) -> None:
        new = _text(new, Label("scenario name"), 200).strip()
        if not new:
            raise HygisError("a scenario needs a name")
        if new != old and new in self.names:
            raise HygisError("A scenario named '{new}' already exists", new=new)
        self[old].name = new
        if self._active == old:
            self._active = new
        self.events.renamed(old, new)

    def move(self, old: int, new: int) -> None:
        s = self._items.pop(old)
        self._items.insert(new, s)
        self.events.moved(old, new)

    def replace(self, scenario: Scenario) -> Scenario:
        """Replace the scenario of the same name; returns the old record."""
        old = self[scenario.name]
        self._items[self._items.index(old)] = scenario
        self.events.changed(scenario)
        return old

    def drop_layer(self, layer_id: str) -> None:
        for s in self._items:
            if s.layers.pop(layer_id, None) is not None:
                self.events.changed(s)

    def unique_name(self, base: str) -> str:
        name, n = base, 2
        while name in self.names:
            name, n = f"{base} ({n})", n + 1
        return name


def capture(project, name: str, **kw) -> Scenario:
    """A scenario from the project's current state (visibility, styles, filters, extent)."""
    from hygis.layers.vector import VectorLayer

    layers = {}
    for layer in project.layers:
        is_vec = isinstance(layer, VectorLayer)
        layers[layer.id] = LayerState(visible=layer.visible, filter=layer.filter if is_vec else "",
                                      style=layer.style.to_dict() if is_vec else None)
    return Scenario(name=name, layers=layers, extent=project.extent, **kw)


def apply(project, scenario: Scenario) -> None:
    """Show the scenario: every layer's view (visibility, style, filter) and the extent it stores.

    A scenario is a view: the layers' own style, filter and visibility are never changed
    (:meth:`hygis.layers.vector.Layer.set_view`), so after any sequence of switches a scenario
    draws exactly as on a fresh open.  A layer the scenario does not mention is hidden (a
    scenario is a complete picture); a state without a style shows the layer's own style.
    """
    from hygis.layers.vector import VectorLayer

    project._applying = True
    try:
        _apply_views(project, scenario, VectorLayer)
    finally:
        project._applying = False


def _apply_views(project, scenario, VectorLayer) -> None:  # noqa: N803 (a class passed in)
    for layer in project.layers:
        state = scenario.layers.get(layer.id)
        if state is None:
            layer.set_view(visible=False)
        elif isinstance(layer, VectorLayer):
            layer.set_view(visible=state.visible, filter=state.filter,
                           style=Style.from_dict(state.style) if state.style is not None else None)
        else:
            layer.set_view(visible=state.visible)
    if scenario.extent:
        project.extent = scenario.extent
    project.scenarios.set_active(scenario.name)


def clear_view(project) -> None:
    """Leave scenarios: every layer shows its own state again; no scenario is active."""
    for layer in project.layers:
        layer.set_view()
    project.scenarios.set_active(None)


def first_or_active(project) -> "Scenario | None":
    """The scenario a project opens in: the active one, else the first (None without scenarios)."""
    names = project.scenarios.names
    if not names:
        return None
    active = project.scenarios.active
    return project.scenarios[active if active in names else names[0]]


def duplicate(scenario: Scenario, name: str) -> Scenario:
    """An independent deep copy of ``scenario`` under a new name."""
    copy = Scenario.from_dict(scenario.to_dict())
    copy.name = name
    return copy
