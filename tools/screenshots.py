"""Screenshots of the desktop app for the README, and the cold-start time to the first drawn map.

Run under a virtual X server (what the README shows is what the app shows)::

    xvfb-run -a -s "-screen 0 1600x1000x24" python tools/screenshots.py
    xvfb-run -a python tools/screenshots.py --startup 5     # median seconds to first drawn map

Writes ``docs/screenshots/main_zh.png``, ``main_en.png``, ``style_dialog.png`` and
``identify.png`` from ``sample_projects/hangzhou_ningbo.hygis``.  The screenshots add
one raster layer derived from the sample project itself: the distance (km) from
each place to the nearest enclave site (飞地), written as a GeoTIFF and added through
the same ``hygis.io.load_layers`` path as File ▸ Add Layer.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from hygis.project.fileformat import open_project  # noqa: E402  (after the checkout is on the path)
SAMPLE = ROOT / "sample_projects" / "hangzhou_ningbo.hygis"
OUT = ROOT / "docs" / "screenshots"
SIZE = (1500, 920)


def enclave_distance_raster(project, path: Path, cell_deg: float = 0.01) -> Path:
    """GeoTIFF (EPSG:4326, float32, km) of the distance from each cell to the nearest enclave point."""
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin
    from scipy.spatial import cKDTree

    from hygis.geo import crs as hcrs

    enclaves = project.layers["飞地"].data
    x0, y0, x1, y1 = project.extent or project.full_extent()
    lons = np.arange(x0 + cell_deg / 2, x1, cell_deg)
    lats = np.arange(y1 - cell_deg / 2, y0, -cell_deg)
    grid_lon, grid_lat = np.meshgrid(lons, lats)
    to_m = hcrs.transformer(hcrs.WGS84, hcrs.MAP_CRS)
    gx, gy = to_m.transform(grid_lon.ravel(), grid_lat.ravel())
    ex, ey = to_m.transform(enclaves.geometry.x.to_numpy(), enclaves.geometry.y.to_numpy())
    dist_km, _ = cKDTree(np.column_stack([ex, ey])).query(np.column_stack([gx, gy]))
    data = (dist_km / 1000.0).reshape(grid_lon.shape).astype("float32")
    profile = dict(driver="GTiff", width=data.shape[1], height=data.shape[0], count=1, dtype="float32",
                   crs="EPSG:4326", transform=from_origin(x0, y1, cell_deg, cell_deg), nodata=-1.0)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def _wait(ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _settle(window) -> None:
    """Wait until the canvas has drawn the current view."""
    _wait(300)
    for _ in range(100):
        if not window.canvas.is_rendering():
            break
        _wait(50)
    _wait(200)


def take_screenshots(out_dir: Path = OUT) -> list[Path]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    tmp = Path(tempfile.mkdtemp(prefix="hygis-shots-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "settings"))
    from hygis.project.commands import AddLayer
    from hygis.io import load_layers
    from hygis.ui.app import create_app
    from hygis.ui.i18n import install_translator
    from hygis.ui.mainwindow import MainWindow
    from hygis.ui.settings import Settings

    app = create_app()
    out_dir.mkdir(parents=True, exist_ok=True)
    project = open_project(SAMPLE)
    raster = load_layers(enclave_distance_raster(project, tmp / "enclave_distance.tif"))[0]
    raster.name, raster.opacity = "到最近飞地距离 (km)", 0.55
    project.execute(AddLayer(project, raster, index=0))  # bottom: drawn under the thematic layers
    project.mark_clean()
    install_translator(app, "zh_CN")
    window = MainWindow(project, settings=Settings())
    window.resize(*SIZE)
    window.show()
    _settle(window)
    written = []

    def save(widget, name):
        path = out_dir / name
        widget.grab().save(str(path))
        written.append(path)

    window.canvas.cursorMoved.emit(121.55, 29.87)  # as if the mouse rested on Ningbo: status bar coordinates
    save(window, "main_zh.png")
    enclaves = project.layers["飞地"]
    in_ningbo = enclaves.data.index[enclaves.data["host_city"] == "宁波市"]
    fid = int(in_ningbo[0] if len(in_ningbo) else enclaves.data.index[0])
    window.set_tool("identify")
    window.canvas.featureClicked.emit(enclaves.id, fid)
    enclaves.selection = {fid}
    _settle(window)
    save(window, "identify.png")
    dialog = window.open_style_dialog(project.layers["生态海岸带"])
    _wait(300)
    save(dialog, "style_dialog.png")
    dialog.close()
    enclaves.selection = ()
    window.identify_panel.clear()
    window.set_tool("pan")
    install_translator(app, "en")
    window.canvas.cursorMoved.emit(121.55, 29.87)
    _settle(window)
    save(window, "main_en.png")
    project.mark_clean()
    window.close()
    window.canvas.dispose()
    QApplication.processEvents()
    return written


def startup_times(runs: int, lang: str = "zh_CN") -> list[float]:
    """Seconds from process start to the first drawn map of the sample project, one process per run."""
    env = dict(os.environ, HYGIS_STARTUP_TIMING="1", PYTHONPATH=str(ROOT))
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-m", "hygis", str(SAMPLE), "--lang", lang], env=env,
                             capture_output=True, text=True, timeout=60).stdout
        line = next((ln for ln in out.splitlines() if ln.startswith("first map frame after")), None)
        if line is None:
            raise SystemExit(f"no timing line in output: {out!r}")
        times.append(float(line.split()[4]))
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--startup", type=int, metavar="N", help="time N cold starts instead of taking screenshots")
    parser.add_argument("--out", type=Path, default=OUT, help="folder of the PNGs")
    args = parser.parse_args(argv)
    if args.startup:
        times = startup_times(args.startup)
        print("first drawn map after start (s):", " ".join(f"{t:.2f}" for t in times),
              f"| median {statistics.median(times):.2f}")
        return 0
    for path in take_screenshots(args.out):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
