"""Drawing a whole map: basemap, layers in order, labels, selection, decorations.

``render_layers`` is what the canvas worker calls for one view; ``paint_map`` is the
entry point of the headless render and the slide export (same renderers, plus legend,
scale bar and north arrow).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter

from hygis.core.errors import HygisError
from hygis.ui.render import decorations
from hygis.ui.render.basemap_labels import add_basemap_labels
from hygis.ui.render.bridge import RendererSet
from hygis.ui.render.labels import LabelSet
from hygis.ui.render.painting import painting
from hygis.ui.render.view import DEFAULT_EXTENT, MapView

log = logging.getLogger(__name__)
BACKGROUND = QColor("#dfeaf2")  # sea / outside the basemap
_BASEMAP: dict[str, object] = {}
_BASEMAP_LOCK = threading.Lock()
#: Basemap images of the last few views: the basemap never changes, and a scenario switch or
#: a presentation goes back and forth between the same few views (20–70 ms saved each time).
_BASEMAP_IMAGES: OrderedDict = OrderedDict()
BASEMAP_IMAGES_MAX = 4
#: QImage.save quality of PNG maps (Qt maps 80 to zlib level 1).
PNG_QUALITY = 80


def basemap_layers() -> list:
    """The offline basemap layers (loaded once; empty when the basemap is unavailable)."""
    with _BASEMAP_LOCK:
        if "layers" not in _BASEMAP:
            try:
                from hygis.geo.basemap import basemap_layers as load

                _BASEMAP["layers"] = load()
                _BASEMAP["renderers"] = RendererSet()
            except Exception as exc:  # missing assets must not stop the map
                log.warning("basemap unavailable: %s", exc)
                _BASEMAP["layers"], _BASEMAP["renderers"] = [], RendererSet()
        return _BASEMAP["layers"]


def draw_layers(painter: QPainter, layers, view: MapView, renderers: RendererSet, *, basemap: bool = True,
                labels: bool = True, basemap_labels: bool = False, cancelled=None) -> None:
    """Draw the basemap and ``layers`` (bottom first) into ``painter`` (pixels of ``view``).

    ``basemap`` may be a tile basemap (:class:`hygis.ui.render.tiles.TileBasemap`): its tiles are
    drawn, and the bundled vector basemap only where none could be had (offline, no cache).
    ``basemap_labels`` adds the city/district names (placed after the layers' labels).
    ``cancelled``: a callable asked before each layer; once it returns True nothing more is drawn
    (a canvas render whose view is stale, or whose canvas is closing, stops at the next layer).
    """
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    label_set = LabelSet() if labels else None
    vector_basemap = bool(basemap) and not (hasattr(basemap, "paint") and basemap.paint(painter, view))
    if vector_basemap:
        _draw_basemap(painter, view, label_set)
    for layer in layers:
        if cancelled is not None and cancelled():
            return
        _draw_visible(painter, layer, renderers, view, label_set)
    if cancelled is not None and cancelled():
        return
    if vector_basemap and basemap_labels:  # tiles carry their own names
        add_basemap_labels(label_set, view)
    if label_set is not None:
        label_set.draw(painter, view.width, view.height)


def _draw_visible(painter, layer, renderers, view, label_set) -> None:
    if not layer.visible or layer.opacity <= 0:
        return
    try:
        _draw_layer(painter, renderers.get(layer), view, layer.opacity, label_set)
    except HygisError as exc:
        log.warning("layer %s not drawn: %s", layer.name, exc)


def _draw_basemap(painter: QPainter, view: MapView, label_set) -> None:
    """The basemap layers: from the image cache on raster devices, else drawn as vectors."""
    layers = basemap_layers()
    rset = _BASEMAP["renderers"]
    if not layers:
        return
    dpr = _image_dpr(painter)
    if dpr is None or any(lyr.style.label_field for lyr in layers):
        for layer in layers:
            _draw_visible(painter, layer, rset, view, label_set)
        return
    key = (view, dpr, tuple((id(lyr), lyr.visible, lyr.opacity, repr(lyr.style)) for lyr in layers))
    with _BASEMAP_LOCK:
        img = _BASEMAP_IMAGES.get(key)
        if img is not None:
            _BASEMAP_IMAGES.move_to_end(key)
    if img is None:
        img = new_image(view.width, view.height, dpr)
        img.fill(0)
        with painting(img, antialias=True) as p:
            for layer in layers:
                _draw_visible(p, layer, rset, view, None)
        with _BASEMAP_LOCK:
            _BASEMAP_IMAGES[key] = img
            while len(_BASEMAP_IMAGES) > BASEMAP_IMAGES_MAX:
                _BASEMAP_IMAGES.popitem(last=False)
    painter.drawImage(QPointF(0, 0), img)


def _draw_layer(painter, renderer, view, opacity, labels) -> None:
    raster_device = isinstance(painter.device(), QImage)
    if opacity >= 1.0 or renderer.layer.kind == "raster" or not raster_device:
        painter.save()
        painter.setOpacity(opacity)
        renderer.draw(painter, view, labels)
        painter.restore()
        return
    # translucent vector layer: draw opaque into its own image, then blend once (no double alpha)
    img = new_image(view.width, view.height, painter.device().devicePixelRatio())
    img.fill(0)
    with painting(img, antialias=True) as p:
        renderer.draw(p, view, labels)
    painter.save()
    painter.setOpacity(opacity)
    painter.drawImage(QPointF(0, 0), img)
    painter.restore()


def new_image(width: int, height: int, dpr: float = 1.0) -> QImage:
    """A premultiplied ARGB image of width×height *logical* pixels at device pixel ratio ``dpr``
    (width·dpr × height·dpr real pixels; painters on it draw in logical pixels, sharp on HiDPI)."""
    dpr = float(dpr) if dpr and dpr > 0 else 1.0
    img = QImage(max(1, round(width * dpr)), max(1, round(height * dpr)), QImage.Format.Format_ARGB32_Premultiplied)
    img.setDevicePixelRatio(dpr)
    return img


def _image_dpr(painter) -> float | None:
    """The device pixel ratio of a QImage the painter draws on unscaled, else None (vector devices)."""
    device = painter.device()
    if not isinstance(device, QImage) or painter.transform().isScaling() or painter.transform().isRotating():
        return None
    return device.devicePixelRatio()


def render_layers(layers, view: MapView, renderers: RendererSet, basemap: bool = True, dpr: float = 1.0,
                  basemap_labels: bool = False, cancelled=None) -> QImage:
    """The map of ``layers`` for ``view`` as a new QImage (safe in a worker thread).

    ``dpr``: the screen's device pixel ratio; the image has ``dpr`` times the view's pixels each
    way and draws sharp on a HiDPI screen (:func:`new_image`).  ``cancelled``: see :func:`draw_layers`
    (the image is then incomplete).
    """
    img = new_image(view.width, view.height, dpr)
    img.fill(BACKGROUND)
    with painting(img) as painter:  # a layer that fails to draw must not leave the image being painted
        draw_layers(painter, layers, view, renderers, basemap=basemap, basemap_labels=basemap_labels,
                    cancelled=cancelled)
    return img


def paint_selection(painter: QPainter, layers, view: MapView, renderers: RendererSet) -> None:
    """Highlight the selected features of the visible vector layers."""
    for layer in layers:
        if layer.visible and layer.kind != "raster" and getattr(layer, "selection", None):
            renderers.get(layer).draw_selection(painter, view)


def identify(layers, x: float, y: float, tolerance_m: float):
    """Topmost visible feature within ``tolerance_m`` of (x, y) canvas metres → (layer, fid) or None."""
    import shapely

    from hygis.ui.render.view import to_wgs84

    lon0, lat0 = to_wgs84(x - tolerance_m, y - tolerance_m)
    lon1, lat1 = to_wgs84(x + tolerance_m, y + tolerance_m)
    box = shapely.box(min(lon0, lon1), min(lat0, lat1), max(lon0, lon1), max(lat0, lat1))
    for layer in reversed(list(layers)):
        if not layer.visible or layer.kind == "raster" or len(layer.data) == 0:
            continue
        pos = layer.data.sindex.query(box, predicate="intersects")
        if len(pos) == 0:
            continue
        if getattr(layer, "filters_rows", layer.filter):
            pos = pos[np.asarray(layer.filter_mask())[pos]]
        if len(pos):
            return layer, int(layer.data.index[int(np.max(pos))])  # last drawn is on top
    return None


def paint_map(painter: QPainter, rect: QRectF, project, extent_wgs84=None, *, legend=True, scalebar=True,
              north_arrow=True, title=None, basemap=True, renderers: RendererSet | None = None,
              dpi: float = 96.0, tiles_wait: bool = True, map_bounds=None, margin: float = 0.03) -> MapView:
    """Draw ``project``'s map showing ``extent_wgs84`` (whole, aspect kept) into ``rect`` of ``painter``.

    ``map_bounds`` (canvas-CRS metres) instead of a lon/lat extent and ``margin=0`` draw exactly
    a canvas view (File ▸ Export Map Image: the image shows what the canvas shows).

    The basemap is the project's tile basemap if it has one (``tiles_wait``: fetch missing tiles
    first; False draws what the cache holds and fetches the rest in the background).
    Returns the view used (rect pixels ↔ canvas metres).
    """
    rect = QRectF(rect)
    width, height = max(int(round(rect.width())), 1), max(int(round(rect.height())), 1)
    extent = extent_wgs84 or project.full_extent() or project.extent or DEFAULT_EXTENT
    view = MapView.fit(map_bounds, width, height, margin) if map_bounds is not None \
        else MapView.fit_wgs84(extent, width, height, margin=margin)
    own = renderers is None
    renderers = renderers or RendererSet()
    layers = list(project.layers)
    painter.save()
    painter.translate(rect.topLeft())
    painter.setClipRect(QRectF(0, 0, width, height))
    painter.fillRect(QRectF(0, 0, width, height), BACKGROUND)
    if basemap and not hasattr(basemap, "paint"):  # the project's own: its tiles, else the vector basemap
        from hygis.ui.render.tiles import basemap_for

        basemap = basemap_for(project, wait=tiles_wait)
    draw_layers(painter, layers, view, renderers, basemap=basemap,
                basemap_labels=getattr(project, "show_basemap_labels", False))
    paint_selection(painter, layers, view, renderers)
    decorations.paint_decorations(painter, QRectF(0, 0, width, height), view, layers, legend=legend,
                                  scalebar=scalebar, north_arrow=north_arrow, title=title, dpi=dpi)
    painter.restore()
    if own:
        renderers.close()
    return view


def render_project(project, size=(1920, 1080), extent=None, **kw) -> QImage:
    """The project's map as a QImage of ``size`` (width, height) pixels."""
    w, h = _check_size(size)
    img = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(BACKGROUND)
    with painting(img) as painter:
        paint_map(painter, QRectF(0, 0, w, h), project, extent, **kw)
    return img


def export_map(project, path, size=(1920, 1080), extent=None, **kw) -> Path:
    """Write the project's map to ``path``: PNG/JPEG (raster), SVG or PDF (vector) by suffix.
    The file is replaced only by a complete new one (hygis.io.filesets.atomic_output)."""
    from hygis.io.filesets import atomic_output

    path = Path(path)
    w, h = _check_size(size)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".svg", ".pdf"):
        raise HygisError(f"Unsupported map format '{path.suffix}': use .png, .jpg, .svg or .pdf")
    with atomic_output(path) as tmp:
        _write_map(project, tmp, suffix, w, h, extent, kw)
    return path


def _write_map(project, path: Path, suffix: str, w: int, h: int, extent, kw) -> None:
    if suffix in (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"):
        img = render_project(project, (w, h), extent, **kw)
        if suffix in (".jpg", ".jpeg"):
            img = img.convertToFormat(QImage.Format.Format_RGB32)
        # PNG: zlib level 1 (Qt quality 80) instead of 6: 3–4× faster on busy maps, ~20 % bigger
        if not img.save(str(path), suffix.lstrip(".").upper(), PNG_QUALITY if suffix == ".png" else -1):
            raise HygisError(f"Cannot write {path.name}")
        return
    if suffix == ".svg":
        from PySide6.QtSvg import QSvgGenerator

        gen = QSvgGenerator()
        gen.setFileName(str(path))
        gen.setSize(QSize(w, h))
        gen.setViewBox(QRectF(0, 0, w, h))
        gen.setTitle(getattr(project, "title", "") or "hygis map")
        _paint_device(gen, project, w, h, extent, kw)
    else:
        _export_pdf(project, path, w, h, extent, kw)


def _paint_device(device, project, w, h, extent, kw) -> None:
    with painting(device, error="Cannot start drawing the map (is the output path writable?)") as painter:
        paint_map(painter, QRectF(0, 0, w, h), project, extent, **kw)


def _export_pdf(project, path: Path, w: int, h: int, extent, kw) -> None:
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

    writer = QPdfWriter(str(path))
    writer.setResolution(96)  # one PDF unit per map pixel: the page is w×h px at 96 dpi
    page = QPageSize(QRectF(0, 0, w * 72 / 96, h * 72 / 96).size(), QPageSize.Unit.Point, "map",
                     QPageSize.SizeMatchPolicy.ExactMatch)
    writer.setPageLayout(QPageLayout(page, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    writer.setTitle(getattr(project, "title", "") or "hygis map")
    _paint_device(writer, project, w, h, extent, kw)


def _check_size(size) -> tuple[int, int]:
    try:
        w, h = int(size[0]), int(size[1])
    except (TypeError, ValueError, IndexError):
        raise HygisError(f"invalid image size {size!r}") from None
    if not (16 <= w <= 20000 and 16 <= h <= 20000):
        raise HygisError(f"image size {w}x{h} out of range (16–20000 pixels each way)")
    return w, h
