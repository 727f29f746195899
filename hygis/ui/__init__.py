"""Qt user interface of hygis (PySide6).  Only code under ``hygis.ui`` imports Qt.

PySide6-Essentials is pinned below 6.12 in pyproject.toml: 6.12.0 on CPython 3.11
drops a reference to ``None`` on every void Qt call and aborts with "none_dealloc".
"""
