"""The one exception type for errors a user can cause.

Raised anywhere below the UI/CLI with a clear, one-line message; caught once at
the CLI (exit 1, message on stderr) and at the UI boundary (an error dialog).

A message is a template with named fields, ``HygisError("Cannot open {file}: {reason}",
file=path.name, reason=why)``: the CLI prints the English text, the desktop app shows the
template in the user's language (catalogue context "Error", ``hygis.ui.error_dialog.error_message``)
with the same values.  A value that is a :class:`~hygis.core.text.Label` or another HygisError is
translated the same way.
"""

from hygis.core.text import Label


class HygisError(Exception):
    """An error caused by user input (bad file, bad value, bad CRS ...).

    ``str(err)`` is the message shown to the user (English); ``err.message`` is the same text as a
    :class:`~hygis.core.text.Label` when it was given as a template with values; ``details`` is
    optional extra text (shown on request in the GUI, with ``--debug`` on the CLI).
    """

    def __init__(self, message: str, details: str | None = None, /, **values):
        if values:
            message = Label(message, **values)
        elif not isinstance(message, str):
            message = Label(str(message))
        elif not isinstance(message, Label):
            message = Label(message)  # a fixed sentence is a template without fields
        super().__init__(message)
        self.message = message
        self.details = details


class CancelledError(HygisError):
    """Raised by long operations when the user cancelled them."""

    def __init__(self, message: str = "Cancelled"):
        super().__init__(message)
