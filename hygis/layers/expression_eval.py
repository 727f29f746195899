"""Evaluating a parsed filter (:mod:`hygis.layers.expressions`) on a frame, vectorized with pandas.

Values are scalars or Series aligned to a RangeIndex; a comparison involving a missing value
is false, ``NOT`` flips it (two-valued logic); ``=``/``IN`` between text and numbers compare
as written, ordering compares numbers stored as text by value.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from hygis.core.errors import HygisError


def truth(value, n: int) -> np.ndarray:
    if isinstance(value, pd.Series):
        if value.dtype == bool:
            return value.to_numpy()
        return value.map(lambda v: False if _missing(v) else bool(v)).to_numpy(dtype=bool)
    if isinstance(value, np.ndarray):
        return value.astype(bool)
    return np.full(n, False if _missing(value) else bool(value))


def _missing(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


class Evaluator:
    """Evaluates a tree on a frame: values are scalars or Series aligned to a RangeIndex."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.n = len(frame)

    def value(self, node):
        return getattr(self, "_" + node.op)(*node.args)

    def _const(self, v):
        return v

    def _field(self, name):
        if name not in self.frame.columns:
            fields = [str(c) for c in self.frame.columns if c != getattr(self.frame, "_geometry_column_name", None)]
            shown = ", ".join(fields[:12]) + (" …" if len(fields) > 12 else "")
            raise HygisError("Filter refers to unknown field '{name}' (fields: {shown}; text goes in single quotes)",
                             name=name, shown=shown)
        col = self.frame[name].reset_index(drop=True)
        if pd.api.types.is_bool_dtype(col):
            return col.astype(object)
        if pd.api.types.is_numeric_dtype(col):
            return col.astype(float)
        return col.astype(object)

    def _and(self, *parts):
        out = np.ones(self.n, bool)
        for p in parts:
            out &= truth(self.value(p), self.n)
        return out

    def _or(self, *parts):
        out = np.zeros(self.n, bool)
        for p in parts:
            out |= truth(self.value(p), self.n)
        return out

    def _not(self, inner):
        return ~truth(self.value(inner), self.n)

    def _isnull(self, inner):
        v = self.value(inner)
        if isinstance(v, pd.Series):
            return v.isna().to_numpy()
        return np.full(self.n, _missing(v))

    def _cmp(self, op, a, b):
        left, right = self.value(a), self.value(b)
        return _compare(op, left, right, self.n)

    def _in(self, left, items):
        v = self.value(left)
        out = np.zeros(self.n, bool)
        for item in items:
            out |= _compare("eq", v, self.value(item), self.n)
        return out

    def _between(self, left, low, high):
        v = self.value(left)
        return _compare("ge", v, self.value(low), self.n) & _compare("le", v, self.value(high), self.n)

    def _like(self, left, pattern, insensitive):
        v, pat = self.value(left), self.value(pattern)
        if isinstance(pat, pd.Series) or _missing(pat):
            raise HygisError("LIKE needs a 'pattern' in single quotes, e.g. name LIKE '%科创%'")
        regex = re.compile(_like_regex(str(pat)), re.IGNORECASE | re.DOTALL if insensitive else re.DOTALL)
        s = v if isinstance(v, pd.Series) else pd.Series([v] * self.n, dtype=object)
        return s.map(lambda x: False if _missing(x) else regex.fullmatch(_text(x)) is not None).to_numpy(dtype=bool)

    def _neg(self, inner):
        v = self.value(inner)
        try:
            return -v
        except TypeError:
            raise HygisError("Filter puts a minus sign before text") from None

    def _arith(self, op, a, b):
        left, right = self.value(a), self.value(b)
        if op == "||":
            return _concat(left, right, self.n)
        try:
            with np.errstate(all="ignore"):
                if op == "+":
                    return left + right
                if op == "-":
                    return left - right
                if op == "*":
                    return left * right
                if op == "/":
                    return _divide(left, right)
                return left % right
        except TypeError:
            raise HygisError("Filter does arithmetic on a text field (use || to join text)") from None

    def _call(self, func, args):
        vals = [self.value(a) for a in args]
        return _FUNCS[func](*vals)


def _text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _like_regex(pattern: str) -> str:
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "%" else "." if c == "_" else re.escape(c))
        i += 1
    return "".join(out)


def _divide(left, right):
    if isinstance(right, pd.Series):
        return left / right.where(right != 0)
    if right == 0:
        return left * np.nan if isinstance(left, pd.Series) else None
    return left / right


def _concat(left, right, n: int):
    left, right = _as_text(left), _as_text(right)
    if not isinstance(left, pd.Series) and not isinstance(right, pd.Series):
        return None if left is None or right is None else left + right
    ls = left if isinstance(left, pd.Series) else pd.Series([left] * n, dtype=object)
    rs = right if isinstance(right, pd.Series) else pd.Series([right] * n, dtype=object)
    return pd.Series([None if a is None or b is None else a + b for a, b in zip(ls, rs)], dtype=object)


def _is_number(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _kind(v) -> str:
    """'number', 'text', 'bool', 'null' or 'mixed' (a Series of several kinds)."""
    if isinstance(v, pd.Series):
        if pd.api.types.is_numeric_dtype(v):
            return "number"
        kinds = {_kind(x) for x in v.dropna().head(1000)}
        kinds.discard("null")
        return kinds.pop() if len(kinds) == 1 else ("null" if not kinds else "mixed")
    if _missing(v):
        return "null"
    if isinstance(v, (bool, np.bool_)):
        return "bool"
    if _is_number(v):
        return "number"
    return "text"


_OPS = {"eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "lt": lambda a, b: a < b,
        "gt": lambda a, b: a > b, "le": lambda a, b: a <= b, "ge": lambda a, b: a >= b}
_OP_TEXT = {"eq": "=", "ne": "<>", "lt": "<", "gt": ">", "le": "<=", "ge": ">="}


def _compare(op: str, left, right, n: int) -> np.ndarray:
    """``left op right`` as a boolean array; missing values compare false."""
    lk, rk = _kind(left), _kind(right)
    if "null" in (lk, rk):
        return np.zeros(n, bool)  # = NULL is never true: use IS NULL
    if {lk, rk} == {"number", "text"}:
        if op in ("eq", "ne"):  # a code stored as text vs a number: compare as written
            left, right = _as_text(left), _as_text(right)
        else:
            text_side = right if rk == "text" else left
            if isinstance(text_side, pd.Series):  # numbers stored as text: compare their values
                num = pd.to_numeric(text_side, errors="coerce")
                left, right = (left, num) if rk == "text" else (num, right)
            else:
                raise HygisError("Filter compares a number with the text '{text_side}' using {value} (remove the quotes for "
                                 "a number)",
                                 text_side=text_side, value=_OP_TEXT[op])
    try:
        res = _OPS[op](left, right)
    except TypeError:
        if not (isinstance(left, pd.Series) or isinstance(right, pd.Series)) or "number" not in (lk, rk):
            raise HygisError("Filter compares text with a number using {value}", value=_OP_TEXT[op]) from None
        # a field mixing numbers and text: compare the values that are numbers
        left = pd.to_numeric(left, errors="coerce") if isinstance(left, pd.Series) else left
        right = pd.to_numeric(right, errors="coerce") if isinstance(right, pd.Series) else right
        res = _OPS[op](left, right)
    if isinstance(res, pd.Series):
        valid = ~(_nulls(left, n) | _nulls(right, n))
        return res.fillna(False).to_numpy(dtype=bool) & valid
    return np.full(n, bool(res))


def _nulls(v, n: int) -> np.ndarray:
    if isinstance(v, pd.Series):
        return v.isna().to_numpy()
    return np.full(n, _missing(v))


def _as_text(v):
    if isinstance(v, pd.Series):
        return pd.Series([None if _missing(x) else _text(x) for x in v], dtype=object)
    return None if _missing(v) else _text(v)


def _series_map(func):
    def apply(v):
        if isinstance(v, pd.Series):
            return pd.Series([None if _missing(x) else func(x) for x in v], dtype=object)
        return None if _missing(v) else func(v)
    return apply


def _round(v, digits=0):
    digits = int(digits) if _is_number(digits) else 0
    if isinstance(v, pd.Series):
        return pd.to_numeric(v, errors="coerce").round(digits)
    return None if _missing(v) else round(float(v), digits)


def _coalesce(*vals):
    out = vals[0]
    for v in vals[1:]:
        if isinstance(out, pd.Series):
            out = out.where(out.notna(), v)
        elif _missing(out):
            out = v
    return out


def _abs(v):
    if isinstance(v, pd.Series):
        return pd.to_numeric(v, errors="coerce").abs()
    return None if _missing(v) else abs(float(v))


_FUNCS = {"lower": _series_map(lambda x: _text(x).lower()), "upper": _series_map(lambda x: _text(x).upper()),
          "length": _series_map(lambda x: len(_text(x))), "trim": _series_map(lambda x: _text(x).strip()),
          "abs": _abs, "round": _round, "coalesce": _coalesce}
