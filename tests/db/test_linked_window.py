"""A linked layer in the window, against a real PostGIS: a save's commit runs off the UI thread (the
window keeps processing events, the status bar says so, a second save waits for it), late window reads
are neither dropped nor shown for the wrong view, and zoom full / zoom to layer use the table's extent."""

from __future__ import annotations

import psycopg
import pytest
import shapely

from hygis.db import live
from hygis.db import tables as T
from hygis.project.commands import ChangeAttribute
from hygis.project.fileformat import open_project, save_project
from tests.db.helpers import EVERYWHERE, db_values, fid_of, link_in_window, run
from tests.ui.fixtures_window import isolated_settings, main_window, small_project  # noqa: F401


def _db(url):
    return db_values(url, "name_en", "hygis_version")


def _linked_in_window(qtbot, window, url, tmp_path):
    for lyr in window.project.layers:
        lyr.visible = False
    layer = link_in_window(qtbot, window, url, tmp_path)
    assert layer.feature_count == 6
    return layer


def test_a_save_commits_off_the_ui_thread_and_the_next_save_waits_for_it(qtbot, main_window, team_url, tmp_path):
    from PySide6.QtCore import QTimer

    from hygis.ui import fileops

    window = main_window
    layer = _linked_in_window(qtbot, window, team_url, tmp_path)
    window.project.execute(ChangeAttribute(layer, fid_of(layer, "走廊0"), "name_en", "first"))
    colleague = psycopg.connect(team_url)  # holds 走廊0's row lock: the commit's UPDATE waits for it
    colleague.execute("SELECT 1 FROM plan.corridor WHERE name = '走廊0' FOR UPDATE")
    ticks = []
    timer = QTimer(interval=20)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    try:
        assert fileops.save(window)  # returns with the file saved, the commit still waiting in its thread
        assert window.team.is_committing()
        assert window.statusBar().currentMessage() == "Committing the edits of 1 linked layer(s) to the database…"
        qtbot.wait(600)
        assert window.team.is_committing() and len(ticks) >= 10  # the UI thread kept running meanwhile
        assert _db(team_url)["走廊0"][0] == "C0"
        # the planner keeps editing; a second save waits for the first commit, then commits the new edit
        window.project.execute(ChangeAttribute(layer, fid_of(layer, "走廊5"), "name_en", "second"))
        QTimer.singleShot(300, colleague.commit)  # the colleague lets go while the second save waits
        assert fileops.save(window)
        assert _db(team_url)["走廊0"][:2] == ("first", 2)  # the first commit was done before this save wrote
        qtbot.waitUntil(lambda: not window.team.is_committing(), timeout=60_000)
    finally:
        timer.stop()
        colleague.close()
    [report] = window.team.last_reports
    assert report.pushed == {"inserts": 0, "updates": 1, "deletes": 0} and not report.error
    assert _db(team_url)["走廊5"][:2] == ("second", 2)
    assert live.pending(window.project, layer) == {"inserts": 0, "updates": 0, "deletes": 0}
    assert "1 edit(s) committed to the database" in window.statusBar().currentMessage()
    assert not window.project.dirty
    saved = open_project(tmp_path / "window.hygis")  # the file holds the new base: nothing pending
    lyr = next(x for x in saved.layers if x.name == "共享走廊")
    assert live.pending(saved, lyr) == {"inserts": 0, "updates": 0, "deletes": 0}


def _read(windows, reader, layer_id, bbox):
    """A real read of ``bbox``, numbered as the map numbers its reads, not yet delivered."""
    w = windows.issue(layer_id, bbox)
    w.rows, w.truncated = reader.read(bbox)
    w.extent = reader.extent
    return w


def _name_en(layer, name):
    return layer.data.set_index("name").loc[name, "name_en"]


def test_late_window_reads_are_kept_and_never_put_back_older_versions(qtbot, main_window, team_url, tmp_path):
    import numpy as np

    window = main_window
    windows, project, canvas = window.team.live, window.project, window.canvas
    for lyr in project.layers:
        lyr.visible = False
    save_project(project, tmp_path / "window.hygis")
    with qtbot.waitSignal(windows.windowApplied, timeout=60_000):
        layer = live.link_layer(project, team_url, "plan.corridor", name="共享走廊")
        canvas.set_extent((119.9, 29.9, 119.95, 29.95))  # a view with no corridor: nothing read yet
    assert layer.feature_count == 0
    reader = live.WindowReader(live.link_of(project, layer))
    west = (119.9, 29.9, 120.28, 30.1)  # 走廊0, 走廊1, 走廊2
    first = _read(windows, reader, layer.id, west)
    with psycopg.connect(team_url) as colleague:
        colleague.execute("UPDATE plan.corridor SET name_en = 'v2' WHERE name = '走廊0'")
    second = _read(windows, reader, layer.id, (119.9, 29.9, 120.08, 30.1))  # 走廊0 only, at version 2
    assert second.seq > first.seq and set(r[1]["name"] for r in second.rows.values()) == {"走廊0"}

    windows._on_arrived(project, layer.id, second, None)  # the newer read arrives first ...
    assert layer.feature_count == 1 and _name_en(layer, "走廊0") == "v2"
    windows._on_arrived(project, layer.id, first, None)  # ... the older one late: its other features are kept
    assert layer.feature_count == 3 and set(layer.data["name"]) == {"走廊0", "走廊1", "走廊2"}
    assert _name_en(layer, "走廊0") == "v2"  # never the older version it carried
    assert live.pending(project, layer) == {"inserts": 0, "updates": 0, "deletes": 0}

    # in order again: the newest read refreshes what the team changed, unless it was edited here
    project.execute(ChangeAttribute(layer, fid_of(layer, "走廊2"), "name_en", "mine"))
    with psycopg.connect(team_url) as colleague:
        colleague.execute("UPDATE plan.corridor SET name_en = 'v3' WHERE name IN ('走廊1', '走廊2')")
    windows._on_arrived(project, layer.id, _read(windows, reader, layer.id, west), None)
    assert _name_en(layer, "走廊1") == "v3" and _name_en(layer, "走廊2") == "mine"
    assert live.pending(project, layer) == {"inserts": 0, "updates": 1, "deletes": 0}  # 走廊2 waits (a conflict)

    # a capped read: its note only while its window is still the view
    capped = live.WindowReader(live.link_of(project, layer), limit=1)
    canvas.set_extent(west)
    qtbot.waitUntil(lambda: not windows.is_busy(), timeout=60_000)
    window.statusBar().clearMessage()
    windows._on_arrived(project, layer.id, _read(windows, capped, layer.id, EVERYWHERE), None)
    assert "the first 1 features" not in window.statusBar().currentMessage()
    view = tuple(canvas.extent())
    windows._on_arrived(project, layer.id, _read(windows, capped, layer.id, view), None)
    assert "the first 1 features of this view are shown" in window.statusBar().currentMessage()

    # features once read stay drawn while panning within them (no read needed, nothing dropped)
    canvas.set_extent((119.95, 29.95, 120.35, 30.1))
    qtbot.waitUntil(lambda: not windows.is_busy(), timeout=60_000)
    count = layer.feature_count
    from tests.db.test_linked_layer import _pixels

    drawn = _pixels(canvas)
    layer.visible = False
    empty = _pixels(canvas)
    layer.visible = True
    canvas.set_extent((120.0, 29.98, 120.3, 30.08))  # within the window already read
    qtbot.wait(400)
    assert not windows.is_busy() and layer.feature_count == count
    assert (drawn != empty).any(axis=2).mean() > 0.05
    assert (_pixels(canvas) != empty).any(axis=2).mean() > 0.05
    assert np.isfinite(layer.data.total_bounds).all()


def test_zoom_full_and_zoom_to_layer_use_the_table_extent(qtbot, main_window, team_url, tmp_path, monkeypatch):
    window = main_window
    canvas, project = window.canvas, window.project
    for lyr in project.layers:
        lyr.visible = False
    layer = live.link_layer(project, team_url, "plan.corridor", name="走廊表")
    layer.visible = False  # nothing read: the layer holds no feature
    assert layer.feature_count == 0 and layer.bounds is None
    with psycopg.connect(team_url) as colleague:  # the team adds a corridor far east after the link
        colleague.execute("INSERT INTO plan.corridor (name, geom) VALUES "
                          "('远方', ST_Multi(ST_MakeEnvelope(121.6, 30.6, 121.7, 30.7, 4326)))")
    link = live.link_of(project, layer)
    assert link.extent == pytest.approx([120.0, 30.0, 120.55, 30.05])  # recorded when linked
    canvas.zoom_to_layer(layer)
    x0, y0, x1, y1 = canvas.extent()
    assert x0 <= 120.0 and y0 <= 30.0 and x1 >= 120.55 and y1 >= 30.05 and x1 - x0 < 1.0
    layer.visible = True  # the map's first read refreshes the table's extent
    with qtbot.waitSignal(window.team.live.windowApplied, timeout=60_000):
        canvas.zoom_in()
    assert link.extent == pytest.approx([120.0, 30.0, 121.7, 30.7])
    canvas.zoom_to_layer(layer)
    x0, y0, x1, y1 = canvas.extent()
    assert x0 <= 120.0 and y0 <= 30.0 and x1 >= 121.7 and y1 >= 30.7
    canvas.set_extent((120.0, 30.0, 120.01, 30.01))
    canvas.zoom_full()  # every layer, the linked table whole (not the rows read so far)
    full = live.full_extent(project)
    x0, y0, x1, y1 = canvas.extent()
    assert x0 <= full[0] and x1 >= 121.7 and y1 >= 30.7

    # a large table: PostGIS's estimate from the statistics (no scan), close to the exact extent
    from hygis.db.connection import connect

    with connect(team_url) as con:
        con.execute("ANALYZE plan.corridor")
        info = T.table_info(con, "plan", "corridor")
        exact = T.table_extent(con, info)
        monkeypatch.setattr(T, "EXACT_EXTENT_ROWS", 0)
        estimated = T.table_extent(con, info)
    assert exact == pytest.approx([120.0, 30.0, 121.7, 30.7])
    assert estimated == pytest.approx(exact, abs=1e-3) and shapely.box(*estimated).contains(shapely.box(*exact))


def test_a_commit_cut_off_before_its_file_save_is_finished_by_the_next(tmp_path, team_url):
    """The window's commit in parts: ids saved, the database written (push_job), then -- as if the app died
    before finish_live saved the new base -- the file still holds the edit as pending.  The next commit
    finds the database already equal: no conflict, nothing written twice, the base moves."""
    from hygis.db import sync
    from hygis.project import Project
    from hygis.project.commands import AddFeatures

    project = Project("中断")
    layer = live.link_layer(project, team_url, "plan.corridor", name="共享走廊")
    live.apply_window(project, layer, live.WindowReader(live.link_of(project, layer)).read(EVERYWHERE)[0])
    save_project(project, tmp_path / "cut.hygis")
    project.execute(ChangeAttribute(layer, fid_of(layer, "走廊3"), "name_en", "once"))
    project.execute(AddFeatures(layer, [dict(name="新走廊", city="宁波市", source="mine")],
                                [shapely.box(121, 30, 121.1, 30.1)]))
    save_project(project)
    jobs = sync.prepare_live(project)  # ids given and saved before anything reaches the database
    outcome = sync.push_job(jobs[0])
    assert outcome.plan.push_insert and outcome.plan.push_update
    assert _db(team_url)["走廊3"][:2] == ("once", 2) and "新走廊" in _db(team_url)
    again = open_project(project.path)  # the app died here: the file has the edits as pending, the old base
    lyr = next(x for x in again.layers if x.name == "共享走廊")
    assert live.pending(again, lyr) == {"inserts": 1, "updates": 1, "deletes": 0}
    [report] = sync.finish_live(again, [(job, sync.push_job(job)) for job in sync.prepare_live(again)])
    assert not report.conflicts and not report.error
    assert live.pending(again, lyr) == {"inserts": 0, "updates": 0, "deletes": 0}
    with psycopg.connect(team_url) as con:
        assert con.execute("SELECT count(*) FROM plan.corridor WHERE name = '新走廊'").fetchone()[0] == 1
    assert _db(team_url)["走廊3"][:2] == ("once", 2)  # not written a second time


def test_a_project_of_linked_tables_opens_on_the_tables(qtbot, main_window, team_url, tmp_path):
    path = tmp_path / "linked.hygis"
    assert run("db", "link", team_url, "plan.corridor", path, "--name", "走廊") == 0
    project = open_project(path)
    assert project.extent is None and project.full_extent() is None  # no view saved, no row read yet
    main_window.canvas.set_extent((100.0, 20.0, 100.1, 20.1))  # elsewhere before
    main_window.set_project(project)
    qtbot.waitUntil(lambda: main_window.team.live.reader(project.layers[0].id) is not None, timeout=10_000)
    x0, y0, x1, y1 = main_window.canvas.extent()
    assert x0 <= 120.0 and y0 <= 30.0 and x1 >= 120.55 and y1 >= 30.05 and x1 - x0 < 1.5
