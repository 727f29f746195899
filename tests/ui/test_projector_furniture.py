"""Readable on a projector: a slide's north arrow and scale bar grow with the output like its labels
(1080p → 4K: twice as tall)."""

import numpy as np
import pytest
from PySide6.QtGui import QImage

from hygis.present.slides import Slide
from hygis.project import Project
from hygis.ui.slide_render import render_map_image

EXTENT = (120.0, 30.0, 120.4, 30.3)


@pytest.fixture(autouse=True)
def app(qapp):
    return qapp


def _dark(image: QImage, x0: float, x1: float, y0: float, y1: float) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    h, w = image.height(), image.width()
    box = arr[int(h * y0): int(h * y1), int(w * x0): int(w * x1), :3].max(axis=2)
    return box < 80


def _height(mask: np.ndarray) -> int:
    rows = np.nonzero(mask.any(axis=1))[0]
    return int(rows.max() - rows.min() + 1) if len(rows) else 0


def _width(mask: np.ndarray) -> int:
    cols = np.nonzero(mask.any(axis=0))[0]
    return int(cols.max() - cols.min() + 1) if len(cols) else 0


def _slide_map(width, height, page_height):
    project = Project("空")
    project.show_basemap = False
    slide = Slide(number=1, count=1, name="s", title="t", subtitle="", extent=EXTENT)
    return render_map_image(project, slide, (width, height), page_height=page_height)


def test_north_arrow_and_scale_bar_scale_with_the_slide():
    small = _slide_map(1380, 820, 1080)
    big = _slide_map(2760, 1640, 2160)
    arrow_small = _dark(small, 0.8, 1.0, 0.0, 0.3)       # top-right corner: the north arrow and its N
    arrow_big = _dark(big, 0.8, 1.0, 0.0, 0.3)
    assert _height(arrow_small) >= 40
    assert _height(arrow_big) == pytest.approx(2 * _height(arrow_small), abs=4)
    bar_small = _dark(small, 0.0, 0.4, 0.75, 1.0)         # bottom-left corner: the scale bar
    bar_big = _dark(big, 0.0, 0.4, 0.75, 1.0)
    assert _height(bar_big) == pytest.approx(2 * _height(bar_small), rel=0.15)  # text hinting: ±15 %
    assert _width(bar_big) == pytest.approx(2 * _width(bar_small), rel=0.25)
