"""Points exactly on zone borders and on tile borders: --engine dask and --engine postgis count each of them
exactly as the in-process engine does (a point on a border shared by two zones counts once, for the zone
that comes first in the zones table; the in-process engine decides in its equal-area CRS).

The zones are long-edged boxes (a lon/lat border along a parallel is an arc in the equal-area CRS: a
point on it lies metres off the straight edge there) and two triangles sharing a diagonal; the rows are
ordered so that the first zone is the northern one of every shared parallel.  The tile-border points
are placed so that their equal-area coordinates lie exactly on the dask engine's tile edges."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

dask_geopandas = pytest.importorskip("dask_geopandas", reason="dask-geopandas is not installed (pip install 'hygis[team]')")
distributed = pytest.importorskip("distributed")
psycopg = pytest.importorskip("psycopg")

from hygis.analysis._common import to_equal_area  # noqa: E402
from hygis.analysis.coverage import coverage_by_zone  # noqa: E402
from hygis.analysis.engines import dask_engine, partitions, postgis_engine  # noqa: E402
from hygis.geo import crs as hcrs  # noqa: E402

TILE_M = 9_000.0
#: Outside every zone, at the corners of the data: they fix every partition's box (so the tile grid).
FRAME = [shapely.box(119.9, 29.7, 119.901, 29.701), shapely.box(121.099, 30.499, 121.1, 30.5)]


def _zones() -> gpd.GeoDataFrame:
    """Rows: north boxes first, then south boxes, then two triangles split along a diagonal."""
    north = [shapely.box(120.0, 30.05, 120.25, 30.3), shapely.box(120.25, 30.05, 120.5, 30.3)]
    south = [shapely.box(120.0, 29.8, 120.25, 30.05), shapely.box(120.25, 29.8, 120.5, 30.05)]
    tri = [shapely.Polygon([(120.5, 29.8), (121.0, 29.8), (121.0, 30.3)]),
           shapely.Polygon([(120.5, 29.8), (121.0, 30.3), (120.5, 30.3)])]
    return gpd.GeoDataFrame({"name": ["北西", "北东", "南西", "南东", "三角下", "三角上"]},
                            geometry=north + south + tri, crs=4326)


def _zone_border_points() -> list:
    pts = [(120.25, 29.9), (120.25, 30.2)]  # the meridian shared by two boxes
    pts += [(x, 30.05) for x in (120.01, 120.1, 120.123456789, 120.3, 120.4, 120.49)]  # the shared parallel
    pts += [(120.25, 30.05), (120.5, 30.05), (120.0, 30.05), (120.5, 29.8)]  # corners of 2, 3 and 4 zones
    pts += [(x, 29.8) for x in (120.05, 120.2, 120.37, 120.8)]  # the southern edge of the zones (outer)
    pts += [(x, 30.3) for x in (120.05, 120.3, 120.7)]  # the northern edge (outer)
    pts += [(120.0, 29.95), (121.0, 30.0)]  # outer meridians
    pts += [(120.5 + 0.5 * f, 29.8 + 0.5 * f) for f in (0.1, 0.25, 0.5, 0.77)]  # the diagonal
    pts += [(120.5, y) for y in (29.9, 30.1, 30.2)]  # the meridian between the boxes and a triangle
    return [shapely.Point(x, y) for x, y in pts]


def _exactly_on(x: float, y: float, axis: int):
    """A lon/lat point whose equal-area coordinate ``axis`` (0: x, 1: y) is exactly the tile edge value
    (x, y)[axis], near (x, y), or None.  From the inverse projection of (x, y), the floats of latitude
    around it: one step of the latitude moves the coordinate by a few of its own float steps (a step of
    the longitude moves y by about 1/100 of one), so x is found along the latitudes, y along both.
    The candidates go through the very transformer ``to_equal_area`` uses, as plain arrays (the same
    doubles as through shapely points, without building ~100 000 of them); the point returned is
    checked through ``to_equal_area`` itself."""
    from pyproj import Transformer

    inv = Transformer.from_crs(hcrs.EQUAL_AREA, hcrs.WGS84, always_xy=True)
    fwd = hcrs.transformer(str(hcrs.WGS84), str(hcrs.EQUAL_AREA))
    target = (x, y)[axis]
    for shift in np.linspace(0.0, 0.3, 12):  # another place along the edge when none lands on it
        x1, y1 = (x, y + shift * TILE_M) if axis == 0 else (x + shift * TILE_M, y)
        lon, lat = inv.transform(x1, y1)
        if axis == 0:
            lats, lons = lat + np.arange(-5000, 5001) * np.spacing(lat), np.full(10001, lon)
        else:
            a, b = np.meshgrid(np.arange(-40, 41), np.arange(-600, 601))
            lats, lons = (lat + a * np.spacing(lat)).ravel(), (lon + b * np.spacing(lon)).ravel()
        hit = np.flatnonzero(np.asarray(fwd.transform(lons, lats)[axis]) == target)
        if len(hit):
            point = shapely.Point(lons[hit[len(hit) // 2]], lats[hit[len(hit) // 2]])
            assert shapely.get_coordinates(to_equal_area([point]))[0, axis] == target
            return point
    return None


def _tile_border_points(grid, zones) -> list:
    """Points exactly on tile edges, vertical and horizontal, inside the zones' extent."""
    zb = shapely.bounds(to_equal_area(zones.geometry.to_numpy()))
    x0, y0, x1, y1 = zb[:, 0].min(), zb[:, 1].min(), zb[:, 2].max(), zb[:, 3].max()
    xs = [grid.x0 + k * grid.side for k in range(grid.nx + 1) if x0 < grid.x0 + k * grid.side < x1]
    ys = [grid.y0 + k * grid.side for k in range(grid.ny + 1) if y0 < grid.y0 + k * grid.side < y1]
    vertical = [_exactly_on(x, ys[i % len(ys)] + grid.side * 0.37, 0) for i, x in enumerate(xs)]
    horizontal = [_exactly_on(xs[i % len(xs)] + grid.side * 0.61, y, 1) for i, y in enumerate(ys)]
    return [p for p in vertical if p is not None], [p for p in horizontal if p is not None]


def _frame(points) -> gpd.GeoDataFrame:
    geoms = FRAME + list(points) + FRAME  # frame features at both ends: in every partition / key range
    return gpd.GeoDataFrame({"name": [f"p{i}" for i in range(len(geoms))]}, geometry=geoms, crs=4326)


def _to_postgis(url, frame: gpd.GeoDataFrame, table: str, geometry: str) -> str:
    """A plain table with an integer key holding the rows in ``frame``'s order."""
    with psycopg.connect(url) as con:
        con.execute(psycopg.sql.SQL("CREATE TABLE {} (id int PRIMARY KEY, name text, geom geometry({}, 4326))")
                    .format(psycopg.sql.Identifier(table), psycopg.sql.SQL(geometry)))
        con.execute(psycopg.sql.SQL("CREATE INDEX ON {} USING gist (geom)").format(psycopg.sql.Identifier(table)))
        with con.cursor() as cur:
            cur.executemany(psycopg.sql.SQL("INSERT INTO {} VALUES (%s, %s, ST_GeomFromWKB(%s, 4326))")
                            .format(psycopg.sql.Identifier(table)),
                            [(i + 1, n, shapely.to_wkb(g)) for i, (n, g) in
                             enumerate(zip(frame["name"], frame.geometry))])
        con.execute(psycopg.sql.SQL("ANALYZE {}").format(psycopg.sql.Identifier(table)))
    return f"{url}#public.{table}"


@pytest.fixture(scope="module")
def client():
    with dask_engine.local_cluster(2, processes=False) as cluster, distributed.Client(cluster) as c:
        yield c


def _counts(result) -> dict:
    return dict(zip(result["zone"], result["point_count"].astype(int)))


def test_points_on_zone_and_tile_borders_count_as_in_process(client, pg_url, tmp_path):
    zones = _zones()
    z_spec = _to_postgis(pg_url, zones, "zones", "Polygon")
    # the tile grid the dask engine will use (it depends on the partitions' boxes, which the frame fixes)
    probe = _to_postgis(pg_url, _frame([]), "probe", "Geometry")
    grid = dask_engine.plan_tiles(partitions.open_source(probe, n_pg=2), tile_m=TILE_M)
    assert grid.side == TILE_M and grid.nx >= 8 and grid.ny >= 6
    vertical, horizontal = _tile_border_points(grid, zones)
    assert len(vertical) >= 4 and len(horizontal) >= 1  # y lies on a coarser float lattice: fewer exact hits
    on_tiles = vertical + horizontal
    points = _zone_border_points() + on_tiles
    targets = _frame(points)
    t_spec = _to_postgis(pg_url, targets, "targets", "Geometry")
    assert dask_engine.plan_tiles(partitions.open_source(t_spec, n_pg=2), tile_m=TILE_M) == grid

    expected = coverage_by_zone(partitions.load_postgis_table(t_spec), partitions.load_postgis_table(z_spec))
    counts = _counts(expected)
    # every border point counts once (or not at all, just outside the zones in the equal-area CRS) ...
    assert counts["合计"] <= len(points) and counts["合计"] >= len(points) - 12
    # ... and the points of the shared parallel go to one zone although the northern one comes first
    assert sum(counts[z] for z in ("北西", "北东", "南西", "南东")) >= 14

    path = tmp_path / "targets"
    dask_geopandas.from_geopandas(targets, npartitions=2).to_parquet(str(path))
    assert dask_engine.plan_tiles(partitions.open_source(path), tile_m=TILE_M) == grid
    for name, got in (("dask, GeoParquet", dask_engine.coverage(path, zones, client=client, tile_m=TILE_M)),
                      ("dask, PostGIS ranges", dask_engine.coverage(t_spec, zones, client=client, tile_m=TILE_M,
                                                                    pg_partitions=2)),
                      ("postgis SQL", postgis_engine.coverage(t_spec, z_spec))):
        assert _counts(got) == counts, name
        np.testing.assert_allclose(got["points_per_100km2"], expected["points_per_100km2"], rtol=1e-7,
                                   err_msg=name)


def test_a_point_on_a_shared_border_follows_the_zone_order(pg_url):
    """Reversing the zones table moves a point on a border (a corner two zones share: the same vertex in
    both, so on the border in every CRS) to the other zone, in SQL as in-process."""
    zones = _zones()
    one = _to_postgis(pg_url, zones, "zones_a", "Polygon")
    other = _to_postgis(pg_url, zones.iloc[::-1].reset_index(drop=True), "zones_b", "Polygon")
    t_spec = _to_postgis(pg_url, _frame([shapely.Point(120.25, 29.8), shapely.Point(121.0, 30.3)]), "targets",
                         "Geometry")
    targets = partitions.load_postgis_table(t_spec)
    for z_spec in (one, other):
        expected = _counts(coverage_by_zone(targets, partitions.load_postgis_table(z_spec)))
        assert expected["合计"] == 2
        assert _counts(postgis_engine.coverage(t_spec, z_spec)) == expected
    first = _counts(coverage_by_zone(targets, partitions.load_postgis_table(one)))
    second = _counts(coverage_by_zone(targets, partitions.load_postgis_table(other)))
    assert (first["南西"], first["南东"]) == (1, 0) and (second["南西"], second["南东"]) == (0, 1)  # the order decides
    assert first["三角下"] + first["三角上"] == 1 == second["三角下"] + second["三角上"]
