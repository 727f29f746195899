"""Shared map drawing: Chinese labels, rasters (ramp, nodata, opacity), styles, decorations, and
the headless ``hygis render`` command writing PNG/SVG/PDF."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from PySide6.QtGui import QColor, QFontDatabase, QImage

from hygis.cli import main
from hygis.layers.raster import RasterLayer, RasterStyle
from hygis.layers.style import Style
from hygis.layers.vector import VectorLayer
from hygis.project import Project
from hygis.ui.render import render_project
from hygis.ui.render.labels import label_family
from hygis.ui.render.mapdraw import BACKGROUND, render_layers
from hygis.ui.render.bridge import RendererSet
from hygis.ui.render.view import MapView, to_map
from hygis.project.fileformat import save_project

EXTENT = (120.0, 30.0, 120.4, 30.3)


@pytest.fixture(autouse=True)
def app(qapp):
    return qapp


def bare_project(*layers):
    p = Project("测试")
    p.show_basemap = False
    for layer in layers:
        p.layers.append(layer)
    return p


def draw(layers, size=(400, 300), extent=EXTENT):
    view = MapView.fit_wgs84(extent, *size)
    return render_layers(layers, view, RendererSet(), basemap=False), view


def color_at(img: QImage, view, lon, lat) -> QColor:
    px, py = view.to_pixels(*to_map(lon, lat))
    return QColor(img.pixel(int(px), int(py)))


def points_layer(label_field="name"):
    gdf = gpd.GeoDataFrame({"name": ["宁波", "杭州"]},
                           geometry=[shapely.Point(120.3, 30.2), shapely.Point(120.1, 30.1)], crs=4326)
    return VectorLayer("城市", gdf, style=Style(fill="#d7301f", stroke="#ffffff", marker="circle", size=10,
                                              label_field=label_field, label_size=14))


def test_label_font_has_chinese_glyphs():
    family = label_family()
    assert QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(family)


def test_chinese_labels_are_drawn_next_to_points():
    with_labels, view = draw([points_layer("name")])
    without, _ = draw([points_layer(None)])
    px, py = view.to_pixels(*to_map(120.3, 30.2))
    changed = 0
    for x in range(int(px) + 6, int(px) + 45):  # right of the marker, where the label goes
        for y in range(int(py) - 10, int(py) + 10):
            changed += with_labels.pixel(x, y) != without.pixel(x, y)
    assert changed > 40
    dark = sum(QColor(with_labels.pixel(x, y)).lightness() < 100
               for x in range(int(px) + 6, int(px) + 45) for y in range(int(py) - 10, int(py) + 10))
    assert dark > 15  # glyph strokes, not empty boxes or only the halo


def test_point_labels_avoid_each_other():
    gdf = gpd.GeoDataFrame({"name": ["宁波市"] * 30},
                           geometry=[shapely.Point(120.2, 30.15)] * 30, crs=4326)
    layer = VectorLayer("重叠", gdf, style=Style(label_field="name"))
    from hygis.ui.render.labels import LabelSet

    view = MapView.fit_wgs84(EXTENT, 400, 300)
    labels = LabelSet()
    img = QImage(400, 300, QImage.Format.Format_ARGB32_Premultiplied)
    from PySide6.QtGui import QPainter

    p = QPainter(img)
    RendererSet().get(layer).draw(p, view, labels)
    drawn = labels.draw(p, 400, 300)
    p.end()
    assert len(labels) == 30 and 1 < drawn <= 8  # the eight positions around one spot, no overlaps


def raster_layer(tmp_path, nodata=0.0):
    import rasterio
    from rasterio.transform import from_bounds

    data = np.tile(np.linspace(1, 100, 40, dtype="float32"), (30, 1))
    data[:, :20] = nodata  # the western half is nodata
    path = tmp_path / "dem.tif"
    with rasterio.open(path, "w", driver="GTiff", width=40, height=30, count=1, dtype="float32", crs="EPSG:4326",
                       transform=from_bounds(*EXTENT, 40, 30), nodata=nodata) as ds:
        ds.write(data, 1)
    return RasterLayer.from_file(path, style=RasterStyle(ramp="reds", vmin=1, vmax=100))


def test_raster_nodata_is_transparent_and_values_are_coloured(tmp_path):
    layer = raster_layer(tmp_path)
    img, view = draw([layer])
    assert color_at(img, view, 120.05, 30.15).name() == BACKGROUND.name()  # nodata: background shows
    east = color_at(img, view, 120.39, 30.15)
    mid = color_at(img, view, 120.25, 30.15)
    assert east.red() > 120 and east.green() < 60  # high values: dark red end of the ramp
    assert mid.green() > east.green()  # lower values are lighter


def test_raster_opacity_blends_with_background(tmp_path):
    layer = raster_layer(tmp_path)
    opaque, view = draw([layer])
    layer.opacity = 0.5
    half, _ = draw([layer])
    a, b = color_at(opaque, view, 120.39, 30.15), color_at(half, view, 120.39, 30.15)
    assert abs(b.green() - (a.green() + BACKGROUND.green()) / 2) < 8


def test_graduated_style_uses_the_ramp_in_order():
    gdf = gpd.GeoDataFrame({"v": [1.0, 2.0, 3.0]},
                           geometry=[shapely.box(120.0 + 0.1 * i, 30.0, 120.08 + 0.1 * i, 30.08) for i in range(3)],
                           crs=4326)
    style = Style(mode="graduated", field="v", ramp="blues", breaks=[1.0, 2.0, 3.0], width=0)
    img, view = draw([VectorLayer("分级", gdf, style=style)])
    blues = [color_at(img, view, 120.04 + 0.1 * i, 30.04).blue() - color_at(img, view, 120.04 + 0.1 * i, 30.04).red()
             for i in range(3)]
    assert blues[0] < blues[1] < blues[2] or blues == sorted(blues)  # darker blue for higher values


def test_layer_opacity_blends_polygons():
    gdf = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.box(120.1, 30.1, 120.3, 30.2)], crs=4326)
    layer = VectorLayer("半透明", gdf, style=Style(fill="#000000", width=0), opacity=0.5)
    img, view = draw([layer])
    c = color_at(img, view, 120.2, 30.15)
    assert abs(c.red() - BACKGROUND.red() / 2) < 6


def test_render_project_has_legend_and_scalebar():
    p = bare_project(points_layer())
    full = render_project(p, (600, 400), extent=EXTENT, legend=True, scalebar=True, north_arrow=True)
    bare = render_project(p, (600, 400), extent=EXTENT, legend=False, scalebar=False, north_arrow=False)
    def diff(x0, y0, x1, y1):
        return sum(full.pixel(x, y) != bare.pixel(x, y) for x in range(x0, x1, 2) for y in range(y0, y1, 2))
    assert diff(450, 330, 600, 400) > 50  # legend, bottom right
    assert diff(0, 340, 150, 400) > 50  # scale bar, bottom left
    assert diff(540, 0, 600, 70) > 20  # north arrow, top right


def test_hygis_render_writes_png_svg_pdf(tmp_path, capsys):
    p = bare_project(points_layer())
    project_path = tmp_path / "p.hygis"
    save_project(p, project_path)
    png, svg, pdf = tmp_path / "m.png", tmp_path / "m.svg", tmp_path / "m.pdf"
    assert main(["render", str(project_path), "--out", str(png), "--size", "320x200", "--no-basemap"]) == 0
    img = QImage(str(png))
    assert (img.width(), img.height()) == (320, 200)
    assert len({img.pixel(x, y) for x in range(0, 320, 8) for y in range(0, 200, 8)}) > 3
    assert main(["render", str(project_path), "--out", str(svg), "--size", "320x200", "--no-basemap"]) == 0
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and 'width="' in text
    assert main(["render", str(project_path), "--out", str(pdf), "--size", "320x200", "--no-basemap"]) == 0
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 1000


def test_hygis_render_a_data_file_and_bad_input(tmp_path, capsys):
    gpkg = tmp_path / "城市.gpkg"
    points_layer().data.to_file(gpkg, layer="城市")
    out = tmp_path / "a.png"
    assert main(["render", str(gpkg), "--out", str(out), "--size", "200x150", "--no-basemap"]) == 0
    assert QImage(str(out)).width() == 200
    assert main(["render", str(gpkg), "--out", str(tmp_path / "a.gif")]) == 1
    assert main(["render", str(gpkg), "--out", str(out), "--size", "huge"]) == 1
    assert main(["render", str(gpkg), "--out", str(out), "--layer", "nope"]) == 1
    err = capsys.readouterr().err
    assert "Unsupported output" in err and "size 'huge'" in err and "No layer named nope" in err


def test_unknown_scenario_lists_the_names(tmp_path, capsys):
    from hygis.project.scenarios import capture

    p = bare_project(points_layer())
    p.scenarios.add(capture(p, "现状 2020"))
    path = tmp_path / "s.hygis"
    save_project(p, path)
    assert main(["render", str(path), "--out", str(tmp_path / "x.png"), "--scenario", "2099"]) == 1
    assert "现状 2020" in capsys.readouterr().err
    assert main(["render", str(path), "--out", str(tmp_path / "x.png"), "--scenario", "现状 2020",
                 "--size", "200x150", "--no-basemap"]) == 0


def test_rescaled_view_keeps_centre_and_map_width():
    from hygis.ui.render.view import MapView

    view = MapView(500_000.0, 3_300_000.0, 100.0, 800, 600)
    big = view.rescaled(1600, 1200)
    assert (big.cx, big.cy, big.width, big.height) == (view.cx, view.cy, 1600, 1200)
    assert big.bounds == pytest.approx(view.bounds)  # same extent, twice the pixels
    assert view.resized(1600, 1200).res == view.res  # a widget resize keeps the scale instead


def test_a_cut_legend_never_ends_on_a_layer_title_without_its_classes():
    """Print layouts and small maps cut the legend: the rows kept end on a class, and "…" follows."""
    from pathlib import Path

    from hygis.project.fileformat import open_project
    from hygis.ui.render.decorations import _legend_rows, fitting_rows

    sample = Path(__file__).resolve().parents[2] / "sample_projects" / "hangzhou_ningbo.hygis"
    if not sample.exists():
        pytest.skip("sample project not built")
    rows = _legend_rows(open_project(sample).layers)
    assert len(rows) > 12
    for max_rows in range(2, len(rows)):
        keep = fitting_rows(rows, max_rows)
        assert keep < max_rows  # room for "…"
        assert rows[keep - 1][0] != "layer" or keep == 1, (max_rows, rows[keep - 1])
    assert fitting_rows(rows, len(rows)) == len(rows)
