"""Crash-safe saving, proven: SIGKILL the saving process at 200+ points during saves of a project
with thousands of features in several layers; after every kill the file on disk opens and is exactly
the old or the new project.

Each trial forks the (already imported) test process; the child saves the "new" project over
a file holding the "old" one and the parent kills it:

* 200+ kills after stratified random delays covering the whole save (fork to exit), continued
  until 200 of them landed inside the save (a kill after the child finished does not count);
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

import pytest

from hygis.project import fileformat as projectfile
from hygis.project.commands import AddLayer
from hygis.project import Project
from hygis.project.fileformat import open_project, save_project
from tests.reliability.helpers import point_layer, polygon_layer

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")]

TIMED_KILLS = 200
MAX_TIMED_KILLS = 320
BOUNDARY_DELAYS_S = (0.0, 50e-6, 200e-6, 1e-3, 5e-3)
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


class _Child:
    """Runs the save in a forked child; stage number and optional self-stop via shared memory."""

    def __init__(self, project, target):
        self.project, self.target = project, target
        self.shared = mmap.mmap(-1, 16)  # anonymous, MAP_SHARED: survives fork

    def stage(self) -> int:
        return self.shared[0]

    def ended_after(self) -> float:
        """Seconds from the last start to the end of the save (if it finished)."""
        return struct.unpack_from("d", self.shared, 8)[0] - self.started

    def start(self, stop_at: int | None = None) -> int:
        self.shared[0] = 0
        self.started = time.monotonic()
        pid = os.fork()
        if pid == 0:  # child: never returns to pytest
            code = 1
            try:
                self._instrument(stop_at)
                save_project(self.project, self.target)
                struct.pack_into("d", self.shared, 8, time.monotonic())  # when the save ended
                self._mark(7, stop_at)
                code = 0
            finally:
                os._exit(code)
        return pid

    def _mark(self, stage: int, stop_at: int | None) -> None:
        self.shared[0] = stage
        if stop_at == stage:
            os.kill(os.getpid(), signal.SIGSTOP)

    def _instrument(self, stop_at):
        mark = self._mark

        def wrap(fn, before, after=None):
            def inner(*a, **kw):
                mark(before, stop_at)
                out = fn(*a, **kw)
                if after is not None:
                    mark(after, stop_at)
                return out
            return inner

        projectfile._ensure_gpkg = wrap(projectfile._ensure_gpkg, 1)
        projectfile._write_layers = wrap(projectfile._write_layers, 2, 3)
        projectfile._fsync = wrap(projectfile._fsync, 4)
        os.replace = wrap(os.replace, 5, 6)


def _kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def test_sigkill_at_235_points_inside_saves_leaves_old_or_new_file(tmp_path):
    old, new = _project("旧版本", extra=False), _project("新版本", extra=True)
    target = tmp_path / "big.hygis"
    save_project(old, target)
    pristine = tmp_path / "pristine.bin"
    shutil.copyfile(target, pristine)
    old_sha, old_state = _sha(target), _state(target)
    expect_new = ("新版本", SIZES)
    assert old_state == ("旧版本", OLD_COUNTS)

    child = _Child(new, target)
    durations = []
    for _ in range(3):  # calibrate: fork → child exit, as the parent sees it
        t0 = time.perf_counter()
        pid = child.start()
        _, status = os.waitpid(pid, 0)
        durations.append(time.perf_counter() - t0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert _state(target) == expect_new
        shutil.copyfile(pristine, target)
    save_s = sorted(durations)[1]

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
    timed, recent = 0, [save_s]
    # stratified random delays over the calibrated save; kills that came after the child had
    # finished do not count, so keep going (bounded) until 200 landed inside the save
    while timed < MAX_TIMED_KILLS and (timed < TIMED_KILLS or timed - stages["finished"] < 200):
        delay = save_s * ((timed % TIMED_KILLS) + rng.random()) / TIMED_KILLS
        pid = child.start()
        time.sleep(delay)
        _kill(pid)
        if child.stage() == 7:  # it finished first: learn the real save time (the load changes)
            recent.append(child.ended_after())
            save_s = statistics.median(recent[-9:])
        check_after_kill(child.stage())
        timed += 1

    boundary_kills = 0
    for stop_at in range(1, 8):
        for delay in BOUNDARY_DELAYS_S:
            pid = child.start(stop_at=stop_at)
            _, status = os.waitpid(pid, os.WUNTRACED)
            assert os.WIFSTOPPED(status), "child did not reach the stage"
            os.kill(pid, signal.SIGCONT)
            end = time.perf_counter() + delay
            while time.perf_counter() < end:
                pass
            _kill(pid)
            check_after_kill(child.stage())
            boundary_kills += 1

    total = timed + boundary_kills
    print(f"\nkill-during-save: save takes {save_s * 1000:.0f} ms; {total} kills; outcomes {dict(outcomes)}; "
          f"stage at kill {dict(stages)}; temp files left by killed saves removed: {leftovers}")
    assert sum(outcomes.values()) == total
    assert total - stages["finished"] >= 200, "fewer than 200 kills landed inside the save"
    assert outcomes["old"] > 0 and outcomes["new"] > 0
    # the timed kills spread over the whole save, and some land on each side of os.replace
    assert stages["write layers"] > 20 and stages["os.replace"] + stages["after os.replace (folder fsync)"] > 0


class _OverwritingChild(_Child):
    """Saves a project opened from the target (so the save copies the file through)."""

    def start(self, stop_at: int | None = None) -> int:
        self.shared[0] = 0
        self.started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                self._instrument(stop_at)
                save_project(self.project, self.target, overwrite=True)  # the test restores the file between kills
                struct.pack_into("d", self.shared, 8, time.monotonic())
                self._mark(7, stop_at)
                code = 0
            finally:
                os._exit(code)
        return pid


def test_sigkill_during_saves_that_keep_foreign_tables_leaves_old_or_new_file(tmp_path):
    """The same kills while a save copies another program's tables and QGIS styles through."""
    from tests.reliability.test_project_sharing import add_foreign_content, foreign_state

    target = tmp_path / "big.hygis"
    save_project(_project("旧版本", extra=False), target)
    add_foreign_content(target)
    foreign = foreign_state(target)
    pristine = tmp_path / "pristine.bin"
    shutil.copyfile(target, pristine)
    old_sha, old_state = _sha(target), _state(target)
    new = open_project(target)
    new.title = "新版本"
    new.execute(AddLayer(new, polygon_layer(SIZES["新增走廊"], "新增走廊", seed=3)))
    expect_new = ("新版本", SIZES)

    child = _OverwritingChild(new, target)
    pid = child.start()
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    assert _state(target) == expect_new and foreign_state(target) == foreign
    save_s = child.ended_after()
    outcomes, stages = collections.Counter(), collections.Counter()
    rng = random.Random(7)
    kills = 0
    for stop_at in [None] * 60 + list(range(1, 8)):
        shutil.copyfile(pristine, target)
        pid = child.start(stop_at=stop_at)
        if stop_at is None:
            time.sleep(save_s * rng.random())
        else:
            assert os.WIFSTOPPED(os.waitpid(pid, os.WUNTRACED)[1])
            os.kill(pid, signal.SIGCONT)
            time.sleep(rng.choice(BOUNDARY_DELAYS_S))
        _kill(pid)
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


def test_sigkill_during_batched_saves_of_many_layers_leaves_old_or_new_file(tmp_path, monkeypatch):
    """Projects with more layers than one batch are written through side files merged into the
    temporary file (hygis.project.gpkg_merge): kills during those merges leave the old or the new
    file too, and the side files are temporaries the next save cleans up.

    Batches of 4 layers instead of 16: the same save (first batch straight into the file, then two
    (old) and three (new) side files merged into it) with a quarter of the layers, so each kill costs a
    quarter as much.  The real batch size is saved, checked by GDAL and QGIS in test_many_layers.py."""
    from shapely.geometry import box

    monkeypatch.setattr(projectfile, "LAYER_BATCH", 4)

    from hygis.layers.vector import VectorLayer
    import geopandas as gpd

    def many(title: str, n: int) -> Project:
        p = Project(title)
        for i in range(n):
            gdf = gpd.GeoDataFrame({"name": [f"区{i}"]}, geometry=[box(120 + i * 0.01, 30, 120.005 + i * 0.01, 30.005)],
                                   crs="EPSG:4326")
            p.layers.append(VectorLayer(f"层{i}", gdf))
        return p

    n_old = 2 * projectfile.LAYER_BATCH + 3
    target = tmp_path / "big.hygis"
    save_project(many("旧版本", n_old), target)
    pristine = tmp_path / "pristine.bin"
    shutil.copyfile(target, pristine)
    old_sha, old_state = _sha(target), _state(target)
    new = many("新版本", n_old + projectfile.LAYER_BATCH)
    child = _OverwritingChild(new, target)
    pid = child.start()
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    new_state = _state(target)
    assert len(new_state[1]) == n_old + projectfile.LAYER_BATCH
    save_s = child.ended_after()
    outcomes, stages, leftovers = collections.Counter(), collections.Counter(), 0
    rng = random.Random(16)
    for stop_at in [None] * 40 + [2, 3, 4, 5]:
        shutil.copyfile(pristine, target)
        pid = child.start(stop_at=stop_at)
        if stop_at is None:
            time.sleep(save_s * rng.random())
        else:
            assert os.WIFSTOPPED(os.waitpid(pid, os.WUNTRACED)[1])
            os.kill(pid, signal.SIGCONT)
            time.sleep(rng.choice(BOUNDARY_DELAYS_S))
        _kill(pid)
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
