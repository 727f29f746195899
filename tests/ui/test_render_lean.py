"""The lean ``hygis render`` process: a plain data file is drawn without importing pandas, geopandas,
shapely or pyarrow (deferred, hygis.core.lazyimport), with the same picture as the full path;
attributes of flat layers read on first use give the same data and labels."""

import os
import subprocess
import sys
import types
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from PySide6.QtGui import QImage

from hygis.cli import main as cli_main
from hygis.core import lazyimport
from hygis.io.flatread import read_flat_layer
from hygis.layers.style import Style
from hygis.ui.render.bridge import RendererSet
from hygis.ui.render.mapdraw import render_layers
from hygis.ui.render.view import MapView

ROOT = Path(__file__).resolve().parents[2]
BOX = (120.0, 30.0, 120.4, 30.25)
# ``python -m hygis`` (the process is the command), reporting which deferred packages were really loaded
CHILD = ("import atexit, sys\n"
         "def report():\n"
         "    from hygis.core.lazyimport import loaded\n"
         "    sys.stderr.write('LOADED ' + ','.join(m for m in ('pandas', 'geopandas', 'shapely', 'pyarrow')"
         " if loaded(m)) + '\\n')\n"
         "atexit.register(report)\n"
         "import runpy\n"
         "sys.argv[0] = 'hygis'\n"
         "runpy.run_module('hygis', run_name='__main__', alter_sys=True)\n")


@pytest.fixture(autouse=True)
def app(qapp):
    return qapp


def _data(tmp_path) -> Path:
    rng = np.random.default_rng(7)
    n = 4000
    x, y = rng.uniform(BOX[0], BOX[2], n), rng.uniform(BOX[1], BOX[3], n)
    s = rng.uniform(0.0005, 0.01, n)
    geoms = shapely.box(x, y, x + s, y + s * 0.8)
    gdf = gpd.GeoDataFrame({"k": np.arange(n), "name": [f"地块{i}" for i in range(n)]}, geometry=geoms, crs=4326)
    path = tmp_path / "parcels.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="parcels")
    return path


def _pixels(img: QImage) -> np.ndarray:
    img = img.convertToFormat(QImage.Format.Format_ARGB32)
    return np.frombuffer(img.constBits(), np.uint32, count=img.width() * img.height()).reshape(
        img.height(), img.width()).copy()


def test_render_process_of_a_data_file_loads_no_pandas_and_draws_the_same_map(tmp_path):
    path = _data(tmp_path)
    lean, full = tmp_path / "lean.png", tmp_path / "full.png"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", CHILD, "render", str(path), "--out", str(lean), "--size", "480x300",
                           "--no-basemap", "--lang", "en"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    loaded = [line.split(" ", 1)[1] for line in done.stderr.splitlines() if line.startswith("LOADED")]
    assert loaded == [""], done.stderr  # none of pandas, geopandas, shapely, pyarrow
    # in this process (a test, not the command's own process) nothing is deferred: the full path
    assert cli_main(["render", str(path), "--out", str(full), "--size", "480x300", "--no-basemap", "--lang",
                     "en"]) == 0
    a, b = _pixels(QImage(str(lean))), _pixels(QImage(str(full)))
    assert a.shape == b.shape == (300, 480)
    assert len(np.unique(a)) > 3  # a map, not a blank image
    assert np.array_equal(a, b)


def test_attributes_read_on_first_use_are_the_attributes(tmp_path):
    path = _data(tmp_path)
    eager = read_flat_layer(path, "parcels", "parcels")
    lazy = read_flat_layer(path, "parcels", "parcels", lazy_attributes=True)
    assert lazy._attrs_frame is None  # not read yet
    assert lazy.fields == eager.fields == ["k", "name"]
    assert lazy.feature_count == eager.feature_count == 4000
    assert lazy.attributes.equals(eager.attributes)
    assert list(lazy.data["name"][:3]) == ["地块0", "地块1", "地块2"]
    assert shapely.equals(lazy.data.geometry.to_numpy(), eager.data.geometry.to_numpy()).all()


def test_labels_of_a_lazy_layer_are_drawn_as_from_an_eager_one(tmp_path):
    path = _data(tmp_path)
    style = Style(fill="#2ca25f", stroke="#35627a", width=1.0, label_field="name")
    layers = []
    for lazy in (False, True):
        layer = read_flat_layer(path, "parcels", "parcels", lazy_attributes=lazy)
        layer.style = style
        layers.append(layer)
    view = MapView.fit_wgs84((120.1, 30.05, 120.2, 30.12), 400, 260)
    a = _pixels(render_layers([layers[0]], view, RendererSet(), basemap=False))
    b = _pixels(render_layers([layers[1]], view, RendererSet(), basemap=False))
    assert np.array_equal(a, b)
    layers[1].style = Style(fill="#2ca25f", stroke="#35627a", width=1.0)
    unlabelled = _pixels(render_layers([layers[1]], view, RendererSet(), basemap=False))
    assert (unlabelled != b).sum() > 500  # the labels are there


def test_a_deferred_package_loads_on_first_use(tmp_path, monkeypatch):
    pkg = tmp_path / "h12r_deferred_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("LOADS = [1]\nVALUE = 42\n", encoding="utf-8")
    (pkg / "sub.py").write_text("from h12r_deferred_pkg import VALUE\nDOUBLE = 2 * VALUE\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "h12r_deferred_pkg", raising=False)
    monkeypatch.delitem(sys.modules, "h12r_deferred_pkg.sub", raising=False)
    assert lazyimport.defer("h12r_deferred_pkg", "no_such_package_h12r") == ["h12r_deferred_pkg"]
    import h12r_deferred_pkg as stand_in

    assert not lazyimport.loaded("h12r_deferred_pkg")
    assert isinstance(stand_in, types.ModuleType) and stand_in.__name__ == "h12r_deferred_pkg"
    assert stand_in.VALUE == 42  # first use: imported now
    assert lazyimport.loaded("h12r_deferred_pkg")
    from h12r_deferred_pkg.sub import DOUBLE

    assert DOUBLE == 84 and sys.modules["h12r_deferred_pkg"].LOADS is stand_in.LOADS  # one module, loaded once
