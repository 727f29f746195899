"""A project file shared with other processes and other programs (issue 16).

* One writer at a time: concurrent ``hygis import`` processes all land; a writer that cannot
  get the lock in time fails with one line and changes nothing; a save over a file another
  process replaced since it was opened is refused unless the user chose to overwrite.
* Saves keep what they do not own: tables, QGIS ``layer_styles`` rows and GeoPackage metadata
  other programs put in the file survive hygis saves (also when the save is killed half-way).
* The checks made on open are made before a save; views are never read, nothing hangs.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from hygis.core.errors import HygisError
from hygis.layers.raster import RasterLayer
from hygis.project import fileread
from hygis.project import lock as hlock
from hygis.project.commands import AddLayer
from hygis.project.fileformat import open_project, save_project
from tests.reliability.helpers import point_layer, polygon_layer, small_project

ROOT = Path(__file__).resolve().parents[2]


def _hygis(*args, cwd, env=None, timeout=120):
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "hygis", *map(str, args)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def _geojson(path: Path, n: int, x: float) -> Path:
    feats = [{"type": "Feature", "properties": {"part": path.stem, "i": i},
              "geometry": {"type": "Point", "coordinates": [x + 0.01 * i, 30.0]}} for i in range(n)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    return path


# -- one writer at a time ----------------------------------------------------------------------
def test_four_concurrent_cli_imports_all_land(tmp_path):
    project = tmp_path / "p.hygis"
    save_project(small_project(), project)
    parts = [_geojson(tmp_path / f"part{i}.geojson", i + 2, 120.0 + i / 10) for i in range(1, 5)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "hygis", "import", str(project), str(part), "--name", f"L{i}"],
                              cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i, part in enumerate(parts, start=1)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    assert [code for code, _ in results] == [0, 0, 0, 0], results
    layers = {layer.name: layer.feature_count for layer in open_project(project).layers}
    assert layers == {"科创走廊": 5, "飞地": 4, "L1": 3, "L2": 4, "L3": 5, "L4": 6}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.hygis"] + [p.name for p in parts]  # no lock left


def test_writer_waits_a_bounded_time_then_fails_with_one_line(tmp_path):
    project = tmp_path / "p.hygis"
    save_project(small_project(), project)
    before = project.read_bytes()
    part = _geojson(tmp_path / "part.geojson", 2, 120.5)
    holder = subprocess.Popen([sys.executable, "-c",
                               "import sys, time; from hygis.project.lock import acquire; "
                               f"acquire({str(project)!r}); print('locked', flush=True); time.sleep(60)"],
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        t0 = time.monotonic()
        out = _hygis("import", project, part, "--name", "晚到", cwd=tmp_path, env={"HYGIS_LOCK_TIMEOUT": "1.5"})
        waited = time.monotonic() - t0
    finally:
        holder.kill()
        holder.wait()
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "p.hygis is being saved by another program" in lines[0], out.stderr
    assert f"process {holder.pid}" in lines[0] and "Traceback" not in out.stderr
    assert waited >= 1.5
    assert project.read_bytes() == before
    # the holder was killed: the kernel dropped its lock, the next import goes through at once
    out = _hygis("import", project, part, "--name", "晚到", cwd=tmp_path, env={"HYGIS_LOCK_TIMEOUT": "5"})
    assert out.returncode == 0, out.stderr
    assert "晚到" in open_project(project).layers.names


def test_lock_is_reentrant_and_exclusive_between_processes(tmp_path):
    target = tmp_path / "x.hygis"
    with hlock.project_lock(target):
        with hlock.project_lock(target, timeout=0):  # the same process again: fine
            assert hlock.lock_path(target).exists()
        code = subprocess.run([sys.executable, "-c", "from hygis.project.lock import acquire; "
                               f"acquire({str(target)!r}, timeout=0.3)"],
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
        assert code.returncode != 0 and "LockTimeout" in code.stderr
    assert not hlock.lock_path(target).exists()


def test_save_over_a_file_another_process_replaced_is_refused(tmp_path):
    path = tmp_path / "p.hygis"
    save_project(small_project(), path)
    mine = open_project(path)
    mine.execute(AddLayer(mine, polygon_layer(3, "我的图层", seed=3)))
    out = _hygis("import", path, _geojson(tmp_path / "their.geojson", 2, 121.0), "--name", "他们的图层", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert hlock.changed_on_disk(mine)
    theirs = path.read_bytes()
    with pytest.raises(hlock.ChangedOnDisk, match="p.hygis was changed on disk by another program"):
        save_project(mine, path)
    assert path.read_bytes() == theirs and mine.dirty
    save_project(mine, path, overwrite=True)  # the user chose to overwrite
    assert open_project(path).layers.names == ["科创走廊", "飞地", "我的图层"]
    assert not hlock.changed_on_disk(mine)
    save_project(mine)  # and saving again is an ordinary save


# -- saves keep what they do not own -------------------------------------------------------------
QGIS_STYLES_SQL = """CREATE TABLE IF NOT EXISTS "layer_styles" ( "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  "f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256),
  "f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT,
  "useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30),
  "update_time" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"""


def add_foreign_content(path: Path) -> None:
    """What QGIS and other tools put in a GeoPackage: a feature table of their own (here a copy
    of a hygis layer's rows), an attributes table, a QGIS style for their table, metadata."""
    con = sqlite3.connect(path)
    with con:
        con.execute('CREATE TABLE "测量点" (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom POINT, 备注 TEXT)')
        con.execute('INSERT INTO "测量点" (geom, 备注) SELECT geom, name FROM "飞地"')
        con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
                    "VALUES ('测量点', 'features', '测量点', 4326)")
        con.execute("INSERT INTO gpkg_geometry_columns VALUES ('测量点', 'geom', 'POINT', 4326, 0, 0)")
        con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, note TEXT)")
        con.execute("INSERT INTO notes (note) VALUES ('规划处的备注')")
        con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier) VALUES ('notes', 'attributes', 'notes')")
        con.execute(QGIS_STYLES_SQL)
        con.execute("INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                    "styleName, styleQML, styleSLD, useAsDefault, description, owner) "
                    "VALUES ('', '', '测量点', 'geom', '测量点 style', '<qgis/>', '', 1, 'from QGIS', '')")
        con.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier) "
                    "VALUES ('layer_styles', 'attributes', 'layer_styles')")
        con.execute("CREATE TABLE IF NOT EXISTS gpkg_metadata (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "
                    "md_scope TEXT NOT NULL DEFAULT 'dataset', md_standard_uri TEXT NOT NULL, "
                    "mime_type TEXT NOT NULL DEFAULT 'text/xml', metadata TEXT NOT NULL DEFAULT '')")
        con.execute("INSERT INTO gpkg_metadata (md_standard_uri, mime_type, metadata) "
                    "VALUES ('http://gdal.org', 'text/xml', '<GDALMultiDomainMetadata/>')")
        con.execute("CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (reference_scope TEXT NOT NULL, "
                    "table_name TEXT, column_name TEXT, row_id_value INTEGER, timestamp DATETIME NOT NULL "
                    "DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), md_file_id INTEGER NOT NULL, md_parent_id INTEGER, "
                    "CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id), "
                    "CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id))")
        con.execute("INSERT INTO gpkg_metadata_reference (reference_scope, md_file_id) VALUES ('geopackage', 1)")
        for t in ("gpkg_metadata", "gpkg_metadata_reference"):
            con.execute("INSERT INTO gpkg_extensions VALUES (?, NULL, 'gpkg_metadata', "
                        "'http://www.geopackage.org/spec120/#extension_metadata', 'read-write')", (t,))
    con.close()


def foreign_state(path: Path) -> tuple:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return (con.execute('SELECT count(*), group_concat(备注) FROM "测量点"').fetchone(),
                con.execute("SELECT note FROM notes").fetchall(),
                con.execute("SELECT styleName, styleQML, useAsDefault FROM layer_styles "
                            "WHERE f_table_name = '测量点'").fetchall(),
                con.execute("SELECT metadata FROM gpkg_metadata").fetchall(),
                con.execute("SELECT identifier FROM gpkg_contents WHERE table_name IN ('测量点', 'notes') "
                            "ORDER BY table_name").fetchall())
    finally:
        con.close()


def test_tables_styles_and_metadata_of_other_programs_survive_saves(tmp_path):
    path = save_project(small_project(), tmp_path / "p.hygis")
    add_foreign_content(path)
    expected = foreign_state(path)
    assert expected[0][0] == 4
    project = open_project(path)
    project.execute(AddLayer(project, polygon_layer(7, "新增走廊", seed=9)))
    project.layers["科创走廊"].name = "城西科创走廊"  # its table is renamed with it
    save_project(project)
    save_project(project)  # twice: the second copy starts from a file hygis wrote
    assert foreign_state(path) == expected
    reopened = open_project(path)
    assert {layer.name: layer.feature_count for layer in reopened.layers} == {"城西科创走廊": 5, "飞地": 4, "新增走廊": 7}
    con = sqlite3.connect(path)
    tables = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
    con.close()
    assert "科创走廊" not in tables and {"城西科创走廊", "新增走廊", "测量点", "notes"} <= tables  # no stale table
    # the CLI keeps them too
    out = _hygis("import", path, _geojson(tmp_path / "more.geojson", 3, 120.2), "--name", "更多", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert foreign_state(path) == expected


def test_a_layer_named_like_a_foreign_table_gets_its_own_table(tmp_path):
    path = save_project(small_project(), tmp_path / "p.hygis")
    add_foreign_content(path)
    project = open_project(path)
    project.execute(AddLayer(project, point_layer(2, "测量点")))  # the same name as QGIS' table
    save_project(project)
    assert foreign_state(path)[0][0] == 4
    assert open_project(path).layers["测量点"].feature_count == 2


# -- the checks made on open are made before saving --------------------------------------------
def _erdas_renamed_tif(tmp_path: Path) -> Path:
    """A georeferenced raster GDAL reads, but not a GeoTIFF (Erdas Imagine), named .tif."""
    path = tmp_path / "dem.tif"
    with rasterio.open(path.with_suffix(".img"), "w", driver="HFA", width=8, height=8, count=1, dtype="uint8",
                       crs="EPSG:4326", transform=from_origin(120, 30, 0.01, 0.01)) as ds:
        ds.write(np.arange(64, dtype="uint8").reshape(1, 8, 8))
    path.with_suffix(".img").rename(path)
    return path


def test_non_geotiff_raster_is_refused_at_import_with_the_open_message(tmp_path):
    path = save_project(small_project(), tmp_path / "p.hygis")
    before = path.read_bytes()
    fake = _erdas_renamed_tif(tmp_path)
    out = _hygis("import", path, fake, cwd=tmp_path)
    assert out.returncode == 1 and out.stderr.strip() == "hygis: error: p.hygis: raster layer 'dem' is not an embedded GeoTIFF"
    assert path.read_bytes() == before
    # the same sentence opening a file that holds one (written behind hygis' back)
    project = open_project(path)
    good = tmp_path / "good.tif"
    with rasterio.open(good, "w", driver="GTiff", width=8, height=8, count=1, dtype="uint8", crs="EPSG:4326",
                       transform=from_origin(120, 30, 0.01, 0.01)) as ds:
        ds.write(np.ones((1, 8, 8), dtype="uint8"))
    project.execute(AddLayer(project, RasterLayer.from_file(good, name="dem")))
    save_project(project)
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE hygis_rasters SET data = ?", (fake.read_bytes(),))
    con.close()
    with pytest.raises(HygisError) as opened:
        open_project(path)
    assert str(opened.value) == "p.hygis: raster layer 'dem' is not an embedded GeoTIFF"


def test_one_layer_past_the_cap_is_refused_at_save_with_the_open_message(tmp_path, monkeypatch):
    monkeypatch.setattr(fileread, "MAX_LAYERS", 3)  # the real cap is 1000 layers: same check, fewer tables
    project = small_project()
    project.execute(AddLayer(project, point_layer(1, "第三")))
    path = save_project(project, tmp_path / "p.hygis")
    before = path.read_bytes()
    project.execute(AddLayer(project, point_layer(1, "第四")))
    with pytest.raises(HygisError) as saving:
        save_project(project)
    assert path.read_bytes() == before
    con = sqlite3.connect(path)  # a file with four layers made behind hygis' back
    doc = json.loads(con.execute("SELECT value FROM hygis_project").fetchone()[0])
    doc["layers"].append(dict(doc["layers"][-1], id="extra", name="第四"))
    with con:
        con.execute("UPDATE hygis_project SET value = ?", (json.dumps(doc),))
    con.close()
    with pytest.raises(HygisError) as opening:
        open_project(path)
    assert str(saving.value) == str(opening.value) == "p.hygis: the project has 4 layers; hygis opens at most 3"


# -- views are never read, nothing hangs -----------------------------------------------------------
ENDLESS = ('CREATE VIEW endless AS WITH RECURSIVE r(fid, geom, name) AS (SELECT fid, geom, name FROM "飞地" '
           "UNION ALL SELECT fid + 1000, geom, name FROM r) SELECT fid, geom, name FROM r")


def _with_endless_view(path: Path, point_layer_at: str | None = None, project_table_view: bool = False) -> None:
    con = sqlite3.connect(path)
    with con:
        con.execute(ENDLESS)
        con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
                    "VALUES ('endless', 'features', 'endless', 4326)")
        con.execute("INSERT INTO gpkg_geometry_columns VALUES ('endless', 'geom', 'POINT', 4326, 0, 0)")
        doc = json.loads(con.execute("SELECT value FROM hygis_project").fetchone()[0])
        if point_layer_at:
            next(e for e in doc["layers"] if e["name"] == point_layer_at)["table"] = "endless"
            con.execute("UPDATE hygis_project SET value = ?", (json.dumps(doc),))
        if project_table_view:
            con.execute("ALTER TABLE hygis_project RENAME TO hygis_project_real")
            con.execute("CREATE VIEW hygis_project AS WITH RECURSIVE r(id, key, value) AS "
                        "(SELECT id, key, value FROM hygis_project_real UNION ALL SELECT id, key, value FROM r) "
                        "SELECT id, key, value FROM r")
    con.close()


@pytest.mark.parametrize("how,message", [
    ("layer", "p.hygis: layer '飞地' is a view; hygis reads only feature tables"),
    ("project", "p.hygis: hygis_project is a view, not a table"),
])
def test_a_view_over_a_recursive_query_is_refused_without_hanging(tmp_path, how, message):
    path = save_project(small_project(), tmp_path / "p.hygis")
    _with_endless_view(path, point_layer_at="飞地" if how == "layer" else None, project_table_view=how == "project")
    t0 = time.monotonic()
    out = _hygis("info", path, cwd=tmp_path, timeout=60)
    assert out.returncode == 1 and out.stderr.strip() == f"hygis: error: {message}"
    assert time.monotonic() - t0 < 30


def test_a_foreign_endless_view_beside_the_layers_is_left_alone(tmp_path):
    path = save_project(small_project(), tmp_path / "p.hygis")
    _with_endless_view(path)
    out = _hygis("info", path, cwd=tmp_path, timeout=60)
    assert out.returncode == 0 and "飞地  [enclave]  4 features" in out.stdout
    project = open_project(path)
    project.title = "改"
    save_project(project)  # kept, never evaluated
    con = sqlite3.connect(path)
    assert con.execute("SELECT type FROM sqlite_master WHERE name = 'endless'").fetchone() == ("view",)
    con.close()


def test_a_slow_query_is_interrupted_by_the_time_limit(tmp_path, monkeypatch):
    path = save_project(small_project(), tmp_path / "p.hygis")
    _with_endless_view(path)
    monkeypatch.setattr(fileread.gpkg, "READ_TIME_LIMIT_S", 0.5)
    con = fileread.gpkg.connect_ro(path, time_limit=0.5)
    t0 = time.monotonic()
    with pytest.raises(sqlite3.OperationalError) as exc:
        con.execute("SELECT count(*) FROM endless").fetchall()
    con.close()
    assert fileread.gpkg.is_interrupted(exc.value) and time.monotonic() - t0 < 10


def test_a_foreign_geopackage_with_an_endless_view_is_read_without_it(tmp_path):
    import geopandas as gpd
    import pyogrio
    import shapely

    path = tmp_path / "外来.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[shapely.Point(120, 30), shapely.Point(121, 30)],
                                             crs=4326), path, layer="pts")
    con = sqlite3.connect(path)
    with con:
        con.execute('CREATE VIEW endless AS WITH RECURSIVE r(fid, geom, name) AS (SELECT fid, geom, name FROM pts '
                    "UNION ALL SELECT fid + 1000, geom, name FROM r) SELECT fid, geom, name FROM r")
        con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
                    "VALUES ('endless', 'features', 'endless', 4326)")
        con.execute("INSERT INTO gpkg_geometry_columns VALUES ('endless', 'geom', 'POINT', 4326, 0, 0)")
    con.close()
    t0 = time.monotonic()
    out = _hygis("info", path, cwd=tmp_path, timeout=60)
    assert out.returncode == 0 and "1 layer(s)" in out.stdout and "endless" not in out.stdout, out.stderr
    out = _hygis("import", tmp_path / "p.hygis", path, "--create", cwd=tmp_path, timeout=60)
    assert out.returncode == 0 and "imported 'pts'" in out.stdout, out.stderr
    out = _hygis("import", tmp_path / "p.hygis", path, "--layer", "endless", cwd=tmp_path, timeout=60)
    assert out.returncode == 1 and "has no layer 'endless'" in out.stderr
    assert time.monotonic() - t0 < 60
