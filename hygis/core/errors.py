"""The one exception type for errors a user can cause.

Raised anywhere below the UI/CLI with a clear, one-line message; caught once at
the CLI (exit 1, message on stderr) and at the UI boundary (an error dialog).
"""


class HygisError(Exception):
    """An error caused by user input (bad file, bad value, bad CRS ...).

    ``str(err)`` is the message shown to the user; ``details`` is optional extra
    text (shown on request in the GUI, with ``--debug`` on the CLI).
    """

    def __init__(self, message: str, details: str | None = None):
        super().__init__(message)
        self.details = details


class CancelledError(HygisError):
    """Raised by long operations when the user cancelled them."""

    def __init__(self, message: str = "Cancelled"):
        super().__init__(message)
