"""The sample project drawn by hygis and by QGIS 3.22 (from the .hygis alone), side by side.

Usage (hygis' environment; QGIS' Python is called for the right half)::

    python tools/qgis_side_by_side.py [--project sample_projects/hangzhou_ningbo.hygis]
        [--out docs/screenshots/qgis_side_by_side.png] [--qgis-python /usr/bin/python3]

Both halves show the same extent in EPSG:4549 at the same size over hygis' basemap; QGIS opens
every layer by its path and styles it from the file's ``layer_styles`` table by itself.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def map_bounds(project, size) -> tuple[float, float, float, float]:
    """The EPSG:4549 extent hygis draws for ``project`` at ``size`` (what paint_map computes)."""
    from hygis.ui.render.view import MapView

    extent = project.extent or project.full_extent()
    return MapView.fit_wgs84(extent, size[0], size[1], margin=0.03).bounds


def hygis_image(project, size, out: Path) -> None:
    from hygis.ui.render.mapdraw import BACKGROUND, render_project  # noqa: F401 - same sea colour in QGIS

    extent = project.extent or project.full_extent()
    img = render_project(project, size, extent, legend=False, scalebar=False, north_arrow=False)
    if not img.save(str(out)):
        raise SystemExit(f"cannot write {out}")


def basemap_qml(folder: Path) -> Path:
    """hygis' basemap cartography as QGIS styles (the same QML writer as the project's layers)."""
    from hygis.geo.basemap import BASEMAP_LEVELS, basemap_layers
    from hygis.project.qgis_style import layer_qml

    for level, layer in zip(BASEMAP_LEVELS, basemap_layers()):
        (folder / f"{level}.qml").write_text(layer_qml(layer), encoding="utf-8")
    return folder


def qgis_image(python: str, project_path: Path, bounds, size, out: Path, basemap: Path | None) -> None:
    cmd = [python, str(ROOT / "tools" / "qgis_render.py"), str(project_path), "--png", str(out),
           "--bounds", ",".join(f"{v:.3f}" for v in bounds), "--size", f"{size[0]}x{size[1]}"]
    if basemap is not None:
        cmd += ["--basemap", str(basemap), "--basemap-qml", str(basemap_qml(out.parent))]
    subprocess.run(cmd, check=True, env={**os.environ, "PYTHONPATH": ""})


def compose(left: Path, right: Path, out: Path, captions) -> None:
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter

    a, b = QImage(str(left)), QImage(str(right))
    bar, gap = 44, 12
    img = QImage(a.width() + b.width() + gap, max(a.height(), b.height()) + bar, QImage.Format.Format_RGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    try:
        from hygis.ui.fonts import cjk_family

        family = cjk_family()
    except Exception:  # noqa: BLE001 - the caption font is cosmetic
        family = QFont().family()
    font = QFont(family)
    font.setPixelSize(22)
    p.setFont(font)
    for x, image, caption in ((0, a, captions[0]), (a.width() + gap, b, captions[1])):
        p.drawImage(x, bar, image)
        p.drawText(QRectF(x, 0, image.width(), bar), Qt.AlignmentFlag.AlignCenter, caption)
    p.end()
    out.parent.mkdir(parents=True, exist_ok=True)
    img.save(str(out))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", default=str(ROOT / "sample_projects" / "hangzhou_ningbo.hygis"))
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots" / "qgis_side_by_side.png"))
    parser.add_argument("--qgis-python", default="/usr/bin/python3")
    parser.add_argument("--size", default="900x640")
    args = parser.parse_args(argv)
    from PySide6.QtWidgets import QApplication

    from hygis.geo.basemap import basemap_path
    from hygis.project.fileformat import open_project

    app = QApplication.instance() or QApplication([])  # noqa: F841 - fonts need an application
    size = tuple(int(v) for v in args.size.split("x"))
    project_path = Path(args.project)
    project = open_project(project_path)
    with tempfile.TemporaryDirectory() as tmp:
        left, right = Path(tmp) / "hygis.png", Path(tmp) / "qgis.png"
        hygis_image(project, size, left)
        qgis_image(args.qgis_python, project_path, map_bounds(project, size), size, right, basemap_path())
        version = subprocess.run([args.qgis_python, "-c", "from qgis.core import Qgis; print(Qgis.QGIS_VERSION)"],
                                 capture_output=True, text=True).stdout.strip().split("-")[0]
        compose(left, right, Path(args.out), ("hygis", f"QGIS {version} (opened {project_path.name} as it is)"))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
