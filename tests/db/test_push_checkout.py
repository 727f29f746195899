"""hygis db push / checkout / status against a real PostgreSQL + PostGIS server."""

from __future__ import annotations

import psycopg
import pytest

from hygis.geo import crs as hcrs
from hygis.project.commands import AddFeatures, ChangeAttribute, ChangeGeometry, DeleteFeatures
from hygis.project.fileformat import open_project
from tests.db.helpers import LAYER, corridor_project, db_rows, edit, fid_of, layer_of, run

import shapely


def test_push_creates_a_team_table(tmp_path, pg_url, capsys):
    path = corridor_project(tmp_path / "a.hygis")
    assert run("db", "push", path, LAYER, pg_url, "--schema", "plan", "--table", "corridor") == 0
    assert "pushed 6 feature(s)" in capsys.readouterr().out
    with psycopg.connect(pg_url) as con:
        cols = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                                "WHERE table_schema='plan' AND table_name='corridor'").fetchall())
        assert cols["hygis_id"] == "uuid" and cols["hygis_version"] == "bigint"
        assert {"name", "name_en", "city", "source", "area_km2"} <= set(cols)
        assert con.execute("SELECT type, srid FROM geometry_columns WHERE f_table_name='corridor'").fetchone() \
            == ("MULTIPOLYGON", 4326)
        pk = con.execute("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                         "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'plan.corridor'::regclass "
                         "AND i.indisprimary").fetchall()
        assert pk == [("hygis_id",)]
        idx = con.execute("SELECT indexdef FROM pg_indexes WHERE schemaname='plan' AND tablename='corridor'").fetchall()
        assert any("USING gist (geom)" in d for (d,) in idx)
        # equal-area km² of the table's geometries = the layer's own area column
        areas = con.execute("SELECT name, area_km2, ST_AsBinary(geom) FROM plan.corridor ORDER BY name").fetchall()
    for name, stored, wkb in areas:
        assert hcrs.area_km2([shapely.from_wkb(wkb)])[0] == pytest.approx(stored, abs=1e-4)
    assert len(areas) == 6
    # a second push without --replace refuses; with --replace it replaces
    assert run("db", "push", path, LAYER, pg_url, "--schema", "plan", "--table", "corridor") == 1
    assert "already exists" in capsys.readouterr().err
    assert run("db", "push", path, LAYER, pg_url, "--schema", "plan", "--table", "corridor", "--replace") == 0
    # the pushed layer is now a team layer of its project: nothing to sync
    capsys.readouterr()
    assert run("db", "status", path) == 0
    assert "inserts 0\tupdates 0\tdeletes 0" in capsys.readouterr().out


def test_checkout_all_or_a_filter_then_status_counts_local_edits(tmp_path, pg_url, capsys):
    src = corridor_project(tmp_path / "a.hygis")
    assert run("db", "push", src, LAYER, pg_url, "--schema", "plan", "--table", "corridor") == 0
    laptop = tmp_path / "laptop.hygis"  # does not exist yet: checkout creates it
    assert run("db", "checkout", pg_url, "plan.corridor", laptop, "--name", LAYER) == 0
    assert run("db", "checkout", pg_url, "plan.corridor", laptop, "--name", "宁波", "--where", "city = '宁波市'") == 0
    project = open_project(laptop)
    full, nb = project.layers[0], project.layers[1]
    assert full.kind == "corridor" and full.feature_count == 6
    assert sorted(nb.data["name"]) == ["走廊0", "走廊2", "走廊4"]
    assert hcrs.area_km2(full.data.geometry).sum() == pytest.approx(hcrs.area_km2(layer_of(src).data.geometry).sum(), rel=1e-12)
    capsys.readouterr()
    assert run("db", "status", laptop) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{LAYER}\tplan.corridor\tinserts 0\tupdates 0\tdeletes 0")

    layer = layer_of(laptop)
    f1, f2, f3 = fid_of(layer, "走廊1"), fid_of(layer, "走廊2"), fid_of(layer, "走廊3")
    edit(laptop,
         lambda p, lyr: ChangeAttribute(lyr, f1, "name_en", "Changed"),
         lambda p, lyr: ChangeGeometry(lyr, f2, shapely.box(121, 30, 121.1, 30.1)),
         lambda p, lyr: DeleteFeatures(lyr, [f3]),
         lambda p, lyr: AddFeatures(lyr, [dict(name="新走廊", city="杭州市", source="t")],
                                    [shapely.box(122, 30, 122.1, 30.1)]))
    assert run("db", "status", laptop) == 0
    out = capsys.readouterr().out.splitlines()
    assert "inserts 1\tupdates 2\tdeletes 1" in out[0]
    assert "inserts 0\tupdates 0\tdeletes 0" in out[1]  # the other layer is untouched
    # the database still has the old values: nothing leaves the laptop before a sync
    assert db_rows(pg_url)["走廊1"][0] == "C1" and "走廊3" in db_rows(pg_url)


def test_bad_inputs_are_one_line(tmp_path, pg_url, capsys):
    path = corridor_project(tmp_path / "a.hygis")
    for argv, words in [
        (("db", "push", path, "无此图层", pg_url), "No layer named"),
        (("db", "checkout", pg_url, "public.nope", tmp_path / "x.hygis"), "No table public.nope"),
        (("db", "checkout", "postgresql://nobody@127.0.0.1:1/x", "t", tmp_path / "x.hygis"), "Cannot connect"),
        (("db", "checkout", pg_url, "t", tmp_path / "x.hygis", "--where", "1=1; DROP TABLE t"), "one SQL condition"),
        (("db", "sync", path), "no team layers"),
    ]:
        assert run(*argv) == 1, argv
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and words in err and "Traceback" not in err, err
    assert not (tmp_path / "x.hygis").exists()
