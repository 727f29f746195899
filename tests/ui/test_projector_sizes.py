"""Readable on a projector: labels of slides, F5 and layouts grow with the output (≥ 14 px at 1080p)."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from hygis.layers.style import Style
from hygis.layers.vector import VectorLayer
from hygis.present.layout import Layout
from hygis.present.slides import Slide
from hygis.project import Project
from hygis.ui.layout_render import layout_label_scale
from hygis.ui.render.labels import label_px, label_scale, output_label_scale
from hygis.ui.slide_render import render_map_image

EXTENT = (120.0, 30.0, 120.4, 30.3)


@pytest.fixture(autouse=True)
def app(qapp):
    return qapp


def label_project():
    gdf = gpd.GeoDataFrame({"name": ["杭州"]}, geometry=[shapely.Point(120.2, 30.15)], crs=4326)
    layer = VectorLayer("城市", gdf, style=Style(fill="#ffffff00", stroke="#ffffff00", size=1, label_field="name",
                                                label_size=9, label_color="#000000"))
    p = Project("标注")
    p.show_basemap = False
    p.layers.append(layer)
    return p


def ink_height(image: QImage) -> int:
    """Rows holding black text pixels around the label (the map centre), in pixels."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    h, w = image.height(), image.width()
    box = arr[h // 4: 3 * h // 4, w // 4: 3 * w // 4, :3].max(axis=2)
    rows = np.nonzero((box < 60).any(axis=1))[0]
    return int(rows.max() - rows.min() + 1) if len(rows) else 0


def slide_for(project):
    return Slide(number=1, count=1, name="s", title="t", subtitle="", extent=EXTENT)


def test_slide_labels_are_at_least_14px_at_1080p_and_grow_with_the_output():
    project = label_project()
    slide = slide_for(project)
    # the map part of a 1920×1080 slide is about 1380×820; of a 3840×2160 one twice that
    small = render_map_image(project, slide, (1380, 820), page_height=1080)
    big = render_map_image(project, slide, (2760, 1640), page_height=2160)
    h_small, h_big = ink_height(small), ink_height(big)
    assert h_small >= 12  # CJK ink is ~0.9 of the 14 px font size
    assert h_big == pytest.approx(2 * h_small, abs=3)


def test_label_scale_api():
    assert label_px(9) == pytest.approx(12)  # the canvas: style size, nothing else
    with label_scale(*output_label_scale(1080)):
        assert label_px(9) >= 14 and label_px(24) == pytest.approx(32)
    with label_scale(*output_label_scale(1080, user_factor=1.5)):
        assert label_px(9) >= 21
    assert label_px(9) == pytest.approx(12)


def test_layout_labels_readable_when_the_page_is_projected():
    for paper in ("A4", "A3", "A0"):
        layout = Layout(paper=paper, orientation="landscape")
        factor, min_px = layout_label_scale(layout)
        page_short_units = min(layout.paper_mm) / 25.4 * 96
        with label_scale(factor, min_px):
            # shown with the page's short side 1080 px high, a 9 pt label is ≥ 14 px
            assert label_px(9) * 1080 / page_short_units >= 14 - 1e-9
