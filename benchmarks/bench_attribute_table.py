"""The attribute table on big layers: open (model + first paint) and sort, against Qt's stock item model.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_attribute_table.py [--sizes 100000,1000000]

hygis' table model reads cells from the layer's frame on demand; the peer is what a Qt application
writes first: a QStandardItemModel filled with one item per cell, in the same run, on the same frame
(only at the first size: it grows with the row count).  Prints medians of 5 (3 at 1M) and the ratio.
Goal (the bounds the unit test once asserted): a 100k-feature table opens in < 0.8 s, sorts in < 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QStandardItem, QStandardItemModel  # noqa: E402
from PySide6.QtWidgets import QApplication, QTableView  # noqa: E402

from hygis.layers.vector import VectorLayer  # noqa: E402
from hygis.project import Project  # noqa: E402
from hygis.ui.attribute_table import AttributeTable  # noqa: E402

OPEN_GOAL_S, SORT_GOAL_S = 0.8, 0.5


def _frame(n: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(0)
    return gpd.GeoDataFrame({"name": [f"地块{i}" for i in range(n)], "value": rng.random(n)},
                            geometry=shapely.points(120 + rng.random(n), 30 + rng.random(n)), crs=4326)


def hygis_table(frame):
    """The app's table: a model over the layer's frame."""
    project = Project()
    project.layers.append(VectorLayer("大图层", frame, kind="vector"))
    table = AttributeTable(project)
    return table, table.view


def stock_table(frame):
    """The peer: one QStandardItem per cell, sorted by Qt."""
    model = QStandardItemModel(len(frame), 2)
    for row, (name, value) in enumerate(zip(frame["name"], frame["value"])):
        model.setItem(row, 0, QStandardItem(name))
        item = QStandardItem()
        item.setData(float(value), Qt.ItemDataRole.DisplayRole)
        model.setItem(row, 1, item)
    view = QTableView()
    view.setModel(model)
    view.setSortingEnabled(True)
    return view, view


def timed(app: QApplication, build, frame) -> tuple[float, float]:
    """Seconds to build and first paint the table, then to sort it on the second field."""
    t0 = time.perf_counter()
    widget, view = build(frame)
    widget.resize(800, 400)
    widget.show()
    app.processEvents()
    widget.grab()  # the first paint, done
    t1 = time.perf_counter()
    view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    app.processEvents()
    t2 = time.perf_counter()
    widget.close()
    widget.deleteLater()
    app.processEvents()
    return t1 - t0, t2 - t1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    med = statistics.median
    sizes = [int(s) for s in args.sizes.split(",")]
    print("attribute table, 800x400 view, 2 fields; medians (open = model + first paint)")
    for k, n in enumerate(sizes):
        frame = _frame(n)
        repeats = 5 if n <= 200_000 else 3
        runs = {"hygis": [], "QStandardItemModel": []}
        for _ in range(repeats):  # interleaved
            runs["hygis"].append(timed(app, hygis_table, frame))
            if k == 0:
                runs["QStandardItemModel"].append(timed(app, stock_table, frame))
        ours_open, ours_sort = med(t for t, _ in runs["hygis"]), med(s for _, s in runs["hygis"])
        line = f"  {n:>9,} rows  hygis open {ours_open * 1000:7.1f} ms  sort {ours_sort * 1000:7.1f} ms"
        if runs["QStandardItemModel"]:
            peer_open = med(t for t, _ in runs["QStandardItemModel"])
            peer_sort = med(s for _, s in runs["QStandardItemModel"])
            line += (f" | QStandardItemModel open {peer_open * 1000:7.1f} ms  sort {peer_sort * 1000:7.1f} ms"
                     f" | ratio open {ours_open / peer_open:.3f}  sort {ours_sort / peer_sort:.3f}")
        print(line, flush=True)
    print(f"  goal at 100k: open < {OPEN_GOAL_S * 1000:.0f} ms, sort < {SORT_GOAL_S * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
