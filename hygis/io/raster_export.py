"""Raster layers out of a project: the embedded GeoTIFF written to a ``.tif`` file.

A raster layer holds its original GeoTIFF bytes (checked when imported, saved and opened), so
exporting writes them unchanged -- pixels, coordinate system and metadata exactly as imported --
like the vector exports (:mod:`hygis.io.filesets`): read-only targets refused, a temporary file
beside the target that replaces it only when complete, and sidecars of the old file removed
(an ``.aux.xml`` would override the new file's georeferencing in GDAL, ``.ovr`` overviews and
world files describe the old pixels).  Datum shifts (GCJ-02/BD-09) apply to vector layers only.
"""

from __future__ import annotations

from pathlib import Path

from hygis.core.errors import HygisError

RASTER_SUFFIXES = (".tif", ".tiff")
#: Files beside a GeoTIFF that belong to it (GDAL reads them with it).
RASTER_SIDECARS = (".aux.xml", ".ovr", ".msk")
WORLD_FILES = (".tfw", ".tifw", ".tiffw", ".wld")


def export_raster(layer, path, datum: str = "wgs84") -> Path:
    """Write raster ``layer`` to the GeoTIFF ``path`` atomically; returns the path."""
    from hygis.io.filesets import check_writable, replace_parts, staging, write_error
    from hygis.project.lock import project_lock

    path = Path(path)
    if path.suffix.lower() not in RASTER_SUFFIXES:
        raise HygisError("{file}: raster layer '{layer_name}' exports to GeoTIFF (.tif)",
                         file=path.name, layer_name=layer.name)
    if datum not in ("wgs84", "cgcs2000"):
        raise HygisError("--datum {datum} applies to vector layers; raster layer '{layer_name}' is exported in its "
                         "own coordinate system",
                         datum=datum, layer_name=layer.name)
    if path.is_symlink():
        path = path.resolve()
    stale = [path.with_name(path.name + s) for s in RASTER_SIDECARS] + [path.with_suffix(s) for s in WORLD_FILES]
    check_writable(path, [path, *stale])
    with project_lock(path), staging(path) as staged:
        out = staged / "raster.tif"
        try:
            out.write_bytes(bytes(layer.content))
        except OSError as exc:
            raise write_error(path, exc) from exc
        replace_parts({path: out}, [p for p in stale if p.exists()])
    return path
