"""Files shipped inside the package (basemap, fonts, icons, desktop files, translations).

Everything the app needs at run time lives under ``hygis/assets/`` and ``hygis/i18n/`` and
is found through :mod:`importlib.resources`, so an installed wheel works from any working
directory (no paths relative to a source checkout).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from hygis.core.errors import HygisError


def resource(*parts: str):
    """A :class:`importlib.resources.abc.Traversable` for ``hygis/<parts…>``."""
    node = resources.files("hygis")
    for part in parts:
        node = node.joinpath(part)
    return node


def asset_path(*parts: str) -> Path:
    """Filesystem path of ``hygis/assets/<parts…>``; HygisError naming it when it is missing.

    hygis is installed as plain files (wheel or checkout), never zipped, so the Traversable is a
    real path that GDAL and Qt can open.
    """
    node = resource("assets", *parts)
    if not node.is_file() and not node.is_dir():
        raise HygisError("hygis is installed without {value} (looked in {parent}); reinstall it from a complete wheel",
                         value='/'.join(parts), parent=Path(str(node)).parent)
    return Path(str(node))
