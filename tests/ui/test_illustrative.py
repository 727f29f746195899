"""Illustrative (示意) data looks illustrative everywhere and can be hidden; basemap names (issue 14)."""

import geopandas as gpd
import pytest
import shapely
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from hygis.layers.style import Style
from hygis.layers.vector import VectorLayer
from hygis.present.slides import legend_entries
from hygis.project import Project
from hygis.project.fileformat import open_project, save_project
from hygis.project.model import shadow_project
from hygis.ui.attribute_table import LayerTableModel
from hygis.ui.identify import IdentifyPanel
from hygis.ui.legend import LegendWidget
from hygis.ui.render.basemap_labels import add_basemap_labels
from hygis.ui.render.bridge import RendererSet
from hygis.ui.render.labels import LabelSet
from hygis.ui.render.mapdraw import render_layers
from hygis.ui.render.view import MapView, to_map
from tests.ui.fixtures_window import isolated_settings, main_window, small_project  # noqa: F401

EXTENT = (120.0, 30.0, 120.4, 30.2)
STROKE = "#1f4fa0"


@pytest.fixture(autouse=True)
def app(qapp):
    return qapp


def blocks_layer() -> VectorLayer:
    """Two 0.1° squares: 西块 sourced, 东块 illustrative (示意)."""
    gdf = gpd.GeoDataFrame({"name": ["西块", "东块(示意)"], "data_status": ["sourced", "illustrative"],
                            "source": ["a page", "illustrative: invented"]},
                           geometry=[shapely.box(120.05, 30.05, 120.15, 30.15), shapely.box(120.25, 30.05, 120.35, 30.15)],
                           crs=4326)
    return VectorLayer("片区", gdf, style=Style(fill="#ffd8a8", stroke=STROKE, width=2.0))


def project_with(layer) -> Project:
    p = Project("示意测试")
    p.show_basemap = False
    p.layers.append(layer)
    return p


def _stroke_pixels(img, view, box) -> int:
    """Pixels of the stroke colour strictly inside ``box`` (lon0, lat0, lon1, lat1), 4 px in from its edges."""
    x0, y1 = view.to_pixels(*to_map(box[0], box[1]))
    x1, y0 = view.to_pixels(*to_map(box[2], box[3]))
    stroke = QColor(STROKE)
    count = 0
    for y in range(int(y0) + 4, int(y1) - 4):
        for x in range(int(x0) + 4, int(x1) - 4):
            c = QColor(img.pixel(x, y))
            if abs(c.red() - stroke.red()) + abs(c.green() - stroke.green()) + abs(c.blue() - stroke.blue()) < 60:
                count += 1
    return count


def _render(project, size=(400, 200)):
    view = MapView.fit_wgs84(EXTENT, *size)
    return render_layers(list(project.layers), view, RendererSet(), basemap=False), view


def test_illustrative_polygons_are_hatched_and_sourced_ones_plain():
    img, view = _render(project_with(blocks_layer()))
    assert _stroke_pixels(img, view, (120.05, 30.05, 120.15, 30.15)) == 0
    assert _stroke_pixels(img, view, (120.25, 30.05, 120.35, 30.15)) > 200  # the hatch


def test_hiding_illustrative_data_hides_it_from_map_and_analysis(tmp_path):
    layer = blocks_layer()
    project = project_with(layer)
    project.show_illustrative = False
    assert list(layer.visible_data()["name"]) == ["西块"]
    img, view = _render(project)
    px, py = view.to_pixels(*to_map(120.30, 30.10))
    assert QColor(img.pixel(int(px), int(py))) != QColor("#ffd8a8")  # not drawn
    px, py = view.to_pixels(*to_map(120.10, 30.10))
    assert QColor(img.pixel(int(px), int(py))) == QColor("#ffd8a8")
    assert shadow_project(project).layers[0].show_illustrative is False
    back = open_project(save_project(project, tmp_path / "p.hygis"))
    assert back.show_illustrative is False and list(back.layers[0].visible_data()["name"]) == ["西块"]
    back.show_illustrative = True
    assert len(back.layers[0].visible_data()) == 2


def test_legend_identify_table_and_slides_say_illustrative(qtbot):
    layer = blocks_layer()
    project = project_with(layer)
    legend = LegendWidget(project)
    qtbot.addWidget(legend)
    item = legend.topLevelItem(0)
    assert item.text(0) == "片区"
    assert [item.child(i).text(0) for i in range(item.childCount())][-1] in ("示意", "Illustrative")
    panel = IdentifyPanel(project)
    qtbot.addWidget(panel)
    assert panel.show_feature(layer.id, 1)
    assert panel.header.text().endswith(("示意", "Illustrative"))
    assert panel.value_of(panel.field_label(layer, "data_status")) in ("示意", "Illustrative")
    model = LayerTableModel(layer, project)
    col = model._columns.index("data_status")
    assert model.index(1, col).data(Qt.ItemDataRole.DisplayRole) in ("示意", "Illustrative")
    assert model.index(0, col).data(Qt.ItemDataRole.DisplayRole) in ("有出处", "Sourced")
    entries = legend_entries(project)
    assert [e.label for e in entries] == ["片区", "片区 · 示意"]
    assert entries[1].style.dash == "dash" and entries[1].style.hatch == "diagonal"
    project.show_illustrative = False  # nothing illustrative on the map: no 示意 row
    assert [e.label for e in legend_entries(project)] == ["片区"]


def test_view_menu_toggles_are_saved_settings(main_window):
    window = main_window
    project = window.project
    options = window.view_options
    assert options.act_illustrative.isChecked() and options.act_labels.isChecked()
    options.act_illustrative.trigger()
    assert project.show_illustrative is False and project.setting("show_illustrative") is False
    options.act_labels.trigger()
    assert project.show_basemap_labels is False
    assert options.act_illustrative in window.menu_view.actions() and options.act_labels in window.menu_view.actions()


def test_basemap_names_are_labels_cities_first_districts_when_zoomed_in():
    province = MapView.fit_wgs84((118.0, 27.0, 123.0, 31.2), 1200, 1000)
    labels = LabelSet()
    add_basemap_labels(labels, province)
    names = {lab.text for lab in labels.items}
    assert {"杭州市", "宁波市", "丽水市"} <= names and "西湖区" not in names
    bay = MapView.fit_wgs84((119.9, 30.0, 120.5, 30.4), 1200, 800)
    labels = LabelSet()
    add_basemap_labels(labels, bay)
    names = [lab.text for lab in labels.items]
    assert "杭州市" in names and {"西湖区", "萧山区", "钱塘区"} <= set(names)
    assert names.index("杭州市") < names.index("西湖区")  # cities placed before districts


def test_basemap_names_toggle_changes_the_map():
    project = Project("t")
    view = MapView.fit_wgs84((119.9, 30.0, 120.5, 30.4), 600, 400)
    on = render_layers([], view, RendererSet(), basemap=True, basemap_labels=True)
    off = render_layers([], view, RendererSet(), basemap=True, basemap_labels=False)
    differ = sum(on.pixel(x, y) != off.pixel(x, y) for x in range(0, 600, 2) for y in range(0, 400, 2))
    assert differ > 150  # the names' glyphs and halos
    assert project.show_basemap_labels is True  # on by default
