"""Error messages of the layers below the UI in the user's language.

HygisError messages are templates with named fields (hygis.core.text.Label, the mechanism of the undo
labels); the desktop app translates them through hygis/i18n/zh_CN.json (context "Error") and fills in
the same file names, counts and reasons; the CLI prints the English line.  Each class of refusal a
user meets is triggered here through the GUI in Chinese: opening a file that is not a project, a
project missing a layer's table, saving over a read-only file and onto a full disk, importing text in
an unknown encoding, exporting over a read-only file, a typed target that is not a number, a team
database that does not answer.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from PySide6.QtWidgets import QApplication

from hygis.project.fileformat import save_project
from hygis.ui import fileops
from hygis.ui.i18n import install_translator
from tests.ui.fixtures_window import isolated_settings, main_window, small_project  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = json.loads((ROOT / "hygis" / "i18n" / "zh_CN.json").read_text(encoding="utf-8"))["Error"]
CJK = re.compile(r"[\u4e00-\u9fff]")
ERRORS = {"HygisError", "LockTimeout", "ChangedOnDisk", "WriteRefused"}


def _covered(rel: str) -> bool:
    """Modules whose messages reach the desktop app: files, projects, imports/exports, analyses, team
    layers and the UI itself (hygis/ui/render is the CLI's render path: English)."""
    if rel.startswith("hygis/ui/render/"):
        return False
    return rel.startswith(("hygis/io/", "hygis/db/", "hygis/ui/", "hygis/analysis/", "hygis/layers/", "hygis/geo/",
                           "hygis/present/", "hygis/project/")) or rel in {
        "hygis/core/atomic.py", "hygis/project/fileread.py", "hygis/project/fileformat.py",
        "hygis/project/writing.py", "hygis/project/lock.py", "hygis/project/recovery.py",
        "hygis/project/model.py", "hygis/project/layerlist.py"}


def _modules():
    for path in sorted((ROOT / "hygis").rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        if _covered(rel):
            yield rel, path.read_text(encoding="utf-8")


def _templates() -> dict[str, str]:
    """Every literal message given to a HygisError, and every Label (reasons, hints) in those modules."""
    found = {}
    for rel, text in _modules():
        # Labels of commands.py are undo texts (context "Command", tests/ui/test_undo_labels.py)
        labels = re.search(r"from hygis\.core\.text import [^\n]*\bLabel\b", text) is not None \
            and rel != "hygis/project/commands.py"
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Call) and node.args:
                name = getattr(node.func, "id", None)
                if name in ERRORS or (name == "Label" and labels):
                    arg = node.args[0]
                    for const in ((arg.body, arg.orelse) if isinstance(arg, ast.IfExp) else (arg,)):
                        if isinstance(const, ast.Constant) and isinstance(const.value, str):
                            found[const.value] = rel
    return found


def test_every_error_template_has_a_chinese_entry_with_its_fields():
    templates = _templates()
    assert len(templates) >= 250
    missing = sorted(f"{f}: {t}" for t, f in templates.items() if t not in CATALOGUE)
    assert missing == []
    fields = re.compile(r"\{[^{}]*\}")
    for src, zh in CATALOGUE.items():
        assert sorted(fields.findall(src)) == sorted(fields.findall(zh)), src
        assert CJK.search(zh) or not re.search(r"[A-Za-z]", fields.sub("", src)), src  # '{file}: {reason}' keeps its form


def test_no_error_message_is_built_as_english_text():
    """A message written as an f-string (or 'a' + b) stays English in Chinese: all are templates."""
    offenders = []
    for rel, text in _modules():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ERRORS and node.args:
                arg = node.args[0]
                if isinstance(arg, (ast.JoinedStr, ast.BinOp)) or (
                        isinstance(arg, ast.Call) and getattr(arg.func, "attr", None) == "format"):
                    offenders.append(f"{rel}:{node.lineno}")
    assert offenders == []


def test_the_cli_stays_english_and_one_line(tmp_path):
    bad = tmp_path / "笔记.hygis"
    bad.write_text("not a project", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "hygis", "info", str(bad)], capture_output=True, text=True,
                          env={**os.environ, "LANG": "zh_CN.UTF-8"}, timeout=120)
    assert done.returncode == 1 and done.stderr.strip() == "hygis: error: 笔记.hygis is not a hygis project (not a GeoPackage)"


# -- through the GUI, in Chinese -------------------------------------------------------------------------
@pytest.fixture
def zh_window(main_window):
    install_translator(QApplication.instance(), "zh_CN")
    return main_window


def _dialog_text(window) -> str:
    dialog = window.last_error_dialog
    assert dialog is not None and dialog.isVisible()
    text = dialog.message
    dialog.close()
    window.last_error_dialog = None
    return text


def test_open_refusals_in_chinese(zh_window, tmp_path):
    w = zh_window
    bad = tmp_path / "规划底图.hygis"
    bad.write_bytes(b"PK\x03\x04 a zip, not a project")
    assert not fileops.open_path(w, bad)
    assert _dialog_text(w) == "规划底图.hygis 不是 hygis 项目（不是 GeoPackage）"

    project_path = save_project(w.project, tmp_path / "缺图层.hygis")  # a layer's table dropped by another tool
    table = w.project.layers[1].table if hasattr(w.project.layers[1], "table") else None
    with sqlite3.connect(project_path) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")]
        victim = table or tables[-1]
        con.execute(f'DROP TABLE "{victim}"')
        con.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (victim,))
    assert not fileops.open_path(w, project_path)
    text = _dialog_text(w)
    assert text.startswith("缺图层.hygis：") and "文件中没有图层“" in text and "”的数据表" in text, text


def test_save_refusals_in_chinese(zh_window, tmp_path, tiny_disk):
    w = zh_window
    locked_dir = tmp_path / "只读"
    locked_dir.mkdir()
    target = locked_dir / "方案.hygis"
    if os.geteuid() == 0:  # root writes anywhere: a read-only bind mount is what refuses root
        done = subprocess.run(["mount", "--bind", "-o", "ro", str(locked_dir), str(locked_dir)], capture_output=True)
        if done.returncode != 0:
            pytest.skip("cannot make a read-only folder for root")
    else:
        locked_dir.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        assert not fileops.save_to(w, target)
        assert _dialog_text(w) == f"无法保存：{target} 为只读"
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", str(locked_dir)], capture_output=True)
        else:
            locked_dir.chmod(0o755)

    full = tiny_disk / "满盘.hygis"
    filler = tiny_disk / "filler.bin"
    filler.write_bytes(b"\0" * (480 * 1024))  # 32 KiB left: a GeoPackage does not fit
    assert not fileops.save_to(w, full)
    assert _dialog_text(w) == "无法保存 满盘.hygis：磁盘已满。原有文件未改变。"
    assert not full.exists()


def _latin1_shapefile(tmp_path) -> Path:
    frame = gpd.GeoDataFrame({"nome": ["São João da Madeira", "INFORMAÇÕES ÚTEIS", "Ação Social"]},
                             geometry=[shapely.Point(120.1, 30.2), shapely.Point(120.2, 30.3),
                                       shapely.Point(120.3, 30.1)], crs=4326)
    path = tmp_path / "municipios.shp"
    pyogrio.write_dataframe(frame, path, encoding="latin1")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    return path


def test_import_encoding_refusal_in_chinese(zh_window, tmp_path, qtbot):
    from hygis.ui.import_dialog import ImportDialog

    dialog = ImportDialog(_latin1_shapefile(tmp_path), parent=zh_window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.preview["encoding_detected"] is None
    info = dialog.info_label.text()
    # the reason is built from pieces (no .cpg; not UTF-8 nor GBK; accents inside words): all Chinese
    assert "没有 .cpg 文件，也没有 DBF 代码页；文本既不是 UTF-8，也不是 GBK/GB18030 中文" in info, info
    assert not re.search(r"\b(the|text|words|neither)\b", info), info
    dialog.accept()  # refused: the text would be imported garbled
    assert dialog.layers == [] and dialog.error_label.text() == "文字将以乱码导入：请先选择正确的编码"
    dialog.grab().save(str(tmp_path / "import_zh.png"))


def test_export_refusal_in_chinese(zh_window, tmp_path, qtbot):
    from hygis.ui.export_dialog import ExportDialog

    w = zh_window
    target = tmp_path / "飞地导出.gpkg"
    target.write_bytes(b"old")
    target.chmod(0o444)
    dialog = ExportDialog(w.project, w.project.layers[1], parent=w)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(".gpkg"))
    dialog.path_edit.setText(str(target))
    dialog.accept()
    assert dialog.error_label.text() == ("无法导出到 飞地导出.gpkg：飞地导出.gpkg 为只读；文件未改变（请将其设为可写或换一个名称）")
    assert target.read_bytes() == b"old"


def test_analysis_value_refusal_in_chinese(zh_window, qtbot):
    from PySide6.QtCore import Qt

    from hygis.project.targets import PlanTarget
    from hygis.ui.analysis.targets_dashboard import COLUMNS, TargetsDashboard

    w = zh_window
    w.project.set_targets([PlanTarget("gdp_total", "地区生产总值", "GDP", "亿元", target=43000.0)])
    panel = TargetsDashboard(w.project, None)
    qtbot.addWidget(panel)
    panel.show()
    cell = panel.model.index(0, COLUMNS.index("target"))
    assert not panel.model.setData(cell, "四万五", Qt.ItemDataRole.EditRole)
    qtbot.waitUntil(lambda: "“四万五”不是数字" in panel.status.text(), timeout=5000)


def test_team_database_refusal_in_chinese(zh_window, qtbot):
    pytest.importorskip("psycopg")
    from hygis.ui.db.team_dialog import TeamDialog

    dialog = TeamDialog(zh_window.project, zh_window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.url_edit.setText("postgresql://planner@127.0.0.1:1/plan")
    assert not dialog.connect_db()
    assert dialog.message.text() == ("无法连接 postgresql://planner@127.0.0.1:1/plan：连接被拒绝："
                                     "127.0.0.1 的 1 端口没有数据库服务器应答")
    install_translator(QApplication.instance(), "en")
    assert not dialog.connect_db()
    assert dialog.message.text() == ("Cannot connect to postgresql://planner@127.0.0.1:1/plan: connection refused: "
                                     "no database server answers at 127.0.0.1 port 1")


def test_attribute_and_filter_refusals_in_chinese(zh_window, qtbot):
    """A typed value the field's type refuses, a filter naming an unknown field: Chinese, with the
    field's Chinese label and the feature."""
    from hygis.ui.attribute_table import AttributeTable

    w = zh_window
    enclaves = w.project.layers[1]
    table = AttributeTable(w.project)
    qtbot.addWidget(table)
    table.set_layer(enclaves)
    model = table.model
    fid = model.fid(0)
    year = model.index(0, model.columns.index("year_opened"))
    assert not model.setData(year, "明年")
    text = table.message_label.text()
    assert f"第 {fid} 个要素：字段“设立年份”：“明年”不是有效的整数" in text, text
    assert not re.search(r"[A-Za-z]{4,}", text.replace("year_opened", "")), text
    table.mode_combo.setCurrentIndex(table.mode_combo.findData("expression"))
    table.filter_edit.setText("不存在的字段 > 3")
    table.apply_filter()
    text = table.message_label.text()
    assert text.startswith("筛选条件引用了未知字段“不存在的字段”（字段："), text
    table.filter_edit.setText("year_opened >")
    table.apply_filter()
    text = table.message_label.text()
    assert text == "无法理解筛选条件：year_opened >（此处应为字段、数字或 '文本'（在末尾））", text


def test_attribute_form_refusal_in_chinese_points_at_the_field(zh_window, qtbot):
    w = zh_window
    layer = w.project.layers[1]
    w.layer_panel.set_current_layer(layer)
    w.editing.act_toggle_edit.trigger()
    layer.selection = {int(layer.data.index[2])}
    w.editing.act_edit_attributes.trigger()
    form = w.editing.controller.form
    qtbot.addWidget(form)
    form.set_value("year_opened", "明年")
    form.accept()
    assert form.isVisible() and form.error_label.text() == "设立年份 — 字段“设立年份”：“明年”不是有效的整数"
    assert form.focusWidget() is form.editors["year_opened"]
    form.reject()


def test_what_an_export_or_import_changed_is_reported_in_chinese(zh_window, tmp_path, qtbot):
    """The status bar notes of an export that cut field names, and of an import that renamed a field."""
    from hygis.ui.export_dialog import ExportDialog

    w = zh_window
    dialog = ExportDialog(w.project, w.project.layers[1], parent=w)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(".shp"))
    dialog.path_edit.setText(str(tmp_path / "飞地.shp"))
    dialog.accept()  # refused first: the names would be cut
    assert dialog.error_label.text().startswith("飞地：Shapefile 会截断超过 10 字节的字段名：")
    dialog.allow_truncate.setChecked(True)
    dialog.accept()
    assert dialog.written.exists()
    note = w.statusBar().currentMessage()
    assert note.startswith("Shapefile 字段名截为 10 字节：") and "enclave_type → enclave_ty" in note, note

    source = tmp_path / "带fid.geojson"
    gdf = gpd.GeoDataFrame({"fid": [7, 8], "名称": ["甲", "乙"]},
                           geometry=[shapely.Point(120.1, 30.2), shapely.Point(120.2, 30.3)], crs=4326)
    gdf.to_file(source, driver="GeoJSON")
    from hygis.io import load_layers

    [layer] = load_layers(source)
    fileops.add_layers(w, [layer])  # what Add Layer does with what the import dialog read
    note = w.statusBar().currentMessage()
    assert "字段“fid”已改名为“fid_src”（GeoPackage 保留的名称）" in note, note
