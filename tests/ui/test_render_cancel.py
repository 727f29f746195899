"""A canvas render stops between layers once it is stale or its canvas closes (render thread robustness:
no long draw left running into a closed canvas)."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from hygis.layers.style import Style
from hygis.layers.vector import VectorLayer
from hygis.project import Project
from hygis.ui.canvas import MapCanvas
from hygis.ui.render.bridge import RendererSet
from hygis.ui.render.mapdraw import BACKGROUND, render_layers
from hygis.ui.render.view import MapView

BOX = (120.0, 30.0, 120.4, 30.25)


@pytest.fixture(autouse=True)
def app(qapp):
    return qapp


def _layer(name, fill, box):
    gdf = gpd.GeoDataFrame({"k": [1]}, geometry=[shapely.box(*box)], crs=4326)
    return VectorLayer(name, gdf, style=Style(fill=fill, stroke=fill, width=1.0))


def _colours(img):
    px = np.frombuffer(img.constBits(), np.uint32, count=img.width() * img.height())
    return set(np.unique(px).tolist())


def test_a_cancelled_render_stops_before_the_next_layer():
    red = _layer("red", "#ff0000", (120.05, 30.05, 120.15, 30.15))
    blue = _layer("blue", "#0000ff", (120.25, 30.05, 120.35, 30.15))
    view = MapView.fit_wgs84(BOX, 200, 120)
    asked = []

    def after_first_layer():
        asked.append(1)
        return len(asked) > 1

    full = _colours(render_layers([red, blue], view, RendererSet(), basemap=False))
    part = _colours(render_layers([red, blue], view, RendererSet(), basemap=False, cancelled=after_first_layer))
    none = _colours(render_layers([red, blue], view, RendererSet(), basemap=False, cancelled=lambda: True))
    assert {0xFFFF0000, 0xFF0000FF} <= full
    assert 0xFFFF0000 in part and 0xFF0000FF not in part
    assert none == {BACKGROUND.rgba()}


def test_a_stale_or_closing_canvas_render_is_cancelled(qapp):
    project = Project("p")
    project.show_basemap = False
    project.layers.append(_layer("red", "#ff0000", (120.05, 30.05, 120.15, 30.15)))
    canvas = MapCanvas(project, show_basemap=False)
    canvas.resize(200, 120)
    seen = []
    import hygis.ui.canvas as canvas_module

    job = canvas_module._render_job

    def spy(*args):
        seen.append(args[-1])  # the cancelled callable
        return job(*args)

    canvas_module._render_job = spy
    try:
        canvas._start_render()
        canvas._wait_render(10)
        stale = seen[-1]
        assert not stale()  # the newest render
        canvas.render_now()  # a newer view drawn: the background one is stale
        assert stale()
        canvas._start_render()
        canvas._wait_render(10)
        current = seen[-1]
        assert not current()
        canvas.close()
        assert current()  # closing
        canvas.show()
        assert not current()
        canvas.dispose()
        assert current()  # disposed for good
    finally:
        canvas_module._render_job = job
