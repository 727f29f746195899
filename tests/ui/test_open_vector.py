"""Opening a vector file as a project goes through the import dialog (issue 4): preview, encoding, cancel."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtWidgets import QApplication, QFileDialog

from hygis.ui import fileops
from hygis.project.fileformat import save_project
from tests.ui.fixtures_window import gbk_shapefile, isolated_settings, main_window, small_project  # noqa: F401


@pytest.fixture
def import_hook(monkeypatch):
    """Replaces the modal import dialog: records what the user saw, then accepts (or cancels)."""
    hook = SimpleNamespace(dialogs=[], accept=True, previews=[], parent_visible=[])

    def run(dialog):
        hook.dialogs.append(dialog)
        headers = [dialog.table.horizontalHeaderItem(c).text() for c in range(dialog.table.columnCount())]
        hook.previews.append({h: dialog.table.item(0, c).text() for c, h in enumerate(headers)})
        hook.parent_visible.append(dialog.parentWidget() is not None and dialog.parentWidget().isVisible())
        dialog.accept() if hook.accept else dialog.reject()
        return dialog.result() == 1

    monkeypatch.setattr(fileops, "run_import_dialog", run)
    return hook


def test_file_open_of_a_gbk_shapefile_shows_the_dialog_and_opens_a_new_project(main_window, tmp_path, import_hook,
                                                                               monkeypatch):
    w = main_window
    old = w.project
    path = gbk_shapefile(tmp_path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    w.act_open.trigger()                                        # File ▸ Open…
    (dialog,) = import_hook.dialogs
    assert dialog.preview["encoding_detected"] == "gbk" and dialog.warning_label.isHidden()
    assert import_hook.previews[0]["名称"] == "西湖区"           # what the user saw before importing
    assert w.project is not old and w.project.title == "区县"
    assert [layer.name for layer in w.project.layers] == ["区县"]
    layer = w.project.layers[0]
    assert layer.data["名称"].tolist() == ["西湖区", "鄞州区"] and layer.data["城市"].tolist() == ["杭州市", "宁波市"]
    assert not w.project.dirty and not w.history.can_undo()    # opened, not edited
    assert w.windowTitle() == "区县 — hygis"
    assert w.layer_panel.model.data(w.layer_panel.model.index(0, 0)) == "区县  (2)"
    west, south, east, north = w.canvas.extent()                # the view shows both districts
    assert west <= 120.0 and east >= 121.7 and south <= 29.7 and north >= 30.3
    assert [layer.name for layer in old.layers] == ["科创走廊", "飞地"]


def test_cancelling_the_dialog_keeps_the_open_project(main_window, tmp_path, import_hook):
    w = main_window
    old, history = w.project, w.history
    import_hook.accept = False
    assert not w.open_project(gbk_shapefile(tmp_path))
    assert len(import_hook.dialogs) == 1
    assert w.project is old and w.history is history and old.history is history
    assert [layer.name for layer in w.project.layers] == ["科创走廊", "飞地"]
    assert not old.dirty and w.windowTitle() == "测试项目 — hygis"
    assert w.last_error_dialog is None                          # cancelling is not an error


def test_project_files_and_rasters_open_without_the_dialog(main_window, tmp_path, import_hook):
    assert fileops.opens_through_import_dialog("a.SHP") and fileops.opens_through_import_dialog("b.gpkg")
    assert not fileops.opens_through_import_dialog("p.hygis") and not fileops.opens_through_import_dialog("dem.tif")
    path = tmp_path / "p.hygis"
    save_project(main_window.project, path)
    assert main_window.open_project(path) and import_hook.dialogs == []
    assert [layer.name for layer in main_window.project.layers] == ["科创走廊", "飞地"]


def test_start_with_a_shapefile_imports_it_after_the_window_is_shown(qapp, isolated_settings, tmp_path, import_hook,
                                                                     monkeypatch):
    from hygis.ui import app as app_module
    from hygis.ui.i18n import install_translator

    monkeypatch.setenv("HYGIS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv(app_module.ENV_TIMING, raising=False)
    windows, before = [], set(QApplication.topLevelWidgets())  # earlier tests' closed windows may linger

    def fake_exec():
        windows.extend(w for w in QApplication.topLevelWidgets()
                       if w.objectName() == "hygis_main_window" and w not in before)
        return 0

    monkeypatch.setattr(qapp, "exec", fake_exec)
    try:
        assert app_module.run_app(str(gbk_shapefile(tmp_path)), lang="en") == 0
        (window,) = windows
        assert import_hook.parent_visible == [True]             # the dialog came over the shown window
        assert window.project.title == "区县"
        assert window.project.layers[0].data["名称"].tolist() == ["西湖区", "鄞州区"]
    finally:
        for window in windows:
            window.close()
            window.canvas.dispose()
            window.deleteLater()
        install_translator(QApplication.instance(), "en")
