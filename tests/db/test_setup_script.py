"""tools/setup_team_db.sh on a real server: two editors share a layer, a read-only role cannot change it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest

from hygis.project.commands import ChangeAttribute
from tests.db.helpers import LAYER, corridor_project, db_rows, edit, fid_of, layer_of, run

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "setup_team_db.sh"


@pytest.mark.skipif(shutil.which("psql") is None, reason="psql (postgresql-client) is not installed")
def test_setup_script_roles_and_rights(pg_cluster, tmp_path, capsys):
    env = {**pg_cluster.env(), "PGHOST": "127.0.0.1", "PGPORT": str(pg_cluster.port), "PGUSER": pg_cluster.superuser}
    out = subprocess.run([str(SCRIPT), "hznb_plan", "hz_planner", "nb_planner", "--readonly", "province"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "hznb_plan is ready" in out.stdout
    again = subprocess.run([str(SCRIPT), "hznb_plan", "hz_planner", "nb_planner", "--readonly", "province"],
                           env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr  # idempotent
    admin = pg_cluster.url("hznb_plan")
    with psycopg.connect(admin, autocommit=True) as con:  # the planners' passwords (test only: the pgpass one)
        for role in ("hz_planner", "nb_planner", "province"):
            con.execute(psycopg.sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                psycopg.sql.Identifier(role), psycopg.sql.Literal(pg_cluster.password)))
    hz, nb, prov = (pg_cluster.url("hznb_plan", user=u) for u in ("hz_planner", "nb_planner", "province"))
    assert run("db", "push", corridor_project(tmp_path / "hz.hygis"), LAYER, hz, "--schema", "plan",
               "--table", "corridor") == 0
    assert run("db", "checkout", nb, "plan.corridor", tmp_path / "nb.hygis", "--name", LAYER) == 0
    assert run("db", "checkout", prov, "plan.corridor", tmp_path / "prov.hygis", "--name", LAYER) == 0
    lyr = layer_of(tmp_path / "nb.hygis")
    edit(tmp_path / "nb.hygis", lambda p, l: ChangeAttribute(l, fid_of(lyr, "走廊1"), "name_en", "Ningbo"))
    assert run("db", "sync", tmp_path / "nb.hygis") == 0  # the other editor may change the table
    assert db_rows(admin)["走廊1"][0] == "Ningbo"
    lp = layer_of(tmp_path / "prov.hygis")
    edit(tmp_path / "prov.hygis", lambda p, l: ChangeAttribute(l, fid_of(lp, "走廊2"), "name_en", "Province"))
    capsys.readouterr()
    assert run("db", "sync", tmp_path / "prov.hygis") == 1
    assert "may not change plan.corridor" in capsys.readouterr().err
    assert db_rows(admin)["走廊2"][0] == "C2"
    with psycopg.connect(prov) as con, pytest.raises(psycopg.errors.InsufficientPrivilege):
        con.execute("CREATE TABLE plan.x (i int)")
    assert os.environ["PGPASSFILE"] == str(pg_cluster.passfile)
