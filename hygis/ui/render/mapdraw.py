"""paint_map / render_project / export_map (temporary skeleton)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage, QPainter

BACKGROUND = QColor("#dfeaf2")


def paint_map(painter, rect, project, extent_wgs84, *, legend=True, scalebar=True, north_arrow=True,
              title=None, basemap=True, renderers=None):
    painter.fillRect(rect, BACKGROUND)


def render_project(project, size=(1920, 1080), extent=None, **kw) -> QImage:
    img = QImage(int(size[0]), int(size[1]), QImage.Format.Format_ARGB32_Premultiplied)
    p = QPainter(img)
    paint_map(p, img.rect().toRectF(), project, extent, **kw)
    p.end()
    return img


def export_map(project, path, size=(1920, 1080), **kw):
    render_project(project, size, **kw).save(str(path))


def render_layers(layers, view, renderers, basemap=True) -> QImage:
    img = QImage(view.width, view.height, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(BACKGROUND)
    return img


def paint_selection(painter, layers, view, renderers):
    pass


def identify(layers, x, y, tolerance_m):
    return None
