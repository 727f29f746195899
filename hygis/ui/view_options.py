"""View ▸ Illustrative data (示意) and View ▸ Basemap names: two project view settings as menu toggles.

``project.show_illustrative`` hides or shows the features marked illustrative (``data_status ==
'illustrative'``) everywhere the project is drawn or analysed; ``project.show_basemap_labels`` draws the
city and district names of the basemap. Both are saved with the project (view settings, not data
edits, so they are not on the undo stack) and follow the window when it opens another project.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QAction


class ViewOptions(QObject):
    """The two checkable actions and their link to the window's project and canvas."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.act_illustrative = QAction(window)
        self.act_illustrative.setCheckable(True)
        self.act_illustrative.toggled.connect(self.set_show_illustrative)
        self.act_labels = QAction(window)
        self.act_labels.setCheckable(True)
        self.act_labels.toggled.connect(self.set_basemap_labels)
        self.retranslate_ui()
        self.sync()
        window.installEventFilter(self)

    def tr(self, text: str) -> str:
        return QCoreApplication.translate("ViewOptions", text)

    def retranslate_ui(self) -> None:
        self.act_illustrative.setText(self.tr("Show &Illustrative Data (示意)"))
        self.act_illustrative.setToolTip(self.tr("Show or hide invented and unpublished-extent features "
                                                 "(drawn dashed and hatched)"))
        self.act_labels.setText(self.tr("Basemap &Names"))
        self.act_labels.setToolTip(self.tr("City and district names on the basemap"))

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        return False

    def sync(self, *_) -> None:
        """Check marks from the (new) project."""
        project = self.window.project
        for act, value in ((self.act_illustrative, getattr(project, "show_illustrative", True)),
                           (self.act_labels, getattr(project, "show_basemap_labels", True))):
            act.blockSignals(True)
            act.setChecked(bool(value))
            act.blockSignals(False)

    def set_show_illustrative(self, on: bool) -> None:
        project = self.window.project
        if project is not None and project.show_illustrative != bool(on):
            project.show_illustrative = bool(on)
            project.mark_dirty()
        self._redraw()

    def set_basemap_labels(self, on: bool) -> None:
        project = self.window.project
        if project is not None and project.show_basemap_labels != bool(on):
            project.show_basemap_labels = bool(on)
            project.mark_dirty()
        self._redraw()

    def _redraw(self) -> None:
        canvas = getattr(self.window, "canvas", None)
        if canvas is not None:
            canvas.refresh()
        legend = getattr(self.window, "legend", None)
        if legend is not None and hasattr(legend, "rebuild"):
            legend.rebuild()


def install_view_options(window) -> ViewOptions:
    """Add the two toggles to the window's View menu; they follow ``projectChanged``."""
    options = ViewOptions(window)
    window.menu_view.addSeparator()
    window.menu_view.addAction(options.act_illustrative)
    window.menu_view.addAction(options.act_labels)
    window.view_options = options
    changed = getattr(window, "projectChanged", None)
    if changed is not None:
        changed.connect(options.sync)
    return options
