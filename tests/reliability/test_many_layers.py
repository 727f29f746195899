"""Projects with many layers: layers are written in batches into side files and copied into the
project file with SQLite (hygis.project.gpkg_merge), and read back through small side files.
The result must be the GeoPackage GDAL would have written one layer at a time: every table with
its rows, R-tree, triggers and metadata; other programs' content kept; GDAL 3.6 (Debian) and
pyogrio read every layer; editing a copied table through GDAL keeps its R-tree and counts."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from hygis.layers.vector import VectorLayer
from hygis.project import Project
from hygis.project import fileformat
from hygis.project.fileformat import open_project, save_project
from tests.reliability.test_project_sharing import add_foreign_content, foreign_state

N = 3 * fileformat.LAYER_BATCH + 5  # the first batch written directly, three more through side files


def _layer(i: int) -> VectorLayer:
    rng = np.random.default_rng(i)
    n = 1 + i % 7
    x, y = 120.0 + rng.random(n) * 2, 29.0 + rng.random(n)
    if i % 3 == 0:
        geoms = [box(a, b, a + 0.01, b + 0.01) for a, b in zip(x, y)]
    elif i % 3 == 1:
        geoms = [Point(a, b) for a, b in zip(x, y)]
    else:
        geoms = [LineString([(a, b), (a + 0.02, b + 0.01)]) for a, b in zip(x, y)]
    codes = pd.array([2**62 + i * 10 + k if k % 2 else None for k in range(n)], dtype="Int64")
    gdf = gpd.GeoDataFrame({"name": [f"层{i}-{k}" for k in range(n)], "code": codes,
                            "value": rng.random(n)}, geometry=geoms, crs="EPSG:4326")
    return VectorLayer(f"图层 {i}" if i != 7 else "飞地", gdf)


def _project() -> Project:
    project = Project("many")
    for i in range(N):
        project.layers.append(_layer(i))
    return project


def _frames(project: Project) -> dict[str, pd.DataFrame]:
    return {layer.name: layer.data for layer in project.layers}


def _assert_same(a: Project, b: Project) -> None:
    assert [layer.name for layer in a.layers] == [layer.name for layer in b.layers]
    for name, frame in _frames(a).items():
        other = _frames(b)[name]
        assert list(frame.index) == list(other.index), name
        assert frame["name"].tolist() == other["name"].tolist(), name
        assert frame["code"].dtype == "Int64" and frame["code"].equals(other["code"]), name
        assert np.array_equal(frame["value"].to_numpy(), other["value"].to_numpy()), name
        assert frame.geometry.geom_equals(other.geometry).all(), name  # polygons come back as multipolygons
        assert np.array_equal(shapely.get_coordinates(frame.geometry.to_numpy()),
                              shapely.get_coordinates(other.geometry.to_numpy())), name  # bit for bit


def _tables(path, skip=frozenset()) -> dict[str, tuple]:
    """{table: (rows, R-tree rows, gpkg_ogr_contents count, triggers)} of the feature tables."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        out = {}
        for (t,) in con.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'").fetchall():
            q = '"' + t.replace('"', '""') + '"'
            if t in skip:
                out[t] = None
                continue
            rtree = '"rtree_' + t.replace('"', '""') + '_geom"'
            out[t] = (con.execute(f"SELECT count(*) FROM {q}").fetchone()[0],
                      con.execute(f"SELECT count(*) FROM {rtree}").fetchone()[0],
                      (con.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = ?", (t,)).fetchone()
                       or [None])[0],
                      con.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                                  (t,)).fetchone()[0])
        return out
    finally:
        con.close()


def test_many_layers_round_trip_with_rtrees_metadata_and_foreign_content(tmp_path):
    project = _project()
    path = save_project(project, tmp_path / "many.hygis")
    tables = _tables(path)
    assert len(tables) == N
    direct = tables["图层 0"][3]  # written by GDAL straight into the file: R-tree and feature-count triggers
    assert direct >= 8
    for t, (rows, rtree_rows, counted, triggers) in tables.items():
        assert rows == rtree_rows == counted and rows >= 1, t
        assert triggers == direct, t  # the copied tables have the same triggers
    reopened = open_project(path)
    _assert_same(project, reopened)

    add_foreign_content(path)  # QGIS: a table of its own (beside '飞地'), notes, styles, metadata
    foreign = foreign_state(path)
    reopened = open_project(path)
    reopened.layers[N - 1].name = "改名图层"
    save_project(reopened)
    save_project(reopened)  # twice: the second copy starts from a file the batched save wrote
    assert foreign_state(path) == foreign
    again = open_project(path)
    _assert_same(reopened, again)
    tables = _tables(path, skip={"测量点"})  # QGIS' table (made without an R-tree) is checked by foreign_state
    assert set(tables) == {layer.name for layer in again.layers} | {"测量点"}  # no stale table
    assert all(v[0] == v[1] == v[2] for t, v in tables.items() if t != "测量点")
    assert not list(tmp_path.glob(".many.*"))  # no side file left


def test_gdal_reads_and_edits_a_table_copied_from_a_batch(tmp_path):
    project = _project()
    path = save_project(project, tmp_path / "many.hygis")
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert {layer.name for layer in project.layers} <= layers
    last = project.layers[N - 1]  # in the last batch
    gdf = pyogrio.read_dataframe(path, layer=last.name, fid_as_index=True)
    assert len(gdf) == last.feature_count
    # another program appends a feature through GDAL: the copied triggers keep the R-tree and count
    extra = gpd.GeoDataFrame({"name": ["外来"], "code": [5], "value": [0.5]},
                             geometry=[box(121, 29.5, 121.1, 29.6) if last.geometry_type == "polygon" else
                                       Point(121, 29.5) if last.geometry_type == "point" else
                                       LineString([(121, 29.5), (121.1, 29.6)])], crs="EPSG:4326")
    pyogrio.write_dataframe(extra, path, layer=last.name, driver="GPKG", append=True)
    rows, rtree_rows, counted, _ = _tables(path)[last.name]
    assert rows == rtree_rows == counted == last.feature_count + 1
    hits = pyogrio.read_dataframe(path, layer=last.name, bbox=(120.99, 29.49, 121.11, 29.61))
    assert "外来" in hits["name"].tolist()
    assert len(open_project(path).layers[N - 1].data) == last.feature_count + 1


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="Debian GDAL (ogrinfo) is not installed")
def test_debian_gdal_reads_every_layer_of_a_batched_save(tmp_path):
    project = _project()
    path = save_project(project, tmp_path / "many.hygis")
    out = subprocess.run(["ogrinfo", "-ro", "-so", "-al", str(path)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    counts = {}
    name = None
    for line in out.stdout.splitlines():
        if line.startswith("Layer name: "):
            name = line[len("Layer name: "):]
        elif line.startswith("Feature Count: "):
            counts[name] = int(line.split(": ")[1])
    expected = {layer.name: layer.feature_count for layer in project.layers}
    assert {k: v for k, v in counts.items() if k in expected} == expected
    assert set(counts) - set(expected) == {"hygis_project", "hygis_rasters", "layer_styles"}  # attribute tables


def test_gdal_validator_and_qgis_accept_a_batched_save(tmp_path):
    """GDAL's validate_gpkg.py finds nothing wrong in a batched save with foreign content, and QGIS
    3.22 opens every layer, copied or not, with its features and hygis' style."""
    from tests.test_outside_gis import QGIS_PYTHON, VALIDATOR, _env, _has_qgis, qgis_report

    if VALIDATOR is None or not _has_qgis():
        pytest.skip("needs Debian's GDAL validator and python3-qgis (apt-get install gdal-bin python3-gdal python3-qgis)")
    project = _project()
    path = save_project(project, tmp_path / "many.hygis")
    add_foreign_content(path)
    project = open_project(path)
    save_project(project)
    alias = tmp_path / "check.gpkg"  # the validator's Req 3 is the .gpkg name, which a .hygis breaks on purpose
    alias.symlink_to(path)
    out = subprocess.run([QGIS_PYTHON, str(VALIDATOR), "-k", str(alias)], capture_output=True, text=True,
                         env=_env(), timeout=600)
    assert out.returncode == 0 and out.stdout.strip() == "", out.stdout + out.stderr
    report = qgis_report(path)
    for layer in project.layers:
        row = report[layer.name]
        assert row["valid"] and row["features"] == layer.feature_count, row
