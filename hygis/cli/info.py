"""``hygis info PATH [--layer NAME] [--json]``: what a project or a GIS file holds.

For a ``.hygis`` project: title, layers (kind, feature count, geometry type,
CRS, bounds), scenarios and plan targets.  For any file GDAL reads: its
layers with counts, CRS, bounds and fields, or a raster's size, bands, data
type, CRS and bounds.  Runs without Qt.
"""

from __future__ import annotations

import json
from pathlib import Path

from hygis.core.errors import HygisError


def register(subparsers) -> None:
    p = subparsers.add_parser("info", help="describe a project or a GIS file",
                              description="Layers, feature counts, CRS, bounds, scenarios and targets of a "
                                          ".hygis project, or the layers/bands of any GDAL vector/raster file.")
    p.add_argument("path", help="a .hygis project or a vector/raster file")
    p.add_argument("--layer", help="only this layer (with its fields)")
    p.add_argument("--json", action="store_true", help="machine-readable JSON output")
    p.set_defaults(func=run_info)


def _bounds(b):
    """[west, south, east, north], ordered also for a south-up (or east-left) raster."""
    if b is None:
        return None
    x0, y0, x1, y1 = (float(v) for v in b)
    return [round(v, 7) for v in (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))]


# -- projects ------------------------------------------------------------------------------
def project_info(path: Path, layer_name: str | None = None) -> dict:
    from hygis.project.fileformat import open_project


    project = open_project(path)
    layers = list(project.layers)
    if layer_name is not None:
        layer = project.layers.get(layer_name)
        if layer is None:
            raise HygisError(f"No layer '{layer_name}' in {path.name} (layers: {', '.join(project.layers.names)})")
        layers = [layer]
    out_layers = []
    for layer in layers:
        entry = {"name": layer.name, "kind": layer.kind, "features": layer.feature_count,
                 "geometry_type": "raster" if layer.kind == "raster" else layer.geometry_type,
                 "crs": getattr(layer, "crs", None) if layer.kind == "raster" else "EPSG:4326",
                 "bounds": _bounds(layer.bounds), "visible": layer.visible}
        if layer.kind == "raster":
            entry.update(size=[layer.width, layer.height], bands=layer.band_count, dtype=str(layer.dtype))
        elif layer_name is not None:
            entry["fields"] = {c: str(layer.data[c].dtype) for c in layer.fields}
            entry["filter"] = layer.filter
        out_layers.append(entry)
    return {"type": "project", "path": str(path), "title": project.title, "layers": out_layers,
            "scenarios": [{"name": s.name, "title": s.title, "year": s.year} for s in project.scenarios],
            "targets": [{"name": t.key, "title": t.name_zh, "target": t.target, "target_year": t.target_year,
                         "latest": t.latest, "latest_year": t.latest_year, "unit": t.unit} for t in project.targets]}


# -- plain files ---------------------------------------------------------------------------
def vector_info(path: Path, layer_name: str | None = None) -> dict:
    import pyogrio

    from hygis.io import readers

    readers.check_file(path)
    if path.suffix.lower() == ".parquet":
        from hygis.io.sources import parquet_info

        return parquet_info(path)
    names = readers.vector_layer_names(path)
    if layer_name is not None:
        if layer_name not in names:
            raise HygisError(f"{path.name} has no layer '{layer_name}' (layers: {', '.join(names)})")
        names = [layer_name]
    kwargs, encoding = {}, None
    if path.suffix.lower() == ".shp":
        encoding, reason = readers.shapefile_encoding(path, None)
        kwargs["encoding"] = readers.gdal_encoding(encoding or "latin-1")
    layers = []
    for name in names:
        with readers.gdal_errors(path):
            info = pyogrio.read_info(path, layer=name, force_feature_count=True, force_total_bounds=True, **kwargs)
        layers.append({"name": name, "features": int(info["features"]), "geometry_type": info["geometry_type"],
                       "crs": info["crs"], "bounds": _bounds(info.get("total_bounds")),
                       "fields": dict(zip([str(f) for f in info["fields"]], [str(d) for d in info["dtypes"]]))})
    out = {"type": "vector", "path": str(path), "driver": info["driver"], "layers": layers}
    if encoding is not None or path.suffix.lower() == ".shp":
        out["encoding"], out["encoding_reason"] = encoding, reason
    return out


def raster_info(path: Path) -> dict:
    import rasterio
    from rasterio.warp import transform_bounds

    try:
        with rasterio.open(path) as ds:
            wgs84 = None
            if ds.crs is not None:
                try:
                    wgs84 = _bounds(transform_bounds(ds.crs, "EPSG:4326", *_bounds(ds.bounds)))
                except Exception:  # a CRS PROJ cannot transform: bounds stay native only
                    wgs84 = None
            return {"type": "raster", "path": str(path), "driver": ds.driver, "size": [ds.width, ds.height],
                    "bands": ds.count, "dtype": ds.dtypes[0], "nodata": ds.nodata,
                    "crs": ds.crs.to_string() if ds.crs else None, "bounds": _bounds(ds.bounds),
                    "bounds_wgs84": wgs84}
    except rasterio.errors.RasterioError as exc:
        raise HygisError(f"Cannot read {path.name}: {str(exc).splitlines()[0][:200]}") from None


def file_info(path: Path, layer_name: str | None = None) -> dict:
    if not path.exists():
        raise HygisError(f"No such file: {path}")
    if path.suffix.lower() == ".hygis":
        return project_info(path, layer_name)
    if path.is_file() and path.stat().st_size == 0:
        raise HygisError(f"{path.name} is empty (0 bytes)")
    if path.suffix.lower() in (".tif", ".tiff", ".img", ".asc", ".jp2", ".png", ".jpg"):
        return raster_info(path)
    try:
        return vector_info(path, layer_name)
    except HygisError as vector_error:
        if path.suffix.lower() in (".shp", ".gpkg", ".geojson", ".json", ".kml", ".csv", ".dxf") or layer_name:
            raise
        try:
            return raster_info(path)
        except HygisError:
            raise vector_error from None


# -- output ----------------------------------------------------------------------------------
def _fmt_bounds(b) -> str:
    return "-" if b is None else f"{b[0]:.5f},{b[1]:.5f} – {b[2]:.5f},{b[3]:.5f}"


def _num(v) -> str:
    return "-" if v is None else f"{v:g}"


def format_text(info: dict) -> str:
    lines = []
    if info["type"] == "project":
        lines.append(f"Project: {info['title'] or '(untitled)'}  ({info['path']})")
        lines.append(f"Layers ({len(info['layers'])}):")
        for l in info["layers"]:
            lines.append(f"  {l['name']}  [{l['kind']}]  {l['features']} features  {l['geometry_type']}  "
                         f"{l['crs']}  {_fmt_bounds(l['bounds'])}")
            for f, t in l.get("fields", {}).items():
                lines.append(f"      {f}: {t}")
        lines.append(f"Scenarios ({len(info['scenarios'])}):")
        for s in info["scenarios"]:
            lines.append(f"  {s['name']}  {s['title']}" + (f"  ({s['year']})" if s["year"] else ""))
        lines.append(f"Targets ({len(info['targets'])}):")
        for t in info["targets"]:
            lines.append(f"  {t['name']}  {t['title']}: target {_num(t['target'])} {t['unit']} ({t['target_year']}), "
                         f"latest {_num(t['latest'])}")
    elif info["type"] == "vector":
        lines.append(f"{info['path']}: {info['driver']}, {len(info['layers'])} layer(s)")
        if "encoding" in info:
            lines.append(f"  text encoding: {info['encoding'] or 'unknown'} ({info['encoding_reason']})")
        for l in info["layers"]:
            lines.append(f"  {l['name']}  {l['features']} features  {l['geometry_type']}  {l['crs'] or 'no CRS'}  "
                         f"{_fmt_bounds(l['bounds'])}")
            lines.append("      fields: " + (", ".join(f"{k} ({v})" for k, v in l["fields"].items()) or "none"))
    else:
        lines.append(f"{info['path']}: {info['driver']} raster {info['size'][0]}×{info['size'][1]}, "
                     f"{info['bands']} band(s), {info['dtype']}, nodata {info['nodata']}")
        lines.append(f"  CRS: {info['crs'] or 'none'}  bounds {_fmt_bounds(info['bounds'])}")
        if info["bounds_wgs84"]:
            lines.append(f"  WGS84 bounds: {_fmt_bounds(info['bounds_wgs84'])}")
    return "\n".join(lines)


def run_info(args) -> int:
    info = file_info(Path(args.path), args.layer)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=1, default=str))
    else:
        print(format_text(info))
    return 0
