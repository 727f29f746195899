"""Benchmark data: every distribution the speed goals of issue 12 name, written once as GeoPackages.

All in WGS84 over the Hangzhou–Ningbo box :data:`REGION` (≈ 203 × 100 km; at 1920×1080 one
pixel is ≈ 110 m).  Files go to ``benchmarks/_data/`` (git-ignored) and are reused.

Render sets (``render_dataset(kind, n)``):

* ``subpx``   — squares 20–90 m wide (sub-pixel at full extent), random rotation;
* ``px2_10``  — squares 220 m–1.1 km (2–10 px);
* ``px10_50`` — squares 1.1–5.5 km (10–50 px);
* ``tiling``  — a planar tiling: a jittered grid of quads sharing their vertices (no gaps, no
  overlaps), ≈ 1000 × 1000 cells for 1M (cells ≈ 2 × 1 px);
* ``lines``   — polylines of 4 vertices, 300 m–3 km long;
* ``points``  — points with a ``name`` text field (labelled).

Coverage sets (``coverage_dataset(kind, n)``), against the 90 districts:

* ``overlap`` — squares scattered over the box, sized so that their areas add up to twice
  the box area (each point covered ~2× on average: clusters percolate across districts);
* ``tiling``  — a planar tiling of the box with ``n`` cells.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "_data"
REGION = (119.8, 29.6, 121.9, 30.5)  # lon/lat box: Hangzhou to Ningbo
KM_PER_DEG_LAT = 111.32
SIZES_M = {"subpx": (20.0, 90.0), "px2_10": (220.0, 1100.0), "px10_50": (1100.0, 5500.0)}


def _squares(n: int, side_m: np.ndarray, rng, region=REGION):
    import shapely

    lon = rng.uniform(region[0], region[2], n)
    lat = rng.uniform(region[1], region[3], n)
    half = side_m / 2 / (KM_PER_DEG_LAT * 1000)
    ang = rng.uniform(0, np.pi / 2, n)[:, None] + np.arange(5)[None, :] * (np.pi / 2) + np.pi / 4
    k = np.sqrt(2) * half[:, None]
    x = lon[:, None] + k * np.cos(ang) / np.cos(np.radians(lat[:, None]))
    y = lat[:, None] + k * np.sin(ang)
    x[:, 4], y[:, 4] = x[:, 0], y[:, 0]
    return shapely.polygons(np.stack([x, y], -1))


def tiling(n: int, rng, region=REGION, planar: bool = False):
    """About ``n`` quads tiling ``region``: a grid whose inner vertices are jittered (shared by
    the four cells around them), so the cells touch exactly, with no gaps or overlaps.
    ``planar``: ``region`` is in planar units (no cos(latitude) for the aspect)."""
    import shapely

    w, h = region[2] - region[0], region[3] - region[1]
    aspect = w / h if planar else (w * np.cos(np.radians((region[1] + region[3]) / 2))) / h
    ny = max(1, int(round(np.sqrt(n / aspect))))
    nx = max(1, int(round(n / ny)))
    gx = np.linspace(region[0], region[2], nx + 1)
    gy = np.linspace(region[1], region[3], ny + 1)
    X, Y = np.meshgrid(gx, gy, indexing="ij")
    jx, jy = (gx[1] - gx[0]) * 0.3, (gy[1] - gy[0]) * 0.3
    X[1:-1, 1:-1] += rng.uniform(-jx, jx, (nx - 1, ny - 1))
    Y[1:-1, 1:-1] += rng.uniform(-jy, jy, (nx - 1, ny - 1))
    i, j = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    i, j = i.ravel(), j.ravel()
    ci = np.stack([i, i + 1, i + 1, i, i], 1)
    cj = np.stack([j, j, j + 1, j + 1, j], 1)
    return shapely.polygons(np.stack([X[ci, cj], Y[ci, cj]], -1))


def _lines(n: int, rng):
    import shapely

    lon = rng.uniform(REGION[0], REGION[2], n)
    lat = rng.uniform(REGION[1], REGION[3], n)
    step = rng.uniform(100, 1000, n)[:, None] / (KM_PER_DEG_LAT * 1000)
    ang = rng.uniform(0, 2 * np.pi, n)[:, None] + np.cumsum(rng.normal(0, 0.5, (n, 3)), 1)
    x = np.concatenate([lon[:, None], lon[:, None] + np.cumsum(step * np.cos(ang), 1)], 1)
    y = np.concatenate([lat[:, None], lat[:, None] + np.cumsum(step * np.sin(ang), 1)], 1)
    return shapely.linestrings(np.stack([x, y], -1))


def _frame(geoms, rng, names: bool = False):
    import geopandas as gpd

    n = len(geoms)
    cols = {"cls": rng.integers(0, 5, n)}
    if names:
        cols["name"] = np.char.add("站点", np.arange(n).astype(str))
    return gpd.GeoDataFrame(cols, geometry=geoms, crs="EPSG:4326")


def _write(path: Path, make) -> Path:
    import pyogrio

    DATA.mkdir(exist_ok=True)
    if not path.exists():
        t = time.perf_counter()
        tmp = path.with_suffix(".tmp.gpkg")
        pyogrio.write_dataframe(make(), tmp, layer=path.stem)
        tmp.rename(path)
        print(f"  wrote {path.name} in {time.perf_counter() - t:.1f} s", flush=True)
    return path


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k"


def render_dataset(kind: str, n: int, seed: int = 1) -> Path:
    """The GeoPackage of ``n`` features of ``kind`` (see the module docstring)."""
    def make():
        rng = np.random.default_rng(seed)
        if kind in SIZES_M:
            return _frame(_squares(n, rng.uniform(*SIZES_M[kind], n), rng), rng)
        if kind == "tiling":
            return _frame(tiling(n, rng), rng)
        if kind == "lines":
            return _frame(_lines(n, rng), rng)
        if kind == "points":
            import shapely

            pts = shapely.points(rng.uniform(REGION[0], REGION[2], n), rng.uniform(REGION[1], REGION[3], n))
            return _frame(pts, rng, names=True)
        raise ValueError(kind)

    return _write(DATA / f"render_{kind}_{label(n)}.gpkg", make)


#: Coverage region: the Hangzhou–Ningbo box (spans ~20 of the 90 districts).
COVER_REGION = REGION


def overlap_side_m(n: int, depth: float = 2.0, region=COVER_REGION) -> float:
    """Square side (m) such that ``n`` squares add up to ``depth`` × the region's area."""
    w = (region[2] - region[0]) * KM_PER_DEG_LAT * 1000 * np.cos(np.radians((region[1] + region[3]) / 2))
    h = (region[3] - region[1]) * KM_PER_DEG_LAT * 1000
    return float(np.sqrt(depth * w * h / n))


def coverage_frame(kind: str, n: int, seed: int = 0):
    """``n`` coverage targets of ``kind`` ('overlap' or 'tiling') as a WGS84 GeoDataFrame."""
    rng = np.random.default_rng(seed)
    if kind == "overlap":
        side = overlap_side_m(n)
        geoms = _squares(n, rng.uniform(0.5, 1.5, n) * side, rng, COVER_REGION)
    elif kind == "tiling":
        geoms = tiling(n, rng, COVER_REGION)
    else:
        raise ValueError(kind)
    return _frame(geoms, rng)


def coverage_dataset(kind: str, n: int, seed: int = 0) -> Path:
    return _write(DATA / f"coverage_{kind}_{label(n)}.gpkg", lambda: coverage_frame(kind, n, seed))
