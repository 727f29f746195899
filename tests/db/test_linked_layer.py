"""Live linked layers: a 200 000-row PostGIS table added as a linked layer (``hygis db link`` and the
Team Layers dialog) is read by view window through its GiST index -- a zoomed-in view fetches only
the rows in the window (counted against SQL), the map shows them (pixels), a pan reads the new
window, and the project file keeps the connection (no password) and the table, not the rows."""

from __future__ import annotations

import json
import sqlite3

import geopandas as gpd
import psycopg
import pytest
import shapely

from hygis.db import live
from hygis.db import state as db_state
from hygis.db import tables as T
from hygis.db.connection import connect
from hygis.project.fileformat import open_project
from tests.db.helpers import run
from tests.ui.fixtures_window import isolated_settings, main_window, small_project  # noqa: F401

N, COLS, STEP, SIZE = 200_000, 500, 0.004, 0.003  # a 500 × 400 grid of small squares over 120–122°E, 29–30.6°N
ZOOM = (120.5, 29.5, 120.56, 29.53)


def _make_big_table(url, table="parcels"):
    seed = gpd.GeoDataFrame({"name": ["种子"], "city": ["杭州市"]}, geometry=[shapely.box(0, 0, 0.001, 0.001)], crs=4326)
    with connect(url) as con:
        T.push_frame(con, seed, "plan", table, geometry_type="polygon")
        con.execute(f"DELETE FROM plan.{table}")
        con.execute(f"INSERT INTO plan.{table} (name, city, geom) SELECT '地块' || i, "
                    f"CASE WHEN i % 2 = 0 THEN '杭州市' ELSE '宁波市' END, "
                    f"ST_Multi(ST_MakeEnvelope(120 + (i % {COLS}) * {STEP}, 29 + (i / {COLS}) * {STEP}, "
                    f"120 + (i % {COLS}) * {STEP} + {SIZE}, 29 + (i / {COLS}) * {STEP} + {SIZE}, 4326)) "
                    f"FROM generate_series(0, {N - 1}) AS i")
        con.execute(f"ANALYZE plan.{table}")


def _count(url, bbox, table="plan.parcels") -> int:
    with psycopg.connect(url) as con:
        return con.execute(f"SELECT count(*) FROM {table} WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)",
                           bbox).fetchone()[0]


@pytest.fixture(scope="module")
def big_url(pg_cluster):
    url = pg_cluster.create_database("hygis_test_linked_big")
    _make_big_table(url)
    return url


def test_link_reads_view_windows_through_the_gist_index(tmp_path, big_url):
    path = tmp_path / "office.hygis"
    assert run("db", "link", big_url, "plan.parcels", path, "--name", "地块") == 0
    project = open_project(path)
    layer = project.layers[0]
    link = live.link_of(project, layer)
    assert layer.name == "地块" and layer.feature_count == 0  # linking reads no rows
    assert (link.url, link.schema, link.table, link.mode) == (big_url, "plan", "parcels", "live")
    assert link.extent == pytest.approx([120, 29, 120 + (COLS - 1) * STEP + SIZE, 29 + 399 * STEP + SIZE])

    reader = live.WindowReader(link)
    rows, truncated = reader.read(ZOOM)
    expected = _count(big_url, ZOOM)
    assert not truncated and len(rows) == reader.fetched == expected and 100 < expected < 300
    assert live.apply_window(project, layer, rows) == expected == layer.feature_count
    assert set(layer.data.geometry.intersects(shapely.box(*ZOOM))) == {True}  # only rows of the window
    assert reader.covers((120.51, 29.51, 120.52, 29.52))  # a zoom-in inside it needs no read

    pan = (120.53, 29.5, 120.59, 29.53)  # overlaps the first window by half
    rows2, _ = reader.read(pan)
    assert len(rows2) == _count(big_url, pan)
    added = live.apply_window(project, layer, rows2)
    assert layer.feature_count == _count(big_url, (120.5, 29.5, 120.59, 29.53)) == expected + added
    assert layer.data[T.ID].is_unique and layer.data.geometry.intersects(shapely.box(120.5, 29.5, 120.59, 29.53)).all()

    with connect(big_url) as con:  # the planner answers the window with the GiST index, not a table scan
        info = T.table_info(con, "plan", "parcels")
        plan = con.execute(psycopg.sql.SQL("EXPLAIN (FORMAT JSON) {}").format(
            T.window_query(info, live.WINDOW_LIMIT + 1, team=True)), ZOOM).fetchone()[0]
    text = json.dumps(plan)
    assert "parcels_geom_gist" in text and "Seq Scan" not in text

    full, truncated = live.WindowReader(link, limit=1000).read(link.extent)  # a huge view: capped, flagged
    assert truncated and len(full) == 1000

    from hygis.project.fileformat import save_project

    save_project(project)  # the rows merely read stay in the database: the file keeps the link only
    con = sqlite3.connect(path)
    try:
        assert con.execute('SELECT count(*) FROM "地块"').fetchone()[0] == 0
        assert con.execute(f"SELECT count(*) FROM {db_state.BASE_TABLE}").fetchone()[0] == 0
    finally:
        con.close()
    again = open_project(path)
    assert live.link_of(again, again.layers[0]).table == "parcels" and again.layers[0].feature_count == 0


def test_link_refuses_a_table_that_is_not_a_team_table(tmp_path, pg_url, capsys):
    with psycopg.connect(pg_url) as con:
        con.execute("CREATE TABLE plain (id int, geom geometry(Point, 4326))")
    assert run("db", "link", pg_url, "plain", tmp_path / "p.hygis") == 1
    assert "not a team table" in capsys.readouterr().err
    assert not (tmp_path / "p.hygis").exists()


def _pixels(canvas):
    """The canvas as drawn, (height, width, 4) bytes."""
    import numpy as np
    from PySide6.QtGui import QImage

    canvas.render_now()
    img = canvas.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    rows = np.frombuffer(img.constBits(), dtype=np.uint8, count=img.sizeInBytes()).reshape(img.height(), -1)
    return rows[:, : img.width() * 4].reshape(img.height(), img.width(), 4).copy()


def test_window_links_a_table_and_the_map_reads_each_view_off_the_ui_thread(qtbot, main_window, big_url, tmp_path,
                                                                          monkeypatch):
    """The Team Layers dialog adds the table as a linked layer; the map reads its windows."""
    import os
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    from hygis.ui.i18n import install_translator

    monkeypatch.setattr(live, "WINDOW_LIMIT", 5000)  # the whole-extent view is capped (quick test)
    window = main_window
    canvas, windows = window.canvas, window.team.live
    for lyr in window.project.layers:
        lyr.visible = False
    dialog = window.team.open_dialog()
    dialog.url_edit.setText(big_url)
    assert dialog.connect_db()
    dialog.table_list.selectRow([dialog.table_list.item(r, 0).text() for r in range(dialog.table_list.rowCount())]
                                .index("plan.parcels"))
    dialog.name_edit.setText("地块")
    with qtbot.waitSignal(windows.windowApplied, timeout=60_000) as first:
        layer = dialog.link_selected()
    assert layer is not None and layer in list(window.project.layers)
    dialog.close()
    reader = windows.reader(layer.id)
    assert first.args == [layer.id, 5000] and reader.fetched == 5000 == layer.feature_count  # capped, not 200 000
    assert "5,000" in window.statusBar().currentMessage()

    with qtbot.waitSignal(windows.windowApplied, timeout=60_000):
        canvas.set_extent(ZOOM)
    view = canvas.extent()
    in_view = _count(big_url, view)
    assert reader.fetched == 5000 + in_view and 100 < in_view < 2000  # the window's rows, counted by SQL
    shown = layer.data.geometry.intersects(shapely.box(*view)).sum()
    assert shown == in_view  # every feature of the view is on the layer
    with_layer = _pixels(canvas)
    layer.visible = False
    without = _pixels(canvas)
    layer.visible = True
    changed = (with_layer != without).any(axis=2).mean()
    assert changed > 0.3  # the squares cover ~56 % of the view

    before = reader.fetched
    canvas.zoom_in()  # inside the window already read: no new read
    qtbot.wait(400)
    assert not windows.is_busy() and reader.fetched == before
    pan = (ZOOM[0] + 0.2, ZOOM[1] + 0.2, ZOOM[2] + 0.2, ZOOM[3] + 0.2)
    with qtbot.waitSignal(windows.windowApplied, timeout=60_000):
        canvas.set_extent(pan)  # a pan elsewhere reads the new window
    assert reader.fetched - before == _count(big_url, canvas.extent())

    shots = Path(os.environ.get("HYGIS_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    canvas.render_now()
    window.grab().save(str(shots / "linked_layer_en.png"))
    install_translator(QApplication.instance(), "zh_CN")
    QApplication.processEvents()
    dialog = window.team.open_dialog()
    assert dialog.link_button.text() == "添加为链接图层"
    dialog.grab().save(str(shots / "linked_layer_dialog_zh.png"))
    canvas.render_now()
    window.grab().save(str(shots / "linked_layer_zh.png"))
    dialog.close()
