"""Qt's undo stack behind the plain :class:`~hygis.project.commands.CommandStack` interface.

The main window installs a :class:`QtCommandStack` as ``project.history``:
``project.execute(cmd)`` runs the model command once and records it in a
``QUndoStack`` (so ``QUndoView`` and Ctrl+Z/Ctrl+Shift+Z work); geometry drags
merge into one step through ``QUndoCommand.mergeWith``.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QUndoCommand, QUndoStack

from hygis.project.commands import Command
from hygis.core.events import EmitterGroup

log = logging.getLogger(__name__)


class QtCommand(QUndoCommand):
    """A model :class:`Command` as a QUndoCommand (``redo`` → ``do``)."""

    def __init__(self, command: Command, already_done: bool = True):
        super().__init__(command.label)
        self.command = command
        self._skip_redo = already_done  # QUndoStack.push calls redo(): the command already ran

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self.command.do()

    def undo(self) -> None:
        self.command.undo()

    def id(self) -> int:  # noqa: A003 (Qt virtual)
        return int(self.command.merge_id) if self.command.merge_id >= 0 else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt virtual)
        if not isinstance(other, QtCommand) or not self.command.merge_with(other.command):
            return False
        self.setText(self.command.label)
        return True


class QtCommandStack:
    """The CommandStack interface over a ``QUndoStack`` (exposed as :attr:`undo_stack`).

    Events: changed() after push/undo/redo/set_clean/clear.
    """

    def __init__(self, parent=None):
        self.events = EmitterGroup("changed")
        self.undo_stack = QUndoStack(parent)
        self.undo_stack.indexChanged.connect(self._on_qt_changed)
        self.undo_stack.cleanChanged.connect(self._on_qt_changed)

    def _on_qt_changed(self, *_):
        self.events.changed()

    def push(self, cmd: Command) -> None:
        """Run ``cmd`` once (errors propagate, nothing is recorded) and record it."""
        cmd.do()
        self.undo_stack.push(QtCommand(cmd, already_done=True))

    def undo(self) -> None:
        if self.can_undo():
            self.undo_stack.undo()

    def redo(self) -> None:
        if self.can_redo():
            self.undo_stack.redo()

    def can_undo(self) -> bool:
        return self.undo_stack.canUndo()

    def can_redo(self) -> bool:
        return self.undo_stack.canRedo()

    def undo_label(self) -> str:
        return self.undo_stack.undoText()

    def redo_label(self) -> str:
        return self.undo_stack.redoText()

    def is_clean(self) -> bool:
        return self.undo_stack.isClean()

    def set_clean(self) -> None:
        self.undo_stack.setClean()
        self.events.changed()

    def clear(self) -> None:
        self.undo_stack.clear()
        self.events.changed()

    def __len__(self) -> int:
        return self.undo_stack.count()
