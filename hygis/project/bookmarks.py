"""Spatial bookmarks: named map views saved in the project, and their undoable commands.

``project.bookmarks`` is a list of :class:`Bookmark`: a name and an extent in a CRS — the
map's own CRS (EPSG:4549 metres) for a view saved in the app, exactly as the canvas showed
it, or WGS84 lon0, lat0, lon1, lat1 for one given on the command line.  The extent is
stored as given (no rounding, no centre/scale derived from it), so saving a view, reopening
the project and zooming to it shows the same extent again — however often that is repeated
(a lon/lat envelope of the projected view grew by ~10 m per cycle).  They are project data:
saved in the ``.hygis`` file
(``"bookmarks"``), changed only through :class:`AddBookmark` (adds, or replaces one of
the same name), :class:`RemoveBookmark` and :class:`RenameBookmark`, each one undo step;
``hygis bookmark`` changes them from the command line and ``hygis render --bookmark NAME``
draws one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hygis.core.errors import HygisError
from hygis.geo import crs as hcrs
from hygis.project.commands import Command, Label

MAX_BOOKMARKS = 500
MAX_NAME = 200


@dataclass(frozen=True)
class Bookmark:
    name: str
    extent: tuple[float, float, float, float]  # xmin, ymin, xmax, ymax in ``crs``
    crs: str = hcrs.WGS84  # WGS84 (lon/lat degrees) or the map CRS (metres)

    def __post_init__(self):
        name = str(self.name or "").strip()
        if not name or len(name) > MAX_NAME:
            raise HygisError("a bookmark needs a name (at most 200 characters)")
        crs = str(self.crs or hcrs.WGS84)
        if crs not in (hcrs.WGS84, hcrs.MAP_CRS):
            raise HygisError("a bookmark extent is in {WGS84} or {MAP_CRS}, not {crs!r}",
                             WGS84=hcrs.WGS84, MAP_CRS=hcrs.MAP_CRS, crs=crs)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "crs", crs)
        check = check_extent if crs == hcrs.WGS84 else check_map_extent
        object.__setattr__(self, "extent", check(self.extent))

    @classmethod
    def of_view(cls, name: str, map_bounds) -> "Bookmark":
        """A bookmark of a map view: its map-CRS bounds, kept exactly."""
        return cls(name, map_bounds, hcrs.MAP_CRS)

    def wgs84(self) -> tuple[float, float, float, float]:
        """The extent as a lon/lat box (for lists and tooltips; a map extent's envelope)."""
        if self.crs == hcrs.WGS84:
            return self.extent
        return _envelope(self.extent, hcrs.transformer(hcrs.MAP_CRS, hcrs.WGS84).transform)

    def map_extent(self) -> tuple[float, float, float, float]:
        """The extent in the map CRS (metres): the stored one, or a lon/lat box's envelope."""
        if self.crs == hcrs.MAP_CRS:
            return self.extent
        return _envelope(self.extent, hcrs.transformer(hcrs.WGS84, hcrs.MAP_CRS).transform)

    def to_dict(self) -> dict:
        # floats as they are: JSON's shortest repr reads back to the same double (no drift)
        d = {"name": self.name, "extent": list(self.extent)}
        if self.crs != hcrs.WGS84:
            d["crs"] = self.crs
        return d

    @classmethod
    def from_dict(cls, d) -> "Bookmark":
        if not isinstance(d, dict):
            raise HygisError("a bookmark must be an object with name and extent")
        return cls(d.get("name"), d.get("extent"), d.get("crs") or hcrs.WGS84)


def _envelope(bounds, transform, n: int = 21):
    """Bounds of a box after ``transform``, 21 points per edge (curved edges covered)."""
    x0, y0, x1, y1 = bounds
    t = np.linspace(0.0, 1.0, n)
    xs = np.concatenate([x0 + (x1 - x0) * t, np.full(n, x1), x0 + (x1 - x0) * t, np.full(n, x0)])
    ys = np.concatenate([np.full(n, y0), y0 + (y1 - y0) * t, np.full(n, y1), y0 + (y1 - y0) * t])
    x, y = transform(xs, ys)
    return float(np.min(x)), float(np.min(y)), float(np.max(x)), float(np.max(y))


def check_map_extent(value) -> tuple[float, float, float, float]:
    """A valid map-CRS extent (finite metres, x0 < x1, y0 < y1) or HygisError."""
    try:
        x0, y0, x1, y1 = (float(v) for v in value)
    except (TypeError, ValueError):
        raise HygisError("a bookmark extent is four numbers xmin,ymin,xmax,ymax, not {value!r}",
                         value=value) from None
    if not all(math.isfinite(v) and abs(v) < 1e8 for v in (x0, y0, x1, y1)) or not (x0 < x1 and y0 < y1):
        raise HygisError("bookmark extent {x0},{y0},{x1},{y1} is not a map box (xmin < xmax, ymin < ymax)",
                         x0=x0, y0=y0, x1=x1, y1=y1)
    return x0, y0, x1, y1


def check_extent(value) -> tuple[float, float, float, float]:
    """A valid lon/lat extent (lon0 < lon1, lat0 < lat1, on the earth) or HygisError."""
    try:
        x0, y0, x1, y1 = (float(v) for v in value)
    except (TypeError, ValueError):
        raise HygisError("a bookmark extent is four numbers lon0,lat0,lon1,lat1, not {value!r}",
                         value=value) from None
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)) or not (-180 <= x0 < x1 <= 180 and -90 <= y0 < y1 <= 90):
        raise HygisError("bookmark extent {x0},{y0},{x1},{y1} is not a lon/lat box (lon0 < lon1, lat0 < lat1)",
                         x0=x0, y0=y0, x1=x1, y1=y1)
    return x0, y0, x1, y1


def parse_extent(text: str) -> tuple[float, float, float, float]:
    """'120.1,30.0,120.5,30.3' → a checked extent."""
    return check_extent(str(text).replace(" ", "").split(","))


def to_json(project) -> dict:
    return {"bookmarks": [b.to_dict() for b in getattr(project, "bookmarks", [])]}


def from_json(project, doc: dict) -> None:
    entries = doc.get("bookmarks") or []
    if not isinstance(entries, list) or len(entries) > MAX_BOOKMARKS:
        raise HygisError("bookmarks must be a list")
    project.bookmarks = [Bookmark.from_dict(e) for e in entries]


def find(project, name: str) -> Bookmark:
    """The bookmark called ``name`` (HygisError listing the names if there is none)."""
    for b in getattr(project, "bookmarks", []):
        if b.name == name:
            return b
    names = ", ".join(b.name for b in getattr(project, "bookmarks", [])) or "(none)"
    raise HygisError("No bookmark named '{name}'; bookmarks: {names}", name=name, names=names)


class _BookmarkCommand(Command):
    def __init__(self, project):
        self.project = project
        self._old: list | None = None

    def do(self):
        self._old = list(self.project.bookmarks)
        self.project.bookmarks = self._changed(list(self.project.bookmarks))

    def undo(self):
        self.project.bookmarks = list(self._old)


class AddBookmark(_BookmarkCommand):
    """Save a view as a bookmark (replaces the one of the same name, keeping its place)."""

    def __init__(self, project, bookmark: Bookmark):
        super().__init__(project)
        self.bookmark = bookmark
        self.label = Label("Bookmark {name}", name=bookmark.name)

    def _changed(self, marks):
        names = [b.name for b in marks]
        if self.bookmark.name in names:
            marks[names.index(self.bookmark.name)] = self.bookmark
        elif len(marks) >= MAX_BOOKMARKS:
            raise HygisError("at most {MAX_BOOKMARKS} bookmarks", MAX_BOOKMARKS=MAX_BOOKMARKS)
        else:
            marks.append(self.bookmark)
        return marks


class RemoveBookmark(_BookmarkCommand):
    def __init__(self, project, name: str):
        super().__init__(project)
        self.name = find(project, name).name
        self.label = Label("Delete bookmark {name}", name=name)

    def _changed(self, marks):
        return [b for b in marks if b.name != self.name]


class RenameBookmark(_BookmarkCommand):
    def __init__(self, project, name: str, new_name: str):
        super().__init__(project)
        self.name = find(project, name).name
        old = find(project, name)
        self.new = Bookmark(new_name, old.extent, old.crs)
        if self.new.name != self.name and any(b.name == self.new.name for b in project.bookmarks):
            raise HygisError("a bookmark named '{name}' exists already", name=self.new.name)
        self.label = Label("Rename bookmark {name}", name=name)

    def _changed(self, marks):
        return [self.new if b.name == self.name else b for b in marks]
