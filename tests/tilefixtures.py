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


class TileServer:
    """``http://127.0.0.1:PORT/{z}/{x}/{y}.png`` serving :func:`tile_colour` tiles; counts requests;
    ``gate`` (an Event) can hold every answer until the test releases it."""

    def __init__(self):
        self.requests: list[str] = []
        self.gate = threading.Event()
        self.gate.set()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server API)
                server.requests.append(self.path)
                server.gate.wait(10)
                try:
                    z, x, y = (int(v) for v in self.path.strip("/").removesuffix(".png").split("/"))
                except ValueError:
                    self.send_error(404)
                    return
                body = png_tile(tile_colour(z, x, y))
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.template = f"http://127.0.0.1:{self.port}/{{z}}/{{x}}/{{y}}.png"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.gate.set()
        self.httpd.shutdown()
        self.httpd.server_close()
