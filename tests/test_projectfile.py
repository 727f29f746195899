import json
import os
import sqlite3

import numpy as np
import pyogrio
import pytest
import rasterio
from rasterio.transform import from_origin

from hygis.project.commands import AddLayer
from hygis.core.errors import HygisError
from hygis.layers.raster import RasterLayer
from hygis.layers.style import Style
from hygis.project import Project
from hygis.project.fileformat import FORMAT_VERSION, PROJECT_TABLE
from hygis.project.scenarios import capture
from hygis.project.targets import PlanTarget
from hygis.project.fileformat import open_project, save_project
from tests.factories import corridor_layer, enclave_layer


def _raster_bytes(tmp_path):
    path = tmp_path / "dem.tif"
    data = np.arange(100, dtype="float32").reshape(10, 10)
    with rasterio.open(path, "w", driver="GTiff", width=10, height=10, count=1, dtype="float32",
                       crs="EPSG:4326", transform=from_origin(120, 30.5, 0.01, 0.01), nodata=-1) as ds:
        ds.write(data, 1)
    return path


def make_project(tmp_path):
    p = Project("杭甬双城记")
    enc = enclave_layer(4)
    enc.style = Style(fill="#123456", marker="star", size=12)
    enc.filter = "year_opened <= 2017"
    p.execute(AddLayer(p, enc))
    p.execute(AddLayer(p, corridor_layer()))
    p.execute(AddLayer(p, RasterLayer.from_file(_raster_bytes(tmp_path), name="高程")))
    p.extent = (119.5, 29.5, 122.0, 30.8)
    p.scenarios.add(capture(p, "现状 2020", title="现状", year=2020, notes="讲稿"))
    p.set_targets([PlanTarget("enclaves", "互设飞地数量", "Enclaves", unit="个", target=50, computed="enclave_count")])
    return p


def test_save_and_reopen_round_trip(tmp_path):
    p = make_project(tmp_path)
    path = save_project(p, tmp_path / "p.hygis")
    assert path.exists() and not p.dirty
    q = open_project(path)
    assert q.title == "杭甬双城记"
    assert q.layers.names == ["飞地", "科创走廊", "高程"]
    enc = q.layers["飞地"]
    assert enc.kind == "enclave" and enc.feature_count == 4
    assert list(enc.data["name"]) == ["飞地0", "飞地1", "飞地2", "飞地3"]
    assert enc.data.geometry.iloc[2].equals(p.layers["飞地"].data.geometry.iloc[2])
    assert enc.style == p.layers["飞地"].style and enc.filter == "year_opened <= 2017"
    assert enc.id == p.layers["飞地"].id
    assert q.layers["科创走廊"].data["area_km2"].iloc[0] == pytest.approx(p.layers["科创走廊"].data["area_km2"].iloc[0])
    dem = q.layers["高程"]
    assert dem.kind == "raster" and (dem.width, dem.height) == (10, 10)
    s = q.scenarios["现状 2020"]
    assert s.year == 2020 and s.notes == "讲稿" and s.layers[enc.id].filter == "year_opened <= 2017"
    assert q.targets[0].target == 50 and q.targets[0].computed == "enclave_count"
    assert q.extent == (119.5, 29.5, 122.0, 30.8)


def test_project_file_is_a_geopackage_other_tools_read(tmp_path):
    path = save_project(make_project(tmp_path), tmp_path / "p.hygis")
    names = set(pyogrio.list_layers(path)[:, 0])
    assert {"飞地", "科创走廊", PROJECT_TABLE} <= names  # tables named as the layers
    df = pyogrio.read_dataframe(path, layer="飞地", fid_as_index=True)
    assert len(df) == 4 and df.crs.to_epsg() == 4326
    assert "fid" not in df.columns and list(df.index) == [0, 1, 2, 3]  # the feature ids are the FIDs
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # 'GPKG'
        assert con.execute("PRAGMA user_version").fetchone()[0] == 10200  # GeoPackage 1.2: GDAL 3.6 opens it
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _set_json(path, doc):
    with sqlite3.connect(path) as con:
        con.execute(f"UPDATE {PROJECT_TABLE} SET value = ? WHERE key = 'project'", (json.dumps(doc),))


def test_too_new_format_version_gives_clear_error(tmp_path):
    path = save_project(make_project(tmp_path), tmp_path / "p.hygis")
    with sqlite3.connect(path) as con:
        doc = json.loads(con.execute(f"SELECT value FROM {PROJECT_TABLE}").fetchone()[0])
    doc["version"] = FORMAT_VERSION + 1
    _set_json(path, doc)
    with pytest.raises(HygisError, match="newer hygis"):
        open_project(path)


def test_not_a_project(tmp_path):
    bad = tmp_path / "x.hygis"
    bad.write_text("hello")
    with pytest.raises(HygisError, match="not a hygis project"):
        open_project(bad)


def test_failed_save_keeps_old_file(tmp_path, monkeypatch):
    p = make_project(tmp_path)
    path = save_project(p, tmp_path / "p.hygis")
    before = path.read_bytes()
    p.title = "changed"
    import hygis.project.fileformat as pf

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pf, "_write_layers", boom)
    with pytest.raises(HygisError, match="disk is full"):
        save_project(p, path)
    assert path.read_bytes() == before
    assert [f.name for f in tmp_path.iterdir() if "saving" in f.name] == []
    assert open_project(path).title == "杭甬双城记"


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_target(tmp_path):
    p = make_project(tmp_path)
    path = save_project(p, tmp_path / "p.hygis")
    os.chmod(path, 0o444)
    with pytest.raises(HygisError, match="read-only"):
        save_project(p, path)
