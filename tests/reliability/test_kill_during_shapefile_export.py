"""A shapefile export killed (SIGKILL) at any point while its .shp/.shx/.dbf/.prj/.cpg replace an
older set: the next read of the path is entirely the old data or entirely the new, never a mix,
and stale spatial indexes of the old set do not survive next to new parts.

Real processes: ``hygis export`` of a project layer over an existing shapefile, each run a process of
its own, forked from a server that imported hygis once (tests/forkserver.py: ``python -c CHILD`` without
paying ~1 s of start-up per kill; the last export is a plain ``python -m hygis``).  The child counts
its own file-system steps inside the output folder (Python audit events: open, rename/replace, link,
remove, mkdir, rmtree) and SIGKILLs itself at step N, for every N from 1 to
the export's last step -- so kills land before, between and after each move of a part, around
the journal, and during the clean-up.  After each kill the set is read with hygis (as a user
would: ``load_layers``, which finishes an interrupted replacement) and with GDAL directly.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from hygis.io import export_layer, load_layers
from hygis.layers.vector import VectorLayer
from hygis.project import Project
from hygis.project.commands import AddLayer
from hygis.project.fileformat import save_project
from tests.forkserver import ForkServer

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="SIGKILL and audit hooks (POSIX)")]

REPO = Path(__file__).resolve().parents[2]
CHILD = r"""
import os, signal, sys
folder, stop_at = sys.argv[1], int(sys.argv[2])
steps = 0
EVENTS = {"open", "os.rename", "os.link", "os.remove", "os.mkdir", "os.rmdir", "shutil.rmtree", "os.truncate"}

def hook(event, args):
    global steps
    if event not in EVENTS or not args or not str(args[0]).startswith(folder):
        return
    if event == "open" and len(args) > 1 and args[1] in ("r", "rb", None) and not (args[2] or 0) & (os.O_WRONLY | os.O_RDWR):
        return  # reading a file changes nothing
    steps += 1
    if steps == stop_at:
        os.kill(os.getpid(), signal.SIGKILL)

sys.addaudithook(hook)
from hygis.cli import main
code = main(sys.argv[3:])
sys.stderr.write(f"STEPS {steps}\n")
sys.exit(code)
"""


def _layer(n: int, prefix: str, seed: int) -> VectorLayer:
    rng = np.random.default_rng(seed)
    frame = gpd.GeoDataFrame({"name": [f"{prefix}{i}" for i in range(n)], "code": np.arange(n) + seed * 1000},
                             geometry=shapely.points(120 + rng.random(n), 30 + rng.random(n)), crs=4326)
    return VectorLayer("点位", frame)


def _state(shp: Path) -> str:
    """'old' or 'new' after full checks (hygis read, then GDAL's own view of the parts)."""
    layer, = load_layers(shp)
    names = layer.data["name"].tolist()
    kind = "old" if names == [f"旧{i}" for i in range(5)] else "new" if names == [f"新{i}" for i in range(8)] else None
    assert kind is not None, names
    # every part belongs to the same set: shapes (.shp/.shx) and records (.dbf) agree, text decodes as the .cpg says
    info = pyogrio.read_info(shp, force_feature_count=True)
    assert info["features"] == len(names) and info["encoding"] == "UTF-8"
    assert not shp.with_name(f".{shp.name}.hygis-journal").exists()
    if kind == "new":
        assert not any(shp.with_suffix(e).exists() for e in (".qix", ".sbn", ".sbx")), "stale index kept"
    return kind


def test_killed_shapefile_export_is_old_or_new_at_every_step(tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    shp = out_dir / "点位.shp"
    project = Project("导出")
    project.execute(AddLayer(project, _layer(8, "新", seed=2)))
    proj = save_project(project, tmp_path / "p.hygis")
    export_layer(_layer(5, "旧", seed=1), shp)
    for ext in (".qix", ".sbn", ".sbx"):  # an older tool's spatial indexes of the old shapes
        shp.with_suffix(ext).write_bytes(b"index of the old shapes")
    pristine = tmp_path / "pristine"
    shutil.copytree(out_dir, pristine)

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    server = ForkServer(["hygis.cli", "hygis.cli.export", "hygis.io", "hygis.project.fileformat"], env=env)

    def run(stop_at: int):
        shutil.rmtree(out_dir)
        shutil.copytree(pristine, out_dir)
        child = server.run([out_dir, stop_at, "export", proj, "点位", shp], code=CHILD)
        child.wait()
        return child

    with server:
        done = run(10**9)
        assert done.returncode == 0, done.stderr
        total = int(done.stderr.split("STEPS ")[-1].split()[0])
        assert _state(shp) == "new" and total >= 10
        outcomes, journals = {"old": 0, "new": 0}, 0
        for stop_at in range(1, total + 1):
            killed = run(stop_at)
            assert killed.returncode == -signal.SIGKILL, (stop_at, killed.returncode, killed.stderr[-500:])
            journals += shp.with_name(f".{shp.name}.hygis-journal").exists()
            if stop_at % 2:  # every other time the first reader is `hygis info` (its own process), as a user would run it
                info = server.run(["info", shp], module="hygis")
                assert info.wait() == 0 and ("5 features" in info.stdout or "8 features" in info.stdout), info.stdout
            outcomes[_state(shp)] += 1
    print(f"{total} steps: {outcomes}, {journals} kills left a journal")
    assert outcomes["old"] > 0 and outcomes["new"] > 0, outcomes
    assert journals > 0  # some kills landed while parts were being moved: the journal finished them
    # after the last kill, a plain export over what it left succeeds
    again = subprocess.run([sys.executable, "-m", "hygis", "export", str(proj), "点位", str(shp)], env=env,
                           capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert _state(shp) == "new"
