"""Reading a ``.hygis`` file, and the rules every file must follow (checked on open and before a save).

Opening never executes anything from the file: the JSON is parsed with
:func:`json.loads` and validated field by field, sizes are bounded, table names
are only used if they name ordinary tables of the file (never views, whose query
could run forever, nor GeoPackage/hygis metadata) and are always quoted as
identifiers; every SQLite statement runs under a time limit.
"""

from __future__ import annotations

import json
import logging
import math
import re
import sqlite3
import warnings
from pathlib import Path

import geopandas as gpd
import pyogrio

from hygis.core.errors import HygisError
from hygis.db import state as db_state
from hygis.io.readers import exact_integers
from hygis.layers.raster import MAX_RASTER_BYTES, RasterLayer, RasterStyle
from hygis.layers.schema import LAYER_KINDS
from hygis.layers.style import Style
from hygis.layers.vector import VectorLayer
from hygis.project import bookmarks, gpkg, gpkg_merge, layouts
from hygis.project import lock as hlock
from hygis.project import style_table
from hygis.project.model import Project
from hygis.project.qgis_style import style_from_qml
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
#: Table names a layer never gets (QGIS' style table, GDAL's metadata).
RESERVED_NAMES = ("layer_styles", "ogr_empty_table", "trigger_insert_feature_count", "spatial_ref_sys")
log = logging.getLogger(__name__)
SQLITE_MAGIC = b"SQLite format 3\x00"


# -- the checks made on open, also made before saving -------------------------------------
def check_layer_count(n: int, where: str) -> None:
    if n > MAX_LAYERS:
        raise HygisError("{where}: the project has {n} layers; hygis opens at most {MAX_LAYERS}",
                         where=where, n=n, MAX_LAYERS=MAX_LAYERS)


def check_raster(name: str, content, where: str) -> None:
    if not isinstance(content, (bytes, bytearray, memoryview)) or not bytes(content[:4]).startswith(TIFF_MAGICS):
        raise HygisError("{where}: raster layer '{name}' is not an embedded GeoTIFF", where=where, name=name)
    if len(content) > MAX_RASTER_BYTES:
        raise HygisError("{where}: raster layer '{name}' is larger than {value} MiB",
                         where=where, name=name, value=MAX_RASTER_BYTES // 2 ** 20)


def check_storable(project: Project, where: str) -> None:
    """Refuse what :func:`open_project` would refuse, with the same message (before anything is written)."""
    check_layer_count(len(project.layers), where)
    for layer in project.layers:
        if isinstance(layer, RasterLayer):
            check_raster(layer.name, layer.content, where)


def _connect_ro(path: Path) -> sqlite3.Connection:
    """Read-only connection with a time limit per statement (see :func:`gpkg.connect_ro`)."""
    return gpkg.connect_ro(path)


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


def _query(con, path: Path, sql: str, params=()):
    """Run a read query; a damaged file or a query past the time limit is a HygisError."""
    try:
        return con.execute(sql, params).fetchall()
    except sqlite3.DatabaseError as exc:
        if gpkg.is_interrupted(exc):
            raise HygisError("{file}: reading took longer than {READ_TIME_LIMIT_S:g} s (a table is a view over a "
                             "never-ending query?)",
                             file=path.name, READ_TIME_LIMIT_S=gpkg.READ_TIME_LIMIT_S) from None
        if "no such table" in str(exc):
            raise HygisError("{file} is a GeoPackage but not a hygis project (no {PROJECT_TABLE} table)",
                             file=path.name, PROJECT_TABLE=PROJECT_TABLE) from None
        raise HygisError("{file} is damaged: {reason}", file=path.name, reason=exc) from None


def read_project_json(path) -> dict:
    """The project JSON of a .hygis file, checked for format and version (nothing executed)."""
    path = Path(path)
    if not path.is_file():
        raise HygisError("{path} does not exist or is not a file", path=path)
    with open(path, "rb") as fh:
        if fh.read(16) != SQLITE_MAGIC:
            raise HygisError("{file} is not a hygis project (not a GeoPackage)", file=path.name)
    try:
        con = _connect_ro(path)
    except sqlite3.Error as exc:
        raise HygisError("{file} cannot be opened: {reason}", file=path.name, reason=exc) from None
    try:
        kind = _query(con, path, "SELECT type FROM sqlite_master WHERE name = ?", (PROJECT_TABLE,))
        if not kind:
            raise HygisError("{file} is a GeoPackage but not a hygis project (no {PROJECT_TABLE} table)",
                             file=path.name, PROJECT_TABLE=PROJECT_TABLE)
        if kind[0][0] != "table":
            raise HygisError("{file}: {PROJECT_TABLE} is a {value}, not a table",
                             file=path.name, PROJECT_TABLE=PROJECT_TABLE, value=kind[0][0])
        rows = _query(con, path, f"SELECT length(value), value FROM {PROJECT_TABLE} WHERE key = 'project' "
                                 f"AND length(value) <= ?", (MAX_PROJECT_JSON,))
        if not rows:
            big = _query(con, path, f"SELECT 1 FROM {PROJECT_TABLE} WHERE key = 'project'")
            raise HygisError("{file}: the project table is too large" if big else "{file}: the project table is empty",
                             file=path.name, value='too large' if big else 'empty')
        text = rows[0][1]
    finally:
        con.close()
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise HygisError("{file}: the project table is not UTF-8 text", file=path.name) from None
    if not isinstance(text, str):
        raise HygisError("{file}: the project table does not hold text", file=path.name)
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise HygisError("{file}: the project table is not valid JSON", file=path.name) from None
    if not _json_depth_ok(doc):
        raise HygisError("{file}: the project table nests deeper than {MAX_JSON_DEPTH} levels",
                         file=path.name, MAX_JSON_DEPTH=MAX_JSON_DEPTH)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise HygisError("{file}: the project table is not a hygis project", file=path.name)
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise HygisError("{file}: the project format version is missing or invalid", file=path.name)
    if version > FORMAT_VERSION:
        raise HygisError("{file} was saved by a newer hygis (format {version}; this version reads up to "
                         "{FORMAT_VERSION}). Please update hygis.",
                         file=path.name, version=version, FORMAT_VERSION=FORMAT_VERSION)
    if version < 1:
        raise HygisError("{file}: unknown project format version {version}", file=path.name, version=version)
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
        raise HygisError("{file}: {reason}", getattr(exc, "details", None), file=path.name, reason=exc) from None


def _file_tables(path: Path) -> tuple[dict[str, str], set[str], dict[str, bytes], dict[str, str]]:
    """({table: sqlite type}, feature tables listed in gpkg_contents, {raster key: GeoTIFF bytes},
    {table: QML of the style QGIS would load})."""
    try:
        con = _connect_ro(path)
    except sqlite3.Error as exc:
        raise HygisError("{file} cannot be opened: {reason}", file=path.name, reason=exc) from None
    try:
        kinds = {str(n): str(t) for t, n in _query(con, path, "SELECT type, name FROM sqlite_master")}
        features = {str(r[0]) for r in _query(con, path, "SELECT table_name FROM gpkg_contents "
                                                         "WHERE data_type = 'features'")}
        rasters = {}
        if kinds.get(RASTER_TABLE) == "table":
            rows = _query(con, path, f"SELECT table_name, data FROM {RASTER_TABLE} WHERE length(data) <= ?",
                          (MAX_RASTER_BYTES,))
            rasters = {str(t): bytes(d) for t, d in rows if isinstance(d, (bytes, memoryview))}
        try:
            styles = style_table.read_defaults(con)
        except sqlite3.DatabaseError as exc:
            if gpkg.is_interrupted(exc):
                raise HygisError("{file}: reading took longer than {READ_TIME_LIMIT_S:g} s",
                                 file=path.name, READ_TIME_LIMIT_S=gpkg.READ_TIME_LIMIT_S) from None
            styles = {}  # a damaged style table only costs QGIS users' styles
    finally:
        con.close()
    return kinds, features, rasters, styles


def _open_project(path: Path) -> Project:
    stamp = hlock.disk_stamp(path)
    doc = read_project_json(path)
    layer_entries = doc.get("layers") or []
    if not isinstance(layer_entries, list):
        raise HygisError("{file}: invalid layer list", file=path.name)
    check_layer_count(len(layer_entries), path.name)
    kinds, features, rasters, styles = _file_tables(path)
    project = Project(title=_str(doc.get("title")))
    seen_ids = set()
    with _batched_reader(path, layer_entries, kinds, features) as reader:
        for i, entry in enumerate(layer_entries):
            if not isinstance(entry, dict):
                raise HygisError("{file}: layer {value} is not an object", file=path.name, value=i + 1)
            layer = _layer_from_entry(path, entry, kinds, features, rasters, reader)
            _add_layer(path, project, entry, layer, styles, seen_ids)
    scenarios = doc.get("scenarios") or []
    if not isinstance(scenarios, list):
        raise HygisError("{file}: scenarios must be a list", file=path.name)
    for s in scenarios:
        project.scenarios.add(Scenario.from_dict(s))
    active = doc.get("active_scenario")
    if isinstance(active, str) and active in project.scenarios.names:
        project.scenarios.set_active(active)
    targets = doc.get("targets") or []
    if not isinstance(targets, list):
        raise HygisError("{file}: targets must be a list", file=path.name)
    project.set_targets([PlanTarget.from_dict(t) for t in targets])
    project.extent = _extent(doc.get("extent"))
    project.show_basemap = bool(doc.get("show_basemap", True))
    layouts.from_json(project, doc)
    bookmarks.from_json(project, doc)
    settings = doc.get("settings")
    for key, value in (settings.items() if isinstance(settings, dict) else ()):
        if key in project.settings and type(value) is type(project.setting(key)):
            project.set_setting(key, value)
    _read_db_state(path, project)
    project.path = path
    project.mark_clean()
    hlock.remember_stamp(project, path, stamp)
    return project


#: More feature tables than this in a file: layers are read in batches copied to small side files
#: (GDAL reads every table of a GeoPackage it opens: one open per layer would cost O(N²)).
READ_BATCH = 12


def _batched_reader(path: Path, entries: list, kinds: dict[str, str], features: set[str]):
    tables = [e.get("table") for e in entries if isinstance(e, dict) and e.get("kind") != "raster"]
    tables = [t for t in tables if isinstance(t, str) and t in features and kinds.get(t) == "table"
              and not t.lower().startswith(RESERVED_PREFIXES)]
    if len(features) <= READ_BATCH:
        tables = []
    return gpkg_merge.BatchedReader(path, list(dict.fromkeys(tables)), READ_BATCH)


def _add_layer(path: Path, project: Project, entry: dict, layer, styles: dict, seen_ids: set) -> None:
    if isinstance(layer, VectorLayer):
        _adopt_qgis_style(layer, styles.get(entry["table"]), entry.get("qgis_style"))
    if layer.id in seen_ids:
        raise HygisError("{file}: duplicate layer id {id}", file=path.name, id=layer.id)
    seen_ids.add(layer.id)
    project.layers.append(layer)


def _read_db_state(path: Path, project: Project) -> None:
    """Team layers' sync state (hygis-owned tables; see :mod:`hygis.db.state`)."""
    con = _connect_ro(path)
    try:
        db_state.read_tables(con, project)
    finally:
        con.close()


def _adopt_qgis_style(layer: VectorLayer, qml, ours) -> None:
    """Take over the style a QGIS user stored for the layer (a QML hygis did not write)."""
    if not isinstance(qml, str) or style_table.qml_hash(qml) == ours:
        return
    try:
        style, opacity = style_from_qml(qml, layer.style, layer.geometry_type)
    except (ValueError, HygisError) as exc:
        log.info("layer %s: QGIS style not read (%s)", layer.name, exc)
        return
    layer.style = style
    if opacity is not None:
        layer.opacity = opacity


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


def _layer_from_entry(path: Path, entry: dict, kinds: dict[str, str], features: set[str],
                      rasters: dict[str, bytes], reader=None):
    name = _str(entry.get("name"), 200) or "layer"
    kind = entry.get("kind")
    table = entry.get("table")
    if kind not in LAYER_KINDS:
        raise HygisError("{file}: layer '{name}' has unknown kind {kind!r}",
                         file=path.name, name=name, kind=kind)
    if not isinstance(table, str):
        raise HygisError("{file}: layer '{name}' names no table", file=path.name, name=name)
    if table.lower().startswith(RESERVED_PREFIXES):
        raise HygisError("{file}: layer '{name}' points at a reserved table", file=path.name, name=name)
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
            raise HygisError("{file}: raster layer '{name}' has no data", file=path.name, name=name)
        check_raster(name, rasters[table], path.name)
        return RasterLayer(name, rasters[table], style=RasterStyle.from_dict(entry.get("style") or {}), **common)
    if table not in kinds:
        raise HygisError("{file}: layer '{name}' has no table in the file", file=path.name, name=name)
    if kinds[table] != "table" or table not in features:
        if kinds[table] != "table":
            raise HygisError("{file}: layer '{name}' is a {kind}; hygis reads only feature tables",
                             file=path.name, name=name, kind=kinds[table])
        raise HygisError("{file}: layer '{name}' is not a GeoPackage feature table; hygis reads only feature tables",
                         file=path.name, name=name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            source = reader.source(table) if reader is not None else path
            gdf = pyogrio.read_dataframe(source, layer=table, fid_as_index=True)
        gdf = exact_integers(source, table, gdf)  # 64-bit integers with nulls stay exact (nullable Int64)
    except HygisError as exc:
        raise HygisError("{file}: layer '{name}' cannot be read: {reason}",
                         file=path.name, name=name, reason=exc) from None
    except Exception as exc:
        raise HygisError("{file}: layer '{name}' cannot be read: {reason}",
                         file=path.name, name=name, reason=exc) from None
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise HygisError("{file}: layer '{name}' has no geometry", file=path.name, name=name)
    if "fid" in gdf.columns:  # files before 0.x kept the feature ids in a column beside ogc_fid
        gdf = gdf.set_index("fid")
    if gdf.crs is None:
        gdf = gdf.set_crs("EPSG:4326")
    style = Style.from_dict(entry.get("style") or {}) if entry.get("style") else None
    flt = _str(entry.get("filter"), 2000)
    return VectorLayer(name, gdf, kind=kind, style=style, filter=flt, **common)
