"""Shared parts of the analysis panels: DataFrame table models, CSV/XLSX and PNG/SVG exports, helpers.

The panel base class (worker run, debounced recompute) is in :mod:`hygis.ui.analysis.panel`.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QTableView

from hygis.core.errors import HygisError
from hygis.ui.fonts import cjk_font

ZONE_BASEMAP = ("basemap:district", "basemap:city")


# -- table model ------------------------------------------------------------------------------
class DataFrameModel(QAbstractTableModel):
    """A read-only table over a DataFrame; ``headers`` maps column → shown label.

    Floats are shown with ``digits`` decimals (per column, default 2); a row whose first
    cell equals ``total_label`` is bold.
    """

    def __init__(self, frame: pd.DataFrame | None = None, parent=None):
        super().__init__(parent)
        self.frame = pd.DataFrame()
        self.columns: list[str] = []
        self.headers: dict[str, str] = {}
        self.digits: dict[str, int] = {}
        self.total_label: str | None = None
        if frame is not None:
            self.set_frame(frame)

    def set_frame(self, frame: pd.DataFrame, columns: list[str] | None = None) -> None:
        self.beginResetModel()
        self.frame = frame.reset_index(drop=True) if frame is not None else pd.DataFrame()
        self.columns = list(columns) if columns is not None else [str(c) for c in self.frame.columns]
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt virtual)
        return 0 if parent.isValid() else len(self.frame)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt virtual)
        return 0 if parent.isValid() else len(self.columns)

    def value(self, row: int, column: str):
        return self.frame.iloc[row][column]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        col = self.columns[index.column()]
        value = self.frame.iloc[index.row()][col]
        if role == Qt.ItemDataRole.DisplayRole:
            return format_value(value, self.digits.get(col, 2))
        if role == Qt.ItemDataRole.EditRole:
            return None if _missing(value) else (value.item() if isinstance(value, np.generic) else value)
        if role == Qt.ItemDataRole.TextAlignmentRole and _is_number(value):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and self.total_label is not None and self.is_total(index.row()):
            font = QFont()
            font.setBold(True)
            return font
        return None

    def is_total(self, row: int) -> bool:
        return len(self.frame.columns) > 0 and str(self.frame.iloc[row, 0]) == self.total_label

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            col = self.columns[section] if section < len(self.columns) else ""
            return self.headers.get(col, col)
        return str(section + 1)


class MatrixModel(DataFrameModel):
    """A DataFrame shown with its index as row headers (e.g. an adjacency matrix)."""

    def set_frame(self, frame: pd.DataFrame, columns=None) -> None:
        self.beginResetModel()
        self.frame = frame if frame is not None else pd.DataFrame()
        self.columns = [str(c) for c in self.frame.columns]
        self.endResetModel()

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        value = self.frame.iat[index.row(), index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if value == 0 else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section]
        return str(self.frame.index[section])


def _missing(value) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def format_value(value, digits: int = 2) -> str:
    """A table cell's text: '' for missing, grouped integers, ``digits`` decimals for floats."""
    if _missing(value):
        return ""
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return f"{int(value):,}"
    if isinstance(value, (np.floating, float)):
        if not math.isfinite(float(value)):
            return ""
        return f"{float(value):,.{digits}f}"
    return str(value)


def make_table_view(model, parent=None) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(22)
    view.horizontalHeader().setStretchLastSection(True)
    view.setFont(cjk_font(9))
    return view


# -- exports ------------------------------------------------------------------------------------
def export_table(frame: pd.DataFrame, path, headers: dict[str, str] | None = None) -> Path:
    """Write a result table to CSV (UTF-8 with BOM, so Excel reads Chinese) or XLSX (by suffix).

    Raises HygisError for another suffix or when the file cannot be written.
    """
    path = Path(path)
    out = frame.rename(columns=headers) if headers else frame
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            out.to_csv(path, index=False, encoding="utf-8-sig")
        elif suffix == ".xlsx":
            out.to_excel(path, index=False, engine="openpyxl")
        else:
            raise HygisError("Cannot export a table to '{suffix}': use .csv or .xlsx", suffix=path.suffix)
    except OSError as exc:
        raise HygisError("Cannot write {path}: {value}", path=path, value=exc.strerror or exc) from None
    return path


def export_chart(plot, path, width: int = 1200) -> Path:
    """Write a pyqtgraph plot (PlotWidget or PlotItem) to PNG (``width`` pixels wide) or SVG (by suffix)."""
    path = Path(path)
    item = plot.getPlotItem() if hasattr(plot, "getPlotItem") else plot
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise HygisError("Cannot export a chart to '{suffix}': use .png or .svg", suffix=path.suffix)
    try:
        if suffix == ".png":
            import pyqtgraph.exporters as exporters

            exporter = exporters.ImageExporter(item)
            exporter.parameters()["width"] = int(width)
            exporter.export(str(path))
        else:
            _export_svg(item, path)
    except OSError as exc:
        raise HygisError("Cannot write {path}: {value}", path=path, value=exc.strerror or exc) from None
    if not path.exists():
        raise HygisError("Cannot write {path}", path=path)
    return path


def _export_svg(item, path: Path) -> None:
    """SVG through QSvgGenerator (pyqtgraph 0.14's SVG exporter fails on Qt 6 path data)."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    source = item.sceneBoundingRect()
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(source.size().toSize())
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    generator.setTitle(path.stem)
    painter = QPainter(generator)
    try:
        item.scene().render(painter, QRectF(0, 0, source.width(), source.height()), source)
    finally:
        painter.end()


def with_blocked(widget, fn):
    """Call ``fn()`` with ``widget``'s signals blocked (refilling inputs must not recompute)."""
    was = widget.blockSignals(True)
    try:
        return fn()
    finally:
        widget.blockSignals(was)


def vector_layers(project, families=None) -> list:
    """The project's vector layers (optionally only of geometry families like 'polygon')."""
    if project is None:
        return []
    out = []
    for layer in project.layers:
        if not hasattr(layer, "visible_data"):
            continue
        if families and layer.geometry_type not in families:
            continue
        out.append(layer)
    return out


def snapshot(layer):
    """The layer's filtered features as an independent frame (safe to read in the worker)."""
    return layer.visible_data().copy()
