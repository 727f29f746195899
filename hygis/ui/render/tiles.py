"""Drawing tile basemaps (:mod:`hygis.geo.tiles`) under the layers, reprojected to the canvas CRS.

Tiles are squares of their grid (:mod:`hygis.geo.tilegrids`: Web Mercator, Baidu's BD-09
Mercator, a WMTS TileMatrixSet); the canvas is a Gauss–Krüger projection (EPSG:4549), so
each tile is drawn through the projective transform that puts its four corners where
they belong (GCJ-02 tiles of 高德 and BD-09 tiles of 百度 are shifted back to WGS84 corner
by corner).  Decoded
tiles are kept in a small memory cache.  With ``wait=False`` (the canvas) only tiles
at hand are drawn and the missing ones are requested in the background
(``on_tile`` is called when each arrives, to schedule a redraw); exports pass
``wait=True`` and get every tile first.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict

from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage, QPainter, QPolygonF, QTransform

from hygis.geo import tiles as gtiles
from hygis.ui.render.view import MapView, to_map

MAX_TILES = 300  # per frame; beyond that the zoom level is lowered
_IMAGES: OrderedDict = OrderedDict()
_IMAGES_MAX = 600
_LOCK = threading.Lock()


def _decoded(source, key, data=None) -> QImage | None:
    ck = (source.spec, key)
    with _LOCK:
        img = _IMAGES.get(ck)
        if img is not None:
            _IMAGES.move_to_end(ck)
            return img
    if data is None:
        return None
    img = QImage.fromData(data)
    if img.isNull():
        return None
    with _LOCK:
        _IMAGES[ck] = img
        while len(_IMAGES) > _IMAGES_MAX:
            _IMAGES.popitem(last=False)
    return img


def plan_tiles(view: MapView, source, detail: float = 1.0) -> list[tuple[int, int, int]]:
    """The (z, x, y) tiles to draw ``view`` (``detail`` device pixels per view pixel)."""
    return source.grid.plan(view.wgs84_bounds(), view.res / max(detail, 1e-3), source.min_zoom, source.max_zoom,
                            MAX_TILES)


def tile_quad(view: MapView, key, grid) -> QPolygonF:
    """The tile's four image corners (top-left, top-right, bottom-right, bottom-left) in view pixels."""
    lon, lat = grid.corners(key)
    px, py = view.to_pixels(*to_map(lon, lat))
    return QPolygonF([QPointF(float(a), float(b)) for a, b in zip(px, py)])


def _ignore(key, data) -> None:
    pass


def paint_tiles(painter: QPainter, view: MapView, source, *, wait: bool = False, on_tile=None) -> bool:
    """Draw the tiles of ``source`` for ``view``; True if at least one tile was drawn.

    False means nothing to show (server unreachable and nothing cached, or no tiles here):
    the caller draws the bundled vector basemap instead.
    """
    t = painter.deviceTransform()
    detail = math.hypot(t.m11(), t.m12()) or 1.0
    keys = plan_tiles(view, source, detail)
    if not keys:
        return False
    images, missing = {}, []
    for key in keys:
        img = _decoded(source, key)
        if img is None:
            data = source.cached(*key)
            img = _decoded(source, key, data) if data else None
        if img is None:
            missing.append(key)
        else:
            images[key] = img
    if missing and wait:
        for key, data in source.fetch_all(missing).items():
            img = _decoded(source, key, data) if data else None
            if img is not None:
                images[key] = img
        missing = []
    if missing:  # fetched in the background: the next frame (on_tile: a redraw) shows them
        source.request(missing, on_tile or _ignore)
    if not images:
        return False
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
    base = painter.transform()
    for key, img in images.items():
        quad = tile_quad(view, key, source.grid)
        # each tile overlaps its neighbours by half a tile pixel, so no seams show between them
        # (PDF viewers interpolate image edges with the page behind)
        w, h = img.width() - 0.5, img.height() - 0.5  # 4 corners: Qt 6.6's quadToQuad refuses QPolygonF(QRectF)'s 5 (closed)
        src = QPolygonF([QPointF(0.5, 0.5), QPointF(w, 0.5), QPointF(w, h), QPointF(0.5, h)])
        tr = QTransform()
        if not QTransform.quadToQuad(src, quad, tr):
            continue
        painter.setTransform(tr * base)
        painter.drawImage(QPointF(0, 0), img)
    painter.restore()
    return True


class TileBasemap:
    """A tile source as the map's basemap (pass it as ``basemap=`` to the map drawing).

    ``wait``: fetch missing tiles before drawing (exports) or in the background (the canvas,
    which passes ``on_tile`` to redraw when they arrive).
    """

    def __init__(self, source, *, wait: bool = False, on_tile=None):
        self.source, self.wait, self.on_tile = source, wait, on_tile

    def __bool__(self) -> bool:
        return True

    def paint(self, painter: QPainter, view: MapView) -> bool:
        try:
            return paint_tiles(painter, view, self.source, wait=self.wait, on_tile=self.on_tile)
        except Exception:  # a broken tile or source must never stop the map: the vector basemap shows
            import logging

            logging.getLogger(__name__).warning("tiles not drawn", exc_info=True)
            return False


_SOURCES: dict = {}


def tile_token() -> str | None:
    """The user's 天地图 token from the settings (or None)."""
    try:
        from hygis.ui.settings import Settings

        return Settings().tianditu_token()
    except Exception:  # settings unavailable: no token
        return None


def source_for(spec: str):
    """The opened tile source of ``spec`` (one per spec and token, shared by canvas and exports)."""
    token = tile_token()
    key = (spec, token)
    with _LOCK:
        src = _SOURCES.get(key)
    if src is None:
        src = gtiles.open_source(spec, token=token)
        with _LOCK:
            src = _SOURCES.setdefault(key, src)
    return src


def basemap_for(project, *, wait: bool, on_tile=None, strict: bool = False):
    """What to pass as ``basemap=`` for ``project``: its tile basemap, else its vector-basemap flag.

    A tile source that cannot be opened (bad spec, 天地图 without a token) falls back to the
    vector basemap, or raises HygisError with ``strict`` (the command line).
    """
    from hygis.core.errors import HygisError

    show = getattr(project, "show_basemap", True)
    spec = getattr(project, "tile_source", None)
    if not spec:
        return show
    try:
        return TileBasemap(source_for(spec), wait=wait, on_tile=on_tile)
    except HygisError:
        if strict:
            raise
        import logging

        logging.getLogger(__name__).warning("tile source %s unavailable", spec, exc_info=True)
        return show
