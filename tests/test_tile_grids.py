"""Baidu's tile grid and WMTS TileMatrixSets without Qt: BD-09 Mercator, tile numbering, capabilities."""

import math

import numpy as np
import pytest
from pyproj import Transformer

from hygis.core.errors import HygisError
from hygis.geo import crs as hcrs
from hygis.geo import tilegrids
from hygis.geo import tiles as gtiles
from tests.tilefixtures import tianditu_capabilities


def test_baidu_mercator_matches_baidus_published_point_and_inverts():
    # Baidu's own API converts 天安门 BD-09 (116.404, 39.915) to Baidu Mercator (12958175.00, 4825923.77)
    x, y = hcrs.bd09_to_bd09mc(116.404, 39.915)
    assert float(x) == pytest.approx(12958175.0, abs=0.5) and float(y) == pytest.approx(4825923.77, abs=0.5)
    rng = np.random.default_rng(1)
    lon, lat = rng.uniform(73, 135, 500), rng.uniform(3, 54, 500)
    back_lon, back_lat = hcrs.bd09mc_to_bd09(*hcrs.bd09_to_bd09mc(lon, lat))
    assert np.abs(back_lon - lon).max() < 1e-6 and np.abs(back_lat - lat).max() < 1e-5  # < 1 m
    # close to an ellipsoidal Mercator (EPSG:3395) but not equal: why the polynomials are needed
    ex, ey = Transformer.from_crs(4326, 3395, always_xy=True).transform(lon, lat)
    mx, my = hcrs.bd09_to_bd09mc(lon, lat)
    assert np.abs(my - ey).max() < 1000 and np.abs(my - ey).max() > 50


def test_baidu_grid_numbers_tiles_from_the_origin_with_rows_going_north():
    grid = tilegrids.BaiduGrid()
    lon, lat = 120.15, 30.25  # 西湖
    bx, by = hcrs.wgs84_to_bd09(lon, lat)
    mx, my = hcrs.bd09_to_bd09mc(bx, by)
    for z in (12, 15, 18):
        tx, ty = grid.tile_of(lon, lat, z)
        # level z: 2^(18−z) Baidu metres per pixel, 256-pixel tiles counted from (0, 0)
        assert tx == pytest.approx(float(mx) / (256 * 2 ** (18 - z)))
        assert ty == pytest.approx(float(my) / (256 * 2 ** (18 - z)))
        key = (z, int(tx), int(ty))
        clon, clat = grid.corners(key)  # top-left, top-right, bottom-right, bottom-left
        assert clat[0] > clat[3] and clon[1] > clon[0]  # top is north, right is east
        assert clon[0] <= lon <= clon[1] and clat[2] <= lat <= clat[1]
    keys = grid.plan((120.1, 30.2, 120.2, 30.3), 20.0, 3, 19, 300)
    z = keys[0][0]
    assert 2 ** (18 - z) * math.cos(math.radians(30.25)) == pytest.approx(20.0, rel=0.5)  # ground m / px
    assert keys[0][2] >= keys[-1][2]  # north row first
    assert (z, int(grid.tile_of(lon, lat, z)[0]), int(grid.tile_of(lon, lat, z)[1])) in keys


def test_baidu_source_by_name_and_by_template(tmp_path):
    src = gtiles.open_source("百度", cache=gtiles.TileCache(tmp_path))
    assert src.datum == "bd09" and isinstance(src.grid, tilegrids.BaiduGrid)
    assert "x=3300&y=820&z=14" in src.url(14, 3300, 820)
    custom = gtiles.open_source("http://127.0.0.1:9/bd/{z}/{x}/{y}.png#bd09", cache=gtiles.TileCache(tmp_path))
    assert isinstance(custom.grid, tilegrids.BaiduGrid)
    with pytest.raises(HygisError, match="bd09"):
        gtiles.open_source("http://127.0.0.1:9/{z}/{x}/{y}.png#bd08", cache=gtiles.TileCache(tmp_path))


def test_wmts_capabilities_give_the_tianditu_c_and_w_sets(tmp_path):
    caps = tmp_path / "WMTSCapabilities.xml"
    caps.write_bytes(tianditu_capabilities("http://127.0.0.1:9/vec_c/wmts?"))
    cache = gtiles.TileCache(tmp_path / "cache")
    c = gtiles.open_source(f"wmts:{caps}#layer=vec&set=c", cache=cache)
    assert c.grid.crs.to_epsg() == 4490 and c.grid.geographic
    first = c.grid.matrices[0]
    assert (first.left, first.top) == (-180.0, 90.0)  # written "90.0 -180.0": lat first, as EPSG:4490 says
    # 256 px × 2 tiles = 360°, although the 96-dpi ScaleDenominator read at OGC's 0.28 mm says 0.744°
    assert c.grid.pixel_size(0) == pytest.approx(0.703125)
    url = c.url(11, 3415, 700)  # level index 11 = TileMatrix "12"
    assert "TILEMATRIXSET=c" in url and "TILEMATRIX=12&TILEROW=700&TILECOL=3415" in url and "LAYER=vec" in url
    # the tile of a point, as 天地图's c set defines it: columns from 180°W, rows from 90°N
    deg = 256 * 0.703125 / 2 ** 11  # TileMatrix "12": 0.703125° / 2^11 per pixel
    keys = c.grid.plan((120.1, 30.2, 120.2, 30.3), 40.0, 0, 17, 300)
    assert (11, int((120.15 + 180) / deg), int((90 - 30.25) / deg)) in keys
    w = gtiles.open_source(f"{caps}", cache=cache)  # a ...WMTSCapabilities.xml file is recognised; w preferred
    assert w.grid.crs.to_epsg() == 3857 and w.grid.identifier == "w"
    assert (w.grid.matrices[0].left, w.grid.matrices[0].top) == pytest.approx((-20037508.34, 20037508.34))
    z = 11  # the w set's level index 11 is TileMatrix "12" = XYZ zoom 12
    lon, lat = w.grid.corners((z, 3415, 1686))
    xyz_lon, xyz_lat = gtiles.tile_to_lonlat(3415, 1686, 12)
    assert lon[0] == pytest.approx(xyz_lon) and lat[0] == pytest.approx(xyz_lat)


def test_wmts_errors_are_one_clear_message(tmp_path):
    caps = tmp_path / "WMTSCapabilities.xml"
    caps.write_bytes(tianditu_capabilities("http://127.0.0.1:9/vec_c/wmts?"))
    for spec, words in ((f"wmts:{caps}#layer=img", "img"), (f"wmts:{caps}#set=q", "'q'"),
                        (f"wmts:{caps}#zoom=3", "zoom"), (f"wmts:{tmp_path / 'none.xml'}", "No such"),
                        ("wmts:http://127.0.0.1:9/wmts?request=GetCapabilities", "not reachable")):
        with pytest.raises(HygisError, match=words):
            gtiles.open_source(spec, cache=gtiles.TileCache(tmp_path / "c"))
    (tmp_path / "bad_wmts.xml").write_text("<html>not it</html>")
    with pytest.raises(HygisError):
        gtiles.open_source(f"wmts:{tmp_path / 'bad_wmts.xml'}", cache=gtiles.TileCache(tmp_path / "c"))


def test_tianditu_wmts_url_gets_the_token_which_stays_out_of_the_template(tmp_path, monkeypatch):
    monkeypatch.delenv("HYGIS_TIANDITU_TOKEN", raising=False)
    with pytest.raises(HygisError, match="token"):
        gtiles.open_source("wmts:https://t0.tianditu.gov.cn/vec_c/wmts?request=GetCapabilities&service=wmts",
                           cache=gtiles.TileCache(tmp_path))


def test_wmts_rest_resource_url_and_carried_token(tmp_path):
    """A RESTful ResourceURL template wins over KVP; a token in the capabilities URL becomes {token}."""
    from tests.tilefixtures import TileServer

    rest = tianditu_capabilities("http://127.0.0.1:9/wmts?").decode("utf-8").replace(
        "<Format>tiles</Format>", '<Format>image/png</Format><ResourceURL format="image/png" resourceType="tile" '
        'template="http://127.0.0.1:9/rest/{Style}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.png"/>')
    caps = tmp_path / "rest_wmts.xml"
    caps.write_text(rest, encoding="utf-8")
    src = gtiles.open_source(f"wmts:{caps}#set=c", cache=gtiles.TileCache(tmp_path / "c"))
    assert src.url(11, 3415, 700) == "http://127.0.0.1:9/rest/default/c/12/700/3415.png"
    server = TileServer(capabilities=tianditu_capabilities("http://127.0.0.1:9/vec_c/wmts?"))
    try:
        url = f"{server.base}/vec_c/wmts?request=GetCapabilities&service=wmts&tk=SECRET42"
        src = gtiles.open_source(f"wmts:{url}", token="SECRET42", cache=gtiles.TileCache(tmp_path / "c2"))
        assert "tk={token}" in src.template and "SECRET42" not in src.template
        assert "tk=SECRET42" in src.url(11, 1, 1)
        assert "SECRET42" not in str(src.cache.path(src.key, 11, 1, 1))
    finally:
        server.stop()
    # offline: the capabilities kept in the cache open the source again
    again = gtiles.open_source(f"wmts:{url}", token="SECRET42", cache=gtiles.TileCache(tmp_path / "c2"))
    assert again.template == src.template
