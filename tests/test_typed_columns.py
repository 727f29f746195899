"""A thematic layer's columns keep their schema type through every path (issue 10)."""

import shutil
import sqlite3
import subprocess

import pytest
import shapely

from hygis.analysis.enclaves import project_enclave_counts
from hygis.core.errors import HygisError
from hygis.project import Project
from hygis.project.commands import AddFeatures, ChangeAttribute, DeleteFeatures
from hygis.project.fileformat import open_project, save_project
from tests.factories import enclave_layer

DTYPES = {"year_opened": "Int64", "target_override": "boolean", "name": "object", "status": "object"}
NEW = dict(name="新飞地", host_city="宁波市", origin_city="丽水市", enclave_type="industry", status="operating",
           year_opened="2021", source="form")


@pytest.fixture
def project():
    p = Project("t")
    p.layers.append(enclave_layer(4))
    return p


def dtypes(layer):
    return {c: str(layer.data[c].dtype) for c in DTYPES}


def test_dtypes_survive_add_undo_redo_delete(project):
    layer = project.layers["飞地"]
    assert dtypes(layer) == DTYPES
    project.execute(AddFeatures(layer, [NEW], [shapely.Point(121.5, 29.9)]))  # the form leaves the override empty
    assert dtypes(layer) == DTYPES and layer.data["year_opened"].iloc[-1] == 2021
    project.undo()
    project.redo()
    project.execute(DeleteFeatures(layer, [int(layer.data.index[0])]))
    project.undo()
    assert dtypes(layer) == DTYPES
    project.execute(ChangeAttribute(layer, int(layer.data.index[0]), "year_opened", "2013.0"))
    assert dtypes(layer) == DTYPES and layer.data["year_opened"].iloc[0] == 2013


def test_adding_one_enclave_adds_one_to_the_count(project, tmp_path):
    before = project_enclave_counts(project)["summary"]["count"]
    layer = project.layers["飞地"]
    project.execute(AddFeatures(layer, [NEW], [shapely.Point(121.5, 29.9)]))
    assert project_enclave_counts(project)["summary"]["count"] == before + 1
    path = save_project(project, tmp_path / "p.hygis")
    again = open_project(path)
    assert dtypes(again.layers["飞地"]) == DTYPES
    assert project_enclave_counts(again)["summary"]["count"] == before + 1
    project.undo()
    assert project_enclave_counts(project)["summary"]["count"] == before


@pytest.mark.parametrize("field,value,message", [
    ("year_opened", "soon", "field 'year_opened': 'soon' is not a valid int"),
    ("target_override", "maybe", "field 'target_override'"),
    ("enclave_type", "farm", "field 'enclave_type': 'farm' is not allowed"),
])
def test_a_value_that_cannot_be_coerced_is_refused_naming_feature_and_field(project, field, value, message):
    layer = project.layers["飞地"]
    before = layer.data.copy()
    fid = int(layer.data.index[2])
    with pytest.raises(HygisError, match=f"feature {fid}: {message}"):
        project.execute(ChangeAttribute(layer, fid, field, value))
    assert layer.data.equals(before)


def test_choice_labels_are_read_as_codes(project):
    layer = project.layers["飞地"]
    project.execute(AddFeatures(layer, [{**NEW, "enclave_type": "产业", "status": "已运营"}], [shapely.Point(121, 29)]))
    assert layer.data[["enclave_type", "status"]].iloc[-1].tolist() == ["industry", "operating"]


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="needs GDAL's ogrinfo (Debian gdal-bin)")
def test_rows_written_by_another_gis_read_back_typed(project, tmp_path):
    """Another GIS adds rows with the override stored as 0.0 / '0' / NULL and the year as text:
    read back as False / False / empty and 2022 (GDAL's own SQL, as QGIS would write them)."""
    path = save_project(project, tmp_path / "p.hygis")
    con = sqlite3.connect(path)
    table = con.execute("SELECT table_name FROM gpkg_contents WHERE identifier = '飞地'").fetchone()[0]
    con.close()
    gpkg = path.with_suffix(".gpkg")  # ogrinfo picks its driver by the extension
    path.rename(gpkg)
    for i, (override, year) in enumerate([("0.0", "2022.0"), ("'0'", "'2022'"), ("NULL", "2022")]):
        reason = "'q'" if override != "NULL" else "NULL"
        _insert(gpkg, table, f"'qgis{i}', {year}, {override}, {reason}")
    gpkg.rename(path)
    again = open_project(path)
    layer = again.layers["飞地"]
    assert dtypes(layer) == DTYPES
    added = layer.data[layer.data["name"].str.startswith("qgis")]
    assert len(added) == 3 and added["year_opened"].tolist() == [2022] * 3
    assert added["target_override"].tolist()[:2] == [False, False]
    assert added["target_override"].isna().tolist() == [False, False, True]
    # the two excluded by override do not count, the third (no override, 宁波↔丽水) does
    assert project_enclave_counts(again)["summary"]["count"] == project_enclave_counts(project)["summary"]["count"] + 1


def _insert(gpkg, table, values):
    sql = (f'INSERT INTO "{table}" (name, year_opened, target_override, override_reason, host_city, origin_city, '
           f"enclave_type, status, source, geom) SELECT {values}, '宁波市', '丽水市', 'industry', 'operating', "
           f"'qgis', geom FROM \"{table}\" LIMIT 1")
    subprocess.run(["ogrinfo", "-q", str(gpkg), "-sql", sql], check=True, capture_output=True)
