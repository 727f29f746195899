"""The main window: open/save, dirty title, undo labels, status bar, identify, language switch, drops."""

from __future__ import annotations

from types import SimpleNamespace

import geopandas as gpd
import pytest
import shapely
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from hygis.geo import crs as hcrs
from hygis.project.commands import ChangeGeometry, SetLayerProperty
from hygis.project import Project
from hygis.ui.i18n import install_translator
from hygis.project.fileformat import save_project
from tests.ui.fixtures_window import (gbk_shapefile, isolated_settings, main_window, make_small_project,  # noqa: F401
                                     small_project)


def test_window_shows_project_layers_title_and_menus(main_window):
    w = main_window
    assert w.windowTitle() == "测试项目 — hygis"
    assert [a.text() for a in w.menuBar().actions()] == ["&File", "&Edit", "&View", "&Layer", "&Analysis", "&Help"]
    assert w.layer_panel.model.rowCount() == 2
    assert w.project.history is w.history and w.history.undo_stack.count() == 0
    assert not w.act_undo.isEnabled()


def test_title_marks_unsaved_changes_and_save_clears_it(main_window, tmp_path):
    w = main_window
    corridor = w.project.layers["科创走廊"]
    w.project.execute(SetLayerProperty(corridor, "opacity", 0.5))
    assert w.windowTitle() == "测试项目 * — hygis"
    assert w.act_undo.text() == "&Undo Change opacity of 科创走廊" and w.act_undo.isEnabled()
    w.act_undo.trigger()
    assert corridor.opacity == 1.0 and w.windowTitle() == "测试项目 — hygis"
    assert w.act_redo.isEnabled()
    w.act_redo.trigger()
    assert corridor.opacity == 0.5 and "*" in w.windowTitle()
    from hygis.ui import fileops

    assert fileops.save_to(w, tmp_path / "p.hygis")
    assert w.windowTitle() == "测试项目 (p.hygis) — hygis"
    assert w.settings.recent_files()[0] == str((tmp_path / "p.hygis").resolve())


def test_open_project_from_file_and_recent_menu(main_window, tmp_path):
    path = tmp_path / "small.hygis"
    other = make_small_project()
    other.title = "另一个项目"
    save_project(other, path)
    assert main_window.open_project(path)
    w = main_window
    assert w.project.title == "另一个项目" and w.project.history is w.history
    assert [w.layer_panel.model.data(w.layer_panel.model.index(r, 0)) for r in range(2)] == ["飞地  (4)", "科创走廊  (1)"]
    assert [a.text() for a in w.menu_recent.actions()] == [str(path.resolve())]


def test_open_error_is_shown_and_window_stays_usable(main_window, tmp_path):
    bad = tmp_path / "broken.hygis"
    bad.write_bytes(b"not a geopackage")
    before = main_window.project
    assert not main_window.open_project(bad)
    assert main_window.project is before
    assert main_window.last_error_dialog is not None and main_window.last_error_dialog.message
    main_window.last_error_dialog.close()


def test_close_with_unsaved_changes_can_be_cancelled(main_window, monkeypatch):
    from hygis.ui import fileops

    w = main_window
    w.project.execute(SetLayerProperty(w.project.layers[0], "visible", False))
    asked = []
    monkeypatch.setattr(fileops, "ask_save", lambda win: asked.append(1) or QMessageBox.StandardButton.Cancel)
    assert not w.close()
    assert asked and w.isVisible()


def test_geometry_drag_merges_into_one_undo_step(main_window):
    w = main_window
    enclaves = w.project.layers["飞地"]
    for dx in (0.01, 0.02, 0.03):
        w.project.execute(ChangeGeometry(enclaves, 0, shapely.Point(120 + dx, 30), mergeable=True))
    assert w.history.undo_stack.count() == 1
    w.project.undo()
    assert enclaves.data.geometry.loc[0].equals(shapely.Point(120, 30))


def test_status_bar_shows_lonlat_and_gauss_kruger_metres(main_window):
    w = main_window
    w.canvas.cursorMoved.emit(121.55, 29.875)
    assert w.status.lonlat_label.text() == "Lon 121.55000°E  Lat 29.87500°N"
    zone, east, north = hcrs.gauss_kruger_3deg(121.55, 29.875)
    assert zone == 41 and 41_300_000 < east < 41_400_000
    assert w.status.gk_label.text() == f"GK zone 41: X {east:,.0f}  Y {north:,.0f} m"
    w.canvas.scaleChanged.emit(250000.0)
    assert w.status.scale_label.text() == "Scale 1:250,000"
    assert "EPSG:4549" in w.status.crs_label.text()


def test_identify_panel_shows_clicked_feature_and_selects_it(main_window):
    w = main_window
    enclaves = w.project.layers["飞地"]
    w.canvas.featureClicked.emit(enclaves.id, 1)
    panel = w.identify_panel
    assert panel.value_of("Name") == "飞地1"
    assert panel.value_of("Host city") == "宁波市"
    assert panel.value_of("Year opened") == "2016"
    assert enclaves.selection == {1}
    assert "飞地 · feature 1" in panel.header.text()
    assert w.dock_identify.isVisible()


def test_language_switch_changes_menus_docks_and_field_labels(main_window, qtbot):
    w = main_window
    app = QApplication.instance()
    enclaves = w.project.layers["飞地"]
    w.canvas.featureClicked.emit(enclaves.id, 0)
    install_translator(app, "zh_CN")
    qtbot.waitUntil(lambda: w.menu_file.title() == "文件(&F)")
    assert w.menu_view.title() == "视图(&V)" and w.act_zoom_in.text() == "放大(&I)"
    assert w.dock_layers.windowTitle() == "图层"
    assert w.identify_panel.value_of("名称") == "飞地0"
    assert w.status.lonlat_label.text().startswith("经度")
    install_translator(app, "en")
    qtbot.waitUntil(lambda: w.menu_file.title() == "&File")
    assert w.dock_layers.windowTitle() == "Layers"


def drop(window, *paths) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)


@pytest.fixture
def import_hook(monkeypatch):
    """Replaces the modal import dialog: records each dialog, then accepts (or cancels) it."""
    from hygis.ui import fileops

    hook = SimpleNamespace(dialogs=[], accept=True)

    def run(dialog):
        hook.dialogs.append(dialog)
        headers = [dialog.table.horizontalHeaderItem(c).text() for c in range(dialog.table.columnCount())]
        hook.preview = {h: dialog.table.item(0, c).text() for c, h in enumerate(headers)}
        hook.mojibake_warning = not dialog.warning_label.isHidden()
        dialog.accept() if hook.accept else dialog.reject()
        return dialog.result() == 1

    monkeypatch.setattr(fileops, "run_import_dialog", run)
    return hook


def test_dropping_a_gbk_shapefile_goes_through_the_import_dialog(main_window, tmp_path, import_hook, qtbot):
    w = main_window
    drop(w, gbk_shapefile(tmp_path))
    qtbot.waitUntil(lambda: len(w.project.layers) == 3)      # the dialog opens after the drop returns
    (dialog,) = import_hook.dialogs
    assert dialog.preview["encoding_detected"] == "gbk" and not import_hook.mojibake_warning
    assert import_hook.preview["名称"] == "西湖区"              # what the user saw before importing
    layer = w.project.layers[-1]
    assert layer.name == "区县" and layer.data["名称"].tolist() == ["西湖区", "鄞州区"]
    assert layer.data["城市"].tolist() == ["杭州市", "宁波市"]
    assert "*" in w.windowTitle()
    w.project.undo()
    assert len(w.project.layers) == 2


def test_cancelling_the_import_dialog_adds_nothing(main_window, tmp_path, import_hook, qtbot):
    w = main_window
    import_hook.accept = False
    drop(w, gbk_shapefile(tmp_path))
    qtbot.waitUntil(lambda: len(import_hook.dialogs) == 1)
    qtbot.wait(10)
    assert len(w.project.layers) == 2 and not w.project.dirty and not w.history.can_undo()


def test_add_layer_reads_rasters_directly_and_vectors_through_the_dialog(main_window, tmp_path, import_hook):
    from hygis.ui import fileops

    w = main_window
    path = tmp_path / "新区.geojson"
    gpd.GeoDataFrame({"name": ["甲", "乙"]}, geometry=[shapely.box(121, 29.8, 121.2, 30), shapely.box(121.3, 29.8, 121.4, 29.9)],
                     crs=4326).to_file(path, driver="GeoJSON")
    assert fileops.is_raster("dem.TIF") and not fileops.is_raster(path)
    assert fileops.add_layer_files(w, [path]) == 1 and len(import_hook.dialogs) == 1
    assert w.layer_panel.model.data(w.layer_panel.model.index(0, 0)) == "新区  (2)"
    bad = tmp_path / "broken.geojson"
    bad.write_text("{not json", encoding="utf-8")
    assert fileops.add_layer_files(w, [bad]) == 0             # an error dialog, not an empty import dialog
    assert len(import_hook.dialogs) == 1 and w.last_error_dialog is not None


def test_new_project_replaces_history(main_window):
    from hygis.ui import fileops

    w = main_window
    fileops.new_project(w)
    assert isinstance(w.project, Project) and len(w.project.layers) == 0
    assert w.layer_panel.model.rowCount() == 0 and w.project.history is w.history
    assert w.windowTitle() == "Untitled project — hygis"


def test_undo_view_jump_reports_dirty_state(main_window):
    w = main_window
    seen = []
    w.project.events.dirty.connect(seen.append)
    w.project.execute(SetLayerProperty(w.project.layers[0], "opacity", 0.3))
    w.history.undo_stack.setIndex(0)  # what clicking the first row of a QUndoView does
    assert w.project.layers[0].opacity == 1.0
    assert seen[0] is True and seen[-1] is False and not w.project.dirty
    assert w.windowTitle() == "测试项目 — hygis"


def test_preferences_store_language_and_switch_at_once(main_window, qtbot, monkeypatch):
    from hygis.ui import mainwindow
    from hygis.ui.settings import PreferencesDialog

    def choose_chinese(dialog):
        dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("zh_CN"))
        dialog.accept()
        return True

    monkeypatch.setattr(PreferencesDialog, "exec", choose_chinese)
    assert mainwindow.PreferencesDialog is PreferencesDialog
    main_window.show_preferences()
    assert main_window.settings.language() == "zh_CN"
    qtbot.waitUntil(lambda: main_window.menu_file.title() == "文件(&F)")


def test_export_map_image_writes_the_view(main_window, tmp_path):
    from PySide6.QtGui import QImage

    from hygis.ui import fileops

    out = tmp_path / "地图.png"
    assert fileops.export_image(main_window, out, size=(640, 400))
    img = QImage(str(out))
    assert (img.width(), img.height()) == (640, 400)


def test_recent_files_are_unique_newest_first_and_capped(isolated_settings, tmp_path):
    for i in range(12):
        isolated_settings.add_recent(tmp_path / f"p{i}.hygis")
    isolated_settings.add_recent(tmp_path / "p5.hygis")
    files = isolated_settings.recent_files()
    assert len(files) == 10 and files[0].endswith("p5.hygis") and files[1].endswith("p11.hygis")
    assert len(set(files)) == 10


def test_ui_font_has_chinese_glyphs(qapp):
    from PySide6.QtGui import QFontMetrics

    from hygis.ui.app import ensure_cjk_font

    ensure_cjk_font(QApplication.instance())
    metrics = QFontMetrics(QApplication.instance().font())
    assert all(metrics.inFontUcs4(ord(ch)) for ch in "杭州宁波飞地")


def test_fast_canvas_pipelines_equal_proj_choice():
    """hcrs.transformer's explicit pipelines (fast start-up) give PROJ's own numbers."""
    import numpy as np
    from pyproj import CRS, Transformer

    lon, lat = np.meshgrid(np.linspace(110, 130, 21), np.linspace(20, 40, 21))
    for src, dst in hcrs._FAST_PIPELINES:
        reference = Transformer.from_crs(CRS(src), CRS(dst), always_xy=True)
        x, y = (lon, lat) if src == hcrs.WGS84 else hcrs.transformer(hcrs.WGS84, src).transform(lon, lat)
        np.testing.assert_allclose(hcrs.transformer(src, dst).transform(x, y), reference.transform(x, y),
                                   rtol=0, atol=1e-9)
