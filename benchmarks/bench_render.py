"""Map rendering benchmark (issue 12): whole-process ``hygis render`` against QGIS 3.22 on the same
files in the same run, for every distribution; in-app first draw and pan/zoom frames.

Usage::

    python benchmarks/bench_render.py                 # all sets, median of 3
    python benchmarks/bench_render.py --repeats 1 --sets px2_10 tiling

Data (``benchmarks/datasets.py``, written once under ``benchmarks/_data/``, git-ignored): 1M
polygons sub-pixel / 2–10 px / 10–50 px at full extent, a 1M-cell planar tiling, 1M lines, 200k
labelled points.  The QGIS peer is ``benchmarks/qgis_render.py`` run by Debian's
``/usr/bin/python3`` (python3-qgis): a fresh process that opens the same GeoPackage, draws it
1920×1080 over its extent with default symbology and writes a PNG — as ``hygis render`` does
(``--no-basemap``; hygis also draws legend, scale bar and north arrow).  Every figure is a median
of whole-process wall times, printed with the load average at the time: the machine is shared.
hygis' modules are byte-compiled first (``compileall``), as in an installed package (Debian's QGIS
Python modules are compiled too).
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
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
import datasets  # noqa: E402

WIDTH, HEIGHT = 1920, 1080
QGIS_PYTHON = "/usr/bin/python3"
SETS = {"subpx": 1_000_000, "px2_10": 1_000_000, "px10_50": 1_000_000, "tiling": 1_000_000,
        "lines": 1_000_000, "points": 200_000}
GOAL_RATIO = 0.3

_CHILD = ("import atexit, sys\n"
          "_labels = []\n"
          "def _peak():\n"
          "    for line in open('/proc/self/status'):\n"
          "        if line.startswith('VmHWM'):\n"
          "            sys.stderr.write('PEAK ' + line.split()[1] + '\\n')\n"
          "    if _labels:\n"
          "        sys.stderr.write('LABELS %d\\n' % sum(_labels))\n"
          "atexit.register(_peak)\n"
          "def _count_labels():\n"  # how many labels hygis drew (like-for-like with QGIS)
          "    from hygis.ui.render import labels\n"
          "    draw = labels.LabelSet.draw\n"
          "    def counted(self, *a, **k):\n"
          "        n = draw(self, *a, **k)\n"
          "        _labels.append(n)\n"
          "        return n\n"
          "    labels.LabelSet.draw = counted\n"
          "if '--count-labels' in sys.argv:\n"
          "    sys.argv.remove('--count-labels')\n"
          "    _count_labels()\n"
          "import runpy\n"
          "sys.argv[0] = 'hygis'\n"
          "runpy.run_module('hygis', run_name='__main__', alter_sys=True)\n")  # = python -m hygis


def load() -> str:
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def points_project(path: Path) -> Path:
    """A .hygis project showing the points labelled by their name (hygis labels need a style)."""
    out = path.with_suffix(".hygis")
    if not out.exists():
        from hygis.cli.render import read_layers
        from hygis.layers.style import Style
        from hygis.project import Project
        from hygis.project.fileformat import save_project

        layer = read_layers(path)[0]
        layer.style = Style(fill="#d7301f", stroke="#ffffff", marker="circle", size=4, label_field="name")
        project = Project("points")
        project.show_basemap = False
        project.layers.append(layer)
        save_project(project, out)
    return out


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _labels_drawn(stderr: str) -> int | None:
    got = [int(line.split()[1]) for line in stderr.splitlines() if line.startswith("LABELS ")]
    return got[-1] if got else None


def run_hygis(path: Path, out: Path, count_labels: bool = False) -> tuple[float, float, float, int | None]:
    """(wall s, CPU s, peak RSS MiB, labels drawn) of one whole ``hygis render`` process."""
    t, c = time.perf_counter(), _children_cpu()
    done = subprocess.run([sys.executable, "-c", _CHILD, "render", str(path), "--out", str(out), "--size",
                           f"{WIDTH}x{HEIGHT}", "--no-basemap"] + (["--count-labels"] if count_labels else []),
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall, cpu = time.perf_counter() - t, _children_cpu() - c
    if done.returncode != 0:
        raise SystemExit(f"hygis render failed: {done.stderr[-500:]}")
    peaks = [int(line.split()[1]) / 1024 for line in done.stderr.splitlines() if line.startswith("PEAK ")]
    return wall, cpu, max(peaks, default=float("nan")), _labels_drawn(done.stderr)


def run_qgis(path: Path, out: Path, labels: str | None, timeout: float) -> tuple[float, float, int | None]:
    """(wall s, CPU s, labels placed) of one QGIS process (``inf`` s when it is still drawing after
    ``timeout``)."""
    out.unlink(missing_ok=True)
    t, c = time.perf_counter(), _children_cpu()
    try:
        done = subprocess.run([QGIS_PYTHON, str(HERE / "qgis_render.py"), str(path), str(out)]
                              + (["--labels", labels] if labels else []), capture_output=True, text=True,
                              env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")},
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return float("inf"), float("inf"), None
    wall, cpu = time.perf_counter() - t, _children_cpu() - c
    if done.returncode != 0 or not out.exists():
        raise SystemExit(f"QGIS render failed: {done.stderr[-500:]}")
    return wall, cpu, _labels_drawn(done.stderr)


def in_app(path: Path, frames: int = 40) -> tuple[float, float, float]:
    """(first full draw s and CPU s incl. projection cache, median pan/zoom frame ms, 95th pct ms, median
    frame CPU ms, reading s) in the canvas."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    from hygis.cli.render import read_layers
    from hygis.core.memory import reuse_freed_memory
    from hygis.project import Project
    from hygis.ui.canvas import MapCanvas

    reuse_freed_memory()  # as hygis.ui.app.create_app does before any thread starts
    app = QApplication.instance() or QApplication([])
    project = Project("bench")
    project.show_basemap = False
    t = time.perf_counter()
    project.layers.append(read_layers(path)[0])
    read = time.perf_counter() - t
    canvas = MapCanvas(project, show_basemap=False)
    canvas.resize(WIDTH, HEIGHT)
    canvas.show()
    app.processEvents()
    canvas._timer.stop()
    if canvas._pending is not None:
        raise SystemExit("the canvas drew in the background before the timed first draw")
    # the canvas's first full draw of the layer, projection cache included (what the app does on open)
    t, c = time.perf_counter(), time.process_time()
    canvas.render_now()
    first, first_cpu = time.perf_counter() - t, time.process_time() - c
    times, cpus = [], []
    for i in range(frames):
        if i % 3 == 2:
            pos = QPointF(WIDTH / 2, HEIGHT / 2)
            ev = QWheelEvent(pos, pos, QPoint(), QPoint(0, 120 if i % 6 == 2 else -120), Qt.MouseButton.NoButton,
                             Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
            canvas.wheelEvent(ev)
        else:
            canvas._set_view(canvas.view().panned(7, 3))
        t, c = time.perf_counter(), time.thread_time()
        canvas.repaint()  # synchronous paint of one frame
        times.append((time.perf_counter() - t) * 1000)
        cpus.append((time.thread_time() - c) * 1000)
    canvas._timer.stop()
    canvas.dispose()
    canvas.close()
    times.sort()
    return (first, first_cpu, statistics.median(times), times[int(len(times) * 0.95) - 1], statistics.median(cpus),
            read)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    ap.add_argument("--no-app", action="store_true", help="skip the in-app first draw / frame timings")
    ap.add_argument("--app-only", action="store_true", help="only the in-app first draw / frame timings")
    ap.add_argument("--qgis-timeout", type=float, default=900.0, help="give up on a QGIS run after this many s")
    args = ap.parse_args()
    # hygis' bytecode, as an installed package has it (pip compiles at install time): with
    # PYTHONDONTWRITEBYTECODE set, every run would compile hygis' modules from source (~0.07 s of CPU)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "hygis")], check=True, capture_output=True)
    out_dir = datasets.DATA
    rows = []
    print(f"{'set':10s} {'hygis s':>8s} {'QGIS s':>8s} {'ratio':>6s} {'goal':>5s} {'CPU s':>12s} {'CPU ratio':>9s} "
          f"{'peak MiB':>9s}  load (1/5/15 min)")
    for name in [] if args.app_only else args.sets:
        path = datasets.render_dataset(name, SETS[name])
        target = points_project(path) if name == "points" else path
        ours, theirs, peaks, cpu_ours, cpu_theirs, drawn = [], [], [], [], [], [None, None]
        for _ in range(args.repeats):  # interleaved: both see the same load
            wall, cpu, peak, n_ours = run_hygis(target, out_dir / f"out_hygis_{name}.png", name == "points")
            ours.append(wall)
            cpu_ours.append(cpu)
            peaks.append(peak)
            q_wall, q_cpu, n_theirs = run_qgis(path, out_dir / f"out_qgis_{name}.png",
                                               "name" if name == "points" else None, args.qgis_timeout)
            theirs.append(q_wall)
            cpu_theirs.append(q_cpu)
            drawn = [n_ours, n_theirs]
        h, q = statistics.median(ours), statistics.median(theirs)
        hc, qc = statistics.median(cpu_ours), statistics.median(cpu_theirs)
        ok = "yes" if h <= GOAL_RATIO * q else "NO"
        qs = f"{q:8.2f}" if q != float("inf") else f">{args.qgis_timeout:7.0f}"
        print(f"{name:10s} {h:8.2f} {qs} {h / q:6.2f} {ok:>5s} {hc:5.2f}/{qc:6.2f} {hc / qc:9.2f} {max(peaks):9.0f}  "
              f"{load()}  (walls {', '.join(f'{v:.1f}' for v in ours)} / {', '.join(f'{v:.1f}' for v in theirs)})",
              flush=True)
        if name == "points":
            theirs_n = drawn[1] if drawn[1] is not None else "(did not finish)"
            print(f"           labels drawn: hygis {drawn[0]}, QGIS {theirs_n}", flush=True)
        rows.append((name, h, q))
    if not args.no_app:
        for name in ("px2_10", "tiling"):
            first, first_cpu, med, p95, med_cpu, read = in_app(datasets.render_dataset(name, SETS[name]))
            print(f"in app, {name} 1M: reading {read:.2f} s, then first full draw {first:.2f} s ({first_cpu:.2f} s "
                  f"CPU; goal 1 s); pan/zoom frame median {med:.1f} ms ({med_cpu:.1f} ms CPU), 95th pct {p95:.1f} ms "
                  f"(goal 16 ms)  load {load()}", flush=True)
    print(f"{os.cpu_count()} cores; medians of {args.repeats} whole-process runs, hygis and QGIS interleaved")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
