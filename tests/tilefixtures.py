"""Local tile sources for tests: a generated MBTiles file and an HTTP tile server on 127.0.0.1."""

from __future__ import annotations

import http.server
import threading

from hygis.geo import tiles as gtiles

REGION = (120.0, 29.9, 120.6, 30.4)  # Hangzhou–Shaoxing


def tile_colour(z: int, x: int, y: int) -> tuple[int, int, int]:
    """A distinct colour per tile, so a pixel says which tile was drawn there."""
    return (40 + (x * 37) % 200, 40 + (y * 53) % 200, 60 + (z * 20) % 180)


def png_tile(rgb, size: int = 256, dot=None) -> bytes:
    """A solid PNG tile (Qt), optionally with a 9×9 black dot centred on pixel ``dot``."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    img = QImage(size, size, QImage.Format.Format_RGB32)
    img.fill(QColor(*rgb))
    if dot is not None:
        for dx in range(-4, 5):
            for dy in range(-4, 5):
                px, py = int(dot[0]) + dx, int(dot[1]) + dy
                if 0 <= px < size and 0 <= py < size:
                    img.setPixelColor(px, py, QColor(0, 0, 0))
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    buf.close()
    return bytes(data.data())


def region_tiles(zooms=range(8, 13), region=REGION) -> list[tuple[int, int, int]]:
    return [k for z in zooms for k in gtiles.tiles_covering(region, z)]


def make_mbtiles(path, zooms=range(8, 13), datum="wgs84"):
    tiles = {k: png_tile(tile_colour(*k)) for k in region_tiles(zooms)}
    return gtiles.write_mbtiles(path, tiles, name="test tiles", datum=datum)


def _key_of(path: str):
    """(z, x, y) from a tile request: ``/z/x/y.png``, Baidu's ``?x=&y=&z=`` or WMTS KVP GetTile."""
    import urllib.parse

    parts = urllib.parse.urlsplit(path)
    q = {k.lower(): v for k, v in urllib.parse.parse_qsl(parts.query)}
    if "tilematrix" in q:
        return int(q["tilematrix"]), int(q["tilecol"]), int(q["tilerow"])
    if {"x", "y", "z"} <= set(q):
        return int(q["z"]), int(q["x"]), int(q["y"])
    z, x, y = (int(v) for v in parts.path.strip("/").removesuffix(".png").split("/")[-3:])
    return z, x, y


class TileServer:
    """``http://127.0.0.1:PORT/{z}/{x}/{y}.png`` serving :func:`tile_colour` tiles; counts requests;
    ``gate`` (an Event) can hold every answer until the test releases it.

    Also answers Baidu-style (``/baidu/?qt=vtile&x=…&y=…&z=…``) and WMTS KVP GetTile requests
    (``TILEMATRIX`` = z, ``TILECOL`` = x, ``TILEROW`` = y) with the same tiles, and serves
    ``capabilities`` (bytes) for a GetCapabilities request.  ``dots`` maps a key to the tile
    pixel where that tile carries a black dot."""

    def __init__(self, dots=None, capabilities: bytes | None = None):
        self.requests: list[str] = []
        self.gate = threading.Event()
        self.gate.set()
        self.dots = dict(dots or {})
        self.capabilities = capabilities
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server API)
                server.requests.append(self.path)
                server.gate.wait(10)
                if "getcapabilities" in self.path.lower() and server.capabilities is not None:
                    self._send(server.capabilities, "application/xml")
                    return
                try:
                    z, x, y = _key_of(self.path)
                except ValueError:
                    self.send_error(404)
                    return
                self._send(png_tile(tile_colour(z, x, y), dot=server.dots.get((z, x, y))), "image/png")

            def _send(self, body, kind):
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.template = f"{self.base}/{{z}}/{{x}}/{{y}}.png"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.gate.set()
        self.httpd.shutdown()
        self.httpd.server_close()


#: 天地图's TileMatrixSets: "c" (CGCS2000 lon/lat, EPSG:4490) and "w" (Web Mercator), levels 1–18.
#: Its documents give both sets this level-1 ScaleDenominator, computed for 96-dpi pixels (0.703125° and
#: 78271.5 m per pixel), where OGC's 0.28 mm pixel would make it 2.7954e8.
TIANDITU_SCALE_1 = 2.958293554545656e8


def tianditu_capabilities(get_url: str, layer: str = "vec", sets=("c", "w"), levels=range(1, 19)) -> bytes:
    """A WMTS capabilities document shaped like 天地图's (``vec_c``/``vec_w``): KVP GetTile at
    ``get_url``, format ``tiles``, its 96-dpi scale denominators, the ``c`` set's TopLeftCorner lat
    first and the ``w`` set's as (20037508, −20037508), all as 天地图's documents have them."""
    matrix_sets = []
    for s in sets:
        mats = []
        for level in levels:
            if s == "c":
                scale, corner, mw, mh = TIANDITU_SCALE_1 / 2 ** (level - 1), "90.0 -180.0", 2 ** level, \
                    2 ** (level - 1)
                crs = "urn:ogc:def:crs:EPSG::4490"
            else:
                scale, corner, mw, mh = TIANDITU_SCALE_1 / 2 ** (level - 1), \
                    "20037508.3427892 -20037508.3427892", 2 ** level, 2 ** level  # sic: as 天地图 writes it
                crs = "urn:ogc:def:crs:EPSG::900913"
            mats.append(f"""<TileMatrix><ows:Identifier>{level}</ows:Identifier>
<ScaleDenominator>{scale!r}</ScaleDenominator><TopLeftCorner>{corner}</TopLeftCorner>
<TileWidth>256</TileWidth><TileHeight>256</TileHeight><MatrixWidth>{mw}</MatrixWidth>
<MatrixHeight>{mh}</MatrixHeight></TileMatrix>""")
        matrix_sets.append(f"""<TileMatrixSet><ows:Identifier>{s}</ows:Identifier>
<ows:SupportedCRS>{crs}</ows:SupportedCRS>{''.join(mats)}</TileMatrixSet>""")
    links = "".join(f"<TileMatrixSetLink><TileMatrixSet>{s}</TileMatrixSet></TileMatrixSetLink>" for s in sets)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1"
 xmlns:xlink="http://www.w3.org/1999/xlink" version="1.0.0">
<ows:ServiceIdentification><ows:Title>在线地图服务</ows:Title><ows:ServiceType>OGC WMTS</ows:ServiceType>
<ows:ServiceTypeVersion>1.0.0</ows:ServiceTypeVersion></ows:ServiceIdentification>
<ows:OperationsMetadata><ows:Operation name="GetCapabilities"><ows:DCP><ows:HTTP>
<ows:Get xlink:href="{get_url}"><ows:Constraint name="GetEncoding"><ows:AllowedValues><ows:Value>KVP</ows:Value>
</ows:AllowedValues></ows:Constraint></ows:Get></ows:HTTP></ows:DCP></ows:Operation>
<ows:Operation name="GetTile"><ows:DCP><ows:HTTP><ows:Get xlink:href="{get_url}"><ows:Constraint name="GetEncoding">
<ows:AllowedValues><ows:Value>KVP</ows:Value></ows:AllowedValues></ows:Constraint></ows:Get></ows:HTTP></ows:DCP>
</ows:Operation></ows:OperationsMetadata>
<Contents><Layer><ows:Title>{layer}</ows:Title><ows:Abstract>{layer}</ows:Abstract><ows:Identifier>{layer}</ows:Identifier>
<ows:WGS84BoundingBox><ows:LowerCorner>-180.0 -90.0</ows:LowerCorner><ows:UpperCorner>180.0 90.0</ows:UpperCorner>
</ows:WGS84BoundingBox><Style isDefault="true"><ows:Identifier>default</ows:Identifier></Style>
<Format>tiles</Format>{links}</Layer>{''.join(matrix_sets)}</Contents></Capabilities>""".encode("utf-8")
