"""The Team Layers dialog against a real PostGIS: browse, add a table offline, sync status,
a conflict resolved feature by feature; screenshots in English and Chinese."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest

pytest.importorskip("PySide6")

from hygis.project import Project  # noqa: E402
from hygis.project.commands import ChangeAttribute  # noqa: E402
from hygis.project.fileformat import save_project  # noqa: E402
from tests.db.helpers import LAYER, corridor_project, fid_of, run  # noqa: E402

# The README screenshots are refreshed with HYGIS_SCREENSHOT_DIR=docs/screenshots; a plain run never writes
# into the checkout.
SHOTS_ENV = "HYGIS_SCREENSHOT_DIR"


def test_team_dialog_browse_add_sync_and_resolve(qtbot, tmp_path, pg_url):
    from PySide6.QtWidgets import QApplication

    from hygis.ui.fonts import cjk_font

    assert run("db", "push", corridor_project(tmp_path / "office.hygis"), LAYER, pg_url,
               "--schema", "plan", "--table", "corridor") == 0
    project = Project("笔记本")
    save_project(project, tmp_path / "laptop.hygis")
    old_font = QApplication.instance().font()
    QApplication.instance().setFont(cjk_font(9))  # as the app does: Chinese glyphs on every machine
    try:
        _run_dialog(qtbot, tmp_path, pg_url, project)
    finally:
        QApplication.instance().setFont(old_font)


def _run_dialog(qtbot, tmp_path, pg_url, project):
    from PySide6.QtWidgets import QApplication

    from hygis.ui.db.team_dialog import TeamDialog
    from hygis.ui.i18n import install_translator

    dialog = TeamDialog(project)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.url_edit.setText("postgresql://nobody@127.0.0.1:1/x")
    assert not dialog.connect_db() and "Cannot connect" in dialog.message.text()
    dialog.url_edit.setText(pg_url)
    assert dialog.connect_db()
    assert dialog.table_list.rowCount() == 1
    assert dialog.table_list.item(0, 0).text() == "plan.corridor" and dialog.table_list.item(0, 3).text() == "yes"
    dialog.table_list.selectRow(0)
    dialog.name_edit.setText(LAYER)
    layer = dialog.add_selected()
    assert layer is not None and layer.feature_count == 6 and project.layers[0] is layer
    save_project(project)
    project.execute(ChangeAttribute(layer, fid_of(layer, "走廊2"), "name_en", "mine"))
    dialog.refresh_status()
    assert [dialog.status_table.item(0, c).text() for c in range(6)] == [LAYER, "plan.corridor", "1 local change(s)",
                                                                         "0", "1", "0"]
    with psycopg.connect(pg_url) as con:
        con.execute("UPDATE plan.corridor SET name_en = 'theirs' WHERE name = '走廊2'")
    dialog.sync()
    assert dialog.conflict_table.rowCount() == 1
    assert dialog.conflict_table.item(0, 2).text() == "name_en"
    assert "'mine'" in dialog.conflict_table.item(0, 3).text() and "'theirs'" in dialog.conflict_table.item(0, 4).text()
    assert "1 conflict" in dialog.message.text()
    SHOTS = Path(os.environ.get(SHOTS_ENV) or tmp_path)
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "team_layers_en.png"))
    install_translator(QApplication.instance(), "zh_CN")
    QApplication.processEvents()
    try:
        assert dialog.windowTitle() == "团队图层 (PostGIS)"
        assert dialog.conflict_table.cellWidget(0, 5).currentText() == "我的"
        dialog.grab().save(str(SHOTS / "team_layers_zh.png"))
    finally:
        install_translator(QApplication.instance(), "en")
        QApplication.processEvents()
    dialog.conflict_table.cellWidget(0, 5).setCurrentIndex(1)  # theirs
    dialog.sync(resolve=True)
    assert dialog.conflict_table.rowCount() == 0
    assert layer.data.set_index("name").loc["走廊2", "name_en"] == "theirs"
    assert dialog.status_table.item(0, 4).text() == "0" and dialog.status_table.item(0, 2).text() == "Synced"
