"""``hygis db sync`` holds the project's write lock (hygis/project/lock.py) from opening the file to
saving it: an ``hygis update`` / ``hygis import`` started meanwhile waits for the sync and then
applies its change on top of the synced file; a GUI save (``save_project``) waits too.  Real
processes: the sync stops itself (SIGSTOP) just before its database write, lock held.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from hygis.db import sync
from hygis.project.commands import ChangeAttribute
from hygis.project.fileformat import open_project, save_project
from hygis.project.lock import LockTimeout, lock_path
from tests.db.helpers import LAYER, corridor_project, fid_of

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs POSIX signals")
ROOT = Path(__file__).resolve().parents[2]


def _laptop(tmp_path, url):
    office = corridor_project(tmp_path / "office.hygis")
    sync.push_layer(open_project(office), LAYER, url, table="corridor")
    laptop = tmp_path / "laptop.hygis"
    sync.checkout(url, "corridor", laptop, name=LAYER)
    p = open_project(laptop)
    lyr = p.layers[0]
    p.execute(ChangeAttribute(lyr, fid_of(lyr, "走廊0"), "name_en", "laptop"))
    save_project(p)
    with psycopg.connect(url) as con:
        con.execute("UPDATE corridor SET city = '舟山市' WHERE name = '走廊1'")
    return laptop


def _stopped_sync(laptop, env) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "tests.db.sync_child", "before-write", str(laptop)], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status = os.waitpid(proc.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status), proc.stderr.read()
    return proc


def test_an_update_started_during_a_sync_waits_for_it_and_both_changes_land(tmp_path, pg_url, pg_cluster,
                                                                           monkeypatch):
    env = {**pg_cluster.env(), "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "HYGIS_LOCK_TIMEOUT": "120"}
    laptop = _laptop(tmp_path, pg_url)
    sync_proc = _stopped_sync(laptop, env)
    try:
        assert lock_path(laptop).exists()  # the stopped sync holds the lock
        update = subprocess.Popen([sys.executable, "-m", "hygis", "update", str(laptop), LAYER,
                                   "--where", "name == '走廊2'", "--set", "source=update"],
                                  cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(4)
        assert update.poll() is None, "the update did not wait for the sync: " + update.stderr.read()
        monkeypatch.setenv("HYGIS_LOCK_TIMEOUT", "0.5")
        gui = open_project(laptop)  # the window's save waits for the lock too (here: times out, file untouched)
        gui.title = "gui"
        before = laptop.read_bytes()
        with pytest.raises(LockTimeout, match="being saved by another program"):
            save_project(gui)
        assert laptop.read_bytes() == before
    finally:
        os.kill(sync_proc.pid, signal.SIGCONT)
    assert sync_proc.wait(timeout=120) == 0, sync_proc.stderr.read()
    out, err = update.communicate(timeout=120)
    assert update.returncode == 0, err
    data = open_project(laptop).layers[0].data.set_index("name")
    assert data.loc["走廊1", "city"] == "舟山市"  # pulled by the sync
    assert data.loc["走廊2", "source"] == "update"  # the update, applied after the sync, on its result
    assert data.loc["走廊0", "name_en"] == "laptop"
    with psycopg.connect(pg_url) as con:  # the sync pushed the laptop's edit
        assert con.execute("SELECT name_en FROM corridor WHERE name = '走廊0'").fetchone()[0] == "laptop"
    assert not lock_path(laptop).exists()


def test_a_sync_waits_for_an_update_holding_the_lock(tmp_path, pg_url, pg_cluster):
    """The other way round: while another process holds the lock, the sync does not touch the file."""
    env = {**pg_cluster.env(), "PYTHONPATH": str(ROOT), "HYGIS_LOCK_TIMEOUT": "1"}
    laptop = _laptop(tmp_path, pg_url)
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from hygis.project.lock import acquire; "
                               "acquire(sys.argv[1]); print('locked', flush=True); time.sleep(60)", str(laptop)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = laptop.read_bytes()
        done = subprocess.run([sys.executable, "-m", "hygis", "db", "sync", str(laptop)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 1
        assert "being saved by another program" in done.stderr and len(done.stderr.strip().splitlines()) == 1
        assert laptop.read_bytes() == before
        with psycopg.connect(pg_url) as con:  # nothing reached the database either
            assert con.execute("SELECT name_en FROM corridor WHERE name = '走廊0'").fetchone()[0] == "C0"
    finally:
        holder.kill()
        holder.wait()
    done = subprocess.run([sys.executable, "-m", "hygis", "db", "sync", str(laptop)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
