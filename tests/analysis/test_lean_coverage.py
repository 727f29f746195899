"""The lean ``hygis analyze coverage`` path (GeoPackages read with sqlite3, no pandas) prints what the
full path prints, and falls back to it for everything else."""

from __future__ import annotations

import os
import struct
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from hygis.analysis import coverage, lean_coverage, output
from hygis.cli import main


def squares(n, seed=0):
    rng = np.random.default_rng(seed)
    lon, lat = rng.uniform(120.0, 120.4, n), rng.uniform(30.0, 30.3, n)
    half = rng.uniform(0.005, 0.03, n)
    return shapely.box(lon - half, lat - half, lon + half, lat + half)


@pytest.fixture
def files(tmp_path):
    targets = gpd.GeoDataFrame({"cls": np.arange(300)}, geometry=squares(300), crs="EPSG:4326")
    cells = [shapely.box(120.0 + i * 0.1, 30.0 + j * 0.1, 120.1 + i * 0.1, 30.1 + j * 0.1)
             for i in range(4) for j in range(3)]
    names = ["西湖区", "上城区", "滨江区", "萧山区", "余杭区", "临平区"] * 2  # two cells per name
    zones = gpd.GeoDataFrame({"name": names, "code": np.arange(12)}, geometry=cells, crs="EPSG:4326")
    t, z = tmp_path / "targets.gpkg", tmp_path / "zones.gpkg"
    targets.to_file(t, layer="targets")
    zones.to_file(z, layer="zones")
    zones.to_crs("EPSG:32651").to_file(tmp_path / "zones_utm.gpkg", layer="zones")
    return t, z, targets, zones


@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
@pytest.mark.parametrize("by", [None, "code"])
def test_same_text_as_the_full_path(files, capsys, fmt, by):
    t, z, targets, zones = files
    argv = ["analyze", "coverage", str(t), "--zones", str(z), "--format", fmt] + (["--by", by] if by else [])
    assert main(argv) == 0
    printed = capsys.readouterr().out.rstrip("\n")
    expected = output.render_frame(coverage.coverage_by_zone(targets, zones, by=by), fmt)
    assert printed == expected


def test_projected_zones_and_constants(files, capsys, tmp_path):
    t, _, targets, zones = files
    assert main(["analyze", "coverage", str(t), "--zones", str(tmp_path / "zones_utm.gpkg"), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    got = {ln.split(",")[0]: float(ln.split(",")[2]) for ln in lines[1:]}
    want = coverage.coverage_by_zone(targets, zones.to_crs("EPSG:32651"))
    for name, km2 in zip(want["zone"], want["covered_area_km2"]):
        assert got[name] == pytest.approx(km2, rel=1e-9)
    assert lean_coverage.COLUMNS == coverage.COLUMNS and lean_coverage.TOTAL_LABEL == coverage.TOTAL_LABEL


def test_falls_back_for_other_inputs(files, tmp_path):
    t, z, targets, _ = files

    class Args:
        target, zones, layer, zones_layer, by = str(t), str(z), None, None, None
        weights, buffer, denominator, format = None, 0.0, "drawn", "csv"

    assert lean_coverage.coverage_text(Args) is not None
    for change in ({"buffer": 100.0}, {"weights": "code"}, {"denominator": "official"}, {"zones": "basemap:district"},
                   {"by": "missing_field"}, {"layer": "nope"}):
        args = type("A", (Args,), change)
        assert lean_coverage.coverage_text(args) is None, change
    lines = gpd.GeoDataFrame(geometry=shapely.linestrings([[(120, 30), (120.2, 30.1)]]), crs="EPSG:4326")
    lines.to_file(tmp_path / "lines.gpkg")
    assert lean_coverage.coverage_text(type("A", (Args,), {"target": str(tmp_path / "lines.gpkg")})) is None


def test_no_pandas_in_the_process(files):
    t, z, _, _ = files
    code = ("import sys; from hygis.cli import main; "
            f"rc = main(['analyze', 'coverage', {str(t)!r}, '--zones', {str(z)!r}, '--format', 'csv']); "
            "print(sorted(m for m in ('pandas', 'geopandas', 'pyogrio', 'pyarrow') if m in sys.modules)); "
            "raise SystemExit(rc)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_quick_exit_keeps_the_whole_output_and_the_log(files, tmp_path):
    """The script ends the lean coverage run without the interpreter's teardown: the printed table
    (to a file: block-buffered), the exit code and the log line must all be there."""
    t, z, targets, zones = files
    out = tmp_path / "out.csv"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # (stdout to a file: block-buffered)
    env["HYGIS_LOG_DIR"] = str(tmp_path / "logs")
    with open(out, "w") as fh:
        done = subprocess.run([sys.executable, "-m", "hygis", "analyze", "coverage", str(t), "--zones", str(z),
                               "--format", "csv"], stdout=fh, stderr=subprocess.PIPE, text=True, env=env)
    assert done.returncode == 0, done.stderr
    expected = output.render_frame(coverage.coverage_by_zone(targets, zones), "csv")
    assert out.read_text(encoding="utf-8").rstrip("\n") == expected
    log = (tmp_path / "logs" / "hygis.log").read_text(encoding="utf-8")
    assert "analyze coverage" in log
    # a refused input still gets its one line and exit code 1
    bad = subprocess.run([sys.executable, "-m", "hygis", "analyze", "coverage", str(tmp_path / "missing.gpkg"),
                          "--zones", str(z)], capture_output=True, text=True, env=env)
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr


def tiling(n, box, rng):
    """A planar tiling of ``box`` (lon/lat) by about n jittered quads sharing their vertices."""
    x0, y0, x1, y1 = box
    k = int(round(np.sqrt(n)))
    gx, gy = np.linspace(x0, x1, k + 1), np.linspace(y0, y1, k + 1)
    X, Y = np.meshgrid(gx, gy, indexing="ij")
    X[1:-1, 1:-1] += rng.uniform(-0.3, 0.3, (k - 1, k - 1)) * (gx[1] - gx[0])
    Y[1:-1, 1:-1] += rng.uniform(-0.3, 0.3, (k - 1, k - 1)) * (gy[1] - gy[0])
    return [shapely.Polygon([(X[a, b], Y[a, b]) for a, b in ((i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1))])
            for i in range(k) for j in range(k)]


@pytest.mark.parametrize("kind", ["overlap", "tiling"])
def test_threaded_paths_agree_with_overlay_and_dissolve(files, tmp_path, capsys, monkeypatch, kind):
    """Both the heavy-overlap and the planar (tiling) paths, with the two-thread reading and the
    two-block classification forced on small data, against geopandas overlay + dissolve (1e-6)."""
    from hygis.analysis import _arrangement
    from hygis.geo import crs as hcrs

    monkeypatch.setattr(lean_coverage, "SPLIT_READ", 10)
    monkeypatch.setattr(_arrangement, "BLOCK_THREADS_MIN", 0)
    monkeypatch.setattr(_arrangement, "THREADS", True)  # whatever the machine's load
    _, z, _, zones = files
    rng = np.random.default_rng(5)
    geoms = squares(2000, seed=5) if kind == "overlap" else tiling(2500, (119.98, 29.98, 120.42, 30.32), rng)
    targets = gpd.GeoDataFrame(geometry=geoms, crs="EPSG:4326")
    t = tmp_path / f"{kind}.gpkg"
    targets.to_file(t, layer=kind)
    assert main(["analyze", "coverage", str(t), "--zones", str(z), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    got = {ln.split(",")[0]: float(ln.split(",")[2]) for ln in lines[1:]}
    pieces = gpd.overlay(targets.to_crs(hcrs.EQUAL_AREA), zones.to_crs(hcrs.EQUAL_AREA), how="intersection")
    want = pieces.dissolve(by="name").area / 1e6
    assert len(want) == 6
    for name, km2 in want.items():
        assert got[name] == pytest.approx(km2, rel=1e-6), name


def test_simple_polygon_wkb_is_read_by_numpy_and_anything_else_by_shapely():
    polys = list(squares(5)) + [shapely.Polygon([(0, 0), (3, 0), (3, 1), (2, 2), (0, 0)])]
    blobs = [shapely.to_wkb(p) for p in polys]
    xy, counts = lean_coverage._simple_polygons(blobs)
    assert np.array_equal(xy, shapely.get_coordinates(np.array(polys)))
    assert counts.tolist() == [5] * 5 + [5]
    holed = shapely.box(0, 0, 10, 10).difference(shapely.box(2, 2, 3, 3))
    others = [holed, shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(2, 2, 3, 3)]),
              shapely.Polygon([(0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 0, 1)]), shapely.Polygon(), shapely.Point(1, 2)]
    for other in others:
        assert lean_coverage._simple_polygons(blobs + [shapely.to_wkb(other)]) is None, other.wkt
    assert lean_coverage._simple_polygons(blobs[:2] + [shapely.to_wkb(polys[2], byte_order=0)]) is None  # big-endian
    assert lean_coverage._simple_polygons(blobs[:2] + [shapely.to_wkb(polys[2])[:-3]]) is None  # cut short
    unclosed = struct.pack("<BIII", 1, 3, 1, 4) + np.array([[0, 0], [1, 0], [1, 1], [0, 1]], "<f8").tobytes()
    assert lean_coverage._simple_polygons(blobs[:2] + [unclosed]) is None  # (shapely refuses it too)
    with pytest.raises(shapely.errors.GEOSException):
        shapely.from_wkb(unclosed)


def test_holes_and_multipolygons_take_shapely_s_decoding_with_the_same_result(tmp_path, capsys):
    targets = gpd.GeoDataFrame(geometry=list(squares(50, seed=3)) + [
        shapely.box(120.1, 30.1, 120.2, 30.2).difference(shapely.box(120.12, 30.12, 120.15, 30.15)),
        shapely.MultiPolygon([shapely.box(120.3, 30.0, 120.32, 30.02), shapely.box(120.33, 30.0, 120.35, 30.02)])],
        crs="EPSG:4326")
    zones = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[shapely.box(120, 30, 120.2, 30.3),
                                                            shapely.box(120.2, 30, 120.4, 30.3)], crs="EPSG:4326")
    t, z = tmp_path / "t.gpkg", tmp_path / "z.gpkg"
    targets.to_file(t)
    zones.to_file(z)
    assert main(["analyze", "coverage", str(t), "--zones", str(z), "--format", "csv"]) == 0
    assert capsys.readouterr().out.rstrip("\n") == output.render_frame(coverage.coverage_by_zone(targets, zones), "csv")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(-6, 6), st.integers(-6, 6)), min_size=3, max_size=9),
       st.sampled_from(["as drawn", "hull", "reversed"]), st.floats(1e-9, 1e6))
def test_rings_called_convex_are_valid_polygons(points, shape, scale):
    """convex_rings spares GEOS's validity test only for rings that are certainly convex: every
    ring it calls convex is valid for GEOS (random lattice rings: bow-ties, spikes, repeated and
    collinear points, stars; convex hulls; both orientations; tiny to huge)."""
    ring = np.array(points + points[:1], float)
    if shape == "hull":  # (of the integer points: exactly collinear ones are left out)
        hull = shapely.convex_hull(shapely.multipoints(ring))
        if hull.geom_type != "Polygon":
            return
        ring = shapely.get_coordinates(hull)
    elif shape == "reversed":
        ring = ring[::-1]
    ring = ring * scale
    poly = shapely.polygons(ring)
    convex = lean_coverage.convex_rings(ring[:, 0], ring[:, 1], np.array([len(ring)]))[0]
    if convex:
        assert shapely.is_valid(poly), shapely.is_valid_reason(poly)
    if shape == "hull":
        assert convex  # a convex hull without collinear corners is known convex
