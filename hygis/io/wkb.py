"""A vectorized WKB decoder: GDAL's Arrow geometry buffer → :class:`~hygis.layers.flat.FlatGeometry`.

GDAL's Arrow stream hands over the WKB of a whole batch as one buffer plus offsets.  Here the
records are walked in lockstep with numpy — the k-th ring (part, point) of every record in one
pass — so a million features cost a few array operations, never a Python call each.  Handles
2D little-endian (Multi)Polygon, (Multi)LineString and (Multi)Point of one family per layer
(the ISO codes 1–6) and null geometries; anything else (Z/M, big-endian, collections, mixed
families) returns None and the caller reads the ordinary way.
"""

from __future__ import annotations

import numpy as np

from hygis.layers.flat import FlatGeometry

FAMILY_OF = {1: "point", 4: "point", 2: "line", 5: "line", 3: "polygon", 6: "polygon"}
MULTI = (4, 5, 6)


class _Unsupported(Exception):
    pass


def _u32(data: np.ndarray, pos: np.ndarray) -> np.ndarray:
    if len(pos) and int(pos.max()) + 4 > len(data):
        raise _Unsupported("truncated")
    b = data[pos[:, None] + np.arange(4)].astype(np.uint32)
    return (b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16) | (b[:, 3] << 24)).astype(np.int64)


def _header(data, pos, expect: int | None = None):
    """Type codes of the WKB (sub)records at ``pos`` (checked little-endian, 2D)."""
    if len(pos) == 0:
        return np.zeros(0, np.int64)
    if not (data[pos] == 1).all():
        raise _Unsupported("big-endian")
    t = _u32(data, pos + 1)
    if expect is not None and not (t == expect).all():
        raise _Unsupported("part type")
    return t


class _Parts:
    """Coordinate runs found while walking: byte position of the first x, vertex count, owner record,
    polygon number (rings) — sorted by byte position at the end, which is the WKB order."""

    def __init__(self):
        self.pos, self.npts, self.rec, self.poly = [], [], [], []

    def add(self, pos, npts, rec, poly=None):
        self.pos.append(pos)
        self.npts.append(npts)
        self.rec.append(rec)
        self.poly.append(poly if poly is not None else np.zeros(len(pos), np.int64))

    def arrays(self):
        if not self.pos:
            z = np.zeros(0, np.int64)
            return z, z, z, z
        pos, npts, rec, poly = (np.concatenate(a) for a in (self.pos, self.npts, self.rec, self.poly))
        order = np.argsort(pos, kind="stable")
        return pos[order], npts[order], rec[order], poly[order]


def _rings(data, body, rec, poly, parts: _Parts) -> np.ndarray:
    """Walk polygons whose bodies (the ring count) start at ``body``; returns the byte after each."""
    nrings = _u32(data, body)
    cur = body + 4
    active = np.arange(len(body))
    k = 0
    while True:
        active = active[nrings[active] > k]
        if len(active) == 0:
            return cur
        npts = _u32(data, cur[active])
        parts.add(cur[active] + 4, npts, rec[active], poly[active])
        cur[active] += 4 + 16 * npts
        k += 1


def _walk(data, start, types, parts: _Parts) -> np.ndarray:
    """Add the coordinate runs of the records at ``start`` (types as read) to ``parts``; returns
    each record's end byte."""
    rec = np.arange(len(start))
    end = start.copy()
    for t in np.unique(types):
        sel = rec[types == t]
        s = start[sel]
        if t == 1:  # Point: x, y follow the header
            parts.add(s + 5, np.ones(len(s), np.int64), sel)
            end[sel] = s + 21
        elif t == 2:
            npts = _u32(data, s + 5)
            parts.add(s + 9, npts, sel)
            end[sel] = s + 9 + 16 * npts
        elif t == 3:
            end[sel] = _rings(data, s + 5, sel, (sel.astype(np.int64) << 20), parts)
        else:  # Multi*: a count, then whole WKB records of the single type
            count = _u32(data, s + 5)
            cur = s + 9
            active = np.arange(len(s))
            j = 0
            while True:
                active = active[count[active] > j]
                if len(active) == 0:
                    break
                at = cur[active]
                _header(data, at, t - 3)
                owner = sel[active]
                if t == 4:
                    parts.add(at + 5, np.ones(len(at), np.int64), owner)
                    cur[active] = at + 21
                elif t == 5:
                    npts = _u32(data, at + 5)
                    parts.add(at + 9, npts, owner)
                    cur[active] = at + 9 + 16 * npts
                else:
                    cur[active] = _rings(data, at + 5, owner, (owner.astype(np.int64) << 20) + j, parts)
                j += 1
            end[sel] = cur
    return end


def decode(data: np.ndarray, offsets: np.ndarray, valid: np.ndarray | None = None) -> FlatGeometry | None:
    """Decode a batch of WKB records (``data`` uint8, record i at ``offsets[i]:offsets[i+1]``;
    ``valid``: False for null rows) into WGS84-agnostic flat arrays, or None when unsupported."""
    offsets = np.asarray(offsets, np.int64)
    n = len(offsets) - 1
    lengths = np.diff(offsets)
    null = lengths == 0 if valid is None else (~np.asarray(valid, bool)) | (lengths == 0)
    rows = np.flatnonzero(~null)
    try:
        start = offsets[:-1][rows]
        if len(rows) and lengths[rows].min() < 9:
            raise _Unsupported("short record")
        types = _header(data, start)
        families = {FAMILY_OF.get(int(t)) for t in np.unique(types)}
        if None in families or len(families) > 1:
            raise _Unsupported("type")
        family = families.pop() if families else "polygon"
        parts = _Parts()
        end = _walk(data, start, types, parts)
        if not (end == offsets[1:][rows]).all():
            raise _Unsupported("record length")
        pos, npts, rec, poly = parts.arrays()
    except _Unsupported:
        return None
    x, y = _gather_xy(data, pos, npts)
    starts = np.zeros(len(pos) + 1, np.int64)
    np.cumsum(npts, out=starts[1:])
    feature = rows[rec]
    if family == "polygon":
        first = np.r_[True, poly[1:] != poly[:-1]] if len(poly) else np.zeros(0, bool)
        part = np.cumsum(first) - 1
    else:
        part = np.arange(len(pos))
    multi = np.zeros(n, bool)
    multi[rows] = np.isin(types, MULTI)
    return FlatGeometry(family, x, y, starts, feature.astype(np.int64), part.astype(np.int64), multi, null)


def _gather_xy(data: np.ndarray, pos: np.ndarray, npts: np.ndarray):
    """x, y of the coordinate runs (little-endian float64 pairs at byte ``pos``, ``npts`` each),
    read through float64 views of the buffer at each byte alignment (no per-byte gather)."""
    m = int(npts.sum())
    x, y = np.empty(m), np.empty(m)
    if m == 0:
        return x, y
    first = np.zeros(len(npts), np.int64)
    np.cumsum(npts[:-1], out=first[1:])
    align = pos % 8
    for a in np.unique(align):
        runs = np.flatnonzero(align == a)
        view = np.ndarray(((len(data) - a) // 8,), "<f8", buffer=data, offset=int(a))
        cnt = npts[runs]
        tot = int(cnt.sum())
        if tot == 0:
            continue
        base = np.repeat((pos[runs] - a) // 8 - 2 * np.cumsum(np.r_[0, cnt[:-1]]), cnt)
        k = np.arange(tot, dtype=np.int64)
        src = base + 2 * k
        dst = np.repeat(first[runs] - np.cumsum(np.r_[0, cnt[:-1]]), cnt) + k
        x[dst] = view[src]
        y[dst] = view[src + 1]
    return x, y


def concat(parts: list[FlatGeometry]) -> FlatGeometry | None:
    """One FlatGeometry of the batches ``parts`` (rows and parts renumbered), None if families differ."""
    if not parts:
        return None
    families = {p.family for p in parts if not p.null.all()} or {parts[0].family}
    if len(families) > 1:
        return None
    if len(parts) == 1:
        return parts[0]
    row0 = np.cumsum([0] + [p.n for p in parts[:-1]])
    part0 = np.cumsum([0] + [int(p.part[-1]) + 1 if len(p.part) else 0 for p in parts[:-1]])
    v0 = np.cumsum([0] + [len(p.x) for p in parts[:-1]])
    starts = np.concatenate([np.zeros(1, np.int64)] + [p.starts[1:] + o for p, o in zip(parts, v0)])
    return FlatGeometry(families.pop(), np.concatenate([p.x for p in parts]), np.concatenate([p.y for p in parts]),
                        starts, np.concatenate([p.feature + o for p, o in zip(parts, row0)]),
                        np.concatenate([p.part + o for p, o in zip(parts, part0)]),
                        np.concatenate([p.multi for p in parts]), np.concatenate([p.null for p in parts]))
