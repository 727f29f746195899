"""Snapping to vertices and segments of chosen layers within a pixel tolerance.

The index is vectorized: all vertices of the chosen layers are projected once
to the map CRS (metres) and kept in an STRtree of points; all segments go into
an STRtree of two-point lines.  A snap to a vertex returns the vertex's stored
WGS84 coordinate *exactly* (no round trip through the projection), so a new
vertex coincides bit for bit with the one it was snapped to.

No Qt here: the map tools draw the snapped point on the cursor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from hygis.geo import crs as hcrs


@dataclass(frozen=True)
class SnapResult:
    x: float            # map CRS, metres
    y: float
    lon: float          # WGS84, degrees
    lat: float
    kind: str           # 'vertex' | 'segment'
    layer_id: str
    fid: int


@dataclass
class SnapSettings:
    """What the user chose in the snapping options."""

    enabled: bool = True
    tolerance_px: float = 10.0
    vertices: bool = True
    segments: bool = True
    layer_ids: set[str] = field(default_factory=set)  # empty: all visible vector layers
    excluded_layer_ids: set[str] = field(default_factory=set)  # unchecked in the snapping menu

    def snaps_to(self, layer) -> bool:
        """True unless the user switched snapping to ``layer`` off (layers are on by default)."""
        return layer.id not in self.excluded_layer_ids


def _to_map(lon, lat):
    t = hcrs.transformer(hcrs.WGS84, hcrs.MAP_CRS)
    return t.transform(np.asarray(lon, float), np.asarray(lat, float))


def _to_wgs84(x, y):
    t = hcrs.transformer(hcrs.MAP_CRS, hcrs.WGS84)
    return t.transform(x, y)


def _lines_of(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Line parts (polygon rings, line strings) of ``geoms``; points give none."""
    parts, part_idx = shapely.get_parts(geoms, return_index=True)
    polygon = shapely.get_type_id(parts) == 3
    rings, ring_idx = shapely.get_rings(parts[polygon], return_index=True)
    lines = np.concatenate([rings, parts[shapely.get_type_id(parts) == 1]])
    owners = np.concatenate([part_idx[polygon][ring_idx], part_idx[shapely.get_type_id(parts) == 1]])
    return lines, owners


class SnapIndex:
    """Vertices and segments of ``layers`` (VectorLayer objects), queryable in map metres."""

    def __init__(self, layers):
        lon, lat, vx_layer, vx_fid = [], [], [], []
        seg_a, seg_b, seg_layer, seg_fid = [], [], [], []
        self.layer_ids: list[str] = []
        for li, layer in enumerate(layers):
            self.layer_ids.append(layer.id)
            data = layer.data
            geoms = data.geometry.to_numpy()
            fids = data.index.to_numpy()
            coords, owner = shapely.get_coordinates(geoms, return_index=True)
            lon.append(coords[:, 0]); lat.append(coords[:, 1])
            vx_layer.append(np.full(len(coords), li)); vx_fid.append(fids[owner])
            lines, line_owner = _lines_of(geoms)
            lcoords, lidx = shapely.get_coordinates(lines, return_index=True)
            same = lidx[:-1] == lidx[1:]
            seg_a.append(lcoords[:-1][same]); seg_b.append(lcoords[1:][same])
            seg_layer.append(np.full(int(same.sum()), li)); seg_fid.append(fids[line_owner[lidx[:-1][same]]])
        cat = lambda arrs, dtype=float: np.concatenate(arrs) if arrs else np.empty(0, dtype)  # noqa: E731
        self.lon, self.lat = cat(lon), cat(lat)
        self.vx_layer, self.vx_fid = cat(vx_layer, int).astype(int), cat(vx_fid, int).astype(int)
        self.vx, self.vy = _to_map(self.lon, self.lat)
        self.vertex_tree = shapely.STRtree(shapely.points(self.vx, self.vy))
        a = cat(seg_a).reshape(-1, 2)
        b = cat(seg_b).reshape(-1, 2)
        ax, ay = _to_map(a[:, 0], a[:, 1])
        bx, by = _to_map(b[:, 0], b[:, 1])
        self.seg = np.column_stack([ax, ay, bx, by])
        self.seg_layer, self.seg_fid = cat(seg_layer, int).astype(int), cat(seg_fid, int).astype(int)
        self.segment_tree = shapely.STRtree(shapely.linestrings(
            np.stack([self.seg[:, :2], self.seg[:, 2:]], axis=1)) if len(self.seg) else [])

    @property
    def vertex_count(self) -> int:
        return len(self.vx)

    @property
    def segment_count(self) -> int:
        return len(self.seg)

    def snap(self, x: float, y: float, tolerance: float, vertices: bool = True, segments: bool = True,
             exclude: tuple[str, int] | None = None) -> SnapResult | None:
        """Nearest vertex (preferred) or segment point within ``tolerance`` metres of (x, y).

        ``exclude`` = (layer_id, fid) skips one feature (the one being edited).
        """
        box = shapely.box(x - tolerance, y - tolerance, x + tolerance, y + tolerance)
        if vertices and self.vertex_count:
            hit = self._nearest_vertex(self.vertex_tree.query(box), x, y, tolerance, exclude)
            if hit is not None:
                return hit
        if segments and self.segment_count:
            return self._nearest_segment(self.segment_tree.query(box), x, y, tolerance, exclude)
        return None

    def _keep(self, idx, layers, fids, exclude):
        if exclude is None or exclude[0] not in self.layer_ids:
            return idx
        li = self.layer_ids.index(exclude[0])
        return idx[~((layers[idx] == li) & (fids[idx] == exclude[1]))]

    def _nearest_vertex(self, idx, x, y, tol, exclude):
        idx = self._keep(idx, self.vx_layer, self.vx_fid, exclude)
        if len(idx) == 0:
            return None
        d = np.hypot(self.vx[idx] - x, self.vy[idx] - y)
        best = int(np.argmin(d))
        if d[best] > tol:
            return None
        i = idx[best]
        return SnapResult(float(self.vx[i]), float(self.vy[i]), float(self.lon[i]), float(self.lat[i]),
                          "vertex", self.layer_ids[self.vx_layer[i]], int(self.vx_fid[i]))

    def _nearest_segment(self, idx, x, y, tol, exclude):
        idx = self._keep(idx, self.seg_layer, self.seg_fid, exclude)
        if len(idx) == 0:
            return None
        ax, ay, bx, by = self.seg[idx].T
        dx, dy = bx - ax, by - ay
        length2 = np.where(dx * dx + dy * dy == 0, 1.0, dx * dx + dy * dy)
        t = np.clip(((x - ax) * dx + (y - ay) * dy) / length2, 0.0, 1.0)
        px, py = ax + t * dx, ay + t * dy
        d = np.hypot(px - x, py - y)
        best = int(np.argmin(d))
        if d[best] > tol:
            return None
        i = idx[best]
        lon, lat = _to_wgs84(float(px[best]), float(py[best]))
        return SnapResult(float(px[best]), float(py[best]), float(lon), float(lat), "segment",
                          self.layer_ids[self.seg_layer[i]], int(self.seg_fid[i]))


def snap_layers(project, settings: SnapSettings) -> list:
    """The vector layers snapping looks at: the chosen ones, else all visible vector layers.

    Layers unchecked in the snapping menu (``settings.excluded_layer_ids``) are never included.
    """
    layers = [lyr for lyr in project.layers if hasattr(lyr, "selection") and settings.snaps_to(lyr)]
    if settings.layer_ids:
        return [lyr for lyr in layers if lyr.id in settings.layer_ids]
    return [lyr for lyr in layers if lyr.visible]
