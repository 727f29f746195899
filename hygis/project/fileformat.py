"""The ``.hygis`` project file: a valid GeoPackage.

* Each vector layer is a GeoPackage feature table (QGIS/ArcGIS open them as is).
* Raster layers are embedded as their original file bytes in ``hygis_rasters``.
* ``hygis_project`` (an attributes table) holds the project itself as JSON:
  title, layer order, styles, filters, scenarios, plan targets, format version.

Opening never executes anything from the file: the JSON is parsed with
:func:`json.loads` and validated field by field, sizes are bounded, table names
are only used if GeoPackage lists them and are always quoted as identifiers.

Saving is atomic: everything is written to a temporary file beside the target,
flushed and fsynced, then moved over the target with :func:`os.replace` (and
the directory fsynced), so a crash at any moment leaves the old or the new
file, never a broken one.
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import sqlite3
import tempfile
import urllib.parse
import warnings
from pathlib import Path

import geopandas as gpd
import pyogrio

from hygis import __version__
from hygis.core.atomic import TEMP_SUFFIX
from hygis.core.atomic import copy_mode as _copy_mode
from hygis.core.atomic import disk_nearly_full as _disk_nearly_full
from hygis.core.atomic import fsync_dir as _fsync_dir
from hygis.core.atomic import fsync_file as _fsync
from hygis.core.atomic import remove_stale_temps as _remove_stale_temps
from hygis.core.atomic import remove_temp as _remove_temp
from hygis.core.errors import HygisError
from hygis.db import state as db_state
from hygis.layers.raster import MAX_RASTER_BYTES, RasterLayer, RasterStyle
from hygis.layers.schema import LAYER_KINDS
from hygis.layers.style import Style
from hygis.layers.vector import VectorLayer
from hygis.project import layouts
from hygis.project.model import Project
from hygis.project.scenarios import Scenario
from hygis.project.targets import PlanTarget

FORMAT = "hygis-project"
FORMAT_VERSION = 1
PROJECT_TABLE = "hygis_project"
RASTER_TABLE = "hygis_rasters"
MAX_PROJECT_JSON = 32 * 1024 * 1024  # bytes
MAX_LAYERS = 1000
MAX_JSON_DEPTH = 64
#: Embedded rasters must be GeoTIFF: a VRT or other format could make GDAL read files outside the project.
TIFF_MAGICS = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
#: Tables a layer entry may never point at (GeoPackage/SQLite metadata, hygis' own tables).
RESERVED_PREFIXES = ("gpkg_", "rtree_", "hygis_", "sqlite_")
SQLITE_MAGIC = b"SQLite format 3\x00"


def quote_ident(name: str) -> str:
    """SQLite identifier quoting (doubles embedded quotes)."""
    return '"' + str(name).replace('"', '""') + '"'


def _table_name(layer, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9_]", "_", layer.kind if layer.kind != "vector" else "layer")
    name, n = base, 2
    while name in used or name.startswith(("gpkg_", "rtree_", "hygis_", "sqlite_")):
        name, n = f"{base}_{n}", n + 1
    used.add(name)
    return name


# -- saving ----------------------------------------------------------------------------------
def project_to_dict(project: Project, tables: dict[str, str] | None = None) -> dict:
    layers = []
    for layer in project.layers:
        entry = {"id": layer.id, "name": layer.name, "kind": layer.kind, "visible": layer.visible,
                 "opacity": layer.opacity, "source": getattr(layer, "source", "")}
        if isinstance(layer, VectorLayer):
            entry.update(style=layer.style.to_dict(), filter=layer.filter)
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
        "settings": project.settings,
    }


def _write_layers(project: Project, path: Path) -> dict[str, str]:
    used: set[str] = set()
    tables: dict[str, str] = {}
    rasters = []
    for layer in project.layers:
        table = _table_name(layer, used)
        tables[layer.id] = table
        if isinstance(layer, RasterLayer):
            rasters.append((table, layer))
            continue
        gdf = layer.data.reset_index()
        geom_type = {"polygon": "MultiPolygon", "line": "MultiLineString", "point": "Point"}.get(layer.geometry_type, "Unknown")
        if layer.geometry_type == "point" and (gdf.geom_type == "MultiPoint").any():
            geom_type = "MultiPoint"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pyogrio.write_dataframe(gdf, path, layer=table, driver="GPKG", geometry_type=geom_type,
                                    promote_to_multi=geom_type.startswith("Multi") and geom_type != "MultiPoint",
                                    layer_options={"IDENTIFIER": layer.name, "FID": "ogc_fid"})
    con = sqlite3.connect(path)
    try:
        with con:
            con.execute(f"CREATE TABLE IF NOT EXISTS {RASTER_TABLE} (table_name TEXT PRIMARY KEY, name TEXT, data BLOB)")
            for table, layer in rasters:
                con.execute(f"INSERT INTO {RASTER_TABLE} (table_name, name, data) VALUES (?, ?, ?)",
                            (table, layer.name, layer.content))
    finally:
        con.close()
    return tables


def save_project(project: Project, path=None) -> Path:
    """Write ``project`` to ``path`` (default: its own path) atomically; marks it clean and sets its path."""
    path = write_snapshot(project, path or project.path)
    project.path = path
    project.mark_clean()
    return path


def write_snapshot(project: Project, path) -> Path:
    """Write ``project`` to ``path`` atomically without touching its path or clean state.

    The same writer as :func:`save_project` (used by autosave for recovery files).
    Returns the path written (``.hygis`` appended when missing).
    """
    if path is None:
        raise HygisError("No file name given to save the project")
    path = Path(path)
    if path.suffix.lower() != ".hygis":
        path = path.with_suffix(path.suffix + ".hygis") if path.suffix else path.with_suffix(".hygis")
    target = path.resolve()  # a symlinked project: replace the file it points at, not the link
    directory = target.parent
    if not directory.is_dir():
        raise HygisError(f"Folder {directory} does not exist")
    if target.is_dir():
        raise HygisError(f"Cannot save: {path} is a folder")
    if not os.access(directory, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise HygisError(f"Cannot save: {path} is read-only")
    _remove_stale_temps(directory, target.stem)
    tmp = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=TEMP_SUFFIX, dir=directory)
        os.close(fd)
        tmp = Path(tmp_name)
        tmp.unlink()
        _ensure_gpkg(tmp)
        tables = _write_layers(project, tmp)
        doc = json.dumps(project_to_dict(project, tables), ensure_ascii=False)
        con = sqlite3.connect(tmp)
        try:
            with con:
                con.execute(f"CREATE TABLE IF NOT EXISTS {PROJECT_TABLE} (id INTEGER PRIMARY KEY, key TEXT UNIQUE, value TEXT)")
                con.execute(f"INSERT OR REPLACE INTO {PROJECT_TABLE} (key, value) VALUES ('project', ?)", (doc,))
                for t in (PROJECT_TABLE, RASTER_TABLE):
                    con.execute("INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier, description) "
                                "VALUES (?, 'attributes', ?, ?)", (t, t, "hygis project data"))
            db_state.write_tables(con, project)  # team layers: links and base versions (hygis.db.state)
        finally:
            con.close()
        _copy_mode(target, tmp)
        _fsync(tmp)
        os.replace(tmp, target)
        tmp = None
        _fsync_dir(directory)
    except HygisError:
        raise
    except OSError as exc:
        reason = "the disk is full" if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) else (exc.strerror or str(exc))
        raise HygisError(f"Cannot save {path.name}: {reason}. The previous file is unchanged.") from exc
    except Exception as exc:  # GDAL/SQLite report write failures in their own words
        msg = str(exc).split("\n")[0][:300]
        low = msg.lower()
        if "full" in low or "no space" in low or "too large" in low or _disk_nearly_full(directory):
            msg = "the disk is full"
        else:
            msg = f"writing failed ({msg})"
        raise HygisError(f"Cannot save {path.name}: {msg}. The previous file is unchanged.") from exc
    finally:
        if tmp is not None:
            _remove_temp(tmp)
    return path


def _ensure_gpkg(path: Path) -> None:
    """Create an empty but valid GeoPackage (GDAL writes the gpkg_* metadata tables)."""
    empty = gpd.GeoDataFrame({"x": []}, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pyogrio.write_dataframe(empty, path, layer="hygis_init", driver="GPKG", geometry_type="Point")
    con = sqlite3.connect(path)
    with con:
        con.execute("DROP TABLE IF EXISTS hygis_init")
        for t in ("gpkg_contents", "gpkg_geometry_columns", "gpkg_ogr_contents"):
            try:
                con.execute(f"DELETE FROM {quote_ident(t)} WHERE table_name = 'hygis_init'")
            except sqlite3.OperationalError:
                pass
        for row in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table','trigger') AND name LIKE 'rtree_hygis_init%'").fetchall():
            con.execute(f"DROP TABLE IF EXISTS {quote_ident(row[0])}")
    con.close()


# -- opening ---------------------------------------------------------------------------------
def _connect_ro(path: Path) -> sqlite3.Connection:
    """Read-only SQLite connection; the path is percent-encoded so '#', '?' or '%' in a file
    name cannot change the URI (they would otherwise open another file or fail)."""
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True)


def _json_depth_ok(doc, limit: int = MAX_JSON_DEPTH) -> bool:
    """True if ``doc`` nests no deeper than ``limit`` (checked without recursion)."""
    stack = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return True


def read_project_json(path) -> dict:
    """The project JSON of a .hygis file, checked for format and version (nothing executed)."""
    path = Path(path)
    if not path.is_file():
        raise HygisError(f"{path} does not exist or is not a file")
    with open(path, "rb") as fh:
        if fh.read(16) != SQLITE_MAGIC:
            raise HygisError(f"{path.name} is not a hygis project (not a GeoPackage)")
    try:
        con = _connect_ro(path)
    except sqlite3.Error as exc:
        raise HygisError(f"{path.name} cannot be opened: {exc}") from None
    try:
        row = con.execute(f"SELECT length(value), value FROM {PROJECT_TABLE} WHERE key = 'project' "
                          f"AND length(value) <= ?", (MAX_PROJECT_JSON,)).fetchone()
        if row is None:
            big = con.execute(f"SELECT 1 FROM {PROJECT_TABLE} WHERE key = 'project'").fetchone()
            raise HygisError(f"{path.name}: the project table is {'too large' if big else 'empty'}")
        text = row[1]
    except sqlite3.DatabaseError as exc:
        if "no such table" in str(exc):
            raise HygisError(f"{path.name} is a GeoPackage but not a hygis project (no {PROJECT_TABLE} table)") from None
        raise HygisError(f"{path.name} is damaged: {exc}") from None
    finally:
        con.close()
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise HygisError(f"{path.name}: the project table is not UTF-8 text") from None
    if not isinstance(text, str):
        raise HygisError(f"{path.name}: the project table does not hold text")
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise HygisError(f"{path.name}: the project table is not valid JSON") from None
    if not _json_depth_ok(doc):
        raise HygisError(f"{path.name}: the project table nests deeper than {MAX_JSON_DEPTH} levels")
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise HygisError(f"{path.name}: the project table is not a hygis project")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise HygisError(f"{path.name}: the project format version is missing or invalid")
    if version > FORMAT_VERSION:
        raise HygisError(f"{path.name} was saved by a newer hygis (format {version}; this version reads up to "
                         f"{FORMAT_VERSION}). Please update hygis.")
    if version < 1:
        raise HygisError(f"{path.name}: unknown project format version {version}")
    return doc


def open_project(path) -> Project:
    """Open a ``.hygis`` file; any problem with it is a :class:`HygisError` naming the file.

    Nothing in the file is executed; only tables GeoPackage lists are read, never other files.
    """
    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GDAL/rasterio warnings about a bad file: the error says it
            return _open_project(path)
    except HygisError as exc:
        if str(exc).startswith(path.name):
            raise
        raise HygisError(f"{path.name}: {exc}", getattr(exc, "details", None)) from None


def _open_project(path: Path) -> Project:
    doc = read_project_json(path)
    layer_entries = doc.get("layers") or []
    if not isinstance(layer_entries, list) or len(layer_entries) > MAX_LAYERS:
        raise HygisError(f"{path.name}: invalid layer list")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "non conformant file extension": .hygis is a GeoPackage on purpose
            tables = set(pyogrio.list_layers(path)[:, 0].tolist())
    except Exception as exc:
        raise HygisError(f"{path.name} is damaged: {exc}") from None
    project = Project(title=_str(doc.get("title")))
    rasters = _read_rasters(path)
    seen_ids = set()
    for i, entry in enumerate(layer_entries):
        if not isinstance(entry, dict):
            raise HygisError(f"{path.name}: layer {i + 1} is not an object")
        layer = _layer_from_entry(path, entry, tables, rasters)
        if layer.id in seen_ids:
            raise HygisError(f"{path.name}: duplicate layer id {layer.id}")
        seen_ids.add(layer.id)
        project.layers.append(layer)
    scenarios = doc.get("scenarios") or []
    if not isinstance(scenarios, list):
        raise HygisError(f"{path.name}: scenarios must be a list")
    for s in scenarios:
        project.scenarios.add(Scenario.from_dict(s))
    active = doc.get("active_scenario")
    if isinstance(active, str) and active in project.scenarios.names:
        project.scenarios.set_active(active)
    targets = doc.get("targets") or []
    if not isinstance(targets, list):
        raise HygisError(f"{path.name}: targets must be a list")
    project.set_targets([PlanTarget.from_dict(t) for t in targets])
    project.extent = _extent(doc.get("extent"))
    project.show_basemap = bool(doc.get("show_basemap", True))
    layouts.from_json(project, doc)
    settings = doc.get("settings")
    for key, value in (settings.items() if isinstance(settings, dict) else ()):
        if key in project.settings and type(value) is type(project.setting(key)):
            project.set_setting(key, value)
    _read_db_state(path, project)
    project.path = path
    project.mark_clean()
    return project


def _read_db_state(path: Path, project: Project) -> None:
    """Team layers' sync state (hygis-owned tables; see :mod:`hygis.db.state`)."""
    con = _connect_ro(path)
    try:
        db_state.read_tables(con, project)
    finally:
        con.close()


def _extent(value):
    """A saved view extent (WGS84 degrees) if it is four finite, ordered numbers, else None."""
    if not isinstance(value, (list, tuple)) or len(value) != 4:
        return None
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return None
    x0, y0, x1, y1 = (float(v) for v in value)
    if not all(math.isfinite(v) and abs(v) <= 1000 for v in (x0, y0, x1, y1)) or x0 > x1 or y0 > y1:
        return None
    return x0, y0, x1, y1


def _str(v, limit=500) -> str:
    return v[:limit] if isinstance(v, str) else ""


def _read_rasters(path: Path) -> dict[str, bytes]:
    try:
        con = _connect_ro(path)
    except sqlite3.Error:
        return {}
    try:
        rows = con.execute(f"SELECT table_name, data FROM {RASTER_TABLE} WHERE length(data) <= ?",
                           (MAX_RASTER_BYTES,)).fetchall()
    except sqlite3.DatabaseError:
        return {}
    finally:
        con.close()
    return {str(t): bytes(d) for t, d in rows if isinstance(d, (bytes, memoryview))}


def _layer_from_entry(path: Path, entry: dict, tables: set[str], rasters: dict[str, bytes]):
    name = _str(entry.get("name"), 200) or "layer"
    kind = entry.get("kind")
    table = entry.get("table")
    if kind not in LAYER_KINDS:
        raise HygisError(f"{path.name}: layer '{name}' has unknown kind {kind!r}")
    if not isinstance(table, str):
        raise HygisError(f"{path.name}: layer '{name}' names no table")
    if table.lower().startswith(RESERVED_PREFIXES):
        raise HygisError(f"{path.name}: layer '{name}' points at a reserved table")
    lid = entry.get("id")
    lid = lid if isinstance(lid, str) and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", lid) else None
    try:
        opacity = float(entry.get("opacity", 1.0))
    except (TypeError, ValueError, OverflowError):
        opacity = 1.0
    if not math.isfinite(opacity):
        opacity = 1.0
    common = dict(visible=bool(entry.get("visible", True)), opacity=min(max(opacity, 0.0), 1.0),
                  source=_str(entry.get("source"), 5000), layer_id=lid)
    if kind == "raster":
        if table not in rasters:
            raise HygisError(f"{path.name}: raster layer '{name}' has no data")
        if not rasters[table].startswith(TIFF_MAGICS):
            raise HygisError(f"{path.name}: raster layer '{name}' is not an embedded GeoTIFF")
        return RasterLayer(name, rasters[table], style=RasterStyle.from_dict(entry.get("style") or {}), **common)
    if table not in tables:
        raise HygisError(f"{path.name}: layer '{name}' has no table in the file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gdf = pyogrio.read_dataframe(path, layer=table, fid_as_index=False)
    except Exception as exc:
        raise HygisError(f"{path.name}: layer '{name}' cannot be read: {exc}") from None
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise HygisError(f"{path.name}: layer '{name}' has no geometry")
    if "fid" in gdf.columns:
        gdf = gdf.set_index("fid")
    if gdf.crs is None:
        gdf = gdf.set_crs("EPSG:4326")
    style = Style.from_dict(entry.get("style") or {}) if entry.get("style") else None
    flt = _str(entry.get("filter"), 2000)
    return VectorLayer(name, gdf, kind=kind, style=style, filter=flt, **common)
