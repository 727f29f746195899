"""The 1:N text and the scale bar tell the truth about ground distance: measured on the output
itself (two markers exactly 10 km apart on the map grid), for slides at 1080p and at 4K (the same
7.5-inch-high slide page: the same 1:N; 4K once read half the 1080p value) and for a print layout PDF."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage

from hygis.present.layout import Layout
from hygis.project.scenario_commands import AddScenario
from tests.ui.test_layout_render import GAP_M, red_centres_x, two_markers_project

pypdf = pytest.importorskip("pypdf")


def _gray(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    return arr[:, : image.width(), :3].astype(int)


def bar_length_px(image: QImage, region: QRectF) -> float:
    """The scale bar's length in pixels inside ``region``: on the row through the bar with the most
    dark pixels (its two black segments; text rows have far fewer), the span from the bar's first to
    its last inked pixel (the white segments' outlines end it)."""
    rgb = _gray(image)
    x0, y0, x1, y1 = (int(v) for v in (region.left(), region.top(), region.right(), region.bottom()))
    block = rgb[y0:y1, x0:x1].max(axis=2)
    row = block[int(np.argmax((block < 90).sum(axis=1)))]
    inked = np.flatnonzero(row < 200)
    return float(inked[-1] - inked[0])


def scale_texts(pdf_text: str) -> tuple[int, float]:
    """(N of the '1:N' text, metres of the bar's end label) read from a page's text."""
    n = int(re.search(r"1:([\d,]+)", pdf_text).group(1).replace(",", ""))
    value, unit = re.search(r"(\d+(?:\.\d+)?)\s*(km|m)\b", pdf_text).groups()
    return n, float(value) * (1000 if unit == "km" else 1)


def marker_gap_px(image: QImage, region: QRectF) -> float:
    crop = image.copy(region.toRect())
    xs = red_centres_x(crop)
    assert len(xs) == 2, xs
    return xs[1] - xs[0]


@pytest.fixture
def scenario_project(qapp):
    project, centre = two_markers_project()
    lon, lat = centre
    project.execute(AddScenario(project, "比例尺", extent=(lon - 0.2, lat - 0.1, lon + 0.2, lat + 0.1)))
    return project


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)])
def test_slide_scale_text_matches_the_ground(scenario_project, tmp_path, size):
    from hygis.ui.slide_render import export_deck, layout

    pdf, png = export_deck(scenario_project, tmp_path / "deck.pdf", size, png_dir=tmp_path / "png")
    page = pypdf.PdfReader(pdf).pages[0]
    assert float(page.mediabox.height) == pytest.approx(540)  # the slide page is 7.5 in high at any size
    n_text, bar_m = scale_texts(page.extract_text())
    image = QImage(str(png))
    assert (image.width(), image.height()) == size
    map_rect = layout(QRectF(0, 0, *size))["map"].adjusted(4, 4, -4, -4)
    px_per_inch = size[1] / 7.5
    metres_per_px = GAP_M / marker_gap_px(image, map_rect)  # the real ground distance, measured
    assert n_text == pytest.approx(metres_per_px / (0.0254 / px_per_inch), rel=0.01)
    bottom_left = QRectF(map_rect.left(), map_rect.center().y(), map_rect.width() / 2, map_rect.height() / 2)
    bar_px = bar_length_px(image, bottom_left)
    assert bar_px * metres_per_px == pytest.approx(bar_m, rel=0.02)  # "5 km" over a bar 5 km long


def test_slide_scale_is_the_same_at_1080p_and_4k(scenario_project, tmp_path):
    from hygis.ui.slide_render import export_deck

    texts = [pypdf.PdfReader(export_deck(scenario_project, tmp_path / f"{w}.pdf", (w, h))[0]).pages[0].extract_text()
             for w, h in ((1920, 1080), (3840, 2160))]
    (n1, m1), (n4, m4) = (scale_texts(t) for t in texts)
    assert n4 == pytest.approx(n1, rel=0.002) and m4 == m1


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm (poppler-utils) rasterises the PDF page")
@pytest.mark.parametrize("scale", [50_000, None])
def test_layout_pdf_scale_text_matches_the_ground(qapp, tmp_path, scale):
    from hygis.ui.layout_render import export_layout

    project, centre = two_markers_project()
    layout = Layout(paper="A3", orientation="landscape", scale=scale, center=centre, legend=False, overview=False)
    if scale is None:  # fit: the extent of the two markers and some margin, rounded up to a round scale
        lon, lat = centre
        project.extent = (lon - 0.15, lat - 0.08, lon + 0.15, lat + 0.08)
    path, plan = export_layout(project, layout, tmp_path / "map.pdf")
    n_text, bar_m = scale_texts(pypdf.PdfReader(path).pages[0].extract_text())
    assert n_text == plan.scale
    dpi = 150
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    image = QImage(str(tmp_path / "page.png"))
    x, y, w, h = layout.frames()["map"]
    to_px = dpi / 25.4
    map_rect = QRectF(x * to_px, y * to_px, w * to_px, h * to_px).adjusted(4, 4, -4, -4)
    paper_m_per_px = 0.0254 / dpi
    ground_m_per_px = GAP_M / marker_gap_px(image, map_rect)
    assert n_text == pytest.approx(ground_m_per_px / paper_m_per_px, rel=0.01)
    sx, sy, sw, sh = layout.frames()["scalebar"]
    bar_px = bar_length_px(image, QRectF(sx * to_px, sy * to_px, sw * to_px, sh * to_px))
    assert bar_px * ground_m_per_px == pytest.approx(bar_m, rel=0.02)
