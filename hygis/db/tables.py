"""Team tables in PostGIS: create one from a layer (push), describe it, read rows and view windows.

A team table has ``hygis_id uuid PRIMARY KEY`` (made by the client, so an insert replayed
after a crash is recognised), ``hygis_version bigint`` (raised by a trigger on every UPDATE,
whoever makes it -- QGIS too: the optimistic-concurrency check), the layer's fields and an
EPSG:4326 ``geom`` column with a GiST index.  Identifiers are always quoted with
:mod:`psycopg.sql`; values are always parameters.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from hygis.core.errors import HygisError
from hygis.db import require

ID, VERSION, GEOM = "hygis_id", "hygis_version", "geom"
BUMP_FUNCTION = "hygis_bump_version"
_NAME = re.compile(r"^[^\x00]{1,63}$")
_FORBIDDEN_WHERE = re.compile(r";|--|/\*|\\")


@dataclass
class TableInfo:
    schema: str
    table: str
    columns: list[tuple[str, str]]  # (name, PostgreSQL type) of the attribute columns
    geom_column: str
    geom_type: str
    srid: int
    kind: str = "vector"
    team: bool = True  # has hygis_id / hygis_version
    extra: dict = field(default_factory=dict)

    @property
    def multi(self) -> bool:
        return self.geom_type.upper().startswith("MULTI")

    @property
    def names(self) -> list[str]:
        return [c for c, _ in self.columns]


def _sql():
    return require("psycopg.sql")


def ident(schema: str, table: str):
    sql = _sql()
    return sql.Identifier(schema, table)


def check_name(name: str, what: str) -> str:
    name = str(name)
    if not _NAME.match(name) or len(name.encode("utf-8")) > 63:
        raise HygisError("Invalid {what} name {name!r} (1–63 bytes; a Chinese character takes 3)",
                         what=what, name=name)
    return name


def check_where(expr: str | None) -> str | None:
    """A ``--where`` filter: one SQL boolean expression (no ``;`` or comments).

    It is only ever evaluated in READ ONLY transactions."""
    if expr is None or not str(expr).strip():
        return None
    expr = str(expr).strip()
    if len(expr) > 2000 or _FORBIDDEN_WHERE.search(expr):
        raise HygisError("--where must be one SQL condition (no ';', comments or backslashes)")
    return expr


# -- push ------------------------------------------------------------------------------------
def _pg_type(series: pd.Series) -> str:
    dt = series.dtype
    if pd.api.types.is_bool_dtype(dt):
        return "boolean"
    if pd.api.types.is_integer_dtype(dt):
        return "bigint"
    if pd.api.types.is_float_dtype(dt):
        return "double precision"
    if pd.api.types.is_datetime64_any_dtype(dt):
        return "timestamptz"
    values = series.dropna()
    if len(values) and values.map(lambda v: isinstance(v, (bool, np.bool_))).all():
        return "boolean"
    if len(values) and values.map(lambda v: isinstance(v, (int, np.integer)) and not isinstance(v, bool)).all():
        return "bigint"
    if len(values) and values.map(lambda v: isinstance(v, (int, float, np.number)) and not isinstance(v, bool)).all():
        return "double precision"
    return "text"


_PG_GEOM = {"polygon": "MultiPolygon", "line": "MultiLineString", "point": "Point"}


def py_value(v):
    """A value as psycopg should send it (None for every kind of missing)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, np.generic):
        return py_value(v.item())
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v


def to_multi(geom, multi: bool):
    if geom is None or not multi:
        return geom
    if geom.geom_type == "Polygon":
        return shapely.MultiPolygon([geom])
    if geom.geom_type == "LineString":
        return shapely.MultiLineString([geom])
    return geom


def ensure_bump_function(con, schema: str) -> None:
    sql = _sql()
    exists = con.execute("SELECT to_regproc(%s) IS NOT NULL",
                         (sql.Identifier(schema, BUMP_FUNCTION).as_string(con),)).fetchone()[0]
    if not exists:
        con.execute(sql.SQL("CREATE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS "
                            "$$BEGIN NEW.hygis_version := OLD.hygis_version + 1; RETURN NEW; END$$")
                    .format(sql.Identifier(schema, BUMP_FUNCTION)))


def push_frame(con, gdf, schema: str, table: str, kind: str = "vector", geometry_type: str = "mixed",
               replace: bool = False) -> int:
    """Create ``schema.table`` from a GeoDataFrame (EPSG:4326) in one transaction; returns rows written."""
    sql = _sql()
    psycopg = require("psycopg")
    schema, table = check_name(schema, "schema"), check_name(table, "table")
    gdf = gdf.to_crs(4326) if gdf.crs is not None and gdf.crs.to_epsg() != 4326 else gdf
    cols = [c for c in gdf.columns if c not in (gdf.geometry.name, ID, VERSION, GEOM)]
    for c in cols:
        check_name(c, "field")
    types = {c: _pg_type(gdf[c]) for c in cols}
    gtype = _PG_GEOM.get(geometry_type, "Geometry")
    if gtype == "Point" and (gdf.geom_type == "MultiPoint").any():
        gtype = "MultiPoint"
    multi = gtype.startswith("Multi")
    target = ident(schema, table)
    try:
        with con.transaction():
            exists = con.execute("SELECT to_regclass(%s) IS NOT NULL", (target.as_string(con),)).fetchone()[0]
            if exists and not replace:
                raise HygisError("Table {schema}.{table} already exists (use --replace to replace it)",
                                 schema=schema, table=table)
            if con.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone() is None:
                con.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
            if exists:
                con.execute(sql.SQL("DROP TABLE {}").format(target))
            ensure_bump_function(con, schema)
            defs = [sql.SQL("{} uuid PRIMARY KEY DEFAULT gen_random_uuid()").format(sql.Identifier(ID)),
                    sql.SQL("{} bigint NOT NULL DEFAULT 1").format(sql.Identifier(VERSION))]
            defs += [sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(types[c])) for c in cols]
            defs.append(sql.SQL("{} geometry({}, 4326)").format(sql.Identifier(GEOM), sql.SQL(gtype)))
            con.execute(sql.SQL("CREATE TABLE {} ({})").format(target, sql.SQL(", ").join(defs)))
            con.execute(sql.SQL("CREATE INDEX {} ON {} USING gist ({})").format(
                sql.Identifier(f"{table[:50]}_geom_gist"), target, sql.Identifier(GEOM)))
            con.execute(sql.SQL("CREATE TRIGGER hygis_version BEFORE UPDATE ON {} FOR EACH ROW EXECUTE FUNCTION {}()")
                        .format(target, sql.Identifier(schema, BUMP_FUNCTION)))
            con.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(
                target, sql.Literal(json.dumps({"hygis_kind": kind}))))
            ids = _ids_for(gdf)
            geoms = [to_multi(g, multi) for g in gdf.geometry]
            wkb = shapely.to_wkb(np.array(geoms, dtype=object), hex=True, include_srid=False)
            names = [sql.Identifier(ID)] + [sql.Identifier(c) for c in cols] + [sql.Identifier(GEOM)]
            stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(target, sql.SQL(", ").join(names))
            records = gdf[cols].to_dict("records") if cols else [{} for _ in range(len(gdf))]
            with con.cursor().copy(stmt) as copy:
                for uid, rec, w in zip(ids, records, wkb):
                    copy.write_row([uid] + [py_value(rec[c]) for c in cols]
                                   + [None if w is None else f"SRID=4326;{w}"])
            con.execute(sql.SQL("ANALYZE {}").format(target))
    except psycopg.errors.InsufficientPrivilege as exc:
        raise HygisError("Your database role may not create {schema}.{table}: {message_primary}",
                         schema=schema, table=table, message_primary=exc.diag.message_primary) from None
    return len(gdf)


def _ids_for(gdf) -> list[str]:
    if ID in gdf.columns:
        out, seen = [], set()
        for v in gdf[ID]:
            try:
                u = str(uuid.UUID(str(v)))
            except (ValueError, TypeError):
                u = str(uuid.uuid4())
            if u in seen:
                u = str(uuid.uuid4())
            seen.add(u)
            out.append(u)
        return out
    return [str(uuid.uuid4()) for _ in range(len(gdf))]


# -- describe and read -----------------------------------------------------------------------
def split_name(name: str, schema: str | None = None) -> tuple[str, str]:
    """``schema.table`` or ``table`` (schema default ``public``)."""
    if schema:
        return check_name(schema, "schema"), check_name(name, "table")
    if "." in name:
        s, t = name.split(".", 1)
        return check_name(s, "schema"), check_name(t, "table")
    return "public", check_name(name, "table")


def table_info(con, schema: str, table: str) -> TableInfo:
    row = con.execute("SELECT f_geometry_column, type, srid FROM geometry_columns "
                      "WHERE f_table_schema = %s AND f_table_name = %s ORDER BY 1 LIMIT 1",
                      (schema, table)).fetchone()
    if row is None:
        raise HygisError("No table {schema}.{table} with a geometry column in this database",
                         schema=schema, table=table)
    gcol, gtype, srid = row
    cols = con.execute("SELECT column_name, data_type FROM information_schema.columns "
                       "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
                       (schema, table)).fetchall()
    names = {c for c, _ in cols}
    comment = con.execute("SELECT obj_description(to_regclass(%s), 'pg_class')",
                          (ident(schema, table).as_string(con),)).fetchone()[0]
    kind = "vector"
    try:
        kind = str(json.loads(comment).get("hygis_kind") or "vector") if comment else "vector"
    except (ValueError, AttributeError):
        pass
    attrs = [(c, t) for c, t in cols if c not in (ID, VERSION, gcol) and t != "USER-DEFINED"]
    return TableInfo(schema, table, attrs, gcol, gtype, int(srid or 4326), kind=kind,
                     team={ID, VERSION} <= names)


def _select_list(info: TableInfo):
    sql = _sql()
    geom = sql.Identifier(info.geom_column)
    geom_sql = sql.SQL("ST_AsBinary(ST_Transform({}, 4326))").format(geom) if info.srid != 4326 \
        else sql.SQL("ST_AsBinary({})").format(geom)
    return sql.SQL(", ").join([sql.Identifier(c) for c in info.names] + [geom_sql])


def read_rows(con, info: TableInfo, where: str | None = None, ids=None, only_ids: bool = False) -> dict:
    """Rows of a team table matching ``where`` plus those with the given ids (``only_ids``: just
    those), read in a READ ONLY transaction: ``{hygis_id: (version, {field: value}, wkb)}``."""
    sql = _sql()
    cond = sql.SQL(check_where(where)) if where else sql.SQL("false" if only_ids else "true")
    if ids is not None:
        cond = sql.SQL("({}) OR {} = ANY(%s::uuid[])").format(cond, sql.Identifier(ID))
    stmt = sql.SQL("SELECT {}::text, {}, {} FROM {} WHERE {}").format(
        sql.Identifier(ID), sql.Identifier(VERSION), _select_list(info), ident(info.schema, info.table), cond)
    with con.transaction():
        con.execute("SET TRANSACTION READ ONLY")
        cur = con.execute(stmt, (list(ids),) if ids is not None else None)
        out = _team_rows(cur, info.names)
    return out


def _team_rows(cur, names) -> dict:
    out = {}
    for row in cur:
        props = {n: py_value(v) for n, v in zip(names, row[2:-1])}
        out[row[0]] = (int(row[1]), props, bytes(row[-1]) if row[-1] is not None else None)
    return out


def window_query(info: TableInfo, limit: int | None = None, team: bool = False):
    """SELECT of the features whose bounding box meets a view window (the GiST index answers ``&&``);
    ``team``: each row starts with its ``hygis_id`` and ``hygis_version``."""
    sql = _sql()
    env = sql.SQL("ST_MakeEnvelope(%s, %s, %s, %s, 4326)")
    if info.srid != 4326:
        env = sql.SQL("ST_Transform({}, {})").format(env, sql.Literal(info.srid))
    cols = _select_list(info)
    if team:
        cols = sql.SQL("{}::text, {}, {}").format(sql.Identifier(ID), sql.Identifier(VERSION), cols)
    stmt = sql.SQL("SELECT {} FROM {} WHERE {} && {}").format(
        cols, ident(info.schema, info.table), sql.Identifier(info.geom_column), env)
    if limit:
        stmt = stmt + sql.SQL(" LIMIT {}").format(sql.Literal(int(limit)))
    return stmt


def read_window(con, info: TableInfo, bbox, limit: int | None = 200_000):
    """The features meeting ``bbox`` (WGS84 x0, y0, x1, y1) as a GeoDataFrame (read only)."""
    import geopandas as gpd

    x0, y0, x1, y1 = (float(v) for v in bbox)
    with con.transaction():
        con.execute("SET TRANSACTION READ ONLY")
        rows = con.execute(window_query(info, limit), (x0, y0, x1, y1)).fetchall()
    names = info.names
    records = [{n: py_value(v) for n, v in zip(names, r[:-1])} for r in rows]
    geoms = shapely.from_wkb([bytes(r[-1]) if r[-1] is not None else None for r in rows])
    return gpd.GeoDataFrame(records, columns=names, geometry=gpd.GeoSeries(geoms, crs=4326), crs=4326)


def read_window_rows(con, info: TableInfo, bbox, limit: int) -> tuple[dict, bool]:
    """A team table's rows meeting ``bbox`` (WGS84) as :func:`read_rows` gives them, and whether
    ``limit`` cut the answer short (read only; the GiST index answers the window)."""
    x0, y0, x1, y1 = (float(v) for v in bbox)
    with con.transaction():
        con.execute("SET TRANSACTION READ ONLY")
        cur = con.execute(window_query(info, limit + 1, team=True), (x0, y0, x1, y1))
        rows = _team_rows(cur, info.names)
    truncated = len(rows) > limit
    if truncated:
        rows = dict(list(rows.items())[:limit])
    return rows, truncated


#: Above this many rows (the planner's estimate) a table's extent is PostGIS's estimate from its statistics.
EXACT_EXTENT_ROWS = 1_000_000


def table_extent(con, info: TableInfo):
    """WGS84 bounds of a table's geometries, or None (empty): ``ST_Extent`` for a small table (or when
    it takes under 5 s), ``ST_EstimatedExtent`` from the table statistics for a large one (tens of
    millions of rows; the exact extent when there are no statistics yet and it takes under 5 s)."""
    sql = _sql()
    psycopg = require("psycopg")
    q = sql.SQL("SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM "
                "(SELECT ST_Transform(ST_SetSRID({}, {}), 4326) AS b) s")
    exact = sql.SQL("(SELECT ST_Extent({})::geometry FROM {})").format(sql.Identifier(info.geom_column),
                                                                      ident(info.schema, info.table))
    estimated = q.format(sql.SQL("ST_EstimatedExtent(%s, %s, %s)::geometry"), sql.Literal(info.srid))
    args = (info.schema, info.table, info.geom_column)
    rows = con.execute("SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)",
                       (ident(info.schema, info.table).as_string(con),)).fetchone()
    row = None
    if rows is not None and rows[0] is not None and rows[0] > EXACT_EXTENT_ROWS:
        try:
            with con.transaction():
                row = con.execute(estimated, args).fetchone()
        except psycopg.Error:  # no statistics: the exact extent below
            row = None
    if row is None or row[0] is None:
        try:
            with con.transaction():
                con.execute("SET LOCAL statement_timeout = '5s'")
                row = con.execute(q.format(exact, sql.Literal(info.srid))).fetchone()
        except psycopg.errors.QueryCanceled as exc:
            if "statement timeout" not in (exc.diag.message_primary or ""):
                raise  # cancelled by the user (a map closed), not by the 5 s limit: no fallback query
            with con.transaction():
                row = con.execute(estimated, args).fetchone()
    if row is None or row[0] is None:
        return None
    return [float(v) for v in row]
