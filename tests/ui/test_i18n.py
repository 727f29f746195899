"""Languages: the JSON translator, language choice, and a complete zh_CN catalogue for the window's strings."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from hygis.ui import i18n
from hygis.ui.i18n import JsonTranslator, install_translator, normalize_language, resolve_language

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "hygis" / "i18n" / "zh_CN.json"
MODULES = ["mainwindow", "layer_panel", "legend", "style_dialog", "identify", "statusbar", "settings", "fileops"]


def _literal_tr_calls() -> set[tuple[str, str]]:
    """(context, source) of every ``self.tr("…")`` (class name) and ``_tr("…")`` (MainWindow) literal."""
    found = set()
    for name in MODULES:
        tree = ast.parse((ROOT / "hygis" / "ui" / f"{name}.py").read_text(encoding="utf-8"))
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            for node in ast.walk(cls):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "tr"
                        and node.args and isinstance(node.args[0], ast.Constant)):
                    found.add((cls.name, node.args[0].value))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_tr"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found.add(("MainWindow", node.args[0].value))
    return found


def _table_texts() -> set[tuple[str, str]]:
    from hygis.ui import mainwindow, style_dialog

    texts = {("MainWindow", t) for _, t, _, _ in mainwindow.ACTIONS} | {("MainWindow", t) for _, t in mainwindow.MENUS}
    texts |= {("MainWindow", t) for t in ("Layers", "Legend", "Identify Results")}
    for table in (style_dialog._FORM_TEXT, style_dialog._MODE_TEXT, style_dialog._DASH_TEXT, style_dialog._HATCH_TEXT, style_dialog._MARKER_TEXT):
        texts |= {("StyleDialog", t) for t in table.values()}
    return texts


def test_catalogue_translates_every_window_string():
    catalogue = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    wanted = _literal_tr_calls() | _table_texts()
    assert len(wanted) > 110
    missing = sorted(f"{ctx}: {src}" for ctx, src in wanted if not catalogue.get(ctx, {}).get(src))
    assert missing == []


def test_translations_keep_placeholders_and_mnemonics():
    catalogue = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    for ctx in ("MainWindow", "LayerListModel", "LayerPanel", "StyleDialog", "IdentifyPanel", "MapStatusBar"):
        for src, zh in catalogue[ctx].items():
            assert set(re.findall(r"\{[^}]*\}", src)) == set(re.findall(r"\{[^}]*\}", zh)), (ctx, src)
            assert ("&" in src.replace("&&", "")) == ("&" in zh.replace("&&", "")), (ctx, src)
            assert re.search(r"[\u4e00-\u9fff]", zh) or not re.search(r"[a-z]{3}", src), (ctx, src)


def test_json_translator_answers_from_catalogue_and_falls_back(qapp):
    translator = JsonTranslator({"Ctx": {"File": "文件"}})
    app = QApplication.instance()
    app.installTranslator(translator)
    try:
        assert QCoreApplication.translate("Ctx", "File") == "文件"
        assert QCoreApplication.translate("Ctx", "Edit") == "Edit"
        assert QCoreApplication.translate("Other", "File") == "File"
    finally:
        app.removeTranslator(translator)


@pytest.mark.parametrize("value, expected", [("zh", "zh_CN"), ("zh-Hans", "zh_CN"), ("zh_TW", "zh_CN"),
                                             ("en_US", "en"), ("fr", None), (None, None)])
def test_normalize_language(value, expected):
    assert normalize_language(value) == expected


def test_language_preference_beats_cli_beats_system(monkeypatch):
    monkeypatch.setattr(i18n, "system_language", lambda: "zh_CN")
    assert resolve_language("en", "zh_CN") == "en"
    assert resolve_language(None, "en") == "en"
    assert resolve_language(None, None) == "zh_CN"


def test_install_translator_switches_and_reports_language(qapp):
    app = QApplication.instance()
    try:
        assert install_translator(app, "zh") == "zh_CN" and i18n.current_language() == "zh_CN"
        assert QCoreApplication.translate("MainWindow", "&File") == "文件(&F)"
    finally:
        assert install_translator(app, "en") == "en"
    assert QCoreApplication.translate("MainWindow", "&File") == "&File"


def test_undo_history_follows_the_language(qtbot):
    from PySide6.QtWidgets import QApplication

    from hygis.ui.i18n import install_translator
    from hygis.ui.undo_view import UndoHistory

    panel = UndoHistory()
    qtbot.addWidget(panel)
    assert panel.view.emptyLabel() == "<opened project>"
    install_translator(QApplication.instance(), "zh_CN")
    qtbot.waitUntil(lambda: panel.view.emptyLabel() == "<打开时的项目>", timeout=2000)
    install_translator(QApplication.instance(), "en")
    qtbot.waitUntil(lambda: panel.view.emptyLabel() == "<opened project>", timeout=2000)
