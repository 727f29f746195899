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
        raise HygisError(f"File not found: {path}")
    if path.suffix.lower() == PROJECT_SUFFIX:
        chosen = _project_layer(load_project(path), layer, path)
        return chosen.data, chosen.name
    return _gdal_layer(path, layer)


def load_project(path):
    """Open a ``.hygis`` project (HygisError if missing or not a project)."""
    from hygis.project.fileformat import open_project

    path = Path(path)
    if not path.exists():
        raise HygisError(f"File not found: {path}")
    return open_project(path)


def _project_layer(project, name: str | None, path: Path):
    vectors = [lyr for lyr in project.layers if getattr(lyr, "kind", "") != "raster"]
    names = ", ".join(lyr.name for lyr in vectors) or "none"
    if name is None:
        if len(vectors) == 1:
            return vectors[0]
        raise HygisError(f"{path.name} has {len(vectors)} vector layers; choose one with --layer ({names})")
    matches = [lyr for lyr in vectors if lyr.name == name] or [lyr for lyr in vectors if lyr.kind == name]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise HygisError(f"No layer '{name}' in {path.name} (layers: {names})")
    raise HygisError(f"Layer name '{name}' is ambiguous in {path.name} ({len(matches)} layers); layers: {names}")


def _gdal_layer(path: Path, layer: str | None) -> tuple[gpd.GeoDataFrame, str]:
    import pyogrio

    try:
        available = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
    except Exception as exc:  # noqa: BLE001 - pyogrio raises DataSourceError and friends
        raise HygisError(f"Cannot read {path.name} as a vector file: {_first_line(exc)}") from None
    if layer is None:
        if len(available) != 1:
            raise HygisError(f"{path.name} has {len(available)} layers; choose one with --layer "
                             f"({', '.join(available) or 'none'})")
        layer = available[0]
    elif layer not in available:
        raise HygisError(f"No layer '{layer}' in {path.name} (layers: {', '.join(available) or 'none'})")
    try:
        frame = pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:  # noqa: BLE001
        raise HygisError(f"Cannot read layer '{layer}' of {path.name}: {_first_line(exc)}") from None
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name is None:
        raise HygisError(f"Layer '{layer}' of {path.name} has no geometry")
    if frame.crs is None:
        raise HygisError(f"Layer '{layer}' of {path.name} has no coordinate reference system; "
                         "assign one in a GIS first")
    return frame, layer


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
