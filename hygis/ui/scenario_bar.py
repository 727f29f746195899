"""The scenario bar: one tab per scenario, one click (or Ctrl+1…9, Ctrl+PgUp/PgDn) to switch.

Switching applies the scenario to the project (:func:`hygis.project.scenarios.apply`:
visibility, filters, styles) and moves the canvas to its extent; it is not an
undo step (see :mod:`hygis.project.scenario_commands`).  Creating, updating,
renaming, duplicating, deleting and reordering (drag a tab) are undoable
commands run through ``project.execute``.

:func:`install_scenarios` adds the bar and the View ▸ Compare scenarios,
View ▸ Present (F5) and File ▸ Export slides… actions to the main window.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QDialog, QInputDialog, QMessageBox,
                               QTabBar, QToolBar)

from hygis.project import scenario_commands as sc
from hygis.core.errors import HygisError
from hygis.project.scenarios import apply, first_or_active
from hygis.ui.error_dialog import error_message


class ScenarioBar(QToolBar):
    """Tabs of the project's scenarios plus new/update/edit/rename/duplicate/delete buttons.

    Signals: ``switched(name, seconds)`` after a switch (seconds = apply + redraw request).
    """

    switched = Signal(str, float)
    languageChanged = Signal()

    def __init__(self, project=None, canvas=None, parent=None, show_error=None):
        super().__init__(parent)
        self.setObjectName("ScenarioBar")
        self.setWindowTitle(self.tr("Scenarios"))
        self.canvas = canvas
        self.project = None
        self._show_error = show_error
        self.last_switch_s = 0.0
        self.tabs = QTabBar(self)
        self.tabs.setMovable(True)
        self.tabs.setExpanding(False)
        self.tabs.setDocumentMode(True)
        self.tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tabs.tabBarClicked.connect(self._on_tab_clicked)
        self.tabs.tabMoved.connect(self._on_tab_moved)
        self.tabs.tabBarDoubleClicked.connect(lambda i: self.rename_scenario())
        self.addWidget(self.tabs)
        self.addSeparator()
        self.act_new = self._action(self.tr("New from view"), self.new_scenario,
                                    self.tr("Create a scenario from the current view"))
        self.act_update = self._action(self.tr("Update"), self.update_scenario,
                                       self.tr("Store the current view in the active scenario"))
        self.act_edit = self._action(self.tr("Edit…"), self.edit_scenario, self.tr("Title, subtitle, year and notes"))
        self.act_rename = self._action(self.tr("Rename…"), self.rename_scenario)
        self.act_duplicate = self._action(self.tr("Duplicate"), self.duplicate_scenario)
        self.act_delete = self._action(self.tr("Delete"), self.delete_scenario)
        self.act_left = self._action("◀", lambda: self.move_scenario(-1), self.tr("Move the scenario left"))
        self.act_right = self._action("▶", lambda: self.move_scenario(+1), self.tr("Move the scenario right"))
        self._shortcuts()
        if project is not None:
            self.set_project(project)

    def _action(self, text, slot, tip=None) -> QAction:
        act = QAction(text, self)
        act.setToolTip(tip or text)
        act.triggered.connect(lambda checked=False: slot())  # triggered(bool) must not become an argument
        self.addAction(act)
        return act

    def retranslate_ui(self) -> None:
        """Re-read the texts in the current language."""
        self.setWindowTitle(self.tr("Scenarios"))
        texts = ((self.act_new, self.tr("New from view"), self.tr("Create a scenario from the current view")),
                 (self.act_update, self.tr("Update"), self.tr("Store the current view in the active scenario")),
                 (self.act_edit, self.tr("Edit…"), self.tr("Title, year, notes, and per layer visibility, style, "
                                                              "filter; indicators")),
                 (self.act_rename, self.tr("Rename…"), None), (self.act_duplicate, self.tr("Duplicate"), None),
                 (self.act_delete, self.tr("Delete"), None), (self.act_left, "◀", self.tr("Move the scenario left")),
                 (self.act_right, "▶", self.tr("Move the scenario right")),
                 (self.act_next, self.tr("Next scenario"), None), (self.act_prev, self.tr("Previous scenario"), None))
        for act, text, tip in texts:
            act.setText(text)
            act.setToolTip(tip or text)
        self._rebuild()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt virtual)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
            self.languageChanged.emit()
        super().changeEvent(event)

    def _shortcuts(self) -> None:
        self.switch_actions = []
        for i in range(9):
            act = QAction(self)
            act.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.triggered.connect(lambda checked=False, i=i: self.switch_index(i))
            self.switch_actions.append(act)
        self.act_next = QAction(self.tr("Next scenario"), self)
        self.act_next.setShortcut(QKeySequence("Ctrl+PgDown"))
        self.act_next.triggered.connect(lambda: self.step(+1))
        self.act_prev = QAction(self.tr("Previous scenario"), self)
        self.act_prev.setShortcut(QKeySequence("Ctrl+PgUp"))
        self.act_prev.triggered.connect(lambda: self.step(-1))
        for act in self.switch_actions + [self.act_next, self.act_prev]:
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.tabs.addAction(act)  # on the tab bar: QToolBar.addAction would add buttons

    # -- project binding ----------------------------------------------------------------------
    def set_project(self, project) -> None:
        if self.project is not None:
            self.project.scenarios.events.any.disconnect(self._on_scenarios_event)
        self.project = project
        project.scenarios.events.any.connect(self._on_scenarios_event)
        self._rebuild()
        opening = first_or_active(project)  # a project opens in its active (else first) scenario, its tab shown
        if opening is not None:
            self.switch_to(opening.name)

    def set_canvas(self, canvas) -> None:
        self.canvas = canvas

    def _on_scenarios_event(self, *_):
        self._rebuild()
        self._ensure_active()

    def _ensure_active(self) -> None:
        """The highlighted tab is always the scenario shown: with scenarios but none active (a new
        project, the active one deleted), the first is applied."""
        names = self.project.scenarios.names if self.project is not None else []
        if names and self.project.scenarios.active not in names:
            self.switch_to(names[0])

    def _rebuild(self) -> None:
        names = self.project.scenarios.names if self.project is not None else []
        self.tabs.blockSignals(True)
        try:
            while self.tabs.count():
                self.tabs.removeTab(0)
            for i, name in enumerate(names):
                self.tabs.addTab(name)
                s = self.project.scenarios[name]
                tip = s.title or name
                self.tabs.setTabToolTip(i, f"{tip}\n{self.tr('Ctrl+{0}').format(i + 1)}" if i < 9 else tip)
            active = self.project.scenarios.active if self.project is not None else None
            if active in names:
                self.tabs.setCurrentIndex(names.index(active))
        finally:
            self.tabs.blockSignals(False)
        active = self.active_name()
        has = active is not None
        for act in (self.act_update, self.act_edit, self.act_rename, self.act_duplicate, self.act_delete):
            act.setEnabled(has)
        at = names.index(active) if active in names else -1  # moving past either end does nothing: say so
        self.act_left.setEnabled(at > 0)
        self.act_right.setEnabled(0 <= at < len(names) - 1)

    # -- switching ------------------------------------------------------------------------------
    def active_name(self) -> str | None:
        if self.project is None:
            return None
        return self.project.scenarios.active

    def switch_to(self, name: str) -> float:
        """Apply scenario ``name`` and show its extent; returns the seconds it took."""
        t0 = time.perf_counter()
        scenario = self.project.scenarios[name]
        apply(self.project, scenario)
        if self.canvas is not None and scenario.extent:
            self.canvas.set_extent(scenario.extent)
        self.last_switch_s = time.perf_counter() - t0
        self._rebuild()
        self.switched.emit(name, self.last_switch_s)
        return self.last_switch_s

    def switch_index(self, index: int) -> None:
        names = self.project.scenarios.names if self.project is not None else []
        if 0 <= index < len(names):
            self.switch_to(names[index])

    def step(self, delta: int) -> None:
        names = self.project.scenarios.names if self.project is not None else []
        if not names:
            return
        active = self.active_name()
        i = names.index(active) + delta if active in names else 0
        self.switch_index(max(0, min(i, len(names) - 1)))

    def _on_tab_clicked(self, index: int) -> None:
        if index >= 0:
            self.switch_index(index)

    def _on_tab_moved(self, old: int, new: int) -> None:
        self._execute(lambda: sc.MoveScenario(self.project, old, new))

    # -- editing (undoable) -----------------------------------------------------------------------
    def _execute(self, make_command) -> bool:
        try:
            self.project.execute(make_command())
            return True
        except HygisError as exc:
            self._error(error_message(exc))
            self._rebuild()
            return False

    def _error(self, message: str) -> None:
        if self._show_error is not None:
            self._show_error(message)
        else:
            QMessageBox.warning(self, self.tr("Scenarios"), message)

    def _current_extent(self):
        return self.canvas.extent() if self.canvas is not None else None

    def new_scenario(self, name: str | None = None) -> str | None:
        if name is None:
            default = self.project.scenarios.unique_name(self.tr("Scenario"))
            name, ok = QInputDialog.getText(self, self.tr("New scenario"), self.tr("Name:"), text=default)
            if not ok:
                return None
        if self._execute(lambda: sc.AddScenario(self.project, name, extent=self._current_extent())):
            self.project.scenarios.set_active(name.strip())
            return name.strip()
        return None

    def update_scenario(self) -> None:
        name = self.active_name()
        if name is not None:
            self._execute(lambda: sc.UpdateScenario(self.project, name, extent=self._current_extent()))

    def rename_scenario(self, new: str | None = None) -> None:
        name = self.active_name()
        if name is None:
            return
        if new is None:
            new, ok = QInputDialog.getText(self, self.tr("Rename scenario"), self.tr("Name:"), text=name)
            if not ok:
                return
        self._execute(lambda: sc.RenameScenario(self.project, name, new))

    def duplicate_scenario(self) -> None:
        name = self.active_name()
        if name is not None:
            cmd = None

            def make():
                nonlocal cmd
                cmd = sc.DuplicateScenario(self.project, name, self.project.scenarios.unique_name(
                    f"{name} {self.tr('copy')}"))
                return cmd

            if self._execute(make):
                self.switch_to(cmd.scenario.name)

    def delete_scenario(self, confirm: bool = True) -> None:
        name = self.active_name()
        if name is None:
            return
        if confirm and QMessageBox.question(self, self.tr("Delete scenario"),
                                            self.tr("Delete the scenario '{0}'?").format(name)) \
                != QMessageBox.StandardButton.Yes:
            return
        self._execute(lambda: sc.DeleteScenario(self.project, name))

    def move_scenario(self, delta: int) -> None:
        name = self.active_name()
        if name is None:
            return
        i = self.project.scenarios.index(name)
        j = i + delta
        if 0 <= j < len(self.project.scenarios):
            self._execute(lambda: sc.MoveScenario(self.project, i, j))

    def edit_scenario(self) -> None:
        name = self.active_name()
        if name is None:
            return
        from hygis.ui.scenario_dialog import ScenarioDialog

        dialog = ScenarioDialog(self.project, self.project.scenarios[name], self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._execute(lambda: sc.EditScenario(self.project, name, **dialog.values()))


# -- main-window integration -------------------------------------------------------------------
class ScenarioActions(QObject):
    """The window-level scenario actions: Compare scenarios, Present (F5), Export slides…"""

    def __init__(self, window, bar: ScenarioBar):
        super().__init__(window)
        self.window, self.bar = window, bar
        self.compare_window = None
        self.presentation = None
        self.act_compare = QAction(window)
        self.act_compare.triggered.connect(lambda checked=False: self.compare())
        self.act_present = QAction(window)
        self.act_present.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.act_present.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.act_present.triggered.connect(lambda checked=False: self.present())
        self.act_export = QAction(window)
        self.act_export.triggered.connect(lambda checked=False: self.export_slides())
        self.retranslate_ui()
        bar.languageChanged.connect(self.retranslate_ui)

    def retranslate_ui(self) -> None:
        self.act_compare.setText(self.tr("Compare scenarios"))
        self.act_present.setText(self.tr("Present"))
        self.act_export.setText(self.tr("Export slides…"))

    def _error(self, message) -> None:
        show = getattr(self.window, "show_error", None)
        if show is not None:
            show(message)
        else:
            QMessageBox.warning(self.window, self.tr("Scenarios"), str(message))

    def compare(self) -> None:
        from hygis.ui.compare_view import CompareView

        project = self.window.project
        try:
            names = project.scenarios.names
            active = project.scenarios.active
            a = active if active in names else (names[0] if names else None)
            b = next((n for n in names if n != a), a)
            view = CompareView(project, a, b)
        except HygisError as exc:
            self._error(exc)
            return
        view.setWindowFlag(Qt.WindowType.Window, True)
        view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        view.resize(1400, 860)
        view.show()
        self.compare_window = view

    def present(self) -> None:
        from hygis.ui.presentation import present

        try:
            self.presentation = present(self.window.project)
        except HygisError as exc:
            self._error(exc)
            return
        self.presentation.finished.connect(self._on_presentation_finished)

    def _on_presentation_finished(self, name: str) -> None:
        self.presentation = None
        if name in self.window.project.scenarios.names:
            self.bar.switch_to(name)  # the window shows the scenario the talk ended on
        self.window.activateWindow()

    def export_slides(self, path: str | None = None) -> list:
        from PySide6.QtWidgets import QApplication, QFileDialog

        from hygis.ui.slide_render import export_deck

        project = self.window.project
        if path is None:
            base = project.path.with_suffix(".pdf") if project.path else "scenarios.pdf"
            path, _ = QFileDialog.getSaveFileName(self.window, self.tr("Export slides"), str(base),
                                                  self.tr("PDF slide deck (*.pdf)"))
            if not path:
                return []
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return export_deck(project, path)
        except HygisError as exc:
            self._error(exc)
            return []
        finally:
            QApplication.restoreOverrideCursor()


def install_scenarios(window) -> ScenarioBar:
    """Add the scenario bar and the scenario actions to a :class:`~hygis.ui.mainwindow.MainWindow`.

    Adds a toolbar row with the scenario tabs, View ▸ Compare scenarios,
    View ▸ Present (F5) and File ▸ Export slides…; follows the window when it
    opens another project (``projectChanged`` signal or ``open_project``).
    """
    bar = ScenarioBar(window.project, window.canvas, window, show_error=getattr(window, "show_error", None))
    window.addToolBarBreak()
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    actions = ScenarioActions(window, bar)
    window.menu_view.addSeparator()
    window.menu_view.addAction(actions.act_compare)
    window.menu_view.addAction(actions.act_present)
    _insert_after(window.menu_file, getattr(window, "act_export_image", None), actions.act_export)
    window.scenario_bar, window.scenario_actions = bar, actions
    changed = getattr(window, "projectChanged", None)
    if changed is not None:
        changed.connect(lambda *_: bar.set_project(window.project))
    return bar


def _insert_after(menu, anchor, action) -> None:
    """Put ``action`` right after ``anchor`` in ``menu`` (at the end if the anchor is not there)."""
    items = menu.actions()
    if anchor in items and items.index(anchor) + 1 < len(items):
        menu.insertAction(items[items.index(anchor) + 1], action)
    else:
        menu.addAction(action)
