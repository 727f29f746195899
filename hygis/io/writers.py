"""Exporting a vector layer (or a selection) to GeoPackage, Shapefile, GeoJSON, KML, CSV,
FlatGeobuf or GeoParquet.

The output datum can be WGS84, CGCS2000 (same coordinates, labelled EPSG:4490) or
GCJ-02/BD-09 for Amap/Baidu (converted, labelled EPSG:4326 as those tools expect; the file's
description says which datum it really is, where the format has one).  Nothing is written
over the target until the new file is complete (:mod:`hygis.io.filesets`): a Shapefile's
parts are replaced as one unit, an existing GeoPackage keeps its other layers, read-only
targets are refused.  Every step that loses something (a Shapefile's 10-byte field names
and 254-byte texts, times a Shapefile cannot hold) is reported in ``report``, or refused
unless ``allow_truncate``.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hygis.geo import crs as hcrs
from hygis.core.errors import HygisError
from hygis.core.text import Joined, Label
from hygis.io import fieldnames
from hygis.io.encoding import normalize_encoding
from hygis.io.filesets import check_writable, replace_parts, staging, write_error

#: Output formats by extension: (GDAL driver, 'CSV' or 'Parquet', human name).
EXPORT_FORMATS = {".gpkg": ("GPKG", "GeoPackage"), ".shp": ("ESRI Shapefile", "Shapefile"),
                  ".geojson": ("GeoJSON", "GeoJSON"), ".json": ("GeoJSON", "GeoJSON"),
                  ".kml": ("LIBKML", "KML"), ".csv": ("CSV", "CSV"),
                  ".fgb": ("FlatGeobuf", "FlatGeobuf"), ".parquet": ("Parquet", "GeoParquet")}
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
#: Parts of an older Shapefile that would not match the new one (spatial indexes, metadata).
SHAPEFILE_STALE = (".qix", ".sbn", ".sbx", ".cpg", ".prj", ".shp.xml", ".aih", ".ain", ".atx", ".fix")
#: What a GCJ-02/BD-09 file says about itself (its CRS label says WGS84, as the web maps expect).
DATUM_NOTES = {"gcj02": Label("coordinates are in GCJ-02 (Amap/Gaode, Tencent), not WGS84, although labelled EPSG:4326"),
               "bd09": Label("coordinates are in BD-09 (Baidu), not WGS84, although labelled EPSG:4326")}


def export_format(path: Path) -> tuple[str, str]:
    ext = path.suffix.lower()
    if ext not in EXPORT_FORMATS:
        raise HygisError("{file}: cannot export to '{value}' (use one of {value2})",
                         file=path.name, value=ext or '(no extension)', value2=', '.join(EXPORT_FORMATS))
    return EXPORT_FORMATS[ext]


def frame_for_export(layer, datum: str = "wgs84", fids=None) -> gpd.GeoDataFrame:
    """The layer's features (or those in ``fids``) in the output datum, with its CRS label."""
    data = layer.data
    if fids is not None:
        fids = [int(f) for f in fids]
        missing = [f for f in fids if f not in data.index]
        if missing:
            raise HygisError("{layer_name} has no features with fid {value}",
                             layer_name=layer.name, value=missing[:5])
        data = data.loc[fids]
    datum = hcrs.normalize_datum(datum)
    geoms = hcrs.wgs84_to_datum(data.geometry.to_numpy(), datum)
    out = gpd.GeoDataFrame(data.drop(columns=[data.geometry.name]).reset_index(drop=True),
                           geometry=gpd.GeoSeries(geoms, crs=hcrs.datum_crs(datum)))
    for col in out.columns:  # object columns of mixed values become text
        if col != "geometry" and out[col].dtype == object:
            out[col] = out[col].map(lambda v: v if v is None or isinstance(v, str) or pd.isna(v)
                                    or _is_date(v) else str(v))
    return _dates_as_dates(out)


def _is_date(value) -> bool:
    import datetime

    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def _dates_as_dates(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Date-time columns that hold whole days only become dates (a Shapefile Date, a GeoPackage DATE)."""
    for col in gdf.columns:
        s = gdf[col]
        if col == "geometry" or not pd.api.types.is_datetime64_dtype(s):
            continue
        valid = s.dropna()
        if len(valid) and (valid == valid.dt.normalize()).all():
            gdf[col] = pd.Series([v.date() if not pd.isna(v) else None for v in s], index=s.index, dtype=object)
    return gdf


def _has_dates(gdf) -> bool:
    return any(gdf[c].dtype == object and gdf[c].map(_is_date).any() for c in gdf.columns if c != "geometry")


def check_encodable(gdf: gpd.GeoDataFrame, encoding: str, layer_name: str) -> None:
    """Refuse text the output encoding cannot hold, naming the feature and the field."""
    offer = Label("; export as UTF-8 or GB18030 (CLI: --encoding gb18030)" if encoding == "gbk" else "; export as UTF-8")
    for col in gdf.columns:
        if col == "geometry":
            continue
        try:
            str(col).encode(encoding)
        except UnicodeEncodeError:
            raise HygisError("{layer_name}: field name '{col}' cannot be written in {encoding}{offer}",
                             layer_name=layer_name, col=col, encoding=encoding.upper(), offer=offer) from None
        if gdf[col].dtype == object or pd.api.types.is_string_dtype(gdf[col]):
            for pos, value in enumerate(gdf[col]):
                if isinstance(value, str):
                    try:
                        value.encode(encoding)
                    except UnicodeEncodeError as exc:
                        bad = value[exc.start:exc.end]
                        raise HygisError("{layer_name}: feature {n} field '{col}': '{text}' has '{bad}', which {encoding} "
                                         "cannot hold{offer}", layer_name=layer_name, n=pos + 1, col=col,
                                         text=value[:60], bad=bad, encoding=encoding.upper(), offer=offer) from None


def csv_table(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """Points as lon/lat columns (first), other geometries -- or points whose layer has fields named
    like coordinates -- as a WKT column, which the importer prefers; a null geometry is an empty cell."""
    from hygis.io.csvpoints import LAT_NAMES, LON_NAMES, WKT_NAMES

    geoms = gdf.geometry.to_numpy()
    attrs = pd.DataFrame(gdf.drop(columns=["geometry"]))
    lower = {str(c).lower() for c in attrs.columns}
    types = shapely.get_type_id(geoms)
    present = types >= 0
    if present.any() and np.all(types[present] == 0) and not lower & set(LON_NAMES + LAT_NAMES + WKT_NAMES):
        coords = pd.DataFrame({"lon": shapely.get_x(geoms), "lat": shapely.get_y(geoms)})
        coords[~present] = np.nan
        return pd.concat([coords, attrs], axis=1)
    free = [n for n in WKT_NAMES if n not in lower]
    if not free:
        raise HygisError("cannot write the geometry: the layer has fields named {value}",
                         value=', '.join(WKT_NAMES))
    return pd.concat([pd.DataFrame({free[0]: shapely.to_wkt(geoms, rounding_precision=-1)}), attrs], axis=1)


#: Formats that hold lon/lat only (GeoJSON RFC 7946, KML; hygis' CSV writes lon/lat columns).
LONLAT_ONLY = ("CSV", "GeoJSON", "LIBKML")


def _to_output_crs(gdf, crs, datum: str, driver: str, human: str):
    """The export frame in the chosen CRS (the CRS picker's choice; None keeps the datum's lon/lat)."""
    target = hcrs.parse_crs(crs)
    if datum in ("gcj02", "bd09"):
        raise HygisError("{value} coordinates are lon/lat: export them without a coordinate system, or choose "
                         "WGS84/CGCS2000 for {crs}",
                         value=datum.upper().replace('GCJ', 'GCJ-').replace('BD', 'BD-'), crs=crs)
    if driver in LONLAT_ONLY and not target.is_geographic:
        raise HygisError("{human} holds lon/lat only: choose GeoPackage, Shapefile, FlatGeobuf or GeoParquet for {value}",
                         human=human, value=target.to_string())
    return gdf.to_crs(target)


def _write_csv(gdf, staged: Path, encoding: str, target: Path) -> dict[Path, Path]:
    enc = "utf-8-sig" if encoding == "utf-8" else encoding
    # no float_format: pandas writes the shortest text that reads back as the same float (repr)
    csv_table(gdf).to_csv(staged / target.name, index=False, encoding=enc)
    return {target: staged / target.name}


def _pyogrio_write(gdf, path: Path, target: Path, **kw) -> None:
    import pyogrio

    if _has_dates(gdf):
        kw["use_arrow"] = True  # numpy writes dates as text; Arrow's date32 becomes a Date field
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            pyogrio.write_dataframe(gdf, path, **kw)
    except Exception as exc:  # noqa: BLE001 - GDAL's write errors (pyogrio, OSError ...) become one line
        raise write_error(target, exc) from exc


def _write_gdal(gdf, staged: Path, target: Path, driver: str, layer_name: str, note: str | None) -> dict[Path, Path]:
    out = staged / f"layer{target.suffix.lower()}"
    options = {"DESCRIPTION": note} if note else {}
    if driver == "GeoJSON":
        options["COORDINATE_PRECISION"] = 15  # enough for the doubles a layer holds
    if driver == "FlatGeobuf":
        options["TITLE"] = layer_name
        options["SPATIAL_INDEX"] = "NO"  # the index sorts features (Hilbert order): keep the layer's order
    _pyogrio_write(gdf, out, target, driver=driver, layer=layer_name, layer_options=options)
    return {target: out}


def _write_geopackage(gdf, staged: Path, target: Path, layer_name: str, note: str | None) -> dict[Path, Path]:
    """Into a copy of an existing GeoPackage (its other layers kept; a layer of the same name replaced)."""
    import pyogrio

    out = staged / "layer.gpkg"
    if target.exists():
        with open(target, "rb") as f:
            is_sqlite = f.read(16) == b"SQLite format 3\x00"
        try:
            if not is_sqlite:
                raise ValueError
            pyogrio.list_layers(target)
        except Exception:
            raise HygisError("{target_name} exists and is not a GeoPackage: choose another name (it was left unchanged)",
                             target_name=target.name) from None
        try:
            shutil.copy2(target, out)
        except OSError as exc:
            raise write_error(target, exc) from exc
    options = {"DESCRIPTION": note} if note else {}
    _pyogrio_write(gdf, out, target, driver="GPKG", layer=layer_name, layer_options=options)
    return {target: out}


def _write_parquet(gdf, staged: Path, target: Path, note: str | None) -> dict[Path, Path]:
    out = staged / "layer.parquet"
    try:
        gdf.to_parquet(out, index=False)
        if note:  # GeoParquet's ``geo`` metadata has no description: a key of our own says it
            import pyarrow.parquet as pq

            table = pq.read_table(out)
            meta = dict(table.schema.metadata or {})
            meta[b"description"] = note.encode()
            pq.write_table(table.replace_schema_metadata(meta), out)
    except (OSError, ValueError, TypeError) as exc:
        raise write_error(target, exc) from exc
    return {target: out}


def _write_shapefile(gdf, staged: Path, target: Path, encoding: str) -> dict[Path, Path]:
    from hygis.layers.vector import geometry_family

    if geometry_family(gdf.geom_type) == "mixed":
        raise HygisError("{target_name}: a shapefile holds one geometry type but this layer mixes them; export as "
                         "GeoPackage or GeoJSON",
                         target_name=target.name)
    label = {"utf-8": "UTF-8", "gbk": "GBK", "gb18030": "GB18030"}.get(encoding, encoding.upper())
    out = staged / f"{target.stem}.shp"
    _pyogrio_write(gdf, out, target, driver="ESRI Shapefile", encoding=label)
    (staged / f"{target.stem}.cpg").write_text(label, encoding="ascii")
    return {target.with_suffix(ext): staged / f"{target.stem}{ext}"
            for ext in SHAPEFILE_PARTS if (staged / f"{target.stem}{ext}").exists()}


def shapefile_frame(gdf: gpd.GeoDataFrame, encoding: str, allow_truncate: bool, layer_name: str,
                    report: list) -> gpd.GeoDataFrame:
    """The frame as a DBF can hold it: long names cut and made unique, long texts cut, times as text;
    refused (naming what) unless ``allow_truncate``; every loss goes to ``report``."""
    attrs = [c for c in gdf.columns if c != "geometry"]
    names = fieldnames.shapefile_field_names(attrs, encoding)
    texts = fieldnames.long_texts(gdf[attrs], encoding)
    if (names or texts) and not allow_truncate:
        what = []
        if names:
            what.append(Label("field names longer than 10 bytes: {names}",
                              names=", ".join(f"{a} → {b}" for a, b in names.items())))
        for col, pos in texts.items():
            what.append(Label("field '{col}' has {n} text(s) longer than 254 bytes (feature {first}…)",
                              col=col, n=len(pos), first=pos[0] + 1))
        raise HygisError("{layer_name}: a shapefile would cut {value}; allow it (CLI: --allow-truncate) or export "
                         "as GeoPackage",
                         layer_name=layer_name, value=Joined(what))
    gdf = gdf.copy()
    for col, pos in texts.items():
        gdf[col] = gdf[col].map(lambda v: fieldnames.cut_bytes(v, fieldnames.DBF_TEXT_BYTES, encoding)
                                if isinstance(v, str) else v)
        report.append(Label("field '{col}': {n} text(s) cut to 254 bytes (features {features})", col=col,
                            n=len(pos), features=", ".join(str(p + 1) for p in pos[:10]) + ("…" if len(pos) > 10 else "")))
    if names:
        report.append(Label("shapefile field names cut to 10 bytes: {names}",
                            names=", ".join(f"{a} → {b}" for a, b in names.items())))
    for col in attrs:
        if pd.api.types.is_datetime64_any_dtype(gdf[col]):
            report.append(Label("field '{col}' holds times of day, which a shapefile cannot: written as text", col=col))
        elif pd.api.types.is_integer_dtype(gdf[col]) and gdf[col].dropna().map(lambda v: len(str(int(v)))).ge(19).any():
            report.append(Label("field '{col}' holds integers 19 characters wide (sign included): a shapefile stores "
                                "them, but most tools (GDAL too) read such wide fields back as decimals; use "
                                "GeoPackage to keep them exact", col=col))
    return gdf.rename(columns=names)


def _verify(new: dict[Path, Path], target: Path, driver: str, layer_name: str | None, expected: int) -> None:
    """Read the staged file back before it replaces anything: some drivers (LIBKML) report no write
    errors, so a full disk would otherwise leave truncated XML announced as a success."""
    import pyogrio

    from hygis.core.atomic import space_reason

    staged = new.get(target, next(iter(new.values())))
    try:
        if driver == "CSV":
            return  # pandas raises on every failed write
        if driver == "Parquet":
            import pyarrow.parquet as pq

            count = pq.read_metadata(staged).num_rows
        else:
            count = pyogrio.read_info(staged, layer=layer_name, force_feature_count=True)["features"]
    except Exception:  # noqa: BLE001 - any failure to read it back means it is broken
        count = -1
    if count != expected:
        reason = space_reason(target.parent, OSError("incomplete")) or \
            f"the written file is incomplete ({max(count, 0)} of {expected} features read back)"
        raise HygisError("Cannot export to {target_name}: {reason}. The previous file is unchanged.",
                         target_name=target.name, reason=reason)


def write_layer(layer, path, datum: str = "wgs84", encoding: str = "utf-8", fids=None,
                allow_truncate: bool = False, report: list | None = None, crs=None) -> Path:
    """Export a vector layer; see :func:`hygis.io.export_layer`."""
    path = Path(path)
    driver, human = export_format(path)
    if path.is_symlink():  # replace the file the link points to, not the link
        path = path.resolve()
    report = report if report is not None else []
    if layer.kind == "raster":
        raise HygisError("{layer_name} is a raster layer: only vector layers can be exported",
                         layer_name=layer.name)
    parts = [path.with_suffix(e) for e in SHAPEFILE_PARTS + SHAPEFILE_STALE] if driver == "ESRI Shapefile" else [path]
    check_writable(path, parts)
    enc = normalize_encoding(encoding)
    if enc not in ("utf-8", "gbk", "gb18030"):
        raise HygisError("Unsupported output encoding '{encoding}': use utf-8, gbk or gb18030",
                         encoding=encoding)
    if enc != "utf-8" and driver not in ("ESRI Shapefile", "CSV"):
        raise HygisError("{human} is always UTF-8; GBK/GB18030 output is for Shapefile and CSV", human=human)
    datum = hcrs.normalize_datum(datum)
    note = DATUM_NOTES.get(datum)
    gdf = frame_for_export(layer, datum, fids)
    if crs not in (None, ""):
        gdf = _to_output_crs(gdf, crs, datum, driver, human)
    if len(gdf) == 0:
        raise HygisError("{layer_name}: nothing to export (no features selected)", layer_name=layer.name)
    check_encodable(gdf, enc, layer.name)
    if driver == "ESRI Shapefile":
        gdf = shapefile_frame(gdf, enc, allow_truncate, layer.name, report)
    from hygis.project.lock import project_lock

    # one export into a path at a time: two into one GeoPackage would each copy it and the later
    # replacement would drop the other's layer (the lock is the one replace_parts takes)
    with project_lock(path.with_suffix(".shp") if driver == "ESRI Shapefile" else path):
        with staging(path) as staged:
            try:
                if driver == "CSV":
                    new = _write_csv(gdf, staged, enc, path)
                elif driver == "ESRI Shapefile":
                    new = _write_shapefile(gdf, staged, path, enc)
                elif driver == "GPKG":
                    new = _write_geopackage(gdf, staged, path, layer.name, note)
                elif driver == "Parquet":
                    new = _write_parquet(gdf, staged, path, note)
                else:
                    new = _write_gdal(gdf, staged, path, driver, layer.name, note)
            except OSError as exc:  # the disk filled up, the folder went away ...
                raise write_error(path, exc) from exc
            _verify(new, path, driver, layer.name if driver == "GPKG" else None, len(gdf))
            stale = [path.with_suffix(e) for e in SHAPEFILE_STALE if path.with_suffix(e) not in new] \
                if driver == "ESRI Shapefile" else []
            replace_parts(new, stale)
    if note:
        where = Label("the file's description says so") if driver in ("GPKG", "GeoJSON", "LIBKML", "FlatGeobuf",
                                                                     "Parquet") \
            else Label("a {format} cannot record this, so tell whoever uses it", format=human)
        report.append(Label("{note} ({where})", note=note, where=where))
    return path
