"""Labels of a vector layer's features: anchors and the candidates handed to a LabelSet.

Anchors are the point on surface of polygons, the middle of lines and the points themselves
(computed once per feature and cached by the renderer).  When more features are in view
than :data:`LABEL_LIMIT`, the candidates are thinned first with a numpy occupancy grid — the
first feature (draw order = priority) of every label-sized cell — so that a map of 200,000
labelled points places its labels in well under a second instead of giving up on labels.
"""

from __future__ import annotations

import numpy as np
import shapely

from hygis.ui.render.labels import label_px
from hygis.ui.render.view import to_map

LABEL_LIMIT = 4_000  # more candidates than this in view are thinned by the grid below
#: Thinning cell: a label's height tall, this many label heights wide (a short Chinese name).
CELL_WIDTH_EM = 3.0


def anchors(renderer, rows: np.ndarray, family: str) -> tuple[np.ndarray, np.ndarray]:
    """Label positions (canvas metres) of ``rows``: point on surface, line middle, or the point."""
    with renderer._lock:
        layer = renderer.layer
        n = layer.feature_count
        if renderer._anchors is None:
            renderer._anchors = np.full((n, 2), np.nan)
        todo = rows[np.isnan(renderer._anchors[rows, 0])]
        if len(todo):
            flat = getattr(layer, "flat", None)
            geoms = flat.subset(todo).to_shapely() if flat is not None else layer.data.geometry.to_numpy()[todo]
            if family == "polygon":
                pts = shapely.point_on_surface(geoms)
            elif family == "line":
                pts = shapely.line_interpolate_point(geoms, 0.5, normalized=True)
            else:
                pts = shapely.centroid(geoms)
            xy = shapely.get_coordinates(pts)
            if len(xy) == len(todo):
                x, y = to_map(xy[:, 0], xy[:, 1])
                renderer._anchors[todo] = np.column_stack([x, y])
        return renderer._anchors[rows, 0], renderer._anchors[rows, 1]


def thin(px: np.ndarray, py: np.ndarray, cell_w: float, cell_h: float) -> np.ndarray:
    """Indices of the first candidate (in order) of every ``cell_w`` × ``cell_h`` pixel cell, ascending."""
    cx = np.floor(px / cell_w).astype(np.int64)
    cy = np.floor(py / cell_h).astype(np.int64)
    key = (cy - cy.min()) * (int(cx.max() - cx.min()) + 1) + (cx - cx.min())
    _, first = np.unique(key, return_index=True)
    return np.sort(first)


def collect(renderer, labels, view, rows: np.ndarray, family: str, at=None) -> None:
    """Add the labels of ``rows`` (in view) to ``labels``; ``at``: their anchor pixels when known."""
    layer = renderer.layer
    style = layer.style
    field = style.label_field
    if not field or len(rows) == 0:
        return  # no attributes read (a flat layer may not have read them yet)
    attrs = getattr(layer, "attributes", None)
    attrs = layer.data if attrs is None else attrs
    if not field or field not in attrs.columns or len(rows) == 0:
        return
    px = py = None
    if at is not None:
        px, py = (np.atleast_1d(np.asarray(a, float)) for a in at)
    if len(rows) > LABEL_LIMIT:
        if px is None:
            if family != "point":
                return  # polygons/lines: too many anchors to compute for one frame
            px, py = view.to_pixels(*anchors(renderer, rows, family))
        h = label_px(style.label_size) * 1.4
        keep = thin(px, py, h * CELL_WIDTH_EM, h)
        rows, px, py = rows[keep], px[keep], py[keep]
    if px is None:
        px, py = view.to_pixels(*anchors(renderer, rows, family))
    values = attrs[field].to_numpy()[rows]
    offset = style.size / 2 + 2 if family == "point" else 0.0
    for text, lx, ly in zip(values, np.atleast_1d(px).tolist(), np.atleast_1d(py).tolist()):
        if text is None or (isinstance(text, float) and np.isnan(text)) or not np.isfinite(lx):
            continue
        text = str(text).strip()
        if text:
            labels.add(text, lx, ly, style.label_size, style.label_color, point=family == "point", offset=offset)
