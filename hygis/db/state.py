"""The sync state of team layers, kept inside the ``.hygis`` in two hygis-owned tables.

``hygis_db_links``  one row per linked layer: the password-free URL, schema, table, filter,
                    last sync time (JSON).
``hygis_db_base``   one row per feature of each linked layer as it was at the last sync
                    (``hygis_id``, version, canonical field values as JSON, geometry as WKB):
                    the *base* of the three-way merge.  Local inserts, updates and deletes
                    are the difference between the layer and its base -- no edit hooks needed.

Both tables are written by :func:`write_tables` inside the project file's atomic save
(:mod:`hygis.project.fileformat` calls it), so the layer data and its base are always from
the same moment.  This module imports nothing from the project model (no import cycle).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field

LINKS_TABLE = "hygis_db_links"
BASE_TABLE = "hygis_db_base"
MAX_LINK_JSON = 64 * 1024


@dataclass
class Link:
    layer_id: str
    url: str  # password-free URL or service name
    schema: str
    table: str
    where: str = ""
    last_sync: str = ""
    fields: list = field(default_factory=list)  # attribute columns of the team table
    mode: str = "checkout"  # "checkout" (offline copy) or "live" (read by view windows, saved on save)
    extent: list = field(default_factory=list)  # WGS84 bounds of the table when linked (live layers)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Link | None":
        try:
            d = json.loads(text)
        except (TypeError, ValueError):
            return None
        if not isinstance(d, dict):
            return None
        try:
            link = cls(layer_id=str(d["layer_id"]), url=str(d["url"]), schema=str(d["schema"]),
                       table=str(d["table"]), where=str(d.get("where") or ""),
                       last_sync=str(d.get("last_sync") or ""),
                       fields=[str(f) for f in d.get("fields") or [] if isinstance(f, str)],
                       mode="live" if d.get("mode") == "live" else "checkout",
                       extent=[float(v) for v in d.get("extent") or []][:4])
            if len(link.extent) != 4:
                link.extent = []
        except (KeyError, TypeError, ValueError):
            return None
        from hygis.db.connection import public_url  # never keep a password, whatever the file says

        try:
            link.url = public_url(link.url)
        except Exception:
            return None
        return link


@dataclass
class SyncState:
    """Links and bases of a project's team layers (``project.db_sync``)."""

    links: dict = field(default_factory=dict)  # layer_id -> Link
    base: dict = field(default_factory=dict)  # layer_id -> {hygis_id: (version, {field: value}, wkb)}


def of(project, create: bool = False) -> SyncState | None:
    state = getattr(project, "db_sync", None)
    if state is None and create:
        state = SyncState()
        project.db_sync = state
    return state


def write_tables(con: sqlite3.Connection, project, bases: dict | None = None) -> None:
    """Write the sync state of ``project`` (if any) into an open project file being saved.

    ``bases``: ``{layer_id: base}`` written instead of the state's (a live layer keeps only the
    base of its pending edits, see :func:`hygis.db.live.stored`)."""
    bases = bases or {}
    state = of(project)
    if state is None or not state.links:
        return
    ids = {layer.id for layer in project.layers}
    with con:
        con.execute(f"CREATE TABLE IF NOT EXISTS {LINKS_TABLE} (layer_id TEXT PRIMARY KEY, link TEXT NOT NULL)")
        con.execute(f"CREATE TABLE IF NOT EXISTS {BASE_TABLE} (layer_id TEXT NOT NULL, hygis_id TEXT NOT NULL, "
                    "version INTEGER NOT NULL, props TEXT NOT NULL, geom BLOB, PRIMARY KEY (layer_id, hygis_id))")
        con.execute(f"DELETE FROM {LINKS_TABLE}")
        con.execute(f"DELETE FROM {BASE_TABLE}")
        for lid, link in state.links.items():
            if lid not in ids:
                continue
            con.execute(f"INSERT INTO {LINKS_TABLE} (layer_id, link) VALUES (?, ?)", (lid, link.to_json()))
            con.executemany(f"INSERT INTO {BASE_TABLE} (layer_id, hygis_id, version, props, geom) VALUES (?, ?, ?, ?, ?)",
                            ((lid, uid, int(v), json.dumps(p, ensure_ascii=False), g)
                             for uid, (v, p, g) in bases.get(lid, state.base.get(lid, {})).items()))
        for t in (LINKS_TABLE, BASE_TABLE):
            con.execute("INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier, description) "
                        "VALUES (?, 'attributes', ?, ?)", (t, t, "hygis team-layer sync state"))


def read_tables(con: sqlite3.Connection, project) -> None:
    """Attach the sync state stored in an open project file to ``project`` (nothing if none)."""
    try:
        rows = con.execute(f"SELECT layer_id, link FROM {LINKS_TABLE} WHERE length(link) <= ?",
                           (MAX_LINK_JSON,)).fetchall()
    except sqlite3.DatabaseError:
        return
    ids = {layer.id for layer in project.layers}
    state = SyncState()
    for lid, text in rows:
        link = Link.from_json(text)
        if link is None or lid not in ids or link.layer_id != lid:
            continue
        state.links[lid] = link
        state.base[lid] = {}
    try:
        for lid, uid, v, p, g in con.execute(f"SELECT layer_id, hygis_id, version, props, geom FROM {BASE_TABLE}"):
            if lid in state.base:
                try:
                    props = json.loads(p)
                except (TypeError, ValueError):
                    continue
                if isinstance(props, dict):
                    state.base[lid][str(uid)] = (int(v), props, bytes(g) if g is not None else None)
    except sqlite3.DatabaseError:
        pass
    if state.links:
        project.db_sync = state
