"""README screenshots of layouts, tiles and decks, and a check gallery of issue 15's daily-use polish,
in Chinese and English, from the sample project.

    xvfb-run -a -s "-screen 0 1600x1000x24" python tools/screenshots_present.py [--check-dir DIR]

README (``docs/screenshots/``): ``tiles_zh/en`` (the window over a local MBTiles pack drawn in GCJ-02
like 高德 tiles, tools/build_demo_tiles.py), ``layout_dialog_zh/en``, ``layout_a3`` (the README's
``hygis layout`` example, PDF rasterised with pdftoppm), ``layout_a4_tiles`` (A4 over the tile pack),
``slide_1..3`` (``hygis slides --png-dir``) and ``deck_pptx`` (the .pptx converted by LibreOffice).
Real 天地图/高德/百度 servers are not used: the tiles come from a local pack.

Check gallery (``--check-dir``, default ``/tmp/hygis-polish``): one PNG per daily-use item and
language — import dialog, attribute table, compare view, docks at the default size, Qt's own
dialogs, edit mode in the layer list, the layer context menu, filter editor, Export Map Image,
zoom-to-layer margin, toolbar at 1280×800, Jenks style, CRS picker, bookmarks, undo history and
the year chart — to be opened and looked at.  ``index.txt`` lists what each file shows.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "sample_projects" / "hangzhou_ningbo.hygis"
OUT = ROOT / "docs" / "screenshots"
CSV = ("名称,所在城市,来源地,类型,经度,纬度\n西湖科创飞地,杭州市,衢州市,研发飞地,120.13,30.26\n"
       "鄞州产业飞地,宁波市,丽水市,工业,121.55,29.82\n余杭产业飞地,杭州市,丽水市,工业,120.30,30.42\n")


def _wait(ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _settle(window, ms: int = 400) -> None:
    _wait(ms)
    for _ in range(200):
        if not window.canvas.is_rendering():
            break
        _wait(50)
    _wait(200)


def _hygis(*args) -> None:
    subprocess.run([sys.executable, "-m", "hygis", *map(str, args)], check=True, cwd=ROOT,
                   env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})


def _pdf_page_png(pdf: Path, out: Path, dpi: int, page: int = 1) -> Path:
    stem = out.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile",
                    str(pdf), str(stem)], check=True)
    return out


def readme_files(tmp: Path, tiles: Path) -> list[Path]:
    """The command-line outputs the README shows: layout pages, slides and the .pptx."""
    written = []
    a3 = tmp / "map.pdf"
    _hygis("layout", SAMPLE, "--paper", "A3", "--orientation", "landscape", "--scale", "250000",
           "--center", "120.95,30.1", "--scenario", "规划 2025", "--title", "杭甬双城记空间格局",
           "--approval-number", "浙S(2024)12号", "--out", a3)
    written.append(_pdf_page_png(a3, OUT / "layout_a3.png", 60))
    a4 = tmp / "a4.pdf"
    _hygis("layout", SAMPLE, "--paper", "A4", "--orientation", "portrait", "--scale", "100000",
           "--center", "120.2,30.25", "--title", "杭州主城区", "--tiles", tiles, "--out", a4)
    written.append(_pdf_page_png(a4, OUT / "layout_a4_tiles.png", 80))
    slides = tmp / "slides"
    _hygis("slides", SAMPLE, "--png-dir", slides)
    for i, png in enumerate(sorted(slides.glob("slide_*.png")), 1):
        written.append(Path(shutil.copy(png, OUT / f"slide_{i}.png")))
    pptx = tmp / "deck.pptx"
    _hygis("slides", SAMPLE, "--out", pptx)
    if shutil.which("soffice"):
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp), str(pptx)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        written.append(_pdf_page_png(tmp / "deck.pdf", OUT / "deck_pptx.png", 72, page=2))
    return written


class Gallery:
    def __init__(self, folder: Path, suffix: str):
        self.folder, self.suffix, self.index, self.failed = folder, suffix, [], []
        folder.mkdir(parents=True, exist_ok=True)

    def save(self, widget, name: str, what: str, readme: bool = False) -> None:
        _wait(200)
        path = (OUT if readme else self.folder) / f"{name}{self.suffix}.png"
        widget.grab().save(str(path))
        self.index.append(f"{path.name}\t{what}")
        print("wrote", path)

    def run(self, name: str, step) -> None:
        try:
            step()
        except Exception:  # noqa: BLE001 (one broken step must not hide the others)
            self.failed.append(name)
            traceback.print_exc()


def window_shots(lang: str, check_dir: Path, tiles: Path, tmp: Path) -> Gallery:
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtWidgets import QApplication, QColorDialog, QFileDialog, QMessageBox

    from hygis.project.fileformat import open_project
    from hygis.ui.i18n import install_translator
    from hygis.ui.mainwindow import MainWindow
    from hygis.ui.settings import Settings

    app = QApplication.instance()
    install_translator(app, lang)
    g = Gallery(check_dir, "_zh" if lang == "zh_CN" else "_en")
    project = open_project(SAMPLE)
    window = MainWindow(project, settings=Settings())
    window.resize(1400, 860)
    window.show()
    _settle(window)

    def tile_basemap():
        window.cartography.set_tiles(str(tiles))
        window.canvas.set_extent((119.9, 29.8, 121.0, 30.45))
        _settle(window, 1500)
        g.save(window, "tiles", "tile basemap (local GCJ-02 MBTiles, shifted to WGS84) under the layers", True)
        window.cartography.set_tiles(None)
        _settle(window)

    def layout_dialog():
        dialog = window.cartography.open_layout_dialog()
        dialog.resize(1100, 760)
        _wait(1500)
        g.save(dialog, "layout_dialog", "print layout dialog with its live preview", True)
        dialog.reject()

    def toolbar_1280():
        window.resize(1280, 800)
        _settle(window)
        g.save(window, "toolbar_1280x800", "window at 1280×800: both toolbars whole")

    def docks():
        panel = window.analysis.show("enclaves")
        panel.recompute()
        for _ in range(200):
            if panel.model.rowCount():
                break
            _wait(50)
        window.analysis.show("targets").recompute()
        _settle(window, 1500)
        g.save(window, "docks_default", "analysis docks at the default size (axes, titles, target names)")
        window.analysis.show("enclaves")
        panel.charts.setCurrentIndex(1)
        _wait(300)
        g.save(panel.charts, "year_chart", "year chart: legend above the plot, never over the dashed lines")
        for dock in window.analysis.docks.values():
            dock.hide()
        window.resize(1400, 860)

    def edit_mode_and_menu():
        layer = project.layers["飞地"]
        window.layer_panel.set_current_layer(layer)
        window.editing.toggle_editing()
        _settle(window)
        g.save(window, "edit_mode", "edit mode marked in the layer list; tools follow the current layer")
        menu = window.layer_panel.context_menu(layer)
        menu.popup(window.layer_panel.mapToGlobal(QPoint(40, 60)))
        _wait(300)
        g.save(menu, "layer_menu", "layer context menu: table, filter, style, export, zoom, properties")
        menu.close()

    def attribute_table():
        window.editing.dock_table.show()
        window.editing.table.set_layer(project.layers["飞地"])
        _wait(500)
        g.save(window.editing.table, "attribute_table", "attribute table: labels, 1-based rows, fitted columns")
        window.editing.dock_table.hide()

    def filter_dialog():
        from hygis.ui.layer_dialogs import FilterDialog

        dialog = FilterDialog(project.layers["飞地"], project, window)
        dialog.show()
        _wait(400)
        g.save(dialog, "filter_dialog", "filter editor: fields, values, operators, live match count")
        dialog.reject()

    def export_image():
        from hygis.ui.export_image_dialog import open_export_image_dialog

        dialog = open_export_image_dialog(window)
        _wait(400)
        g.save(dialog, "export_image", "Export Map Image: size, DPI, title, the canvas extent")
        dialog.reject()

    def zoom_margin():
        window.canvas.zoom_to_layer(project.layers["飞地"])
        _settle(window)
        g.save(window.canvas, "zoom_to_layer", "zoom to layer leaves a margin around the features")

    def style_jenks():
        dialog = window.open_style_dialog(project.layers["飞地"])
        if dialog is not None:
            dialog.mode_combo.setCurrentIndex(dialog.mode_combo.findData("graduated"))
            dialog.field_combo.setCurrentIndex(max(0, dialog.field_combo.findData("year_opened")))
            dialog.method_combo.setCurrentIndex(dialog.method_combo.findData("jenks"))
            dialog.classify()
            _wait(400)
            g.save(dialog, "style_dialog", "style dialog (graduated: quantile, natural breaks (Jenks), equal)")
            dialog.reject()

    def compare():
        window.scenario_actions.compare()
        view = window.scenario_actions.compare_window
        _wait(2500)
        g.save(view, "compare_view", "compare view: both scenarios' extent, equal panes, legends below")
        view.close()

    def import_dialog():
        from hygis.ui.import_dialog import ImportDialog

        path = tmp / "飞地.csv"
        path.write_text(CSV, encoding="utf-8")
        dialog = ImportDialog(path, window, project=project)
        dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("enclave"))
        dialog.show()
        _wait(400)
        g.save(dialog, "import_dialog", "import dialog: mapping grid ≥ 6 rows, value map, constants, lon/lat")
        dialog.reject()

    def qt_dialogs():
        box = QMessageBox(QMessageBox.Icon.Question, "hygis", "?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, window)
        box.show()
        _wait(200)
        g.save(box, "qt_message_box", "Qt's message box buttons in the UI language")
        box.close()
        colours = QColorDialog(window)
        colours.setOption(QColorDialog.ColorDialogOption.DontUseNativeDialog)
        colours.show()
        _wait(300)
        g.save(colours, "qt_colour_dialog", "Qt's colour dialog in the UI language")
        colours.close()
        files = QFileDialog(window, "hygis")
        files.setOption(QFileDialog.Option.DontUseNativeDialog)
        files.show()
        _wait(300)
        g.save(files, "qt_file_dialog", "Qt's file dialog in the UI language")
        files.close()

    def undo_history():
        from hygis.project import bookmarks as bm
        from hygis.project.commands import SetLayerProperty

        project.execute(SetLayerProperty(project.layers["飞地"], "opacity", 0.8))
        project.execute(bm.AddBookmark(project, bm.Bookmark.of_view("西湖", window.canvas.map_extent())))
        window.editing.dock_history.show()
        _wait(300)
        g.save(window.editing.history, "undo_history", "undo history and Edit ▸ Undo in the UI language")
        g.index.append(f"(Edit menu)\t{window.act_undo.text()} | {window.act_redo.text()}")

    for name, step in (("tiles", tile_basemap), ("layout dialog", layout_dialog), ("toolbar", toolbar_1280),
                       ("docks", docks), ("import dialog", import_dialog), ("attribute table", attribute_table),
                       ("filter dialog", filter_dialog), ("export image", export_image), ("zoom margin", zoom_margin),
                       ("style", style_jenks), ("compare", compare), ("qt dialogs", qt_dialogs),
                       ("edit mode", edit_mode_and_menu), ("undo history", undo_history)):
        g.run(name, step)
    project.mark_clean()
    window.close()
    window.canvas.dispose()
    _wait(100)
    return g


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check-dir", default="/tmp/hygis-polish")
    ap.add_argument("--no-readme-files", action="store_true", help="skip the layout/slides/pptx command outputs")
    args = ap.parse_args(argv)
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp(prefix="hygis-shots-"))
    tmp = Path(tempfile.mkdtemp(prefix="hygis-present-"))
    tiles = tmp / "gcj02_demo.mbtiles"
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_demo_tiles.py"), str(tiles), "--zooms", "7-11"],
                   check=True)
    if not args.no_readme_files:
        for path in readme_files(tmp, tiles):
            print("wrote", path)
    from hygis.ui.app import create_app

    app = create_app()  # noqa: F841 (kept alive)
    check_dir = Path(args.check_dir)
    failed, lines = [], []
    for lang in ("zh_CN", "en"):
        g = window_shots(lang, check_dir, tiles, tmp)
        failed += [f"{lang}: {name}" for name in g.failed]
        lines += g.index
    (check_dir / "index.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if failed:
        print("steps that failed:", "; ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
