"""Coverage as SQL inside PostGIS (``hygis analyze coverage … --engine postgis``).

For targets and zones that are tables of one database: nothing leaves the server but one row
per zone.  The definitions are hygis' (:mod:`hygis.analysis.coverage`): areas are planar in the
equal-area Albers CRS :data:`hygis.geo.crs.EQUAL_AREA` (``ST_Transform`` to the same PROJ
string), the covered area is the area of the *union* of the targets' parts inside the zone,
line lengths are geodesic on the WGS84 ellipsoid (``geography``).  Which zone holds a point is
decided as in-process, in the equal-area CRS (a lon/lat edge along a parallel is an arc there: a
point on the lon/lat edge lies metres inside one zone): the database decides every point farther
than :data:`NEAR_BORDER_M` from all zone borders (first zone in primary-key order when zones
overlap); the few points nearer a border (on a shared edge, a corner) come back and are counted by
the in-process function (:func:`hygis.analysis.coverage.count_points`), so a point on a border counts
exactly as in-process, whatever the PROJ and GEOS builds of the server.  Candidate pairs come from
the GiST index (``&&``, zone boxes grown by :data:`GROW_SHARE`) before any geometry is transformed.  A buffer is drawn as in-process:
every target part buffered (16 segments per quarter circle) in the azimuthal equidistant CRS
centred on the targets' extent.  The zones table (small) is read once for its labels and weight
field; shares divided by the drawn or the official area and field weights are then the
in-process engine's own functions.  A raster weight is refused (its pixels are not in the database).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from hygis.analysis._common import label_column
from hygis.analysis.engines import partitions as P
from hygis.core.errors import HygisError
from hygis.db import require
from hygis.geo import crs as hcrs

#: Reprojection to a PROJ string (``ST_Transform(g, text)``) is not cached by PostGIS: every call builds the
#: transformation again (~5 ms, against microseconds for an SRID).  So geometries are transformed in
#: batches: up to :data:`TRANSFORM_BATCH` rows collected into one geometry, transformed in one call (the
#: same PROJ operation on the same coordinates: the numbers of one call per row) and dumped back, each
#: piece under its row's id (``pids[path[1]]``).
TRANSFORM_BATCH = 1000


def _batched(rel: str, geom: str, to: str) -> str:
    """SQL rows ``(pid, ge)``: column ``geom`` of the rows ``(pid, …)`` of ``rel`` transformed ``to``, in batches."""
    return (f"SELECT b.pids[d.path[1]] AS pid, d.geom AS ge FROM (SELECT array_agg(pid ORDER BY pid) AS pids, "
            f"ST_Transform(ST_Collect({geom} ORDER BY pid), {to}) AS c FROM {rel} "
            f"WHERE {geom} IS NOT NULL AND NOT ST_IsEmpty({geom}) GROUP BY (pid - 1) / %(batch)s) b, "
            "LATERAL ST_Dump(b.c) d")


#: The rows of ``rel`` transformed to the equal-area CRS: those near a zone (the only ones measured there) and
#: every point (each is tested against the zones' borders).
_NEAR = "(SELECT pid, g FROM {rel} p WHERE ST_Dimension(g) = 0 OR EXISTS (SELECT 1 FROM z WHERE p.g && z.gx)) n"


# parts: every non-empty part of every target (an empty part covers nothing and holds no point), numbered.
_SQL = """
WITH zr AS (
  SELECT coalesce({label}::text, '') AS zone, row_number() OVER (ORDER BY {zkey}) AS rn, {zgeom} AS g
  FROM {zones}),
zra AS (SELECT zone, rn, g, ST_Transform(g, %(ea)s) AS ga, ST_Expand(g, {grow}) AS gx FROM zr),
z0 AS (SELECT zone, min(rn) AS ord, ST_Union(g) AS g, ST_Union(ga) AS ga FROM zra GROUP BY zone),
z AS (SELECT zone, ord, g, ga, ST_Expand(g, {grow}) AS gx FROM z0),
parts AS MATERIALIZED (
  SELECT row_number() OVER () AS pid, g FROM (
    SELECT d.geom AS g FROM (SELECT {tgeom} AS g FROM {targets}) t0, LATERAL ST_Dump(t0.g) d) x
  WHERE NOT ST_IsEmpty(g)),
parts_ea AS MATERIALIZED (""" + _batched(_NEAR.format(rel="parts"), "g", "%(ea)s") + """),
{areas}
src AS MATERIALIZED (
  SELECT 2 AS dim, g, ge FROM areas
  UNION ALL
  SELECT 1, p.g, e.ge FROM parts p JOIN parts_ea e USING (pid) WHERE ST_Dimension(p.g) = 1),
pairs AS (
  SELECT z.zone, s.dim, ST_Intersection(s.ge, z.ga) AS piece
  FROM z JOIN src s ON s.g && z.gx AND ST_Intersects(s.ge, z.ga)),
covered AS (
  SELECT zone,
         coalesce(ST_Area(ST_Union(piece) FILTER (WHERE dim = 2)), 0) AS area,
         coalesce(ST_Length(ST_Transform(ST_Union(ST_SnapToGrid(piece, 0.01)) FILTER (WHERE dim = 1), %(ea)s, 4326)::geography),
                  0) AS length
  FROM pairs GROUP BY zone),
pts AS (SELECT p.pid, p.g, e.ge FROM parts p JOIN parts_ea e USING (pid) WHERE ST_Dimension(p.g) = 0),
cand AS (
  SELECT p.pid, zra.rn, zra.zone, ST_Intersects(p.ge, zra.ga) AS inside,
         ST_DWithin(p.ge, ST_Boundary(zra.ga), %(near)s) AS near
  FROM pts p JOIN zra ON p.g && zra.gx),
undecided AS (SELECT DISTINCT pid FROM cand WHERE near),
firsts AS (
  SELECT DISTINCT ON (c.pid) c.pid, c.zone FROM cand c
  WHERE c.inside AND NOT EXISTS (SELECT 1 FROM undecided u WHERE u.pid = c.pid)
  ORDER BY c.pid, c.rn),
counts AS (SELECT zone, count(*) AS n FROM firsts GROUP BY zone)
SELECT z.zone, ST_Area(z.ga), coalesce(c.area, 0), coalesce(c.length, 0) / 1e3, coalesce(n.n, 0), z.ord, NULL::bytea
FROM z LEFT JOIN covered c USING (zone) LEFT JOIN counts n USING (zone)
UNION ALL
SELECT NULL, 0, 0, 0, 0, NULL, ST_AsBinary(p.g) FROM pts p JOIN undecided u USING (pid)
ORDER BY 6 NULLS LAST
"""
#: Points closer than this (metres, equal-area CRS) to a zone's border are decided by the in-process rule.
NEAR_BORDER_M = 0.001
#: A zone's candidate box: its lon/lat box grown by this share of its size (+1e-6°): a lon/lat edge along a
#: parallel is an arc in the equal-area CRS, whose straight edge there bows out of the lon/lat box.
GROW_SHARE = 0.05

#: The area sources (pid, g, ge = g in the equal-area CRS): the polygon parts ...
_AREAS = "areas AS (SELECT p.pid, p.g, e.ge FROM parts p JOIN parts_ea e USING (pid) WHERE ST_Dimension(p.g) = 2),"
#: ... or every part buffered as the in-process engine draws it: in the local equidistant CRS, 16 segments
#: per quarter circle, then back to lon/lat (a buffer in pieces: each piece a row of its own).
_AREAS_BUFFERED = (
    "local AS MATERIALIZED (" + _batched("parts", "g", "%(local)s") + "),\n"
    "buffered AS MATERIALIZED (SELECT pid, ST_Buffer(ge, %(buffer)s, 'quad_segs=16') AS g FROM local),\n"
    "back AS MATERIALIZED (SELECT row_number() OVER () AS pid, ge AS g FROM ("
    + _batched("buffered", "g", "%(local)s, 4326") + ") r),\n"
    "areas AS (SELECT b.pid, b.g, e.ge FROM back b JOIN (" + _batched(_NEAR.format(rel="back"), "g", "%(ea)s")
    + ") e USING (pid)),")
_EXTENT = "SELECT min(ST_XMin(g)), min(ST_YMin(g)), max(ST_XMax(g)), max(ST_YMax(g)) FROM (SELECT {tgeom} AS g FROM {targets}) t"


def coverage(targets: str, zones: str, by: str | None = None, buffer_m: float = 0.0, weights=None,
             denominator: str = "drawn") -> pd.DataFrame:
    """Coverage of ``zones`` by ``targets`` (both ``postgresql://…#schema.table`` of one database), with the
    in-process options: ``buffer_m``, ``weights`` (a zone field), ``denominator`` ('drawn'/'official')."""
    from hygis.analysis import weights as wmod
    from hygis.analysis._common import Feedback
    from hygis.analysis.coverage import DENOMINATORS, check_buffer, count_points, result_frame, zone_labels
    from hygis.db.connection import connect, public_url
    from hygis.db.tables import table_info

    if not (P.is_postgis_spec(str(targets)) and P.is_postgis_spec(str(zones))):
        raise HygisError("--engine postgis needs both layers as postgresql://…#schema.table of one database")
    buffer_m = check_buffer(buffer_m)
    if denominator not in DENOMINATORS:
        raise HygisError("denominator must be one of {value}, got {denominator!r}",
                         value=', '.join(DENOMINATORS), denominator=denominator)
    turl, ts, tt = P.split_pg_spec(targets)
    zurl, zs, zt = P.split_pg_spec(zones)
    if public_url(turl) != public_url(zurl):
        raise HygisError("--engine postgis needs both tables in the same database")
    zone_frame = P.load_postgis_table(zones)  # the zones are small: their labels and weight fields
    labels, codes = zone_labels(zone_frame, by)
    if weights is not None and not (isinstance(weights, str) and weights in zone_frame.columns):
        raise HygisError("--engine postgis weights by a zone field ({value}); a raster is not in the database: use "
                         "--engine local or dask for '{weights}'",
                         value=', '.join(zone_frame.columns.drop(zone_frame.geometry.name)), weights=weights)
    sql = require("psycopg.sql")
    psycopg = require("psycopg")
    with connect(turl) as con:
        tinfo, zinfo = table_info(con, ts, tt), table_info(con, zs, zt)
        zkey, zkey_type = P.key_column(con, zs, zt)
        label_col = label_column(zone_frame, by)

        def geom(info):
            g = sql.Identifier(info.geom_column)
            return sql.SQL("ST_Transform({}, 4326)").format(g) if info.srid != 4326 else g

        params = {"ea": hcrs.EQUAL_AREA, "buffer": buffer_m, "near": NEAR_BORDER_M, "batch": TRANSFORM_BATCH}
        try:
            with con.transaction():
                con.execute("SET TRANSACTION READ ONLY")
                if buffer_m > 0:
                    x0, y0, x1, y1 = con.execute(sql.SQL(_EXTENT).format(
                        tgeom=geom(tinfo), targets=sql.Identifier(ts, tt))).fetchone()
                    params["local"] = hcrs.local_metric_crs((x0 + x1) / 2, (y0 + y1) / 2) if x0 is not None \
                        else hcrs.local_metric_crs(120.5, 29.5)
                stmt = sql.SQL(_SQL).format(
                    label=sql.Identifier(label_col or zkey), zkey=P.key_expr(zkey, zkey_type), zgeom=geom(zinfo),
                    grow=sql.SQL("greatest(ST_XMax(g) - ST_XMin(g), ST_YMax(g) - ST_YMin(g)) * {} + 1e-6").format(
                        sql.Literal(GROW_SHARE)),
                    zones=sql.Identifier(zs, zt), tgeom=geom(tinfo), targets=sql.Identifier(ts, tt),
                    areas=sql.SQL(_AREAS_BUFFERED if buffer_m > 0 else _AREAS))
                rows = con.execute(stmt, params).fetchall()
        except psycopg.Error as exc:
            raise HygisError("The coverage query failed: {value}",
                             value=exc.diag.message_primary or exc) from None
    by_zone = {r[0]: r[1:5] for r in rows if r[0] is not None}
    values = np.array([by_zone.get(lab, (0.0, 0.0, 0.0, 0)) for lab in labels], dtype=float).reshape(-1, 4)
    counts = values[:, 3].astype(np.int64)
    near = [bytes(r[6]) for r in rows if r[0] is None]
    if near:  # points on (or within a millimetre of) a zone border: the in-process rule decides
        counts = counts + count_points(shapely.from_wkb(near), zone_frame, by)
    out = result_frame(list(labels), values[:, 0], values[:, 1], values[:, 2], counts, denominator)
    if weights is not None:
        out = wmod.add_weights(out, zone_frame, codes, None, None, weights, Feedback())
    return out
