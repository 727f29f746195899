"""Autosave: while the project has unsaved changes, write a recovery file every minute.

:class:`AutosaveController` owns a QTimer (interval from the app's one settings store,
:meth:`hygis.ui.settings.Settings.autosave_interval`, default 60 s; set in Preferences).  On each tick, if the project is dirty and changed since the last
autosave, it writes a recovery copy through :class:`hygis.project.recovery.RecoveryStore`
(never over the user's file).  When the project becomes clean again (saved, or undone
back to the saved state) or is closed, the recovery copy is removed.

At start, :func:`offer_recovery` lists what a crash left and lets the user restore
one project (what and from when), discard them, or decide later.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QVBoxLayout, QWidget)

from hygis.core.errors import HygisError
from hygis.project.recovery import RecoveryEntry, RecoveryStore
from hygis.ui.i18n import format_date
from hygis.ui.settings import AUTOSAVE_KEY, DEFAULT_AUTOSAVE_S, MIN_AUTOSAVE_S, Settings
from hygis.ui.error_dialog import error_message

log = logging.getLogger(__name__)

SETTINGS_KEY = AUTOSAVE_KEY
DEFAULT_INTERVAL_S = DEFAULT_AUTOSAVE_S
MIN_INTERVAL_S = MIN_AUTOSAVE_S


def autosave_interval() -> int:
    """Autosave interval in seconds (the Preferences setting, default 60)."""
    return Settings().autosave_interval()


class AutosaveController(QObject):
    """Writes recovery files for one project at a time.

    Signals: ``written(RecoveryEntry)`` after each recovery write, ``failed(str)`` when one
    could not be written (the user's work is still in memory; a status message is enough).
    """

    written = Signal(object)
    failed = Signal(str)

    def __init__(self, project=None, parent: QObject | None = None, store: RecoveryStore | None = None,
                 interval_s: float | None = None):
        super().__init__(parent)
        self.store = store or RecoveryStore()
        self.project = None
        self._changes = 0
        self._written_changes = -1
        self.timer = QTimer(self)
        self.timer.setInterval(int(1000 * (interval_s if interval_s is not None else autosave_interval())))
        self.timer.timeout.connect(self.autosave_now)
        self.timer.start()
        if project is not None:
            self.set_project(project)

    @property
    def interval_s(self) -> float:
        return self.timer.interval() / 1000.0

    def set_interval(self, seconds: float, remember: bool = False) -> None:
        """Change the interval (seconds); ``remember`` stores it in the settings for next time."""
        self.timer.setInterval(int(max(1.0, float(seconds)) * 1000))
        if remember:
            Settings().set_autosave_interval(int(seconds))

    # -- which project --------------------------------------------------------------------
    def set_project(self, project) -> None:
        """Watch ``project`` (the previous one is treated as closed: its recovery file goes)."""
        if self.project is project:
            return
        if self.project is not None:
            self.project_closed()
        self.project = project
        self._changes, self._written_changes = 0, -1
        if project is not None:
            project.events.any.connect(self._on_change)
            project.layers.events.any.connect(self._on_change)
            project.scenarios.events.any.connect(self._on_change)

    def project_closed(self) -> None:
        """The user closed the project (saved or chose to discard): remove its recovery file."""
        project, self.project = self.project, None
        if project is None:
            return
        for events in (project.events.any, project.layers.events.any, project.scenarios.events.any):
            events.disconnect(self._on_change)
        self.store.discard_for(project)

    def _on_change(self, name=None, *args) -> None:
        self._changes += 1
        if name == "dirty" and args and args[0] is False:
            # saved (or undone back to the saved state): the file on disk has everything
            self.store.discard_for(self.project)
            self._written_changes = self._changes

    # -- writing ----------------------------------------------------------------------------
    def autosave_now(self) -> RecoveryEntry | None:
        """Write a recovery file now if the project has unsaved changes not yet written."""
        project = self.project
        if project is None or not project.dirty or self._written_changes == self._changes:
            return None
        try:
            entry = self.store.write(project)
        except HygisError as exc:
            log.warning("autosave failed: %s", exc)
            self.failed.emit(error_message(exc))
            return None
        self._written_changes = self._changes
        log.info("autosaved %s to %s", project.title or "project", entry.project_file)
        self.written.emit(entry)
        return entry


class RecoveryDialog(QDialog):
    """Lists recoverable projects (what, where, when) with Restore / Discard / Later."""

    def __init__(self, entries: list[RecoveryEntry], parent: QWidget | None = None):
        super().__init__(parent)
        self.entries = list(entries)
        self.choice: str = "later"  # 'restore' | 'discard' | 'later'
        self.setWindowTitle(self.tr("Recover unsaved work"))
        layout = QVBoxLayout(self)
        self.label = QLabel(self.tr("hygis was closed with unsaved changes. These projects can be restored:"))
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        self.list = QListWidget()
        for entry in self.entries:
            item = QListWidgetItem(self.describe(entry))
            item.setToolTip(str(entry.original) if entry.original else self.tr("never saved"))
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox()
        self.restore_button = buttons.addButton(self.tr("Restore"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.discard_button = buttons.addButton(self.tr("Discard all"), QDialogButtonBox.ButtonRole.DestructiveRole)
        self.later_button: QPushButton = buttons.addButton(self.tr("Decide later"), QDialogButtonBox.ButtonRole.RejectRole)
        self.restore_button.clicked.connect(lambda: self._finish("restore"))
        self.discard_button.clicked.connect(lambda: self._finish("discard"))
        self.later_button.clicked.connect(lambda: self._finish("later"))
        layout.addWidget(buttons)

    def describe(self, entry: RecoveryEntry) -> str:
        what = entry.title or entry.display_name
        where = entry.original.name if entry.original else self.tr("never saved")
        return self.tr("{what} ({where}) — {layers} layers, {features} features, autosaved {when}").format(
            what=what, where=where, layers=entry.layer_count, features=entry.feature_count,
            when=format_date(entry.saved_at, with_time=True))

    def selected(self) -> RecoveryEntry | None:
        row = self.list.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def _finish(self, choice: str) -> None:
        self.choice = choice
        (self.accept if choice != "later" else self.reject)()


def offer_recovery(parent: QWidget | None = None, store: RecoveryStore | None = None, dialog_hook=None):
    """At start: if a crash left recovery files, ask the user; returns the restored Project or None.

    ``dialog_hook(dialog)`` (tests) is called instead of ``dialog.exec()`` and must press a button.
    Restoring keeps the recovery file until the project is saved or closed; 'Discard all'
    deletes them; 'Decide later' keeps them for the next start.
    """
    store = store or RecoveryStore()
    entries = store.list()
    if not entries:
        return None
    dialog = RecoveryDialog(entries, parent)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    if dialog_hook is not None:
        dialog_hook(dialog)
    else:
        dialog.exec()
    if dialog.choice == "discard":
        for entry in entries:
            store.discard(entry)
        return None
    if dialog.choice != "restore" or dialog.selected() is None:
        return None
    entry = dialog.selected()
    try:
        return store.restore(entry)
    except HygisError as exc:
        from hygis.ui.error_dialog import show_error

        show_error(parent, exc)
        return None


def install_autosave(window, store: RecoveryStore | None = None) -> AutosaveController:
    """Autosave for a :class:`~hygis.ui.mainwindow.MainWindow`: follows ``projectChanged``;
    ``window.autosave`` is the controller (call ``project_closed()`` when the app quits normally)."""
    controller = AutosaveController(window.project, parent=window, store=store)
    window.projectChanged.connect(controller.set_project)
    status = getattr(window, "statusBar", None)
    if status is not None:
        controller.failed.connect(lambda message: window.statusBar().showMessage(message, 10000))
    window.autosave = controller
    return controller
