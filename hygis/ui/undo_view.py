"""The undo history panel: a QUndoView over the project's QUndoStack.

Clicking an entry undoes or redoes back to it; the first row is the state
when the project was opened, and the clean (saved) state carries a mark.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QStyle, QUndoView, QVBoxLayout, QWidget


class UndoHistory(QWidget):
    """History of ``project.history`` when it is a Qt stack (``hygis.ui.undo.QtCommandStack``)."""

    def __init__(self, project=None, parent=None):
        super().__init__(parent)
        self.view = QUndoView()
        self.view.setCleanIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton))
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.retranslate_ui()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.hint)
        self.set_project(project)

    def retranslate_ui(self) -> None:
        self.view.setEmptyLabel(self.tr("<opened project>"))
        self.hint.setText(self.tr("Click a step to go back to it; the disk icon marks the saved state."))
        self.view.doItemsLayout()  # the steps' texts were retranslated by their stack (hygis.ui.undo): new sizes

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt virtual)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def set_project(self, project) -> None:
        """Show the history of ``project`` (nothing if its history is not a Qt stack)."""
        self.project = project
        stack = getattr(getattr(project, "history", None), "undo_stack", None)
        self.view.setStack(stack)

    @property
    def stack(self):
        return self.view.stack()
