"""Daily-use map polish seen as a user would: Ctrl+Y redoes, zoom to layer leaves a margin, the exported
image shows the canvas's extent, both toolbars fit 1280×800 in Chinese too."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QToolBar, QToolButton

from hygis.project.commands import SetLayerProperty
from hygis.ui.render.view import bounds_to_map
from tests.ui.fixtures_window import isolated_settings, main_window, small_project  # noqa: F401 (fixtures)


def test_ctrl_y_redoes(main_window, qtbot):
    w = main_window
    layer = w.project.layers[0]
    w.project.execute(SetLayerProperty(layer, "visible", not layer.visible))
    after = layer.visible
    w.project.undo()
    assert layer.visible != after
    w.canvas.setFocus()
    qtbot.keyClick(w.canvas, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert layer.visible == after  # the shortcut reached Redo (no ambiguous second owner)


def test_zoom_to_layer_leaves_a_margin(main_window, qtbot):
    w = main_window
    layer = w.project.layers["科创走廊"]
    w.canvas.zoom_to_layer(layer)
    x0, y0, x1, y1 = bounds_to_map(layer.data.total_bounds)
    vx0, vy0, vx1, vy1 = w.canvas.view().bounds
    width, height = vx1 - vx0, vy1 - vy0
    # the layer is inside the view with room around it on the tighter axis (≥ 3 % of the view)
    gaps = np.array([x0 - vx0, vx1 - x1, y0 - vy0, vy1 - y1]) / np.array([width, width, height, height])
    assert gaps.min() > 0.03, gaps


def test_exported_image_shows_the_canvas_extent(main_window, qtbot, tmp_path):
    w = main_window
    layer = w.project.layers["科创走廊"]
    w.canvas.zoom_to_layer(layer)
    w.canvas.zoom_in()
    qtbot.wait(50)
    w.canvas.render_now()
    shown = w.canvas.render_image(400, round(400 * w.canvas.height() / w.canvas.width()))
    w.act_export_image.trigger()
    dialog = w.export_image_dialog
    dialog.width_spin.setValue(400)
    for check in (dialog.legend_check, dialog.scalebar_check, dialog.north_check):
        check.setChecked(False)
    dialog.title_edit.setText("")
    dialog.path_edit.setText(str(tmp_path / "view.png"))
    dialog.accept()
    out = QImage(str(tmp_path / "view.png")).convertToFormat(QImage.Format.Format_RGB32)
    shown = shown.convertToFormat(QImage.Format.Format_RGB32)
    assert (out.width(), out.height()) == (shown.width(), shown.height())
    # the same map, pixel for pixel (up to antialiasing), and not the map of another extent
    def arr(img):
        return np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), -1, 4)[:, : img.width(), :3].astype(int)

    w.canvas.zoom_full()
    w.canvas.render_now()
    other = w.canvas.render_image(shown.width(), shown.height()).convertToFormat(QImage.Format.Format_RGB32)
    shown.save(str(tmp_path / "shown.png"))
    same = np.abs(arr(out) - arr(shown)).mean()
    different = np.abs(arr(out) - arr(other)).mean()
    assert same < 2.0 and different > 5 * max(same, 1.0), (same, different)


def test_toolbars_fit_1280_by_800_in_chinese(main_window, qtbot):
    from hygis.ui.i18n import install_translator

    w = main_window
    install_translator(QApplication.instance(), "zh_CN")
    qtbot.waitUntil(lambda: w.menu_file.title().startswith("文件"), timeout=3000)
    w.resize(1280, 800)
    qtbot.wait(100)
    for bar in w.findChildren(QToolBar):
        if bar.isVisible():
            ext = bar.findChild(QToolButton, "qt_toolbar_ext_button")
            assert ext is None or not ext.isVisible(), f"{bar.objectName()} overflows in zh_CN"
