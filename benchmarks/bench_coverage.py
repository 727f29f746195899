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

hygis' modules are byte-compiled first (``compileall``), as in an installed package.

Prints medians of wall and CPU seconds (user + system of all threads: the steadier figure when
other jobs share the cores), the speed-ups, the largest per-zone relative difference (from the two
outputs), 1M ÷ 100k time of hygis (linear = 10), what ``hygis analyze coverage`` spends before it
opens its first data file (wall and CPU), and the load average with each line.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
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


#: CPU seconds (user + system, all threads) of the last finished child, set by :func:`run`.
LAST_CPU = [0.0]


def run(cmd) -> tuple[float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=ENV)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    LAST_CPU[0] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
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


#: Runs ``hygis analyze coverage`` until it opens the first data file, then prints the process's
#: CPU seconds and exits: what the command spends before reading data (interpreter, imports, parser).
UNTIL_READ = """
import os, resource, sqlite3, sys
def stop(*a, **k):
    r = resource.getrusage(resource.RUSAGE_SELF)
    print(r.ru_utime + r.ru_stime, flush=True)
    os._exit(0)
sqlite3.connect = stop
from hygis.cli import main
main(sys.argv[1:])
"""


def startup(targets: Path, zones: Path) -> tuple[float, float, float, float]:
    """Wall and CPU seconds of ``hygis analyze coverage`` up to opening its first data file (the
    whole process: interpreter, imports, parser), and of a bare ``python -c pass`` in the same
    minute (medians of 5, interleaved)."""
    walls, cpus, bare_w, bare_c = [], [], [], []
    for _ in range(5):
        wall, _ = run([sys.executable, "-c", UNTIL_READ, "analyze", "coverage", str(targets), "--zones", str(zones),
                       "--by", "name", "--format", "csv"])
        walls.append(wall)
        cpus.append(LAST_CPU[0])
        wall, _ = run([sys.executable, "-c", "pass"])
        bare_w.append(wall)
        bare_c.append(LAST_CPU[0])
    med = statistics.median
    return med(walls), med(cpus), med(bare_w), med(bare_c)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--kinds", nargs="+", default=["overlap", "tiling"])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--peer-max", type=int, default=100_000, help="largest size the peer runs at")
    args = ap.parse_args(argv)
    # hygis' bytecode, as an installed package has it (pip compiles at install time; geopandas' is
    # in site-packages): with PYTHONDONTWRITEBYTECODE set, every run would compile hygis' modules
    # from source (~0.03 s of CPU per process)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "hygis")], check=True, capture_output=True)
    zones = zones_file()
    wall, cpu, bare_w, bare_c = startup(datasets.coverage_dataset(args.kinds[0], min(args.sizes)), zones)
    print(f"hygis analyze coverage, start-up before reading data (median of 5): {wall:.2f} s wall, {cpu:.2f} s CPU "
          f"(goal 0.4 s); bare python {bare_w:.2f} s wall, {bare_c:.2f} s CPU  load {load()}")
    print(f"{'kind':8s} {'size':>8s} {'hygis s':>8s} {'peer s':>8s} {'speed-up':>8s} {'hygis CPU':>9s} {'peer CPU':>9s} "
          f"{'CPU ratio':>9s} {'max rel diff':>12s}  load")
    base: dict[str, float] = {}
    for kind in args.kinds:
        for n in args.sizes:
            path = datasets.coverage_dataset(kind, n)
            ours, theirs, our_cpu, their_cpu, a, b = [], [], [], [], {}, {}
            repeats = args.repeats if n <= 100_000 else 1
            for _ in range(repeats):
                wall, a = hygis(path, zones)
                ours.append(wall)
                our_cpu.append(LAST_CPU[0])
                if n <= args.peer_max:
                    wall, b = peer(path, zones)
                    theirs.append(wall)
                    their_cpu.append(LAST_CPU[0])
            h, hc = statistics.median(ours), statistics.median(our_cpu)
            if theirs:
                p, pc = statistics.median(theirs), statistics.median(their_cpu)
                print(f"{kind:8s} {n:8d} {h:8.2f} {p:8.2f} {p / h:7.1f}× {hc:9.2f} {pc:9.2f} {pc / hc:8.1f}× "
                      f"{max_rel(a, b):12.1e}  {load()}", flush=True)
            else:
                scale = (f"  ({h / base[kind][0]:.1f}× the {min(args.sizes)} wall time, "
                         f"{hc / base[kind][1]:.1f}× its CPU time)" if kind in base else "")
                print(f"{kind:8s} {n:8d} {h:8.2f} {'-':>8s} {'-':>8s} {hc:9.2f} {'-':>9s} {'-':>9s} {'-':>12s}  "
                      f"{load()}{scale}", flush=True)
            base.setdefault(kind, (h, hc))
    print(f"{os.cpu_count()} cores; whole-process wall and CPU (user + system, all threads) seconds, medians of "
          f"{args.repeats} (1 at 1M)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
