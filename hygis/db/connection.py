"""PostGIS connections: a libpq URL or a ``pg_service.conf`` name.

Passwords are never stored or logged: libpq reads them from ``PGPASSFILE`` (``~/.pgpass``),
or hygis asks the OS keyring (service ``hygis-postgres``, key ``user@host:port/db``) when the
optional ``keyring`` package is installed.  A URL typed with a password works for the
command at hand, but only its password-free form (:func:`public_url`) is kept in a project
or written to a log.  TLS options (``sslmode``, ``sslrootcert`` ...) are ordinary URL
parameters and pass through unchanged.
"""

from __future__ import annotations

import logging
import re
import urllib.parse
from dataclasses import dataclass

from hygis.core.errors import HygisError
from hygis.core.text import Label
from hygis.db import require

log = logging.getLogger(__name__)

KEYRING_SERVICE = "hygis-postgres"
_SERVICE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,63}$")
CONNECT_TIMEOUT_S = 10


def is_url(target: str) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))


def public_url(target: str) -> str:
    """``target`` without any password (a URL's ``user:pw@`` or a ``password=`` parameter)."""
    target = str(target).strip()
    if not is_url(target):
        if not _SERVICE_NAME.match(target) and not target.startswith("service="):
            raise HygisError("A database is given as a postgresql:// URL or a pg_service.conf name")
        return target
    parts = urllib.parse.urlsplit(target)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        netloc = userinfo.split(":", 1)[0] + "@" + host
    query = urllib.parse.urlencode([(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
                                    if k.lower() != "password"])
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def conninfo(target: str) -> str:
    """The libpq connection string for a URL (as is) or a service name (``service=NAME``)."""
    target = str(target).strip()
    if is_url(target):
        return target
    if target.startswith("service="):
        return target
    if not _SERVICE_NAME.match(target):
        raise HygisError("A database is given as a postgresql:// URL or a pg_service.conf name")
    return f"service={target}"


@dataclass(frozen=True)
class Where:
    """Who and where, for messages and keyring look-ups (never a password)."""

    user: str
    host: str
    port: str
    dbname: str

    def __str__(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.dbname}"


def _service_params(name: str) -> dict:
    """The settings of ``[name]`` in the pg_service.conf libpq would read (PGSERVICEFILE, else
    ~/.pg_service.conf, else PGSYSCONFDIR/pg_service.conf); {} when none."""
    import configparser
    import os
    from pathlib import Path

    files = [os.environ.get("PGSERVICEFILE") or str(Path.home() / ".pg_service.conf")]
    if os.environ.get("PGSYSCONFDIR"):
        files.append(str(Path(os.environ["PGSYSCONFDIR"]) / "pg_service.conf"))
    for f in files:
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(f, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError, OSError):
            continue
        if parser.has_section(name):
            return dict(parser.items(name))
    return {}


def keyring_key(info: dict) -> str:
    """``user@host:port/db`` -- the key a password is stored under in the OS keyring (service
    ``hygis-postgres``), from a parsed connection (a service's settings and libpq's defaults filled in)."""
    import getpass
    import os

    info = {**_service_params(info["service"]), **info} if info.get("service") else dict(info)
    user = info.get("user") or os.environ.get("PGUSER") or getpass.getuser()
    host = info.get("host") or os.environ.get("PGHOST") or "localhost"
    port = info.get("port") or os.environ.get("PGPORT") or "5432"
    dbname = info.get("dbname") or os.environ.get("PGDATABASE") or user
    return f"{user}@{host}:{port}/{dbname}"


def _keyring_password(info: dict) -> str | None:
    try:
        import keyring  # optional
    except ImportError:
        return None
    key = keyring_key(info)
    try:
        return keyring.get_password(KEYRING_SERVICE, key)
    except Exception:  # no keyring backend on this machine
        return None


def connect(target: str, autocommit: bool = True):
    """Open a psycopg connection; any failure is one HygisError line without the password.

    Autocommit by default: hygis groups statements with ``con.transaction()`` blocks, which then
    are real BEGIN/COMMIT transactions (not savepoints of an implicit outer transaction)."""
    psycopg = require("psycopg")
    info = conninfo(target)
    kwargs = {"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "hygis"}
    try:
        parsed = psycopg.conninfo.conninfo_to_dict(info)
    except psycopg.ProgrammingError:
        raise HygisError("Not a valid database address: {database}", database=public_url(target)) from None
    if "password" not in parsed:
        pw = _keyring_password(parsed)
        if pw:
            kwargs["password"] = pw
    try:
        con = psycopg.connect(info, autocommit=autocommit, **kwargs)
    except psycopg.OperationalError as exc:
        reason = " ".join(str(exc).split())
        reason = re.sub(r'password=\S+', 'password=***', reason)
        reason = _known_reason(reason, parsed) or reason[:300]
        raise HygisError("Cannot connect to {database}: {reason}", database=public_url(target), reason=reason) from None
    log.info("connected to %s", public_url(target))
    return con


def _known_reason(reason: str, parsed: dict):
    """libpq's usual refusals as translatable texts (the desktop app shows them in the user's language)."""
    if "no password supplied" in reason:
        return Label("no password found: put it in ~/.pgpass (or PGPASSFILE) or the OS keyring")
    if "password authentication failed" in reason:
        return Label("password authentication failed for user {user}", user=parsed.get("user") or "?")
    if "Connection refused" in reason:
        return Label("connection refused: no database server answers at {host} port {port}",
                     host=parsed.get("host") or "localhost", port=parsed.get("port") or "5432")
    if "timeout expired" in reason:
        return Label("no answer from the database server within {seconds} s", seconds=CONNECT_TIMEOUT_S)
    match = re.search(r'database "([^"]+)" does not exist', reason)
    if match:
        return Label("the database {name} does not exist on that server", name=match.group(1))
    return None


def describe(con) -> Where:
    i = con.info
    return Where(i.user, i.host, str(i.port), i.dbname)


def list_tables(con) -> list[dict]:
    """Tables with a geometry column: schema, table, column, type, srid, estimated rows."""
    rows = con.execute(
        "SELECT g.f_table_schema, g.f_table_name, g.f_geometry_column, g.type, g.srid, "
        "       coalesce(c.reltuples, 0)::bigint "
        "FROM geometry_columns g "
        "LEFT JOIN pg_namespace n ON n.nspname = g.f_table_schema "
        "LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = g.f_table_name "
        "ORDER BY 1, 2").fetchall()
    return [dict(schema=s, table=t, column=col, type=ty, srid=srid, rows=max(int(n), 0))
            for s, t, col, ty, srid, n in rows]
