"""The Team Layers dialog's State column says what each team layer is in, in English and Chinese:
checked out (synced / local changes / conflicts) and linked (committed / edits to commit / conflict /
read-only), from real syncs against PostGIS (a colleague's session, a role that may only read)."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

pytest.importorskip("PySide6")

from hygis.db import live  # noqa: E402
from hygis.db.sync import checkout_into  # noqa: E402
from hygis.project import Project  # noqa: E402
from hygis.project.commands import ChangeAttribute  # noqa: E402
from hygis.project.fileformat import save_project  # noqa: E402
from tests.db.helpers import EVERYWHERE, LAYER, corridor_project, fid_of, run  # noqa: E402

NAMES = ["离线走廊", "共享走廊", "只读走廊"]


def _reader_role(pg_cluster, url, name):
    db = url.rsplit("/", 1)[1]
    with psycopg.connect(pg_cluster.url(db)) as con:
        con.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(name),
                                                                     sql.Literal(pg_cluster.password)))
        con.execute(sql.SQL("GRANT USAGE ON SCHEMA plan TO {}").format(sql.Identifier(name)))
        con.execute(sql.SQL("GRANT SELECT ON plan.corridor TO {}").format(sql.Identifier(name)))
    return pg_cluster.url(db, user=name)


def _states(dialog) -> list[str]:
    rows = {dialog.status_table.item(r, 0).text(): dialog.status_table.item(r, 2).text()
            for r in range(dialog.status_table.rowCount())}
    return [rows[n] for n in NAMES]


def test_state_of_every_team_layer_in_english_and_chinese(qtbot, tmp_path, pg_url, pg_cluster):
    from PySide6.QtWidgets import QApplication

    from hygis.ui.db.team_dialog import TeamDialog
    from hygis.ui.fonts import cjk_font
    from hygis.ui.i18n import install_translator

    assert run("db", "push", corridor_project(tmp_path / "office.hygis"), LAYER, pg_url,
               "--schema", "plan", "--table", "corridor") == 0
    project = Project("状态")
    checkout_into(project, pg_url, "plan.corridor", name=NAMES[0])
    for name, url in ((NAMES[1], pg_url), (NAMES[2], _reader_role(pg_cluster, pg_url, f"viewer_{pg_url[-6:]}"))):
        layer = live.link_layer(project, url, "plan.corridor", name=name)
        live.apply_window(project, layer, live.WindowReader(live.link_of(project, layer)).read(EVERYWHERE)[0])
    save_project(project, tmp_path / "laptop.hygis")
    offline, shared, readonly = (next(lyr for lyr in project.layers if lyr.name == n) for n in NAMES)

    old_font = QApplication.instance().font()
    QApplication.instance().setFont(cjk_font(9))
    dialog = TeamDialog(project)
    qtbot.addWidget(dialog)
    dialog.show()
    shots = Path(os.environ.get("HYGIS_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    try:
        assert _states(dialog) == ["Synced", "Committed", "Committed"]
        project.execute(ChangeAttribute(offline, fid_of(offline, "走廊1"), "name_en", "offline"))
        project.execute(ChangeAttribute(shared, fid_of(shared, "走廊2"), "name_en", "mine"))
        project.execute(ChangeAttribute(readonly, fid_of(readonly, "走廊3"), "name_en", "mine too"))
        dialog.refresh_status()
        assert _states(dialog) == ["1 local change(s)", "1 edit(s) to commit (on save)",
                                   "1 edit(s) to commit (on save)"]
        with psycopg.connect(pg_url) as colleague:  # the same fields of the same features, meanwhile
            colleague.execute("UPDATE plan.corridor SET name_en = 'theirs' WHERE name IN ('走廊1', '走廊2')")
        reports = dialog.sync()
        assert {r.layer: (len(r.conflicts), r.read_only) for r in reports} == \
            {NAMES[0]: (1, False), NAMES[1]: (1, False), NAMES[2]: (0, True)}
        assert _states(dialog) == ["Conflicts: 1", "Conflict: 1 feature(s) changed by others",
                                   "Read-only: 1 edit(s) kept in the project"]
        assert dialog.message.text().startswith("Synced: 0 change(s) sent, 1 received, 2 conflict(s).")
        assert "may not change plan.corridor (permission denied)" in dialog.message.text()
        QApplication.processEvents()  # the message's wrapped lines laid out
        dialog.grab().save(str(shots / "team_states_en.png"))
        install_translator(QApplication.instance(), "zh_CN")
        QApplication.processEvents()
        try:
            assert _states(dialog) == ["冲突：1 处", "冲突：1 个要素已被他人修改", "只读：1 处编辑保留在项目中"]
            assert dialog.status_table.horizontalHeaderItem(2).text() == "状态"
            assert dialog.message.text().startswith("已同步：发送 0 处修改，接收 1 处，冲突 2 处。")
            QApplication.processEvents()
            dialog.grab().save(str(shots / "team_states_zh.png"))
        finally:
            install_translator(QApplication.instance(), "en")
            QApplication.processEvents()
        for row, (_, name, _c) in enumerate(dialog.conflicts):  # keep mine offline, take theirs on the linked one
            dialog.conflict_table.cellWidget(row, 5).setCurrentIndex(0 if name == NAMES[0] else 1)
        dialog.sync(resolve=True)
        assert _states(dialog) == ["Synced", "Committed", "Read-only: 1 edit(s) kept in the project"]
        assert shared.data.set_index("name").loc["走廊2", "name_en"] == "theirs"
        with psycopg.connect(pg_url) as con:
            assert con.execute("SELECT name_en FROM plan.corridor WHERE name = '走廊1'").fetchone()[0] == "offline"
        project.undo()  # back to an edit of the offline layer not yet synced... and a redo brings it back
        project.redo()
        dialog.refresh_status()
        assert _states(dialog)[2] == "Read-only: 1 edit(s) kept in the project"
    finally:
        QApplication.instance().setFont(old_font)
