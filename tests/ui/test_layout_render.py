"""Print layouts drawn for real: the PDF page is the paper, the map is at its scale, the page says so."""

import shutil
import subprocess

import geopandas as gpd
import numpy as np
import pytest
import shapely
from PySide6.QtGui import QImage

from hygis.cli import main
from hygis.geo import crs as hcrs
from hygis.layers.style import Style
from hygis.layers.vector import VectorLayer
from hygis.present.layout import Layout
from hygis.project import Project
from hygis.project.fileformat import save_project
from hygis.ui.layout_render import export_layout, render_layout_image

pypdf = pytest.importorskip("pypdf")
CENTRE_M = (560_000.0, 3_330_000.0)  # EPSG:4549 metres, near Shaoxing
GAP_M = 10_000.0  # two markers 10 km apart east–west


@pytest.fixture(autouse=True)
def app(qapp):
    return qapp


def two_markers_project():
    """Two red dots exactly GAP_M apart on the map grid, nothing else (no basemap)."""
    cx, cy = CENTRE_M
    lon, lat = hcrs.transformer(hcrs.MAP_CRS, hcrs.WGS84).transform([cx - GAP_M / 2, cx + GAP_M / 2], [cy, cy])
    gdf = gpd.GeoDataFrame({"name": ["西", "东"]}, geometry=[shapely.Point(x, y) for x, y in zip(lon, lat)], crs=4326)
    layer = VectorLayer("测点", gdf, kind="vector")
    layer.style = Style(fill="#ff0000", stroke="#ff0000", size=6.0)
    project = Project("比例尺测试")
    project.show_basemap = False
    project.layers.append(layer)
    centre = hcrs.transformer(hcrs.MAP_CRS, hcrs.WGS84).transform(cx, cy)
    return project, (float(centre[0]), float(centre[1]))


def red_centres_x(image: QImage) -> list[float]:
    """x of the red blobs' centres (pixels), left to right."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    b, g, r = arr[..., 0].astype(int), arr[..., 1].astype(int), arr[..., 2].astype(int)
    cols = np.nonzero(((r > 200) & (g < 60) & (b < 60)).any(axis=0))[0]
    blobs = np.split(cols, np.nonzero(np.diff(cols) > 3)[0] + 1)
    return [float(blob.mean()) for blob in blobs if len(blob)]


def test_png_map_is_at_the_layout_scale():
    project, centre = two_markers_project()
    layout = Layout(paper="A3", orientation="landscape", scale=50_000, dpi=150, center=centre, legend=False,
                    overview=False, north_arrow=False, scalebar=False)
    image = render_layout_image(project, layout)
    assert (image.width(), image.height()) == (round(420 / 25.4 * 150), round(297 / 25.4 * 150))
    xs = red_centres_x(image)
    assert len(xs) == 2
    paper_mm = (xs[1] - xs[0]) / 150 * 25.4
    assert paper_mm == pytest.approx(GAP_M / 50_000 * 1000, abs=0.4)  # 10 km at 1:50,000 = 200 mm


@pytest.mark.parametrize("paper,orientation,expect_mm", [("A3", "landscape", (420, 297)), ("A4", "portrait", (210, 297)),
                                                         ("A0", "portrait", (841, 1189))])
def test_pdf_page_is_the_paper(tmp_path, paper, orientation, expect_mm):
    project, centre = two_markers_project()
    layout = Layout(paper=paper, orientation=orientation, scale=50_000, center=centre, title="比例尺测试")
    path, plan = export_layout(project, layout, tmp_path / "map.pdf")
    page = pypdf.PdfReader(path).pages[0]
    w_mm, h_mm = float(page.mediabox.width) / 72 * 25.4, float(page.mediabox.height) / 72 * 25.4
    # PDF page sizes are whole points (A3 = 1191 × 842 pt, as every PDF writer rounds it): ±0.36 mm
    assert w_mm == pytest.approx(expect_mm[0], abs=0.36) and h_mm == pytest.approx(expect_mm[1], abs=0.36)
    assert len(pypdf.PdfReader(path).pages) == 1
    assert plan.scale == 50_000


def test_cli_layout_writes_a_vector_pdf_at_the_scale(tmp_path, capsys):
    project, centre = two_markers_project()
    src = save_project(project, tmp_path / "m.hygis")
    out = tmp_path / "map.pdf"
    rc = main(["layout", str(src), "--paper", "A3", "--orientation", "landscape", "--scale", "50000",
               "--center", f"{centre[0]},{centre[1]}", "--title", "杭甬总图", "--approval-number", "浙S(2024)12号",
               "--no-overview", "--no-legend", "--out", str(out)])
    assert rc == 0
    assert "1:50,000" in capsys.readouterr().err
    reader = pypdf.PdfReader(out)
    text = reader.pages[0].extract_text()
    assert "比例尺" in text and "1:50,000" in text and "杭甬总图" in text and "审图号" in text
    content = reader.pages[0].get_contents().get_data()
    assert b" re" in content or b" c\n" in content or b" l\n" in content  # drawn as paths, not one picture
    if shutil.which("pdftoppm"):  # the printed page itself: rasterise it and measure the 10 km
        subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(out), str(tmp_path / "page")], check=True)
        xs = red_centres_x(QImage(str(tmp_path / "page.png")))
        assert len(xs) == 2
        assert (xs[1] - xs[0]) / 100 * 25.4 == pytest.approx(200.0, abs=0.6)


def test_cli_layout_bad_input_is_one_line(tmp_path, capsys):
    project, _ = two_markers_project()
    src = save_project(project, tmp_path / "m.hygis")
    assert main(["layout", str(src), "--scale", "1:abc", "--out", str(tmp_path / "x.pdf")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "scale" in err[0]
    assert main(["layout", str(src), "--scenario", "nope", "--out", str(tmp_path / "x.pdf")]) == 1
    assert "No scenario named" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
