"""Map drawing shared by the canvas, the headless ``hygis render`` and the slide export.

Public API::

    paint_map(painter, rect, project, extent_wgs84, *, legend=True, scalebar=True,
              north_arrow=True, title=None, basemap=True)
    render_project(project, size=(w, h), extent=None, **kw) -> QImage
    export_map(project, path, size, **kw)            # PNG / SVG / PDF by suffix
"""

from hygis.ui.render.mapdraw import export_map, paint_map, render_project

__all__ = ["paint_map", "render_project", "export_map"]
