"""Analysis panels (coverage, adjacency, enclaves, plan targets) docked in the main window.

``install_analysis(main_window)`` adds the four docks (hidden until chosen in the
Analysis menu) and keeps them on the window's current project.  Results belong to a panel
and a project: closing a dock or opening another project clears its tables and overlays.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QScrollArea

from hygis.ui.analysis.adjacency_panel import AdjacencyPanel
from hygis.ui.analysis.coverage_panel import CoveragePanel
from hygis.ui.analysis.enclave_panel import EnclavePanel
from hygis.ui.analysis.targets_dashboard import TargetsDashboard
from hygis.ui.i18n import WindowTexts

PANELS = (("enclaves", EnclavePanel, "&Enclaves against the target"),
          ("coverage", CoveragePanel, "&Coverage by zone"),
          ("adjacency", AdjacencyPanel, "A&djacency"),
          ("targets", TargetsDashboard, "Plan &targets dashboard"))


class _PanelScroll(QScrollArea):
    """A panel's scroll area that asks for the panel's own size (a bare scroll area asks for little,
    and the dock would open squeezed)."""

    def sizeHint(self):  # noqa: N802 (Qt virtual)
        hint = self.widget().sizeHint() if self.widget() is not None else super().sizeHint()
        return hint.expandedTo(self.widget().minimumSizeHint()) if self.widget() is not None else hint

    def minimumSizeHint(self):  # noqa: N802 (Qt virtual): the panel's width plus the scroll bar, any height
        base = super().minimumSizeHint()
        if self.widget() is None:
            return base
        width = self.widget().minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width()
        return type(base)(width + 2 * self.frameWidth(), 160)


class AnalysisDocks(WindowTexts):
    """The installed panels and their docks, by name ('enclaves', 'coverage', 'adjacency', 'targets')."""

    def __init__(self, window):
        super().__init__(window)
        self.panels: dict = {}
        self.docks: dict = {}
        self.actions: dict = {}
        menu = getattr(window, "menu_analysis", None)
        for name, cls, text in PANELS:
            panel = cls(window.project, getattr(window, "canvas", None))
            # in a scroll area: a dock shorter than the panel scrolls instead of cutting off its charts
            scroll = _PanelScroll()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(panel)
            dock = window.add_dock(scroll, Qt.DockWidgetArea.RightDockWidgetArea, "")
            dock.setObjectName(f"dock_analysis_{name}")
            dock.setWindowTitle(panel.windowTitle())
            panel.windowTitleChanged.connect(dock.setWindowTitle)
            dock.hide()
            dock.visibilityChanged.connect(lambda visible, d=dock, p=panel: self._on_visibility(d, p, visible))
            self.panels[name], self.docks[name] = panel, dock
            first = next(iter(self.docks.values()))
            if dock is not first and hasattr(window, "tabifyDockWidget"):
                # one tab group: panels opened together share the full height instead of each
                # being squeezed to a strip (charts, target rows and progress stay readable)
                window.tabifyDockWidget(first, dock)
            if menu is not None:
                action = menu.addAction(_tr(text))
                action.triggered.connect(lambda checked=False, n=name: self.show(n))
                self.actions[name] = (action, text)
        signal = getattr(window, "projectChanged", None)
        if signal is not None:
            signal.connect(self.set_project)

    def show(self, name: str):
        """Show and raise the dock of panel ``name``; returns the panel."""
        dock = self.docks[name]
        was_hidden = dock.isHidden()
        dock.show()
        dock.raise_()
        if was_hidden and hasattr(self.window, "resizeDocks"):  # most of the column: charts and rows readable
            self.window.resizeDocks([dock], [int(self.window.height() * 0.62)], Qt.Orientation.Vertical)
        return self.panels[name]

    @staticmethod
    def _on_visibility(dock, panel, visible: bool) -> None:
        """A closed dock (not one hidden behind a tab) forgets its panel's results and map overlays."""
        if not visible and dock.isHidden():
            panel.clear_results()

    def set_project(self, project) -> None:
        for panel in self.panels.values():
            panel.set_project(project)

    def retranslate_ui(self) -> None:
        for action, text in self.actions.values():
            action.setText(_tr(text))


def _tr(text: str) -> str:
    return QCoreApplication.translate("AnalysisDocks", text)


def install_analysis(main_window) -> AnalysisDocks:
    """Add the analysis docks and Analysis-menu actions to ``main_window`` (stored as ``.analysis``)."""
    docks = AnalysisDocks(main_window)
    main_window.analysis = docks
    return docks
