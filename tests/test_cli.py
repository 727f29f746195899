"""The CLI's info/import/export: exit codes, one-line errors, byte-identical projects after failures, no Qt."""

import hashlib
import os
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyogrio
import pytest

from hygis.cli import main
from hygis.geo.crs import wgs84_to_gcj02
from hygis.project import Project
from hygis.project.fileformat import open_project, save_project
from tests.factories import corridor_layer, enclave_layer
from tests.io.conftest import bowtie_geojson, district_frame, write_gbk_shapefile  # noqa: F401 (fixture)


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def project_path(tmp_path):
    from hygis.project.commands import AddLayer

    project = Project("测试项目")
    for layer in (corridor_layer(), enclave_layer(3)):
        project.execute(AddLayer(project, layer))
    path = tmp_path / "test.hygis"
    save_project(project, path)
    return path


def _err_line(capsys):
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_import_gbk_shapefile_into_project(tmp_path, project_path, capsys):
    shp = write_gbk_shapefile(tmp_path / "区县.shp")
    assert main(["import", str(project_path), str(shp)]) == 0
    assert "imported '区县' (vector, 2 features, polygon)" in capsys.readouterr().out
    project = open_project(project_path)
    assert project.layers.names == ["科创走廊", "飞地", "区县"]
    assert project.layers["区县"].data["name"].tolist() == ["西湖区", "鄞州区"]


def test_import_needs_create_for_a_new_project(tmp_path, capsys):
    csv = tmp_path / "poi.csv"
    x, y = wgs84_to_gcj02([120.1517], [30.2590])
    csv.write_text(f"名称,经度,纬度\n断桥,{x[0]},{y[0]}\n", encoding="utf-8")
    new = tmp_path / "new.hygis"
    assert main(["import", str(new), str(csv)]) == 1
    assert "does not exist (add --create" in _err_line(capsys)
    assert not new.exists()
    assert main(["import", str(new), str(csv), "--create", "--datum", "gcj02", "--name", "景点"]) == 0
    layer = open_project(new).layers["景点"]
    assert abs(layer.data.geometry.x.iloc[0] - 120.1517) < 1e-7


def test_import_as_kind_with_map(tmp_path, project_path):
    csv = tmp_path / "h.csv"
    csv.write_text("名称,城市,级别,src,lon,lat\n拱宸桥,杭州市,world,test,120.1397,30.3186\n", encoding="gbk")
    assert main(["import", str(project_path), str(csv), "--as", "heritage", "--map", "级别=heritage_level",
                 "--map", "src=source"]) == 0
    layer = open_project(project_path).layers["h"]
    assert layer.kind == "heritage" and layer.data["heritage_level"].tolist() == ["world"]


FAILURES = {
    "empty.geojson": (b"", "empty.geojson is empty"),
    "cut.geojson": (b'{"type": "FeatureCollection", "fea', "Cannot read cut.geojson as GeoJSON"),
    "junk.gpkg": (b"not a database", "Cannot read junk.gpkg"),
    "plan.doc": (b"x", "unsupported file type '.doc'"),
}


@pytest.mark.parametrize("name", sorted(FAILURES))
def test_failed_import_leaves_project_byte_identical(tmp_path, project_path, capsys, name):
    content, message = FAILURES[name]
    bad = tmp_path / name
    bad.write_bytes(content)
    before = _sha(project_path)
    assert main(["import", str(project_path), str(bad)]) == 1
    assert message in _err_line(capsys)
    assert _sha(project_path) == before


@pytest.mark.parametrize("part", [".dbf", ".shx"])
def test_shapefile_missing_part_leaves_project_unchanged(tmp_path, project_path, capsys, part):
    shp = write_gbk_shapefile(tmp_path / "d.shp")
    shp.with_suffix(part).unlink()
    before = _sha(project_path)
    assert main(["import", str(project_path), str(shp)]) == 1
    assert f"d{part} is missing" in _err_line(capsys)
    assert _sha(project_path) == before


def test_invalid_geometries_refused_then_repaired_or_kept(bowtie_geojson, project_path, capsys):
    before = _sha(project_path)
    assert main(["import", str(project_path), str(bowtie_geojson)]) == 1
    line = _err_line(capsys)
    assert "1 invalid geometries (fid 1: Self-intersection" in line and "--repair" in line
    assert _sha(project_path) == before
    assert main(["import", str(project_path), str(bowtie_geojson), "--keep-invalid", "--name", "原样"]) == 0
    assert "warning: 原样: 1 invalid geometries (fid 1: Self-intersection" in capsys.readouterr().err
    assert main(["import", str(project_path), str(bowtie_geojson), "--repair", "--name", "修复"]) == 0
    project = open_project(project_path)
    assert not project.layers["原样"].data.is_valid.iloc[1]
    assert project.layers["修复"].data.is_valid.all() and project.layers["修复"].feature_count == 3


def test_bad_options(tmp_path, project_path, capsys):
    csv = tmp_path / "h.csv"
    csv.write_text("name,lon,lat\na,120.1,30.2\n", encoding="utf-8")
    before = _sha(project_path)
    assert main(["import", str(project_path), str(csv), "--as", "heritage"]) == 1
    assert "field 'city' is required" in _err_line(capsys)
    assert main(["import", str(project_path), str(csv), "--map", "oops"]) == 1
    assert "--map expects SRC=DST" in _err_line(capsys)
    assert main(["import", str(project_path), str(csv), "--as", "castle"]) == 1
    assert "Unknown layer kind 'castle'" in _err_line(capsys)
    assert _sha(project_path) == before
    with pytest.raises(SystemExit) as exc:
        main(["import", str(project_path)])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["import", str(project_path), str(csv), "--datum", "mars"])
    assert exc.value.code == 2


def test_export_formats_where_and_errors(tmp_path, project_path, capsys):
    out = tmp_path / "飞地.geojson"
    assert main(["export", str(project_path), "飞地", str(out), "--where", "enclave_type == 'science'"]) == 0
    assert "exported 2 features" in capsys.readouterr().out
    assert pyogrio.read_dataframe(out)["name"].tolist() == ["飞地0", "飞地2"]
    assert main(["export", str(project_path), "飞地", str(tmp_path / "e.shp"), "--encoding", "gbk",
                 "--datum", "gcj02"]) == 1
    assert "origin_city → origin_cit" in _err_line(capsys)  # a shapefile cuts names: refused unless allowed
    assert main(["export", str(project_path), "飞地", str(tmp_path / "e.shp"), "--encoding", "gbk",
                 "--datum", "gcj02", "--allow-truncate"]) == 0
    err = capsys.readouterr().err
    assert "origin_city → origin_cit" in err and "GCJ-02" in err  # the losses and the datum are said
    assert (tmp_path / "e.cpg").read_text() == "GBK"
    got = pyogrio.read_dataframe(tmp_path / "e.shp", encoding="gbk")
    gx, _ = wgs84_to_gcj02(np.array([120.0, 120.1, 120.2]), np.array([30.0, 30.05, 30.1]))
    assert np.allclose(got.geometry.x, gx) and got["name"].tolist() == ["飞地0", "飞地1", "飞地2"]
    assert main(["export", str(project_path), "飞地", str(tmp_path / "e.dwg")]) == 1
    assert "cannot export to '.dwg'" in _err_line(capsys)
    assert main(["export", str(project_path), "没有", str(tmp_path / "e.gpkg")]) == 1
    assert "No layer '没有'" in _err_line(capsys)
    assert main(["export", str(project_path), "飞地", str(tmp_path / "e.gpkg"), "--where", "year >>> 3"]) == 1
    _err_line(capsys)


def test_info_on_project_and_plain_files(tmp_path, project_path, capsys):
    assert main(["info", str(project_path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["title"] == "测试项目"
    assert [(l["name"], l["kind"], l["features"], l["geometry_type"]) for l in info["layers"]] == [
        ("科创走廊", "corridor", 1, "polygon"), ("飞地", "enclave", 3, "point")]
    assert info["layers"][1]["bounds"] == [120.0, 30.0, 120.2, 30.1]
    assert main(["info", str(project_path)]) == 0
    text = capsys.readouterr().out
    assert "科创走廊  [corridor]  1 features  polygon  EPSG:4326" in text and "Scenarios (0)" in text

    gpkg = tmp_path / "d.gpkg"
    pyogrio.write_dataframe(district_frame(), gpkg, layer="区县")
    assert main(["info", str(gpkg), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["layers"][0]["name"] == "区县" and info["layers"][0]["features"] == 2
    assert info["layers"][0]["crs"] == "EPSG:4326" and "name" in info["layers"][0]["fields"]
    assert main(["info", str(gpkg), "--layer", "x"]) == 1
    assert "no layer 'x'" in _err_line(capsys)

    import rasterio
    from rasterio.transform import from_origin

    tif = tmp_path / "dem.tif"
    with rasterio.open(tif, "w", driver="GTiff", width=5, height=4, count=2, dtype="float32", crs="EPSG:4549",
                       transform=from_origin(500000, 3350000, 100, 100)) as ds:
        ds.write(np.zeros((2, 4, 5), "float32"))
    assert main(["info", str(tif), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["size"] == [5, 4] and info["bands"] == 2 and info["dtype"] == "float32"
    assert info["crs"] == "EPSG:4549" and info["bounds"] == [500000.0, 3349600.0, 500500.0, 3350000.0]
    assert info["bounds_wgs84"][0] == pytest.approx(120.0, abs=1e-6)


def test_info_and_import_run_without_qt(tmp_path, project_path):
    shp = write_gbk_shapefile(tmp_path / "d.shp")
    code = ("import sys; from hygis.cli import main; "
            f"a = main(['info', {str(project_path)!r}]); b = main(['import', {str(project_path)!r}, {str(shp)!r}]); "
            f"c = main(['export', {str(project_path)!r}, 'd', {str(tmp_path / 'o.kml')!r}]); "
            "print(a, b, c, 'PySide6' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "0 0 0 False", out.stderr


def test_real_process_exit_code_and_single_line(tmp_path):
    bad = tmp_path / "x.geojson"
    bad.write_text("{not json")
    out = subprocess.run([sys.executable, "-m", "hygis", "info", str(bad)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [out.stderr.strip()] and "x.geojson" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads in /proc (Linux)")
@pytest.mark.parametrize("setting, blas_threads", [(None, 0), ("2", 1)])
def test_commands_start_no_blas_threads_unless_asked(setting, blas_threads):
    """numpy's OpenBLAS starts a thread per core at import; hygis does no matrix algebra, so its
    commands ask for none (a user's OPENBLAS_NUM_THREADS wins)."""
    code = ("import os, sys, threading\nfrom hygis.cli import main\ntry:\n    main(['--version'])\n"
            "except SystemExit:\n    pass\nimport numpy\n"
            "print(len(os.listdir('/proc/self/task')) - threading.active_count())")  # threads Python did not start
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if setting:
        env["OPENBLAS_NUM_THREADS"] = setting
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert out.stdout.strip().splitlines()[-1] == str(blas_threads), out.stderr
