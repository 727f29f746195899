"""Data exchange: import files as hygis layers, export layers to files.

``load_layers`` reads GeoPackage, Shapefile (also zipped), GeoJSON, KML, CSV (lon/lat or
WKT columns), FlatGeobuf, GeoParquet, File Geodatabase folders, DXF drawings and GeoTIFF
rasters (with world files); it converts to WGS84 (applying the
GCJ-02/BD-09 datum of Chinese web maps when told), detects Shapefile/CSV text
encodings, maps fields onto a thematic schema and reports (or repairs) invalid
geometries.  ``export_layer`` writes a layer or a selection back out in the
datum and encoding old tools need.  The menu, drag-and-drop and ``hygis
import``/``export`` all go through these functions; nothing here imports Qt.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio

from hygis.geo import crs as hcrs
from hygis.core.errors import HygisError
from hygis.core.text import Label
from hygis.io import readers
from hygis.io.fieldnames import check_map_target, layer_name, safe_field_names
from hygis.io.csvpoints import csv_to_frame, detect_coordinate_columns, detect_wkt_column, read_table
from hygis.io.readers import DXF_FAMILY_SUFFIX, file_format
from hygis.io.values import apply_values
from hygis.io.writers import EXPORT_FORMATS, write_layer
from hygis.layers.schema import SCHEMAS, schema_for
from hygis.layers.validity import check_geometries, describe_problems, repair_geometries

__all__ = ["load_layers", "export_layer", "preview_vector", "suggest_field_map", "EXPORT_FORMATS",
           "IMPORT_FORMATS"]

IMPORT_FORMATS = {**readers.VECTOR_FORMATS, **readers.RASTER_FORMATS}


def load_layers(path, layer: str | None = None, encoding: str | None = None, datum: str = "wgs84", crs=None,
                as_kind: str | None = None, field_map: dict | None = None, *, name: str | None = None,
                lon: str | None = None, lat: str | None = None, repair: bool = False, refuse_invalid: bool = False,
                values: dict | None = None, constants: dict | None = None) -> list:
    """Read a file as hygis layers (nothing is added to a project: the caller does that).

    Parameters
    ----------
    path : a .gpkg, .shp, .zip/.shp.zip, .geojson/.json, .kml, .csv, .fgb, .parquet, .dxf or .tif/.tiff
        file, or a .gdb File Geodatabase folder.
    layer : one layer of a multi-layer file (GeoPackage); None imports them all.
    encoding : text encoding of a Shapefile/CSV; None detects it (.cpg, DBF code page, trial decoding).
    datum : 'wgs84' (also CGCS2000), 'gcj02' (Amap/Tencent) or 'bd09' (Baidu): the datum of the
        lon/lat coordinates, converted to WGS84.
    crs : the coordinate system of data that has none (DXF drawings, x/y CSVs, rasters placed by a
        world file), e.g. 'EPSG:4549'; it overrides a vector file's own CRS.
    as_kind : import as a thematic kind (corridor, ftz, coastline, enclave, heritage): fields are
        renamed by ``field_map`` ({source: schema field}) and validated (errors name field and feature).
    name : layer name (default: the file's/layer's name).
    lon, lat : coordinate columns of a CSV (default: detected from their names).
    values : {field: {value in the file: value}} rewritten after the renaming (产业飞地 → industry).
    constants : {field: value} set on every feature (text converted to a schema field's type).
    repair : repair invalid geometries (shapely.make_valid) instead of only reporting them.
    refuse_invalid : raise a HygisError naming the invalid geometries left (after ``repair``)
        instead of importing them with a warning (the CLI's default).

    Returns
    -------
    list of VectorLayer (WGS84) / RasterLayer.  Each layer has ``import_warnings`` (list of
    one-line messages: invalid geometries, renamed fields, a shortened name, a world file used) and ``import_problems`` (DataFrame fid, reason).

    Raises
    ------
    HygisError for anything wrong with the file or the options (one clear line).
    """
    from hygis.layers.raster import RasterLayer

    path = Path(path)
    readers.check_file(path)
    kind = file_format(path)
    if as_kind is not None:
        schema_for(as_kind)  # refuses unknown kinds
    if kind == "raster":
        if as_kind not in (None, "raster"):
            raise HygisError("{file} is a raster; it cannot be imported as a {as_kind} layer",
                             file=path.name, as_kind=as_kind)
        if hcrs.normalize_datum(datum) not in ("wgs84", "cgcs2000"):
            raise HygisError("{file}: datum conversion (GCJ-02/BD-09) applies to vector data only",
                             file=path.name)
        from hygis.io.sources import raster_content

        content, notes = raster_content(path, crs)
        label, note = layer_name(name or path.stem)
        raster = RasterLayer(label, content, source=path.name)
        raster.import_warnings = notes + ([note] if note else [])
        return [raster]
    if as_kind == "raster":
        raise HygisError("{file} is vector data, not a raster", file=path.name)
    as_kind = None if as_kind == "vector" else as_kind
    datum = hcrs.normalize_datum(datum)
    if path.suffix.lower() == ".zip":
        from hygis.io.sources import unzipped_shapefiles

        with unzipped_shapefiles(path) as shps:
            frames = []
            for shp in shps:
                for label, gdf in _read_frames(shp, None, encoding, crs, lon, lat, as_kind, zipped=path):
                    frames.append((_zip_label(path) if len(shps) == 1 else label, gdf))
            if layer is not None:
                frames = [f for f in frames if f[0] == layer] or _no_layer(path, layer, [f[0] for f in frames])
    else:
        frames = _read_frames(path, layer, encoding, crs, lon, lat, as_kind)
    layers = []
    for layer_label, gdf in frames:
        label = name if name and len(frames) == 1 else (f"{name} {layer_label}" if name else layer_label)
        label, note = layer_name(label)
        gdf = _to_wgs84(gdf, crs, datum, path, layer_label)
        out = _make_layer(label, gdf, as_kind, field_map, repair, path, refuse_invalid, values, constants)
        out.import_warnings[:0] = [note] if note else []
        layers.append(out)
    return layers


def _zip_label(path: Path) -> str:
    stem = path.stem
    return stem[:-4] if stem.lower().endswith(".shp") else stem


def _no_layer(path: Path, layer: str, names) -> list:
    raise HygisError("{file} has no layer '{layer}' (layers: {value})",
                     file=path.name, layer=layer, value=', '.join(names))


def _read_frames(path: Path, layer, encoding, crs, lon, lat, as_kind,
                 zipped: Path | None = None) -> list[tuple[str, gpd.GeoDataFrame]]:
    ext = path.suffix.lower()
    if zipped is not None:
        readers.check_file(path)
    if ext == ".csv":
        if layer is not None and layer != path.stem:
            raise HygisError("{file} is one table (layer '{stem}'); --layer chooses a layer of a GeoPackage or File "
                             "Geodatabase",
                             file=path.name, stem=path.stem)
        return [(path.stem, csv_to_frame(path, encoding, lon, lat, crs))]
    names = readers.vector_layer_names(path)
    if layer is not None:
        if layer not in names:
            raise HygisError("{file} has no layer '{layer}' (layers: {value})",
                             file=path.name, layer=layer, value=', '.join(names))
        names = [layer]
    frames = []
    for lname in names:
        gdf = readers.read_vector(path, lname, encoding)
        label = lname if ext in (".gpkg", ".gdb") or len(names) > 1 else path.stem
        if ext == ".dxf":
            parts = readers.split_by_family(gdf)
            if as_kind is not None:
                fam = SCHEMAS[as_kind].geometry
                if fam not in parts:
                    raise HygisError("{file} has no {fam} entities for a {as_kind} layer",
                                     file=path.name, fam=fam, as_kind=as_kind)
                parts = {fam: parts[fam]}
            if len(parts) > 1:
                frames.extend((f"{label} {DXF_FAMILY_SUFFIX[f]}", part) for f, part in parts.items())
                continue
            gdf = next(iter(parts.values()), gdf)
        frames.append((label, gdf))
    if sum(len(g) for _, g in frames) == 0:
        raise HygisError("{name} has no features to import", name=(zipped or path).name)
    return frames


def _to_wgs84(gdf: gpd.GeoDataFrame, crs, datum: str, path: Path, layer_name: str) -> gpd.GeoDataFrame:
    where = f"{path.name} layer '{layer_name}'" if path.suffix.lower() == ".gpkg" else path.name
    if crs is not None:
        gdf = gdf.set_crs(hcrs.parse_crs(crs), allow_override=True)
    if gdf.crs is None:
        raise HygisError("{where} has no coordinate reference system: say which one it is (CLI: --crs, e.g. --crs "
                         "EPSG:4549 for CGCS2000 / 3-degree Gauss-Krüger 120°E)",
                         where=where)
    try:
        gdf = gdf.to_crs(hcrs.WGS84)
    except Exception as exc:  # pyproj errors: unusable CRS definitions
        raise HygisError("{where}: cannot convert from {name} to WGS84: {reason}",
                         where=where, name=gdf.crs.name, reason=exc) from None
    if datum != "wgs84":
        geoms = hcrs.datum_to_wgs84(gdf.geometry.to_numpy(), datum)
        gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=hcrs.WGS84))
    bounds = gdf.total_bounds if len(gdf) and not gdf.geometry.is_empty.all() else None
    if bounds is not None and (not np.all(np.isfinite(bounds)) or bounds[0] < -180 or bounds[2] > 180
                               or bounds[1] < -90 or bounds[3] > 90):
        raise HygisError("{where}: the coordinates are not positions on Earth in {value}; is the CRS right? (CLI: --crs)",
                         where=where, value=gdf.crs.name if crs is None else crs)
    return gdf


def suggest_field_map(columns, kind: str) -> dict[str, str]:
    """{source column: schema field} for columns named like a schema field (any case, or cut to the
    10 characters of a Shapefile) or its Chinese label (名称 → name); the import dialog's defaults."""
    schema = schema_for(kind)
    if schema is None:
        return {}
    out, taken = {}, set(columns)
    for spec in schema.fields:
        if spec.computed or spec.name in taken:
            continue
        for col in columns:
            low = str(col).strip().lower()
            # a Shapefile cuts field names to 10 characters (heritage_level → heritage_l)
            if col not in out and (low == spec.name or str(col).strip() == spec.label_zh
                                   or (len(spec.name) > 10 and low == spec.name[:10])):
                out[col] = spec.name
                break
    return out


def _apply_field_map(gdf, kind, field_map, path: Path):
    mapping = dict(suggest_field_map([c for c in gdf.columns if c != "geometry"], kind)) if kind else {}
    for src, dst in (field_map or {}).items():
        check_map_target(dst)
        if src not in gdf.columns:
            raise HygisError("{file} has no field '{src}' to map onto '{dst}' (fields: {value})",
                             file=path.name, src=src, dst=dst, value=', '.join((c for c in gdf.columns if c != 'geometry')))
        mapping = {k: v for k, v in mapping.items() if v != dst}
        mapping[src] = dst
    if not mapping:
        return gdf
    clash = [dst for src, dst in mapping.items() if dst in gdf.columns and dst not in mapping]
    return gdf.drop(columns=clash).rename(columns=mapping)


def _make_layer(label: str, gdf, as_kind, field_map, repair: bool, path: Path, refuse_invalid: bool = False,
                values=None, constants=None):
    from hygis.layers.vector import VectorLayer

    gdf = _apply_field_map(gdf, as_kind, field_map, path)
    gdf = apply_values(gdf, values, constants, path.name, SCHEMAS.get(as_kind) if as_kind else None)
    renames, warnings = safe_field_names(gdf.columns, gdf.geometry.name)
    if renames:
        gdf = gdf.rename(columns=renames)
    problems = check_geometries(gdf)
    if repair and not problems.empty:
        family = SCHEMAS[as_kind].geometry if as_kind else None
        gdf = repair_geometries(gdf, family)
        fixed = len(problems)
        problems = check_geometries(gdf)
        warnings.append(Label("repaired {n} invalid geometries", n=fixed - len(problems)))
    if not problems.empty and refuse_invalid:
        hint = "" if repair else Label("; repair them (CLI: --repair) or import them as they are (CLI: --keep-invalid)")
        raise HygisError("{file}: {n} invalid geometries ({problems}){hint}",
                         file=path.name, n=len(problems), problems=describe_problems(problems), hint=hint)
    if not problems.empty:
        warnings.append(Label("{n} invalid geometries ({problems})", n=len(problems),
                              problems=describe_problems(problems)))
    try:
        out = VectorLayer(label, gdf, kind=as_kind or "vector", source=path.name)
    except HygisError as exc:
        raise HygisError("{file}: {reason}", file=path.name, reason=exc) from None
    out.import_warnings = warnings
    out.import_problems = problems
    return out


def preview_vector(path, layer: str | None = None, encoding: str | None = None, n: int = 10) -> dict:
    """What the import dialog shows before importing: the detected encoding and the first rows.

    Returns
    -------
    dict with ``encoding_detected`` (codec, or None when unknown: the rows are then shown as
    Latin-1 so the user sees the problem), ``encoding_reason``, ``columns``, ``rows`` (first ``n``
    as dicts), ``crs`` (string or None), ``geometry_type``, ``feature_count``, ``layers`` (all
    layers of the file) and for CSVs ``lon_column``/``lat_column``/``wkt_column`` (detected).
    """
    path = Path(path)
    readers.check_file(path)
    if file_format(path) == "raster" or path.suffix.lower() == ".csv":
        if file_format(path) == "raster":
            raise HygisError("{file} is a raster: there is no table to preview", file=path.name)
        return _preview_csv(path, encoding, n)
    if path.suffix.lower() == ".zip":  # the Shapefile inside, with its encoding detected
        from hygis.io.sources import unzipped_shapefiles

        with unzipped_shapefiles(path) as shps:
            out = preview_vector(shps[0], None, encoding, n)
        return {**out, "layers": [_zip_label(path)] if len(shps) == 1 else [s.stem for s in shps]}
    names = readers.vector_layer_names(path)
    lname = layer if layer is not None else names[0]
    if lname not in names:
        raise HygisError("{file} has no layer '{lname}' (layers: {value})",
                         file=path.name, lname=lname, value=', '.join(names))
    ext = path.suffix.lower()
    enc, reason = "utf-8", Label("{format} text is UTF-8", format=readers.VECTOR_FORMATS[ext])
    if ext == ".shp":
        enc, reason = readers.shapefile_encoding(path, encoding)
    elif ext == ".dxf":
        try:
            enc, reason = readers.dxf_encoding(path, encoding), "detected from the drawing's bytes"
        except HygisError as exc:
            if encoding:
                raise
            enc, reason = None, str(exc)
    read_enc = (enc or "latin-1") if ext in (".shp", ".dxf") else None  # unknown: shown as Latin-1
    head = readers.read_vector(path, lname, read_enc, max_features=n)
    if ext == ".parquet":
        import pyarrow.parquet as pq

        info = {"crs": head.crs.to_string() if head.crs else None, "features": pq.read_metadata(path).num_rows}
    else:
        with readers.gdal_errors(path):
            info = pyogrio.read_info(path, layer=lname, force_feature_count=True)  # DXF has no fast count
    count = info.get("features", -1)
    columns = [c for c in head.columns if c != head.geometry.name]
    from hygis.layers.vector import geometry_family

    rows = head[columns].astype(object).where(head[columns].notna(), None).to_dict("records")
    return {"encoding_detected": enc, "encoding_reason": reason, "columns": columns, "rows": rows,
            "crs": info.get("crs"), "geometry_type": geometry_family(head.geom_type), "feature_count": int(count),
            "layers": names}


def _preview_csv(path: Path, encoding, n: int) -> dict:
    try:
        frame, enc, reason = read_table(path, encoding)
    except HygisError:
        if encoding:
            raise
        frame, enc, reason = read_table(path, "latin-1")
        enc, reason = None, "the text is neither UTF-8 nor GBK/GB18030 (shown as Latin-1)"
    wkt = detect_wkt_column(frame)  # a WKT column wins over lon/lat columns (as on import)
    lon, lat = detect_coordinate_columns(frame) if wkt is None else (None, None)
    return {"encoding_detected": enc, "encoding_reason": reason, "columns": list(frame.columns),
            "rows": frame.head(n).to_dict("records"), "crs": "EPSG:4326" if lon or wkt else None,
            "geometry_type": "point" if lon else ("unknown" if wkt else "none"), "feature_count": len(frame),
            "layers": [path.stem], "lon_column": lon, "lat_column": lat, "wkt_column": wkt}


def export_layer(layer, path, datum: str = "wgs84", encoding: str = "utf-8", fids=None, *,
                 allow_truncate: bool = False, report: list | None = None, crs=None) -> Path:
    """Export a vector layer (or the features ``fids``) to a file; the format follows the extension.

    Parameters
    ----------
    layer : a VectorLayer.
    path : .gpkg, .shp, .geojson/.json, .kml, .csv, .fgb (FlatGeobuf) or .parquet (GeoParquet).
        CSV: lon/lat columns for points, a ``wkt`` column otherwise.  Nothing is replaced until the
        new file is complete; a Shapefile's parts are replaced together; an existing GeoPackage keeps
        its other layers (a layer of the same name is replaced); read-only targets are refused.
    datum : 'wgs84', 'cgcs2000' (labelled EPSG:4490), 'gcj02' (for Amap, labelled EPSG:4326) or 'bd09';
        GCJ-02/BD-09 files say so in their description where the format has one.
    encoding : 'utf-8' (default, a .cpg says so), 'gbk' for old tools or 'gb18030' (Shapefile, CSV only).
    fids : export only these features (a selection).
    allow_truncate : let a Shapefile cut field names to 10 bytes and texts to 254 bytes (refused otherwise).
    report : a list that receives one line per lossy step or datum note (always worth showing).
    crs : write the coordinates in this CRS ('EPSG:4549', …; None: lon/lat of ``datum``); not for
        GCJ-02/BD-09, and projected CRSs not for the lon/lat-only formats (CSV, GeoJSON, KML).

    Returns the written path; raises HygisError on bad options or write failures.
    """
    return write_layer(layer, path, datum=datum, encoding=encoding, fids=fids, allow_truncate=allow_truncate,
                       report=report, crs=crs)
