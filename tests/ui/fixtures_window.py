"""The one main-window fixture of the UI tests: isolated settings, a small project, cleanup owned here.

Use it from a test module with ``from tests.ui.fixtures_window import main_window, small_project  # noqa: F401``.
"""

from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest
import shapely
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from hygis.project import Project
from tests.factories import corridor_layer, enclave_layer


def make_small_project() -> Project:
    """科创走廊 (1 polygon) under 飞地 (4 points: science/industry alternating)."""
    project = Project("测试项目")
    project.layers.append(corridor_layer())
    project.layers.append(enclave_layer(4))
    project.history.clear()
    return project


@pytest.fixture
def small_project():
    return make_small_project()


@pytest.fixture
def isolated_settings(tmp_path):
    """QSettings write under tmp_path (never the user's real preferences)."""
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    from hygis.ui.settings import Settings

    return Settings()


@pytest.fixture
def main_window(qtbot, isolated_settings, small_project, monkeypatch):
    """A shown MainWindow on ``small_project`` in English; closed, disposed and un-translated afterwards."""
    from hygis.ui import fileops
    from hygis.ui.i18n import install_translator
    from hygis.ui.mainwindow import MainWindow

    install_translator(QApplication.instance(), "en")
    monkeypatch.setattr(fileops, "ask_save", lambda window: QMessageBox.StandardButton.Discard)
    window = MainWindow(small_project, settings=isolated_settings)
    window.resize(1000, 700)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()
    window.canvas.dispose()
    install_translator(QApplication.instance(), "en")
    for widget in QApplication.topLevelWidgets():  # dialogs the test left open
        if widget is not window and widget.isVisible():
            widget.close()
    window.deleteLater()
    qtbot.wait(1)


def gbk_shapefile(tmp_path):
    """A GBK district shapefile without a .cpg, like files from older Chinese tools."""
    frame = gpd.GeoDataFrame({"名称": ["西湖区", "鄞州区"], "城市": ["杭州市", "宁波市"]},
                             geometry=[shapely.box(120.0, 30.1, 120.2, 30.3), shapely.box(121.5, 29.7, 121.7, 29.9)],
                             crs=4326)
    path = tmp_path / "区县.shp"
    pyogrio.write_dataframe(frame, path, encoding="GBK")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    assert not path.with_suffix(".cpg").exists()
    return path
