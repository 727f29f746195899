"""The window notices when another program replaces the project file it has open.

Every two seconds (and when the window becomes active) the project file's stamp is compared
with the one hygis read or wrote (:func:`hygis.project.lock.changed_on_disk`, a ``stat``).
On a change the user is told once, in a non-blocking box: *Reload* (discarding unsaved changes
here) or *Keep mine*.  Saving over a changed file is never silent: :func:`confirm_overwrite`
asks first (overwrite, save under another name, or cancel).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QMessageBox

from hygis.project import lock as hlock

CHECK_INTERVAL_MS = 2000


def _tr(text: str) -> str:
    return QCoreApplication.translate("DiskWatch", text)


class DiskWatch(QObject):
    """Polls the open project's file; ``window.disk_watch.box`` is the warning shown (or None)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.box: QMessageBox | None = None
        self._warned: tuple | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        window.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if obj is self.window and event.type() == QEvent.Type.WindowActivate:
            QTimer.singleShot(0, self.check)
        return False

    def check(self) -> bool:
        """Warn if the open project's file changed on disk (once per change); True if it did."""
        project = self.window.project
        if project is None or not hlock.changed_on_disk(project):
            return False
        known = hlock.remembered(project)
        stamp = hlock.disk_stamp(known[0]) if known else None
        if stamp == self._warned or (self.box is not None and self.box.isVisible()):
            return True
        self._warned = stamp
        name = project.path.name if project.path else ""
        box = QMessageBox(QMessageBox.Icon.Warning, _tr("Project changed on disk"),
                          _tr("{name} was changed by another program.").format(name=name), parent=self.window)
        if stamp is None:
            box.setInformativeText(_tr("The file was removed or renamed. Save to write it again."))
            box.setStandardButtons(QMessageBox.StandardButton.Ok)
        else:
            box.setInformativeText(_tr("Reload it (changes not saved here are lost), or keep this version "
                                       "(saving will ask before overwriting the other program's changes)."))
            self.reload_button = box.addButton(_tr("Reload"), QMessageBox.ButtonRole.AcceptRole)
            box.addButton(_tr("Keep mine"), QMessageBox.ButtonRole.RejectRole)
        box.finished.connect(lambda _result, b=box: self._answered(b))
        self.box = box
        box.open()
        return True

    def _answered(self, box: QMessageBox) -> None:
        if getattr(self, "reload_button", None) is not None and box.clickedButton() is self.reload_button:
            path = self.window.project.path
            if path is not None and self.window.open_project(path):
                self._warned = None


def confirm_overwrite(window, path) -> str:
    """Ask what to do when saving over a file another program changed: 'overwrite', 'save_as' or 'cancel'."""
    box = QMessageBox(QMessageBox.Icon.Warning, _tr("Project changed on disk"),
                      _tr("{name} was changed by another program since you opened it.").format(name=path.name),
                      parent=window)
    box.setInformativeText(_tr("Overwrite it with this version (the other program's changes are lost), "
                               "or save this version under another name?"))
    overwrite = box.addButton(_tr("Overwrite"), QMessageBox.ButtonRole.DestructiveRole)
    save_as = box.addButton(_tr("Save As…"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(save_as)
    window.last_overwrite_box = box
    box.exec()
    clicked = box.clickedButton()
    return "overwrite" if clicked is overwrite else "save_as" if clicked is save_as else "cancel"
