"""Saving projects with many small layers (issue 16: a 540-layer save took over 32 minutes).

    python benchmarks/bench_save.py [--repeats R] [N ...]   # default: 3 repeats, 200 500 1000 layers

For each layer count: a new project of N small layers (3 polygons each, the enclave schema and
a generic layer in turn, so QML/SLD styles and schema columns are written) is saved three times
as a fresh file and three times over its own file (the copy-through path that keeps foreign
tables), then opened.  Prints the medians, seconds per layer, and the growth from the smallest
to the largest N (linear is about N_max/N_min).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
from shapely.geometry import box  # noqa: E402

from hygis.layers.vector import VectorLayer  # noqa: E402
from hygis.project.fileformat import open_project, save_project  # noqa: E402
from hygis.project.model import Project  # noqa: E402

REPEATS = 3


def make_project(n: int) -> Project:
    project = Project(title=f"{n} layers")
    for i in range(n):
        x, y = 120.0 + (i % 40) * 0.02, 29.5 + (i // 40) * 0.02
        gdf = gpd.GeoDataFrame({"name": [f"区{i}-{k}" for k in range(3)], "value": [i, i + 1, i + 2]},
                               geometry=[box(x + k * 0.005, y, x + k * 0.005 + 0.004, y + 0.004) for k in range(3)],
                               crs="EPSG:4326")
        project.layers.append(VectorLayer(f"图层 {i}", gdf))
    return project


def measure(n: int, folder: Path) -> dict[str, float]:
    project = make_project(n)
    fresh, over = [], []
    for r in range(REPEATS):
        path = folder / f"fresh{n}_{r}.hygis"
        project.path = None
        t0 = time.perf_counter()
        save_project(project, path)
        fresh.append(time.perf_counter() - t0)
    for _ in range(REPEATS):
        project.mark_dirty()
        t0 = time.perf_counter()
        save_project(project, path)  # over its own file: copy-through of foreign content
        over.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    opened = open_project(path)
    open_s = time.perf_counter() - t0
    assert len(opened.layers) == n
    for p in folder.glob(f"fresh{n}_*"):
        p.unlink()
    return {"fresh": statistics.median(fresh), "over": statistics.median(over), "open": open_s}


def main(argv: list[str]) -> None:
    global REPEATS
    if argv[:1] == ["--repeats"]:
        REPEATS, argv = int(argv[1]), argv[2:]
    counts = [int(a) for a in argv] or [200, 500, 1000]
    results = {}
    with tempfile.TemporaryDirectory(prefix="hygis-bench-save-") as tmp:
        for n in counts:
            results[n] = res = measure(n, Path(tmp))
            print(f"{n:5d} layers: save new {res['fresh']:7.2f} s ({1000 * res['fresh'] / n:5.1f} ms/layer)  "
                  f"save over own file {res['over']:7.2f} s ({1000 * res['over'] / n:5.1f} ms/layer)  "
                  f"open {res['open']:6.2f} s   [median of {REPEATS}; load {os.getloadavg()[0]:.1f}]", flush=True)
    lo, hi = min(counts), max(counts)
    if lo != hi:
        for key in ("fresh", "over"):
            print(f"growth {lo}→{hi} layers ({key}): {results[hi][key] / results[lo][key]:.1f}× "
                  f"(linear: {hi / lo:.1f}×)")


if __name__ == "__main__":
    main(sys.argv[1:])
