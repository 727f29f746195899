"""Live linked layers: a PostGIS team table shown and edited in place, not copied.

A linked layer is an ordinary :class:`~hygis.layers.vector.VectorLayer` whose features are the
rows read so far: the map reads the rows meeting its view window (:func:`fetch_window`, the
GiST index answers it; never the whole table when it is large) off the UI thread and adds them
with :func:`apply_window`, which records each row's version as the layer's *base*.  Edits are
the usual undoable commands on the layer; the pending edits are the difference between the
layer and its base (as for an offline checkout, :mod:`hygis.db.local`).

Saving commits the pending edits in ONE transaction whose UPDATE/DELETE carry the version read
(:func:`hygis.db.sync.sync_project` with ``strict`` conflicts: a feature someone else changed
since it was read is a conflict shown with both versions, never overwritten).  Whatever could
not be committed (a role without write rights, an unresolved conflict, no network) stays in
the ``.hygis`` as pending edits: the file keeps the pending rows and their base only
(:func:`stored`), not the rows merely read.  The project keeps the connection without password
and the table (:class:`~hygis.db.state.Link` with ``mode="live"``).  No Qt here.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import pandas as pd
import shapely

from hygis.core.errors import HygisError
from hygis.db import local, require
from hygis.db import state as db_state
from hygis.db import tables as T
from hygis.db.connection import connect, public_url
from hygis.db.merge import GEOMETRY, canon_row
from hygis.layers.schema import LAYER_KINDS
from hygis.layers.vector import VectorLayer
from hygis.project.commands import AddLayer

log = logging.getLogger(__name__)

LIVE = "live"
#: Rows one view window reads at most (a zoomed-out view of a huge table shows this many).
WINDOW_LIMIT = 50_000


def live_links(project) -> list:
    """``[(layer, link)]`` of the project's live linked layers."""
    return [(lyr, lk) for lyr, lk in local.layer_link(project) if lk.mode == LIVE]


def link_of(project, layer):
    state = db_state.of(project)
    link = state.links.get(layer.id) if state is not None else None
    return link if link is not None and link.mode == LIVE else None


def _empty_frame(info) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame({T.ID: pd.Series([], dtype=object),
                            **{n: pd.Series([], dtype=object) for n in info.names}},
                           geometry=gpd.GeoSeries([], crs=4326), crs=4326)
    gdf.index.name = "fid"
    return gdf


def link_layer(project, url: str, table: str, name: str | None = None) -> VectorLayer:
    """Add ``[schema.]table`` to ``project`` as a live linked layer (one undoable step; nothing is
    read yet: the map reads its view windows).  Not saved."""
    schema, tbl = T.split_name(table)
    with connect(url) as con:
        info = T.table_info(con, schema, tbl)
        if not info.team:
            raise HygisError("{schema}.{tbl} is not a team table (no hygis_id / hygis_version columns): create it with "
                             "'hygis db push'",
                             schema=schema, tbl=tbl)
        extent = T.table_extent(con, info)
    name = name or tbl
    if name in [lyr.name for lyr in project.layers]:
        raise HygisError("The project already has a layer named '{name}' (use --name)", name=name)
    kind = info.kind if info.kind in LAYER_KINDS and info.kind != "raster" else "vector"
    source = f"{public_url(url)}#{schema}.{tbl}"
    try:
        layer = VectorLayer(name, _empty_frame(info), kind=kind, source=source)
    except HygisError:
        layer = VectorLayer(name, _empty_frame(info), kind="vector", source=source)
    project.execute(AddLayer(project, layer))
    state = db_state.of(project, create=True)
    state.links[layer.id] = db_state.Link(layer.id, public_url(url), schema, tbl, "", "", info.names, mode=LIVE,
                                          extent=list(extent or []))
    state.base[layer.id] = {}
    return layer


class WindowReader:
    """Reads view windows of one live layer's table; meant for ONE worker thread (its connection is
    opened there and reused).  ``fetched`` counts the rows it has read, for tests and the status line."""

    def __init__(self, link, limit: int | None = None):
        self.url, self.schema, self.table = link.url, link.schema, link.table
        self.limit = int(limit or WINDOW_LIMIT)
        self._con = None
        self._info = None
        self.fetched = 0
        self.covered: list[tuple] = []  # windows read completely (not cut by the limit)
        self.extent = None  # the table's WGS84 extent, read with the first window (it grows as the team adds)

    def covers(self, bbox) -> bool:
        x0, y0, x1, y1 = bbox
        return any(a <= x0 and b <= y0 and c >= x1 and d >= y1 for a, b, c, d in self.covered)

    def read(self, bbox) -> tuple[dict, bool]:
        """``({hygis_id: (version, props, wkb)}, truncated)`` of the rows meeting ``bbox``."""
        try:
            if self._con is None or self._con.closed:
                self._con = connect(self.url)
                self._info = T.table_info(self._con, self.schema, self.table)
                self.extent = T.table_extent(self._con, self._info)
            rows, truncated = T.read_window_rows(self._con, self._info, bbox, self.limit)
        except require("psycopg").Error as exc:
            self.close()
            raise HygisError("Cannot read {schema}.{table}: {value}",
                             schema=self.schema, table=self.table, value=exc.diag.message_primary or exc) from None
        self.fetched += len(rows)
        if not truncated:
            self.covered.append(tuple(float(v) for v in bbox))
        return rows, truncated

    def cancel(self) -> None:
        """Stop the query running in the worker thread (from any thread: libpq's cancel request); the
        read then fails with a HygisError and its connection is closed."""
        con = self._con
        if con is not None and not con.closed:
            try:
                (getattr(con, "cancel_safe", None) or con.cancel)()
            except Exception:  # noqa: BLE001 (the server is gone, the query ended meanwhile: nothing to stop)
                log.debug("cancelling a window read failed", exc_info=True)

    def close(self) -> None:
        if self._con is not None:
            try:
                self._con.close()
            finally:
                self._con = None


def layer_bounds(project, layer):
    """WGS84 bounds of a layer; for a live linked layer its table's extent (recorded when linked and
    refreshed by the map's first read) joined with the features it holds (rows read, pending edits)."""
    bounds = getattr(layer, "bounds", None)
    link = link_of(project, layer) if project is not None else None
    if link is None or len(link.extent or []) != 4:
        return bounds
    if bounds is None:
        return tuple(link.extent)
    return (min(bounds[0], link.extent[0]), min(bounds[1], link.extent[1]),
            max(bounds[2], link.extent[2]), max(bounds[3], link.extent[3]))


def full_extent(project):
    """Union of the layers' bounds (:func:`layer_bounds`: linked tables count whole), None when empty."""
    bounds = [b for b in (layer_bounds(project, lyr) for lyr in project.layers) if b is not None]
    if not bounds:
        return None
    xs0, ys0, xs1, ys1 = zip(*bounds)
    return min(xs0), min(ys0), max(xs1), max(ys1)


def apply_window(project, layer, rows: dict, refresh: bool = True) -> int:
    """Add the rows of a window read that the layer does not have yet (UI thread; not an edit, so
    nothing goes on the undo stack).  A row edited or deleted here is never replaced by a read.
    With ``refresh`` (the newest read of this layer), a feature the team changed since it was read
    (a higher version) and that has no local edit takes the new version; an older read arriving
    late passes ``refresh=False`` and only adds what is missing, never putting back an older version.
    Returns the number of features added or refreshed."""
    link = link_of(project, layer)
    if link is None or not rows:
        return 0
    state = db_state.of(project)
    base = state.base.setdefault(layer.id, {})
    data = layer.data
    have = set(data[T.ID]) if T.ID in data.columns else set()
    new = [u for u in rows if u not in have and u not in base]
    moved = [u for u in rows if u in have and u in base and int(rows[u][0]) > int(base[u][0])] if refresh else []
    fields = link.fields
    if moved:  # only those with no local edit: the layer's row still equals the base read before
        ids = data[T.ID]
        subset = data[ids.isin(moved)]
        unedited = []
        for fid, uid, geom in zip(subset.index, subset[T.ID], subset.geometry):
            old = base[uid]
            props = {f: subset.at[fid, f] if f in subset.columns else old[1].get(f) for f in fields}
            mine = canon_row(props, geom, fields)
            if {k: v for k, v in mine.items() if k != GEOMETRY} == old[1] and mine.get(GEOMETRY) == old[2]:
                unedited.append((fid, uid))
        if unedited:
            data = data.copy()
            for fid, uid in unedited:
                _ver, props, wkb = rows[uid]
                for f in fields:
                    if f in data.columns:
                        data.at[fid, f] = props.get(f)
                geom = shapely.from_wkb(wkb)
                if data.crs is not None and not data.crs.equals(4326):
                    geom = gpd.GeoSeries([geom], crs=4326).to_crs(data.crs).iloc[0]
                data.at[fid, data.geometry.name] = geom
        moved = [u for _, u in unedited]
    if not new and not moved:
        return 0
    if new:
        records = [dict(rows[u][1], **{T.ID: u}) for u in new]
        geoms = shapely.from_wkb([rows[u][2] for u in new])
        start = int(data.index.max()) + 1 if len(data) else 0
        extra = gpd.GeoDataFrame(records, columns=[T.ID] + fields, geometry=gpd.array.from_shapely(geoms, crs=4326),
                                 crs=4326,
                                 index=pd.Index(range(start, start + len(new)), name="fid"))
        extra = extra.to_crs(data.crs) if data.crs is not None and not data.crs.equals(extra.crs) else extra
        data = extra.reindex(columns=data.columns) if len(data) == 0 else \
            pd.concat([data, extra.reindex(columns=data.columns)], axis=0)
    layer.set_data(gpd.GeoDataFrame(data, geometry=layer.data.geometry.name, crs=layer.data.crs), "window",
                   validate=False)
    for u in new + moved:
        ver, props, wkb = rows[u]
        row = canon_row(props, wkb, fields)
        base[u] = (int(ver), {k: v for k, v in row.items() if k != GEOMETRY}, row.get(GEOMETRY))
    return len(new) + len(moved)


def pending_ids(base: dict, mine: dict) -> set:
    """Features with local edits: new, changed or deleted since they were read."""
    out = {u for u, row in mine.items() if u not in base or base[u][1] != row}
    return out | {u for u in base if u not in mine}


def pending(project, layer) -> dict:
    """Local inserts / updates / deletes of a live layer not yet in the database."""
    return local.diff_counts(layer, link_of(project, layer), db_state.of(project))


def stored(project) -> tuple[dict, dict]:
    """What a save writes for live layers: ``({layer_id: frame}, {layer_id: base})`` -- the pending
    rows and the base of the edited or deleted ones; the rows merely read stay in the database."""
    frames, bases = {}, {}
    state = db_state.of(project)
    for layer, link in live_links(project) if state is not None else []:
        base = local.base_rows(state, layer.id)
        mine, missing = local.local_rows(layer, link.fields, base)
        keep = pending_ids(base, mine)
        data = layer.data
        ids = data[T.ID] if T.ID in data.columns else pd.Series([None] * len(data), index=data.index)
        mask = ids.isin(keep) | ids.index.isin(missing)
        frames[layer.id] = data[mask]
        bases[layer.id] = {u: v for u, v in state.base.get(layer.id, {}).items() if u in keep}
    return frames, bases
