"""File ▸ Print layout, File ▸ Export slides as PowerPoint, View ▸ Tile basemap and Ctrl+Y in the window."""

import pytest
from PySide6.QtGui import QColor, QKeySequence

from hygis.present.layout import Layout
from tests.tilefixtures import make_mbtiles
from tests.ui.fixtures_window import isolated_settings, main_window, small_project  # noqa: F401 (fixtures)

pypdf = pytest.importorskip("pypdf")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


def test_layout_dialog_previews_saves_and_exports(main_window, tmp_path, qtbot):
    w = main_window
    w.cartography.act_layout.trigger()
    dialog = w.cartography.layout_dialog
    assert dialog.isVisible()
    dialog.paper_combo.setCurrentText("A4")
    dialog.orientation_combo.setCurrentIndex(0)  # portrait
    dialog.scale_combo.setCurrentText("1:50,000")
    dialog.title_edit.setText("测试总图")
    dialog.approval_edit.setText("浙S(2024)12号")
    qtbot.waitUntil(lambda: "1:50,000" in dialog.scale_info.text(), timeout=3000)
    image = dialog.preview_image
    assert image.height() / image.width() == pytest.approx(297 / 210, rel=0.02)  # the preview is the page
    layout = dialog.current_layout()
    assert (layout.paper, layout.orientation, layout.scale, layout.title) == ("A4", "portrait", 50_000, "测试总图")
    assert dialog.save_in_project()
    assert [lay.name for lay in w.project.layouts] == [layout.name] and w.project.dirty
    w.project.undo()
    assert w.project.layouts == []
    out = dialog.export("pdf", str(tmp_path / "map.pdf"))
    page = pypdf.PdfReader(out).pages[0]
    assert float(page.mediabox.width) / 72 * 25.4 == pytest.approx(210, abs=0.4)
    assert "1:50,000" in page.extract_text()
    png = dialog.export("png", str(tmp_path / "map.png"))
    assert png.exists()
    dialog.scale_combo.setCurrentText("1:abc")  # bad input: said in the dialog, nothing written
    qtbot.waitUntil(lambda: "scale" in dialog.error_label.text(), timeout=3000)
    assert dialog.export("pdf", str(tmp_path / "bad.pdf")) is None and not (tmp_path / "bad.pdf").exists()
    dialog.reject()
    assert not dialog.isVisible()


def test_layout_dialog_starts_from_the_saved_layout(main_window):
    w = main_window
    w.project.layouts = [Layout(name="总图", paper="A2", scale=100_000, title="已保存")]
    dialog = w.cartography.open_layout_dialog()
    assert dialog.paper_combo.currentText() == "A2" and dialog.title_edit.text() == "已保存"
    assert dialog.current_layout().scale == 100_000
    dialog.reject()


def test_tile_basemap_menu_sets_the_project_source_undoably(main_window, tmp_path, qtbot):
    w = main_window
    mb = make_mbtiles(tmp_path / "t.mbtiles")
    before = w.canvas.render_image(200, 150)
    assert w.cartography.choose_mbtiles(str(mb))
    assert w.project.tile_source == str(mb) and w.cartography.act_tiles_mbtiles.isChecked()
    w.canvas.set_extent((120.1, 30.0, 120.5, 30.3))
    w.canvas.render_now()
    after = w.canvas.render_image(200, 150)
    assert after != before
    w.project.undo()
    assert w.project.tile_source is None and w.cartography.tile_actions["none"].isChecked()
    assert not w.cartography.choose_url("ftp://bad/{z}/{x}/{y}")  # refused, shown, nothing changed
    assert w.project.tile_source is None


def test_tianditu_token_goes_to_the_settings_not_the_project(main_window, tmp_path, isolated_settings):
    w = main_window
    assert w.cartography.ask_token("KEY123")
    assert isolated_settings.tianditu_token() == "KEY123"
    assert w.cartography.set_tiles("tianditu")
    from hygis.project.fileformat import read_project_json, save_project

    path = save_project(w.project, tmp_path / "p.hygis")
    doc = read_project_json(path)
    assert doc["tile_source"] == "tianditu" and "KEY123" not in str(doc)


def test_label_size_setting_and_ctrl_y(main_window, isolated_settings):
    w = main_window
    w.cartography.label_actions[1.5].trigger()
    assert isolated_settings.label_scale() == 1.5
    assert QKeySequence("Ctrl+Y") in w.act_redo.shortcuts()


def test_pptx_export_from_the_menu(main_window, tmp_path):
    w = main_window
    from hygis.project.scenario_commands import AddScenario

    w.project.execute(AddScenario(w.project, "现状", notes="讲稿"))
    out = w.cartography.export_pptx(str(tmp_path / "deck.pptx"))
    import pptx

    deck = pptx.Presentation(str(out))
    assert len(deck.slides) == 1 and deck.slides[0].notes_slide.notes_text_frame.text == "讲稿"


def test_menus_speak_chinese(main_window, qtbot):
    from PySide6.QtWidgets import QApplication

    from hygis.ui.i18n import install_translator

    install_translator(QApplication.instance(), "zh_CN")
    qtbot.waitUntil(lambda: main_window.cartography.act_layout.text() == "打印布局(&P)…")
    assert main_window.cartography.menu_tiles.title() == "瓦片底图(&B)"
    install_translator(QApplication.instance(), "en")
    qtbot.waitUntil(lambda: main_window.cartography.act_layout.text() == "&Print Layout…")
    assert QColor  # noqa: B018
