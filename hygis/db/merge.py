"""Three-way merge of a team layer, per feature and per field (pure Python, no database).

Rows are ``{field: canonical value, "geometry": canonical WKB}`` keyed by ``hygis_id``:

* *base*   -- the feature as it was at the last sync (with its version),
* *local*  -- the feature in the project now,
* *remote* -- the feature in the database now (with its version).

Rules: inserts from both sides are kept; a field changed on one side only takes that side's
value; a field changed on both sides to the same value is fine; to different values it is a
conflict; a delete against an edit is a conflict.  A conflicting feature is left unchanged on
both sides unless a resolution (``mine`` / ``theirs``) is given for it.

The merge is idempotent: when a sync was interrupted after the database committed and before
the project file was saved, running it again finds both sides already equal and only moves
the base forward -- nothing is pushed twice.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field

import shapely

GEOMETRY = "geometry"
DELETED = None  # a side where the feature no longer exists


def canon_value(v):
    """A value in the one form both sides are compared in (and stored in the base as JSON)."""
    if v is None:
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            v = v.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if v.is_integer() and abs(v) < 2**53:
            return int(v)
        return v
    if isinstance(v, str):
        return v
    if isinstance(v, (_dt.datetime, _dt.date)):
        return v.isoformat()
    try:
        import pandas as pd

        if v is pd.NA or v is pd.NaT:
            return None
        if isinstance(v, pd.Timestamp):
            return v.isoformat()
    except ImportError:  # pragma: no cover
        pass
    return str(v)


def canon_geom(g) -> bytes | None:
    """Canonical 2-D WKB: a one-part Multi* is its part (GeoPackage stores polygons as multi)."""
    if g is None:
        return None
    if isinstance(g, (bytes, bytearray, memoryview)):
        g = shapely.from_wkb(bytes(g))
    if g is None or g.is_empty:
        return None
    if g.geom_type.startswith("Multi") and len(g.geoms) == 1:
        g = g.geoms[0]
    return shapely.to_wkb(g, output_dimension=2, byte_order=1)


def canon_row(props: dict, geom, fields) -> dict:
    row = {f: canon_value(props.get(f)) for f in fields}
    row[GEOMETRY] = canon_geom(geom)
    return row


@dataclass
class Conflict:
    uid: str
    fields: list  # conflicting fields ("geometry" included), or ["<deleted>"] for delete vs edit
    mine: dict | None  # the local row (None: deleted locally)
    theirs: dict | None  # the remote row (None: deleted in the database)
    base: dict | None = None

    @property
    def kind(self) -> str:
        if self.mine is None or self.theirs is None:
            return "delete-edit"
        return "insert-insert" if self.base is None else "edit-edit"


@dataclass
class Plan:
    """What a sync does: writes to the database, changes to the layer, the new base."""

    push_insert: dict = field(default_factory=dict)  # uid -> row
    push_update: dict = field(default_factory=dict)  # uid -> (expected version, row, changed fields)
    push_delete: dict = field(default_factory=dict)  # uid -> expected version
    local_set: dict = field(default_factory=dict)  # uid -> row to write into the layer
    local_delete: set = field(default_factory=set)
    base_set: dict = field(default_factory=dict)  # uid -> (version or None until pushed, row)
    base_delete: set = field(default_factory=set)
    conflicts: list = field(default_factory=list)

    @property
    def pushes(self) -> int:
        return len(self.push_insert) + len(self.push_update) + len(self.push_delete)

    @property
    def pulls(self) -> int:
        return len(self.local_set) + len(self.local_delete)


def _changed(a: dict, b: dict) -> set:
    return {k for k in set(a) | set(b) if a.get(k) != b.get(k)}


def merge(base: dict, local: dict, remote: dict, resolutions: dict | None = None, prefer: str | None = None,
          strict: bool = False) -> Plan:
    """Plan a sync.

    base: ``{uid: (version, row)}``; local: ``{uid: row}``; remote: ``{uid: (version, row)}``.
    resolutions: ``{uid: 'mine' | 'theirs'}`` for conflicts; ``prefer`` applies to all others.
    ``strict`` (a live linked layer's save): a feature edited here whose row someone else changed
    since it was read (its version moved) is a conflict even when the edits touch different fields.
    """
    resolutions = resolutions or {}
    plan = Plan()
    for uid in sorted(set(base) | set(local) | set(remote)):
        b = base.get(uid)
        b_row = b[1] if b else None
        mine = local.get(uid)
        r = remote.get(uid)
        theirs = r[1] if r else None
        r_ver = r[0] if r else None
        if b_row is None:  # not seen at the last sync: an insert (or one replayed after a crash)
            if mine is not None and theirs is None:
                plan.push_insert[uid] = mine
                plan.base_set[uid] = (None, mine)
            elif theirs is not None and mine is None:
                plan.local_set[uid] = theirs
                plan.base_set[uid] = (r_ver, theirs)
            elif mine is not None and theirs is not None:
                if mine == theirs:
                    plan.base_set[uid] = (r_ver, theirs)
                else:
                    _conflict(plan, Conflict(uid, sorted(_changed(mine, theirs)), mine, theirs, None), r_ver,
                              resolutions.get(uid, prefer))
            continue
        if mine is None and theirs is None:
            plan.base_delete.add(uid)
            continue
        if mine is None:  # deleted here
            if theirs == b_row:
                plan.push_delete[uid] = r_ver
                plan.base_delete.add(uid)
            else:
                _conflict(plan, Conflict(uid, ["<deleted>"], None, theirs, b_row), r_ver, resolutions.get(uid, prefer))
            continue
        if theirs is None:  # deleted in the database
            if mine == b_row:
                plan.local_delete.add(uid)
                plan.base_delete.add(uid)
            else:
                _conflict(plan, Conflict(uid, ["<deleted>"], mine, None, b_row), r_ver, resolutions.get(uid, prefer))
            continue
        mine_changed, theirs_changed = _changed(b_row, mine), _changed(b_row, theirs)
        clash = sorted(f for f in mine_changed & theirs_changed if mine.get(f) != theirs.get(f))
        if strict and mine_changed and r_ver != b[0] and mine != theirs:
            clash = sorted(_changed(mine, theirs))
        if clash:
            _conflict(plan, Conflict(uid, clash, mine, theirs, b_row), r_ver, resolutions.get(uid, prefer))
            continue
        merged = dict(b_row)
        merged.update({f: theirs.get(f) for f in theirs_changed})
        merged.update({f: mine.get(f) for f in mine_changed})
        to_push = {f for f in mine_changed if merged.get(f) != theirs.get(f)}
        if to_push:
            plan.push_update[uid] = (r_ver, merged, sorted(to_push))
            plan.base_set[uid] = (None, merged)
        else:
            plan.base_set[uid] = (r_ver, merged)
        if merged != mine:
            plan.local_set[uid] = merged
    return plan


def _conflict(plan: Plan, c: Conflict, r_ver, choice: str | None) -> None:
    uid = c.uid
    if choice == "theirs":
        if c.theirs is None:
            plan.local_delete.add(uid)
            plan.base_delete.add(uid)
        else:
            plan.local_set[uid] = c.theirs
            plan.base_set[uid] = (r_ver, c.theirs)
    elif choice == "mine":
        if c.mine is None:
            plan.push_delete[uid] = r_ver
            plan.base_delete.add(uid)
        elif c.theirs is None:
            plan.push_insert[uid] = c.mine
            plan.base_set[uid] = (None, c.mine)
        else:
            changed = sorted(_changed(c.theirs, c.mine))
            plan.push_update[uid] = (r_ver, c.mine, changed)
            plan.base_set[uid] = (None, c.mine)
    else:
        plan.conflicts.append(c)


def format_value(v) -> str:
    """A canonical value for people: geometries as (shortened) WKT, the rest as repr."""
    if isinstance(v, (bytes, bytearray)):
        wkt = shapely.from_wkb(bytes(v)).wkt
        return wkt if len(wkt) <= 60 else wkt[:57] + "..."
    return repr(v)
