"""百度 tiles (BD-09, Baidu's own grid) and WMTS tiles (天地图's c and w sets) drawn in the right place,
from a local HTTP server whose tiles say which (z, x, y) they are."""

import math

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
from hygis.ui.render.bridge import RendererSet
from hygis.ui.render.mapdraw import render_layers
from hygis.ui.render.tiles import TileBasemap
from hygis.ui.render.view import MapView, to_map
from tests.tilefixtures import TileServer, tianditu_capabilities, tile_colour
from tests.ui.fixtures_window import isolated_settings, main_window, small_project  # noqa: F401 (fixtures)

P = (120.30, 30.15)  # 钱塘江 south bank


@pytest.fixture(autouse=True)
def isolated_cache(qapp, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("HYGIS_TIANDITU_TOKEN", raising=False)


def rgb_at(img: QImage, view: MapView, lon, lat):
    px, py = view.to_pixels(*to_map(lon, lat))
    return QColor(img.pixel(int(px), int(py))).getRgb()[:3]


def dark_centre(img: QImage):
    rgb = img.convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), -1, 4)[:, : rgb.width(), :3].max(axis=2)
    ys, xs = np.nonzero(arr < 30)
    return xs, ys


def baidu_tile_and_pixel(lon, lat, z):
    """Baidu's tile of a WGS84 point and the point's pixel in it, from its definition:
    BD-09 → Baidu Mercator, 2^(18−z) m per pixel, tiles from (0, 0), rows counted up."""
    mx, my = (float(v) for v in hcrs.bd09_to_bd09mc(*hcrs.wgs84_to_bd09(lon, lat)))
    res = 2.0 ** (18 - z)
    fx, fy = mx / res / 256, my / res / 256
    return (z, int(fx), int(fy)), ((fx % 1) * 256, (1 - fy % 1) * 256)


def test_baidu_tiles_land_where_their_bd09_coordinates_say(tmp_path):
    lon, lat = P
    view = MapView.fit_wgs84((lon - 0.012, lat - 0.009, lon + 0.012, lat + 0.009), 640, 480)
    z = round(18 - math.log2(view.res / math.cos(math.radians(lat))))
    key, dot = baidu_tile_and_pixel(lon, lat, z)
    server = TileServer(dots={key: dot})
    try:
        source = gtiles.open_source(f"{server.base}/baidu/?qt=vtile&x={{x}}&y={{y}}&z={{z}}&styles=pl#bd09",
                                    cache=gtiles.TileCache(tmp_path / "c"))
        img = render_layers([], view, RendererSet(), basemap=TileBasemap(source, wait=True))
        assert any(f"x={key[1]}&y={key[2]}&z={key[0]}" in r for r in server.requests)
    finally:
        server.stop()
    img.save(str(tmp_path / "baidu.png"))
    # the dot the server drew at P's Baidu position sits on P's WGS84 position
    xs, ys = dark_centre(img)
    assert len(xs) > 10
    px, py = view.to_pixels(*to_map(lon, lat))
    assert abs(xs.mean() - px) < 2.5 and abs(ys.mean() - py) < 2.5
    # BD-09 is ~ 700 m off WGS84 here: drawing the tile without the shift would miss by that much
    blon, blat = (float(v) for v in hcrs.wgs84_to_bd09(lon, lat))
    ux, uy = view.to_pixels(*to_map(blon, blat))
    assert np.hypot(ux - px, uy - py) * view.res > 500
    # and every tile is in its place: the colour at a point is the colour of the tile Baidu numbers for it
    checked = 0
    for plon, plat in ((lon - 0.009, lat - 0.006), (lon + 0.009, lat + 0.006), (lon - 0.009, lat + 0.006),
                       (lon + 0.009, lat - 0.006)):
        (kz, kx, ky), (tx, ty) = baidu_tile_and_pixel(plon, plat, z)
        if min(tx, 256 - tx, ty, 256 - ty) < 8:
            continue
        assert rgb_at(img, view, plon, plat) == pytest.approx(tile_colour(kz, kx, ky), abs=3)
        checked += 1
    assert checked >= 2


def wmts_server(tmp_path, dots=None):
    server = TileServer(dots=dots)
    server.capabilities = tianditu_capabilities(f"{server.base}/vec_c/wmts?")
    return server


def test_tianditu_c_set_from_wmts_capabilities_is_drawn_in_place(tmp_path):
    """天地图's CGCS2000 lon/lat set: columns of 0.703125°/2^(L−1) per pixel from 180°W, rows from 90°N."""
    lon, lat = P
    level = 15  # TileMatrix "15"
    deg_px = 0.703125 / 2 ** (level - 1)
    fx, fy = (lon + 180) / deg_px / 256, (90 - lat) / deg_px / 256
    key = (level, int(fx), int(fy))
    server = wmts_server(tmp_path, dots={key: ((fx % 1) * 256, (fy % 1) * 256)})
    try:
        spec = f"wmts:{server.base}/vec_c/wmts?request=GetCapabilities&service=wmts#layer=vec&set=c"
        source = gtiles.open_source(spec, cache=gtiles.TileCache(tmp_path / "c"))
        ground_m = deg_px * 111319.49 * math.cos(math.radians(lat))
        centred = MapView.fit_wgs84((lon - 0.01, lat - 0.008, lon + 0.01, lat + 0.008), 600, 500)
        view = MapView(centred.cx, centred.cy, ground_m, 600, 500)  # one screen pixel per tile pixel
        img = render_layers([], view, RendererSet(), basemap=TileBasemap(source, wait=True))
        tile_requests = [r for r in server.requests if "GetTile" in r]
    finally:
        server.stop()
    img.save(str(tmp_path / "wmts_c.png"))
    assert tile_requests and all("TILEMATRIXSET=c" in r for r in tile_requests)
    asked = {int(r.split("TILEMATRIX=")[1].split("&")[0]) for r in tile_requests}
    assert asked == {level}, asked
    xs, ys = dark_centre(img)
    assert len(xs) > 10
    px, py = view.to_pixels(*to_map(lon, lat))
    assert abs(xs.mean() - px) < 2.5 and abs(ys.mean() - py) < 2.5
    for plon, plat in ((lon - 0.008, lat - 0.006), (lon + 0.008, lat + 0.006)):
        cx, cy = (plon + 180) / deg_px / 256, (90 - plat) / deg_px / 256
        if min(cx % 1, 1 - cx % 1, cy % 1, 1 - cy % 1) * 256 < 8:
            continue
        assert rgb_at(img, view, plon, plat) == pytest.approx(tile_colour(level, int(cx), int(cy)), abs=3)


def test_cli_render_takes_a_wmts_capabilities_url(tmp_path, capsys):
    gdf = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(*P)], crs=4326)
    project = Project("天地图")
    project.layers.append(VectorLayer("点", gdf))
    src = save_project(project, tmp_path / "p.hygis")
    server = wmts_server(tmp_path)
    try:
        out = tmp_path / "m.png"
        url = f"{server.base}/vec_c/wmts?request=GetCapabilities&service=wmts"
        assert main(["render", str(src), "--tiles", f"wmts:{url}#set=w", "--out", str(out), "--size", "400x300"]) == 0
        tiles = [r for r in server.requests if "GetTile" in r]
        assert tiles and all("TILEMATRIXSET=w" in r for r in tiles)
        # the w set is the XYZ grid: TileMatrix L, TILECOL/TILEROW are XYZ zoom L's x/y
        img = QImage(str(out))
        colours = {QColor(img.pixel(x, y)).getRgb()[:3] for x in range(0, 400, 20) for y in range(0, 300, 20)}
        keys = set()
        for r in tiles:
            q = dict(p.split("=", 1) for p in r.split("?", 1)[1].split("&"))
            keys.add((int(q["TILEMATRIX"]), int(q["TILECOL"]), int(q["TILEROW"])))
        z = max(k[0] for k in keys)
        x, y = gtiles.lonlat_to_tile(*P, z)
        assert (z, int(x), int(y)) in keys  # the XYZ tile of the point, asked by its TileMatrix/Col/Row
        assert colours & {tile_colour(*k) for k in keys}
    finally:
        server.stop()
    capsys.readouterr()
    assert main(["render", str(src), "--tiles", f"wmts:{tmp_path / 'no_wmts.xml'}", "--out", str(out)]) == 1
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_wmts_dialog_lists_layers_and_sets_and_sets_the_project_source(qtbot, tmp_path, isolated_settings,
                                                                        main_window):
    from hygis.ui.i18n import install_translator
    from hygis.ui.wmts_dialog import WmtsDialog
    from PySide6.QtWidgets import QApplication

    w = main_window
    server = wmts_server(tmp_path)
    try:
        url = f"{server.base}/vec_c/wmts?request=GetCapabilities&service=wmts"
        dialog = WmtsDialog(w, url)
        qtbot.addWidget(dialog)
        assert [dialog.layer_box.itemData(i) for i in range(dialog.layer_box.count())] == ["vec"]
        sets = [dialog.set_box.itemText(i) for i in range(dialog.set_box.count())]
        assert sets[0].startswith("c — EPSG:4490") and sets[1].startswith("w — EPSG:3857"), sets
        dialog.choose("vec", "c")
        assert dialog.spec() == f"wmts:{url}#layer=vec&set=c"
        assert w.cartography.choose_wmts(dialog)
        assert w.project.tile_source == dialog.spec() and w.cartography.act_tiles_wmts.isChecked()
        w.canvas.set_extent((120.2, 30.1, 120.4, 30.2))
        w.canvas.render_now()
        qtbot.waitUntil(lambda: any("GetTile" in r and "TILEMATRIXSET=c" in r for r in server.requests), timeout=5000)
        w.project.undo()
        assert w.project.tile_source is None
        bad = WmtsDialog(w, str(tmp_path / "missing_wmts.xml"))
        qtbot.addWidget(bad)
        assert "No such" in bad.message.text() and bad.spec() is None
        install_translator(QApplication.instance(), "zh_CN")
        qtbot.waitUntil(lambda: bad.windowTitle() == "WMTS 瓦片底图", timeout=3000)
        assert w.cartography.act_tiles_wmts.text() == "WMTS 服务…"
        assert "百度" in w.cartography.tile_actions["baidu"].text()
    finally:
        server.stop()


def test_baidu_in_the_tile_menu(main_window):
    w = main_window
    w.cartography.tile_actions["baidu"].trigger()
    assert w.project.tile_source == "baidu" and w.cartography.tile_actions["baidu"].isChecked()
