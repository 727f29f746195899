""".hygis files as other GIS see them (issue 11): Debian's GDAL 3.6 and QGIS 3.22 open them by
their path, GDAL's validator finds nothing, QGIS draws every layer with hygis' style (from the
file's ``layer_styles`` table), and a style a QGIS user stores there comes back into hygis.

The tests run the real programs: ``ogrinfo`` and ``validate_gpkg.py`` from gdal-bin, and QGIS
through ``tools/qgis_render.py`` under the Python that has python3-qgis (``/usr/bin/python3``;
``HYGIS_QGIS_PYTHON`` overrides).  They skip, saying so, where those are not installed.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import numpy as np
import pytest

from hygis.layers.expressions import evaluate_filter
from hygis.layers.schema import value_label
from hygis.layers.style import Style, illustrative_mask, parse_color
from hygis.project.commands import AddLayer
from hygis.project.fileformat import open_project, save_project
from hygis.project.qgis_style import layer_qml, style_from_qml
from tests.reliability.helpers import point_layer, small_project
from tests.reliability.test_project_sharing import add_foreign_content, foreign_state

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_projects" / "hangzhou_ningbo.hygis"
QGIS_PYTHON = os.environ.get("HYGIS_QGIS_PYTHON", "/usr/bin/python3")
VALIDATOR = next((p for p in (Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"),
                              Path("/usr/share/doc/gdal-bin/examples/validate_gpkg.py")) if p.exists()), None)


def _has_qgis() -> bool:
    try:
        return subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


needs_ogrinfo = pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="ogrinfo not installed (apt-get install gdal-bin)")
needs_validator = pytest.mark.skipif(VALIDATOR is None or not Path(QGIS_PYTHON).exists(),
                                     reason="GDAL's validate_gpkg.py not installed (apt-get install gdal-bin python3-gdal)")
needs_qgis = pytest.mark.skipif(not _has_qgis(), reason=f"QGIS not installed for {QGIS_PYTHON} (apt-get install python3-qgis)")


def _env():
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": ""}


def qgis_report(path: Path) -> dict:
    out = subprocess.run([QGIS_PYTHON, str(ROOT / "tools" / "qgis_render.py"), str(path), "--report"],
                         capture_output=True, text=True, env=_env(), timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return {row["table"]: row for row in json.loads(out.stdout)["layers"]}


@pytest.fixture
def rich_project(tmp_path):
    """Every geometry family, a filter, categorized/graduated/single styles, a hatch."""
    project = open_project(SAMPLE)
    ftz = project.layers["自贸片区"]
    ftz.style = ftz.style.copy(mode="graduated", field="area_km2", classes=3, ramp="blues")
    enclaves = project.layers["飞地"]
    enclaves.filter = "year_opened <= 2020 and status == 'operating'"
    # NOT of a comparison with a missing year is true in hygis (the 6 hubs without a year stay)
    project.layers["四港联动"].filter = "NOT year BETWEEN 2000 AND 2015"
    project.layers["运河遗产"].filter = "NOT name LIKE '%桥%' AND lower(heritage_level) = 'world'"
    project.execute(AddLayer(project, point_layer(3, "Name with 'quote\" | bar")))
    return save_project(project, tmp_path / "规划 项目.hygis")


# -- GDAL -------------------------------------------------------------------------------------------
@needs_ogrinfo
@pytest.mark.parametrize("which", ["sample", "rich"])
def test_debian_ogrinfo_opens_the_hygis_by_its_path(which, rich_project):
    path = SAMPLE if which == "sample" else rich_project
    out = subprocess.run(["ogrinfo", "-ro", "-q", str(path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    listed = [line.split(":", 1)[1].rsplit("(", 1)[0].strip() for line in out.stdout.splitlines() if ":" in line]
    # tables are the layer names ('|', QGIS' URI separator, becomes '_')
    assert [n.replace("|", "_") for n in open_project(path).layers.names] == [
        n for n in listed if not n.startswith(("hygis_", "layer_styles"))]
    detail = subprocess.run(["ogrinfo", "-ro", "-so", str(path), "飞地"], capture_output=True, text=True, timeout=120)
    assert "Feature Count: 34" in detail.stdout and "FID Column = fid" in detail.stdout
    assert "\nfid:" not in detail.stdout  # no second, 0-based fid column beside the FID


@needs_validator
@pytest.mark.parametrize("which", ["sample", "rich", "with foreign content, saved twice"])
def test_gdal_validator_finds_nothing(which, rich_project, tmp_path):
    path = SAMPLE if which == "sample" else rich_project
    if which.startswith("with foreign"):
        add_foreign_content(path)
        before = foreign_state(path)
        project = open_project(path)
        project.title = "改"
        save_project(project)
        save_project(project)
        assert foreign_state(path) == before
    # validate_gpkg.py's Req 3 is the .gpkg file name, which a .hygis breaks on purpose: check the rest
    alias = tmp_path / "check.gpkg"
    alias.symlink_to(path)
    out = subprocess.run([QGIS_PYTHON, str(VALIDATOR), "-k", str(alias)], capture_output=True, text=True,
                         env=_env(), timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "", out.stdout + out.stderr


# -- QGIS -------------------------------------------------------------------------------------------
@needs_qgis
def test_qgis_opens_every_layer_with_hygis_style(rich_project):
    project = open_project(rich_project)
    report = qgis_report(rich_project)
    con = sqlite3.connect(rich_project)
    tables = dict(con.execute("SELECT value FROM hygis_project").fetchone() and
                  [(e["id"], e["table"]) for e in json.loads(con.execute("SELECT value FROM hygis_project").fetchone()[0])["layers"]])
    con.close()
    assert len(report) == len(project.layers)
    for layer in project.layers:
        row = report[tables[layer.id]]
        assert row["valid"] and row["features"] == layer.feature_count, row
        expected = {"single": "singleSymbol", "categorized": "categorizedSymbol", "graduated": "graduatedSymbol"}
        illustrative = bool(illustrative_mask(layer.data).any())  # drawn per feature: a rule-based style
        assert row["renderer"] == ("RuleRenderer" if illustrative else expected[layer.style.mode]), layer.name
        assert row["label_field"] == layer.style.label_field and row["labels"] == bool(layer.style.label_field)
        # the layer's filter: QGIS draws exactly the features hygis shows
        shown = layer.data.index[evaluate_filter(layer.data, layer.filter)]
        assert row["drawn"] == sorted(int(f) for f in shown), layer.name
        if layer.style.mode == "categorized" and illustrative:  # a rule per category, in hygis' colours
            plain = [rule for rule in row["rules"] if "示意" not in rule["label"]]
            assert [rule["label"] for rule in plain] == [value_label(v, "zh") for v in layer.style.categories]
            family = layer.geometry_type
            for rule, colour in zip(plain, layer.style.categories.values()):
                props = rule["symbol"][0][1]
                shown = props["line_color"] if family == "line" else props["color"]
                assert [int(c) for c in shown.split(",")[:3]] == list(parse_color(colour)[:3]), rule
        elif layer.style.mode == "categorized":
            assert row["field"] == layer.style.field
            assert [(v, lab) for v, lab, _ in row["categories"]] == [(v, value_label(v, "zh")) for v in layer.style.categories]
            for (_, _, argb), colour in zip(row["categories"], layer.style.categories.values()):
                r, g, b, a = parse_color(colour)
                assert argb.lower() == f"#{a:02x}{r:02x}{g:02x}{b:02x}"
        if layer.kind == "enclave":
            assert row["aliases"]["enclave_type"] == "类型"
    enclaves = report[tables[project.layers["飞地"].id]]
    assert 0 < len(enclaves["drawn"]) < 34  # the filter hides the planned and later enclaves


@needs_qgis
def test_qgis_renders_the_sample_project_in_hygis_colours(tmp_path):
    from PySide6.QtGui import QImage

    from tools.qgis_side_by_side import map_bounds

    project = open_project(SAMPLE)
    png = tmp_path / "qgis.png"
    size = (900, 640)
    out = subprocess.run([QGIS_PYTHON, str(ROOT / "tools" / "qgis_render.py"), str(SAMPLE), "--png", str(png),
                          "--bounds", ",".join(map(str, map_bounds(project, size))), "--size", "900x640"],
                         capture_output=True, text=True, env=_env(), timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    img = QImage(str(png)).convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.width(), 4)[:, :, 2::-1].astype(int)

    def count(colour, tol=12):
        r, g, b, _ = parse_color(colour)
        return int((np.abs(pixels - [r, g, b]).max(axis=2) <= tol).sum())

    style = project.layers["飞地"].style
    for value, colour in style.categories.items():  # enclave markers in their category colours
        assert count(colour) > 30, value
    coast = project.layers["生态海岸带"].style
    assert count(coast.categories["completed"]) > 30
    assert count("#dfeaf2") > 10_000  # the sea
    assert count("#000000", tol=40) < pixels.shape[0] * pixels.shape[1] * 0.05  # not a black or broken image


def _rgb(img) -> np.ndarray:
    from PySide6.QtGui import QImage

    img = img.convertToFormat(QImage.Format.Format_RGB32)
    return np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.width(), 4)[:, :, 2::-1].astype(int).copy()


@pytest.fixture(scope="module")
def hangzhou_renders(tmp_path_factory, qapp):
    """The sample project (saved by this hygis) around Hangzhou's corridors, drawn by hygis and by QGIS
    (from the file alone) over the same EPSG:4549 extent: (project, bounds, hygis RGB, QGIS RGB, report)."""
    from PySide6.QtGui import QImage

    from hygis.ui.render.mapdraw import render_project
    from tools.qgis_side_by_side import map_bounds

    folder = tmp_path_factory.mktemp("hangzhou")
    path = save_project(open_project(SAMPLE), folder / "sample.hygis")
    project = open_project(path)
    corridors = project.layers["科创走廊"].data
    hangzhou = corridors[corridors["name"].isin(["城西科创大走廊", "城东智造大走廊"])]
    project.extent = tuple(hangzhou.total_bounds)
    size = (900, 560)
    bounds = map_bounds(project, size)
    mine = render_project(project, size, project.extent, legend=False, scalebar=False, north_arrow=False)
    png = folder / "qgis.png"
    out = subprocess.run([QGIS_PYTHON, str(ROOT / "tools" / "qgis_render.py"), str(path), "--png", str(png),
                          "--bounds", ",".join(map(str, bounds)), "--size", f"{size[0]}x{size[1]}"],
                         capture_output=True, text=True, env=_env(), timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return project, bounds, _rgb(mine), _rgb(QImage(str(png))), qgis_report(path)


def _inside(pixels, bounds, geom, inset_m: float) -> np.ndarray:
    """The RGB pixels whose centres lie inside ``geom`` (WGS84) shrunk by ``inset_m`` metres."""
    import shapely

    from hygis.geo import crs as hcrs

    shape = shapely.buffer(hcrs.project_geoms(np.array([geom]), hcrs.WGS84, "EPSG:4549")[0], -inset_m)
    h, w = pixels.shape[:2]
    x0, y0, x1, y1 = bounds
    xs, ys = np.meshgrid(x0 + (np.arange(w) + 0.5) * (x1 - x0) / w, y1 - (np.arange(h) + 0.5) * (y1 - y0) / h)
    return pixels[shapely.contains_xy(shape, xs, ys)]


@needs_qgis
def test_qgis_draws_illustrative_features_dashed_and_hatched_like_hygis(hangzhou_renders):
    project, bounds, mine, theirs, report = hangzhou_renders
    layer = project.layers["科创走廊"]
    rules = report["科创走廊"]["rules"]
    assert report["科创走廊"]["renderer"] == "RuleRenderer"
    marked = [rule for rule in rules if "示意" in rule["label"]]
    assert len(marked) == 1 and "\"data_status\" = 'illustrative'" in marked[0]["filter"]
    (_, outline), (_, hatch) = marked[0]["symbol"]
    assert outline["outline_style"] == "dash" and hatch["style"] == "b_diagonal"
    assert all(len(rule["symbol"]) == 1 and rule["symbol"][0][1]["outline_style"] == "solid"
               for rule in rules if rule not in marked)
    # pixels: the illustrative 城东智造大走廊 shows the hatch lines (stroke colour), the sourced 城西 is evenly filled
    shapes = layer.data.set_index("name").geometry
    r, g, b, _ = parse_color(layer.style.stroke)
    for name, image in (("hygis", mine), ("QGIS", theirs)):
        def hatched(corridor):
            px = _inside(image, bounds, shapes[corridor], 800)
            assert len(px) > 500, (name, corridor)
            return float((np.abs(px - [r, g, b]).max(axis=1) <= 40).mean())

        assert hatched("城东智造大走廊") > 0.06, name
        assert hatched("城西科创大走廊") < 0.02, name


@needs_qgis
def test_qgis_draws_one_chengxi_corridor_like_hygis(hangzhou_renders):
    """The 2016 城西 corridor is superseded: the layer filter hides it in hygis and in QGIS."""
    project, bounds, mine, theirs, report = hangzhou_renders
    data = project.layers["科创走廊"].data
    drawn = data.loc[report["科创走廊"]["drawn"], "name"]
    assert [n for n in drawn if n.startswith("城西")] == ["城西科创大走廊"]
    # the 2016 scope lies inside the 2021 one: drawn twice it would show a deeper orange there
    old, new = data.set_index("name").geometry[["城西科创大走廊(2016版)", "城西科创大走廊"]]
    for name, image in (("hygis", mine), ("QGIS", theirs)):
        both = np.median(_inside(image, bounds, old, 800), axis=0)
        only_new = np.median(_inside(image, bounds, new.difference(old.buffer(0.01)), 500), axis=0)
        assert np.abs(both - only_new).max() <= 10, (name, both, only_new)


def test_hygis_rule_based_qml_and_sld_read_back_and_carry_the_filter():
    """Without QGIS: the QML's rules read back as the style; the SLD's rules are OGC filters of the same features."""
    import xml.etree.ElementTree as ET

    from hygis.project.qgis_sld import layer_sld

    project = open_project(SAMPLE)
    for layer in project.layers:
        back, _ = style_from_qml(layer_qml(layer), Style(), layer.geometry_type)
        keys = ("mode", "field", "categories") if layer.style.mode != "single" else ("fill", "stroke", "hatch")
        assert all(getattr(back, k) == getattr(layer.style, k) for k in keys), layer.name
    ogc = "{http://www.opengis.net/ogc}"
    corridors = project.layers["科创走廊"]
    root = ET.fromstring(layer_sld(corridors).split("\n", 1)[1])
    rules = root.findall(".//{http://www.opengis.net/se}Rule")
    filters = [rule.find(f"{ogc}Filter") for rule in rules]
    marked = [f for f in filters if f is not None and any(
        e.text == "illustrative" for e in f.iter(f"{ogc}Literal")) and f.find(f".//{ogc}Not") is None]
    assert len(marked) == 1  # the illustrative rule: dashed, hatched
    assert all(f.find(f".//{ogc}PropertyIsNull/{ogc}PropertyName").text == "superseded" for f in filters if f is not None)


@needs_qgis
def test_qgis_loads_the_sld_with_the_same_rules(tmp_path):
    path = save_project(open_project(SAMPLE), tmp_path / "sample.hygis")
    project = open_project(path)
    out = subprocess.run([QGIS_PYTHON, str(ROOT / "tools" / "qgis_render.py"), str(path), "--report", "--sld"],
                         capture_output=True, text=True, env=_env(), timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    report = {row["table"]: row for row in json.loads(out.stdout)["layers"]}
    for layer in project.layers:
        row = report[layer.name.replace("|", "_")]
        assert row["sld_error"] == "", (layer.name, row["sld_error"])
        shown = layer.data.index[evaluate_filter(layer.data, layer.filter)]
        assert row["drawn"] == sorted(int(f) for f in shown), layer.name  # the filter travels in the SLD too
        marked = [rule for rule in row.get("rules", []) if "示意" in rule["label"]]
        if not illustrative_mask(layer.data).any():
            assert not marked, layer.name
            continue
        assert marked, layer.name
        for rule in marked:
            props = rule["symbol"][0][1]
            dashed = "dash" in (props.get("outline_style"), props.get("line_style")) or props.get("use_custom_dash") == "1"
            assert dashed, (layer.name, rule)
            if layer.geometry_type == "polygon":
                assert [p["style"] for _, p in rule["symbol"]][-1] == "b_diagonal", (layer.name, rule)


@needs_qgis
def test_a_style_saved_in_qgis_comes_back_into_hygis(tmp_path):
    path = shutil.copyfile(SAMPLE, tmp_path / "p.hygis")
    script = (
        "import sys\n"
        "from qgis.core import *\n"
        "from qgis.PyQt.QtGui import QColor\n"
        "app = QgsApplication([], False); app.initQgis()\n"
        "lyr = QgsVectorLayer(sys.argv[1] + '|layername=飞地', '飞地', 'ogr')\n"
        "cats = [QgsRendererCategory('operating', QgsMarkerSymbol.createSimple({'color': '0,128,0,255', 'name': 'square',"
        " 'size': '3'}), '运营中'), QgsRendererCategory('planned', QgsMarkerSymbol.createSimple({'color': '255,165,0,255',"
        " 'name': 'square', 'size': '3'}), '规划')]\n"
        "lyr.setRenderer(QgsCategorizedSymbolRenderer('status', cats))\n"
        "s = QgsPalLayerSettings(); s.fieldName = 'host_city'; s.enabled = True\n"
        "tf = QgsTextFormat(); tf.setSize(12); tf.setColor(QColor('#0000ff')); s.setFormat(tf)\n"
        "lyr.setLabeling(QgsVectorLayerSimpleLabeling(s)); lyr.setLabelsEnabled(True); lyr.setOpacity(0.8)\n"
        "lyr.saveStyleToDatabase('我的样式', 'saved in QGIS', True, '')\n")
    out = subprocess.run([QGIS_PYTHON, "-c", script, str(path)], capture_output=True, text=True, env=_env(), timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    layer = open_project(path).layers["飞地"]
    assert layer.style.mode == "categorized" and layer.style.field == "status"
    assert layer.style.categories == {"operating": "#008000", "planned": "#ffa500"}
    assert layer.style.marker == "square" and layer.style.size == pytest.approx(3 * 96 / 25.4)
    assert (layer.style.label_field, layer.style.label_size, layer.style.label_color) == ("host_city", 12.0, "#0000ff")
    assert layer.opacity == pytest.approx(0.8)
    # hygis saves it as its own default style; the QGIS user's row stays, no longer the default
    project = open_project(path)
    save_project(project)
    report = qgis_report(path)
    plain = [rule for rule in report["飞地"]["rules"] if "示意" not in rule["label"]]  # illustrative enclaves: rules
    assert [(rule["label"], rule["filter"].split(" AND ")[0]) for rule in plain] == [
        ("已运营", "((\"status\" = 'operating')"), ("规划中", "((\"status\" = 'planned')")]
    con = sqlite3.connect(path)
    rows = con.execute("SELECT styleName, useAsDefault, owner FROM layer_styles WHERE f_table_name = '飞地' "
                       "ORDER BY id").fetchall()
    con.close()
    assert ("我的样式", 0, "") in rows and rows[-1] == ("飞地", 1, "hygis")


# -- without QGIS: the same reader on a style QGIS 3.22 wrote ------------------------------------------
def test_style_stored_by_qgis_3_22_is_read_back():
    qml = (ROOT / "tests" / "data" / "qgis" / "enclave_style_qgis_3_22.qml").read_text(encoding="utf-8")
    style, opacity = style_from_qml(qml, Style(), "point")
    assert style.mode == "categorized" and style.field == "status"
    assert style.categories == {"operating": "#008000", "planned": "#ffa500"}
    assert style.marker == "square" and style.stroke == "#000000"
    assert (style.label_field, style.label_size, style.label_color) == ("host_city", 12.0, "#0000ff")
    assert opacity == pytest.approx(0.8)


def test_hygis_qml_reads_back_as_the_same_style():
    project = small_project()
    for layer in project.layers:
        for style in (layer.style, layer.style.copy(mode="single", hatch="cross", dash="dashdot", label_field=None)):
            layer.style = style
            back, opacity = style_from_qml(layer_qml(layer), Style(), layer.geometry_type)
            keys = ("mode", "marker", "label_field", "stroke") + (("field", "categories") if style.mode != "single" else ("fill",))
            keys += ("hatch",) if layer.geometry_type == "polygon" and style.mode == "single" else ()
            keys += ("dash",) if layer.geometry_type != "point" else ()  # markers have a plain outline
            for key in keys:
                assert getattr(back, key) == getattr(style, key), key
            assert back.size == pytest.approx(style.size) and opacity == layer.opacity


def test_a_damaged_or_hostile_qgis_style_is_ignored(tmp_path):
    path = save_project(small_project(), tmp_path / "p.hygis")
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE layer_styles SET styleQML = ? WHERE f_table_name = '飞地'",
                    ('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><qgis>&b;</qgis',))
        con.execute("UPDATE layer_styles SET styleQML = 'not xml' WHERE f_table_name = '科创走廊'")
    con.close()
    project = open_project(path)
    assert project.layers["飞地"].style == small_project().layers["飞地"].style


def test_a_raster_layer_exports_to_the_geotiff_it_was_imported_from(tmp_path):
    import sys

    import rasterio
    from rasterio.transform import from_origin

    dem = tmp_path / "dem.tif"
    with rasterio.open(dem, "w", driver="GTiff", width=16, height=8, count=1, dtype="float32", crs="EPSG:4549",
                       transform=from_origin(500_000, 3_300_000, 100, 100)) as ds:
        ds.write(np.linspace(0, 1, 128, dtype="float32").reshape(1, 8, 16))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = lambda *a: subprocess.run([sys.executable, "-m", "hygis", *map(str, a)], capture_output=True, text=True,  # noqa: E731
                                    env=env, cwd=tmp_path, timeout=120)
    assert run("import", tmp_path / "p.hygis", dem, "--create", "--name", "高程").returncode == 0
    out = run("export", tmp_path / "p.hygis", "高程", tmp_path / "out.tif")
    assert out.returncode == 0 and "exported raster '高程' (16×8)" in out.stdout, out.stderr
    assert (tmp_path / "out.tif").read_bytes() == dem.read_bytes()
    with rasterio.open(tmp_path / "out.tif") as ds:
        assert ds.crs.to_epsg() == 4549 and ds.bounds.left == 500_000
    bad = run("export", tmp_path / "p.hygis", "高程", tmp_path / "out.geojson")
    assert bad.returncode == 1 and bad.stderr.strip() == "hygis: error: out.geojson: raster layer '高程' exports to GeoTIFF (.tif)"


def _old_format_file(path: Path) -> Path:
    """A project as hygis wrote it before GeoPackage 1.2: a 1.4 header, tables named after the
    kind, feature ids in a 'fid' column beside the 'ogc_fid' FID, a leftover hygis_init row."""
    import warnings

    import pyogrio

    project = small_project()
    tables = {}
    for layer in project.layers:
        table = layer.kind
        tables[layer.id] = table
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pyogrio.write_dataframe(layer.data.reset_index(), path, layer=table, driver="GPKG",
                                    dataset_options={"VERSION": "1.4"},
                                    layer_options={"IDENTIFIER": layer.name, "FID": "ogc_fid"})
    from hygis.project.fileformat import project_to_dict

    con = sqlite3.connect(path)
    with con:
        con.execute("CREATE TABLE hygis_project (id INTEGER PRIMARY KEY, key TEXT UNIQUE, value TEXT)")
        con.execute("INSERT INTO hygis_project (key, value) VALUES ('project', ?)",
                    (json.dumps(project_to_dict(project, tables), ensure_ascii=False),))
        con.execute("CREATE TABLE hygis_rasters (table_name TEXT PRIMARY KEY, name TEXT, data BLOB)")
        con.execute("INSERT INTO gpkg_extensions VALUES ('hygis_init', 'geom', 'gpkg_rtree_index', "
                    "'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')")
    con.close()
    return path


@needs_validator
def test_a_file_of_the_previous_format_opens_and_is_upgraded_by_a_save(tmp_path):
    path = _old_format_file(tmp_path / "old.hygis")
    project = open_project(path)
    assert {layer.name: list(layer.data.index) for layer in project.layers} == {"科创走廊": [0, 1, 2, 3, 4],
                                                                                  "飞地": [0, 1, 2, 3]}
    save_project(project)
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == 10200
    assert {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")} == {"科创走廊", "飞地"}
    con.close()
    alias = tmp_path / "check.gpkg"
    alias.symlink_to(path)
    out = subprocess.run([QGIS_PYTHON, str(VALIDATOR), "-k", str(alias)], capture_output=True, text=True,
                         env=_env(), timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "", out.stdout + out.stderr
    assert [len(layer.data) for layer in open_project(path).layers] == [5, 4]
