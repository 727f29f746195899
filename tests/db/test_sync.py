"""hygis db sync: the three-way merge per feature and field, conflicts, --prefer, permissions,
optimistic concurrency -- two laptops and a QGIS-style direct editor against a real PostGIS."""

from __future__ import annotations

import psycopg
import pytest
import shapely

from hygis.project.commands import AddFeatures, ChangeAttribute, ChangeGeometry, DeleteFeatures
from tests.db.helpers import LAYER, corridor_project, db_rows, edit, fid_of, layer_of, run


@pytest.fixture
def team(tmp_path, pg_url):
    """A pushed corridor table and two laptops that checked it out."""
    src = corridor_project(tmp_path / "office.hygis")
    assert run("db", "push", src, LAYER, pg_url, "--schema", "plan", "--table", "corridor") == 0
    laptops = []
    for n in (1, 2):
        path = tmp_path / f"laptop{n}.hygis"
        assert run("db", "checkout", pg_url, "plan.corridor", path, "--name", LAYER) == 0
        laptops.append(path)
    return pg_url, laptops[0], laptops[1]


def _values(path, field="name_en"):
    data = layer_of(path).data
    return dict(zip(data["name"], data[field]))


def test_edits_of_both_sides_merge_per_field_and_inserts_are_kept(team, capsys):
    url, a, b = team
    la, lb = layer_of(a), layer_of(b)
    edit(a, lambda p, lyr: ChangeAttribute(lyr, fid_of(la, "走廊0"), "name_en", "A-edit"),
         lambda p, lyr: DeleteFeatures(lyr, [fid_of(la, "走廊5")]),
         lambda p, lyr: AddFeatures(lyr, [dict(name="甲新", city="杭州市", source="a")],
                                    [shapely.box(121, 30, 121.1, 30.1)]))
    edit(b, lambda p, lyr: ChangeAttribute(lyr, fid_of(lb, "走廊0"), "city", "绍兴市"),
         lambda p, lyr: ChangeGeometry(lyr, fid_of(lb, "走廊1"), shapely.box(120.1, 30, 120.2, 30.2)),
         lambda p, lyr: AddFeatures(lyr, [dict(name="乙新", city="宁波市", source="b")],
                                    [shapely.box(122, 30, 122.1, 30.1)]))
    assert run("db", "sync", b) == 0
    assert run("db", "sync", a) == 0
    assert run("db", "sync", b) == 0
    rows = db_rows(url)
    assert rows["走廊0"][:2] == ("A-edit", "绍兴市")  # two fields of one feature, edited on two laptops
    assert rows["走廊0"][2] == 3  # version: pushed twice
    assert "走廊5" not in rows and {"甲新", "乙新"} <= set(rows)
    assert shapely.from_wkt(rows["走廊1"][3]).equals(shapely.box(120.1, 30, 120.2, 30.2))
    for path in (a, b):  # both laptops hold exactly the database's features now
        data = layer_of(path).data
        assert sorted(data["name"]) == sorted(rows)
        got = data.set_index("name")
        assert got.loc["走廊0", "name_en"] == "A-edit" and got.loc["走廊0", "city"] == "绍兴市"
        assert got.loc["走廊1"].geometry.equals(shapely.box(120.1, 30, 120.2, 30.2))
    capsys.readouterr()
    assert run("db", "status", a) == 0 and "inserts 0\tupdates 0\tdeletes 0" in capsys.readouterr().out
    assert run("db", "sync", a) == 0  # nothing left: a no-op
    assert "pushed 0, pulled 0, conflicts 0" in capsys.readouterr().out


def test_same_field_and_delete_vs_edit_conflict_then_prefer(team, capsys):
    url, a, b = team
    la, lb = layer_of(a), layer_of(b)
    edit(a, lambda p, lyr: ChangeAttribute(lyr, fid_of(la, "走廊2"), "name_en", "mine"),
         lambda p, lyr: ChangeAttribute(lyr, fid_of(la, "走廊3"), "name_en", "edited"),
         lambda p, lyr: ChangeAttribute(lyr, fid_of(la, "走廊4"), "name_en", "fine"))
    edit(b, lambda p, lyr: ChangeAttribute(lyr, fid_of(lb, "走廊2"), "name_en", "theirs"),
         lambda p, lyr: DeleteFeatures(lyr, [fid_of(lb, "走廊3")]))
    assert run("db", "sync", b) == 0
    capsys.readouterr()
    before_db = db_rows(url)
    assert run("db", "sync", a) == 3
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if ln.startswith("conflict")]
    assert len(lines) == 2
    uid2 = layer_of(a).data.set_index("name").loc["走廊2", "hygis_id"]
    edit_line = next(ln for ln in lines if uid2 in ln)
    assert LAYER in edit_line and "fields name_en" in edit_line
    assert "name_en='mine'" in edit_line and "name_en='theirs'" in edit_line
    assert any("<deleted>" in ln and "name_en='edited'" in ln for ln in lines)
    # conflicting features unchanged on both sides; the rest is synced
    rows = db_rows(url)
    assert rows["走廊2"] == before_db["走廊2"] and "走廊3" not in rows
    assert rows["走廊4"][0] == "fine"
    assert _values(a)["走廊2"] == "mine" and _values(a)["走廊3"] == "edited"
    assert run("db", "sync", a) == 3  # still there until resolved
    assert run("db", "sync", a, "--prefer", "theirs") == 0
    assert _values(a)["走廊2"] == "theirs" and "走廊3" not in _values(a)
    assert db_rows(url)["走廊2"][0] == "theirs"


def test_prefer_mine_overwrites_and_recreates(team):
    url, a, b = team
    la, lb = layer_of(a), layer_of(b)
    edit(a, lambda p, lyr: ChangeAttribute(lyr, fid_of(la, "走廊2"), "name_en", "mine"),
         lambda p, lyr: ChangeAttribute(lyr, fid_of(la, "走廊3"), "name_en", "kept"))
    edit(b, lambda p, lyr: ChangeAttribute(lyr, fid_of(lb, "走廊2"), "name_en", "theirs"),
         lambda p, lyr: DeleteFeatures(lyr, [fid_of(lb, "走廊3")]))
    assert run("db", "sync", b) == 0
    assert run("db", "sync", a, "--prefer", "mine") == 0
    rows = db_rows(url)
    assert rows["走廊2"][0] == "mine" and rows["走廊3"][0] == "kept"
    assert run("db", "sync", b) == 0
    assert _values(b)["走廊2"] == "mine" and _values(b)["走廊3"] == "kept"


def test_direct_database_edits_bump_the_version_and_merge(team):
    """A QGIS user edits the table directly: the trigger raises hygis_version, sync sees the change."""
    url, a, _ = team
    with psycopg.connect(url) as con:
        con.execute("UPDATE plan.corridor SET city = '嘉兴市' WHERE name = '走廊1'")
    assert db_rows(url)["走廊1"][2] == 2
    la = layer_of(a)
    edit(a, lambda p, lyr: ChangeAttribute(lyr, fid_of(la, "走廊1"), "name_en", "laptop"))
    assert run("db", "sync", a) == 0
    assert db_rows(url)["走廊1"][:3] == ("laptop", "嘉兴市", 3)
    assert _values(a, "city")["走廊1"] == "嘉兴市"


def test_a_row_changed_between_read_and_write_is_not_overwritten(team):
    """Optimistic concurrency: an UPDATE carrying a stale version changes nothing."""
    from hygis.db import local, merge, sync, tables
    from hygis.db import state as db_state
    from hygis.db.connection import connect
    from hygis.project.fileformat import open_project

    url, a, _ = team
    project = open_project(a)
    layer = project.layers[0]
    project.execute(ChangeAttribute(layer, fid_of(layer, "走廊1"), "name_en", "stale"))
    st = db_state.of(project)
    link = st.links[layer.id]
    base = local.base_rows(st, layer.id)
    with connect(url) as con:
        info = tables.table_info(con, "plan", "corridor")
        mine, _ = local.local_rows(layer, info.names, base)
        theirs = {u: (v, merge.canon_row(p, g, info.names)) for u, (v, p, g) in tables.read_rows(con, info).items()}
        plan = merge.merge(base, mine, theirs)
        assert len(plan.push_update) == 1
        con.execute("UPDATE plan.corridor SET name_en = 'someone else' WHERE name = '走廊1'")
        con.commit()
        with pytest.raises(sync._Race):
            sync._write(con, info, plan)
    assert db_rows(url)["走廊1"][0] == "someone else"
    assert link.table == "corridor"
    # the real sync merges again and reports the clash instead of overwriting
    from hygis.project.fileformat import save_project

    save_project(project)
    assert run("db", "sync", a) == 3
    assert db_rows(url)["走廊1"][0] == "someone else"


def test_role_without_write_permission_keeps_edits_local(team, pg_cluster, capsys):
    url, _, _ = team
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(psycopg.sql.SQL("CREATE ROLE viewer LOGIN PASSWORD {}").format(
            psycopg.sql.Literal(pg_cluster.password)))
        con.execute("GRANT USAGE ON SCHEMA plan TO viewer; GRANT SELECT ON plan.corridor TO viewer")
    viewer_url = url.replace("hygis_admin@", "viewer@")
    path = pg_cluster.root / "viewer.hygis"
    assert run("db", "checkout", viewer_url, "plan.corridor", path, "--name", LAYER) == 0
    lv = layer_of(path)
    edit(path, lambda p, lyr: ChangeAttribute(lyr, fid_of(lv, "走廊0"), "name_en", "viewer edit"))
    before = path.read_bytes()
    capsys.readouterr()
    assert run("db", "sync", path) == 1
    err = capsys.readouterr().err
    assert "may not change plan.corridor" in err and "stay in the project" in err
    assert len(err.strip().splitlines()) == 1
    assert path.read_bytes() == before  # the edit is still there, nothing changed
    assert _values(path)["走廊0"] == "viewer edit"
    assert db_rows(url)["走廊0"][0] == "C0"
    assert run("db", "status", path) == 0 and "updates 1" in capsys.readouterr().out


def test_offline_append_update_and_undo_then_sync(team, tmp_path, capsys):
    """Offline edits as for any layer: features appended from a file (hygis import --append), a field
    set by hygis update, an edit undone -- then one sync sends exactly those."""
    import geopandas as gpd

    from hygis.project.fileformat import open_project, save_project

    url, a, _ = team
    extra = tmp_path / "extra.geojson"
    gpd.GeoDataFrame({"name": ["外来1", "外来2"], "city": ["宁波市", "杭州市"], "source": ["file", "file"]},
                     geometry=[shapely.box(121.2, 30, 121.3, 30.1), shapely.box(121.4, 30, 121.5, 30.1)],
                     crs=4326).to_file(extra)
    assert run("import", a, extra, "--append", LAYER) == 0
    assert run("update", a, LAYER, "--where", "name = '走廊3'", "--set", "source=offline") == 0
    p = open_project(a)
    layer = p.layers[0]
    p.execute(ChangeAttribute(layer, fid_of(layer, "走廊4"), "name_en", "undone"))
    p.undo()
    save_project(p)
    capsys.readouterr()
    assert run("db", "status", a) == 0
    assert "inserts 2\tupdates 1\tdeletes 0" in capsys.readouterr().out
    assert run("db", "sync", a) == 0
    rows = db_rows(url)
    assert {"外来1", "外来2"} <= set(rows) and rows["走廊4"][0] == "C4"
    with psycopg.connect(url) as con:
        assert con.execute("SELECT source FROM plan.corridor WHERE name = '走廊3'").fetchone()[0] == "offline"
