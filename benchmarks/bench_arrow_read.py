"""The drawing fast path's reader: GDAL's Arrow stream read with nanoarrow, against pyarrow.

Usage::

    python benchmarks/bench_arrow_read.py          # 1M simple polygons (benchmarks/_data/polygons_1M.gpkg)
    python benchmarks/bench_arrow_read.py --n 100k

Prints the import time of nanoarrow and pyarrow (fresh interpreters, median of 5) and the
time (wall and CPU, median of 3) to read the polygons' coordinates and numeric columns from
the stream with :func:`hygis.io.readers._read_arrow_polygons` (nanoarrow) and with the same
numpy code over pyarrow buffers (pyarrow only when installed), checking both read the same.
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


def read_with_pyarrow(path: Path, layer):
    import numpy as np
    import pyarrow as pa
    import pyogrio

    from hygis.io.readers import simple_polygon_coords

    coords, npts, parts = [], [], {}
    with pyogrio.open_arrow(path, layer=layer, use_pyarrow=True) as (meta, reader):
        schema = reader.schema
        gi = schema.get_field_index(meta.get("geometry_name") or "wkb_geometry")
        odt = "<i8" if pa.types.is_large_binary(schema.field(gi).type) else "<i4"
        wanted = [i for i, f in enumerate(schema) if i != gi and (pa.types.is_integer(f.type)
                                                                   or pa.types.is_floating(f.type))]
        parts = {i: [] for i in wanted}
        for batch in reader:
            col = batch.column(gi)
            buffers = col.buffers()
            offsets = np.frombuffer(buffers[1], odt)[col.offset:col.offset + len(col) + 1].astype(np.int64)
            got = simple_polygon_coords(np.frombuffer(buffers[2], np.uint8), offsets)
            coords.append(got[0])
            npts.append(got[1])
            for i in wanted:
                parts[i].append(batch.column(i).to_numpy())
    return (np.concatenate(coords), np.concatenate(npts),
            {schema.field(i).name: np.concatenate(p) for i, p in parts.items()})


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

    from bench_render import SIZES, dataset
    from hygis.io.readers import _read_arrow_polygons

    parser = argparse.ArgumentParser()
    parser.add_argument("--n", default="1M", choices=sorted(SIZES))
    args = parser.parse_args()
    path = dataset(args.n)
    print(f"import nanoarrow: {import_ms('nanoarrow'):.0f} ms")
    pa_ms = import_ms("pyarrow")
    print(f"import pyarrow:   {pa_ms:.0f} ms" if pa_ms is not None else "import pyarrow:   (not installed)")
    wall, cpu, ref = timed(_read_arrow_polygons, path, None)
    print(f"{args.n} polygons via nanoarrow: {wall:.2f} s wall, {cpu:.2f} s CPU ({len(ref[1])} features)")
    if pa_ms is not None:
        wall, cpu, other = timed(read_with_pyarrow, path, None)
        same = np.array_equal(ref[0], other[0]) and np.array_equal(ref[1], other[1])
        print(f"{args.n} polygons via pyarrow:   {wall:.2f} s wall, {cpu:.2f} s CPU (same result: {same})")


if __name__ == "__main__":
    main()
