"""Drawing from flat arrays (layers read by hygis.io.flatread): the same pixels as from shapely
geometries; short lines as 1-pixel strokes; labels of many points thinned, placed and painted."""

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from hygis.io.flatread import read_flat_layer
from hygis.layers.style import Style
from hygis.layers.vector import VectorLayer
from hygis.ui.render import featurelabels
from hygis.ui.render.bridge import RendererSet
from hygis.ui.render.labels import LabelSet
from hygis.ui.render.mapdraw import draw_layers, new_image, render_layers
from hygis.ui.render.view import MapView

W, H = 320, 200
BOX = (120.0, 30.0, 120.4, 30.25)


@pytest.fixture(autouse=True)
def app(qapp):
    return qapp


def _pixels(img):
    return np.frombuffer(img.constBits(), np.uint32, count=img.width() * img.height()).reshape(img.height(),
                                                                                            img.width()).copy()


def _both(tmp_path, geoms, style, **cols):
    gdf = gpd.GeoDataFrame({"k": np.arange(len(geoms)), **cols}, geometry=geoms, crs=4326)
    path = tmp_path / "d.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="d")
    flat = read_flat_layer(path, "d", "d")
    assert flat is not None and flat.flat is not None
    flat.style = style
    return VectorLayer("d", gdf, style=style), flat


def _squares(n, rng, lo, hi):
    x, y = rng.uniform(BOX[0], BOX[2], n), rng.uniform(BOX[1], BOX[3], n)
    s = rng.uniform(lo, hi, n)
    return shapely.box(x, y, x + s, y + s * 0.8)


def test_flat_polygons_draw_the_same_pixels(tmp_path):
    rng = np.random.default_rng(1)
    geoms = list(_squares(3000, rng, 0.0003, 0.02))
    holed = shapely.Polygon(shapely.box(120.1, 30.1, 120.2, 30.2).exterior.coords,
                            [shapely.box(120.12, 30.12, 120.15, 30.15).exterior.coords])
    geoms += [holed, shapely.MultiPolygon([shapely.box(120.3, 30.02, 120.33, 30.05), shapely.box(120.35, 30.02,
                                                                                               120.36, 30.03)])]
    style = Style(mode="categorized", field="k", fill="#2ca25f", stroke="#35627a", width=1.0)
    plain, flat = _both(tmp_path, geoms, style)
    view = MapView.fit_wgs84(BOX, W, H)
    a = _pixels(render_layers([plain], view, RendererSet(), basemap=False))
    b = _pixels(render_layers([flat], view, RendererSet(), basemap=False))
    assert np.array_equal(a, b)
    assert flat.flat is not None  # drawing built no GeoDataFrame


def test_short_lines_are_one_pixel_strokes_through_their_vertices(tmp_path):
    rng = np.random.default_rng(2)
    x, y = rng.uniform(120.05, 120.35, 400), rng.uniform(30.03, 30.22, 400)
    lines = shapely.linestrings(np.stack([np.column_stack([x, x + 0.004, x + 0.006]),
                                          np.column_stack([y, y + 0.003, y - 0.002])], -1))
    style = Style(stroke="#d7301f", width=1.0)
    plain, flat = _both(tmp_path, list(lines), style)
    view = MapView.fit_wgs84(BOX, W, H)
    for layer in (plain, flat):
        px = _pixels(render_layers([layer], view, RendererSet(), basemap=False))
        red = px == np.uint32(0xFFD7301F)
        coords = shapely.get_coordinates(lines)
        from hygis.ui.render.view import to_map

        vx, vy = view.to_pixels(*to_map(coords[:, 0], coords[:, 1]))
        assert red[np.floor(vy).astype(int), np.floor(vx).astype(int)].all()  # every vertex's pixel
        assert 0 < red.sum() < 400 * 12  # thin lines, not blobs


def test_thinning_keeps_the_first_candidate_of_every_cell():
    rng = np.random.default_rng(3)
    px, py = rng.uniform(0, 300, 5000), rng.uniform(0, 200, 5000)
    keep = featurelabels.thin(px, py, 30.0, 10.0)
    cells = np.floor(px / 30).astype(int) * 100 + np.floor(py / 10).astype(int)
    assert np.all(np.diff(keep) > 0) and len(np.unique(cells[keep])) == len(keep) == len(np.unique(cells))
    first = {c: i for i, c in reversed(list(enumerate(cells)))}
    assert sorted(first.values()) == keep.tolist()


def test_many_labelled_points_get_labels_that_do_not_overlap(tmp_path):
    rng = np.random.default_rng(4)
    n = 3 * featurelabels.LABEL_LIMIT
    pts = shapely.points(rng.uniform(BOX[0], BOX[2], n), rng.uniform(BOX[1], BOX[3], n))
    style = Style(fill="#d7301f", stroke="#ffffff", marker="circle", size=4, label_field="name")
    _, flat = _both(tmp_path, list(pts), style, name=[f"站点{i}" for i in range(n)])
    view = MapView.fit_wgs84(BOX, 1200, 800)
    placed = []

    class Recording(LabelSet):
        def _place(self, lab, w, h, grid, rect):
            got = LabelSet._place(lab, w, h, grid, rect)
            if got is not None:
                placed.append(got)
            return got

    labels = Recording()
    img = new_image(1200, 800)
    img.fill(0xFFFFFFFF)
    from PySide6.QtGui import QPainter

    p = QPainter(img)
    draw_layers(p, [flat], view, RendererSet(), basemap=False, labels=False)
    RendererSet().get(flat).draw(p, view, labels)
    drawn = labels.draw(p, 1200, 800)
    p.end()
    assert 0 < len(labels) < n and drawn == len(placed) > 300  # thinned, many placed, bulk-painted
    for i, r in enumerate(placed):
        assert not any(r.intersects(o) for o in placed[i + 1:])
    px = _pixels(img)
    dark = ((px >> 16) & 0xFF) < 80  # label ink (#222 text): only labels are dark on this map
    assert dark.sum() > drawn * 10


def test_polygons_hidden_under_opaque_fills_are_skipped_with_the_same_picture(tmp_path, monkeypatch):
    from hygis.ui.render import pixels, vector

    rng = np.random.default_rng(5)
    geoms = list(_squares(60_000, rng, 0.004, 0.02))  # ~8–40 px squares, many layers deep
    style = Style(mode="categorized", field="cls", fill="#2ca25f", stroke="#35627a", width=1.0,
                  categories={"0": "#1b9e77", "1": "#d95f02"})
    _, flat = _both(tmp_path, geoms, style, cls=[str(i % 2) for i in range(len(geoms))])
    view = MapView.fit_wgs84(BOX, W, H)
    skipped = []
    hidden = pixels.hidden
    monkeypatch.setattr(pixels, "hidden", lambda b, *a: skipped.append(int(hidden(b, *a).sum())) or hidden(b, *a))
    culled = _pixels(render_layers([flat], view, RendererSet(), basemap=False))
    assert sum(skipped) > len(geoms) // 2  # most of them are under others
    monkeypatch.setattr(vector, "CULL_DEPTH", float("inf"))
    assert np.array_equal(culled, _pixels(render_layers([flat], view, RendererSet(), basemap=False)))


def test_polygons_hidden_under_opaque_outlines_are_skipped_with_the_same_picture(tmp_path, monkeypatch):
    """Translucent fills hide nothing, but 1-pixel outlines in an opaque colour do: features (and
    dots too small for an outline) wholly under the outlines of later layers are skipped — the same
    picture, pixel for pixel; with a translucent stroke nothing is skipped."""
    from hygis.ui.render import pixels, vector

    rng = np.random.default_rng(8)
    geoms = list(_squares(120_000, rng, 0.0006, 0.003))  # ~2-10 px squares, ~3.5 deep in 5 draw layers
    view = MapView.fit_wgs84(BOX, 4 * W, 4 * H)
    hidden = pixels.hidden
    for stroke, culls in (("#35627a", True), ("#35627a99", False)):
        _, flat = _both(tmp_path, geoms, Style(fill="#6a9fb566", stroke=stroke, width=1.0))
        skipped = []
        monkeypatch.setattr(pixels, "hidden", lambda b, *a: skipped.append(int(hidden(b, *a).sum())) or hidden(b, *a))
        monkeypatch.setattr(vector, "CULL_DEPTH", 2.0)
        culled = _pixels(render_layers([flat], view, RendererSet(), basemap=False))
        assert (sum(skipped) > 2000) is culls and (len(skipped) > 0) is culls
        monkeypatch.setattr(vector, "CULL_DEPTH", float("inf"))
        whole = _pixels(render_layers([flat], view, RendererSet(), basemap=False))
        assert np.array_equal(culled, whole)
        assert len(np.unique(whole)) >= 4  # background, fills blended once and more, outlines


def test_fills_and_outlines_made_in_worker_threads_draw_the_same_picture(tmp_path, monkeypatch):
    from hygis.ui.render import geometry, vector

    monkeypatch.setattr(geometry, "THREADS", True)  # whatever the machine's load
    rng = np.random.default_rng(5)
    n = 45_000  # two draw layers (one per 20k polygons)
    x, y = rng.uniform(BOX[0], BOX[2], n), rng.uniform(BOX[1], BOX[3], n)
    s = rng.uniform(0.001, 0.003, n)  # 3–10 px: filled and outlined, ~2 deep
    layer = read_flat_layer(_write(tmp_path, shapely.box(x, y, x + s, y + s * 0.8)), "d", "d")
    layer.style = Style(fill="#2ca25f99", stroke="#35627a", width=1.0)  # translucent: no culling
    view = MapView.fit_wgs84(BOX, 4 * W, 4 * H)
    pictures, threaded = [], []
    in_threads = vector._in_threads
    monkeypatch.setattr(vector, "_in_threads", lambda jobs: threaded.append(len(jobs)) or in_threads(jobs))
    for rows in (10**9, 1):  # one thread, then worker threads
        monkeypatch.setattr(vector, "PARALLEL_ROWS", rows)
        pictures.append(_pixels(render_layers([layer], view, RendererSet(), basemap=False)))
    assert threaded == [2, 2]  # the second picture: both layers' fills and outlines in worker threads
    assert len(np.unique(pictures[0])) >= 5  # background, fills blended once or twice, outlines
    assert np.array_equal(pictures[0], pictures[1])


def _write(tmp_path, geoms):
    path = tmp_path / "w.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"k": np.arange(len(geoms))}, geometry=geoms, crs=4326), path, layer="d")
    return path


def test_rings_projected_in_blocks_on_worker_threads_equal_one_pass(monkeypatch):
    """The drawing cache projects, orients and boxes rings in blocks of whole rings on the worker
    threads: the same arrays as one pass on one thread (blocks of a few vertices, holes and
    multipolygons straddling them), shells counter-clockwise and holes clockwise."""
    from hygis.ui.render import geometry

    rng = np.random.default_rng(11)
    x, y = rng.uniform(BOX[0], BOX[2], 300), rng.uniform(BOX[1], BOX[3], 300)
    boxes = shapely.box(x, y, x + 0.01, y + 0.008, ccw=False)  # clockwise shells: flipped
    holed = [shapely.Polygon(b.exterior.coords, [shapely.box(*shapely.bounds(b) + [0.002, 0.002, -0.002, -0.002])
                                                 .exterior.coords]) for b in boxes[:100]]
    multi = [shapely.MultiPolygon([a, b]) for a, b in zip(holed[:50], boxes[100:150])]
    geoms = np.array(list(boxes[150:]) + holed[50:] + multi + [None], object)
    monkeypatch.setattr(geometry, "THREADS", False)
    one = geometry.polygon_rings(geoms)
    monkeypatch.setattr(geometry, "THREADS", True)
    monkeypatch.setattr(geometry, "PARALLEL_VERTICES", 1)
    monkeypatch.setattr(geometry, "BLOCK_VERTICES", 37)
    blocks = geometry.polygon_rings(geoms)
    for name in ("x", "y", "starts", "feature", "bbox"):
        assert np.array_equal(getattr(one, name), getattr(blocks, name), equal_nan=True), name
    area = geometry._ring_areas(blocks.x, blocks.y, blocks.starts)
    assert len(area) == 150 + 50 * 2 + 50 * 3 and (area[:150] > 0).all()  # the plain boxes: shells, now ccw
    assert (area < 0).sum() == 100 and (area > 0).sum() == len(area) - 100  # the 100 holes clockwise
    assert np.isnan(blocks.bbox[-1]).all() and not np.isnan(blocks.bbox[:-1]).any()
