"""A throwaway PostgreSQL 15 + PostGIS cluster for tests and benchmarks.

``initdb`` in a temporary folder, run as a non-root user (``postgres`` when we are root),
listening on 127.0.0.1 only on a free port, password (SCRAM) authentication over TCP.
The superuser's password is written to a PGPASSFILE (mode 600) -- never into a URL.
``stop()`` shuts the server down and deletes the folder.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PG_BIN = Path(os.environ.get("HYGIS_PG_BIN", "/usr/lib/postgresql/15/bin"))
POSTGIS_CONTROL = Path("/usr/share/postgresql/15/extension/postgis.control")


def missing_reason() -> str | None:
    """Why a cluster cannot start here (None when it can)."""
    if not (PG_BIN / "initdb").exists():
        return f"PostgreSQL 15 binaries not found in {PG_BIN} (apt-get install postgresql-15)"
    if not POSTGIS_CONTROL.exists():
        return "PostGIS 3 is not installed (apt-get install postgresql-15-postgis-3)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server as"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg 3 is not installed (pip install 'psycopg[binary]')"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="hygis-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.superuser = "hygis_admin"
        self.password = secrets.token_urlsafe(16)
        self.passfile = self.root / "pgpass"
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            self._as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *cmd: str) -> None:
        subprocess.run([*self._as_user, *cmd], check=True, capture_output=True, cwd=self.root)

    def start(self) -> "Cluster":
        os.chmod(self.root, 0o700)
        pwfile = self.root / "pw"
        pwfile.write_text(self.password + "\n")
        if self._as_user:
            pw = pwd.getpwnam("postgres")
            os.chown(pwfile, pw.pw_uid, pw.pw_gid)
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", self.superuser, "--pwfile", str(pwfile),
                  "--auth-host=scram-sha-256", "--auth-local=peer", "-E", "UTF8", "--locale=C.UTF-8")
        pwfile.unlink()
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off "
                "-c shared_buffers=32MB -c max_connections=40")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.root / "log"), "-w", "start")
        self.passfile.write_text(f"127.0.0.1:{self.port}:*:*:{self.password}\n")
        os.chmod(self.passfile, 0o600)
        return self

    def url(self, db: str = "postgres", user: str | None = None) -> str:
        """A password-free libpq URL (the password comes from PGPASSFILE)."""
        return f"postgresql://{user or self.superuser}@127.0.0.1:{self.port}/{db}"

    def env(self) -> dict:
        return {**os.environ, "PGPASSFILE": str(self.passfile)}

    def create_database(self, name: str) -> str:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url(), password=self.password, autocommit=True) as con:
            con.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        with psycopg.connect(self.url(name), password=self.password, autocommit=True) as con:
            con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)
