"""Tile basemaps: XYZ/WMTS web tiles (OpenStreetMap, 天地图, 高德) and local MBTiles, with a disk cache.

A :class:`TileSource` answers ``tile(z, x, y) -> bytes | None`` for the tiles of its
:attr:`~TileSource.grid` (:mod:`hygis.geo.tilegrids`): the Web Mercator XYZ grid (y down)
unless the source says otherwise — 百度 tiles use Baidu's own BD-09 Mercator grid (y up),
WMTS sources (:mod:`hygis.geo.wmts`) the TileMatrixSet of their capabilities document.  Web sources fetch with :mod:`urllib` (never on the UI
thread: :meth:`WebSource.request` queues a fetch on a small thread pool and calls back)
and keep what they fetched in a size-capped disk cache under the user's cache folder,
so a project opens offline with the tiles it showed last.  A server that does not
answer marks the source *offline* (drawing falls back to the bundled vector basemap,
and the status line says so once).

Tiles of Chinese providers are in their datum: 高德 (Amap) tiles are drawn in GCJ-02
and are shifted back to WGS84 with :func:`hygis.geo.crs.gcj02_to_wgs84` when drawn
(``datum`` of the source); 百度 (Baidu) tiles are in BD-09 and its own grid.  天地图 tiles are CGCS2000 ≈ WGS84 and need the user's
token, which lives in the user settings, never in the project (``{token}`` in the
template is filled from the settings when the source is opened).

No Qt here (the drawing is :mod:`hygis.ui.render.tiles`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hygis.core.errors import HygisError
from hygis.geo import tilegrids

log = logging.getLogger(__name__)
USER_AGENT = "hygis/0.1 (desktop GIS; tile cache)"
DEFAULT_CACHE_MB = 300
TIMEOUT_S = 6.0
#: Consecutive failed fetches after which a web source counts as offline.
OFFLINE_AFTER = 3

#: Named providers: template, datum, max zoom, attribution.  ``{s}`` picks a sub-domain.
PROVIDERS = {
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "wgs84", 19, "© OpenStreetMap contributors"),
    "amap": ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
             "gcj02", 18, "© 高德地图 AutoNavi"),
    "amap-satellite": ("https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}", "gcj02", 18,
                       "© 高德地图 AutoNavi"),
    "tianditu": ("https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec"
                 "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={token}",
                 "wgs84", 18, "© 天地图 国家地理信息公共服务平台"),
    "tianditu-satellite": ("https://t{s}.tianditu.gov.cn/img_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                           "&LAYER=img&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
                           "&TILECOL={x}&tk={token}", "wgs84", 18, "© 天地图 国家地理信息公共服务平台"),
    "baidu": ("https://maponline{s}.bdimg.com/tile/?qt=vtile&x={x}&y={y}&z={z}&styles=pl&scaler=1&udt=20240101",
              "bd09", 19, "© 百度地图 Baidu"),
}
SUBDOMAINS = {"amap": "1234", "amap-satellite": "1234", "tianditu": "01234567", "tianditu-satellite": "01234567",
              "baidu": "0123"}
ALIASES = {"gaode": "amap", "高德": "amap", "天地图": "tianditu", "openstreetmap": "osm", "百度": "baidu"}
#: Datums a URL template or MBTiles file may declare (``#gcj02``; ``#bd09`` = Baidu's grid).
TILE_DATUMS = ("wgs84", "gcj02", "bd09")


# the XYZ tile arithmetic lives with the other grids (re-exported: tests and tools use it from here)
lonlat_to_tile, tile_to_lonlat = tilegrids.lonlat_to_tile, tilegrids.tile_to_lonlat
zoom_for, tiles_covering = tilegrids.zoom_for, tilegrids.tiles_covering


# -- sources ---------------------------------------------------------------------------------
class TileSource:
    """A tile pyramid: ``tile(z, x, y)`` gives the encoded image (PNG/JPEG/WebP bytes) or None."""

    datum = "wgs84"
    min_zoom, max_zoom = 0, 19
    attribution = ""
    offline = False

    def __init__(self, spec: str):
        self.spec = spec
        self._grid = None

    @property
    def grid(self) -> tilegrids.TileGrid:
        """Where the tiles lie (:mod:`hygis.geo.tilegrids`): XYZ Web Mercator unless told otherwise."""
        if self._grid is None or self._grid.datum != self.datum:
            self._grid = tilegrids.grid_for_datum(self.datum)
        return self._grid

    @grid.setter
    def grid(self, grid) -> None:
        self._grid = grid

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        raise NotImplementedError

    def cached(self, z: int, x: int, y: int) -> bytes | None:
        """The tile if it is at hand without network (default: same as :meth:`tile`)."""
        return self.tile(z, x, y)

    def fetch_all(self, keys) -> dict:
        """``{key: data}`` for the tiles ``keys`` (blocking; exports)."""
        return {key: self.tile(*key) for key in keys}

    def request(self, keys, callback) -> None:
        """Make the tiles ``keys`` available; ``callback(key, data)`` for each that arrived.

        Local sources have every tile at hand already, so there is nothing to wait for."""

    def close(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec!r})"


class MBTilesSource(TileSource):
    """A local ``.mbtiles`` file (SQLite; TMS row numbering is flipped to XYZ)."""

    def __init__(self, path):
        path = Path(path)
        super().__init__(str(path))
        if not path.is_file():
            raise HygisError("No such MBTiles file: {path}", path=path)
        self.path = path
        self._local = threading.local()
        try:
            meta = dict(self._con().execute("SELECT name, value FROM metadata").fetchall())
            zooms = self._con().execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
        except sqlite3.DatabaseError as exc:
            raise HygisError("{file} is not an MBTiles file: {reason}", file=path.name, reason=exc) from None
        if zooms[0] is None:
            raise HygisError("{file} holds no tiles", file=path.name)
        self.min_zoom = int(meta.get("minzoom", zooms[0]))
        self.max_zoom = int(meta.get("maxzoom", zooms[1]))
        self.attribution = str(meta.get("attribution", meta.get("name", path.stem)))
        self.datum = str(meta.get("hygis:datum", "wgs84")).lower()

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:  # one read-only connection per thread (sqlite objects stay in their thread)
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            self._local.con = con
        return con

    def tile(self, z, x, y):
        row = self._con().execute("SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                                  (int(z), int(x), (2 ** int(z)) - 1 - int(y))).fetchone()
        return bytes(row[0]) if row else None


class TileCache:
    """Tiles on disk under ``folder/<source hash>/z/x/y``, oldest removed beyond ``max_mb``."""

    def __init__(self, folder=None, max_mb: float = DEFAULT_CACHE_MB):
        if folder is None:
            from platformdirs import user_cache_dir

            folder = Path(user_cache_dir("hygis")) / "tiles"
        self.folder = Path(folder)
        self.max_bytes = int(max_mb * 1024 * 1024)
        self._lock = threading.Lock()
        self._since_prune = 0

    def path(self, source_key: str, z, x, y) -> Path:
        return self.folder / source_key / str(z) / str(x) / f"{y}.tile"

    def get(self, source_key: str, z, x, y) -> bytes | None:
        p = self.path(source_key, z, x, y)
        try:
            data = p.read_bytes()
        except OSError:
            return None
        try:
            os.utime(p)  # recently used: pruned last
        except OSError:
            pass
        return data

    def put(self, source_key: str, z, x, y, data: bytes) -> None:
        p = self.path(source_key, z, x, y)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            tmp = p.with_suffix(f".{threading.get_ident()}.part")
            tmp.write_bytes(data)
            os.replace(tmp, p)
        except OSError as exc:  # a full or read-only disk must not stop the map
            log.warning("tile cache: %s", exc)
            return
        with self._lock:
            self._since_prune += 1
            due = self._since_prune >= 50
            if due:
                self._since_prune = 0
        if due:
            self.prune()

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.folder.rglob("*.tile")) if self.folder.exists() else 0

    def prune(self) -> int:
        """Remove the least recently used tiles until the cache is under its cap; returns how many."""
        if not self.folder.exists():
            return 0
        files = [(f.stat().st_mtime, f.stat().st_size, f) for f in self.folder.rglob("*.tile")]
        total = sum(s for _, s, _ in files)
        removed = 0
        for _, size, f in sorted(files):
            if total <= self.max_bytes:
                break
            try:
                f.unlink()
                total -= size
                removed += 1
            except OSError:
                pass
        return removed


class WebSource(TileSource):
    """XYZ/WMTS tiles over HTTP(S) from a URL template with ``{z}``, ``{x}``, ``{y}`` (``{s}``, ``{token}``)."""

    def __init__(self, template: str, *, datum: str = "wgs84", max_zoom: int = 19, attribution: str = "",
                 subdomains: str = "abc", token: str | None = None, cache: TileCache | None = None,
                 timeout: float = TIMEOUT_S, name: str | None = None, grid=None, min_zoom: int = 0):
        super().__init__(name or template)
        for part in ("{z}", "{x}", "{y}"):
            if part not in template:
                raise HygisError("tile URL template must contain {{z}}, {{x}} and {{y}}: {template}",
                                 template=template)
        if not template.lower().startswith(("http://", "https://")):
            raise HygisError("tile URL must start with http:// or https://: {template}", template=template)
        if "{token}" in template and not token:
            raise HygisError("this tile service needs a token (天地图: set it in Preferences ▸ Tile basemap token)")
        self.template, self.datum, self.max_zoom, self.min_zoom = template, datum, int(max_zoom), int(min_zoom)
        if grid is not None:
            self.grid = grid
        self.attribution, self.subdomains, self.token = attribution, subdomains or "a", token or ""
        self.cache = cache if cache is not None else TileCache()
        self.timeout = timeout
        # the cache key hides the token (it never reaches the disk in a folder name)
        self.key = hashlib.sha1(template.encode("utf-8")).hexdigest()[:16]
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="hygis-tiles")
        self._inflight: set = set()
        self._absent: set = set()  # tiles the server does not have (404): not asked again
        self._lock = threading.Lock()
        self._failures = 0
        self.last_error = ""

    def url(self, z, x, y) -> str:
        s = self.subdomains[(x + y) % len(self.subdomains)]
        return (self.template.replace("{z}", self.grid.matrix_id(z)).replace("{x}", str(x)).replace("{y}", str(y))
                .replace("{s}", s).replace("{token}", self.token))

    def cached(self, z, x, y):
        return self.cache.get(self.key, z, x, y)

    def tile(self, z, x, y):
        """The tile from the cache, else fetched now (blocking: for exports, not the UI thread)."""
        data = self.cached(z, x, y)
        if data is None and not self.offline:
            data = self._fetch(z, x, y)
        return data

    def _fetch(self, z, x, y) -> bytes | None:
        req = urllib.request.Request(self.url(z, x, y), headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                data = resp.read(4 * 1024 * 1024)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:  # no tile there (sea, outside coverage): not a server failure
                with self._lock:
                    self._absent.add((z, x, y))
                return None
            self._failed(f"HTTP {exc.code}")
            return None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            self._failed(str(getattr(exc, "reason", exc)))
            return None
        with self._lock:
            self._failures = 0
            self.offline = False
        if data:
            self.cache.put(self.key, z, x, y, data)
        return data or None

    def _failed(self, why: str) -> None:
        with self._lock:
            self._failures += 1
            self.last_error = why
            if self._failures >= OFFLINE_AFTER and not self.offline:
                self.offline = True
                log.warning("tile server unreachable (%s): %s", why, self.template.split("?")[0])

    def fetch_all(self, keys) -> dict:
        """``{key: data}``: cached tiles, the rest fetched in parallel (blocking; exports, not the UI)."""
        keys = list(keys)
        return dict(zip(keys, self._pool.map(lambda k: self.tile(*k), keys)))

    def request(self, keys, callback) -> None:
        """Fetch the missing tiles ``keys`` in the background; ``callback(key, data)`` from a pool thread
        for each tile that arrived, and ``callback(key, None)`` once the server counts as unreachable."""
        if self.offline:
            return
        for key in keys:
            with self._lock:
                if key in self._inflight or key in self._absent:
                    continue
                self._inflight.add(key)
            self._pool.submit(self._fetch_then, key, callback)

    def _fetch_then(self, key, callback) -> None:
        try:
            data = None if self.offline else self._fetch(*key)
        finally:
            with self._lock:
                self._inflight.discard(key)
        if data is None and not self.offline:
            return  # nothing new to draw
        try:
            callback(key, data)  # a tile, or the news that the server is unreachable
        except Exception:  # a closed canvas must not break the pool
            log.debug("tile callback failed", exc_info=True)

    def retry(self) -> None:
        """Try the server again (after the network came back)."""
        with self._lock:
            self._failures, self.offline = 0, False

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def open_source(spec: str, *, token: str | None = None, cache: TileCache | None = None) -> TileSource:
    """A tile source from a project's or the command line's ``spec``.

    ``spec`` is a provider name (``osm``, ``amap``/``高德``, ``baidu``/``百度``,
    ``tianditu``/``天地图``, with ``-satellite`` variants), an XYZ URL template
    (``…/{z}/{x}/{y}.png``; append ``#gcj02`` for tiles drawn in GCJ-02, ``#bd09`` for
    tiles in Baidu's BD-09 grid), a WMTS capabilities document
    (:func:`hygis.geo.wmts.is_wmts_spec`: ``wmts:URL-or-file[#layer=…&set=…]``), or a path
    to an ``.mbtiles`` file.
    ``token`` (天地图) defaults to the ``HYGIS_TIANDITU_TOKEN`` environment variable; the
    GUI passes the one from the user settings.
    """
    spec = str(spec or "").strip()
    if not spec:
        raise HygisError("empty tile source")
    name = ALIASES.get(spec.lower(), ALIASES.get(spec, spec.lower()))
    token = token or os.environ.get("HYGIS_TIANDITU_TOKEN")
    if name in PROVIDERS:
        template, datum, max_zoom, attribution = PROVIDERS[name]
        return WebSource(template, datum=datum, max_zoom=max_zoom, attribution=attribution,
                         subdomains=SUBDOMAINS.get(name, "abc"), token=token, cache=cache, name=name,
                         min_zoom=3 if datum == "bd09" else 0)
    from hygis.geo import wmts

    if wmts.is_wmts_spec(spec):
        return WebSource(name=spec, cache=cache, subdomains="a", **wmts.resolve(spec, token=token, cache=cache))
    if spec.lower().endswith(".mbtiles"):
        return MBTilesSource(spec)
    datum = "wgs84"
    if "#" in spec:
        spec, frag = spec.rsplit("#", 1)
        if frag.lower() not in TILE_DATUMS:
            raise HygisError("tile datum '#{frag}': use #wgs84, #gcj02 or #bd09 (Baidu's tile grid)",
                             frag=frag)
        datum = frag.lower()
    if "{z}" in spec:
        return WebSource(spec, datum=datum, cache=cache, token=token)
    raise HygisError("tile source '{spec}': use osm, amap, baidu, tianditu, an XYZ URL with {{z}}/{{x}}/{{y}}, "
                     "a WMTS capabilities URL (wmts:URL) or an .mbtiles file",
                     spec=spec)


def write_mbtiles(path, tiles: dict, *, name: str = "tiles", fmt: str = "png", datum: str = "wgs84") -> Path:
    """Write ``{(z, x, y): bytes}`` (XYZ numbering) as an MBTiles file (for offline packs and tests)."""
    path = Path(path)
    con = sqlite3.connect(path)
    try:
        with con:
            con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
            con.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
                        "tile_data BLOB)")
            con.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
            zs = [k[0] for k in tiles] or [0]
            con.executemany("INSERT INTO metadata VALUES (?, ?)",
                            [("name", name), ("format", fmt), ("minzoom", str(min(zs))), ("maxzoom", str(max(zs))),
                             ("type", "baselayer"), ("hygis:datum", datum)])
            con.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                            [(z, x, (2 ** z) - 1 - y, sqlite3.Binary(data)) for (z, x, y), data in tiles.items()])
    finally:
        con.close()
    return path
