"""Push a layer to PostGIS, check a team table out into a project, report status, sync.

Every function works on a :class:`~hygis.project.model.Project` and saves it with the normal
atomic writer, so the layer data and its base versions always land in the file together.

A sync, per layer: (1) give new local features an id and save (so a replay after a crash
recognises them); (2) read the team table in a READ ONLY transaction; (3) merge
(:mod:`hygis.db.merge`); (4) write the pushes in ONE transaction whose UPDATE/DELETE carry
the version read in (2) -- a row changed meanwhile aborts the transaction and the layer is
merged again; (5) apply the pulls to the layer as one undoable command, move the base and
save the project atomically.  Killed between (4) and (5), the next sync finds both sides equal
and only moves the base: nothing is lost or doubled.
"""

from __future__ import annotations

import datetime as _dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import shapely

from hygis.core.errors import HygisError
from hygis.db import live, local, require
from hygis.db import state as db_state
from hygis.db import tables as T
from hygis.db.connection import connect, public_url
from hygis.db.merge import GEOMETRY, Plan, canon_row, merge
from hygis.layers.schema import LAYER_KINDS
from hygis.layers.vector import VectorLayer
from hygis.project.commands import AddLayer, Label
from hygis.project.fileformat import open_project, save_project
from hygis.project.lock import project_lock
from hygis.project.model import Project

log = logging.getLogger(__name__)
MAX_RACE_RETRIES = 3


class _Race(Exception):
    """A row changed between reading and writing: merge again."""


class WriteRefused(HygisError):
    """The database refused the writes (a role without write rights, a read-only server): the edits stay local."""


@dataclass
class LayerReport:
    layer: str
    pushed: dict = field(default_factory=dict)
    pulled: dict = field(default_factory=dict)
    conflicts: list = field(default_factory=list)
    error: str = ""
    read_only: bool = False  # the error is a refusal to write (permission denied, read-only database)


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


# -- push -----------------------------------------------------------------------------------
def push_layer(project: Project, layer_name: str, url: str, table: str | None = None, schema: str | None = None,
               replace: bool = False) -> tuple[str, int]:
    """Create a team table from a project layer; the layer becomes a team layer (saved)."""
    layer = next((lyr for lyr in project.layers if lyr.name == layer_name), None)
    if layer is None:
        names = ", ".join(lyr.name for lyr in project.layers) or "none"
        raise HygisError("No layer named '{layer_name}' (layers: {names})", layer_name=layer_name, names=names)
    if not isinstance(layer, VectorLayer):
        raise HygisError("Layer '{layer_name}' is a raster: only vector layers can be team layers",
                         layer_name=layer_name)
    schema, table = T.split_name(table or layer.name, schema)
    data = local.with_ids(layer)
    if data is not None:
        project.execute(local.ReplaceLayerData(layer, data, Label("Give {layer} team ids", layer=layer.name)))
    with connect(url) as con:
        n = T.push_frame(con, layer.data, schema, table, kind=layer.kind, geometry_type=layer.geometry_type,
                         replace=replace)
        info = T.table_info(con, schema, table)
    _link(project, layer, url, info, "", {uid: (1, row) for uid, row in
                                          local.local_rows(layer, info.names)[0].items()})
    if project.path is not None:
        save_project(project)
    return f"{schema}.{table}", n


def _link(project, layer, url, info, where, rows: dict) -> None:
    state = db_state.of(project, create=True)
    state.links[layer.id] = db_state.Link(layer.id, public_url(url), info.schema, info.table, where or "",
                                          _now(), info.names)
    state.base[layer.id] = {uid: (ver, {k: v for k, v in row.items() if k != GEOMETRY}, row.get(GEOMETRY))
                            for uid, (ver, row) in rows.items()}


# -- checkout -------------------------------------------------------------------------------
def checkout(url: str, table: str, project_path, name: str | None = None, where: str | None = None) -> VectorLayer:
    """Copy a team table (all or ``where``) into a project file as an offline layer; creates it if missing."""
    path = Path(project_path)
    project = open_project(path) if path.exists() else Project(title=path.stem)
    layer = checkout_into(project, url, table, name=name, where=where)
    save_project(project, path)
    return layer


def checkout_into(project: Project, url: str, table: str, name: str | None = None,
                  where: str | None = None) -> VectorLayer:
    """Add a team table (all or ``where``) to ``project`` as an offline layer (one undoable step; not saved)."""
    where = T.check_where(where)
    schema, tbl = T.split_name(table)
    with connect(url) as con:
        info = T.table_info(con, schema, tbl)
        if not info.team:
            raise HygisError("{schema}.{tbl} is not a team table (no hygis_id / hygis_version columns): create it with "
                             "'hygis db push'",
                             schema=schema, tbl=tbl)
        try:
            rows = T.read_rows(con, info, where)
        except require("psycopg").Error as exc:
            raise HygisError("Cannot read {schema}.{tbl}: {value}",
                             schema=schema, tbl=tbl, value=exc.diag.message_primary or exc) from None
    name = name or tbl
    if name in [lyr.name for lyr in project.layers]:
        raise HygisError("The project already has a layer named '{name}' (use --name)", name=name)
    uids = list(rows)
    records = [dict(rows[u][1], **{T.ID: u}) for u in uids]
    geoms = shapely.from_wkb([rows[u][2] for u in uids]) if uids else []
    gdf = gpd.GeoDataFrame(records, columns=[T.ID] + info.names, geometry=gpd.GeoSeries(geoms, crs=4326), crs=4326)
    kind = info.kind if info.kind in LAYER_KINDS and info.kind != "raster" else "vector"
    try:
        layer = VectorLayer(name, gdf, kind=kind, source=f"{public_url(url)}#{schema}.{tbl}")
    except HygisError:
        layer = VectorLayer(name, gdf, kind="vector", source=f"{public_url(url)}#{schema}.{tbl}")
    project.execute(AddLayer(project, layer))
    _link(project, layer, url, info, where, {u: (rows[u][0], canon_row(rows[u][1], rows[u][2], info.names))
                                             for u in uids})
    return layer


# -- status ---------------------------------------------------------------------------------
def status(project: Project) -> list[dict]:
    """Per team layer: local inserts/updates/deletes since the last sync, table and last sync time."""
    state = db_state.of(project)
    out = []
    for layer, link in local.layer_link(project):
        counts = local.diff_counts(layer, link, state)
        out.append(dict(layer=layer.name, table=f"{link.schema}.{link.table}", url=link.url, mode=link.mode,
                        last_sync=link.last_sync, **counts))
    return out


# -- sync -----------------------------------------------------------------------------------
def commit_live(project: Project, resolutions: dict | None = None, prefer: str | None = None) -> list[LayerReport]:
    """Commit the pending edits of the project's live linked layers (a window's save; saves the file).
    Layers without pending edits are not contacted."""
    reports = []
    names = [lyr.name for lyr, _ in live.live_links(project) if any(live.pending(project, lyr).values())]
    for name in names:
        reports += sync_project(project, name, prefer=prefer, resolutions=resolutions)
    return reports


def sync_project(project: Project, layer_name: str | None = None, prefer: str | None = None,
                 resolutions: dict | None = None) -> list[LayerReport]:
    """Sync the project's team layers (or one) and save the project; see the module doc."""
    if prefer not in (None, "mine", "theirs"):
        raise HygisError("--prefer is 'mine' or 'theirs'")
    if project.path is None:
        raise HygisError("Save the project before syncing it")
    with project_lock(project.path):  # no import/update/other save of this file interleaves with the sync
        return _sync_locked(project, layer_name, prefer, resolutions)


def _sync_locked(project, layer_name, prefer, resolutions) -> list[LayerReport]:
    pairs = local.layer_link(project, layer_name)
    if not pairs:
        raise HygisError("This project has no team layers (add one with 'hygis db checkout')")
    prepared = False
    for layer, _ in pairs:  # (1) ids for new features, saved before anything reaches the database
        data = local.with_ids(layer)
        if data is not None:
            project.execute(local.ReplaceLayerData(layer, data, Label("Give new features of {layer} team ids", layer=layer.name)))
            prepared = True
    if prepared:
        save_project(project)
    reports, changed = [], False
    for layer, link in pairs:
        report = LayerReport(layer.name)
        reports.append(report)
        try:
            changed |= _sync_layer(project, layer, link, prefer, (resolutions or {}).get(layer.id, {}), report)
        except HygisError as exc:
            report.error = exc.message  # the English text, keeping its template (the app translates it)
            report.read_only = isinstance(exc, WriteRefused)
    if changed:
        save_project(project)
    return reports


@dataclass
class LayerJob:
    """What a sync of one layer needs from the project, taken on the UI thread (:func:`snapshot`) so the
    database part (:func:`push_job`) can run in a worker thread while the planner keeps working."""

    layer_id: str
    name: str
    url: str
    schema: str
    table: str
    where: str
    mode: str
    data: object  # a copy of the layer's features
    base: dict  # {uid: (version, row)}


@dataclass
class Outcome:
    """A layer's database part done: the merge plan written, the new versions, the table's fields."""

    plan: Plan
    versions: dict
    fields: list


class _Snapshot:
    def __init__(self, data):
        self.data = data


def snapshot(project, layer, link) -> LayerJob:
    state = db_state.of(project)
    return LayerJob(layer.id, layer.name, link.url, link.schema, link.table, link.where or "", link.mode,
                    layer.data.copy(), local.base_rows(state, link.layer_id))


def push_job(job: LayerJob, prefer=None, resolutions: dict | None = None) -> Outcome:
    """The database part of a layer's sync (no project access: any thread): read the team rows, merge
    with the snapshot, write the pushes in one transaction (merging again when a row moved meanwhile)."""
    psycopg = require("psycopg")
    base = job.base
    live_mode = job.mode == live.LIVE
    with connect(job.url) as con:
        info = T.table_info(con, job.schema, job.table)
        fields = info.names
        for _attempt in range(MAX_RACE_RETRIES):
            mine, _ = local.local_rows(_Snapshot(job.data), fields, base)
            if live_mode:  # a linked layer: only its pending edits, a moved version is a conflict
                ids = live.pending_ids(base, mine)
                b_use, m_use = {u: base[u] for u in ids if u in base}, {u: mine[u] for u in ids if u in mine}
            else:
                ids, b_use, m_use = set(base) | set(mine), base, mine
            try:
                raw = T.read_rows(con, info, job.where or None, ids=ids, only_ids=live_mode)
            except psycopg.Error as exc:
                raise HygisError("Cannot read {schema}.{table}: {value}",
                                 schema=job.schema, table=job.table, value=exc.diag.message_primary or exc) from None
            theirs = {u: (v, canon_row(p, g, fields)) for u, (v, p, g) in raw.items()}
            plan = merge(b_use, m_use, theirs, resolutions=resolutions or {}, prefer=prefer, strict=live_mode)
            try:
                return Outcome(plan, _write(con, info, plan), fields)
            except _Race:
                log.info("sync of %s: a row changed while syncing; merging again", job.name)
    raise HygisError("{schema}.{table} is changing too fast to sync; try again",
                     schema=job.schema, table=job.table)


def apply_outcome(project, layer, link, outcome: Outcome, report: LayerReport) -> bool:
    """The project part of a layer's sync (UI thread): the pulls as one undoable command, the new base."""
    plan, versions = outcome.plan, outcome.versions
    state = db_state.of(project)
    report.conflicts = plan.conflicts
    report.pushed = {"inserts": len(plan.push_insert), "updates": len(plan.push_update),
                     "deletes": len(plan.push_delete)}
    report.pulled = {"changes": len(plan.local_set), "deletes": len(plan.local_delete)}
    if plan.local_set or plan.local_delete:
        project.execute(local.ReplaceLayerData(layer, local.applied(layer, plan), Label("Sync {layer}", layer=layer.name)))
    lbase = state.base.setdefault(link.layer_id, {})
    for uid in plan.base_delete:
        lbase.pop(uid, None)
    for uid, (ver, row) in plan.base_set.items():
        ver = versions.get(uid, ver)
        lbase[uid] = (int(ver), {k: v for k, v in row.items() if k != GEOMETRY}, row.get(GEOMETRY))
    link.fields = outcome.fields
    link.last_sync = _now()
    return True


def _sync_layer(project, layer, link, prefer, resolutions, report: LayerReport) -> bool:
    return apply_outcome(project, layer, link, push_job(snapshot(project, layer, link), prefer, resolutions), report)


# -- a window's save: the same three parts, the database one in a worker thread ----------------
def prepare_live(project: Project) -> list[LayerJob]:
    """UI thread: give the new features of the live layers with pending edits their team ids, save the
    file when that changed it (a commit killed halfway then finds them again), and snapshot each layer."""
    pairs = [(lyr, lk) for lyr, lk in live.live_links(project) if any(live.pending(project, lyr).values())]
    prepared = False
    for layer, _ in pairs:
        data = local.with_ids(layer)
        if data is not None:
            project.execute(local.ReplaceLayerData(layer, data, f"Give new features of {layer.name} team ids"))
            prepared = True
    if prepared and project.path is not None:
        save_project(project)
    return [snapshot(project, layer, link) for layer, link in pairs]


def finish_live(project: Project, results: list) -> list[LayerReport]:
    """UI thread: apply each ``(job, Outcome or the HygisError it raised)`` to its layer (if still in the
    project) and save the file with the new base."""
    reports, changed = [], False
    links = {lk.layer_id: (lyr, lk) for lyr, lk in live.live_links(project)}
    for job, outcome in results:
        report = LayerReport(job.name)
        reports.append(report)
        if isinstance(outcome, Exception):
            report.error, report.read_only = str(outcome), isinstance(outcome, WriteRefused)
        elif job.layer_id in links:
            changed |= apply_outcome(project, *links[job.layer_id], outcome, report)
    if changed and project.path is not None:
        save_project(project)
    return reports


def _geom_sql(info):
    sql = require("psycopg.sql")
    g = sql.SQL("ST_SetSRID(ST_GeomFromWKB(%s), 4326)")
    if info.multi:
        g = sql.SQL("ST_Multi({})").format(g)
    if info.srid != 4326:
        g = sql.SQL("ST_Transform({}, {})").format(g, sql.Literal(info.srid))
    return g


def _write(con, info, plan: Plan) -> dict:
    """All pushes of a plan in one transaction; returns the new versions by id."""
    if not plan.pushes:
        return {}
    psycopg = require("psycopg")
    sql = require("psycopg.sql")
    target = T.ident(info.schema, info.table)
    ID, VER = sql.Identifier(T.ID), sql.Identifier(T.VERSION)
    fields = info.names
    versions = {}
    try:
        with con.transaction():
            cols = sql.SQL(", ").join([ID] + [sql.Identifier(f) for f in fields] + [sql.Identifier(info.geom_column)])
            vals = sql.SQL(", ").join([sql.Placeholder()] * (len(fields) + 1) + [_geom_sql(info)])
            ins = sql.SQL("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO NOTHING RETURNING {}").format(
                target, cols, vals, ID, VER)
            for uid, row in plan.push_insert.items():
                got = con.execute(ins, [uid] + [row.get(f) for f in fields] + [row.get(GEOMETRY)]).fetchone()
                if got is None:
                    raise _Race()
                versions[uid] = got[0]
            for uid, (expected, row, changed) in plan.push_update.items():
                sets = [sql.SQL("{} = %s").format(sql.Identifier(f)) for f in changed if f != GEOMETRY]
                params = [row.get(f) for f in changed if f != GEOMETRY]
                if GEOMETRY in changed:
                    sets.append(sql.SQL("{} = {}").format(sql.Identifier(info.geom_column), _geom_sql(info)))
                    params.append(row.get(GEOMETRY))
                upd = sql.SQL("UPDATE {} SET {} WHERE {} = %s AND {} = %s RETURNING {}").format(
                    target, sql.SQL(", ").join(sets), ID, VER, VER)
                got = con.execute(upd, params + [uid, expected]).fetchone()
                if got is None:
                    raise _Race()
                versions[uid] = got[0]
            dele = sql.SQL("DELETE FROM {} WHERE {} = %s AND {} = %s").format(target, ID, VER)
            for uid, expected in plan.push_delete.items():
                if expected is None:
                    continue
                if con.execute(dele, (uid, expected)).rowcount != 1:
                    raise _Race()
    except psycopg.errors.InsufficientPrivilege:
        raise WriteRefused("Your database role '{user}' may not change {schema}.{table} (permission denied): your "
                           "{pushes} local edit(s) stay in the project; ask the database administrator for "
                           "INSERT/UPDATE/DELETE rights",
                           user=con.info.user, schema=info.schema, table=info.table, pushes=plan.pushes) from None
    except psycopg.errors.ReadOnlySqlTransaction:
        raise WriteRefused("The database is read-only: your {pushes} local edit(s) stay in the project",
                           pushes=plan.pushes) from None
    except psycopg.Error as exc:
        raise HygisError("Writing to {schema}.{table} failed ({value}); nothing was changed and your edits stay in "
                         "the project",
                         schema=info.schema, table=info.table, value=exc.diag.message_primary or exc) from None
    return versions
