"""Connections: passwords never reach the project file or the log; view windows use the GiST index."""

from __future__ import annotations

import json
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import psycopg
import pytest
import shapely

from hygis.core.errors import HygisError
from hygis.db import connection, tables
from hygis.db.connection import public_url
from tests.db.helpers import LAYER, corridor_project, layer_of, run


def test_public_url_drops_passwords_and_keeps_tls_options():
    url = "postgresql://planner:s3cr%40t@db.example:5433/team?sslmode=verify-full&sslrootcert=/etc/ca.pem"
    assert public_url(url) == "postgresql://planner@db.example:5433/team?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem"
    assert "pw" not in public_url("postgresql://u@h/db?password=pw&sslmode=require")
    assert "sslmode=require" in public_url("postgresql://u@h/db?password=pw&sslmode=require")
    assert connection.conninfo("teamdb") == "service=teamdb"
    with pytest.raises(HygisError):
        connection.conninfo("not a url; drop")


def test_a_typed_password_is_used_but_never_saved_or_logged(tmp_path, pg_url, pg_cluster, capsys):
    secret = "Zq9-very-secret-pw"
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute(psycopg.sql.SQL("CREATE ROLE planner LOGIN PASSWORD {}").format(psycopg.sql.Literal(secret)))
        con.execute("GRANT CREATE ON DATABASE " + pg_url.rsplit("/", 1)[1] + " TO planner")
        con.execute("GRANT ALL ON SCHEMA public TO planner")
    url = pg_url.replace("hygis_admin@", f"planner:{secret}@") + "?sslmode=disable"
    src = corridor_project(tmp_path / "a.hygis")
    assert run("db", "push", src, LAYER, url, "--table", "corridor") == 0
    assert run("db", "checkout", url, "corridor", tmp_path / "b.hygis", "--name", LAYER) == 0
    capsys.readouterr()
    # the stored URL has no password, and PGPASSFILE has none for planner: sync says so, in one line
    assert run("db", "sync", tmp_path / "b.hygis") == 1
    err = capsys.readouterr().err
    assert "password authentication failed" in err and secret not in err and len(err.splitlines()) == 1
    # the planner puts the password in their pgpass file once: sync works from then on
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{pg_cluster.port}:*:planner:{secret}\n" + pg_cluster.passfile.read_text())
    passfile.chmod(0o600)
    os.environ["PGPASSFILE"] = str(passfile)
    try:
        assert run("db", "sync", tmp_path / "b.hygis") == 0
    finally:
        os.environ["PGPASSFILE"] = str(pg_cluster.passfile)
    for f in (src, tmp_path / "b.hygis"):
        assert secret.encode() not in f.read_bytes()
    logs = [p for p in Path(os.environ["HYGIS_LOG_DIR"]).glob("hygis.log*") if p.is_file()]
    text = "".join(p.read_text(errors="replace") for p in logs)
    assert "db push" in text and "planner:***@" in text and secret not in text
    # the link keeps the password-free URL with its TLS option
    from hygis.project.fileformat import open_project

    link = next(iter(open_project(tmp_path / "b.hygis").db_sync.links.values()))
    assert link.url == pg_url.replace("hygis_admin@", "planner@") + "?sslmode=disable"


def test_view_windows_are_read_through_the_gist_index(pg_url):
    rng = np.random.default_rng(7)
    n = 60_000
    xs, ys = rng.uniform(118, 123, n), rng.uniform(27, 31, n)
    gdf = gpd.GeoDataFrame({"k": np.arange(n)}, geometry=shapely.points(xs, ys), crs=4326)
    with connection.connect(pg_url) as con:
        tables.push_frame(con, gdf, "public", "parcels", geometry_type="point")
        info = tables.table_info(con, "public", "parcels")
        bbox = (120.0, 30.0, 120.2, 30.2)
        plan = con.execute(psycopg.sql.SQL("EXPLAIN (FORMAT JSON) ") + tables.window_query(info), bbox).fetchone()[0]
        window = tables.read_window(con, info, bbox)
    text = json.dumps(plan)
    assert "parcels_geom_gist" in text and "Seq Scan" not in text
    inside = (xs >= 120.0) & (xs <= 120.2) & (ys >= 30.0) & (ys <= 30.2)
    assert len(window) == inside.sum() and sorted(window["k"]) == sorted(np.flatnonzero(inside))
    assert len(window) < n / 50
