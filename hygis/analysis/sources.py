"""Reading the layers an analysis runs on: a .hygis project, any GDAL vector file, or the basemap.

Used by the CLI (and usable by scripts); the GUI passes its layers directly.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from hygis.core.errors import HygisError

BASEMAP_PREFIX = "basemap:"
PROJECT_SUFFIX = ".hygis"


def load_layer_frame(path, layer: str | None = None) -> tuple[gpd.GeoDataFrame, str]:
    """A vector layer as a GeoDataFrame, and its name.

    Parameters
    ----------
    path : str or Path
        ``basemap:district`` / ``basemap:city`` / ``basemap:province``, a ``.hygis`` project,
        or any vector file GDAL reads (GeoPackage, Shapefile, GeoJSON, KML ...).
    layer : str, optional
        Layer name (project layer name or GDAL layer).  Needed when there are several;
        for a project, a layer kind (e.g. 'enclave') also works when it is unique.

    Raises
    ------
    HygisError
        Missing file, unknown or ambiguous layer (the message lists the names), no CRS.
    """
    spec = str(path)
    if spec.lower().startswith(BASEMAP_PREFIX):
        from hygis.geo.basemap import zones_from_spec  # lazily: the basemap file is only read when asked for

        return zones_from_spec(spec), spec.split(":", 1)[1]
    path = Path(spec)
    if not path.exists():
        raise HygisError("File not found: {path}", path=path)
    if path.suffix.lower() == PROJECT_SUFFIX:
        chosen = _project_layer(load_project(path), layer, path)
        return chosen.data, chosen.name
    return _gdal_layer(path, layer)


def load_project(path):
    """Open a ``.hygis`` project (HygisError if missing or not a project)."""
    from hygis.project.fileformat import open_project

    path = Path(path)
    if not path.exists():
        raise HygisError("File not found: {path}", path=path)
    return open_project(path)


def _project_layer(project, name: str | None, path: Path):
    vectors = [lyr for lyr in project.layers if getattr(lyr, "kind", "") != "raster"]
    names = ", ".join(lyr.name for lyr in vectors) or "none"
    if name is None:
        if len(vectors) == 1:
            return vectors[0]
        raise HygisError("{file} has {n} vector layers; choose one with --layer ({names})",
                         file=path.name, n=len(vectors), names=names)
    matches = [lyr for lyr in vectors if lyr.name == name] or [lyr for lyr in vectors if lyr.kind == name]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise HygisError("No layer '{name}' in {file} (layers: {names})",
                         name=name, file=path.name, names=names)
    raise HygisError("Layer name '{name}' is ambiguous in {file} ({n} layers); layers: {names}",
                     name=name, file=path.name, n=len(matches), names=names)


def _gdal_layer(path: Path, layer: str | None) -> tuple[gpd.GeoDataFrame, str]:
    import pyogrio

    try:
        available = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
    except Exception as exc:  # noqa: BLE001 - pyogrio raises DataSourceError and friends
        raise HygisError("Cannot read {file} as a vector file: {value}",
                         file=path.name, value=_first_line(exc)) from None
    if layer is None:
        if len(available) != 1:
            raise HygisError("{file} has {n} layers; choose one with --layer ({value})",
                             file=path.name, n=len(available), value=', '.join(available) or 'none')
        layer = available[0]
    elif layer not in available:
        raise HygisError("No layer '{layer}' in {file} (layers: {value})",
                         layer=layer, file=path.name, value=', '.join(available) or 'none')
    try:
        frame = pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:  # noqa: BLE001
        raise HygisError("Cannot read layer '{layer}' of {file}: {value}",
                         layer=layer, file=path.name, value=_first_line(exc)) from None
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name is None:
        raise HygisError("Layer '{layer}' of {file} has no geometry", layer=layer, file=path.name)
    if frame.crs is None:
        raise HygisError("Layer '{layer}' of {file} has no coordinate reference system; assign one in a GIS first",
                         layer=layer, file=path.name)
    return frame, layer


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
