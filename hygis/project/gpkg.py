"""GeoPackage plumbing of the ``.hygis`` file: header, read-only access with a time limit,
copying a file through a save, and removing feature tables cleanly.

What other GIS accept (checked against GDAL 3.6.2 / QGIS 3.22 on Debian bookworm and
GDAL 3.12): GDAL identifies a GeoPackage whose name does not end in ``.gpkg`` only if its
header says GeoPackage 1.0–1.3 (``application_id`` 'GPKG', ``user_version`` 102xx/103xx);
a 1.4 header (10400, what GDAL ≥ 3.7 writes by default) makes GDAL 3.6 and QGIS 3.22 refuse
``x.hygis``.  hygis therefore writes GeoPackage 1.2 (GDAL's ``VERSION=1.2``: the 1.2 R-tree
triggers, ``user_version`` 10200).  GDAL then only warns "non conformant file extension";
``validate_gpkg.py`` checks everything else clean (its requirement 3, the ``.gpkg``
extension, is the one rule a ``.hygis`` breaks on purpose).
"""

from __future__ import annotations

import sqlite3
import time
import urllib.parse
import warnings
from pathlib import Path

import geopandas as gpd
import pyogrio

GPKG_APPLICATION_ID = 0x47504B47  # 'GPKG'
GPKG_USER_VERSION = 10200  # GeoPackage 1.2: GDAL 3.6 / QGIS 3.22 open it under any file name
GDAL_VERSION_OPTION = "1.2"
#: Time limit for any one query while reading a project (a VIEW over a recursive query must not hang).
READ_TIME_LIMIT_S = 10.0
#: GeoPackage tables that reference a table by name in a ``table_name`` column.
META_TABLES = ("gpkg_contents", "gpkg_geometry_columns", "gpkg_extensions", "gpkg_ogr_contents",
               "gpkg_data_columns", "gpkg_metadata_reference")
_INIT = "hygis_init"


def quote_ident(name: str) -> str:
    """SQLite identifier quoting (doubles embedded quotes)."""
    return '"' + str(name).replace('"', '""') + '"'


class QueryTimeout(Exception):
    """A read query ran past :data:`READ_TIME_LIMIT_S`."""


def connect_ro(path: Path, time_limit: float | None = READ_TIME_LIMIT_S) -> sqlite3.Connection:
    """Read-only SQLite connection whose statements together may run ``time_limit`` seconds.

    The path is percent-encoded so '#', '?' or '%' in a file name cannot change the URI.
    A statement still running at the deadline is interrupted
    (``sqlite3.OperationalError: interrupted``, see :func:`is_interrupted`).  A file SQLite
    cannot open read-only in place (a WAL-mode file in a read-only folder) is read as immutable.
    """
    base = "file:" + urllib.parse.quote(str(Path(path).resolve())) + "?mode=ro"
    con = sqlite3.connect(base, uri=True)
    try:
        con.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.OperationalError:
        con.close()
        con = sqlite3.connect(base + "&immutable=1", uri=True)
    if time_limit is not None:
        deadline = time.monotonic() + time_limit
        con.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 10_000)
    return con


def view_layers(path) -> set[str]:
    """The layers of a GeoPackage that are SQL views (or anything but an ordinary table): reading one
    runs its query, which may never end (a recursive view).  Empty for other files."""
    try:
        with open(path, "rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                return set()
        con = connect_ro(Path(path))
    except (OSError, sqlite3.Error):
        return set()
    try:
        kinds = {str(n): str(t) for t, n in con.execute("SELECT type, name FROM sqlite_master")}
        listed = [str(r[0]) for r in con.execute("SELECT table_name FROM gpkg_contents")]
    except sqlite3.Error:
        return set()
    finally:
        con.close()
    return {name for name in listed if kinds.get(name, "table") != "table"}


def is_interrupted(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "interrupted" in str(exc).lower()


def table_kinds(con: sqlite3.Connection) -> dict[str, str]:
    """{lower-case name: 'table' | 'view' | …} of everything in sqlite_master."""
    return {str(n).lower(): str(t) for t, n in con.execute("SELECT type, name FROM sqlite_master")}


def real_tables(con: sqlite3.Connection) -> set[str]:
    """Names (as stored) of the ordinary tables of the file: views and virtual tables excluded."""
    return {str(n) for n, sql in con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
            if not str(sql or "").upper().startswith("CREATE VIRTUAL")}


def set_header(con: sqlite3.Connection) -> None:
    con.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
    con.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")


def create_empty(path: Path) -> None:
    """Create an empty but valid GeoPackage 1.2 (GDAL writes the gpkg_* metadata tables)."""
    empty = gpd.GeoDataFrame({"x": []}, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "non conformant file extension": .hygis is a GeoPackage on purpose
        pyogrio.write_dataframe(empty, path, layer=_INIT, driver="GPKG", geometry_type="Point",
                                dataset_options={"VERSION": GDAL_VERSION_OPTION})
    con = sqlite3.connect(path)
    try:
        with con:
            drop_feature_table(con, _INIT)
    finally:
        con.close()


def copy_database(source: Path, dest: Path) -> None:
    """Copy the GeoPackage ``source`` to the new file ``dest`` (SQLite's online backup: a
    consistent snapshot even if another program writes it), with a GeoPackage 1.2 header."""
    src = connect_ro(source, time_limit=None)
    try:
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")  # a copied WAL-mode file stays one file
            set_header(dst)
            dst.commit()
        finally:
            dst.close()
    finally:
        src.close()


def _exists(con: sqlite3.Connection, table: str) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone() is not None


def drop_feature_table(con: sqlite3.Connection, table: str) -> None:
    """Remove a feature (or attributes) table and every trace of it: its R-tree, triggers and
    rows in the gpkg_* metadata tables (what GDAL's DeleteLayer does)."""
    geom_cols = []
    if _exists(con, "gpkg_geometry_columns"):
        geom_cols = [r[0] for r in con.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?)", (table,))]
    con.execute(f"DROP TABLE IF EXISTS {quote_ident(table)}")  # its triggers go with it
    for col in geom_cols:
        con.execute("DROP TABLE IF EXISTS " + quote_ident(f"rtree_{table}_{col}"))
    for meta in META_TABLES:
        if _exists(con, meta):
            con.execute(f"DELETE FROM {quote_ident(meta)} WHERE lower(table_name) = lower(?)", (table,))


def drop_feature_tables(con: sqlite3.Connection, tables: list[str]) -> None:
    """:func:`drop_feature_table` for many tables at once (each metadata table is scanned once,
    not once per table: a save over a 1,000-layer project drops 1,000 tables)."""
    if not tables:
        return
    names = sorted({str(t).lower() for t in tables})
    geom_cols = []
    if _exists(con, "gpkg_geometry_columns"):
        wanted = set(names)
        geom_cols = [(t, c) for t, c in con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns")
                     if str(t).lower() in wanted]
    for table in tables:
        con.execute(f"DROP TABLE IF EXISTS {quote_ident(table)}")  # its triggers go with it
    for table, col in geom_cols:
        con.execute("DROP TABLE IF EXISTS " + quote_ident(f"rtree_{table}_{col}"))
    con.execute("CREATE TEMP TABLE IF NOT EXISTS hygis_dropping (name TEXT PRIMARY KEY)")
    con.execute("DELETE FROM temp.hygis_dropping")
    con.executemany("INSERT OR IGNORE INTO temp.hygis_dropping VALUES (?)", [(n,) for n in names])
    for meta in META_TABLES:
        if _exists(con, meta):
            con.execute(f"DELETE FROM {quote_ident(meta)} WHERE lower(table_name) IN (SELECT name FROM temp.hygis_dropping)")
    con.execute("DROP TABLE temp.hygis_dropping")


def drop_dangling_metadata(con: sqlite3.Connection) -> None:
    """Delete gpkg_* rows naming tables that no longer exist (e.g. the ``hygis_init`` extension row
    hygis < 0.2 left behind), which GDAL's validator reports."""
    existing = set(table_kinds(con))
    for meta in META_TABLES:
        if not _exists(con, meta):
            continue
        for (name,) in con.execute(f"SELECT DISTINCT table_name FROM {quote_ident(meta)} WHERE table_name IS NOT NULL").fetchall():
            if str(name).lower() not in existing:
                con.execute(f"DELETE FROM {quote_ident(meta)} WHERE table_name = ?", (name,))


def vacuum_if_sparse(path: Path) -> None:
    """Compact the file when more than half of it is free pages (left by copied-through saves)."""
    con = sqlite3.connect(path)
    try:
        free = con.execute("PRAGMA freelist_count").fetchone()[0]
        pages = con.execute("PRAGMA page_count").fetchone()[0]
        if pages and free * 2 > pages:
            con.execute("VACUUM")
    finally:
        con.close()
