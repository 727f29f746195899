"""Undo/redo texts in the user's language: every command label has a zh_CN translation, the Edit menu
and the undo history show real commands in Chinese, and follow a switch to English and back."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import geopandas as gpd
import shapely
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from hygis.layers.schema import SCHEMAS
from hygis.project import commands as c
from hygis.project.batch_edits import SetAttributes, append_features
from hygis.project.layouts import SetTileSource
from hygis.project.scenario_commands import AddScenario, RenameScenario
from hygis.ui.i18n import install_translator
from tests.ui.fixtures_window import isolated_settings, main_window, small_project  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = json.loads((ROOT / "hygis" / "i18n" / "zh_CN.json").read_text(encoding="utf-8"))["Command"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _label_templates() -> dict[str, str]:
    """Every literal template given to hygis.project.commands.Label in the package → its file."""
    found = {}
    for path in (ROOT / "hygis").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if not re.search(r"from hygis\.project\.commands import [^\n]*\bLabel\b", text) and path.name != "commands.py":
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Label" and node.args:
                arg = node.args[0]
                for const in ((arg.body, arg.orelse) if isinstance(arg, ast.IfExp) else (arg,)):
                    if isinstance(const, ast.Constant):
                        found[const.value] = str(path.relative_to(ROOT))
    return found


def test_every_command_label_has_a_chinese_translation_with_its_placeholders():
    templates = _label_templates()
    words = set(c.PROPERTY_NAMES.values()) | set(c.SETTING_NAMES.values())
    assert len(templates) >= 40
    missing = sorted(f"{f}: {t}" for t, f in templates.items() if t not in CATALOGUE) + sorted(
        w for w in words if w not in CATALOGUE)
    assert missing == []
    for src, zh in CATALOGUE.items():
        assert sorted(re.findall(r"\{\w+\}", src)) == sorted(re.findall(r"\{\w+\}", zh)), src
        assert CJK.search(zh), src


def test_no_command_label_is_a_plain_english_string():
    """A label written as an f-string or plain text stays English in Chinese: all go through Label."""
    offenders = []
    for path in (ROOT / "hygis").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            values = []
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == "label"
                                                    for t in node.targets):
                values = [node.value]
            elif isinstance(node, ast.keyword) and node.arg == "label":
                values = [node.value]
            for v in values:
                for part in ((v.values if isinstance(v, ast.BoolOp) else [v])):
                    if isinstance(part, ast.JoinedStr) or (isinstance(part, ast.Constant) and isinstance(part.value, str)):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    # label= keywords of non-command calls (pyqtgraph lines, QGIS styles) are not command labels
    offenders = [o for o in offenders if not o.startswith(("hygis/ui/analysis/charts.py", "hygis/project/qgis_"))]
    assert offenders == []


def _history_rows(window) -> list[str]:
    view = window.editing.history.view
    model = view.model()
    return [model.data(model.index(i, 0), Qt.ItemDataRole.DisplayRole) for i in range(1, model.rowCount())]


def test_edit_menu_and_history_speak_the_users_language(main_window, qtbot):
    w = main_window
    install_translator(QApplication.instance(), "zh_CN")
    p = w.project
    corridor, enclaves = p.layers[0], p.layers[1]
    fid = int(enclaves.data.index[0])
    panel_model = w.layer_panel.model
    # real commands, some through the widgets a user clicks (the layer list's check box)
    assert panel_model.setData(panel_model.index_of_layer(corridor), Qt.CheckState.Unchecked.value,
                               Qt.ItemDataRole.CheckStateRole)
    steps = [  # made one after another (each sees the data the previous one left)
        lambda: c.SetLayerProperty(corridor, "opacity", 0.5),
        lambda: c.ChangeAttribute(enclaves, fid, "name", "新飞地"),
        lambda: SetAttributes(enclaves, enclaves.data.index[:2], {"status": "planned"}),
        lambda: c.DeleteFeatures(enclaves, [fid]),
        lambda: append_features(enclaves, gpd.GeoDataFrame(enclaves.data.iloc[:1].copy(), crs=4326)),
        lambda: c.RenameLayer(corridor, "走廊"),
        lambda: c.SetProjectSetting(p, "show_illustrative", False),
        lambda: AddScenario(p, "基准"),
        lambda: SetTileSource(p, None),
        lambda: c.SetTargets(p, p.targets),
        lambda: c.ChangeGeometry(enclaves, int(enclaves.data.index[0]), shapely.Point(120.3, 30.1)),
    ]
    for make in steps:
        p.execute(make())
    p.execute(RenameScenario(p, "基准", "方案一"))
    assert w.bookmarks.new_bookmark("西湖")
    assert panel_model.move_row(0, 1)
    stack = p.history.undo_stack
    commands = [stack.command(i).command for i in range(stack.count())]
    assert len(commands) == len(steps) + 4

    def shown(label, zh=True):
        def value(v):
            if isinstance(v, c.FieldNames):  # a thematic layer's field: its schema label (名称 / Name)
                specs = [SCHEMAS[v.kind].field(n) for n in v.names]
                return "、".join(f.label_zh for f in specs) if zh else ", ".join(f.label_en for f in specs)
            return (CATALOGUE[v] if zh else str(v)) if isinstance(v, c.Label) else v
        template = CATALOGUE[label.template] if zh else label.template
        return template.format(**{k: value(v) for k, v in label.values.items()})

    def shown_zh(label):
        return shown(label)

    zh = [shown_zh(cmd.label) for cmd in commands]
    assert zh[0] == "隐藏 科创走廊" and zh[1] == "更改 科创走廊 的不透明度" and zh[-1] == "调整图层顺序"
    assert zh[2] == "修改 飞地 的 名称" and zh[3] == "更新 飞地 中 2 个要素的 状态"
    assert "更改设置：显示示意要素" in zh and "书签 西湖" in zh and "重命名情景 基准 → 方案一" in zh
    assert [stack.text(i) for i in range(stack.count())] == zh
    for text in zh:  # no English word of a template is left (names are Chinese here)
        assert CJK.search(text) and not re.search(r"[A-Za-z]{3,}", text), text
    assert w.act_undo.text() == "撤销(&U) 调整图层顺序"
    qtbot.waitUntil(lambda: _history_rows(w) == zh, timeout=3000)
    p.undo()
    assert w.act_redo.text() == "重做(&R) 调整图层顺序" and w.act_undo.text() == "撤销(&U) 书签 西湖"
    w.editing.dock_history.show()
    w.editing.dock_history.raise_()
    QApplication.processEvents()
    w.editing.history.grab().save("/tmp/h15a-undo_history_zh.png")

    install_translator(QApplication.instance(), "en")  # the steps follow a language switch
    en = [shown(cmd.label, zh=False) for cmd in commands]
    assert en[0] == "Hide 科创走廊" and en[1] == "Change opacity of 科创走廊" and en[2] == "Change Name in 飞地"
    assert "Change setting show illustrative features" in en
    assert [stack.text(i) for i in range(stack.count())] == en
    qtbot.waitUntil(lambda: w.act_undo.text() == "&Undo Bookmark 西湖", timeout=3000)
    assert w.act_redo.text() == "&Redo Reorder layers"
    qtbot.waitUntil(lambda: _history_rows(w) == en, timeout=3000)
    qtbot.waitUntil(lambda: w.editing.history.hint.text().startswith("Click"), timeout=3000)
    w.editing.history.grab().save("/tmp/h15a-undo_history_en.png")

    install_translator(QApplication.instance(), "zh_CN")  # and back
    assert [stack.text(i) for i in range(stack.count())] == zh
    qtbot.waitUntil(lambda: w.act_undo.text() == "撤销(&U) 书签 西湖", timeout=3000)
    qtbot.waitUntil(lambda: _history_rows(w) == zh, timeout=3000)
    p.redo()  # a redone step keeps the language
    assert w.act_undo.text() == "撤销(&U) 调整图层顺序"
