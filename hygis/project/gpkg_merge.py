"""Copying GeoPackage feature tables between files with SQLite (no GDAL dataset opened).

Why: GDAL opens a GeoPackage by reading every table it lists, so writing N layers one
``pyogrio.write_dataframe`` call at a time into one file costs O(N) per call -- O(N²) for
the save (300 layers: 0.5 s per layer; 1,000 layers: half an hour).  A save therefore
writes layers in small batches into side files (each open stays cheap) and copies each
batch into the project file here, as SQLite rows, in one transaction per batch.

A copied table is exactly what GDAL wrote: the table's own ``CREATE`` statement, its rows,
its R-tree (``rtree_<table>_<geometry column>``) and rows, its indexes and triggers (R-tree
maintenance, GDAL's feature counts), and its rows of the ``gpkg_*`` metadata tables; a
missing ``spatial_ref_sys`` row is copied too.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
import urllib.parse
from pathlib import Path

from hygis.project import gpkg
from hygis.project.gpkg import META_TABLES, quote_ident

log = logging.getLogger(__name__)

_SCHEMA = "hygis_src"


def _columns(con: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [str(r[1]) for r in con.execute(f"PRAGMA {quote_ident(schema)}.table_info({quote_ident(table)})")]


def _master(con: sqlite3.Connection, schema: str) -> list[tuple[str, str, str, str]]:
    return [(str(t), str(n), str(tn), s) for t, n, tn, s in
            con.execute(f"SELECT type, name, tbl_name, sql FROM {quote_ident(schema)}.sqlite_master")]


def copy_feature_tables(dest: sqlite3.Connection, source: Path, tables: list[str], readonly: bool = False) -> None:
    """Copy the feature tables ``tables`` of the GeoPackage ``source`` into the database ``dest``
    (which must not have tables of those names), inside one transaction of ``dest``.
    ``readonly``: ``source`` is attached read-only (``dest`` must be opened with ``uri=True``)."""
    name = str(source)
    if readonly:
        name = "file:" + urllib.parse.quote(str(Path(source).resolve())) + "?mode=ro"
    dest.execute("ATTACH DATABASE ? AS " + _SCHEMA, (name,))
    try:
        with dest:
            _copy(dest, tables)
    finally:
        dest.execute("DETACH DATABASE " + _SCHEMA)


def _copy(con: sqlite3.Connection, tables: list[str]) -> None:
    src_master = _master(con, _SCHEMA)
    main_names = {n.lower() for _t, n, _tn, _s in _master(con, "main")}
    src_sql = {n: s for t, n, _tn, s in src_master if t == "table"}
    metas = [m for m in META_TABLES if m in src_sql]
    for meta in metas:  # e.g. gpkg_ogr_contents, which GDAL's feature-count triggers update
        if meta.lower() not in main_names:
            con.execute(src_sql[meta])
    meta_cols = {m: [c for c in _columns(con, _SCHEMA, m) if c in set(_columns(con, "main", m))] for m in metas}
    wanted = {t.lower() for t in tables}
    srs_ids = set()
    if "gpkg_contents" in src_sql:
        srs_ids = {r[1] for r in con.execute(f"SELECT table_name, srs_id FROM {_SCHEMA}.gpkg_contents "
                                             "WHERE srs_id IS NOT NULL") if str(r[0]).lower() in wanted}
    if srs_ids:
        have = {r[0] for r in con.execute("SELECT srs_id FROM main.gpkg_spatial_ref_sys")}
        cols = [c for c in _columns(con, _SCHEMA, "gpkg_spatial_ref_sys")
                if c in set(_columns(con, "main", "gpkg_spatial_ref_sys"))]
        copy_srs = _copy_rows_sql("gpkg_spatial_ref_sys", cols, "srs_id")
        for srs in srs_ids - have:
            con.execute(copy_srs, (srs,))
    rtrees = {}
    if "gpkg_extensions" in src_sql:
        for table, column in con.execute(f"SELECT table_name, column_name FROM {_SCHEMA}.gpkg_extensions "
                                         "WHERE extension_name = 'gpkg_rtree_index'"):
            if str(table).lower() in wanted:
                rtrees.setdefault(str(table).lower(), []).append(f"rtree_{table}_{column}")
    by_table: dict[str, list[tuple[str, str, str]]] = {}
    for typ, name, tbl, sql in src_master:
        if typ in ("index", "trigger") and sql and tbl.lower() in wanted:
            by_table.setdefault(tbl.lower(), []).append((typ, name, sql))
    for table in tables:
        if table not in src_sql:
            raise sqlite3.DatabaseError(f"table {table!r} is missing from the batch file")
        con.execute(src_sql[table])
        con.execute(f"INSERT INTO main.{quote_ident(table)} SELECT * FROM {_SCHEMA}.{quote_ident(table)}")
        for rtree in rtrees.get(table.lower(), []):
            if rtree in src_sql:
                con.execute(src_sql[rtree])
                con.execute(f"INSERT INTO main.{quote_ident(rtree)} SELECT * FROM {_SCHEMA}.{quote_ident(rtree)}")
        # indexes first, triggers last: the copied rows fire none (the R-tree rows were copied)
        for typ, _name, sql in sorted(by_table.get(table.lower(), []), key=lambda e: e[0] != "index"):
            con.execute(sql)
        for meta in metas:
            con.execute(_copy_rows_sql(meta, meta_cols[meta], "table_name"), (table,))


def _copy_rows_sql(table: str, columns: list[str], key: str) -> str:
    """INSERT … SELECT of the rows of ``table`` whose ``key`` is the parameter, from the attached
    file into main (every identifier quoted)."""
    cols = ", ".join(quote_ident(c) for c in columns)
    return (f"INSERT INTO main.{quote_ident(table)} ({cols}) SELECT {cols} FROM {_SCHEMA}.{quote_ident(table)} "
            f"WHERE {quote_ident(key)} = ?")


class BatchedReader:
    """Reading many layers of one GeoPackage: each batch of tables is copied (read-only) into a
    small side file in the temporary folder, which GDAL opens quickly; one batch on disk at a time.

    ``source(table)`` is the file to read ``table`` from: the batch's side file, or the
    GeoPackage itself if the table is not batched or the copy failed."""

    def __init__(self, path: Path, tables: list[str], batch: int):
        self.path = Path(path)
        self.batches = [tables[i:i + batch] for i in range(0, len(tables), batch)]
        self.where = {t: i for i, b in enumerate(self.batches) for t in b}
        self.folder: Path | None = None
        self.current: tuple[int, Path] | None = None

    def source(self, table: str) -> Path:
        i = self.where.get(table)
        if i is None:
            return self.path
        if self.current and self.current[0] == i:
            return self.current[1]
        self._drop_current()
        try:
            if self.folder is None:
                self.folder = Path(tempfile.mkdtemp(prefix="hygis-open-"))
            side = self.folder / f"batch{i}.gpkg"
            gpkg.create_empty(side)
            con = sqlite3.connect("file:" + urllib.parse.quote(str(side)), uri=True)
            try:
                con.execute("PRAGMA synchronous = OFF")
                con.execute("PRAGMA journal_mode = OFF")
                copy_feature_tables(con, self.path, self.batches[i], readonly=True)
            finally:
                con.close()
        except Exception as exc:  # noqa: BLE001 - whatever went wrong: read the project file itself
            log.info("batched read of %s failed (%s); reading it directly", self.path.name, exc)
            self.where = {t: j for t, j in self.where.items() if j != i}
            return self.path
        self.current = (i, side)
        return side

    def _drop_current(self) -> None:
        if self.current is not None:
            self.current[1].unlink(missing_ok=True)
            self.current = None

    def close(self) -> None:
        self._drop_current()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
