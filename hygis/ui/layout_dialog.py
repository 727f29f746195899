"""File ▸ Print layout…: paper, scale, texts and furniture of a print map, with a live preview.

The form edits a :class:`hygis.present.layout.Layout`; every change redraws the
preview (debounced, drawn from cached tiles only, so it never waits for the network).
"Save in project" stores the layout with an undoable command; "Export PDF…" and
"Export PNG…" write it with :func:`hygis.ui.layout_render.export_layout`.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton, QSizePolicy,
                               QVBoxLayout, QWidget)

from hygis.core.errors import HygisError
from hygis.present.layout import DPIS, ORIENTATIONS, PAPERS_MM, SCALES, UNIT_DPI, Layout, format_scale, parse_scale
from hygis.ui.render.view import to_wgs84
from hygis.ui.error_dialog import error_message

PREVIEW_MS = 150


class LayoutDialog(QDialog):
    """Edit, preview, save and export a print layout of ``project``."""

    def __init__(self, project, canvas=None, parent=None, layout: Layout | None = None):
        super().__init__(parent)
        self.project, self.canvas = project, canvas
        self.last_written = None
        saved = list(getattr(project, "layouts", []))
        self._building = True
        self._make_widgets()
        start = layout or (saved[-1] if saved else Layout(title=project.title or "", center=self._canvas_centre()))
        self.set_layout(start)
        self._building = False
        self._timer = QTimer(self, singleShot=True, interval=PREVIEW_MS)
        self._timer.timeout.connect(self.update_preview)
        self.retranslate_ui()
        self.resize(1100, 700)
        self.update_preview()

    # -- widgets -------------------------------------------------------------------------------
    def _make_widgets(self) -> None:
        self.name_edit = QLineEdit()
        self.paper_combo = QComboBox()
        self.paper_combo.addItems(list(PAPERS_MM))
        self.orientation_combo = QComboBox()
        for o in ORIENTATIONS:
            self.orientation_combo.addItem("", o)
        self.scale_combo = QComboBox(editable=True)
        self.scale_combo.addItem("")  # fit (text set in retranslate_ui)
        for s in SCALES:
            self.scale_combo.addItem(format_scale(s), s)
        self.dpi_combo = QComboBox()
        for d in DPIS:
            self.dpi_combo.addItem(f"{d} dpi", d)
        self.scenario_combo = QComboBox()
        self.title_edit, self.subtitle_edit = QLineEdit(), QLineEdit()
        self.source_edit, self.approval_edit = QLineEdit(), QLineEdit()
        self.approval_edit.setPlaceholderText("浙S(2024)12号")
        self.legend_check, self.scalebar_check = QCheckBox(), QCheckBox()
        self.north_check, self.overview_check = QCheckBox(), QCheckBox()
        self.centre_button = QPushButton()
        self.centre_button.clicked.connect(self.centre_on_canvas)
        self.centre_button.setEnabled(self.canvas is not None)
        self.error_label = QLabel(wordWrap=True)
        self.error_label.setStyleSheet("color: #b00020")
        self.preview = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(480, 360)
        self.preview.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.preview.setStyleSheet("background: #8a949c")
        self.scale_info = QLabel()
        self._labels = {k: QLabel() for k in ("name", "paper", "orientation", "scale", "dpi", "scenario", "title",
                                              "subtitle", "source", "approval")}
        form = QFormLayout()
        for key, widget in (("name", self.name_edit), ("paper", self.paper_combo),
                            ("orientation", self.orientation_combo), ("scale", self.scale_combo),
                            ("dpi", self.dpi_combo), ("scenario", self.scenario_combo), ("title", self.title_edit),
                            ("subtitle", self.subtitle_edit), ("source", self.source_edit),
                            ("approval", self.approval_edit)):
            form.addRow(self._labels[key], widget)
        for check in (self.legend_check, self.scalebar_check, self.north_check, self.overview_check):
            form.addRow(check)
            check.toggled.connect(self._changed)
        form.addRow(self.centre_button)
        form.addRow(self.scale_info)
        form.addRow(self.error_label)
        for edit in (self.name_edit, self.title_edit, self.subtitle_edit, self.source_edit, self.approval_edit):
            edit.textChanged.connect(self._changed)
        for combo in (self.paper_combo, self.orientation_combo, self.dpi_combo, self.scenario_combo):
            combo.currentIndexChanged.connect(self._changed)
        self.scale_combo.currentTextChanged.connect(self._changed)
        self.save_button, self.pdf_button, self.png_button = QPushButton(), QPushButton(), QPushButton()
        self.save_button.clicked.connect(self.save_in_project)
        self.pdf_button.clicked.connect(lambda: self.export("pdf"))
        self.png_button.clicked.connect(lambda: self.export("png"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        for b in (self.save_button, self.pdf_button, self.png_button):
            self.buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        left = QWidget()
        left.setLayout(form)
        left.setMaximumWidth(420)
        top = QHBoxLayout()
        top.addWidget(left)
        top.addWidget(self.preview, 1)
        outer = QVBoxLayout(self)
        outer.addLayout(top, 1)
        outer.addWidget(self.buttons)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Print layout"))
        texts = {"name": self.tr("Layout name:"), "paper": self.tr("Paper:"), "orientation": self.tr("Orientation:"),
                 "scale": self.tr("Scale:"), "dpi": self.tr("PNG resolution:"), "scenario": self.tr("Scenario:"),
                 "title": self.tr("Title:"), "subtitle": self.tr("Subtitle:"), "source": self.tr("Data source note:"),
                 "approval": self.tr("Map approval No. (审图号):")}
        for key, text in texts.items():
            self._labels[key].setText(text)
        self.orientation_combo.setItemText(0, self.tr("Portrait"))
        self.orientation_combo.setItemText(1, self.tr("Landscape"))
        self.scale_combo.setItemText(0, self.tr("Fit to the map extent"))
        self.legend_check.setText(self.tr("Legend"))
        self.scalebar_check.setText(self.tr("Scale bar"))
        self.north_check.setText(self.tr("North arrow"))
        self.overview_check.setText(self.tr("Overview inset"))
        self.centre_button.setText(self.tr("Centre on the current map view"))
        self.save_button.setText(self.tr("Save in project"))
        self.pdf_button.setText(self.tr("Export PDF…"))
        self.png_button.setText(self.tr("Export PNG…"))
        self.scenario_combo.setItemText(0, self.tr("(the map as it is)"))

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt virtual)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # -- model ↔ form ----------------------------------------------------------------------------
    def set_layout(self, layout: Layout) -> None:
        was, self._building = self._building, True
        self._center = layout.center
        self.name_edit.setText(layout.name)
        self.paper_combo.setCurrentText(layout.paper)
        self.orientation_combo.setCurrentIndex(ORIENTATIONS.index(layout.orientation))
        index = 0 if layout.scale is None else self.scale_combo.findData(layout.scale)
        if index >= 0:
            self.scale_combo.setCurrentIndex(index)
        else:  # a scale not in the list (1:35,000)
            self.scale_combo.setCurrentIndex(-1)
            self.scale_combo.setEditText(format_scale(layout.scale))
        self.dpi_combo.setCurrentIndex(max(0, self.dpi_combo.findData(layout.dpi)))
        self.scenario_combo.clear()
        self.scenario_combo.addItem(self.tr("(the map as it is)"), None)
        for name in self.project.scenarios.names:
            self.scenario_combo.addItem(name, name)
        self.scenario_combo.setCurrentIndex(max(0, self.scenario_combo.findData(layout.scenario)))
        self.title_edit.setText(layout.title)
        self.subtitle_edit.setText(layout.subtitle)
        self.source_edit.setText(layout.source_note)
        self.approval_edit.setText(layout.approval_number)
        self.legend_check.setChecked(layout.legend)
        self.scalebar_check.setChecked(layout.scalebar)
        self.north_check.setChecked(layout.north_arrow)
        self.overview_check.setChecked(layout.overview)
        self._building = was

    def current_layout(self) -> Layout:
        """The layout the form describes (HygisError if a value is invalid)."""
        text = self.scale_combo.currentText()
        scale = None if text.strip() == self.scale_combo.itemText(0) else parse_scale(text)
        return Layout(name=self.name_edit.text().strip() or "布局 1", paper=self.paper_combo.currentText(),
                      orientation=self.orientation_combo.currentData(), scale=scale, dpi=self.dpi_combo.currentData(),
                      title=self.title_edit.text(), subtitle=self.subtitle_edit.text(),
                      source_note=self.source_edit.text(), approval_number=self.approval_edit.text(),
                      legend=self.legend_check.isChecked(), scalebar=self.scalebar_check.isChecked(),
                      north_arrow=self.north_check.isChecked(), overview=self.overview_check.isChecked(),
                      scenario=self.scenario_combo.currentData(), center=self._center)

    def _changed(self, *args) -> None:
        if not self._building:
            self._timer.start()

    def _canvas_centre(self):
        if self.canvas is None:
            return None
        view = self.canvas.view()
        lon, lat = to_wgs84(view.cx, view.cy)
        return float(lon), float(lat)

    def centre_on_canvas(self) -> None:
        self._center = self._canvas_centre()
        self._changed()

    # -- preview -----------------------------------------------------------------------------------
    def render_preview(self, width: int, height: int) -> tuple[QImage, object]:
        """The page drawn to fit width×height pixels (cached tiles only); returns (image, plan)."""
        from hygis.ui.layout_render import layout_view, paint_layout, page_size_px

        layout = self.current_layout()
        pw, ph = layout.paper_mm
        dpi = min(width / (pw / 25.4), height / (ph / 25.4))
        w, h = page_size_px(layout, dpi)
        image = QImage(max(w, 1), max(h, 1), QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(QColor("white"))
        view, extent = layout_view(self.project, layout)
        painter = QPainter(image)
        try:
            painter.scale(dpi / UNIT_DPI, dpi / UNIT_DPI)
            plan = paint_layout(painter, view, layout, extent_wgs84=extent, tiles_wait=False)
        finally:
            painter.end()
        return image, plan

    def update_preview(self) -> None:
        try:
            image, plan = self.render_preview(max(self.preview.width() - 16, 200), max(self.preview.height() - 16, 150))
        except HygisError as exc:
            self.error_label.setText(error_message(exc))
            return
        self.error_label.clear()
        self.preview_image = image
        self.preview.setPixmap(QPixmap.fromImage(image))
        layout = self.current_layout()
        pw, ph = layout.paper_mm
        self.scale_info.setText(self.tr("{0} · {1:g} × {2:g} mm · {3}").format(layout.paper, pw, ph,
                                                                                format_scale(plan.scale)))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt virtual)
        super().resizeEvent(event)
        if hasattr(self, "_timer"):
            self._timer.start()

    # -- actions -------------------------------------------------------------------------------------
    def save_in_project(self) -> bool:
        from hygis.project.layouts import SetLayout

        try:
            layout = self.current_layout()
        except HygisError as exc:
            self.error_label.setText(error_message(exc))
            return False
        self.project.execute(SetLayout(self.project, replace(layout)))
        self.error_label.setText(self.tr("Saved in the project as “{0}”.").format(layout.name))
        return True

    def export(self, kind: str, path: str | None = None):
        """Write the layout as PDF or PNG (asks for the file unless ``path``); returns the path or None."""
        from hygis.ui.layout_render import export_layout

        try:
            layout = self.current_layout()
        except HygisError as exc:
            self.error_label.setText(error_message(exc))
            return None
        if path is None:
            base = (self.project.path.with_suffix("") if self.project.path else None)
            default = f"{base or layout.name}_{layout.paper}.{kind}"
            filt = self.tr("PDF (*.pdf)") if kind == "pdf" else self.tr("PNG image (*.png)")
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export layout"), default, filt)
            if not path:
                return None  # cancelled: nothing written
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            written, _ = export_layout(self.project, layout, path)
        except HygisError as exc:
            QApplication.restoreOverrideCursor()
            QMessageBox.warning(self, self.tr("Export layout"), error_message(exc))
            return None
        QApplication.restoreOverrideCursor()
        self.last_written = written
        self.error_label.setText(self.tr("Written: {0}").format(written))
        return written
