"""Crash-safe saving, proven: SIGKILL the saving process at 200+ points during saves of a project
with thousands of features in several layers; after every kill the file on disk opens and is exactly
the old or the new project.

Each trial is a process forked from a fork server that built the "new" project once
(tests/forkserver.py); the child saves it over a file holding the "old" one and the test kills it:

* 200+ kills after stratified random delays covering the whole save (fork to exit), continued
  until 200 of them landed inside the save (a kill after the child finished does not count, and
  its save time updates the delays: :attr:`_Child.save_s`);
* 35 kills at the save's stage boundaries (the child stops itself with SIGSTOP just before or
  after: creating the GeoPackage, writing layers, the project table, fsync, os.replace, the
  folder fsync), continued and killed 0 µs–5 ms later -- so kills land around os.replace too.

Checked after each kill: ``PRAGMA integrity_check`` is ok, ``open_project`` opens it, every layer
reads with its full feature count, and title + counts are exactly those of the old or the new
project.  A file byte-identical to the verified old file counts as verified.
"""

from __future__ import annotations

import collections
import hashlib
import mmap
import os
import random
import shutil
import signal
import statistics
import struct
import sqlite3
import time
from pathlib import Path

import pytest

from hygis.project import fileformat as projectfile
from hygis.project.commands import AddLayer
from hygis.project import Project
from hygis.project.fileformat import open_project, save_project
from tests.forkserver import ForkServer
from tests.reliability.helpers import point_layer, polygon_layer

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")]

TIMED_KILLS = 200
MAX_TIMED_KILLS = 320
BOUNDARY_DELAYS_S = (0.0, 50e-6, 200e-6, 1e-3, 5e-3)
REPO = Path(__file__).resolve().parents[2]
STAGES = ["start", "create GeoPackage", "write layers", "write project table", "fsync temp file",
          "os.replace", "after os.replace (folder fsync)", "finished"]


#: Features per layer.  Big enough that writing the layers is the longest stage of the save (most
#: timed kills land inside it), small enough that a save (~90 ms) and the full check of a file after a
#: kill stay cheap: the kill points are spread over the measured save, so a smaller project gets the
#: same number of kills, in the same stages, in less time.
SIZES = {"科创走廊": 5_000, "走廊二": 750, "飞地": 500, "新增走廊": 250}
OLD_COUNTS = {k: v for k, v in SIZES.items() if k != "新增走廊"}


def _project(title: str, extra: bool) -> Project:
    p = Project(title)
    p.execute(AddLayer(p, polygon_layer(SIZES["科创走廊"], "科创走廊", seed=1)))
    p.execute(AddLayer(p, polygon_layer(SIZES["走廊二"], "走廊二", seed=2)))
    p.execute(AddLayer(p, point_layer(SIZES["飞地"])))
    if extra:
        p.execute(AddLayer(p, polygon_layer(SIZES["新增走廊"], "新增走廊", seed=3)))
    return p


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _state(path) -> tuple:
    """(title, {layer: feature count}) after full checks; raises AssertionError if broken."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    project = open_project(path)
    counts = {}
    for layer in project.layers:
        data = layer.data
        assert data.geometry.notna().all() and data.geometry.is_valid.all()
        counts[layer.name] = len(data)
    return project.title, counts


def child_save(project, target: str, stage_file: str, stop_at: int | None, overwrite: bool) -> None:
    """In the forked child: save ``project`` over ``target``, writing the stage reached (byte 0) and the
    time the save ended (bytes 8-15) into ``stage_file``; stop itself (SIGSTOP) on reaching ``stop_at``."""
    with open(stage_file, "r+b") as f:
        shared = mmap.mmap(f.fileno(), 16)  # MAP_SHARED: the test reads the same page

    def mark(stage: int) -> None:
        shared[0] = stage
        if stop_at == stage:
            os.kill(os.getpid(), signal.SIGSTOP)

    def wrap(fn, before, after=None):
        def inner(*a, **kw):
            mark(before)
            out = fn(*a, **kw)
            if after is not None:
                mark(after)
            return out
        return inner

    projectfile._ensure_gpkg = wrap(projectfile._ensure_gpkg, 1)
    projectfile._write_layers = wrap(projectfile._write_layers, 2, 3)
    projectfile._fsync = wrap(projectfile._fsync, 4)
    os.replace = wrap(os.replace, 5, 6)
    save_project(project, target, overwrite=overwrite)
    struct.pack_into("d", shared, 8, time.monotonic())  # when the save ended
    mark(7)


class _Child:
    """Saves over ``target`` in processes forked from a fork server (tests/forkserver.py) whose ``setup``
    built the project to save (``PROJECT``): each save a real process of its own, killed by a real
    signal, forked from a small process rather than from the test's (which the whole suite has grown to
    a GB: every fork and exit of such a process costs more).  Stage and end time via a shared file."""

    def __init__(self, tmp_path, target, setup: str, overwrite: bool = False):
        self.target, self.overwrite = target, overwrite
        self.stage_file = tmp_path / "stage.bin"
        self.stage_file.write_bytes(bytes(16))
        with open(self.stage_file, "r+b") as f:
            self.shared = mmap.mmap(f.fileno(), 16)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
        self.server = ForkServer(["tests.reliability.test_kill_during_save"], env=env, cwd=REPO,
                                 setup="from tests.reliability.test_kill_during_save import child_save\n" + setup)
        ready = self.server.run([], code="pass")  # the server has imported and built PROJECT: starts are timed from here
        assert ready.wait() == 0, ready.stderr
        self.proc = None
        self.saves: list[float] = []  # seconds of whole saves: a calibration, then the kills that came too late

    @property
    def save_s(self) -> float:
        """How long a save takes now: the median of the last saves seen whole (the load changes, and
        a slow first save, e.g. on a loaded machine, would otherwise put every timed kill late)."""
        return statistics.median(self.saves[-9:])

    def stage(self) -> int:
        return self.shared[0]

    def ended_after(self) -> float:
        """Seconds from the last start to the end of the save (if it finished)."""
        return struct.unpack_from("d", self.shared, 8)[0] - self.started

    def start(self, stop_at: int | None = None):
        self.shared[0] = 0
        self.started = time.monotonic()
        self.proc = self.server.run([], code=f"child_save(PROJECT, {str(self.target)!r}, {str(self.stage_file)!r}, "
                                              f"{stop_at!r}, {self.overwrite!r})")
        return self.proc

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        if self.stage() == 7:  # it finished first: learn the real save time
            self.saves.append(self.ended_after())

    def close(self) -> None:
        self.server.close()
        self.shared.close()


@pytest.fixture
def children():
    """The test's _Child objects, closed (fork server ended) after it."""
    made: list[_Child] = []
    yield made
    for child in made:
        child.close()


def test_sigkill_at_235_points_inside_saves_leaves_old_or_new_file(tmp_path, children):
    old = _project("旧版本", extra=False)
    target = tmp_path / "big.hygis"
    save_project(old, target)
    pristine = tmp_path / "pristine.bin"
    shutil.copyfile(target, pristine)
    old_sha, old_state = _sha(target), _state(target)
    expect_new = ("新版本", SIZES)
    assert old_state == ("旧版本", OLD_COUNTS)

    child = _Child(tmp_path, target, 'from tests.reliability.test_kill_during_save import _project\n'
                                     'PROJECT = _project("新版本", extra=True)')
    children.append(child)
    durations = []
    for _ in range(3):  # calibrate: fork → child exit, as the parent sees it
        t0 = time.perf_counter()
        code = child.start().wait()
        durations.append(time.perf_counter() - t0)
        assert code == 0
        assert _state(target) == expect_new
        shutil.copyfile(pristine, target)
    child.saves.append(sorted(durations)[1])

    outcomes = collections.Counter()
    stages = collections.Counter()
    leftovers = 0

    def check_after_kill(stage):
        nonlocal leftovers
        stages[STAGES[stage]] += 1
        if _sha(target) == old_sha:
            outcomes["old"] += 1
        else:
            state = _state(target)  # raises if broken
            assert state in (old_state, expect_new), state
            outcomes["new" if state == expect_new else "old"] += 1
            shutil.copyfile(pristine, target)
        for tmp in tmp_path.glob(".big.*"):  # temp files of the killed save (never the target)
            leftovers += 1
            tmp.unlink()

    rng = random.Random(20240601)
    timed = 0
    # stratified random delays over the calibrated save; kills that came after the child had
    # finished do not count, so keep going (bounded) until 200 landed inside the save
    while timed < MAX_TIMED_KILLS and (timed < TIMED_KILLS or timed - stages["finished"] < 200):
        delay = child.save_s * ((timed % TIMED_KILLS) + rng.random()) / TIMED_KILLS
        child.start()
        time.sleep(delay)
        child.kill()
        check_after_kill(child.stage())
        timed += 1

    boundary_kills = 0
    for stop_at in range(1, 8):
        for delay in BOUNDARY_DELAYS_S:
            proc = child.start(stop_at=stop_at)
            assert proc.wait_stopped(timeout=30), f"child did not reach stage {stop_at}"
            os.kill(proc.pid, signal.SIGCONT)
            end = time.perf_counter() + delay
            while time.perf_counter() < end:
                pass
            child.kill()
            check_after_kill(child.stage())
            boundary_kills += 1

    total = timed + boundary_kills
    print(f"\nkill-during-save: save takes {child.save_s * 1000:.0f} ms; {total} kills; outcomes {dict(outcomes)}; "
          f"stage at kill {dict(stages)}; temp files left by killed saves removed: {leftovers}")
    assert sum(outcomes.values()) == total
    assert total - stages["finished"] >= 200, "fewer than 200 kills landed inside the save"
    assert outcomes["old"] > 0 and outcomes["new"] > 0
    # the timed kills spread over the whole save, and some land on each side of os.replace
    assert stages["write layers"] > 20 and stages["os.replace"] + stages["after os.replace (folder fsync)"] > 0


def test_sigkill_during_saves_that_keep_foreign_tables_leaves_old_or_new_file(tmp_path, children):
    """The same kills while a save copies another program's tables and QGIS styles through."""
    from tests.reliability.test_project_sharing import add_foreign_content, foreign_state

    target = tmp_path / "big.hygis"
    save_project(_project("旧版本", extra=False), target)
    add_foreign_content(target)
    foreign = foreign_state(target)
    pristine = tmp_path / "pristine.bin"
    shutil.copyfile(target, pristine)
    old_sha, old_state = _sha(target), _state(target)
    expect_new = ("新版本", SIZES)

    # the project saved: opened from the target (so the save copies the file through), one layer added
    child = _Child(tmp_path, target, overwrite=True, setup=(
        "from hygis.project.commands import AddLayer\n"
        "from hygis.project.fileformat import open_project\n"
        "from tests.reliability.helpers import polygon_layer\n"
        "from tests.reliability.test_kill_during_save import SIZES\n"
        f"PROJECT = open_project({str(target)!r})\n"
        "PROJECT.title = '新版本'\n"
        "PROJECT.execute(AddLayer(PROJECT, polygon_layer(SIZES['新增走廊'], '新增走廊', seed=3)))\n"))
    children.append(child)
    assert child.start().wait() == 0
    assert _state(target) == expect_new and foreign_state(target) == foreign
    child.saves.append(child.ended_after())
    outcomes, stages = collections.Counter(), collections.Counter()
    rng = random.Random(7)
    kills = 0
    for stop_at in [None] * 60 + list(range(1, 8)):
        shutil.copyfile(pristine, target)
        proc = child.start(stop_at=stop_at)
        if stop_at is None:
            time.sleep(child.save_s * rng.random())
        else:
            assert proc.wait_stopped()
            os.kill(proc.pid, signal.SIGCONT)
            time.sleep(rng.choice(BOUNDARY_DELAYS_S))
        child.kill()
        kills += 1
        stages[STAGES[child.stage()]] += 1
        state = old_state if _sha(target) == old_sha else _state(target)
        assert state in (old_state, expect_new), state
        assert foreign_state(target) == foreign  # another program's content: never lost
        outcomes["new" if state == expect_new else "old"] += 1
        for tmp in tmp_path.glob(".big.*"):
            tmp.unlink()
    print(f"\ncopy-through kills: {kills}; outcomes {dict(outcomes)}; stages {dict(stages)}")
    assert outcomes["old"] > 0 and outcomes["new"] > 0


def _many(title: str, n: int) -> Project:
    """``n`` one-feature layers."""
    import geopandas as gpd
    from shapely.geometry import box

    from hygis.layers.vector import VectorLayer

    p = Project(title)
    for i in range(n):
        gdf = gpd.GeoDataFrame({"name": [f"区{i}"]}, geometry=[box(120 + i * 0.01, 30, 120.005 + i * 0.01, 30.005)],
                               crs="EPSG:4326")
        p.layers.append(VectorLayer(f"层{i}", gdf))
    return p


def test_sigkill_during_batched_saves_of_many_layers_leaves_old_or_new_file(tmp_path, monkeypatch, children):
    """Projects with more layers than one batch are written through side files merged into the
    temporary file (hygis.project.gpkg_merge): kills during those merges leave the old or the new
    file too, and the side files are temporaries the next save cleans up.

    Batches of 4 layers instead of 16: the same save (first batch straight into the file, then two
    (old) and three (new) side files merged into it) with a quarter of the layers, so each kill costs a
    quarter as much.  The real batch size is saved, checked by GDAL and QGIS in test_many_layers.py."""
    monkeypatch.setattr(projectfile, "LAYER_BATCH", 4)
    n_old = 2 * projectfile.LAYER_BATCH + 3
    target = tmp_path / "big.hygis"
    save_project(_many("旧版本", n_old), target)
    pristine = tmp_path / "pristine.bin"
    shutil.copyfile(target, pristine)
    old_sha, old_state = _sha(target), _state(target)
    child = _Child(tmp_path, target, overwrite=True, setup=(
        "from hygis.project import fileformat\n"
        f"fileformat.LAYER_BATCH = {projectfile.LAYER_BATCH}\n"
        "from tests.reliability.test_kill_during_save import _many\n"
        f"PROJECT = _many('新版本', {n_old + projectfile.LAYER_BATCH})\n"))
    children.append(child)
    assert child.start().wait() == 0
    new_state = _state(target)
    assert len(new_state[1]) == n_old + projectfile.LAYER_BATCH
    child.saves.append(child.ended_after())
    outcomes, stages, leftovers = collections.Counter(), collections.Counter(), 0
    rng = random.Random(16)
    for stop_at in [None] * 40 + [2, 3, 4, 5]:
        shutil.copyfile(pristine, target)
        proc = child.start(stop_at=stop_at)
        if stop_at is None:
            time.sleep(child.save_s * rng.random())
        else:
            assert proc.wait_stopped()
            os.kill(proc.pid, signal.SIGCONT)
            time.sleep(rng.choice(BOUNDARY_DELAYS_S))
        child.kill()
        stages[STAGES[child.stage()]] += 1
        state = old_state if _sha(target) == old_sha else _state(target)
        assert state in (old_state, new_state), state
        outcomes["new" if state == new_state else "old"] += 1
        for tmp in tmp_path.glob(".big.*"):  # the killed save's temporary file and side files
            leftovers += 1
            tmp.unlink()
    print(f"\nbatched-save kills: {sum(outcomes.values())}; outcomes {dict(outcomes)}; stages {dict(stages)}; "
          f"temporaries removed {leftovers}")
    assert outcomes["old"] > 0 and stages["write layers"] > 10
