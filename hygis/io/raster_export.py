"""Raster layers out of a project: the embedded GeoTIFF written to a ``.tif`` file.

A raster layer holds its original GeoTIFF bytes (checked when imported, saved and opened), so
exporting writes them unchanged -- pixels, coordinate system and metadata exactly as imported --
through a temporary file beside the target that replaces it only when complete.  Datum shifts
(GCJ-02/BD-09) apply to vector layers only.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hygis.core.errors import HygisError

RASTER_SUFFIXES = (".tif", ".tiff")


def export_raster(layer, path, datum: str = "wgs84") -> Path:
    """Write raster ``layer`` to the GeoTIFF ``path`` atomically; returns the path."""
    path = Path(path)
    if path.suffix.lower() not in RASTER_SUFFIXES:
        raise HygisError(f"{path.name}: raster layer '{layer.name}' exports to GeoTIFF (.tif)")
    if datum not in ("wgs84", "cgcs2000"):
        raise HygisError(f"--datum {datum} applies to vector layers; raster layer '{layer.name}' is exported "
                         f"in its own coordinate system")
    if not path.parent.is_dir():
        raise HygisError(f"Folder {path.parent} does not exist")
    if path.exists() and not os.access(path, os.W_OK):
        raise HygisError(f"Cannot export: {path.name} is read-only")
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".hygis-export.tif", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(layer.content)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(name, 0o666 & ~_umask())
        os.replace(name, path)
    except OSError as exc:
        Path(name).unlink(missing_ok=True)
        raise HygisError(f"Cannot export {path.name}: {exc.strerror or exc}") from None
    return path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
