"""Coverage benchmark (issue 12): whole-process ``hygis analyze coverage`` against geopandas
overlay + dissolve (a fresh process too) on the same files in the same run.

Usage::

    python benchmarks/bench_coverage.py                    # 100k both kinds, 1M hygis only, median of 3
    python benchmarks/bench_coverage.py --repeats 1 --sizes 100000

Targets (``benchmarks/datasets.py``, GeoPackages under ``benchmarks/_data/``): squares scattered
over the Hangzhou–Ningbo box whose areas add up to twice the box (each point covered ~2× on
average; overlapping clusters run across district borders), and a planar tiling of the box
(land-use parcels: touching, no gaps, no overlaps).  Zones: the 90 districts of the basemap,
written to ``_data/districts.gpkg`` for both sides.

* hygis: ``python -m hygis analyze coverage TARGETS --zones districts.gpkg --by name --format csv``
* peer:  ``benchmarks/gpd_coverage.py``: read both, ``to_crs`` (equal-area), ``gpd.overlay``
  (intersection), ``dissolve(by='name')``, ``.area``

Prints medians, the speed-up, the largest per-zone relative difference (from the two outputs),
1M ÷ 100k time of hygis (linear = 10), the time ``hygis analyze`` spends before reading data, and
the load average with each line.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
import datasets  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def load() -> str:
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def zones_file() -> Path:
    path = datasets.DATA / "districts.gpkg"
    if not path.exists():
        import pyogrio

        from hygis.geo.basemap import load_basemap

        datasets.DATA.mkdir(exist_ok=True)
        pyogrio.write_dataframe(load_basemap("district")[["name", "geometry"]], path, layer="districts")
    return path


def run(cmd) -> tuple[float, str]:
    t = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=ENV)
    wall = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"{cmd[:4]} failed: {done.stderr[-800:]}")
    return wall, done.stdout


def hygis(targets: Path, zones: Path) -> tuple[float, dict]:
    wall, out = run([sys.executable, "-m", "hygis", "analyze", "coverage", str(targets), "--zones", str(zones),
                     "--by", "name", "--format", "csv"])
    rows = csv.DictReader(io.StringIO(out))
    return wall, {r["zone"]: float(r["covered_area_km2"]) for r in rows if r["zone"] != "合计"}


def peer(targets: Path, zones: Path) -> tuple[float, dict]:
    wall, out = run([sys.executable, str(HERE / "gpd_coverage.py"), str(targets), str(zones)])
    return wall, {k: float(v) for k, v in (line.split("\t") for line in out.splitlines() if "\t" in line)}


def max_rel(a: dict, b: dict) -> float:
    keys = [k for k in b if b[k] > 1e-9]
    return max((abs(a.get(k, 0.0) - b[k]) / b[k] for k in keys), default=0.0)


def startup() -> tuple[float, float]:
    """Seconds ``hygis analyze coverage`` spends before it reads data (interpreter, imports, parser),
    and a bare ``python -c pass`` in the same minute (medians of 5, interleaved)."""
    code = ("import time; t = time.perf_counter(); from hygis.cli import build_parser; "
            "build_parser(only='analyze').parse_args(['analyze', 'coverage', 'x.gpkg', '--zones', 'z.gpkg']); "
            "print(time.perf_counter() - t)")
    times, bare = [], []
    for _ in range(5):
        t = time.perf_counter()
        run([sys.executable, "-c", code])
        times.append(time.perf_counter() - t)
        t = time.perf_counter()
        run([sys.executable, "-c", "pass"])
        bare.append(time.perf_counter() - t)
    return statistics.median(times), statistics.median(bare)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--kinds", nargs="+", default=["overlap", "tiling"])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--peer-max", type=int, default=100_000, help="largest size the peer runs at")
    args = ap.parse_args(argv)
    zones = zones_file()
    ours, bare = startup()
    print(f"hygis analyze, start-up before reading data (median of 5): {ours:.2f} s (goal 0.4 s); "
          f"bare python {bare:.2f} s  load {load()}")
    print(f"{'kind':8s} {'size':>8s} {'hygis s':>8s} {'peer s':>8s} {'speed-up':>8s} {'max rel diff':>12s}  load")
    base: dict[str, float] = {}
    for kind in args.kinds:
        for n in args.sizes:
            path = datasets.coverage_dataset(kind, n)
            ours, theirs, a, b = [], [], {}, {}
            repeats = args.repeats if n <= 100_000 else 1
            for _ in range(repeats):
                wall, a = hygis(path, zones)
                ours.append(wall)
                if n <= args.peer_max:
                    wall, b = peer(path, zones)
                    theirs.append(wall)
            h = statistics.median(ours)
            if theirs:
                p = statistics.median(theirs)
                print(f"{kind:8s} {n:8d} {h:8.2f} {p:8.2f} {p / h:7.1f}× {max_rel(a, b):12.1e}  {load()}", flush=True)
            else:
                scale = f"  ({h / base[kind]:.1f}× the {min(args.sizes)} time)" if kind in base else ""
                print(f"{kind:8s} {n:8d} {h:8.2f} {'-':>8s} {'-':>8s} {'-':>12s}  {load()}{scale}", flush=True)
            base.setdefault(kind, h)
    print(f"{os.cpu_count()} cores; whole-process wall times, medians of {args.repeats} (1 at 1M)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
