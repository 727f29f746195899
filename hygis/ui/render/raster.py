"""Raster layer renderer: reads only the visible window at view resolution, colours it.

Single band: colour ramp with a min/max stretch (the style's vmin/vmax, else the band's
range).  3/4-band 8-bit rasters: RGB(A) as is.  Nodata and outside-the-raster pixels
are transparent; the layer opacity is applied by the map drawing.
"""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage

from hygis.layers.style import parse_color, ramp_colors
from hygis.ui.render.view import bounds_to_map


class RasterRenderer:
    """Draws one :class:`~hygis.layers.raster.RasterLayer`."""

    def __init__(self, layer):
        self.layer = layer
        self.stale_family = False
        self._lock = threading.Lock()
        self._map_bounds = None
        self._ranges: dict[int, tuple[float, float]] = {}
        layer.events.data.connect(self._on_data)

    def close(self) -> None:
        self.layer.events.data.disconnect(self._on_data)

    def _on_data(self, *_) -> None:
        with self._lock:
            self._map_bounds = None
            self._ranges.clear()

    def map_bounds(self):
        """The raster's bounds in canvas metres (cached)."""
        if self._map_bounds is None:
            self._map_bounds = bounds_to_map(self.layer.bounds)
        return self._map_bounds

    def is_rgb(self) -> bool:
        return self.layer.band_count in (3, 4) and str(self.layer.dtype) == "uint8"

    def _range(self, band: int) -> tuple[float, float]:
        st = self.layer.style
        if st.vmin is not None and st.vmax is not None:
            return float(st.vmin), float(st.vmax)
        if band not in self._ranges:
            self._ranges[band] = self.layer.band_range(band)
        lo, hi = self._ranges[band]
        return (lo if st.vmin is None else float(st.vmin)), (hi if st.vmax is None else float(st.vmax))

    def draw(self, painter, view, labels=None) -> None:
        """Read the part of the raster inside ``view`` at the view's pixel size and paint it."""
        with self._lock:
            window = self._window(view)
            if window is None:
                return
            (px0, py0, pw, ph), bounds = window
            data = self.layer.read_window(bounds, (pw, ph))
            rgba = self.colorize(data)
        img = QImage(rgba.data, pw, ph, pw * 4, QImage.Format.Format_RGBA8888).copy()
        painter.drawImage(QRectF(px0, py0, pw, ph), img)

    def _window(self, view):
        """Pixel rectangle (x, y, w, h) and map bounds of the raster's overlap with the view."""
        rx0, ry0, rx1, ry1 = self.map_bounds()
        vx0, vy0, vx1, vy1 = view.bounds
        x0, y0, x1, y1 = max(rx0, vx0), max(ry0, vy0), min(rx1, vx1), min(ry1, vy1)
        if x1 <= x0 or y1 <= y0:
            return None
        px0 = int(np.floor((x0 - vx0) / view.res))
        py0 = int(np.floor((vy1 - y1) / view.res))
        px1 = int(np.ceil((x1 - vx0) / view.res))
        py1 = int(np.ceil((vy1 - y0) / view.res))
        pw, ph = max(px1 - px0, 1), max(py1 - py0, 1)
        bx0, by1 = vx0 + px0 * view.res, vy1 - py0 * view.res
        return (px0, py0, pw, ph), (bx0, by1 - ph * view.res, bx0 + pw * view.res, by1)

    def colorize(self, data: np.ma.MaskedArray) -> np.ndarray:
        """(bands, h, w) masked array → (h, w, 4) uint8 RGBA, masked pixels transparent."""
        mask = np.ma.getmaskarray(data)
        _, h, w = data.shape
        out = np.zeros((h, w, 4), np.uint8)
        if self.is_rgb():
            arr = np.ma.getdata(data)
            out[..., :3] = np.moveaxis(arr[:3], 0, -1)
            out[..., 3] = arr[3] if data.shape[0] == 4 else 255
            out[mask[:3].any(axis=0), 3] = 0
            return out
        band = min(max(int(self.layer.style.band), 1), data.shape[0])
        vals = np.ma.getdata(data[band - 1]).astype(float)
        lo, hi = self._range(band)
        t = np.clip((vals - lo) / (hi - lo if hi > lo else 1.0), 0.0, 1.0)
        lut = np.array([parse_color(c) for c in ramp_colors(self.layer.style.ramp, 256)], np.uint8)
        out[:] = lut[np.nan_to_num(t * 255).astype(np.int64)]
        out[mask[band - 1] | ~np.isfinite(vals), 3] = 0
        return out
