"""Population weighting of a coverage result: a zone attribute or a raster under the cover.

* Attribute: the zone's value (e.g. 常住人口) is assumed spread uniformly over the
  zone, so the covered part is value × covered area / zone area.
* Raster: pixel values whose centres fall inside the zone (and under the cover)
  are summed (rasterio ``geometry_mask``, ``all_touched=False``); nodata and NaN
  pixels count 0.  The raster is read band 1, window by window, in its own CRS.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from hygis.geo import crs as hcrs
from hygis.core.errors import HygisError


def add_weights(result: pd.DataFrame, zones, codes, zone_geoms, cover, weights, fb) -> pd.DataFrame:
    """Add ``weight_total``, ``weight_covered`` and ``weight_share_pct`` to a coverage result.

    Parameters
    ----------
    result : DataFrame from :func:`hygis.analysis.coverage.coverage_by_zone` (zones + total row).
    zones : GeoDataFrame of the zones (rows in the order of ``codes``).
    codes : ndarray, zone group per zone row.
    zone_geoms : ndarray, zone rows in the equal-area CRS.
    cover : (group per part, parts) covered geometry parts in the equal-area CRS.
    weights : str (zone field) or RasterLayer / path of a raster.
    """
    n = len(result) - 1
    if isinstance(weights, str) and weights in zones.columns:
        total = _attribute_totals(zones, weights, codes, n)
        share = result["covered_area_km2"].to_numpy()[:n] / np.where(
            result["zone_area_km2"].to_numpy()[:n] > 0, result["zone_area_km2"].to_numpy()[:n], np.inf)
        covered = total * share
    else:
        total, covered = _raster_totals(weights, codes, zone_geoms, cover, n, fb)
    out = result.copy()
    out["weight_total"] = np.r_[total, total.sum()]
    out["weight_covered"] = np.r_[covered, covered.sum()]
    t = out["weight_total"].to_numpy()
    out["weight_share_pct"] = np.divide(out["weight_covered"].to_numpy() * 100.0, t,
                                        out=np.zeros(len(t)), where=t > 0)
    return out


def _attribute_totals(zones, field, codes, n) -> np.ndarray:
    values = pd.to_numeric(zones[field], errors="coerce")
    if values.isna().all() and len(values):
        raise HygisError("weight field '{field}' has no numbers", field=field)
    return np.bincount(codes, weights=values.fillna(0).to_numpy(float), minlength=n)


@contextmanager
def _open_raster(source):
    import rasterio
    from rasterio.io import MemoryFile

    if hasattr(source, "content"):  # a hygis RasterLayer: its embedded GeoTIFF bytes
        with MemoryFile(source.content) as mem, mem.open() as ds:
            yield ds
        return
    path = Path(source)
    if not path.exists():
        raise HygisError("weights: '{source}' is neither a zone field nor a raster file", source=source)
    try:
        ds = rasterio.open(path)
    except rasterio.errors.RasterioError as exc:
        raise HygisError("Cannot read raster {file}: {reason}", file=path.name, reason=exc) from None
    with ds:
        if ds.crs is None:
            raise HygisError("Raster {file} has no coordinate reference system", file=path.name)
        yield ds


def _pixel_window(win, full):
    """``win`` grown to whole pixels and clipped to the raster (None when outside it)."""
    from rasterio.windows import Window

    col0, row0 = int(np.floor(win.col_off)), int(np.floor(win.row_off))
    col1, row1 = int(np.ceil(win.col_off + win.width)), int(np.ceil(win.row_off + win.height))
    col0, row0 = max(col0, 0), max(row0, 0)
    col1, row1 = min(col1, int(full.width)), min(row1, int(full.height))
    if col1 <= col0 or row1 <= row0:
        return None
    return Window(col0, row0, col1 - col0, row1 - row0)


def _raster_totals(source, codes, zone_geoms, cover, n, fb):
    from rasterio.features import geometry_mask
    from rasterio.windows import Window, from_bounds

    part_group, parts = cover
    total, covered = np.zeros(n), np.zeros(n)
    with _open_raster(source) as ds:
        dst = ds.crs.to_wkt()
        zones_r = hcrs.project_geoms(zone_geoms, hcrs.EQUAL_AREA, dst)
        parts_r = hcrs.project_geoms(parts, hcrs.EQUAL_AREA, dst) if len(parts) else parts
        full = Window(0, 0, ds.width, ds.height)
        for g in range(n):
            fb.check()
            zone = shapely.union_all(zones_r[codes == g])
            if zone.is_empty:
                continue
            win = _pixel_window(from_bounds(*zone.bounds, transform=ds.transform), full)
            if win is None:  # the zone lies outside the raster
                continue
            data = ds.read(1, window=win, masked=True).astype(float).filled(0.0)
            data[~np.isfinite(data)] = 0.0
            transform = ds.window_transform(win)
            inside = ~geometry_mask([zone], out_shape=data.shape, transform=transform)
            total[g] = data[inside].sum()
            mine = parts_r[part_group == g]
            if len(mine):
                under = ~geometry_mask(list(mine), out_shape=data.shape, transform=transform) & inside
                covered[g] = data[under].sum()
    return total, covered
