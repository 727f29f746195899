"""Map rendering benchmark: full-extent renders, pan/zoom frame times, whole-process ``hygis render``.

Usage::

    python benchmarks/bench_render.py            # 10k, 100k, 1M polygons
    python benchmarks/bench_render.py --quick    # 10k and 100k only

Random small polygons (50–600 m across) over the Hangzhou–Ningbo region are written once as
GeoPackages under ``benchmarks/_data/`` (git-ignored).  Prints medians and the ratio to the
QGIS 3.22 figures of issue 3 (1.3 s for 100k, 18.7 s for 1M, 20 s whole process for 1M); the
whole-process figures run ``hygis render`` in a fresh interpreter (median of 3, the child's own
peak RSS), without and with the basemap (QGIS drew the layer alone).  The scenario-switch
medians of ``bench_scenario_switch.py`` follow, against the 200 ms goal of issue 6.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(__file__).resolve().parent / "_data"
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
QGIS = {"100k": 1.3, "1M": 18.7, "1M process": 20.0}
REGION = (119.8, 29.6, 121.9, 30.5)  # lon/lat box: Hangzhou to Ningbo
WIDTH, HEIGHT = 1920, 1080


def make_polygons(n: int, seed: int = 1):
    """n random convex-ish hexagons, 50–600 m across, inside REGION (WGS84), with a class field."""
    import geopandas as gpd
    import numpy as np
    import shapely

    rng = np.random.default_rng(seed)
    lon = rng.uniform(REGION[0], REGION[2], n)
    lat = rng.uniform(REGION[1], REGION[3], n)
    r = rng.uniform(25, 300, n) / 111_000.0  # degrees
    ang = np.sort(rng.uniform(0, 2 * np.pi, (n, 6)), axis=1)
    x = lon[:, None] + r[:, None] * np.cos(ang) / np.cos(np.radians(lat[:, None]))
    y = lat[:, None] + r[:, None] * np.sin(ang)
    ring = np.stack([np.concatenate([x, x[:, :1]], 1), np.concatenate([y, y[:, :1]], 1)], axis=-1)
    geoms = shapely.polygons(ring)
    return gpd.GeoDataFrame({"cls": rng.integers(0, 5, n)}, geometry=geoms, crs="EPSG:4326")


def dataset(label: str) -> Path:
    import pyogrio

    DATA.mkdir(exist_ok=True)
    path = DATA / f"polygons_{label}.gpkg"
    if not path.exists():
        t = time.perf_counter()
        pyogrio.write_dataframe(make_polygons(SIZES[label]), path, layer="polygons")
        print(f"  wrote {path.name} in {time.perf_counter() - t:.1f} s", flush=True)
    return path


def load_layer(path: Path):
    from hygis.cli.render import read_layers

    return read_layers(path)[0]


def time_full_render(layer, repeats: int = 3) -> tuple[float, float]:
    """(first render incl. projection cache, median of ``repeats`` cold-cache renders) in seconds."""
    from hygis.project import Project
    from hygis.ui.render import render_project

    project = Project("bench")
    project.show_basemap = False
    project.layers.append(layer)
    times = []
    for _ in range(repeats):
        from hygis.ui.render.bridge import RendererSet

        t = time.perf_counter()
        render_project(project, (WIDTH, HEIGHT), renderers=RendererSet())  # new caches: full cost each time
        times.append(time.perf_counter() - t)
    return times[0], statistics.median(times)


def time_frames(layer, frames: int = 60) -> tuple[float, float]:
    """Median and 95th percentile frame time (ms) of the canvas while panning and zooming."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    from hygis.project import Project
    from hygis.ui.canvas import MapCanvas

    app = QApplication.instance() or QApplication([])
    project = Project("bench")
    project.show_basemap = False
    project.layers.append(layer)
    canvas = MapCanvas(project, show_basemap=False)
    canvas.resize(WIDTH, HEIGHT)
    canvas.show()
    app.processEvents()
    canvas.render_now()
    times = []
    for i in range(frames):
        if i % 3 == 2:
            pos = QPointF(WIDTH / 2, HEIGHT / 2)
            ev = QWheelEvent(pos, pos, QPoint(), QPoint(0, 120 if i % 6 == 2 else -120), Qt.MouseButton.NoButton,
                             Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
            canvas.wheelEvent(ev)
        else:
            canvas._set_view(canvas.view().panned(7, 3))
        t = time.perf_counter()
        canvas.repaint()  # synchronous paint of one frame
        times.append((time.perf_counter() - t) * 1000)
    canvas._timer.stop()
    canvas.dispose()
    canvas.close()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


_CHILD = ("import atexit, sys\n"
          "def _peak():\n"
          "    for line in open('/proc/self/status'):\n"
          "        if line.startswith('VmHWM'):\n"
          "            sys.stderr.write('PEAK ' + line.split()[1] + '\\n')\n"
          "atexit.register(_peak)\n"
          "import runpy\n"
          "sys.argv[0] = 'hygis'\n"
          "runpy.run_module('hygis', run_name='__main__', alter_sys=True)\n")  # = python -m hygis


def time_process(path: Path, repeats: int = 3, basemap: bool = False) -> tuple[float, float]:
    """Median wall time (s) and peak RSS (MiB, the child's own VmHWM) of a whole ``hygis render``."""
    out = DATA / "render_out.png"
    times, peaks = [], []
    args = ["render", str(path), "--out", str(out), "--size", f"{WIDTH}x{HEIGHT}"] + ([] if basemap else ["--no-basemap"])
    for _ in range(repeats):
        t = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _CHILD, *args], check=True, cwd=ROOT, capture_output=True,
                              text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        times.append(time.perf_counter() - t)
        peaks += [int(line.split()[1]) / 1024 for line in done.stderr.splitlines() if line.startswith("PEAK ")]
    return statistics.median(times), max(peaks, default=float("nan"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the 1M layer")
    args = ap.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])  # noqa: F841
    labels = ["10k", "100k"] + ([] if args.quick else ["1M"])
    rows = []
    peak_child = 0.0
    for label in labels:
        path = dataset(label)
        t = time.perf_counter()
        layer = load_layer(path)
        load = time.perf_counter() - t
        first, med = time_full_render(layer)
        qgis = QGIS.get(label)
        rows.append((f"read {label}", load, None))
        rows.append((f"full-extent render {label} (median of 3)", med, qgis))
        if label == "100k":
            fmed, f95 = time_frames(layer)
            rows.append(("pan/zoom frame 100k, median (ms)", fmed, None))
            rows.append(("pan/zoom frame 100k, 95th pct (ms)", f95, None))
        if label == "1M":
            wall, peak_child = time_process(path)
            rows.append(("hygis render 1M whole process (median of 3)", wall, QGIS["1M process"]))
            wall_bm, _ = time_process(path, basemap=True)
            rows.append(("  the same with the basemap (median of 3)", wall_bm, QGIS["1M process"]))
        del layer
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_scenario_switch import GOAL_S, measure as measure_switch

    switch = measure_switch()
    for key, name in (("warm", "scenario switch, sample project, warm (ms)"),
                      ("cold", "scenario switch, new view (ms)"),
                      ("live", "scenario switch, live canvas incl. debounce (ms)")):
        rows.append((name, statistics.median(switch[key]) * 1000, GOAL_S * 1000))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = peak_child if not args.quick else 0
    print(f"\n{'measure':48s} {'hygis':>10s} {'QGIS/goal':>10s} {'ratio':>7s}")
    for name, value, qgis in rows:
        unit = "" if "(ms)" in name else " s"
        ratio = f"{value / qgis:.2f}" if qgis else ""
        ref = (f"{qgis:.0f} ms" if unit == "" else f"{qgis:.1f} s") if qgis else ""
        print(f"{name:48s} {value:9.3f}{unit:2s} {ref:>10s} {ratio:>7s}")
    print(f"{'peak memory, benchmark process (MiB)':48s} {peak:9.0f}")
    if child:
        print(f"{'peak memory, hygis render 1M process (MiB)':48s} {child:9.0f}")
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{v:.2f}' for v in os.getloadavg())} "
          f"on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
