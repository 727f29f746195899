"""--engine dask and --engine postgis give the in-process engine's numbers (1e-9 relative for dask),
on a real dask.distributed cluster (2 small in-process workers) and a real PostGIS."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

pytest.importorskip("dask_geopandas", reason="dask-geopandas is not installed (pip install 'hygis[team]')")
distributed = pytest.importorskip("distributed")

from hygis.analysis.adjacency import adjacency_pairs  # noqa: E402
from hygis.analysis.coverage import coverage_by_zone  # noqa: E402
from hygis.analysis.engines import dask_engine, partitions, postgis_engine  # noqa: E402
from hygis.db import connection, tables  # noqa: E402
from tests.db.helpers import run  # noqa: E402

NUMERIC = ["zone_area_km2", "covered_area_km2", "covered_share_pct", "covered_length_km", "point_count",
           "points_per_100km2"]


def _zones():
    cells = [(120.0 + 0.25 * i, 29.8 + 0.25 * j) for j in range(2) for i in range(4)]
    names = ["西湖区", "上城区", "拱墅区", "滨江区", "萧山区", "余杭区", "富阳区", "临平区"]
    return gpd.GeoDataFrame({"name": names}, geometry=[shapely.box(x, y, x + 0.25, y + 0.25) for x, y in cells],
                            crs=4326)


def _targets(n=1500, seed=3):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(119.95, 121.05, n), rng.uniform(29.75, 30.35, n)
    kind = rng.integers(0, 10, n)
    geoms = []
    for xi, yi, k, r in zip(x, y, kind, rng.uniform(0.002, 0.03, n)):
        if k < 6:
            geoms.append(shapely.Point(xi, yi).buffer(r, 8))  # overlapping polygons
        elif k < 8:
            geoms.append(shapely.LineString([(xi, yi), (xi + r, yi + r / 2), (xi + 2 * r, yi)]))
        else:
            geoms.append(shapely.Point(xi, yi))
    geoms.append(shapely.Point(120.25, 29.9))  # exactly on the border of two zones: counts once, for the first
    return gpd.GeoDataFrame({"name": [f"t{i}" for i in range(len(geoms))]}, geometry=geoms, crs=4326)


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, memory_limit="1GiB",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def parquet_dir(tmp_path_factory):
    import dask_geopandas

    path = tmp_path_factory.mktemp("gpq") / "targets"
    dask_geopandas.from_geopandas(_sorted_targets(), npartitions=6).to_parquet(str(path))
    return path


def _sorted_targets():
    """The targets in Hilbert order with ids 0..n-1: each of the 6 partitions is one compact area."""
    t = _targets()
    return t.iloc[np.argsort(t.hilbert_distance(), kind="stable")].reset_index(drop=True)


def _same(a: pd.DataFrame, b: pd.DataFrame, rtol=1e-9):
    assert list(a["zone"]) == list(b["zone"])
    for col in NUMERIC:
        np.testing.assert_allclose(a[col].to_numpy(float), b[col].to_numpy(float), rtol=rtol, atol=1e-9, err_msg=col)


def test_dask_coverage_equals_in_process(client, parquet_dir):
    targets, zones = _targets(), _zones()
    expected = coverage_by_zone(targets, zones)
    parts = partitions.parquet_partitions(parquet_dir)[0]
    assert len(parts) == 6
    areas = [shapely.area(shapely.box(*p.bbox)) for p in parts]  # compact partitions, not 6 copies of the extent
    assert sum(areas) < 2.5 * shapely.area(shapely.box(*targets.total_bounds))
    got = dask_engine.coverage(parquet_dir, zones, client=client, chunks=4)
    _same(got, expected)
    assert expected["covered_area_km2"].iloc[-1] > 100 and expected["point_count"].iloc[-1] > 100
    # with a buffer (drawn in the whole layer's local CRS, as in-process)
    _same(dask_engine.coverage(parquet_dir, zones, buffer_m=500, client=client, chunks=3),
          coverage_by_zone(targets, zones, buffer_m=500))


def test_dask_adjacency_equals_in_process(client, parquet_dir):
    targets = _sorted_targets()
    expected = adjacency_pairs(targets, distance_m=300)
    got = dask_engine.adjacency(parquet_dir, distance_m=300, client=client)
    assert len(got) == len(expected) > 500
    pd.testing.assert_frame_equal(got[["a_id", "b_id", "relation"]].reset_index(drop=True),
                                  expected[["a_id", "b_id", "relation"]].reset_index(drop=True), check_dtype=False)
    for col in ("shared_length_km", "overlap_area_km2", "distance_m"):
        np.testing.assert_allclose(got[col].to_numpy(float), expected[col].to_numpy(float), rtol=1e-9, atol=1e-9)


def test_postgis_inputs_dask_and_sql_engines_agree(client, pg_url):
    with connection.connect(pg_url) as con:
        tables.push_frame(con, _targets(), "public", "targets", geometry_type="mixed")
        tables.push_frame(con, _zones(), "public", "zones", geometry_type="polygon")
    t_spec, z_spec = f"{pg_url}#public.targets", f"{pg_url}#public.zones"
    targets, zones = partitions.load_postgis_table(t_spec), partitions.load_postgis_table(z_spec)
    assert len(targets) == len(_targets()) and targets.index.is_monotonic_increasing
    assert targets.geometry.notna().all() and zones.geometry.area.sum() == pytest.approx(0.5)
    expected = coverage_by_zone(targets, zones)
    parts = partitions.postgis_partitions(t_spec, 5)
    assert len(parts) == 5 and sum(len(partitions.load_partition(p)) for p in parts) == len(targets)
    _same(dask_engine.coverage(t_spec, zones, client=client), expected)
    sql = postgis_engine.coverage(t_spec, z_spec)
    # SQL areas: the same equal-area CRS and union (GEOS/PROJ builds differ: agreement to 1e-7)
    _same(sql.drop(columns=["covered_length_km"]).assign(covered_length_km=expected["covered_length_km"]),
          expected, rtol=1e-7)
    np.testing.assert_allclose(sql["covered_length_km"], expected["covered_length_km"], rtol=1e-4)


def test_cli_engines(tmp_path, parquet_dir, pg_url, capsys):
    zones_file = tmp_path / "zones.gpkg"
    _zones().to_file(zones_file)
    assert run("analyze", "coverage", parquet_dir, "--zones", zones_file, "--format", "csv") == 0
    local = capsys.readouterr().out
    assert run("analyze", "coverage", parquet_dir, "--zones", zones_file, "--format", "csv", "--engine", "dask") == 0
    dask_out = capsys.readouterr().out
    a = pd.read_csv(pd.io.common.StringIO(local))
    b = pd.read_csv(pd.io.common.StringIO(dask_out))
    _same(b, a, rtol=1e-6)  # csv rounding
    assert run("analyze", "coverage", zones_file, "--zones", zones_file, "--engine", "postgis") == 1
    assert "postgresql://" in capsys.readouterr().err
    assert run("analyze", "coverage", parquet_dir, "--zones", zones_file, "--engine", "dask",
               "--scheduler", "tcp://127.0.0.1:1") == 1
    assert "Cannot reach the dask scheduler" in capsys.readouterr().err
