"""Coverage as SQL inside PostGIS (``hygis analyze coverage … --engine postgis``).

For targets and zones that are tables of one database: nothing leaves the server but one row
per zone.  The definitions are hygis' (:mod:`hygis.analysis.coverage`): areas are planar in the
equal-area Albers CRS :data:`hygis.geo.crs.EQUAL_AREA` (``ST_Transform`` to the same PROJ
string), the covered area is the area of the *union* of the targets' parts inside the zone,
line lengths are geodesic on the WGS84 ellipsoid (``geography``), a point on a border shared by
two zones counts for the first zone (zones in primary-key order).  Candidate pairs come from
the GiST index (``&&``) before any geometry is transformed.
"""

from __future__ import annotations

import pandas as pd

from hygis.analysis.engines import partitions as P
from hygis.core.errors import HygisError
from hygis.db import require
from hygis.geo import crs as hcrs

_SQL = """
WITH zr AS (
  SELECT coalesce({label}::text, '') AS zone, row_number() OVER (ORDER BY {zkey}) AS rn, {zgeom} AS g
  FROM {zones}),
z AS (SELECT zone, min(rn) AS ord, ST_Union(g) AS g, ST_Union(ST_Transform(g, %(ea)s)) AS ga
      FROM zr GROUP BY zone),
pairs AS (
  SELECT z.zone, ST_Dimension(t.g) AS dim, ST_Intersection(ST_Transform(t.g, %(ea)s), z.ga) AS piece
  FROM z JOIN (SELECT {tgeom} AS g FROM {targets}) t ON t.g && z.g AND ST_Intersects(t.g, z.g)
  WHERE ST_Dimension(t.g) > 0),
covered AS (
  SELECT zone,
         coalesce(ST_Area(ST_Union(piece) FILTER (WHERE dim = 2)), 0) AS area,
         coalesce(ST_Length(ST_Transform(ST_Union(ST_SnapToGrid(piece, 0.01)) FILTER (WHERE dim = 1), %(ea)s, 4326)::geography),
                  0) AS length
  FROM pairs GROUP BY zone),
pts AS (
  SELECT DISTINCT ON (p.pid, p.part) p.pid, p.part, zr.zone
  FROM (SELECT row_number() OVER () AS pid, (ST_Dump(g)).path AS part, (ST_Dump(g)).geom AS g
        FROM (SELECT {tgeom} AS g FROM {targets}) t0 WHERE ST_Dimension(g) = 0) p
  JOIN zr ON p.g && zr.g AND ST_Intersects(p.g, zr.g)
  ORDER BY p.pid, p.part, zr.rn),
counts AS (SELECT zone, count(*) AS n FROM pts GROUP BY zone)
SELECT z.zone, ST_Area(z.ga) / 1e6, coalesce(c.area, 0) / 1e6, coalesce(c.length, 0) / 1e3, coalesce(n.n, 0)
FROM z LEFT JOIN covered c USING (zone) LEFT JOIN counts n USING (zone)
ORDER BY z.ord
"""


def coverage(targets: str, zones: str, by: str | None = None) -> pd.DataFrame:
    """Coverage of ``zones`` by ``targets`` (both ``postgresql://…#schema.table`` of one database)."""
    from hygis.analysis.coverage import TOTAL_LABEL
    from hygis.analysis.engines.dask_engine import _with_total
    from hygis.db.connection import connect, public_url
    from hygis.db.tables import table_info

    if not (P.is_postgis_spec(str(targets)) and P.is_postgis_spec(str(zones))):
        raise HygisError("--engine postgis needs both layers as postgresql://…#schema.table of one database")
    turl, ts, tt = P.split_pg_spec(targets)
    zurl, zs, zt = P.split_pg_spec(zones)
    if public_url(turl) != public_url(zurl):
        raise HygisError("--engine postgis needs both tables in the same database")
    sql = require("psycopg.sql")
    psycopg = require("psycopg")
    with connect(turl) as con:
        tinfo, zinfo = table_info(con, ts, tt), table_info(con, zs, zt)
        zkey, _ = P._key_column(con, zs, zt)
        label_col = by or ("name" if "name" in zinfo.names else None)
        if by and by not in zinfo.names:
            raise HygisError(f"The zones have no field '{by}' (fields: {', '.join(zinfo.names)})")

        def geom(info):
            g = sql.Identifier(info.geom_column)
            return sql.SQL("ST_Transform({}, 4326)").format(g) if info.srid != 4326 else g

        stmt = sql.SQL(_SQL).format(label=sql.Identifier(label_col or zkey), zkey=sql.Identifier(zkey),
                                    zgeom=geom(zinfo), zones=sql.Identifier(zs, zt), tgeom=geom(tinfo),
                                    targets=sql.Identifier(ts, tt))
        try:
            with con.transaction():
                con.execute("SET TRANSACTION READ ONLY")
                rows = con.execute(stmt, {"ea": hcrs.EQUAL_AREA}).fetchall()
        except psycopg.Error as exc:
            raise HygisError(f"The coverage query failed: {exc.diag.message_primary or exc}") from None
    frame = pd.DataFrame(rows, columns=["zone", "zone_area_km2", "covered_area_km2", "covered_length_km",
                                        "point_count"])
    frame["covered_share_pct"] = 0.0
    frame["points_per_100km2"] = 0.0
    zone = frame["zone_area_km2"]
    frame.loc[zone > 0, "covered_share_pct"] = frame["covered_area_km2"] / zone * 100.0
    frame.loc[zone > 0, "points_per_100km2"] = frame["point_count"] / zone * 100.0
    frame["denominator_km2"] = frame["zone_area_km2"]  # shares of the drawn zone area
    frame["denominator"] = "drawn"
    from hygis.analysis.coverage import COLUMNS

    return _with_total(frame[COLUMNS].astype({c: float for c in COLUMNS
                                              if c not in ("zone", "point_count", "denominator")}), TOTAL_LABEL)
