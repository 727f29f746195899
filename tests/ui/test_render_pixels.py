"""Small polygons drawn as pixels: the scanline filler against GDAL's exact rasterization, and
whole maps of tilings with no holes at any scale (issue 12)."""

import geopandas as gpd
import numpy as np
import pytest
import rasterio.features
import rasterio.transform
import shapely

from hygis.layers.style import Style
from hygis.layers.vector import VectorLayer
from hygis.ui.render import geometry, scanfill
from hygis.ui.render.bridge import RendererSet
from hygis.ui.render.mapdraw import render_layers
from hygis.ui.render.view import MapView, to_map, to_wgs84

W, H = 240, 160


@pytest.fixture(autouse=True)
def app(qapp):
    return qapp


def tiling(nx, ny, x0, y0, x1, y1, seed=0):
    """nx × ny quads covering the box, inner vertices jittered (shared by neighbouring cells)."""
    rng = np.random.default_rng(seed)
    X, Y = np.meshgrid(np.linspace(x0, x1, nx + 1), np.linspace(y0, y1, ny + 1), indexing="ij")
    jx, jy = (x1 - x0) / nx * 0.3, (y1 - y0) / ny * 0.3
    X[1:-1, 1:-1] += rng.uniform(-jx, jx, (nx - 1, ny - 1))
    Y[1:-1, 1:-1] += rng.uniform(-jy, jy, (nx - 1, ny - 1))
    i, j = (a.ravel() for a in np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij"))
    ci, cj = np.stack([i, i + 1, i + 1, i, i], 1), np.stack([j, j, j + 1, j + 1, j], 1)
    return shapely.polygons(np.stack([X[ci, cj], Y[ci, cj]], -1))


def flat(geoms):
    """Oriented ring arrays of polygons given in pixel coordinates."""
    _, coords, offsets = shapely.to_ragged_array(np.asarray(geoms))
    starts = np.asarray(offsets[0], np.int64)
    exterior = np.zeros(len(starts) - 1, bool)
    exterior[np.asarray(offsets[1][:-1])] = True
    x, y = coords[:, 0].copy(), coords[:, 1].copy()
    geometry._orient(x, y, starts, exterior)
    return x, y, starts


def gdal(geoms, all_touched=False, shape=(H, W)):
    """GDAL's rasterization of pixel-coordinate polygons (row = y, column = x)."""
    return rasterio.features.rasterize(((g, 1) for g in geojson(geoms)), out_shape=shape, all_touched=all_touched,
                                       transform=rasterio.transform.Affine(1, 0, 0, 0, 1, 0)).astype(bool)


def geojson(geoms) -> list:
    """GeoJSON-like polygons (exterior and holes: the same doubles, the same ring order) from the coordinate
    arrays -- shapely's per-geometry ``__geo_interface__`` costs ~25 µs a polygon, 90 % of a 240,000-cell test."""
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 0 or not (shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON).all():
        return list(geoms)
    _, coords, (ring_offsets, poly_offsets) = shapely.to_ragged_array(geoms)
    rings = [coords[a:b] for a, b in zip(ring_offsets[:-1], ring_offsets[1:])]
    return [{"type": "Polygon", "coordinates": rings[a:b]} for a, b in zip(poly_offsets[:-1], poly_offsets[1:])]


def test_geojson_rings_rasterize_as_the_shapes_themselves():
    """The fast GeoJSON of the reference gives GDAL exactly the shapes: same rasterization, holes included."""
    rng = np.random.default_rng(11)
    geoms = [shapely.Polygon([(10, 10), (100, 10), (100, 100), (10, 100)], [[(30, 30), (30, 60), (60, 60), (60, 30)]]),
             *shapely.buffer(shapely.points(rng.uniform(0, W, 200), rng.uniform(0, H, 200)), rng.uniform(0.2, 9, 200)),
             *tiling(30, 20, 3.3, 2.7, W - 4.1, H - 3.9)]
    for all_touched in (False, True):
        slow = rasterio.features.rasterize(((g, 1) for g in geoms), out_shape=(H, W), all_touched=all_touched,
                                           transform=rasterio.transform.Affine(1, 0, 0, 0, 1, 0)).astype(bool)
        assert np.array_equal(gdal(geoms, all_touched), slow) and slow.sum() > 1000


@pytest.mark.parametrize("cells", [(400, 300), (120, 80), (30, 20)])  # sub-pixel to ~8 px cells
def test_filler_equals_gdal_centre_rasterization_of_a_tiling(cells):
    geoms = tiling(*cells, 3.3, 2.7, W - 4.1, H - 3.9, seed=cells[0])
    mask = scanfill.coverage(*flat(geoms), W, H)
    assert np.array_equal(mask, gdal(geoms))
    inner = gdal([shapely.box(3.3, 2.7, W - 4.1, H - 3.9)])
    assert mask[inner].all()  # no hole between the cells


def test_filler_holes_overlaps_concave_and_off_screen():
    rng = np.random.default_rng(3)
    geoms = np.array([
        shapely.Polygon([(10, 10), (100, 10), (100, 100), (10, 100)], [[(30, 30), (30, 60), (60, 60), (60, 30)]]),
        shapely.box(50, 50, 150, 120),  # overlaps the first polygon and its hole
        shapely.Polygon([(-50, -20), (400, 3), (120, 900)]),  # mostly off screen
        shapely.Polygon([(160, 20), (230, 20), (230, 90), (200, 90), (200, 40), (170, 40), (170, 90), (160, 90)]),
        *shapely.buffer(shapely.points(rng.uniform(0, W, 300), rng.uniform(0, H, 300)), rng.uniform(0.2, 9, 300)),
    ])
    for subset in (geoms[:2], geoms[2:3], geoms[3:4], geoms):
        assert np.array_equal(scanfill.coverage(*flat(subset), W, H), gdal(subset))


def test_filler_gives_the_same_answer_in_small_passes(monkeypatch):
    geoms = tiling(100, 70, 1.0, 1.0, W - 1.0, H - 1.0)
    whole = scanfill.coverage(*flat(geoms), W, H)
    monkeypatch.setattr(scanfill, "MAX_VERTICES", 37)
    monkeypatch.setattr(scanfill, "FLUSH_CROSSINGS", 500)
    assert np.array_equal(scanfill.coverage(*flat(geoms), W, H), whole)


def map_tiling(view, nx, ny, margin_px=12):
    """A tiling (WGS84) covering the view but ``margin_px`` pixels on each side."""
    x0, y0, x1, y1 = view.bounds
    m = margin_px * view.res
    cells = tiling(nx, ny, x0 + m, y0 + m, x1 - m, y1 - m)
    return shapely.transform(cells, lambda c: np.column_stack(to_wgs84(c[:, 0], c[:, 1])))


@pytest.mark.parametrize("nx, ny, fill", [(600, 400, "#6a9fb566"), (150, 100, "#6a9fb566"),
                                           (40, 25, "#2ca25f"), (600, 400, "#2ca25f")])
def test_map_of_a_tiling_has_no_holes(nx, ny, fill):
    """Every pixel whose centre the tiling covers is painted; nothing beyond what it touches is
    (give or take the 1-pixel outline around cells big enough to have one)."""
    view = MapView.fit_wgs84((120.0, 30.0, 120.4, 30.25), W, H)
    cells = map_tiling(view, nx, ny)
    layer = VectorLayer("地块", gpd.GeoDataFrame({"id": np.arange(len(cells))}, geometry=cells, crs=4326),
                        style=Style(fill=fill, stroke="#35627a", width=1.0))
    img = render_layers([layer], view, RendererSet(), basemap=False)
    ptr = img.constBits()
    argb = np.frombuffer(ptr, np.uint32, count=W * H).reshape(H, W)
    background = argb[0, 0]
    painted = argb != background
    # the exact answer: GDAL rasterizing the cells in pixel coordinates
    pix = shapely.transform(cells, lambda c: np.column_stack(view.to_pixels(*to_map(c[:, 0], c[:, 1]))))
    centre, touched = gdal(pix), gdal(pix, all_touched=True)
    assert centre.sum() > 0.7 * W * H
    assert painted[centre].all(), f"{(~painted[centre]).sum()} holes"
    near = touched.copy()  # one pixel around the touched pixels: the outline's half width
    near[1:] |= touched[:-1]
    near[:-1] |= touched[1:]
    near[:, 1:] |= touched[:, :-1]
    near[:, :-1] |= touched[:, 1:]
    assert not painted[~near].any()
    if nx >= 150:  # sub-pixel to 1.5 px cells: no outline, exactly the touched pixels at most
        assert not painted[~touched].any()


def test_drawing_projection_matches_the_map_crs():
    """The drawing cache's fast projection (series Transverse Mercator near 120°E) agrees with the
    exact map CRS to well under a millimetre; data farther out is projected exactly."""
    from hygis.geo import crs as hcrs

    rng = np.random.default_rng(5)
    for lon0, lon1, tol in ((118.0, 123.0, 1e-4), (114.5, 125.5, 1e-3), (90.0, 140.0, 0.0)):
        coords = np.column_stack([rng.uniform(lon0, lon1, 450_000), rng.uniform(21.0, 41.0, 450_000)])
        x, y = geometry._project_coords(coords)
        ex, ey = hcrs.transformer(hcrs.WGS84, hcrs.MAP_CRS).transform(coords[:, 0], coords[:, 1])
        assert np.abs(x - ex).max() <= tol and np.abs(y - ey).max() <= tol


def test_hidpi_map_of_a_tiling_is_filled_at_device_pixels():
    """At device pixel ratio 2 (HiDPI screens) the cells are filled at the image's own pixels."""
    view = MapView.fit_wgs84((120.0, 30.0, 120.4, 30.25), W, H)
    cells = map_tiling(view, 300, 200)
    layer = VectorLayer("地块", gpd.GeoDataFrame({"id": np.arange(len(cells))}, geometry=cells, crs=4326),
                        style=Style(fill="#2ca25f", stroke="#35627a", width=1.0))
    img = render_layers([layer], view, RendererSet(), basemap=False, dpr=2.0)
    assert (img.width(), img.height()) == (2 * W, 2 * H)
    argb = np.frombuffer(img.constBits(), np.uint32, count=4 * W * H).reshape(2 * H, 2 * W)
    painted = argb != argb[0, 0]
    dev = MapView(view.cx, view.cy, view.res / 2, 2 * W, 2 * H)
    pix = shapely.transform(cells, lambda c: np.column_stack(dev.to_pixels(*to_map(c[:, 0], c[:, 1]))))
    centre, touched = gdal(pix, shape=(2 * H, 2 * W)), gdal(pix, all_touched=True, shape=(2 * H, 2 * W))
    assert painted[centre].all()
    assert not painted[~touched].any()
