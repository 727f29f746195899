"""Raster layers: a GDAL raster (via rasterio) kept as bytes so a project file is self-contained.

The raster is embedded in the project (offline users get everything) and read
through a rasterio ``MemoryFile``.  :meth:`RasterLayer.read_window` reads only
what a view needs, reprojected to the requested CRS at the requested size.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from hygis.geo import crs as hcrs
from hygis.core.errors import HygisError
from hygis.layers.style import RAMPS
from hygis.layers.vector import Layer

#: Largest raster accepted (bytes of the file and pixels of the grid): hostile files cannot exhaust memory.
MAX_RASTER_BYTES = 512 * 1024 * 1024
MAX_RASTER_PIXELS = 2_000_000_000


@dataclass
class RasterStyle:
    ramp: str = "terrain"
    vmin: float | None = None  # None: the band's minimum
    vmax: float | None = None
    band: int = 1

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "RasterStyle":
        if not isinstance(d, dict):
            raise HygisError("raster style must be an object")
        try:
            st = cls(ramp=str(d.get("ramp", "terrain")),
                     vmin=None if d.get("vmin") is None else float(d["vmin"]),
                     vmax=None if d.get("vmax") is None else float(d["vmax"]),
                     band=int(d.get("band", 1)))
        except (TypeError, ValueError) as exc:
            raise HygisError("invalid raster style: {reason}", reason=exc) from None
        if st.ramp not in RAMPS:
            st.ramp = "terrain"
        return st


class RasterLayer(Layer):
    kind = "raster"

    def __init__(self, name: str, content: bytes, style: RasterStyle | None = None, visible: bool = True,
                 opacity: float = 1.0, source: str = "", layer_id: str | None = None):
        super().__init__(name, visible, opacity, layer_id)
        if len(content) > MAX_RASTER_BYTES:
            raise HygisError("Raster '{name}' is larger than {value} MiB",
                             name=name, value=MAX_RASTER_BYTES // 2 ** 20)
        self.content = bytes(content)
        self.source = source
        self.style = style or RasterStyle()
        self._memfile = None
        self._dataset = None
        # One GDAL dataset handle serves every thread (canvas render workers, compare views, analyses,
        # the UI thread; shadow layers share it too) and a GDAL dataset is not thread-safe: concurrent
        # reads of one handle crash the process. Every use of the handle holds this lock.
        self._io_lock = threading.RLock()
        self._inspect()

    @classmethod
    def from_file(cls, path: str | Path, name: str | None = None, **kw) -> "RasterLayer":
        path = Path(path)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise HygisError("Cannot read {path}: {strerror}", path=path, strerror=exc.strerror) from None
        if size > MAX_RASTER_BYTES:
            raise HygisError("{file} is larger than {value} MiB",
                             file=path.name, value=MAX_RASTER_BYTES // 2 ** 20)
        return cls(name or path.stem, path.read_bytes(), source=str(path.name), **kw)

    def _open(self):
        """The dataset handle; use it only while holding ``self._io_lock``."""
        import rasterio
        from rasterio.io import MemoryFile

        with self._io_lock:
            if self._dataset is None:
                try:
                    self._memfile = MemoryFile(self.content)
                    self._dataset = self._memfile.open()
                except rasterio.errors.RasterioError as exc:
                    raise HygisError("Raster '{self_name}' cannot be read: {reason}",
                                     self_name=self.name, reason=exc) from None
            return self._dataset

    def _inspect(self) -> None:
        with self._io_lock:
            self._inspect_locked()

    def _inspect_locked(self) -> None:
        ds = self._open()
        if ds.crs is None:
            raise HygisError("Raster '{self_name}' has no coordinate reference system", self_name=self.name)
        if ds.width * ds.height * ds.count > MAX_RASTER_PIXELS or ds.width <= 0 or ds.height <= 0:
            raise HygisError("Raster '{self_name}' has an absurd size ({width}×{height}×{count})",
                             self_name=self.name, width=ds.width, height=ds.height, count=ds.count)
        self.crs = ds.crs.to_string()
        self.band_count = ds.count
        self.width, self.height = ds.width, ds.height
        self.nodata = ds.nodata
        self.dtype = ds.dtypes[0]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Bounds in WGS84 degrees (west, south, east, north), ordered also for south-up rasters."""
        from rasterio.warp import transform_bounds

        with self._io_lock:
            ds = self._open()
            left, bottom, right, top = ds.bounds
            crs = ds.crs
        box = (min(left, right), min(bottom, top), max(left, right), max(bottom, top))
        return tuple(transform_bounds(crs, hcrs.WGS84, *box))

    @property
    def feature_count(self) -> int:
        return 0

    def read_window(self, bounds, size: tuple[int, int], dst_crs: str = hcrs.MAP_CRS,
                    resampling: str = "bilinear") -> np.ma.MaskedArray:
        """Read the raster reprojected into ``bounds`` (xmin, ymin, xmax, ymax in ``dst_crs``) at
        ``size`` (width, height) pixels; returns a masked (bands, h, w) array (nodata masked).

        Uses the file's overviews when the view is coarser than the data (GDAL picks them).
        """
        from rasterio.enums import Resampling
        from rasterio.transform import from_bounds
        from rasterio.vrt import WarpedVRT

        w, h = int(size[0]), int(size[1])
        if w <= 0 or h <= 0 or w * h > 50_000_000:
            raise HygisError("invalid raster read size")
        transform = from_bounds(*bounds, w, h)
        with self._io_lock:
            ds = self._open()
            nodata, count = ds.nodata, ds.count
            with WarpedVRT(ds, crs=dst_crs, transform=transform, width=w, height=h,
                           resampling=getattr(Resampling, resampling), src_nodata=nodata,
                           nodata=nodata if nodata is not None else 0, add_alpha=nodata is None) as vrt:
                data = vrt.read(masked=True)
        if nodata is None and data.shape[0] > count:  # alpha band marks outside the raster
            alpha = data[-1].filled(0)
            data = np.ma.array(data[:-1], mask=np.broadcast_to(alpha == 0, data[:-1].shape))
        return data

    def band_range(self, band: int = 1) -> tuple[float, float]:
        with self._io_lock:
            ds = self._open()
            ov = ds.read(band, out_shape=(min(ds.height, 512), min(ds.width, 512)), masked=True)
        if ov.count() == 0:
            return 0.0, 1.0
        return float(ov.min()), float(ov.max())

    def close(self) -> None:
        with self._io_lock:
            if self._dataset is not None:
                self._dataset.close()
                self._memfile.close()
                self._dataset = self._memfile = None

    def __repr__(self) -> str:
        return f"<RasterLayer {self.name!r} {self.width}x{self.height}x{self.band_count}>"
