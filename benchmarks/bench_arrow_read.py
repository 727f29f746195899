"""The drawing fast path's reader: flat arrays from GDAL's Arrow stream against shapely objects.

Usage::

    python benchmarks/bench_arrow_read.py              # 1M squares 2–10 px (benchmarks/datasets.py)
    python benchmarks/bench_arrow_read.py --set lines

Prints the import time of nanoarrow and pyarrow (fresh interpreters, median of 5) and the
time (wall and CPU, median of 3) to read a layer with :func:`hygis.io.flatread.read_flat_layer`
(nanoarrow + the numpy WKB decoder of :mod:`hygis.io.wkb`, no shapely objects) and with
``pyogrio.read_dataframe(use_arrow=True)`` (a GeoDataFrame of shapely geometries), checking
that both read the same coordinates.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def import_ms(module: str, runs: int = 5) -> float | None:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = []
    for _ in range(runs):
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if res.returncode != 0:
            return None
        times.append(float(res.stdout) * 1000)
    return statistics.median(times)


def timed(fn, *args, runs: int = 3):
    walls, cpus, out = [], [], None
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        out = fn(*args)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), out


def main() -> None:
    import numpy as np
    import pyogrio
    import shapely

    import datasets
    from hygis.io.flatread import read_flat_layer

    parser = argparse.ArgumentParser()
    parser.add_argument("--set", default="px2_10", choices=["subpx", "px2_10", "px10_50", "tiling", "lines", "points"])
    args = parser.parse_args()
    n = 200_000 if args.set == "points" else 1_000_000
    path = datasets.render_dataset(args.set, n)
    print(f"import nanoarrow: {import_ms('nanoarrow'):.0f} ms")
    pa_ms = import_ms("pyarrow")
    print(f"import pyarrow:   {pa_ms:.0f} ms" if pa_ms is not None else "import pyarrow:   (not installed)")
    wall, cpu, flat = timed(read_flat_layer, path, None, "bench")
    print(f"{args.set} ({n}): flat arrays {wall:.2f} s wall, {cpu:.2f} s CPU")
    if pa_ms is not None:
        wall, cpu, frame = timed(lambda: pyogrio.read_dataframe(path, use_arrow=True))
        ref = shapely.get_coordinates(frame.geometry.to_numpy())
        same = np.array_equal(ref, np.column_stack([flat.flat.x, flat.flat.y]))
        print(f"{args.set} ({n}): shapely objects {wall:.2f} s wall, {cpu:.2f} s CPU (same coordinates: {same})")


if __name__ == "__main__":
    main()
