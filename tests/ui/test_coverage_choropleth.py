"""Coverage results as a choropleth over the map: classes by natural breaks, a legend, gone with the results."""

import geopandas as gpd
import mapclassify
import numpy as np
import pytest
import shapely
from PySide6.QtGui import QColor

from hygis.layers.vector import VectorLayer
from hygis.project import Project
from hygis.ui.analysis.choropleth import classify
from hygis.ui.analysis.coverage_panel import CoveragePanel
from hygis.ui.canvas import MapCanvas
from hygis.ui.render.view import to_map

TIMEOUT = 20_000
#: six 0.1° zones in a row, covered 0, 10, 20, 50, 90 and 100 % by the target
SHARES = [0.0, 10.0, 20.0, 50.0, 90.0, 100.0]


def zones_project():
    boxes = [shapely.box(120.0 + 0.1 * i, 30.0, 120.1 + 0.1 * i, 30.1) for i in range(6)]
    zones = gpd.GeoDataFrame({"name": [f"区{i}" for i in range(6)]}, geometry=boxes, crs=4326)
    covers = [shapely.box(120.0 + 0.1 * i, 30.0, 120.0 + 0.1 * i + 0.1 * s / 100, 30.1)
              for i, s in enumerate(SHARES) if s > 0]
    target = gpd.GeoDataFrame({"name": ["新区"] * len(covers)}, geometry=covers, crs=4326)
    p = Project("覆盖")
    p.layers.append(VectorLayer("分区", zones))
    p.layers.append(VectorLayer("新区", target))
    p.show_basemap = False
    return p


def test_classify_uses_mapclassify_natural_breaks():
    values = np.array([0, 1, 2, 3, 40, 42, 45, 90, 95, 100], float)
    breaks, idx = classify(values, 3, "jenks")
    assert breaks == pytest.approx(list(mapclassify.FisherJenks(values, k=3).bins))
    assert list(idx) == [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
    _, idx = classify(np.array([5.0, np.nan]), 3)
    assert idx[1] == -1


def test_coverage_choropleth_on_the_canvas(qtbot, tmp_path):
    project = zones_project()
    canvas = MapCanvas(project)
    qtbot.addWidget(canvas)
    canvas.resize(900, 400)
    canvas.show()
    qtbot.waitExposed(canvas)
    canvas.set_extent((119.98, 29.95, 120.62, 30.15))
    project.layers[0].visible = False  # only the overlay colours the zones in this test
    project.layers[1].visible = False
    canvas.render_now()
    panel = CoveragePanel(project, canvas)
    qtbot.addWidget(panel)
    panel.resize(500, 700)
    panel.show()
    panel.set_zones("分区", by="name")
    panel.set_targets(["新区"])
    qtbot.waitUntil(lambda: panel.result is not None and not panel.runner.busy, timeout=TIMEOUT)
    frame = panel.model.frame.set_index("zone")
    assert [frame.loc[f"区{i}", "covered_share_pct"] for i in range(6)] == pytest.approx(SHARES, abs=0.01)
    plain = canvas.grab().toImage()
    panel.map_check.setChecked(True)
    overlay = panel.choropleth
    assert overlay.active
    shares = overlay_values(panel)  # in zone order, as computed
    expected_breaks = list(mapclassify.FisherJenks(shares, k=5).bins)
    assert overlay.breaks == pytest.approx(expected_breaks)
    labels = [label for label, _ in overlay.legend_rows()]
    assert labels[0] == f"≤ {expected_breaks[0]:.1f}" and labels[1] == f"{expected_breaks[0]:.1f} – {expected_breaks[1]:.1f}"
    qtbot.wait(50)
    img = canvas.grab().toImage()
    img.save(str(tmp_path / "choropleth.png"))

    def rgb(i, image):
        p = canvas.map_to_screen(*to_map(120.05 + 0.1 * i, 30.07))
        return np.array(QColor(image.pixel(int(p.x()), int(p.y()))).getRgb()[:3], float)

    lightness = [rgb(i, img).sum() for i in range(6)]
    assert all(a >= b for a, b in zip(lightness, lightness[1:]))  # darker with a larger share
    assert lightness[0] > lightness[5] + 150
    assert (rgb(0, plain) != rgb(0, img)).any()  # the zones are drawn over the map
    legend = overlay.legend_rect()
    assert QColor(img.pixel(int(legend.center().x()), int(legend.top() + 3))).getRgb()[:3] != \
        QColor(plain.pixel(int(legend.center().x()), int(legend.top() + 3))).getRgb()[:3]
    panel.map_method.setCurrentIndex(panel.map_method.findData("equal"))
    assert overlay.breaks == pytest.approx([20.0, 40.0, 60.0, 80.0, 100.0])
    # the analysis reruns (a new target feature): the map follows
    project.layers[1].data  # noqa: B018
    panel.buffer_spin.setValue(20000)  # 20 km around the targets covers every zone
    qtbot.waitUntil(lambda: panel.run_count >= 2 and not panel.runner.busy, timeout=TIMEOUT)
    assert np.nanmin(overlay_values(panel)) == pytest.approx(100.0)
    panel.map_check.setChecked(False)
    assert not overlay.active
    panel.map_check.setChecked(True)
    assert overlay.active
    panel.set_project(Project("另一个"))  # another project: the results and their map go
    assert not overlay.active


def overlay_values(panel):
    from hygis.ui.analysis.coverage_panel import zone_shares

    return zone_shares(panel.result)[1]
