"""City and district names of the basemap as map labels (a view setting: ``project.show_basemap_labels``).

The names join the map's :class:`~hygis.ui.render.labels.LabelSet` after every layer's labels, so the
collision-free placement keeps thematic labels first, then city names, then district names; district
names only appear once the view is zoomed in far enough for them to fit. Text uses the CJK label font.
"""

from __future__ import annotations

import threading

import numpy as np
import shapely

from hygis.ui.render.view import to_map

CITY_STYLE = (11.0, "#4d4d4d")  # point size, colour
DISTRICT_STYLE = (8.5, "#7a7a7a")
#: District names appear below this many metres per pixel (about the scale of the Hangzhou Bay).
DISTRICT_MAX_RES = 260.0
_ANCHORS: dict[str, tuple] = {}
_LOCK = threading.Lock()


def anchors(level: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(names, x, y) in canvas metres of the label points of a basemap level (computed once): the
    city seat for cities, a point inside the polygon for districts."""
    with _LOCK:
        if level not in _ANCHORS:
            from hygis.geo.basemap import CITY_SEATS, load_basemap

            zones = load_basemap(level)
            xy = shapely.get_coordinates(shapely.point_on_surface(zones.geometry.to_numpy()))
            if level == "city":  # city names at the city seat, not in the middle of the countryside
                xy = np.array([CITY_SEATS.get(n, tuple(p)) for n, p in zip(zones["name"], xy)], float)
            x, y = to_map(xy[:, 0], xy[:, 1])
            _ANCHORS[level] = (list(zones["name"]), np.asarray(x, float), np.asarray(y, float))
        return _ANCHORS[level]


def add_basemap_labels(label_set, view) -> int:
    """Add the city (and, zoomed in, district) names visible in ``view`` to ``label_set``; returns how many."""
    if label_set is None:
        return 0
    levels = [("city", CITY_STYLE)]
    if view.res <= DISTRICT_MAX_RES:
        levels.append(("district", DISTRICT_STYLE))
    added = 0
    for level, (size, colour) in levels:
        try:
            names, x, y = anchors(level)
        except Exception:  # noqa: BLE001 - no basemap: no names
            return added
        px, py = view.to_pixels(x, y)
        inside = (px >= 0) & (px <= view.width) & (py >= 0) & (py <= view.height)
        for name, lx, ly in zip(np.asarray(names, object)[inside], np.asarray(px)[inside], np.asarray(py)[inside]):
            label_set.add(str(name), float(lx), float(ly), size, colour)
            added += 1
    return added
