"""Tile sources without Qt: tile arithmetic, MBTiles, a local HTTP tile server, the disk cache, offline."""

import math
import time

import pytest

from hygis.core.errors import HygisError
from hygis.geo import tiles as gtiles
from tests.tilefixtures import TileServer


def test_tile_arithmetic_round_trips_and_matches_the_osm_numbering():
    # 120.15°E 30.25°N at z=12: x = (120.15+180)/360·4096 = 3415.0; y = (1 − asinh(tan 30.25°)/π)/2·4096
    # = (1 − 0.55436/π)/2·4096 = 1686.6
    x, y = gtiles.lonlat_to_tile(120.15, 30.25, 12)
    assert (int(x), int(y)) == (3415, 1686)
    lon, lat = gtiles.tile_to_lonlat(x, y, 12)
    assert lon == pytest.approx(120.15) and lat == pytest.approx(30.25)
    # zoom whose 256-px tiles have pixels of ~res metres at that latitude
    px_m_z12 = 2 * math.pi * 6378137 * math.cos(math.radians(30)) / 256 / 4096  # 33.1 m
    assert gtiles.zoom_for(px_m_z12, 30.0) == 12 and gtiles.zoom_for(px_m_z12 / 2, 30.0) == 13
    assert gtiles.zoom_for(0.001, 30.0, hi=18) == 18
    assert len(gtiles.tiles_covering((120.0, 30.0, 120.3, 30.3), 10)) <= 4


def test_mbtiles_round_trip_flips_tms_rows(tmp_path):
    tiles = {(10, 853, 422): b"a", (10, 854, 422): b"b", (11, 1707, 844): b"c"}
    path = gtiles.write_mbtiles(tmp_path / "t.mbtiles", tiles, datum="gcj02")
    src = gtiles.open_source(str(path))
    assert isinstance(src, gtiles.MBTilesSource)
    assert (src.min_zoom, src.max_zoom, src.datum) == (10, 11, "gcj02")
    assert src.tile(10, 854, 422) == b"b" and src.tile(11, 1707, 844) == b"c"
    assert src.tile(10, 1, 1) is None


def test_bad_sources_are_one_clear_error(tmp_path):
    for spec in ("", "ftp://x/{z}/{x}/{y}", "http://example.com/tile.png", str(tmp_path / "none.mbtiles")):
        with pytest.raises(HygisError):
            gtiles.open_source(spec, cache=gtiles.TileCache(tmp_path))
    (tmp_path / "junk.mbtiles").write_bytes(b"not sqlite at all" * 10)
    with pytest.raises(HygisError):
        gtiles.open_source(str(tmp_path / "junk.mbtiles"))


def test_tianditu_needs_a_token_that_stays_out_of_the_cache_path(tmp_path, monkeypatch):
    monkeypatch.delenv("HYGIS_TIANDITU_TOKEN", raising=False)
    with pytest.raises(HygisError, match="token"):
        gtiles.open_source("天地图", cache=gtiles.TileCache(tmp_path))
    src = gtiles.open_source("tianditu", token="SECRET123", cache=gtiles.TileCache(tmp_path))
    assert "tk=SECRET123" in src.url(12, 3415, 1688) and "TILEMATRIX=12" in src.url(12, 3415, 1688)
    assert "SECRET" not in str(src.cache.path(src.key, 1, 2, 3))
    amap = gtiles.open_source("高德", cache=gtiles.TileCache(tmp_path))
    assert amap.datum == "gcj02" and "x=3415&y=1688&z=12" in amap.url(12, 3415, 1688)


def test_web_tiles_are_fetched_once_and_then_served_offline_from_the_disk_cache(tmp_path):
    server = TileServer()
    try:
        cache = gtiles.TileCache(tmp_path / "cache", max_mb=50)
        src = gtiles.open_source(server.template, cache=cache)
        keys = gtiles.tiles_covering((120.0, 30.0, 120.3, 30.3), 11)
        got = src.fetch_all(keys)
        assert all(got[k] and got[k].startswith(b"\x89PNG") for k in keys)
        assert len(server.requests) == len(keys)
        src.fetch_all(keys)
        assert len(server.requests) == len(keys)  # the second time from the cache
    finally:
        server.stop()
    # the server is gone: a new session (new source object, same cache folder) still has the tiles
    offline = gtiles.open_source(server.template, cache=gtiles.TileCache(tmp_path / "cache"))
    assert all(offline.tile(*k) for k in keys)


def test_unreachable_server_goes_offline_after_a_few_tries(tmp_path):
    server = TileServer()
    server.stop()  # nothing listens on that port any more
    src = gtiles.open_source(server.template, cache=gtiles.TileCache(tmp_path))
    src.timeout = 1.0
    got = src.fetch_all(gtiles.tiles_covering((120.0, 30.0, 120.3, 30.3), 12))
    assert got and all(v is None for v in got.values())
    assert src.offline and src.last_error
    calls = []
    src.request([(12, 1, 1)], lambda k, d: calls.append(k))
    time.sleep(0.2)
    assert calls == []  # offline: no more network attempts


def test_background_requests_call_back_from_another_thread(tmp_path):
    import threading

    server = TileServer()
    try:
        src = gtiles.open_source(server.template, cache=gtiles.TileCache(tmp_path))
        done, threads = threading.Event(), set()
        arrived = []

        def callback(key, data):
            arrived.append((key, data is not None))
            threads.add(threading.current_thread().name)
            if len(arrived) == 2:
                done.set()

        src.request([(10, 853, 422), (10, 854, 422), (10, 853, 422)], callback)  # duplicate asked once
        assert done.wait(10)
        assert sorted(arrived) == [((10, 853, 422), True), ((10, 854, 422), True)]
        assert threading.current_thread().name not in threads
    finally:
        server.stop()


def test_disk_cache_is_capped_oldest_first(tmp_path):
    cache = gtiles.TileCache(tmp_path, max_mb=0.01)  # ~10 kB
    for i in range(8):
        cache.put("k", 5, i, 0, bytes(3000))
        time.sleep(0.01)
    cache.prune()
    assert cache.size_bytes() <= 0.01 * 1024 * 1024
    assert cache.get("k", 5, 7, 0) is not None and cache.get("k", 5, 0, 0) is None
