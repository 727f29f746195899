"""``hygis analyze``: csv/json/table output and one-line errors, through hygis.cli.main."""

import io
import json
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from hygis.cli import main
from hygis.layers.vector import VectorLayer
from hygis.project import Project
from hygis.project.fileformat import save_project

from .conftest import ea_box, ea_frame, gk_box, gk_frame
from .test_enclaves_targets import enclaves_frame


@pytest.fixture
def files(tmp_path, zones3):
    zones_path = tmp_path / "zones.gpkg"
    zones3.to_file(zones_path, layer="zones", driver="GPKG")
    targets_path = tmp_path / "targets.geojson"
    ea_frame([ea_box(1, 1, 3, 3), ea_box(2, 1, 4, 3), ea_box(9, 4, 11, 6)], name=["甲", "乙", "丙"]) \
        .to_crs(4326).to_file(targets_path, driver="GeoJSON")
    project = Project("测试项目")
    frame = enclaves_frame().assign(source="test")
    pts = [shapely.Point(120.1 + 0.01 * i, 30.2) for i in range(len(frame))]
    project.layers.append(VectorLayer("飞地", gpd.GeoDataFrame(frame, geometry=pts, crs=4326), kind="enclave"))
    squares = gk_frame([gk_box(0, 0, 10, 10), gk_box(10, 0, 20, 10), gk_box(23, 0, 25, 10)], name=["东", "西", "北"])
    project.layers.append(VectorLayer("方格", squares.to_crs(4326), kind="vector"))
    project_path = tmp_path / "plan.hygis"
    save_project(project, project_path)
    return {"zones": str(zones_path), "targets": str(targets_path), "project": str(project_path)}


def run(capsys, *argv):
    code = main(["analyze", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_coverage_csv(capsys, files):
    code, out, err = run(capsys, "coverage", files["targets"], "--zones", files["zones"], "--format", "csv")
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert list(table["zone"]) == ["甲区", "乙区", "丙区", "合计"]
    assert table["covered_area_km2"].tolist() == pytest.approx([8.0, 2.0, 0.0, 10.0], rel=1e-6)


def test_coverage_json_with_buffer_and_table(capsys, files):
    code, out, _ = run(capsys, "coverage", files["targets"], "--zones", files["zones"], "--zones-layer", "zones",
                       "--buffer", "100", "--format", "json")
    assert code == 0
    records = json.loads(out)
    assert isinstance(records, list) and records[0]["zone"] == "甲区"
    assert records[0]["covered_area_km2"] > 8.0  # buffering grows the cover
    code, out, _ = run(capsys, "coverage", files["targets"], "--zones", files["zones"])
    assert code == 0 and "甲区" in out and "合计" in out and "covered_share_pct" in out.splitlines()[0]


def test_adjacency_csv_within_a_project(capsys, files):
    code, out, err = run(capsys, "adjacency", files["project"], "--layer", "方格", "--distance", "5000",
                         "--format", "csv")
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert list(zip(table["a_name"], table["b_name"], table["relation"])) == [
        ("东", "西", "touches"), ("西", "北", "within_distance")]
    assert table["distance_m"].iloc[1] == pytest.approx(3000, rel=1e-4)


def test_adjacency_between_two_files(capsys, files):
    code, out, _ = run(capsys, "adjacency", files["targets"], "--with", files["zones"], "--format", "json")
    assert code == 0
    pairs = {(r["a_name"], r["b_name"]): r["relation"] for r in json.loads(out)}
    assert pairs == {("甲", "甲区"): "overlaps", ("乙", "甲区"): "overlaps", ("丙", "甲区"): "overlaps",
                     ("丙", "乙区"): "overlaps"}


def test_enclaves_json_and_csv(capsys, files):
    code, out, _ = run(capsys, "enclaves", files["project"], "--as-of", "2022", "--target", "10", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["summary"]["count"] == 5 and doc["summary"]["projected_year"] == 2027
    assert {r["host_city"]: r["operating"] for r in doc["by_host_city"]} == {"杭州市": 3, "宁波市": 2}
    code, out, _ = run(capsys, "enclaves", files["project"], "--format", "csv")
    table = pd.read_csv(io.StringIO(out))
    summary = table[table["table"] == "summary"].set_index("measure")["value"]
    assert float(summary["count"]) == 6 and float(summary["target"]) == 50


def test_targets_json(capsys, files):
    code, out, _ = run(capsys, "targets", files["project"], "--format", "json")
    assert code == 0
    (row,) = json.loads(out)
    assert row["key"] == "enclave_count" and row["latest"] == 6 and row["target"] == 50


@pytest.mark.parametrize("argv, message", [
    (["coverage", "nowhere.gpkg", "--zones", "basemap:district"], "File not found"),
    (["coverage", "{project}", "--layer", "道路", "--zones", "basemap:district"], "No layer '道路'"),
    (["coverage", "{project}", "--zones", "basemap:district"], "choose one with --layer"),
    (["coverage", "{targets}", "--zones", "basemap:county"], "Unknown zones"),
    (["coverage", "{targets}", "--zones", "{zones}", "--by", "nope"], "field 'nope' not found"),
    (["enclaves", "missing.hygis"], "File not found"),
])
def test_bad_input_exits_1_with_one_line(capsys, files, argv, message):
    argv = [a.format(**files) for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("hygis: error:") and message in err
    if "No layer" in message:
        assert "飞地" in err and "方格" in err  # the available layers are listed


def test_analyze_cli_does_not_import_qt():
    code = ("import sys, hygis.cli.analyze, hygis.analysis.registry; hygis.analysis.registry.analyses(); "
            "assert 'PySide6' not in sys.modules; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_analyze_formats_match_the_output_module():
    from hygis.analysis import output
    from hygis.cli import analyze

    assert analyze.FORMATS == output.FORMATS


def test_analyze_parses_its_arguments_without_loading_pandas():
    """Start-up (issue 12): the lean parser imports only the analyze command, and that imports
    no pandas/geopandas/shapely before the data is read."""
    import subprocess
    import sys

    code = ("import sys; from hygis.cli import build_parser; "
            "build_parser(only='analyze').parse_args(['analyze', 'coverage', 'x.gpkg', '--zones', 'basemap:district']); "
            "print(sorted(m for m in ('pandas', 'geopandas', 'shapely', 'pyogrio', 'hygis.cli.render') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
