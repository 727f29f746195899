"""The Measure panel: each segment's geodesic length, the total, the area of a polygon measure, m/km."""

import pytest
import shapely
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from hygis.geo import crs as hcrs
from hygis.geo import measure as gmeasure
from hygis.ui.render.view import to_map
from tests.ui.fixtures_window import isolated_settings, main_window, small_project  # noqa: F401 (fixtures)


def click(qtbot, canvas, lon, lat, button=Qt.MouseButton.LeftButton):
    qtbot.mouseClick(canvas, button, pos=canvas.map_to_screen(*to_map(lon, lat)).toPoint())


def test_measure_values_are_geodesic():
    # 0.2° of longitude on the 30th parallel: 19.27 km; a 0.1° square there ≈ 106.9 km²
    m = gmeasure.measure([(120.0, 30.0), (120.2, 30.0)])
    assert m.total_m == pytest.approx(19_271, rel=2e-3)
    square = [(120.0, 30.0), (120.1, 30.0), (120.1, 30.1), (120.0, 30.1)]
    m = gmeasure.measure(square, closed=True)
    albers_km2 = float(hcrs.area_km2([shapely.Polygon(square)])[0])  # the equal-area projection agrees
    assert m.area_m2 / 1e6 == pytest.approx(albers_km2, rel=1e-3)
    assert len(m.segments_m) == 4 and m.perimeter_m == pytest.approx(m.total_m, rel=1e-6)
    assert gmeasure.format_length(850) == "850 m" and gmeasure.format_length(12_345) == "12.35 km"
    assert gmeasure.format_length(850, "km") == "0.850 km" and gmeasure.format_length(12_345, "m") == "12,345 m"
    assert gmeasure.format_area(53_000) == "5.30 ha" and gmeasure.format_area(4.56e6) == "4.560 km²"


def test_measure_panel_lists_segments_total_and_area(main_window, qtbot, tmp_path):
    w = main_window
    w.resize(1280, 800)
    w.canvas.set_extent((119.95, 29.95, 120.35, 30.2))
    qtbot.wait(50)
    w.act_measure_distance.trigger()
    assert w.dock_measure.isVisible()
    panel = w.measure_panel
    for lon, lat in ((120.0, 30.0), (120.2, 30.0), (120.2, 30.1)):
        click(qtbot, w.canvas, lon, lat)
    click(qtbot, w.canvas, 120.2, 30.1, Qt.MouseButton.RightButton)  # ends the measure
    assert panel.table.rowCount() == 2
    first = gmeasure.measure([(120.0, 30.0), (120.2, 30.0)]).total_m
    second = gmeasure.measure([(120.2, 30.0), (120.2, 30.1)]).total_m
    # screen clicks land within a pixel (~ 50 m at this view) of the points
    px_m = w.canvas.view().res
    assert panel.measurement.segments_m[0] == pytest.approx(first, abs=2 * px_m)
    assert panel.measurement.segments_m[1] == pytest.approx(second, abs=2 * px_m)
    assert panel.table.item(0, 1).text().endswith(" km") and panel.total_label.text().startswith("Total: ")
    shown_total = float(panel.total_label.text().split(": ")[1].replace(" km", ""))
    assert shown_total == pytest.approx((first + second) / 1000, abs=0.01 + 2 * px_m / 1000)
    assert not panel.area_label.isVisible()
    panel.set_unit("m")
    assert panel.table.item(0, 1).text().endswith(" m") and "," in panel.table.item(0, 1).text()
    assert w.status.measure_label.text().endswith(" m")  # the status bar follows the unit
    w.grab().save(str(tmp_path / "measure_en.png"))
    w.act_measure_area.trigger()
    for lon, lat in ((120.0, 30.0), (120.1, 30.0), (120.1, 30.1), (120.0, 30.1)):
        click(qtbot, w.canvas, lon, lat)
    qtbot.mouseDClick(w.canvas, Qt.MouseButton.LeftButton,
                      pos=w.canvas.map_to_screen(*to_map(120.0, 30.1)).toPoint())
    assert panel.area_label.isVisible()
    pts = w.canvas._interaction.measure_points()
    assert len(pts) == 4  # the double-click on the last point ends the measure without a 0 m segment
    assert min(panel.measurement.segments_m) > 1000
    assert panel.table.item(panel.table.rowCount() - 1, 0).text() == "closing"
    expected = gmeasure.measure(pts, closed=True).area_m2
    assert panel.measurement.area_m2 == pytest.approx(expected) and expected / 1e6 == pytest.approx(106.9, rel=0.02)
    panel.set_unit("km")
    assert panel.area_label.text() == f"Area: {expected / 1e6:,.2f} km²"
    from hygis.ui.i18n import install_translator

    install_translator(QApplication.instance(), "zh_CN")
    qtbot.waitUntil(lambda: panel.area_label.text().startswith("面积"), timeout=3000)
    assert panel.table.item(panel.table.rowCount() - 1, 0).text() == "闭合"
    assert w.dock_measure.windowTitle() == "测量"
    panel.clear()
    assert panel.table.rowCount() == 0
