"""Team layers on PostGIS: connections, offline checkout, three-way sync.

* :mod:`hygis.db.connection` -- libpq URLs / service names, passwords from PGPASSFILE or the OS
  keyring (never stored), browsing tables with geometry columns.
* :mod:`hygis.db.tables` -- creating a team table from a layer (push), reading rows and view windows.
* :mod:`hygis.db.state` -- the sync state kept in the ``.hygis`` (links, base versions).
* :mod:`hygis.db.merge` -- the three-way merge per feature and field (pure Python).
* :mod:`hygis.db.sync` -- checkout, status, sync (the CLI and the GUI call these).

psycopg 3 is optional (``pip install hygis[team]``): it is imported lazily and a missing
package is one clear message.  No Qt here.
"""

from __future__ import annotations

from hygis.core.errors import HygisError

TEAM_EXTRA_HINT = "pip install 'hygis[team]'"


def _import(module: str):
    """Explicit imports only (no dynamic import primitives anywhere in hygis)."""
    if module == "psycopg":
        import psycopg as m
    elif module == "psycopg.sql":
        from psycopg import sql as m
    elif module == "dask":
        import dask as m
    elif module == "distributed":
        import distributed as m
    elif module == "dask_geopandas":
        import dask_geopandas as m
    else:
        raise ValueError(f"not a team dependency: {module}")
    return m


def require(module: str):
    """Import an optional team dependency or raise a HygisError telling how to install it."""
    try:
        return _import(module)
    except ImportError:
        package = {"psycopg": "psycopg[binary]", "dask_geopandas": "dask-geopandas"}.get(module.split(".")[0],
                                                                                          module.split(".")[0])
        raise HygisError("This needs the Python package '{package}', which is not installed ({TEAM_EXTRA_HINT} or "
                         "pip install '{package}')",
                         package=package, TEAM_EXTRA_HINT=TEAM_EXTRA_HINT) from None
