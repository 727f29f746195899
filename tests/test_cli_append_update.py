"""``hygis import --append`` and ``hygis update``: validated, all or nothing, byte-identical on refusal."""

import hashlib
import json

import pytest

from hygis.cli import main
from hygis.project import Project
from hygis.project.commands import AddLayer
from hygis.project.fileformat import open_project, save_project
from tests.factories import corridor_layer, enclave_layer

HEADER = "名称,host,origin,type,status,year,lon,lat,src\n"
MAP = ["--map", "名称=name", "--map", "host=host_city", "--map", "origin=origin_city", "--map", "type=enclave_type",
       "--map", "year=year_opened", "--map", "src=source"]


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def project_path(tmp_path):
    project = Project("测试")
    for layer in (corridor_layer(), enclave_layer(3)):
        project.execute(AddLayer(project, layer))
    return save_project(project, tmp_path / "t.hygis")


def _count(capsys, path, *extra):
    capsys.readouterr()
    assert main(["analyze", "enclaves", str(path), "--format", "json", *extra]) == 0
    return json.loads(capsys.readouterr().out)["summary"]["count"]


def _one_line_error(capsys):
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_append_coerces_and_adds_to_the_count(tmp_path, project_path, capsys):
    csv = tmp_path / "new.csv"
    csv.write_text(HEADER + "新飞地A,宁波市,丽水市,industry,operating,2025,121.5,29.9,t\n"
                            "新飞地B,杭州,衢州,科创,已运营,2025.0,120.1,30.3,t\n", encoding="utf-8")
    before = _count(capsys, project_path)
    assert main(["import", str(project_path), str(csv), "--append", "飞地", *MAP]) == 0
    assert "appended 2 feature(s)" in capsys.readouterr().out
    layer = open_project(project_path).layers["飞地"]
    assert layer.feature_count == 5 and str(layer.data["year_opened"].dtype) == "Int64"
    assert layer.data["enclave_type"].tolist()[-1] == "science" and layer.data["host_city"].tolist()[-1] == "杭州"
    assert _count(capsys, project_path) == before + 2


@pytest.mark.parametrize("row,message", [
    ("坏飞地,宁波市,丽水市,industry,operating,soon,121.5,29.9,t", "feature 2: field 'year_opened': 'soon'"),
    ("坏飞地,宁波市,丽水市,farm,operating,2020,121.5,29.9,t", "feature 2: field 'enclave_type': 'farm'"),
    ("坏飞地,,丽水市,industry,operating,2020,121.5,29.9,t", "feature 2: field 'host_city': a value is required"),
])
def test_one_bad_feature_refuses_the_whole_append(tmp_path, project_path, capsys, row, message):
    csv = tmp_path / "bad.csv"
    csv.write_text(HEADER + "好飞地,宁波市,丽水市,industry,operating,2020,121.5,29.9,t\n" + row + "\n", encoding="utf-8")
    sha = _sha(project_path)
    assert main(["import", str(project_path), str(csv), "--append", "飞地", *MAP]) == 1
    assert message in _one_line_error(capsys)
    assert _sha(project_path) == sha


def test_append_refuses_bad_arguments(tmp_path, project_path, capsys):
    csv = tmp_path / "new.csv"
    csv.write_text(HEADER + "a,宁波市,丽水市,industry,operating,2020,121.5,29.9,t\n", encoding="utf-8")
    sha = _sha(project_path)
    for args, message in ((["--append", "不存在"], "No vector layer '不存在'"),
                          (["--append", "飞地", "--map", "oops"], "--map expects SRC=DST"),
                          (["--append", "飞地"], "field 'host_city' is required"),
                          (["--append", "科创走廊", *MAP], "field 'city' is required"),
                          (["--append", "飞地", "--as", "enclave"], "cannot be combined")):
        assert main(["import", str(project_path), str(csv), *args]) == 1, args
        assert message in _one_line_error(capsys)
    assert _sha(project_path) == sha


def test_update_sets_validated_values_and_counts_changes(project_path, capsys):
    assert _count(capsys, project_path) == 3
    assert main(["update", str(project_path), "飞地", "--where", "year_opened >= 2016",
                 "--set", "status=planned", "--set", "year_opened=2026.0"]) == 0
    assert "changed 2 of 2 matching feature(s)" in capsys.readouterr().out
    data = open_project(project_path).layers["飞地"].data
    assert data["status"].tolist() == ["operating", "planned", "planned"]
    assert data["year_opened"].tolist() == [2015, 2026, 2026] and str(data["year_opened"].dtype) == "Int64"
    assert _count(capsys, project_path) == 1
    # setting what is already there changes nothing and leaves the file alone
    sha = _sha(project_path)
    assert main(["update", str(project_path), "飞地", "--where", "all", "--set", "source=test"]) == 0
    assert "changed 0 of 3" in capsys.readouterr().out and _sha(project_path) == sha


@pytest.mark.parametrize("args,message", [
    (["飞地", "--where", "all", "--set", "year_opened=soon"], "field 'year_opened': 'soon' is not a valid int"),
    (["飞地", "--where", "all", "--set", "status=closed"], "field 'status': 'closed' is not allowed"),
    (["飞地", "--where", "all", "--set", "target_override=no"], "'override_reason': a value is required"),
    (["飞地", "--where", "all", "--set", "statu=planned"], "No field 'statu'"),
    (["飞地", "--where", "all", "--set", "status"], "--set expects FIELD=VALUE"),
    (["飞地", "--where", "all", "--set", "status=planned", "--set", "status=x"], "names field 'status' twice"),
    (["飞地", "--where", "nme == 1", "--set", "status=planned"], "unknown field 'nme'"),
    (["飞地", "--where", "year_opened <=", "--set", "status=planned"], "filter"),
    (["飞地", "--where", " ", "--set", "status=planned"], "--where is empty"),
    (["不存在", "--where", "all", "--set", "status=planned"], "No vector layer '不存在'"),
    (["科创走廊", "--where", "all", "--set", "area_km2=5"], "computed"),
])
def test_bad_updates_are_one_line_and_leave_the_file(project_path, capsys, args, message):
    sha = _sha(project_path)
    assert main(["update", str(project_path), *args]) == 1
    assert message.lower() in _one_line_error(capsys).lower()
    assert _sha(project_path) == sha


def test_update_then_undo_in_the_model_is_one_step(project_path):
    from hygis.project.batch_edits import SetAttributes

    project = open_project(project_path)
    layer = project.layers["飞地"]
    before = layer.data.copy()
    project.execute(SetAttributes(layer, layer.data.index[:2], {"override_reason": "测试", "target_override": "0"}))
    assert layer.data["target_override"].tolist()[:2] == [False, False]
    project.undo()
    assert layer.data.equals(before)


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "abc"])
def test_analyze_numbers_are_checked(project_path, capsys, value):
    assert main(["analyze", "enclaves", str(project_path), "--target", value]) == 1
    assert "Target" in _one_line_error(capsys)
