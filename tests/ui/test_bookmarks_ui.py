"""View ▸ Bookmarks: save the view, zoom back to it, rename/delete in the dialog, undo — in en and zh_CN."""

import pytest
from PySide6.QtWidgets import QApplication

from hygis.project.fileformat import open_project, save_project
from tests.ui.fixtures_window import isolated_settings, main_window, small_project  # noqa: F401 (fixtures)


def test_bookmarks_menu_saves_zooms_and_is_undoable(main_window, qtbot, tmp_path):
    w = main_window
    acts = w.bookmarks
    w.canvas.set_extent((120.10, 30.20, 120.18, 30.27))
    west_lake_view = w.canvas.view()
    assert acts.new_bookmark("西湖")
    w.canvas.set_extent((121.80, 29.85, 122.10, 30.05))
    assert acts.new_bookmark("北仑港区")
    assert [a.text() for a in acts.zoom_actions] == ["西湖", "北仑港区"]
    assert w.act_undo.text() == "&Undo Bookmark 北仑港区"
    acts.zoom_actions[0].trigger()
    # the view comes back as it was saved: the same map extent, to a micrometre (not ~10 m off)
    assert max(abs(a - b) for a, b in zip(w.canvas.view().bounds, west_lake_view.bounds)) < 1e-6
    assert w.project.bookmarks[0].extent == w.canvas.map_extent()
    w.project.undo()
    assert [a.text() for a in acts.zoom_actions] == ["西湖"]
    w.project.redo()
    dialog = acts.open_dialog()
    qtbot.addWidget(dialog)
    assert dialog.names() == ["西湖", "北仑港区"]
    dialog.select("北仑港区")
    assert dialog.rename("宁波舟山港")
    assert dialog.names() == ["西湖", "宁波舟山港"] and [a.text() for a in acts.zoom_actions] == ["西湖", "宁波舟山港"]
    assert dialog.current_name() == "宁波舟山港"
    assert not dialog.rename("西湖")  # a name in use: refused and said, nothing changed
    assert "exists already" in w.last_error_dialog.message
    w.last_error_dialog.close()
    assert dialog.names() == ["西湖", "宁波舟山港"]
    dialog.select("西湖")
    assert dialog.delete() and dialog.names() == ["宁波舟山港"]
    w.project.undo()
    assert dialog.names() == ["西湖", "宁波舟山港"]
    dialog.grab().save(str(tmp_path / "bookmarks_en.png"))
    path = save_project(w.project, tmp_path / "b.hygis")
    assert [b.name for b in open_project(path).bookmarks] == ["西湖", "宁波舟山港"]
    # saved, reopened, zoomed to, saved again — five times: the extent never moves
    zoomed = None
    for _ in range(5):
        w.set_project(open_project(path))
        assert acts.zoom_to("西湖")
        zoomed = zoomed or w.canvas.view()
        assert w.canvas.view() == zoomed and w.canvas.map_extent() == w.project.bookmarks[0].extent
        assert acts.new_bookmark("西湖")
        path = save_project(w.project, path)
    assert max(abs(a - b) for a, b in zip(zoomed.bounds, west_lake_view.bounds)) < 1e-6
    from hygis.ui.i18n import install_translator

    install_translator(QApplication.instance(), "zh_CN")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "空间书签", timeout=3000)
    assert acts.menu.title() == "书签(&B)" and acts.act_new.text() == "新建书签(&N)…"
    assert dialog.zoom_button.text() == "缩放到(&Z)"
    dialog.grab().save(str(tmp_path / "bookmarks_zh.png"))
    dialog.close()
