"""The error dialog: a short message, the details (traceback) on request.

``show_error(parent, exc)`` is the one place the UI reports an error.  A
:class:`~hygis.core.errors.HygisError` shows its own message (the user can fix it); any
other exception is a bug: a generic sentence plus the exception, and the full
traceback under "Show Details..." and in the log file.
"""

from __future__ import annotations

import logging
import traceback

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from hygis.core.errors import HygisError
from hygis.core.logs import FILE_ONLY, log_file
from hygis.ui.i18n import template_text

log = logging.getLogger(__name__)


class ErrorDialog(QMessageBox):
    """A warning box: message text, optional details (expandable, standard QMessageBox)."""

    def __init__(self, message: str, details: str = "", parent: QWidget | None = None, title: str | None = None):
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(title or self.tr("hygis error"))
        self.setText(message)
        if details:
            self.setDetailedText(details)
        self.setStandardButtons(QMessageBox.StandardButton.Ok)

    @property
    def message(self) -> str:
        return self.text()

    @property
    def details(self) -> str:
        return self.detailedText()


#: Catalogue context of error messages (hygis/i18n/zh_CN.json).
CONTEXT = "Error"


def error_message(exc: BaseException | str) -> str:
    """The message of a :class:`~hygis.core.errors.HygisError` (or of a Label) in the UI language:
    its template translated, filled with the same values (file names, counts, reasons). Other
    exceptions and plain texts as they are."""
    if isinstance(exc, HygisError):
        return template_text(exc.message, CONTEXT)
    if isinstance(exc, BaseException):
        return str(exc)
    return template_text(exc, CONTEXT)


def error_texts(exc: BaseException | str) -> tuple[str, str]:
    """(short message, details) for an exception or a plain message.

    The short message is one line the user can act on; details hold the traceback.
    """
    if isinstance(exc, str):
        return error_message(exc), ""
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    if isinstance(exc, HygisError):
        extra = getattr(exc, "details", None)
        return error_message(exc), (extra + "\n\n" + details) if extra else details
    head = QCoreApplication.translate("ErrorDialog", "Something went wrong inside hygis. Your data was not changed.")
    message = f"{head}\n{type(exc).__name__}: {exc}"
    path = log_file()
    if path is not None:
        details = QCoreApplication.translate("ErrorDialog", "Log file:") + f" {path}\n\n" + details
    return message, details


def show_error(parent: QWidget | None, exc: BaseException | str, title: str | None = None,
               block: bool = False) -> ErrorDialog:
    """Show ``exc`` in an :class:`ErrorDialog` (window-modal; ``block`` waits for OK).

    The exception and its traceback are also written to the log file.
    Returns the dialog (tests read ``.message`` / ``.details``).
    """
    message, details = error_texts(exc)
    if isinstance(exc, BaseException):
        level = logging.WARNING if isinstance(exc, HygisError) else logging.ERROR
        # the log keeps the English text (what a bug report or the CLI would show)
        log.log(level, "%s", exc if isinstance(exc, HygisError) else message,
                exc_info=(type(exc), exc, exc.__traceback__), extra=FILE_ONLY)
    dialog = ErrorDialog(message, details, parent, title)
    if block:
        dialog.exec()
    else:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)  # no pile of hidden dialogs
        dialog.open()
    return dialog
