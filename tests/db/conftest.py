"""One throwaway PostgreSQL + PostGIS server per test session (127.0.0.1, a non-root user).

Tests get a fresh database each (``pg_url``); libpq finds the password in the PGPASSFILE the
fixture sets, exactly as a planner's machine would.
"""

from __future__ import annotations

import itertools
import os

import pytest

from tests.db.helpers import LAYER, corridor_project, run
from tests.db.pgcluster import Cluster, missing_reason

_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_cluster():
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    cluster = Cluster().start()
    old = os.environ.get("PGPASSFILE")
    os.environ["PGPASSFILE"] = str(cluster.passfile)
    try:
        yield cluster
    finally:
        if old is None:
            os.environ.pop("PGPASSFILE", None)
        else:
            os.environ["PGPASSFILE"] = old
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster):
    """A new, empty PostGIS database: its password-free URL."""
    return pg_cluster.create_database(f"hygis_test_{os.getpid()}_{next(_counter)}")


@pytest.fixture
def team_url(tmp_path, pg_url):
    """``pg_url`` with the corridor project pushed to plan.corridor (the team table the linked-layer tests share)."""
    assert run("db", "push", corridor_project(tmp_path / "src.hygis"), LAYER, pg_url,
               "--schema", "plan", "--table", "corridor") == 0
    return pg_url
