"""Coverage benchmark: hygis ``coverage_by_zone`` against geopandas overlay + dissolve.

Run from the repository root::

    python benchmarks/bench_coverage.py            # 10k, 100k, 1M polygons
    python benchmarks/bench_coverage.py --sizes 10000 100000 --repeats 3

Workload: N random small polygons (octagons of radius 50–500 m, random rotation,
centres uniform inside Zhejiang) against the 90 districts of the basemap
(``hygis.geo.basemap.load_basemap('district')``; a 9×10 grid over 118–123°E,
27–31.2°N if the basemap is missing).  Both sides start from WGS84 frames
and end with the covered area (km², equal-area projection) of every district:

* hygis:    ``coverage_by_zone(targets, zones)``
* baseline: ``to_crs(EQUAL_AREA)``, ``gpd.overlay(targets, zones, how='intersection')``,
            ``.dissolve(by='name')``, ``.area``

The script prints the median time of each side, the speed-up and the largest
per-zone relative difference of the covered areas.  The baseline is skipped
for sizes where it is expected to take more than ``--max-baseline`` seconds
(extrapolated linearly from the previous size, which underestimates it).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hygis.geo import crs as hcrs  # noqa: E402
from hygis.analysis.coverage import TOTAL_LABEL, coverage_by_zone  # noqa: E402


def load_zones() -> gpd.GeoDataFrame:
    """The 90 districts, or a 9×10 grid over Zhejiang's bounding box without the basemap."""
    try:
        from hygis.geo.basemap import load_basemap

        return load_basemap("district")[["name", "geometry"]]
    except Exception as exc:  # noqa: BLE001 - any failure: fall back to the grid
        print(f"(basemap unavailable: {exc}; using a 9×10 grid)")
    xs, ys = np.linspace(118, 123, 10), np.linspace(27, 31.2, 11)
    cells = [(f"格{i}-{j}", shapely.box(xs[i], ys[j], xs[i + 1], ys[j + 1])) for i in range(9) for j in range(10)]
    return gpd.GeoDataFrame({"name": [c[0] for c in cells]}, geometry=[c[1] for c in cells], crs=hcrs.WGS84)


def random_polygons(n: int, zones: gpd.GeoDataFrame, seed: int = 0,
                    radius_m: tuple[float, float] = (50.0, 500.0)) -> gpd.GeoDataFrame:
    """``n`` random octagons (WGS84) with centres uniformly distributed inside the zones."""
    rng = np.random.default_rng(seed)
    area = shapely.union_all(zones.geometry.to_numpy())
    shapely.prepare(area)
    x0, y0, x1, y1 = area.bounds
    cx, cy = np.empty(0), np.empty(0)
    while len(cx) < n:
        x, y = rng.uniform(x0, x1, 2 * n), rng.uniform(y0, y1, 2 * n)
        inside = shapely.contains_xy(area, x, y)
        cx, cy = np.r_[cx, x[inside]], np.r_[cy, y[inside]]
    cx, cy = cx[:n], cy[:n]
    r = rng.uniform(*radius_m, n) / 111_320.0
    angles = rng.uniform(0, 2 * np.pi, n)[:, None] + np.linspace(0, 2 * np.pi, 9)[None, :]
    angles[:, -1] = angles[:, 0]
    x = cx[:, None] + r[:, None] * np.cos(angles) / np.cos(np.radians(cy))[:, None]
    y = cy[:, None] + r[:, None] * np.sin(angles)
    return gpd.GeoDataFrame({"id": np.arange(n)}, geometry=shapely.polygons(np.stack([x, y], -1)), crs=hcrs.WGS84)


def baseline(targets: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> dict[str, float]:
    """Covered km² per zone via geopandas overlay + dissolve (what QGIS users do)."""
    t = targets.to_crs(hcrs.EQUAL_AREA)
    z = zones.to_crs(hcrs.EQUAL_AREA)
    pieces = gpd.overlay(t, z, how="intersection")
    dissolved = pieces.dissolve(by="name")
    return (dissolved.area / 1e6).to_dict()


def ours(targets: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> dict[str, float]:
    result = coverage_by_zone(targets, zones, by="name")
    result = result[result["zone"] != TOTAL_LABEL]
    return dict(zip(result["zone"], result["covered_area_km2"]))


def timed(func, *args, repeats: int):
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = func(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def max_relative_difference(a: dict[str, float], b: dict[str, float]) -> float:
    keys = [k for k in b if b[k] > 1e-9]
    return max((abs(a.get(k, 0.0) - b[k]) / b[k] for k in keys), default=0.0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3, help="runs per side (the median is reported)")
    parser.add_argument("--max-baseline", type=float, default=180.0,
                        help="skip the baseline when its expected time exceeds this many seconds")
    args = parser.parse_args(argv)

    zones = load_zones()
    print(f"zones: {len(zones)}; polygons: octagons r=50–500 m inside the zones; median of {args.repeats} runs")
    print(f"{'polygons':>10} {'hygis s':>9} {'baseline s':>11} {'speed-up':>9} {'max diff %':>11}")
    last_rate = None  # baseline seconds per polygon at the previous size
    for n in args.sizes:
        targets = random_polygons(n, zones, seed=n)
        repeats = args.repeats if n <= 100_000 else 1
        t_ours, ours_km2 = timed(ours, targets, zones, repeats=repeats)
        expected = last_rate * n if last_rate else 0.0
        if expected > args.max_baseline:
            print(f"{n:>10} {t_ours:>9.2f} {'skipped':>11} {'-':>9} {'-':>11}"
                  f"   (baseline expected > {expected:.0f} s)")
            continue
        t_base, base_km2 = timed(baseline, targets, zones, repeats=min(repeats, 3 if n <= 10_000 else 2))
        last_rate = t_base / n
        diff = max_relative_difference(ours_km2, base_km2) * 100
        print(f"{n:>10} {t_ours:>9.2f} {t_base:>11.2f} {t_base / t_ours:>8.1f}× {diff:>11.2e}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
