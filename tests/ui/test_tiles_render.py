"""Tile basemaps drawn for real: in the right place (WGS84 and GCJ-02 tiles), never blocking the
canvas, the offline basemap and one status message when the server is unreachable, and from the CLI."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from PySide6.QtGui import QColor, QImage

from hygis.cli import main
from hygis.geo import crs as hcrs
from hygis.geo import tiles as gtiles
from hygis.layers.vector import VectorLayer
from hygis.project import Project
from hygis.project.fileformat import save_project
from hygis.ui.canvas import MapCanvas
from hygis.ui.render import render_project
from hygis.ui.render.mapdraw import render_layers
from hygis.ui.render.bridge import RendererSet
from hygis.ui.render.tiles import TileBasemap
from hygis.ui.render.view import MapView, to_map
from tests.tilefixtures import REGION, TileServer, make_mbtiles, png_tile, tile_colour

VIEW_EXTENT = (120.1, 30.0, 120.5, 30.3)


@pytest.fixture(autouse=True)
def isolated_cache(qapp, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))  # never the user's real tile cache
    monkeypatch.delenv("HYGIS_TIANDITU_TOKEN", raising=False)


def empty_project(tile_source=None):
    p = Project("瓦片")
    p.tile_source = tile_source
    return p


def pixel_at(img: QImage, view: MapView, lon, lat) -> tuple[int, int, int]:
    px, py = view.to_pixels(*to_map(lon, lat))
    c = QColor(img.pixel(int(px), int(py)))
    return c.red(), c.green(), c.blue()


def tile_at(lon, lat, z):
    x, y = gtiles.lonlat_to_tile(lon, lat, z)
    return z, int(x), int(y)


def test_mbtiles_are_drawn_where_they_belong(tmp_path):
    source = gtiles.open_source(str(make_mbtiles(tmp_path / "t.mbtiles")))
    view = MapView.fit_wgs84(VIEW_EXTENT, 800, 600)
    img = render_layers([], view, RendererSet(), basemap=TileBasemap(source, wait=True))
    z = max(k[0] for k in [tile_at(120.3, 30.15, z) for z in range(8, 13)]
            if abs(gtiles.zoom_for(view.res, 30.15) - k[0]) < 1)
    checked = 0
    for lon, lat in [(120.15, 30.05), (120.3, 30.15), (120.45, 30.25), (120.2, 30.22)]:
        x, y = gtiles.lonlat_to_tile(lon, lat, z)
        if min(x % 1, 1 - x % 1, y % 1, 1 - y % 1) < 0.05:
            continue  # too near a tile edge to say which tile it is
        expect = tile_colour(z, int(x), int(y))
        assert pixel_at(img, view, lon, lat) == pytest.approx(expect, abs=3)
        checked += 1
    assert checked >= 3


def test_gcj02_tiles_are_shifted_back_to_wgs84(tmp_path):
    """A 高德-style tile set (drawn in GCJ-02) marks 运河 point P at its GCJ-02 position; drawn, the
    mark must sit on P's WGS84 position, ~500 m away from where an unshifted tile would put it."""
    lon, lat = 120.30, 30.15
    glon, glat = (float(np.ravel(v)[0]) for v in hcrs.wgs84_to_gcj02(np.array([lon]), np.array([lat])))
    z = 14
    fx, fy = gtiles.lonlat_to_tile(glon, glat, z)
    key = (z, int(fx), int(fy))
    dot = ((fx % 1) * 256, (fy % 1) * 256)
    neighbours = {(z, key[1] + dx, key[2] + dy): png_tile((250, 250, 250)) for dx in (-1, 0, 1) for dy in (-1, 0, 1)}
    neighbours[key] = png_tile((250, 250, 250), dot=dot)
    path = gtiles.write_mbtiles(tmp_path / "gcj.mbtiles", neighbours, datum="gcj02")
    source = gtiles.open_source(str(path))
    view = MapView.fit_wgs84((lon - 0.01, lat - 0.008, lon + 0.01, lat + 0.008), 600, 500)
    assert gtiles.zoom_for(view.res, lat, 14, 14) == 14
    img = render_layers([], view, RendererSet(), basemap=TileBasemap(source, wait=True))
    rgb = img.convertToFormat(QImage.Format.Format_RGB32)  # kept alive while its bits are read
    arr = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), -1, 4)[:, : rgb.width(), :3].max(axis=2)
    ys, xs = np.nonzero(arr < 60)
    assert len(xs) > 10
    px, py = view.to_pixels(*to_map(lon, lat))
    assert abs(xs.mean() - px) < 2.5 and abs(ys.mean() - py) < 2.5
    ux, uy = view.to_pixels(*to_map(glon, glat))  # where the unshifted tile would have put it
    assert np.hypot(ux - px, uy - py) * view.res > 300


def test_canvas_never_waits_for_the_tile_server(qtbot, tmp_path):
    server = TileServer()
    server.gate.clear()  # the server holds every answer
    try:
        project = empty_project(server.template)
        canvas = MapCanvas(project)
        qtbot.addWidget(canvas)
        canvas.resize(400, 300)
        canvas.set_extent(VIEW_EXTENT)
        canvas.render_now()  # returns at once although no tile has come
        qtbot.waitUntil(lambda: len(server.requests) > 0, timeout=5000)
        view = canvas.view()
        lon, lat = 120.3, 30.15
        z, x, y = tile_at(lon, lat, gtiles.zoom_for(view.res, lat))
        assert pixel_at(canvas._cache, view, lon, lat) != tile_colour(z, x, y)
        server.gate.set()  # the tiles arrive: the canvas redraws by itself
        qtbot.waitUntil(lambda: pixel_at(canvas._cache, canvas._cache_view, lon, lat)
                        == pytest.approx(tile_colour(z, x, y), abs=3), timeout=10000)
    finally:
        server.stop()


def test_unreachable_server_shows_the_offline_basemap_and_says_so_once(qtbot):
    server = TileServer()
    server.stop()
    project = empty_project(server.template)
    canvas = MapCanvas(project)
    qtbot.addWidget(canvas)
    canvas.resize(400, 300)
    canvas.set_extent(VIEW_EXTENT)
    messages = []
    canvas.statusMessage.connect(messages.append)
    canvas.show()
    qtbot.waitUntil(lambda: len(messages) == 1, timeout=20000)
    assert "unreachable" in messages[0].lower() or "无法" in messages[0]
    plain = MapCanvas(empty_project(None))  # what the vector basemap alone looks like
    qtbot.addWidget(plain)
    plain.resize(400, 300)
    plain.set_extent(VIEW_EXTENT)
    plain.render_now()
    canvas.render_now()
    assert canvas._cache == plain._cache
    canvas.refresh()
    qtbot.wait(300)
    assert len(messages) == 1


def test_cli_render_and_layout_with_local_tiles(tmp_path, capsys):
    mb = make_mbtiles(tmp_path / "t.mbtiles")
    gdf = gpd.GeoDataFrame({"name": ["西", "东"]}, geometry=[shapely.Point(120.1, 30.0), shapely.Point(120.5, 30.3)],
                           crs=4326)
    project = Project("瓦片")
    project.layers.append(VectorLayer("点", gdf))
    src = save_project(project, tmp_path / "p.hygis")
    out = tmp_path / "m.png"
    assert main(["render", str(src), "--tiles", str(mb), "--out", str(out), "--size", "600x400"]) == 0
    img = QImage(str(out))
    colours = {QColor(img.pixel(x, y)).getRgb()[:3] for x in range(0, 600, 25) for y in range(0, 400, 25)}
    tile_colours = {tile_colour(*k) for z in range(8, 13) for k in gtiles.tiles_covering(REGION, z)}
    assert len(colours & tile_colours) >= 2  # the tiles are the basemap
    server = TileServer()
    try:
        out_pdf = tmp_path / "l.pdf"
        assert main(["layout", str(src), "--tiles", server.template, "--scale", "100000", "--center", "120.3,30.15",
                     "--paper", "A4", "--out", str(out_pdf)]) == 0
        assert server.requests and out_pdf.stat().st_size > 0
    finally:
        server.stop()
    capsys.readouterr()
    assert main(["render", str(src), "--tiles", "ftp://nope/{z}/{x}/{y}", "--out", str(out)]) == 1
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_cli_with_an_unreachable_server_still_draws_and_says_so(tmp_path, capsys):
    server = TileServer()
    server.stop()
    src = save_project(empty_project(None), tmp_path / "p.hygis")
    out = tmp_path / "m.png"
    assert main(["render", str(src), "--tiles", server.template, "--out", str(out), "--size", "300x200"]) == 0
    assert "unreachable" in capsys.readouterr().err
    assert QImage(str(out)).width() == 300


def test_project_tile_source_is_used_by_exports(tmp_path):
    mb = make_mbtiles(tmp_path / "t.mbtiles")
    with_tiles = render_project(empty_project(str(mb)), (300, 200), VIEW_EXTENT, legend=False)
    without = render_project(empty_project(None), (300, 200), VIEW_EXTENT, legend=False)
    assert with_tiles != without
