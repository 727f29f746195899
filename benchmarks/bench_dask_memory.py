"""Dask engine memory benchmark (issue 13): peak memory per worker stays flat as the input grows.

The input grows the way a province-wide layer does: more area, the same density.  Each size is a
strip of ``k`` 0.5°×0.5° zones (8×k of them, districts of about 2,500 km²) holding 2,500
overlapping polygons per zone, written as a GeoParquet folder of 2,500-feature files in Hilbert
order.  For each size a fresh ``distributed.LocalCluster`` with 2 worker *processes* (1 thread
each) runs ``hygis.analysis.engines.dask_engine.coverage``; the peak resident memory of each
worker process (``VmHWM``, its own high-water mark) is read from the workers afterwards.  One size is also checked
against the in-process ``coverage_by_zone`` (largest relative difference printed).

Usage::

    python benchmarks/bench_dask_memory.py                 # 10k, 40k, 160k features
    python benchmarks/bench_dask_memory.py --sizes 10000 20000
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PER_ZONE = 2_500
FILE_ROWS = 2_500


def make_data(n: int, folder: Path, seed: int = 1):
    import dask_geopandas

    zones_n = max(1, n // PER_ZONE)
    cols = 8
    rows = -(-zones_n // cols)
    cells = [(118.0 + 0.5 * (i % cols), 27.0 + 0.5 * (i // cols)) for i in range(zones_n)]
    zones = gpd.GeoDataFrame({"name": [f"z{i:04d}" for i in range(zones_n)]},
                             geometry=[shapely.box(x, y, x + 0.5, y + 0.5) for x, y in cells], crs=4326)
    rng = np.random.default_rng(seed)
    cell = rng.integers(0, zones_n, n)
    x = np.array([c[0] for c in cells])[cell] + rng.uniform(0, 0.5, n)
    y = np.array([c[1] for c in cells])[cell] + rng.uniform(0, 0.5, n)
    r = rng.uniform(0.002, 0.01, n)
    targets = gpd.GeoDataFrame({"k": np.arange(n)}, geometry=shapely.buffer(shapely.points(x, y), r, quad_segs=4),
                               crs=4326)
    targets = targets.iloc[np.argsort(targets.hilbert_distance(), kind="stable")].reset_index(drop=True)
    path = folder / f"targets_{n}"
    dask_geopandas.from_geopandas(targets, npartitions=max(1, n // FILE_ROWS)).to_parquet(str(path))
    return zones, targets, path, rows


def _peak_rss_mb() -> float:
    """This process's own peak resident memory (``VmHWM``).  Not ``ru_maxrss``: Linux carries that
    over fork and exec, so a worker spawned by a driver holding the test data would report the
    driver's peak (which grows with the input) instead of its own."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run(n: int, folder: Path, check: bool):
    import distributed

    from hygis.analysis.engines import dask_engine

    zones, targets, path, _ = make_data(n, folder)
    del_targets = targets if check else None
    del targets
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit="3GiB",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        t0 = time.perf_counter()
        result = dask_engine.coverage(path, zones, client=client)
        seconds = time.perf_counter() - t0
        peaks = sorted(client.run(_peak_rss_mb).values())
    diff = None
    if check:
        from hygis.analysis.coverage import coverage_by_zone

        expected = coverage_by_zone(del_targets, zones)
        a = result["covered_area_km2"].to_numpy()
        b = expected["covered_area_km2"].to_numpy()
        diff = float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-12)))
    files = len(list(path.glob("*.parquet")))
    return dict(n=n, zones=len(zones), files=files, seconds=seconds, peaks=peaks, diff=diff,
                covered=float(result["covered_area_km2"].iloc[-1]))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 40_000, 160_000])
    args = ap.parse_args(argv)
    print(f"{'features':>9} {'zones':>6} {'files':>6} {'time s':>8} {'worker peak RSS MB':>22} {'max rel diff':>13}")
    with tempfile.TemporaryDirectory(prefix="hygis-bench-dask-") as tmp:
        for i, n in enumerate(args.sizes):
            r = run(n, Path(tmp), check=(i == 0))
            peaks = " / ".join(f"{p:.0f}" for p in r["peaks"])
            diff = f"{r['diff']:.1e}" if r["diff"] is not None else "-"
            print(f"{r['n']:>9} {r['zones']:>6} {r['files']:>6} {r['seconds']:>8.1f} {peaks:>22} {diff:>13}",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
