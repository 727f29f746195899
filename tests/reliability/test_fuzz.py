"""Fuzzing the project file and the import path: whatever the bytes, only HygisError escapes."""

from __future__ import annotations

import copy
import json
import math
import shutil
import sqlite3
import warnings

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hygis.core.errors import HygisError
from hygis.project.fileformat import PROJECT_TABLE, open_project, read_project_json, save_project
from tests.reliability.helpers import small_project

FUZZ = settings(max_examples=250, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# JSON values a hostile or damaged file could hold: wrong types, NaN/inf, huge numbers and strings,
# nested containers, SQL and path text
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(['"; DROP TABLE gpkg_contents; --', "../../../../etc/passwd", "/etc/hostname", "sqlite_master",
                     "hygis_project", "gpkg_contents", "rtree_corridor_geom", "raster", "corridor", "enclave",
                     "__import__('os').system('id')", "#ff0000", "x" * 600, "", "raster", "single", "categorized"]),
)
VALUES = st.recursive(SCALARS, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                       st.dictionaries(st.text(max_size=8), kids, max_size=4)),
                      max_leaves=12)


SPECIAL_FLOATS = st.sampled_from([float("nan"), float("inf"), -float("inf"), 1e308, -1e308, -1.0, 0.0, 2**63, 1e-320])


def _similar(value):
    """Values shaped like ``value`` but hostile: special numbers, hostile text, resized lists."""
    if isinstance(value, bool) or value is None:
        return VALUES
    if isinstance(value, (int, float)):
        return st.one_of(SPECIAL_FLOATS, st.integers(-2**70, 2**70), VALUES)
    if isinstance(value, str):
        return st.one_of(SCALARS, st.just(value * 1000))
    if isinstance(value, list):
        return st.one_of(st.lists(SPECIAL_FLOATS, min_size=len(value), max_size=len(value)),
                         st.just(value[:-1]), st.just(value * 3), VALUES)
    return st.one_of(st.dictionaries(st.text(max_size=8), VALUES, max_size=3), VALUES)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    from hygis.layers.style import Style
    from hygis.project.scenarios import capture
    from hygis.project.targets import PlanTarget

    project = small_project()
    project.layers["飞地"].style = Style(mode="categorized", field="host_city", categories={"杭州市": "#ff0000"})
    project.layers["飞地"].filter = "year_opened <= 2020"
    project.extent = (119.5, 29.5, 122.0, 30.8)
    project.scenarios.add(capture(project, "现状 2020", title="现状", year=2020, notes="讲稿"))
    project.set_targets([PlanTarget("enclaves", "互设飞地数量", "Enclaves", unit="个", target=50, computed="enclave_count")])
    path = save_project(project, tmp_path_factory.mktemp("fuzz") / "base.hygis")
    with sqlite3.connect(path) as con:
        doc = json.loads(con.execute(f"SELECT value FROM {PROJECT_TABLE} WHERE key='project'").fetchone()[0])
    return path, doc


def _paths(node, prefix=()):
    """Every (path) inside a JSON document, containers included."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


def _replace(doc, path, value, delete=False):
    if not path:
        return value
    doc = copy.deepcopy(doc)
    node = doc
    for k in path[:-1]:
        node = node[k]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


def _write(base_path, tmp_path, text) -> object:
    target = tmp_path / "fuzzed.hygis"
    shutil.copyfile(base_path, target)
    with sqlite3.connect(target) as con:
        con.execute(f"UPDATE {PROJECT_TABLE} SET value = ? WHERE key = 'project'", (text,))
    con.close()
    return target


def _open_only_hygis_error(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            project = open_project(path)
        except HygisError as exc:
            assert str(exc) and "\n" not in str(exc)
            return None
    # accepted: the values a project holds are sane
    for layer in project.layers:
        assert 0.0 <= layer.opacity <= 1.0 and 1 <= len(layer.name) <= 200
    assert project.extent is None or all(math.isfinite(v) for v in project.extent)
    return project


@FUZZ
@given(data=st.data())
def test_open_project_survives_any_value_anywhere(base, tmp_path, data):
    base_path, doc = base
    paths = list(_paths(doc))
    path = data.draw(st.sampled_from(paths), label="path")
    if path and data.draw(st.booleans(), label="delete"):
        new = _replace(doc, path, None, delete=True)
    else:
        old = doc
        for k in path:
            old = old[k]
        new = _replace(doc, path, data.draw(_similar(old), label="value"))
    target = _write(base_path, tmp_path, json.dumps(new, allow_nan=True))
    event("opened" if _open_only_hygis_error(target) is not None else "refused")


@FUZZ
@given(data=st.data())
def test_open_project_survives_damaged_json_text(base, tmp_path, data):
    base_path, doc = base
    text = json.dumps(doc, ensure_ascii=False)
    cut = data.draw(st.integers(0, len(text)), label="position")
    mode = data.draw(st.sampled_from(["truncate", "insert", "delete", "flip"]), label="mode")
    junk = data.draw(st.text(min_size=1, max_size=5), label="junk")
    text = {"truncate": text[:cut], "insert": text[:cut] + junk + text[cut:],
            "delete": text[:cut] + text[cut + len(junk):], "flip": text[:cut] + junk + text[cut + len(junk):]}[mode]
    target = _write(base_path, tmp_path, text)
    _open_only_hygis_error(target)
    try:
        read_project_json(target)
    except HygisError:
        pass


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(position=st.integers(0, 10**9), length=st.integers(1, 64), byte=st.integers(0, 255))
def test_open_project_survives_damaged_file_bytes(base, tmp_path, position, length, byte):
    base_path, _ = base
    data = bytearray(base_path.read_bytes())
    position %= len(data)
    data[position:position + length] = bytes([byte]) * len(data[position:position + length])
    target = tmp_path / "damaged.hygis"
    target.write_bytes(bytes(data))
    _open_only_hygis_error(target)


# -- import path ----------------------------------------------------------------------------------
def _load_layers():
    io = pytest.importorskip("hygis.io", reason="hygis.io (the I/O helper's load_layers) is not there yet")
    if not hasattr(io, "load_layers"):
        pytest.skip("hygis.io.load_layers is not there yet")
    return io.load_layers


COORD = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**20, 10**20),
                  st.sampled_from([120.1, 30.2, 1e300, -1e300, 0.0]), st.text(max_size=3), st.none())
GEOMETRY = st.one_of(
    st.none(),
    st.fixed_dictionaries({"type": st.sampled_from(["Point", "LineString", "Polygon", "MultiPolygon", "Circle",
                                                    "GeometryCollection", ""]),
                           "coordinates": st.recursive(COORD, lambda k: st.lists(k, max_size=5), max_leaves=20)}),
    VALUES,
)
FEATURE = st.one_of(st.fixed_dictionaries({"type": st.just("Feature"),
                                           "properties": st.one_of(st.none(), st.dictionaries(st.text(max_size=6), SCALARS, max_size=3)),
                                           "geometry": GEOMETRY}), VALUES)


@FUZZ
@given(features=st.lists(FEATURE, max_size=4), wrapper=st.sampled_from(["collection", "bare", "junk"]))
def test_load_layers_survives_hostile_geojson(tmp_path, features, wrapper):
    load_layers = _load_layers()
    if wrapper == "collection":
        doc = {"type": "FeatureCollection", "features": features}
    elif wrapper == "bare":
        doc = features[0] if features else {}
    else:
        doc = {"type": "FeatureCollection", "features": {"oops": features}}
    path = tmp_path / "fuzz.geojson"
    path.write_text(json.dumps(doc, allow_nan=True), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            layers = load_layers(path)
        except HygisError as exc:
            assert str(exc)
            return
    for layer in layers:  # accepted: only finite, valid geometries got in
        data = getattr(layer, "data", None)
        if data is not None and len(data):
            geoms = data.geometry.dropna()
            assert geoms.is_valid.all()
            geoms = geoms[~geoms.is_empty]
            if not len(geoms):
                continue
            b = geoms.total_bounds
            assert all(math.isfinite(v) for v in b) and -180 <= b[0] <= b[2] <= 180 and -90 <= b[1] <= b[3] <= 90
