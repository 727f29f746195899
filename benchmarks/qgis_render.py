"""The QGIS 3.22 peer of ``hygis render``: draw one GeoPackage layer over its extent to a PNG.

Run with Debian's Python (``/usr/bin/python3 benchmarks/qgis_render.py FILE OUT [--labels FIELD]``);
``bench_render.py`` times this whole process next to ``hygis render`` on the same file.
Default QGIS symbology (simple fill with outline / line / marker), antialiasing on, as the
QGIS desktop renders a newly added layer.
"""

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (QgsApplication, QgsMapRendererSequentialJob, QgsMapSettings, QgsPalLayerSettings,  # noqa: E402
                       QgsVectorLayer, QgsVectorLayerSimpleLabeling)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402


def main(argv):
    path, out = argv[1], argv[2]
    label_field = argv[argv.index("--labels") + 1] if "--labels" in argv else None
    width, height = 1920, 1080
    app = QgsApplication([], False)
    app.initQgis()
    layer = QgsVectorLayer(path, "layer", "ogr")
    if not layer.isValid():
        raise SystemExit(f"QGIS cannot open {path}")
    if label_field:
        settings = QgsPalLayerSettings()
        settings.fieldName = label_field
        layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
        layer.setLabelsEnabled(True)
    ms = QgsMapSettings()
    ms.setLayers([layer])
    ms.setDestinationCrs(layer.crs())
    ms.setOutputSize(QSize(width, height))
    ms.setBackgroundColor(QColor("white"))
    ms.setExtent(layer.extent())
    job = QgsMapRendererSequentialJob(ms)
    job.start()
    job.waitForFinished()
    if not job.renderedImage().save(out):
        raise SystemExit(f"cannot write {out}")
    if label_field:  # what QGIS drew, for a like-for-like comparison (bench_render.py prints it)
        results = job.takeLabelingResults()
        placed = [lab for lab in results.allLabels() if not lab.isUnplaced] if results else []
        sys.stderr.write(f"LABELS {len(placed)}\n")
    sys.stdout.flush()
    os._exit(0)  # exitQgis() crashes on Debian's 3.22 at exit; the image is written


if __name__ == "__main__":
    main(sys.argv)
