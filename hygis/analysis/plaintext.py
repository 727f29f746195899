"""Text tables without pandas: the aligned table of :mod:`hygis.analysis.output`, for rows of plain values.

:mod:`hygis.analysis.output` formats DataFrames with these functions; the lean
``hygis analyze coverage`` path (:mod:`hygis.analysis.lean_coverage`) uses them directly, so
its output is the same text without importing pandas.
"""

from __future__ import annotations

import math
import unicodedata

#: Longest text cell of the table format (display cells); longer text is cut with "…".
MAX_CELL = 40


def display_width(text: str) -> int:
    """Terminal cells ``text`` occupies (wide/full-width East Asian characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def cell_text(value) -> str:
    """A value as a table cell: floats with 3 decimals (integers without), booleans yes/no, missing empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "yes" if value else "no"
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        value = float(value)
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.3f}"
    return str(value)


def clip(text: str, limit: int = MAX_CELL) -> str:
    if display_width(text) <= limit:
        return text
    out, width = [], 0
    for ch in text:
        w = display_width(ch)
        if width + w > limit - 1:
            break
        out.append(ch)
        width += w
    return "".join(out) + "…"


def format_rows(headers: list[str], rows: list[list[str]], numeric: list[bool]) -> str:
    """Cells (already text) aligned by display width; ``numeric`` columns right-aligned."""
    widths = [max([display_width(h)] + [display_width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells):
        out = []
        for text, width, right in zip(cells, widths, numeric):
            pad = " " * (width - display_width(text))
            out.append(pad + text if right else text + pad)
        return "  ".join(out).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), sep] + [line(r) for r in rows])
