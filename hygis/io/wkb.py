"""A vectorized WKB decoder: GDAL's Arrow geometry buffer → :class:`~hygis.layers.flat.FlatGeometry`.

GDAL's Arrow stream hands over the WKB of a whole batch as one buffer plus offsets.  Here the
records are walked in lockstep with numpy — the k-th ring (part, point) of every record in one
pass — so a million features cost a few array operations, never a Python call each.  Handles
2D little-endian (Multi)Polygon, (Multi)LineString and (Multi)Point of one family per layer
(the ISO codes 1–6) and null geometries; anything else (Z/M, big-endian, collections, mixed
families) returns None and the caller reads the ordinary way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hygis.layers.flat import FlatGeometry

FAMILY_OF = {1: "point", 4: "point", 2: "line", 5: "line", 3: "polygon", 6: "polygon"}
MULTI = (4, 5, 6)


class _Unsupported(Exception):
    pass


def _at_every_byte(data: np.ndarray, dtype: str) -> np.ndarray:
    """``data`` seen as ``dtype`` values starting at every byte (element i = the value at byte i):
    one gather reads values at any byte positions, aligned or not (numpy copies unaligned ones)."""
    size = np.dtype(dtype).itemsize
    return np.ndarray((max(len(data) - size + 1, 0),), dtype, buffer=data, strides=(1,))


def _u32(data: np.ndarray, pos: np.ndarray) -> np.ndarray:
    if len(pos) and int(pos.max()) + 4 > len(data):
        raise _Unsupported("truncated")
    return _at_every_byte(data, "<u4")[pos].astype(np.int64)


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
    for t in _distinct(types):
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


def _distinct(types: np.ndarray) -> np.ndarray:
    """The distinct values of ``types`` (small non-negative type codes; np.unique sorts)."""
    if len(types) == 0:
        return types
    if types.min() >= 0 and types.max() < 64:
        return np.flatnonzero(np.bincount(types))
    return np.unique(types)


@dataclass
class Walked:
    """Where the coordinates of one batch of WKB records are (what :func:`walk` finds): the
    coordinate runs (byte position of the first x, vertex count, owning record, polygon number)
    in WKB order, the records' types and the null rows."""

    family: str
    pos: np.ndarray
    npts: np.ndarray
    rec: np.ndarray
    poly: np.ndarray
    multi: np.ndarray
    null: np.ndarray

    @property
    def n(self) -> int:
        return len(self.null)

    @property
    def vertices(self) -> int:
        return int(self.npts.sum())


def walk(data: np.ndarray, offsets: np.ndarray, valid: np.ndarray | None = None) -> Walked | None:
    """Find the coordinate runs of a batch of WKB records (``data`` uint8, record i at
    ``offsets[i]:offsets[i+1]``; ``valid``: False for null rows), or None when unsupported."""
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
        families = {FAMILY_OF.get(int(t)) for t in _distinct(types)}
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
    multi = np.zeros(n, bool)
    multi[rows] = np.isin(types, MULTI)
    return Walked(family, pos, npts, rows[rec], poly, multi, null)


def assemble(batches: list[tuple]) -> FlatGeometry | None:
    """One FlatGeometry of walked batches ``[(data, Walked, ...)]`` (rows, rings and parts numbered
    over all of them): the coordinates are gathered straight into the final arrays (no per-batch
    arrays concatenated afterwards).  The list is consumed: each item is dropped (set to None)
    once its coordinates are read, so that its buffer can be freed.  None when the batches hold
    different families."""
    if not batches:
        return None
    walks = [b[1] for b in batches]
    families = {w.family for w in walks if not w.null.all()} or {walks[0].family}
    if len(families) > 1:
        return None
    family = families.pop()
    total = sum(w.vertices for w in walks)
    x, y = np.empty(total), np.empty(total)
    npts = np.concatenate([w.npts for w in walks])
    starts = np.zeros(len(npts) + 1, np.int64)
    np.cumsum(npts, out=starts[1:])
    features, polys, row0, at = [], [], 0, 0
    for i, w in enumerate(walks):
        m = w.vertices
        _gather_xy(batches[i][0], w.pos, w.npts, x[at:at + m], y[at:at + m])
        batches[i] = None
        at += m
        features.append(w.rec + row0)
        polys.append(w.poly + (row0 << 20))  # unique over the batches, like the rows
        row0 += w.n
    feature = np.concatenate(features)
    if family == "polygon":
        poly = np.concatenate(polys)
        first = np.r_[True, poly[1:] != poly[:-1]] if len(poly) else np.zeros(0, bool)
        part = np.cumsum(first) - 1
    else:
        part = np.arange(len(npts))
    return FlatGeometry(family, x, y, starts, feature.astype(np.int64), part.astype(np.int64),
                        np.concatenate([w.multi for w in walks]), np.concatenate([w.null for w in walks]))


def decode(data: np.ndarray, offsets: np.ndarray, valid: np.ndarray | None = None) -> FlatGeometry | None:
    """Decode a batch of WKB records (see :func:`walk`) into flat arrays, or None when unsupported."""
    walked = walk(data, offsets, valid)
    return None if walked is None else assemble([(data, walked)])


def _gather_xy(data: np.ndarray, pos: np.ndarray, npts: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
    """Fill ``x``, ``y`` with the coordinate runs (little-endian float64 pairs at byte ``pos``,
    ``npts`` each, in order): the byte position of every vertex is a cumulative sum of steps
    (16 within a run, the gap to the next run at its start), read in one gather each."""
    m = len(x)
    if m == 0:
        return
    keep = npts > 0
    pos, npts = pos[keep], npts[keep]
    step = np.full(m, 16, np.int64)
    first = np.zeros(len(npts), np.int64)
    np.cumsum(npts[:-1], out=first[1:])
    step[0] = pos[0]
    step[first[1:]] = pos[1:] - (pos[:-1] + 16 * (npts[:-1] - 1))
    at = np.cumsum(step, out=step)
    if int(at[-1]) + 16 > len(data):
        raise ValueError("coordinates beyond the WKB buffer")
    values = _at_every_byte(data, "<f8")
    x[:] = values[at]  # indexing, not np.take (whose unaligned path is ~5× slower)
    at += 8
    y[:] = values[at]
