"""Exporting a vector layer (or a selection) to GeoPackage, Shapefile, GeoJSON, KML or CSV.

The output datum can be WGS84, CGCS2000 (same coordinates, labelled EPSG:4490)
or GCJ-02/BD-09 for Amap/Baidu (converted, labelled EPSG:4326 as those tools
expect).  Writes go to a temporary file beside the target, then replace it, so
a failed export never leaves a half-written file (a Shapefile's parts are
replaced one by one).
"""

from __future__ import annotations

import os
import tempfile
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hygis.geo import crs as hcrs
from hygis.core.errors import HygisError
from hygis.io.encoding import normalize_encoding
from hygis.io.readers import gdal_errors

#: Output formats by extension: (GDAL driver or 'CSV', human name).
EXPORT_FORMATS = {".gpkg": ("GPKG", "GeoPackage"), ".shp": ("ESRI Shapefile", "Shapefile"),
                  ".geojson": ("GeoJSON", "GeoJSON"), ".json": ("GeoJSON", "GeoJSON"),
                  ".kml": ("KML", "KML"), ".csv": ("CSV", "CSV")}
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def export_format(path: Path) -> tuple[str, str]:
    ext = path.suffix.lower()
    if ext not in EXPORT_FORMATS:
        raise HygisError(f"{path.name}: cannot export to '{ext or '(no extension)'}' "
                         f"(use one of {', '.join(EXPORT_FORMATS)})")
    return EXPORT_FORMATS[ext]


def frame_for_export(layer, datum: str = "wgs84", fids=None) -> gpd.GeoDataFrame:
    """The layer's features (or those in ``fids``) in the output datum, with its CRS label."""
    data = layer.data
    if fids is not None:
        fids = [int(f) for f in fids]
        missing = [f for f in fids if f not in data.index]
        if missing:
            raise HygisError(f"{layer.name} has no features with fid {missing[:5]}")
        data = data.loc[fids]
    datum = hcrs.normalize_datum(datum)
    geoms = hcrs.wgs84_to_datum(data.geometry.to_numpy(), datum)
    out = gpd.GeoDataFrame(data.drop(columns=[data.geometry.name]).reset_index(drop=True),
                           geometry=gpd.GeoSeries(geoms, crs=hcrs.datum_crs(datum)))
    for col in out.columns:  # object columns of mixed values become text
        if col != "geometry" and out[col].dtype == object:
            out[col] = out[col].map(lambda v: v if v is None or isinstance(v, str) or pd.isna(v) else str(v))
    return out


def _check_encodable(gdf: gpd.GeoDataFrame, encoding: str, layer_name: str) -> None:
    for col in gdf.columns:
        if col == "geometry":
            continue
        try:
            str(col).encode(encoding)
        except UnicodeEncodeError:
            raise HygisError(f"field name '{col}' cannot be written in {encoding.upper()}; export as UTF-8") from None
        if gdf[col].dtype == object or pd.api.types.is_string_dtype(gdf[col]):
            for pos, value in enumerate(gdf[col]):
                if isinstance(value, str):
                    try:
                        value.encode(encoding)
                    except UnicodeEncodeError:
                        raise HygisError(f"{layer_name}: feature {pos + 1} field '{col}': '{value}' cannot be "
                                         f"written in {encoding.upper()}; export as UTF-8") from None


def _temp_path(path: Path, suffix: str) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".hygis-export{suffix}", dir=path.parent)
    os.close(fd)
    os.unlink(name)  # GDAL drivers want to create the file themselves
    return Path(name)


def _replace(tmp: Path, path: Path) -> None:
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_csv(gdf: gpd.GeoDataFrame, path: Path, encoding: str) -> None:
    """Points as lon/lat columns (first), other geometries as a ``wkt`` column; UTF-8 gets a BOM for Excel."""
    geoms = gdf.geometry.to_numpy()
    attrs = pd.DataFrame(gdf.drop(columns=["geometry"]))
    types = shapely.get_type_id(geoms)
    if len(geoms) and np.all(types == 0):
        lon_name = "lon" if "lon" not in attrs.columns else "lon_1"
        lat_name = "lat" if "lat" not in attrs.columns else "lat_1"
        table = pd.concat([pd.DataFrame({lon_name: shapely.get_x(geoms), lat_name: shapely.get_y(geoms)}), attrs], axis=1)
    else:
        table = pd.concat([pd.DataFrame({"wkt": shapely.to_wkt(geoms, rounding_precision=-1)}), attrs], axis=1)
    enc = "utf-8-sig" if encoding == "utf-8" else encoding
    tmp = _temp_path(path, ".csv")
    try:
        table.to_csv(tmp, index=False, encoding=enc, float_format="%.10g")
        _replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_single(gdf: gpd.GeoDataFrame, path: Path, driver: str, layer_name: str) -> None:
    import pyogrio

    tmp = _temp_path(path, path.suffix)
    try:
        with gdal_errors(path, "write"):
            kw = {"layer": layer_name} if driver in ("GPKG", "KML") else {}
            if driver == "GeoJSON":
                kw["layer_options"] = {"COORDINATE_PRECISION": 10}
            pyogrio.write_dataframe(gdf, tmp, driver=driver, **kw)
        _replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_shapefile(gdf: gpd.GeoDataFrame, path: Path, encoding: str) -> None:
    """A shapefile with a .cpg naming its encoding (UTF-8, or GBK for old tools)."""
    import pyogrio
    from hygis.layers.vector import geometry_family

    family = geometry_family(gdf.geom_type)
    if family == "mixed":
        raise HygisError(f"{path.name}: a shapefile holds one geometry type but this layer mixes them; "
                         "export as GeoPackage or GeoJSON")
    label = {"utf-8": "UTF-8", "gbk": "GBK", "gb18030": "GB18030"}.get(encoding, encoding.upper())
    tmpdir = Path(tempfile.mkdtemp(prefix=f".{path.stem}.", suffix=".hygis-export", dir=path.parent))
    try:
        tmp = tmpdir / f"{path.stem}.shp"
        with gdal_errors(path, "write"):
            pyogrio.write_dataframe(gdf, tmp, driver="ESRI Shapefile", encoding=label)
        (tmpdir / f"{path.stem}.cpg").write_text(label, encoding="ascii")
        for ext in SHAPEFILE_PARTS:
            target = path.with_suffix(ext)
            src = tmpdir / f"{path.stem}{ext}"
            if src.exists():
                os.replace(src, target)
            else:
                target.unlink(missing_ok=True)  # a stale part of an older shapefile
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def write_layer(layer, path, datum: str = "wgs84", encoding: str = "utf-8", fids=None) -> Path:
    """Export a vector layer; see :func:`hygis.io.export_layer`."""
    path = Path(path)
    driver, _ = export_format(path)
    if layer.kind == "raster":
        raise HygisError(f"{layer.name} is a raster layer: only vector layers can be exported")
    if not path.parent.is_dir():
        raise HygisError(f"No such folder: {path.parent}")
    enc = normalize_encoding(encoding)
    if enc not in ("utf-8", "gbk", "gb18030"):
        raise HygisError(f"Unsupported output encoding '{encoding}': use utf-8 or gbk")
    if enc != "utf-8" and driver not in ("ESRI Shapefile", "CSV"):
        raise HygisError(f"{EXPORT_FORMATS[path.suffix.lower()][1]} is always UTF-8; "
                         "GBK output is for Shapefile and CSV")
    gdf = frame_for_export(layer, datum, fids)
    if len(gdf) == 0:
        raise HygisError(f"{layer.name}: nothing to export (no features selected)")
    _check_encodable(gdf, enc, layer.name)
    if driver == "CSV":
        write_csv(gdf, path, enc)
    elif driver == "ESRI Shapefile":
        write_shapefile(gdf, path, enc)
    else:
        write_single(gdf, path, driver, layer.name)
    return path
