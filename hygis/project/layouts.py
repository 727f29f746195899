"""The project's print layouts and tile basemap source: their piece of the project file and their commands.

``project.layouts`` is a list of :class:`hygis.present.layout.Layout`;
``project.tile_source`` the tile basemap drawn under the layers (an XYZ URL template,
a provider name such as ``osm``/``tianditu``, or an ``.mbtiles`` path) or None.  A
tile source never holds a user's token: tokens live in the user settings.
"""

from __future__ import annotations

from hygis.core.errors import HygisError
from hygis.present.layout import Layout
from hygis.project.commands import Command, Label

MAX_LAYOUTS = 100
MAX_SOURCE = 2000


def to_json(project) -> dict:
    """The keys this piece adds to the project JSON."""
    return {"layouts": [lay.to_dict() for lay in getattr(project, "layouts", [])],
            "tile_source": getattr(project, "tile_source", None)}


def from_json(project, doc: dict) -> None:
    """Read the layouts and tile source of a saved project (HygisError on bad values)."""
    entries = doc.get("layouts") or []
    if not isinstance(entries, list) or len(entries) > MAX_LAYOUTS:
        raise HygisError("layouts must be a list")
    project.layouts = [Layout.from_dict(e) for e in entries]
    project.tile_source = check_source(doc.get("tile_source"))


def check_source(value) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > MAX_SOURCE:
        raise HygisError("tile source must be a short text")
    if "tk=" in value.lower().replace("{token}", ""):
        raise HygisError("a tile source in the project must not hold a token (keep it in the settings)")
    return value


class SetLayout(Command):
    """Add or replace (by name) a print layout of the project."""

    def __init__(self, project, layout: Layout):
        self.project, self.layout = project, layout
        self.label = Label("Layout {name}", name=layout.name)
        self._old = None

    def do(self):
        layouts = self.project.layouts
        self._old = list(layouts)
        names = [lay.name for lay in layouts]
        if self.layout.name in names:
            layouts[names.index(self.layout.name)] = self.layout
        else:
            layouts.append(self.layout)

    def undo(self):
        self.project.layouts[:] = self._old


class SetTileSource(Command):
    """Choose the tile basemap of the project (None: the bundled vector basemap only)."""

    def __init__(self, project, source: str | None):
        self.project, self.source = project, check_source(source)
        self.label = Label("Tile basemap")
        self._old = None

    def do(self):
        self._old = self.project.tile_source
        self.project.tile_source = self.source

    def undo(self):
        self.project.tile_source = self._old
