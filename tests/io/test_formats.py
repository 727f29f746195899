"""FlatGeobuf, GeoParquet, File Geodatabase and zipped Shapefiles; checked against Debian's ogrinfo
(GDAL 3.6, independent of the GDAL inside pyogrio) where it is installed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile

import pandas as pd
import pyogrio
import pytest
import shapely

from hygis.core.errors import HygisError
from hygis.io import export_layer, load_layers
from hygis.layers.vector import VectorLayer
from tests.io.conftest import district_frame, write_gbk_shapefile

OGRINFO = "/usr/bin/ogrinfo"


def _layer():
    frame = district_frame()
    frame["code"] = pd.array([330106, 330212], dtype="Int64")
    return VectorLayer("区县", frame)


def _ogrinfo(path, *args) -> str:
    if not shutil.which(OGRINFO):
        pytest.skip("Debian's ogrinfo (gdal-bin) is not installed")
    done = subprocess.run([OGRINFO, "-ro", "-so", "-al", str(path), *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("ext", [".fgb", ".parquet"])
def test_round_trip_new_formats(tmp_path, ext):
    layer = _layer()
    out = export_layer(layer, tmp_path / f"区县{ext}")
    back, = load_layers(out)
    assert back.name == "区县" and back.feature_count == 2
    assert back.data["name"].tolist() == ["西湖区", "鄞州区"]
    assert back.data["code"].tolist() == [330106, 330212]
    assert back.data["pop_wan"].tolist() == [115.5, 167.8]
    assert shapely.equals_exact(back.data.geometry[0], layer.data.geometry[0], tolerance=1e-12)


@pytest.mark.parametrize("ext,driver", [(".fgb", "FlatGeobuf"), (".shp", "ESRI Shapefile"), (".gpkg", "GPKG")])
def test_exports_open_in_debian_ogrinfo_with_counts_and_types(tmp_path, ext, driver):
    out = export_layer(_layer(), tmp_path / f"d{ext}")
    text = _ogrinfo(out)
    assert f"using driver `{driver}'" in text
    assert re.search(r"Feature Count: 2\b", text)
    assert re.search(r"name: String", text) and re.search(r"pop_wan: Real", text)
    assert re.search(r"code: Integer", text)  # Integer or Integer64, never Real
    if ext != ".shp":
        assert "Layer name: 区县" in text


def test_geoparquet_metadata_is_standard(tmp_path):
    import pyarrow.parquet as pq

    out = export_layer(_layer(), tmp_path / "d.parquet", datum="gcj02")
    meta = pq.read_schema(out).metadata
    geo = json.loads(meta[b"geo"])
    assert geo["primary_column"] == "geometry" and geo["columns"]["geometry"]["encoding"] == "WKB"
    assert "GCJ-02" in meta[b"description"].decode()
    assert pq.read_metadata(out).num_rows == 2


def test_plain_parquet_without_geometry_is_refused(tmp_path):
    path = tmp_path / "t.parquet"
    pd.DataFrame({"a": [1, 2]}).to_parquet(path)
    with pytest.raises(HygisError, match="not GeoParquet"):
        load_layers(path)


def test_gcj02_exports_say_so_in_their_metadata(tmp_path):
    layer = _layer()
    report = []
    export_layer(layer, tmp_path / "a.geojson", datum="gcj02", report=report)
    assert "GCJ-02" in json.loads((tmp_path / "a.geojson").read_text())["description"]
    assert json.loads((tmp_path / "a.geojson").read_text())["name"] == "区县"  # not the temporary file's name
    assert any("GCJ-02" in r for r in report)
    export_layer(layer, tmp_path / "a.gpkg", datum="bd09")
    assert "BD-09" in pyogrio.read_info(tmp_path / "a.gpkg", layer="区县")["layer_metadata"]["DESCRIPTION"]
    export_layer(layer, tmp_path / "a.fgb", datum="gcj02")
    assert "GCJ-02" in pyogrio.read_info(tmp_path / "a.fgb")["layer_metadata"]["DESCRIPTION"]
    export_layer(layer, tmp_path / "a.kml", datum="gcj02")
    kml = (tmp_path / "a.kml").read_text()
    assert "<name>区县</name>" in kml and "GCJ-02" in kml
    report = []
    export_layer(layer, tmp_path / "a.shp", datum="gcj02", report=report)
    assert any("GCJ-02" in r and "cannot record" in r for r in report)


def test_zipped_shapefile(tmp_path):
    shp = write_gbk_shapefile(tmp_path / "src" / "districts.shp") if (tmp_path / "src").mkdir() is None else None
    archive = tmp_path / "区县.shp.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for part in shp.parent.iterdir():
            z.write(part, f"data/{part.name}")
    back, = load_layers(archive)
    assert back.name == "区县" and back.data["name"].tolist() == ["西湖区", "鄞州区"]  # GBK detected inside
    assert back.source == "区县.shp.zip"
    bad = tmp_path / "evil.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("../escape.txt", "x")
    with pytest.raises(HygisError, match="holds no Shapefile"):
        load_layers(bad)
    assert not (tmp_path.parent / "escape.txt").exists()
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(HygisError, match="not a readable zip"):
        load_layers(tmp_path / "broken.zip")


def test_file_geodatabase_folder(tmp_path):
    if "OpenFileGDB" not in pyogrio.list_drivers(write=True):
        pytest.skip("this GDAL cannot write File Geodatabases (needs GDAL >= 3.6)")
    gdb = tmp_path / "规划.gdb"
    frame = district_frame()
    pyogrio.write_dataframe(frame, gdb, layer="districts", driver="OpenFileGDB")
    pyogrio.write_dataframe(frame.iloc[:1], gdb, layer="seat", driver="OpenFileGDB")
    layers = load_layers(gdb)
    assert sorted(l.name for l in layers) == ["districts", "seat"]
    one, = load_layers(gdb, layer="districts")
    assert one.data["name"].tolist() == ["西湖区", "鄞州区"] and one.feature_count == 2
    if shutil.which(OGRINFO):
        assert "Feature Count: 2" in _ogrinfo(gdb, "districts")
    notgdb = tmp_path / "x.gdb"
    notgdb.mkdir()
    with pytest.raises(HygisError, match="not a File Geodatabase"):
        load_layers(notgdb)


def test_preview_of_new_formats(tmp_path):
    from hygis.io import preview_vector

    out = export_layer(_layer(), tmp_path / "d.parquet")
    info = preview_vector(out)
    assert info["feature_count"] == 2 and info["rows"][0]["name"] == "西湖区" and "4326" in info["crs"]
    shp = write_gbk_shapefile(tmp_path / "districts.shp")
    with zipfile.ZipFile(tmp_path / "d.zip", "w") as z:
        for part in tmp_path.glob("districts.*"):
            z.write(part, part.name)
    info = preview_vector(tmp_path / "d.zip")
    assert info["encoding_detected"] == "gbk" and info["rows"][1]["name"] == "鄞州区" and info["layers"] == ["d"]
    assert shp.exists()


def test_info_reads_the_new_formats(tmp_path, capsys):
    from hygis.cli import main

    layer = _layer()
    for ext in (".parquet", ".fgb"):
        export_layer(layer, tmp_path / f"d{ext}")
        assert main(["info", str(tmp_path / f"d{ext}")]) == 0
        assert "2 features" in capsys.readouterr().out


def test_geoparquet_opens_in_debian_ogrinfo_when_it_has_the_driver(tmp_path):
    if not shutil.which(OGRINFO):
        pytest.skip("Debian's ogrinfo (gdal-bin) is not installed")
    formats = subprocess.run([OGRINFO, "--formats"], capture_output=True, text=True).stdout
    if "Parquet" not in formats:
        pytest.skip("this ogrinfo has no (Geo)Parquet driver (Debian bookworm's GDAL 3.6 builds none); "
                    "the file's GeoParquet metadata is checked with pyarrow instead")
    out = export_layer(_layer(), tmp_path / "d.parquet")
    text = _ogrinfo(out)
    assert re.search(r"Feature Count: 2\b", text) and re.search(r"code: Integer", text)
