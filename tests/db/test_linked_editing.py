"""Editing a live linked layer: undoable edits committed in ONE transaction on save, optimistic
concurrency on ``hygis_version`` (a feature someone else changed since it was read is a conflict
shown with both versions, never overwritten), and a role without write rights gets a clear message
while the edits stay in the .hygis as pending.  Two real connections: the planner's hygis and a
colleague's psycopg session (another role)."""

from __future__ import annotations

import psycopg
import shapely
from psycopg import sql

from hygis.db import live, sync
from hygis.project import Project
from hygis.project.commands import AddFeatures, ChangeAttribute, DeleteFeatures
from hygis.project.fileformat import open_project, save_project
from tests.db.helpers import EVERYWHERE, db_values, fid_of, link_in_window, run
from tests.ui.fixtures_window import isolated_settings, main_window, small_project  # noqa: F401


def _role(pg_cluster, url, name, *privileges):
    """A login role (the cluster password, so the test PGPASSFILE serves it) with ``privileges`` on plan.corridor."""
    db = url.rsplit("/", 1)[1]
    with psycopg.connect(pg_cluster.url(db)) as con:
        con.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(name),
                                                                     sql.Literal(pg_cluster.password)))
        con.execute(sql.SQL("GRANT USAGE ON SCHEMA plan TO {}").format(sql.Identifier(name)))
        con.execute(sql.SQL("GRANT {} ON plan.corridor TO {}").format(sql.SQL(", ").join(map(sql.SQL, privileges)),
                                                                      sql.Identifier(name)))
    return pg_cluster.url(db, user=name)


def _linked(tmp_path, url, name="office.hygis"):
    """A project with plan.corridor linked live and one view window read (as the map does)."""
    path = tmp_path / name
    project = Project("联动")
    layer = live.link_layer(project, url, "plan.corridor", name="共享走廊")
    reader = live.WindowReader(live.link_of(project, layer))
    live.apply_window(project, layer, reader.read(EVERYWHERE)[0])
    save_project(project, path)
    return project, layer


def _db(url):
    return db_values(url, "name_en", "city", "hygis_version")


def test_edits_are_committed_on_save_and_a_concurrent_change_is_a_conflict(tmp_path, team_url, pg_cluster):
    project, layer = _linked(tmp_path, team_url)
    assert layer.feature_count == 6
    colleague = psycopg.connect(_role(pg_cluster, team_url, f"colleague_{team_url[-6:]}", "SELECT", "UPDATE"))
    project.execute(ChangeAttribute(layer, fid_of(layer, "走廊0"), "name_en", "mine"))
    project.execute(ChangeAttribute(layer, fid_of(layer, "走廊1"), "city", "舟山市"))
    project.execute(DeleteFeatures(layer, [fid_of(layer, "走廊2")]))
    project.execute(AddFeatures(layer, [dict(name="新走廊", city="杭州市", source="mine")],
                                [shapely.box(121, 30, 121.1, 30.1)]))
    project.undo()  # edits are ordinary undoable commands
    project.redo()
    # meanwhile a colleague changes 走廊0 (another field: still a conflict, its version moved)
    colleague.execute("UPDATE plan.corridor SET city = '湖州市' WHERE name = '走廊0'")
    colleague.commit()

    reports = sync.commit_live(project)  # what the window's save does after writing the file
    [report] = reports
    assert not report.error and report.pushed == {"inserts": 1, "updates": 1, "deletes": 1}
    [conflict] = report.conflicts
    assert conflict.mine["name_en"] == "mine" and conflict.mine["city"] == "宁波市"  # both versions shown
    assert conflict.theirs["name_en"] == "C0" and conflict.theirs["city"] == "湖州市"
    db = _db(team_url)
    assert db["走廊0"][:2] == ("C0", "湖州市")  # the colleague's row is not overwritten
    assert db["走廊1"][1] == "舟山市" and "走廊2" not in db and "新走廊" in db
    assert live.pending(project, layer) == {"inserts": 0, "updates": 1, "deletes": 0}  # 走廊0 waits, kept locally
    assert layer.data.set_index("name").loc["走廊0", "name_en"] == "mine"
    again = open_project(project.path)  # the pending edit is in the saved file
    assert live.pending(again, again.layers[0]) == {"inserts": 0, "updates": 1, "deletes": 0}

    # the CLI shows the conflict; resolving it as "mine" writes my version over the colleague's (by choice)
    assert run("db", "sync", project.path) == 3
    project = open_project(project.path)  # the CLI saved the file: carry on from it
    layer = project.layers[0]
    [report] = sync.commit_live(project, resolutions={layer.id: {conflict.uid: "mine"}})
    assert not report.conflicts and _db(team_url)["走廊0"][:2] == ("mine", "宁波市")
    assert live.pending(project, layer) == {"inserts": 0, "updates": 0, "deletes": 0}
    colleague.close()


def test_a_commit_is_one_transaction(tmp_path, team_url, pg_cluster):
    """A role that may update but not delete: the update is not applied either (nothing half-written)."""
    editor = _role(pg_cluster, team_url, f"editor_{team_url[-6:]}", "SELECT", "UPDATE")
    project, layer = _linked(tmp_path, editor)
    project.execute(ChangeAttribute(layer, fid_of(layer, "走廊0"), "name_en", "mine"))
    project.execute(DeleteFeatures(layer, [fid_of(layer, "走廊3")]))
    [report] = sync.commit_live(project)
    assert "may not change plan.corridor" in report.error and "stay in the project" in report.error
    db = _db(team_url)
    assert db["走廊0"][0] == "C0" and "走廊3" in db
    assert live.pending(project, layer) == {"inserts": 0, "updates": 1, "deletes": 1}


def test_a_read_only_role_gets_a_clear_message_and_keeps_its_edits(tmp_path, team_url, pg_cluster, capsys):
    reader = _role(pg_cluster, team_url, f"reader_{team_url[-6:]}", "SELECT")
    project, layer = _linked(tmp_path, reader)
    project.execute(ChangeAttribute(layer, fid_of(layer, "走廊4"), "name_en", "offline"))
    project.execute(AddFeatures(layer, [dict(name="新走廊", city="宁波市", source="mine")],
                                [shapely.box(121, 30, 121.1, 30.1)]))
    save_project(project)
    capsys.readouterr()
    assert run("db", "sync", project.path) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "may not change plan.corridor (permission denied)" in err
    assert "2 local edit(s) stay in the project" in err
    assert "新走廊" not in _db(team_url) and _db(team_url)["走廊4"][0] == "C4"
    again = open_project(project.path)  # not lost: the file holds them as pending
    lyr = again.layers[0]
    assert live.pending(again, lyr) == {"inserts": 1, "updates": 1, "deletes": 0}
    assert set(lyr.data["name"]) == {"走廊4", "新走廊"}  # the pending rows only, not every row read
    # once the map reads windows again, the rows read join the pending ones (never replacing them)
    live.apply_window(again, lyr, live.WindowReader(live.link_of(again, lyr)).read(EVERYWHERE)[0])
    assert lyr.feature_count == 7 and lyr.data.set_index("name").loc["走廊4", "name_en"] == "offline"
    assert live.pending(again, lyr) == {"inserts": 1, "updates": 1, "deletes": 0}


def test_window_save_commits_and_shows_a_conflict_with_both_versions(qtbot, main_window, team_url, pg_cluster,
                                                                     tmp_path):
    import os
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    from hygis.ui import fileops
    from hygis.ui.i18n import install_translator

    window = main_window
    layer = link_in_window(qtbot, window, team_url, tmp_path)
    assert layer.feature_count == 6
    window.project.execute(ChangeAttribute(layer, fid_of(layer, "走廊0"), "name_en", "mine"))
    window.project.execute(ChangeAttribute(layer, fid_of(layer, "走廊5"), "name_en", "fine"))
    with psycopg.connect(team_url) as colleague:
        colleague.execute("UPDATE plan.corridor SET name_en = 'theirs' WHERE name = '走廊0'")
    with qtbot.waitSignal(window.team.commitFinished, timeout=60_000):  # the commit runs in a worker thread
        assert fileops.save(window)
    dialog = window.team.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.conflict_table.rowCount() == 1 and dialog.conflict_table.item(0, 2).text() == "name_en"
    assert dialog.status_table.item(0, 1).text() == "plan.corridor (linked)"
    assert dialog.status_table.item(0, 2).text() == "Conflict: 1 feature(s) changed by others"
    assert dialog.message.text() == "Saved: 1 change(s) committed to the database, 1 conflict(s) to resolve."
    assert "'mine'" in dialog.conflict_table.item(0, 3).text() and "'theirs'" in dialog.conflict_table.item(0, 4).text()
    assert _db(team_url)["走廊0"][0] == "theirs" and _db(team_url)["走廊5"][0] == "fine"
    shots = Path(os.environ.get("HYGIS_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(shots / "linked_conflict_en.png"))
    install_translator(QApplication.instance(), "zh_CN")
    QApplication.processEvents()
    try:
        assert dialog.conflict_table.cellWidget(0, 5).currentText() == "我的"
        dialog.grab().save(str(shots / "linked_conflict_zh.png"))
    finally:
        install_translator(QApplication.instance(), "en")
        QApplication.processEvents()
    dialog.conflict_table.cellWidget(0, 5).setCurrentIndex(1)  # theirs
    dialog.sync(resolve=True)
    assert dialog.conflict_table.rowCount() == 0
    assert layer.data.set_index("name").loc["走廊0", "name_en"] == "theirs"
    assert live.pending(window.project, layer) == {"inserts": 0, "updates": 0, "deletes": 0}
    assert dialog.status_table.item(0, 2).text() == "Committed"
    dialog.close()


def test_window_save_with_a_read_only_role_says_so_and_keeps_the_edits(qtbot, main_window, team_url, pg_cluster,
                                                                      tmp_path):
    from hygis.ui import fileops

    window = main_window
    reader = _role(pg_cluster, team_url, f"viewer_{team_url[-6:]}", "SELECT")
    layer = link_in_window(qtbot, window, reader, tmp_path)
    window.project.execute(ChangeAttribute(layer, fid_of(layer, "走廊1"), "name_en", "mine"))
    with qtbot.waitSignal(window.team.commitFinished, timeout=60_000):
        assert fileops.save(window)  # the file is saved; the database refuses
    text = window.last_error_dialog.message
    assert "saved in the project but not in the database" in text and "permission denied" in text
    assert _db(team_url)["走廊1"][0] == "C1"
    saved = open_project(tmp_path / "window.hygis")  # the edit waits in the file
    assert live.pending(saved, next(lyr for lyr in saved.layers if lyr.name == "共享走廊")) == \
        {"inserts": 0, "updates": 1, "deletes": 0}

