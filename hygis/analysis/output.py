"""Text output of analysis results: aligned tables (Chinese-aware), CSV and JSON.

CSV and JSON are for machines: full precision, UTF-8, JSON as a list of
records (``ensure_ascii=False``, NaN → null).  The table format is for people:
columns aligned by display width (a Chinese character takes two cells).
"""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pandas as pd

from hygis.analysis.plaintext import MAX_CELL, cell_text, clip, display_width, format_rows  # noqa: F401 (re-exported)

FORMATS = ("table", "csv", "json")


def _cell(value) -> str:
    if value is pd.NA:
        return ""
    return cell_text(value)


def format_table(frame: pd.DataFrame) -> str:
    """Columns aligned by display width; numbers right-aligned, floats with 3 decimals, long text cut."""
    headers = [str(c) for c in frame.columns]
    rows = [[clip(_cell(v)) for v in rec] for rec in frame.itertuples(index=False, name=None)]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
               for c in frame.columns]
    return format_rows(headers, rows, numeric)


def _jsonable(value):
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    """A DataFrame as JSON-ready records (native Python types, NaN → None)."""
    cols = [str(c) for c in frame.columns]
    return [{c: _jsonable(v) for c, v in zip(cols, rec)} for rec in frame.itertuples(index=False, name=None)]


def render_frame(frame: pd.DataFrame, fmt: str) -> str:
    """One DataFrame as text in ``fmt`` ('table', 'csv' or 'json')."""
    if fmt == "csv":
        buf = io.StringIO()
        frame.to_csv(buf, index=False, lineterminator="\n")
        return buf.getvalue().rstrip("\n")
    if fmt == "json":
        return json.dumps(records(frame), ensure_ascii=False, indent=1)
    return format_table(frame)


def render_enclaves(result: dict, fmt: str) -> str:
    """The result of :func:`hygis.analysis.enclaves.enclave_counts` as text.

    json: an object ``{"summary": {...}, "<table>": [records ...]}``; csv: one long table
    ``table,group,measure,value``; table: the summary then every table.
    """
    tables = {name: _reset(frame) for name, frame in result.items() if name != "summary"}
    summary = {k: _jsonable(v) for k, v in result["summary"].items()}
    if fmt == "json":
        doc = {"summary": summary, **{name: records(frame) for name, frame in tables.items()}}
        return json.dumps(doc, ensure_ascii=False, indent=1)
    if fmt == "csv":
        rows = [("summary", "", k, v) for k, v in summary.items()]
        for name, frame in tables.items():
            key = frame.columns[0]
            for rec in records(frame):
                rows += [(name, rec[key], m, v) for m, v in rec.items() if m != key]
        return render_frame(pd.DataFrame(rows, columns=["table", "group", "measure", "value"]), "csv")
    blocks = [format_table(pd.DataFrame({"measure": list(summary), "value": [_cell(v) for v in summary.values()]}))]
    for name, frame in tables.items():
        blocks.append(f"[{name}]\n" + format_table(frame))
    return "\n\n".join(blocks)


def _reset(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.reset_index() if frame.index.name is not None else frame
