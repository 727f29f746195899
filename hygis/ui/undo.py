"""Qt's undo stack behind the plain :class:`~hygis.project.commands.CommandStack` interface.

The main window installs a :class:`QtCommandStack` as ``project.history``:
``project.execute(cmd)`` runs the model command once and records it in a
``QUndoStack`` (so ``QUndoView`` and Ctrl+Z/Ctrl+Shift+Z work); geometry drags
merge into one step through ``QUndoCommand.mergeWith``.

Each step's text is the command's :class:`~hygis.project.commands.Label` in the
user's language (:func:`label_text`, catalogue context "Command"); after a
language switch every step of the stack is retranslated, so Edit ▸ Undo/Redo
and the undo history read in the new language.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QUndoCommand, QUndoStack

from hygis.layers.schema import SCHEMAS
from hygis.project.commands import Command, FieldNames, Label
from hygis.core.events import EmitterGroup
from hygis.ui.i18n import current_language, field_label, on_language_change, template_text

log = logging.getLogger(__name__)


#: Catalogue context of command labels (hygis/i18n/zh_CN.json).
CONTEXT = "Command"


def label_text(label) -> str:
    """A command label in the UI language: a :class:`~hygis.project.commands.Label`'s template
    translated, then filled with its values (Label values translated the same way); any other
    text as it is."""
    if isinstance(label, FieldNames):
        sep = "、" if current_language() == "zh_CN" else ", "
        return sep.join(_field_text(label.kind, name) for name in label.names)
    if getattr(label, "template", None) is None:
        return str(label)
    return template_text(label, CONTEXT, lambda v: label_text(v) if isinstance(v, (Label, FieldNames)) else v)


def _field_text(kind, name: str) -> str:
    """A thematic layer's field by its schema label in the UI language; other fields by name."""
    schema = SCHEMAS.get(kind) if kind else None
    spec = schema.field(name) if schema is not None else None
    return field_label(spec) if spec is not None else name


class QtCommand(QUndoCommand):
    """A model :class:`Command` as a QUndoCommand (``redo`` → ``do``)."""

    def __init__(self, command: Command, already_done: bool = True):
        super().__init__(label_text(command.label))
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
        self.setText(label_text(self.command.label))
        return True

    def retranslate(self) -> None:
        self.setText(label_text(self.command.label))


class QtCommandStack:
    """The CommandStack interface over a ``QUndoStack`` (exposed as :attr:`undo_stack`).

    Events: changed() after push/undo/redo/set_clean/clear.
    """

    def __init__(self, parent=None):
        self.events = EmitterGroup("changed")
        self.undo_stack = QUndoStack(parent)
        self.undo_stack.indexChanged.connect(self._on_qt_changed)
        self.undo_stack.cleanChanged.connect(self._on_qt_changed)
        on_language_change(self.retranslate)  # after a switch: every step in the new language

    def _on_qt_changed(self, *_):
        self.events.changed()

    def push(self, cmd: Command) -> None:
        """Run ``cmd`` once (errors propagate, nothing is recorded) and record it."""
        cmd.do()
        self.undo_stack.push(QtCommand(cmd, already_done=True))

    def retranslate(self) -> None:
        """Every step's text in the current language (after a language switch)."""
        for i in range(self.undo_stack.count()):
            cmd = self.undo_stack.command(i)
            if isinstance(cmd, QtCommand):
                cmd.retranslate()
        # no changed() event: the windows re-read the texts on their own LanguageChange (posted after
        # this runs), and a closed window's handlers must not run

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
