"""Field and layer names that clash with GeoPackage internals or with other formats' limits (issues
16 and 11): renamed and reported on import, refused naming the field, never a late failure; every
import/export argument checked (one line, never "internal error").  Own inputs only."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from hygis.cli import main
from hygis.core.errors import HygisError
from hygis.io import export_layer, load_layers
from hygis.layers.vector import VectorLayer
from hygis.project.fileformat import open_project, save_project

ROOT = Path(__file__).resolve().parents[2]


def _geojson(path, props: list[dict]):
    feats = [{"type": "Feature", "properties": p, "geometry": {"type": "Point", "coordinates": [120 + i * 0.01, 30]}}
             for i, p in enumerate(props)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False), encoding="utf-8")
    return path


def _cli(*args) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "-m", "hygis", *map(str, args)], capture_output=True, text=True,
                          env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    return done.returncode, done.stdout, done.stderr


def test_reserved_and_case_duplicate_names_are_renamed_and_the_project_saves(tmp_path):
    src = _geojson(tmp_path / "qgis_export.geojson", [
        {"fid": 7, "ogc_fid": 70, "geom": "g", "Name": "甲", "name": "乙", "NAME": "丙", "geometry": "点"},
        {"fid": 8, "ogc_fid": 80, "geom": "h", "Name": "丁", "name": "戊", "NAME": "己", "geometry": "面"}])
    project = tmp_path / "p.hygis"
    code, out, err = _cli("import", project, src, "--create")
    assert code == 0, err
    for old in ("fid", "ogc_fid", "geom", "name", "NAME", "geometry"):
        assert f"field '{old}' renamed to" in err
    layer = open_project(project).layers[0]
    data = layer.data
    assert data["fid_src"].tolist() == [7, 8] and data["ogc_fid_src"].tolist() == [70, 80]
    assert data["geom_src"].tolist() == ["g", "h"]
    assert data["geometry_src"].tolist() == ["点", "面"]  # a property named like the geometry column: kept
    assert data.geometry.x.tolist() == [120.0, 120.01]
    assert sorted(data[c].iloc[0] for c in ("Name", "name_1", "NAME_2")) == ["丙", "乙", "甲"]
    # saving again (what autosave does) works too
    save_project(open_project(project), tmp_path / "again.hygis")
    assert open_project(tmp_path / "again.hygis").layers[0].feature_count == 2


def test_kml_keeps_chinese_field_names(tmp_path):
    kml = tmp_path / "台账.kml"
    kml.write_text('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
                   + "".join(f'<Placemark><name>点{i}</name><ExtendedData><Data name="编号"><value>A0{i}</value></Data>'
                             f'<Data name="面积"><value>{i}.5</value></Data></ExtendedData>'
                             f'<Point><coordinates>120.{i},30.2</coordinates></Point></Placemark>' for i in (1, 2))
                   + "</Document></kml>", encoding="utf-8")
    layer, = load_layers(kml)
    assert layer.data["编号"].tolist() == ["A01", "A02"] and layer.data["面积"].tolist() == [1.5, 2.5]


def test_map_onto_geometry_is_a_clear_error(tmp_path):
    src = _geojson(tmp_path / "a.geojson", [{"名称": "x"}])
    code, _, err = _cli("import", tmp_path / "p.hygis", src, "--create", "--map", "名称=geometry")
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "'geometry' is reserved" in err and "internal error" not in err


def test_shapefile_names_cut_on_character_boundaries_and_made_unique(tmp_path):
    frame = gpd.GeoDataFrame({"规划面积平方公里": [1.5], "规划面积平方米": [1500000.0], "备注说明文字": ["好"]},
                             geometry=[shapely.Point(120, 30)], crs=4326)
    layer = VectorLayer("面积", frame)
    with pytest.raises(HygisError, match="规划面积平方公里 → 规划面"):
        export_layer(layer, tmp_path / "a.shp")
    report = []
    export_layer(layer, tmp_path / "a.shp", allow_truncate=True, report=report)
    assert "10 bytes" in report[0]
    fields = list(pyogrio.read_info(tmp_path / "a.shp")["fields"])
    assert len(set(f.lower() for f in fields)) == 3 and all(len(f.encode()) <= 10 for f in fields)
    back, = load_layers(tmp_path / "a.shp")  # hygis reads its own shapefile back (no cut characters)
    assert sorted(back.data.iloc[0][fields].tolist(), key=str) == sorted([1.5, 1500000.0, "好"], key=str)
    gbk = []
    export_layer(layer, tmp_path / "g.shp", encoding="gbk", allow_truncate=True, report=gbk)
    names = list(pyogrio.read_info(tmp_path / "g.shp", encoding="GBK")["fields"])
    assert "规划面积平" in names  # 5 characters = 10 GBK bytes
    if shutil.which("/usr/bin/ogrinfo"):
        done = subprocess.run(["/usr/bin/ogrinfo", "-ro", "-so", "-al", str(tmp_path / "a.shp")],
                              capture_output=True, text=True)
        assert done.returncode == 0 and "Feature Count: 1" in done.stdout


def test_long_text_refused_or_cut_and_reported(tmp_path):
    frame = gpd.GeoDataFrame({"source": ["短", "很长的来源说明" * 20]}, geometry=shapely.points([120, 121], 30.0), crs=4326)
    layer = VectorLayer("来源", frame)
    with pytest.raises(HygisError, match=r"field 'source' has 1 text\(s\) longer than 254 bytes \(feature 2"):
        export_layer(layer, tmp_path / "s.shp")
    assert not list(tmp_path.iterdir())
    report = []
    export_layer(layer, tmp_path / "s.shp", allow_truncate=True, report=report)
    assert any("cut to 254 bytes (features 2)" in r for r in report)
    back = pyogrio.read_dataframe(tmp_path / "s.shp")["source"].tolist()
    assert back[0] == "短" and len(back[1].encode()) <= 254 and ("很长的来源说明" * 20).startswith(back[1])


def test_characters_outside_gbk_name_feature_and_field_and_gb18030_holds_them(tmp_path):
    frame = gpd.GeoDataFrame({"name": ["飞地甲", "价格¥5"]}, geometry=shapely.points([120, 121], 30.0), crs=4326)
    layer = VectorLayer("飞地", frame)
    with pytest.raises(HygisError, match=r"feature 2 field 'name'.*'¥'.*GB18030 \(CLI: --encoding gb18030\)"):
        export_layer(layer, tmp_path / "f.shp", encoding="gbk")
    export_layer(layer, tmp_path / "f.shp", encoding="gb18030")
    assert (tmp_path / "f.cpg").read_text() == "GB18030"
    assert load_layers(tmp_path / "f.shp")[0].data["name"].tolist() == ["飞地甲", "价格¥5"]


def test_long_and_repeated_layer_names_are_made_unique(tmp_path):
    src = _geojson(tmp_path / "a.geojson", [{"v": 1}])
    project = tmp_path / "p.hygis"
    long_name = "很长的图层名称" * 50
    for _ in range(3):
        code, _, err = _cli("import", project, src, "--create", "--name", long_name)
        assert code == 0, err
    assert "shortened" in err
    names = open_project(project).layers.names
    assert len(names) == 3 and len(set(names)) == 3 and all(len(n) <= 200 for n in names)


@pytest.mark.parametrize("args,expect", [
    (["--name", "   "], "name"), (["--layer", ""], "layer"), (["--encoding", "klingon"], "encoding"),
    (["--crs", "EPSG:99999999"], "coordinate reference system"), (["--map", "=x"], "--map"), (["--lon", "x"], "latitude"),
    (["--as", "nope"], "nope"), (["--layer", "nope"], "no layer 'nope'"), (["--map", "v=fid"], "reserved"),
])
def test_import_arguments_are_validated(tmp_path, args, expect):
    src = _geojson(tmp_path / "a.geojson", [{"v": 1}])
    code, _, err = _cli("import", tmp_path / "p.hygis", src, "--create", *args)
    assert code in (1, 2) and expect in err, err
    assert "internal error" not in err and "Traceback" not in err and len(err.strip().splitlines()) <= 2
    assert not (tmp_path / "p.hygis").exists()


def test_export_arguments_are_validated(tmp_path, capsys):
    src = _geojson(tmp_path / "a.geojson", [{"v": 1}])
    project = tmp_path / "p.hygis"
    assert main(["import", str(project), str(src), "--create", "--name", "L"]) == 0
    capsys.readouterr()
    for args, expect in [(["L", str(tmp_path / "o.geojson"), "--where", "  "], "--where is empty"),
                         (["  ", str(tmp_path / "o.geojson")], "the layer argument is empty"),
                         (["L", str(project)], "cannot export to '.hygis'"),
                         (["L", str(tmp_path / "o.xyz")], "cannot export to '.xyz'"),
                         (["L", str(tmp_path / "o.geojson"), "--where", "v >"], ""),
                         (["L", str(tmp_path / "o.geojson"), "--crs", ""], "--crs is empty")]:
        assert main(["export", str(project), *args]) == 1
        err = capsys.readouterr().err.strip()
        assert expect in err and "internal error" not in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "o.geojson").exists()
    for args in (["--add", "", "--extent", "120,30,121,31"], ["--add", " "], ["--remove", ""], ["--rename", "a", ""]):
        assert main(["bookmark", str(project), *args]) == 1  # was: an empty --add listed the bookmarks, exit 0
        err = capsys.readouterr().err.strip()
        assert f"{args[0]} is empty" in err and len(err.splitlines()) == 1, err


@pytest.mark.parametrize("target", ["nan", "inf", "-inf", "-5", "1e400", "abc", "", "99999999999999999999"])
def test_analysis_target_is_validated(tmp_path, capsys, target):
    """`hygis analyze enclaves … --target nan` once ended in "internal error"."""
    from tests.reliability.helpers import small_project

    project = save_project(small_project(), tmp_path / "p.hygis")
    capsys.readouterr()
    assert main(["analyze", "enclaves", str(project), f"--target={target}"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("hygis: error: ") and "internal error" not in err and len(err.splitlines()) == 1, err
    assert "arget" in err  # names the option
