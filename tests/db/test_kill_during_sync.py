"""A sync killed at any moment (SIGKILL of a real ``hygis db sync`` process) leaves the database and
the project file consistent, and running it again finishes it: every edit of both sides arrives
exactly once -- no lost edit, no doubled insert.

Kill points: the sync process stops itself (SIGSTOP) at a stage boundary and is SIGKILLed there
(after giving new features their ids, before the write transaction, inside it with every
statement sent but no COMMIT, after COMMIT, just before and after the file's os.replace), plus
kills after random delays spread over a whole sync.  After each kill: the file passes SQLite's
integrity check and opens; the table has no duplicate feature; a second, unkilled sync exits 0
and both sides equal the result of a sync that was never interrupted.

Every sync (killed, reference and finishing) is a process of its own, forked from a server that imported
hygis, psycopg and the test's child module once (tests/forkserver.py): the same ``tests.db.sync_child`` /
``hygis db sync`` runs as ``python -m`` would, without ~1 s of start-up per run, so the random delays
spread over the sync itself rather than mostly over Python's start-up.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import time
from pathlib import Path

import psycopg
import pytest
import shapely

from hygis.db import sync
from hygis.project.commands import AddFeatures, ChangeAttribute, DeleteFeatures
from hygis.project.fileformat import open_project, save_project
from tests.db.helpers import LAYER, corridor_project, fid_of
from tests.forkserver import ForkServer

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs POSIX signals")]

STAGES = ["prepared", "before-write", "in-transaction", "committed", "before-replace", "after-replace"]
TIMED_KILLS = 10
ROOT = Path(__file__).resolve().parents[2]


def _setup(tmp_path, url, n) -> tuple[Path, str]:
    """Table t<n> and a laptop with edits on both sides (3 local, 3 remote, one field merge)."""
    src = corridor_project(tmp_path / f"office{n}.hygis", n=8)
    table = f"t{n}"
    sync.push_layer(open_project(src), LAYER, url, table=table)
    laptop = tmp_path / f"laptop{n}.hygis"
    sync.checkout(url, table, laptop, name=LAYER)
    p = open_project(laptop)
    lyr = p.layers[0]
    p.execute(ChangeAttribute(lyr, fid_of(lyr, "走廊0"), "name_en", "laptop"))
    p.execute(ChangeAttribute(lyr, fid_of(lyr, "走廊1"), "name_en", "laptop1"))
    p.execute(DeleteFeatures(lyr, [fid_of(lyr, "走廊2")]))
    p.execute(AddFeatures(lyr, [dict(name=f"本地{i}", city="杭州市", source="l") for i in range(2)],
                          [shapely.box(121 + i, 30, 121.1 + i, 30.1) for i in range(2)]))
    save_project(p)
    with psycopg.connect(url) as con:
        con.execute(f"UPDATE {table} SET city = '舟山市' WHERE name = '走廊0'")
        con.execute(f"UPDATE {table} SET name_en = 'db' WHERE name = '走廊3'")
        con.execute(f"DELETE FROM {table} WHERE name = '走廊4'")
        con.execute(f"INSERT INTO {table} (name, city, source, geom) VALUES "
                    "('远程', '宁波市', 'r', ST_Multi(ST_MakeEnvelope(122, 30, 122.1, 30.1, 4326)))")
    return laptop, table


def _sides(laptop: Path, url: str, table: str):
    """(database rows, laptop rows) by name -> (name_en, city, WKT); asserts no duplicate."""
    with psycopg.connect(url) as con:
        rows = con.execute(f"SELECT name, name_en, city, ST_AsText(ST_Normalize(geom)), hygis_id::text FROM {table}").fetchall()
    names = [r[0] for r in rows]
    assert len(names) == len(set(names)), f"duplicate features in the table: {sorted(names)}"
    db = {r[0]: (r[1], r[2], shapely.normalize(shapely.from_wkt(r[3])).wkt) for r in rows}
    data = open_project(laptop).layers[0].data
    assert data["name"].is_unique
    local = {n: (e if isinstance(e, str) else None, c, shapely.normalize(g).wkt)
             for n, e, c, g in zip(data["name"], data["name_en"], data["city"], data.geometry)}
    return db, local


def _child(stage: str, laptop: Path, server: ForkServer):
    return server.run([stage, laptop], module="tests.db.sync_child")


def _check_and_finish(laptop: Path, url: str, table: str, server: ForkServer, expected):
    con = sqlite3.connect(f"file:{laptop}?mode=ro", uri=True)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    _sides(laptop, url, table)  # opens, no duplicates
    done = server.run(["db", "sync", laptop], module="hygis")
    assert done.wait(timeout=120) == 0, done.stderr + done.stdout
    db, local = _sides(laptop, url, table)
    assert db == local == expected


@pytest.fixture
def child_env(pg_cluster):
    return {**pg_cluster.env(), "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}


@pytest.fixture
def server(child_env):
    with ForkServer(["tests.db.sync_child", "psycopg", "hygis.cli", "hygis.cli.db", "hygis.db.sync",
                     "hygis.analysis.sources", "hygis.project.fileformat"], env=child_env, cwd=ROOT) as fs:
        yield fs


def test_sync_killed_at_any_moment_is_finished_by_the_next_sync(tmp_path, pg_url, server):
    # the reference: the same edits synced without interruption (timed, to spread the random kills)
    laptop, table = _setup(tmp_path, pg_url, 0)
    t0 = time.monotonic()
    ref = _child("none", laptop, server)
    assert ref.wait(timeout=120) == 0, ref.stderr
    duration = time.monotonic() - t0
    expected, local = _sides(laptop, pg_url, table)
    assert expected == local
    assert expected["走廊0"][:2] == ("laptop", "舟山市") and "走廊2" not in expected and "走廊4" not in expected
    assert {"本地0", "本地1", "远程"} <= set(expected) and len(expected) == 9

    outcomes = {}
    n = 1
    for stage in STAGES:  # exact kill points
        laptop, table = _setup(tmp_path, pg_url, n)
        n += 1
        proc = _child(stage, laptop, server)
        assert proc.wait_stopped(), f"{stage}: the sync ended before reaching the stage: {proc.stderr}"
        proc.send_signal(signal.SIGKILL)
        assert proc.wait() == -signal.SIGKILL
        outcomes[stage] = _sides(laptop, pg_url, table)[0] == expected  # already done in the database?
        _check_and_finish(laptop, pg_url, table, server, expected)
    # the kill points really hit different moments: the database had the result only after COMMIT
    assert not outcomes["in-transaction"] and outcomes["committed"] and not outcomes["before-write"]

    rng = random.Random(13)
    for i in range(TIMED_KILLS):  # random moments over a whole sync
        laptop, table = _setup(tmp_path, pg_url, n)
        n += 1
        proc = _child("none", laptop, server)
        time.sleep(duration * (i + rng.random()) / TIMED_KILLS)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        _check_and_finish(laptop, pg_url, table, server, expected)
