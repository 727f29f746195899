"""Where a planner's database password comes from, and where it never goes.

A password-protected role in the throwaway cluster; its password reaches libpq from a PGPASSFILE
(with the connection named in a pg_service.conf through PGSERVICEFILE) or from the OS keyring
(``keyring``; skipped with the reason when no usable backend exists), and is found neither in
the saved .hygis nor in the log.  TLS options in the URL reach libpq unchanged."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from hygis.db import connection
from hygis.project.fileformat import open_project
from tests.db.helpers import LAYER, corridor_project, run


def _planner(pg_cluster, pg_url) -> tuple[str, str, str]:
    """A role with its own password (not in the test PGPASSFILE): (name, password, database)."""
    db = pg_url.rsplit("/", 1)[1]
    name, secret = f"planner_{secrets.token_hex(3)}", "Pw-" + secrets.token_urlsafe(12)
    with psycopg.connect(pg_url) as con:
        con.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(name), sql.Literal(secret)))
        con.execute(sql.SQL("GRANT ALL ON SCHEMA public TO {}").format(sql.Identifier(name)))
    return name, secret, db


def _logs() -> str:
    logs = [p for p in Path(os.environ["HYGIS_LOG_DIR"]).glob("hygis.log*") if p.is_file()]
    return "".join(p.read_text(errors="replace") for p in logs)


def _never_stored(secret: str, *files: Path) -> None:
    for f in files:
        assert secret.encode() not in f.read_bytes(), f"the password is in {f.name}"
    assert secret not in _logs()


def test_a_service_name_with_the_password_from_pgpassfile(tmp_path, pg_url, pg_cluster, monkeypatch, capsys):
    name, secret, db = _planner(pg_cluster, pg_url)
    service = tmp_path / "pg_service.conf"
    service.write_text(f"[hygis_team]\nhost=127.0.0.1\nport={pg_cluster.port}\ndbname={db}\nuser={name}\n"
                       "sslmode=disable\n")
    monkeypatch.setenv("PGSERVICEFILE", str(service))
    project = tmp_path / "office.hygis"
    # no password for this role anywhere yet: one clear line, nothing written
    empty = tmp_path / "empty_pgpass"
    empty.write_text("")
    empty.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(empty))
    assert run("db", "push", corridor_project(tmp_path / "src.hygis"), LAYER, "hygis_team", "--table", "corridor") == 1
    err = capsys.readouterr().err
    assert "Cannot connect to hygis_team" in err and "pgpass" in err and len(err.strip().splitlines()) == 1
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{pg_cluster.port}:{db}:{name}:{secret}\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    assert run("db", "push", tmp_path / "src.hygis", LAYER, "hygis_team", "--table", "corridor") == 0
    assert run("db", "link", "hygis_team", "corridor", project, "--name", "共享") == 0
    assert run("db", "checkout", "hygis_team", "corridor", tmp_path / "laptop.hygis") == 0
    with connection.connect("hygis_team") as con:  # who libpq logged in as: the service's role
        assert con.info.user == name and con.info.dbname == db
    links = open_project(project).db_sync.links
    assert [lk.url for lk in links.values()] == ["hygis_team"]  # the service name, as typed
    _never_stored(secret, project, tmp_path / "laptop.hygis", tmp_path / "src.hygis")


def test_the_password_from_the_os_keyring(tmp_path, pg_url, pg_cluster, monkeypatch):
    keyring = pytest.importorskip("keyring", reason="the optional 'keyring' package is not installed")
    try:  # a file keyring in tmp_path where the keyrings.alt backend exists (no desktop keyring on CI)
        from keyrings.alt.file import PlaintextKeyring

        backend = PlaintextKeyring()
        backend.file_path = str(tmp_path / "keyring.cfg")
    except ImportError:
        backend = keyring.get_keyring()
    if backend.priority <= 0 and "keyrings.alt" not in type(backend).__module__:
        pytest.skip(f"no usable keyring backend here ({type(backend).__name__})")
    old = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        name, secret, db = _planner(pg_cluster, pg_url)
        url = f"postgresql://{name}@127.0.0.1:{pg_cluster.port}/{db}"
        empty = tmp_path / "empty_pgpass"
        empty.write_text("")
        empty.chmod(0o600)
        monkeypatch.setenv("PGPASSFILE", str(empty))  # libpq has no password: only the keyring has it
        assert run("db", "push", corridor_project(tmp_path / "src.hygis"), LAYER, url, "--table", "t") == 1
        keyring.set_password(connection.KEYRING_SERVICE, f"{name}@127.0.0.1:{pg_cluster.port}/{db}", secret)
        assert run("db", "push", tmp_path / "src.hygis", LAYER, url, "--table", "t") == 0
        assert run("db", "link", url, "t", tmp_path / "office.hygis", "--name", "共享") == 0
        _never_stored(secret, tmp_path / "src.hygis", tmp_path / "office.hygis")
    finally:
        keyring.set_keyring(old)


def test_tls_options_in_the_url_reach_libpq(tmp_path, pg_url, capsys):
    """The throwaway server has no TLS: sslmode=require must fail in libpq's words, sslmode=disable connects."""
    with connection.connect(pg_url + "?sslmode=disable") as con:
        assert con.info.get_parameters().get("sslmode") == "disable"
    assert run("db", "link", pg_url + "?sslmode=require", "x", tmp_path / "p.hygis") == 1
    err = capsys.readouterr().err
    assert "server does not support SSL" in err and len(err.strip().splitlines()) == 1
