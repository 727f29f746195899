"""Qt user interface of hygis (PySide6).  Only code under ``hygis.ui`` imports Qt."""

import sys as _sys


def _pin_none_refcount() -> None:
    """Work around PySide6 6.12 on CPython < 3.12: every call of a void Qt method drops one
    reference to ``None`` (shiboken assumes the immortal None of 3.12+), so after a few
    thousand calls (``setText``, ``processEvents``…) Python aborts with "none_dealloc".
    Giving ``None`` a huge reference count makes it effectively immortal, as on 3.12."""
    if _sys.version_info >= (3, 12) or hasattr(_sys, "gettotalrefcount"):  # immortal / debug build
        return
    if _sys.getrefcount(None) < 2**40:
        import ctypes

        ctypes.c_ssize_t.from_address(id(None)).value += 2**42


_pin_none_refcount()
