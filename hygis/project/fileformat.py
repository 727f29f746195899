"""The ``.hygis`` project file: a GeoPackage 1.2 that GDAL and QGIS open by its path.

* Each vector layer is a GeoPackage feature table named like the layer (科创走廊 …, as
  QGIS shows it), the hygis feature ids being its FID column ``fid``; the project JSON
  maps hygis' layer ids to the tables.
* Raster layers are embedded as their original GeoTIFF bytes in ``hygis_rasters``.
* ``hygis_project`` (an attributes table) holds the project itself as JSON:
  title, layer order, styles, filters, scenarios, plan targets, format version.
* Tables, QGIS styles and metadata other programs add to the file survive hygis' saves:
  a save over the project's own file starts from a copy of it and replaces only what the
  previous save wrote.
* One writer at a time: a save holds the project's lock (:mod:`hygis.project.lock`) and
  refuses to overwrite a file another program replaced since it was opened.

Reading and the rules a file must follow are in :mod:`hygis.project.fileread` (re-exported
here); whatever would make opening refuse a project is refused before a save writes anything.

Saving is atomic: everything is written to a temporary file beside the target,
flushed and fsynced, then moved over the target with :func:`os.replace` (and
the directory fsynced), so a crash at any moment leaves the old or the new
file, never a broken one.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import pyogrio

from hygis import __version__
from hygis.core.atomic import TEMP_SUFFIX
from hygis.core.atomic import copy_mode as _copy_mode
from hygis.core.atomic import space_reason as _space_reason
from hygis.core.atomic import fsync_dir as _fsync_dir
from hygis.core.atomic import fsync_file as _fsync
from hygis.core.atomic import remove_stale_temps as _remove_stale_temps
from hygis.core.atomic import remove_temp as _remove_temp
from hygis.core.errors import HygisError
from hygis.db import live as db_live
from hygis.db import state as db_state
from hygis.layers.raster import RasterLayer
from hygis.layers.vector import VectorLayer
from hygis.project import gpkg, gpkg_merge
from hygis.project import bookmarks, layouts
from hygis.project import lock as hlock
from hygis.project import style_table
from hygis.project.fileread import (  # noqa: F401 (re-exported)
    FORMAT,
    FORMAT_VERSION,
    MAX_JSON_DEPTH,
    MAX_LAYERS,
    MAX_PROJECT_JSON,
    PROJECT_TABLE,
    RASTER_TABLE,
    RESERVED_NAMES,
    RESERVED_PREFIXES,
    SQLITE_MAGIC,
    TIFF_MAGICS,
    check_layer_count,
    check_raster,
    check_storable,
    open_project,
    read_project_json,
)
from hygis.project.gpkg import quote_ident  # noqa: F401 (re-exported)
from hygis.project.model import Project


def _table_name(layer, used: set[str]) -> str:
    """The layer's table: its display name (as QGIS shows it), made unique ignoring case
    (SQLite does), never a reserved name; '|' (QGIS' URI separator) and control characters replaced."""
    base = re.sub(r"[\x00-\x1f\x7f|]", "_", layer.name).strip() or "layer"
    if base.lower().startswith(RESERVED_PREFIXES) or base.lower() in RESERVED_NAMES:
        base = "_" + base
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base}_{n}", n + 1
    used.add(name.lower())
    return name


# -- saving ----------------------------------------------------------------------------------
def project_to_dict(project: Project, tables: dict[str, str] | None = None) -> dict:
    layers = []
    for layer in project.layers:
        entry = {"id": layer.id, "name": layer.name, "kind": layer.kind, "visible": layer.own_visible,
                 "opacity": layer.opacity, "source": getattr(layer, "source", "")}
        if isinstance(layer, VectorLayer):
            entry.update(style=layer.own_style.to_dict(), filter=layer.own_filter)  # a scenario's view is not saved here
        else:
            entry.update(style=layer.style.to_dict())
        if tables is not None:
            entry["table"] = tables[layer.id]
        layers.append(entry)
    return {
        "format": FORMAT, "version": FORMAT_VERSION, "app_version": __version__,
        "title": project.title, "extent": list(project.extent) if project.extent else None,
        "show_basemap": project.show_basemap, "layers": layers,
        "scenarios": [s.to_dict() for s in project.scenarios],
        "active_scenario": project.scenarios.active,
        "targets": [t.to_dict() for t in project.targets],
        **layouts.to_json(project),  # print layouts and tile source (hygis.project.layouts)
        **bookmarks.to_json(project),  # named map views (hygis.project.bookmarks)
        "settings": project.settings,
    }


def _vector_frame(layer: VectorLayer) -> gpd.GeoDataFrame:
    """The layer's features with its feature ids as the GeoPackage FID column ``fid``."""
    clash = [c for c in layer.data.columns if str(c).lower() in ("fid", "geom")]
    if clash:
        raise HygisError("layer '{layer_name}' has a field named '{value}', a name GeoPackage reserves; rename the field",
                         layer_name=layer.name, value=clash[0])
    return layer.data.reset_index()


#: Layers written by GDAL into one file before it is merged (GDAL reads every table of a
#: GeoPackage when it opens it: batches keep each write's cost flat, see hygis.project.gpkg_merge).
LAYER_BATCH = 16


def _write_layers(project: Project, path: Path) -> dict[str, str]:
    """Write every vector layer as a feature table named after the layer; returns {layer id: table}.

    The first :data:`LAYER_BATCH` layers go straight into ``path``; later ones in batches into
    side files beside it (temporary names a killed save's clean-up removes), each copied into
    ``path`` in one SQLite transaction, so a save's time grows linearly with the layer count."""
    con = sqlite3.connect(path)
    try:  # names (and GeoPackage identifiers) other programs' tables already use
        used = set(gpkg.table_kinds(con)) | {str(r[0]).lower() for r in con.execute(
            "SELECT identifier FROM gpkg_contents WHERE identifier IS NOT NULL")}
    finally:
        con.close()
    tables: dict[str, str] = {}
    vectors = []
    for layer in project.layers:
        tables[layer.id] = _table_name(layer, used)
        if isinstance(layer, VectorLayer):
            vectors.append(layer)
    live_frames = db_live.stored(project)[0]  # live linked layers keep only their pending edits here
    merged = None  # one connection for every batch's copy (SQLite parses a big schema once)
    try:
        with _gdal_temp_writes():
            for start in range(0, len(vectors), LAYER_BATCH):
                batch = vectors[start:start + LAYER_BATCH]
                if start == 0:
                    for layer in batch:
                        _write_vector(layer, live_frames, path, tables[layer.id])
                    continue
                side = Path(f"{path}-part{start // LAYER_BATCH}")
                try:
                    for layer in batch:
                        _write_vector(layer, live_frames, side, tables[layer.id])
                    if merged is None:
                        merged = sqlite3.connect(path)
                        merged.execute("PRAGMA synchronous = OFF")  # the file is fsynced before it replaces anything
                    gpkg_merge.copy_feature_tables(merged, side, [tables[layer.id] for layer in batch])
                finally:
                    _remove_temp(side)
    finally:
        if merged is not None:
            merged.close()
    return tables


class _gdal_temp_writes:
    """GDAL's SQLite writes without a sync per transaction while a save writes its temporary
    files (they are fsynced as a whole before they replace anything): OGR_SQLITE_SYNCHRONOUS=OFF."""

    def __enter__(self):
        self.before = pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS")
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": "OFF"})

    def __exit__(self, *exc):
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": self.before})
        return False


def _write_vector(layer: VectorLayer, live_frames: dict, path: Path, table: str) -> None:
    gdf = _vector_frame(layer)
    if layer.id in live_frames:
        gdf = live_frames[layer.id].reset_index()
    family = layer.geometry_type
    geom_type = {"polygon": "MultiPolygon", "line": "MultiLineString", "point": "Point"}.get(family, "Unknown")
    if family == "point" and (gdf.geom_type == "MultiPoint").any():
        geom_type = "MultiPoint"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pyogrio.write_dataframe(gdf, path, layer=table, driver="GPKG", geometry_type=geom_type,
                                promote_to_multi=geom_type.startswith("Multi") and geom_type != "MultiPoint",
                                layer_options={"IDENTIFIER": table, "FID": "fid"},
                                dataset_options={"VERSION": gpkg.GDAL_VERSION_OPTION})


def _write_project_tables(project: Project, path: Path, tables: dict[str, str]) -> None:
    """The QGIS styles, the embedded rasters and the project JSON, in one SQLite transaction."""
    doc = project_to_dict(project, tables)
    con = sqlite3.connect(path)
    try:
        with con:
            hashes = style_table.write(con, list(project.layers), tables)
            for entry in doc["layers"]:
                if entry["id"] in hashes:
                    entry["qgis_style"] = hashes[entry["id"]]  # tells hygis' row from a QGIS user's
            text = json.dumps(doc, ensure_ascii=False)
            if len(text.encode("utf-8")) > MAX_PROJECT_JSON:
                raise HygisError("the project description is larger than {value} MiB",
                                 value=MAX_PROJECT_JSON // 2 ** 20)
            con.execute(f"DROP TABLE IF EXISTS {RASTER_TABLE}")
            con.execute(f"CREATE TABLE {RASTER_TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                        f"table_name TEXT NOT NULL UNIQUE, name TEXT, data BLOB)")
            for layer in project.layers:
                if isinstance(layer, RasterLayer):
                    con.execute(f"INSERT INTO {RASTER_TABLE} (table_name, name, data) VALUES (?, ?, ?)",
                                (tables[layer.id], layer.name, layer.content))
            con.execute(f"CREATE TABLE IF NOT EXISTS {PROJECT_TABLE} (id INTEGER PRIMARY KEY, key TEXT UNIQUE, value TEXT)")
            con.execute(f"INSERT OR REPLACE INTO {PROJECT_TABLE} (key, value) VALUES ('project', ?)", (text,))
            for t in (PROJECT_TABLE, RASTER_TABLE):
                con.execute("INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier, description) "
                            "VALUES (?, 'attributes', ?, ?)", (t, t, "hygis project data"))
            gpkg.set_header(con)
        # team layers: links and base versions (hygis.db.state); a live layer's base of its pending edits
        db_state.write_tables(con, project, db_live.stored(project)[1])
    finally:
        con.close()


def save_project(project: Project, path=None, overwrite: bool = False) -> Path:
    """Write ``project`` to ``path`` (default: its own path) atomically; marks it clean and sets its path.

    Holds the project's write lock (:mod:`hygis.project.lock`) while writing.  Saving over the
    file the project was opened from keeps what other programs added to it (tables, QGIS
    styles of other layers, metadata), and is refused with :class:`~hygis.project.lock.ChangedOnDisk`
    if another program replaced that file meanwhile -- unless ``overwrite`` is true.
    """
    path = write_snapshot(project, path or project.path, overwrite=overwrite, _own=True)
    project.path = path
    project.mark_clean()
    return path


def _save_path(path) -> Path:
    if path is None:
        raise HygisError("No file name given to save the project")
    path = Path(path)
    if path.suffix.lower() != ".hygis":
        path = path.with_suffix(path.suffix + ".hygis") if path.suffix else path.with_suffix(".hygis")
    return path


def _copy_source(project: Project, target: Path) -> Path | None:
    """The file whose foreign content a save over ``target`` keeps: ``target`` itself if it is
    the project's own file (opened from or saved to) and a GeoPackage, else None (a fresh file)."""
    own = project.path is not None and Path(project.path).resolve() == target
    known = hlock.remembered(project)
    if not (own or (known and known[0] == str(target))) or not target.is_file():
        return None
    try:
        with open(target, "rb") as fh:
            return target if fh.read(16) == SQLITE_MAGIC else None
    except OSError:
        return None


def write_snapshot(project: Project, path, overwrite: bool = False, _own: bool = False) -> Path:
    """Write ``project`` to ``path`` atomically without touching its path or clean state.

    The same writer as :func:`save_project` (used by autosave for recovery files).
    Returns the path written (``.hygis`` appended when missing).
    """
    path = _save_path(path)
    target = path.resolve()  # a symlinked project: replace the file it points at, not the link
    directory = target.parent
    if not directory.is_dir():
        raise HygisError("Folder {directory} does not exist", directory=directory)
    if target.is_dir():
        raise HygisError("Cannot save: {path} is a folder", path=path)
    if not os.access(directory, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise HygisError("Cannot save: {path} is read-only", path=path)
    check_storable(project, path.name)
    with hlock.project_lock(target):
        if not overwrite:
            hlock.check_not_changed(project, target)
        _write_locked(project, path, target, directory)
        if _own:
            hlock.remember(project, target)
    return path


def _write_locked(project: Project, path: Path, target: Path, directory: Path) -> None:
    _remove_stale_temps(directory, target.stem)
    tmp = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=TEMP_SUFFIX, dir=directory)
        os.close(fd)
        tmp = Path(tmp_name)
        tmp.unlink()
        source = _copy_source(project, target)
        source_stamp = hlock.disk_stamp(target) if source else None
        _ensure_gpkg(tmp, source)
        tables = _write_layers(project, tmp)
        _write_project_tables(project, tmp, tables)
        if source is not None:
            gpkg.vacuum_if_sparse(tmp)
        _copy_mode(target, tmp)
        _fsync(tmp)
        if source is not None and hlock.disk_stamp(target) != source_stamp:
            raise HygisError("Cannot save {file}: another program changed it during the save. The file is unchanged; "
                             "save again.",
                             file=path.name)
        os.replace(tmp, target)
        tmp = None
        _fsync_dir(directory)
    except HygisError:
        raise
    except OSError as exc:
        reason = _space_reason(directory, exc) or exc.strerror or str(exc)
        raise HygisError("Cannot save {file}: {reason}. The previous file is unchanged.",
                         file=path.name, reason=reason) from exc
    except Exception as exc:  # GDAL/SQLite report write failures in their own words
        msg = _space_reason(directory, exc) or f"writing failed ({str(exc).split(chr(10))[0][:300]})"
        raise HygisError("Cannot save {file}: {msg}. The previous file is unchanged.",
                         file=path.name, msg=msg) from exc
    finally:
        if tmp is not None:
            _remove_temp(tmp)


def _ensure_gpkg(path: Path, source: Path | None = None) -> None:
    """Start the file being saved: a copy of ``source`` without hygis' own previous content
    (so tables and styles other programs added survive the save), or an empty GeoPackage."""
    if source is not None:
        try:
            gpkg.copy_database(source, path)
            _forget_owned(path)
            return
        except sqlite3.DatabaseError:  # the old file is damaged: the project in memory is what counts
            _remove_temp(path)
    gpkg.create_empty(path)


def _forget_owned(path: Path) -> None:
    """Remove from a copied project file what the next save writes anew: the layer tables its
    project JSON names with hygis' style rows of them, the raster table (the project row is
    replaced later).  QGIS users' style rows of hygis layers are parked (see style_table)."""
    con = sqlite3.connect(path)
    try:
        with con:
            tables = gpkg.real_tables(con)
            owned: dict[str, tuple[str, str]] = {}
            if PROJECT_TABLE in tables:
                row = con.execute(f"SELECT value FROM {PROJECT_TABLE} WHERE key = 'project'").fetchone()
                try:
                    doc = json.loads(row[0]) if row and isinstance(row[0], str) else {}
                except (json.JSONDecodeError, RecursionError):
                    doc = {}
                layers = doc.get("layers") if isinstance(doc, dict) else None
                for entry in layers if isinstance(layers, list) else []:
                    table = entry.get("table") if isinstance(entry, dict) else None
                    if isinstance(table, str) and table in tables and not table.lower().startswith(RESERVED_PREFIXES):
                        owned[table] = (str(entry.get("id")), str(entry.get("qgis_style") or ""))
            style_table.forget(con, owned)
            # hygis_* tables are hygis' own (rasters, team-layer state ...): rewritten
            gpkg.drop_feature_tables(con, list(owned) + [t for t in tables if t.lower().startswith("hygis_")
                                                          and t != PROJECT_TABLE])
            gpkg.drop_dangling_metadata(con)
    finally:
        con.close()
