"""Compare view, daily use: opens on the two scenarios' extents, Esc closes it, two equally wide maps at
any window size, and the legends sit below the maps, never on a feature (en and zh_CN)."""

import numpy as np
import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage

from hygis.ui.compare_view import CompareView
from tests.ui.lang_fixtures import language, shot  # noqa: F401 (fixture)
from tests.ui.scenario_fixtures import EXTENTS, three_scenario_project


def _view(qtbot, size=(1400, 860)):
    view = CompareView(three_scenario_project(), "现状 2020", "愿景 2035", show_basemap=False)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    return view


def _contains(outer, inner, tol=1e-6):
    return (outer[0] <= inner[0] + tol and outer[1] <= inner[1] + tol
            and outer[2] >= inner[2] - tol and outer[3] >= inner[3] - tol)


def test_opens_at_the_scenarios_extent_and_esc_closes(qtbot):
    view = _view(qtbot)
    a, b = EXTENTS["现状 2020"], EXTENTS["愿景 2035"]
    union = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
    shown = view.canvas_a.extent()
    assert _contains(shown, union)
    # not the whole world: the view is at most a little larger than the union (the aspect ratio)
    assert (shown[2] - shown[0]) * (shown[3] - shown[1]) < 4 * (union[2] - union[0]) * (union[3] - union[1])
    assert view.canvas_b.extent() == pytest.approx(shown, abs=1e-6)
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    view.canvas_b.setFocus()
    qtbot.keyClick(view.canvas_b, Qt.Key.Key_Escape)       # Esc from inside a map closes the window
    assert not view.isVisible()


@pytest.mark.parametrize("size", [(900, 600), (1400, 860), (1917, 1000)])
def test_the_two_maps_are_equally_wide(qtbot, size):
    view = _view(qtbot, size)
    view.set_scenarios("现状 2020", "规划 2025")            # titles of different lengths
    view.title_a.setText("一个非常非常非常非常非常非常非常非常非常长的情景标题")
    qtbot.wait(20)
    assert abs(view.canvas_a.width() - view.canvas_b.width()) <= 1
    assert view.canvas_a.width() > size[0] * 0.4


def _feature_mask(image: QImage) -> np.ndarray:
    """Pixels that are not the map background (drawn features)."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    rgb = arr[:, :image.width(), :3].astype(int)
    background = rgb[0, 0]
    return np.abs(rgb - background).sum(axis=2) > 30


def test_the_legend_never_covers_data(qtbot, language):
    view = _view(qtbot)
    qtbot.waitUntil(lambda: view.legend_a.topLevelItemCount() > 0 and view.legend_b.topLevelItemCount() > 0)
    for canvas in (view.canvas_a, view.canvas_b):
        canvas.render_now()
    grab = view.grab().toImage()
    shot(view, f"compare_view_{language}")
    for canvas, legend in ((view.canvas_a, view.legend_a), (view.canvas_b, view.legend_b)):
        map_rect = QRect(canvas.mapTo(view, canvas.rect().topLeft()), canvas.size())
        legend_rect = QRect(legend.mapTo(view, legend.rect().topLeft()), legend.size())
        assert not map_rect.intersects(legend_rect)
        # the map itself draws no legend: its pixels are the same as a render without one
        plain = canvas.render_image(canvas.width(), canvas.height())
        on_screen = grab.copy(map_rect).scaled(plain.width(), plain.height())
        features = _feature_mask(plain)
        assert features.any()
        corner = _feature_mask(on_screen)[:60, :160]                    # where the on-map legend used to be
        assert (corner == features[:60, :160]).mean() > 0.97
    names = [view.legend_a.topLevelItem(i).text(0) for i in range(view.legend_a.topLevelItemCount())]
    assert "飞地" in names and "科创走廊" not in names                # A's scenario hides the corridor
    view.set_mode("swipe")
    assert view.swipe.show_legend is False
