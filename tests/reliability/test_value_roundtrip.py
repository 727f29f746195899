"""Property test (issue 16, exact values): random columns of 64-bit integers (nulls, ±(2**63-1)),
floats (any finite double), dates and text survive a project save/reopen and an export/import
through every format that has the type -- values equal, integer columns stay integer (nullable
``Int64`` when they hold nulls), dates stay dates."""

from __future__ import annotations

import datetime
import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hygis.io import export_layer, load_layers
from hygis.layers.vector import VectorLayer
from hygis.project import Project
from hygis.project.commands import AddLayer
from hygis.project.fileformat import open_project, save_project

ROUND_TRIP = settings(max_examples=30, deadline=None, database=None, derandomize=True,
                      suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
I64 = (-2**63, 2**63 - 1)
#: Which columns each format can hold exactly (a shapefile: no doubles, integers of at most 18 characters).
FORMATS = {".gpkg": {"i", "f", "d", "t"}, ".geojson": {"i", "f", "d", "t"}, ".csv": {"i", "f", "t"},
           ".fgb": {"i", "f", "d", "t"}, ".parquet": {"i", "f", "d", "t"}, ".shp": {"s", "d", "t"}}

#: Formats without a schema: a column of nulls alone cannot say which type it had.
UNTYPED = (".geojson", ".csv")

ints = st.one_of(st.integers(*I64), st.sampled_from([I64[0], I64[1], 2**53 + 1, 2**53, -1, 0]))
floats = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from([5e-324, -1.7976931348623157e308, 0.1])
dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2200, 12, 31))
# Text always holds a letter: a CSV has no types, so a column of digits alone comes back as numbers
# (by design); no control characters (not text a user types), no surrogates (not Unicode text).
letters = st.characters(categories=["L", "N", "P", "S", "Zs"])
texts = st.builds(lambda a, b: a + b, st.sampled_from(["甲", "b", "Ω", "名"]), st.text(letters, max_size=12))


@st.composite
def tables(draw):
    n = draw(st.integers(1, 6))
    col = lambda values: draw(st.lists(st.none() | values, min_size=n, max_size=n))  # noqa: E731
    return {"i": col(ints), "s": col(st.integers(-(10**17 - 1), 10**18 - 1)), "f": col(floats), "d": col(dates),
            "t": col(texts)}, n


def _layer(cols: dict, n: int) -> VectorLayer:
    frame = {"i": pd.array(cols["i"], dtype="Int64"), "s": pd.array(cols["s"], dtype="Int64"),
             "f": pd.array([np.nan if v is None else v for v in cols["f"]], dtype="float64"),
             "d": pd.to_datetime(pd.Series(cols["d"], dtype=object)), "t": pd.Series(cols["t"], dtype=object)}
    geoms = shapely.points(120.0 + 0.01 * np.arange(n), 30.0 + 0.01 * np.arange(n))
    return VectorLayer("值", gpd.GeoDataFrame(frame, geometry=geoms, crs=4326))


def _check(back: pd.DataFrame, cols: dict, kinds: set, where: str) -> None:
    for c in kinds:
        got, want = back[c], cols[c]
        if where in UNTYPED and all(v is None for v in want):  # no value tells the type: only nulls must stay
            assert got.isna().all() or (where == ".csv" and c == "t"), (where, c)
            continue
        if c in ("i", "s"):
            assert pd.api.types.is_integer_dtype(got), (where, c, got.dtype)
            if any(v is None for v in want):
                assert str(got.dtype) == "Int64", (where, c, got.dtype)
            assert [None if pd.isna(v) else int(v) for v in got] == want, (where, c)
        elif c == "f":
            assert got.dtype == np.float64, (where, got.dtype)
            values = [None if math.isnan(v) else v for v in got.tolist()]
            assert values == want, where  # bit for bit: == on doubles (and -0.0 == 0.0)
            assert [math.copysign(1, v) for v in values if v is not None] == \
                   [math.copysign(1, v) for v in want if v is not None], (where, "sign of zero")
        elif c == "d":
            assert pd.api.types.is_datetime64_any_dtype(got) or got.map(
                lambda v: v is None or isinstance(v, datetime.date)).all(), (where, got.dtype)
            assert [None if pd.isna(v) else pd.Timestamp(v).date() for v in got] == want, where
        else:
            values = [None if v is None or (not isinstance(v, str) and pd.isna(v)) else v for v in got]
            if where == ".csv":  # a CSV cell cannot tell an empty text from no value
                want = [v or None for v in want]
            assert values == want, where


@ROUND_TRIP
@given(tables())
def test_values_survive_project_save_and_every_export_format(tmp_path_factory, table):
    cols, n = table
    folder = tmp_path_factory.mktemp("values")
    layer = _layer(cols, n)
    project = Project("值")
    project.execute(AddLayer(project, layer))
    save_project(project, folder / "p.hygis")
    reopened = open_project(folder / "p.hygis").layers[0].data
    _check(reopened, cols, {"i", "s", "f", "d", "t"}, ".hygis")
    for ext, kinds in FORMATS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = export_layer(layer, folder / f"out{ext}", allow_truncate=False)
            back, = load_layers(out)
        assert back.feature_count == n, ext
        _check(back.data, cols, kinds, ext)


@pytest.mark.parametrize("ext", [".gpkg", ".geojson", ".csv", ".fgb", ".parquet", ".shp"])
def test_int64_extremes_and_nulls_keep_their_dtype(tmp_path, ext):
    """The reported case by hand: two codes float64 makes equal, a null, the int64 limits."""
    # a shapefile holds what fits 18 characters: GDAL reads wider integer fields as decimals (reported)
    values = [2**53 + 1, 2**53, None] + ([I64[0], I64[1]] if ext != ".shp" else [10**18 - 1, -(10**17 - 1)])
    layer = VectorLayer("codes", gpd.GeoDataFrame({"code": pd.array(values, dtype="Int64")},
                                                  geometry=shapely.points(np.arange(5) + 120.0, 30.0), crs=4326))
    project = Project("codes")
    project.execute(AddLayer(project, layer))
    save_project(project, tmp_path / "p.hygis")
    again = open_project(tmp_path / "p.hygis").layers[0].data["code"]
    assert str(again.dtype) == "Int64" and [None if pd.isna(v) else int(v) for v in again] == values
    report = []
    back, = load_layers(export_layer(layer, tmp_path / f"codes{ext}", report=report))
    assert not any("19 characters" in line for line in report)
    assert str(back.data["code"].dtype) == "Int64"
    assert [None if pd.isna(v) else int(v) for v in back.data["code"]] == values


def test_shapefile_reports_integers_too_wide_for_other_tools(tmp_path):
    layer = VectorLayer("codes", gpd.GeoDataFrame({"code": pd.array([-(10**17), 1], dtype="Int64")},
                                                  geometry=shapely.points([120.0, 121.0], 30.0), crs=4326))
    report = []
    export_layer(layer, tmp_path / "wide.shp", report=report)
    assert any("'code' holds integers 19 characters wide" in line for line in report)
