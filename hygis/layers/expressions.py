"""Safe, vectorized feature filter expressions.

Filters like ``year_opened <= 2025 and status in ('operating', 'planned')``
come from project files, so they are parsed with :mod:`ast` and only a small
whitelist of nodes is evaluated: field names, literals, comparisons,
``in``/``not in``, ``and``/``or``/``not``, arithmetic, and ``is None`` checks.
Nothing is ever passed to ``eval``.
"""

from __future__ import annotations

import ast
import operator

import numpy as np
import pandas as pd

from hygis.core.errors import HygisError

MAX_EXPRESSION = 2000

_CMP = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
        ast.Gt: operator.gt, ast.GtE: operator.ge}
_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
        ast.Mod: operator.mod}


def parse_filter(expression: str) -> ast.Expression:
    """Parse and check a filter; raises HygisError on syntax or forbidden constructs."""
    if not isinstance(expression, str):
        raise HygisError("filter must be text")
    if len(expression) > MAX_EXPRESSION:
        raise HygisError(f"filter is longer than {MAX_EXPRESSION} characters")
    text = expression.replace("==", "==").strip()
    # SQL-ish spellings planners type: = , <>, AND/OR/NOT, IN
    try:
        tree = ast.parse(_sqlish(text), mode="eval")
    except SyntaxError:
        raise HygisError(f"Cannot understand filter: {expression}") from None
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub,
                                 ast.Compare, ast.Name, ast.Load, ast.Constant, ast.Tuple, ast.List,
                                 ast.BinOp, ast.In, ast.NotIn, ast.Is, ast.IsNot, *_CMP, *_BIN)):
            raise HygisError(f"Filter uses something not allowed ({type(node).__name__}): {expression}")
    return tree


def _sqlish(text: str) -> str:
    import re

    text = re.sub(r"(?<![<>=!])=(?!=)", "==", text)
    text = text.replace("<>", "!=")
    for word in ("AND", "OR", "NOT", "IN", "IS", "NULL"):
        repl = "None" if word == "NULL" else word.lower()
        text = re.sub(rf"\b{word}\b", repl, text)
    return text


def evaluate_filter(frame: pd.DataFrame, expression: str | None) -> np.ndarray:
    """Boolean mask of the rows of ``frame`` matching ``expression`` (all rows if empty)."""
    if expression is None or not str(expression).strip():
        return np.ones(len(frame), dtype=bool)
    tree = parse_filter(expression)
    result = _eval(tree.body, frame)
    if np.isscalar(result) or getattr(result, "ndim", 1) == 0:
        return np.full(len(frame), bool(result))
    return np.asarray(pd.Series(result).fillna(False).astype(bool), dtype=bool)


def _column(frame, name):
    if name in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[name]
    if name not in frame.columns:
        raise HygisError(f"Filter refers to unknown field '{name}'")
    col = frame[name]
    if pd.api.types.is_numeric_dtype(col):
        return col.astype(float)
    return col.astype(object)


def _eval(node, frame):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return _column(frame, node.id)
    if isinstance(node, (ast.Tuple, ast.List)):
        return [_eval(e, frame) for e in node.elts]
    if isinstance(node, ast.BoolOp):
        vals = [_as_bool(_eval(v, frame), len(frame)) for v in node.values]
        op = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        out = vals[0]
        for v in vals[1:]:
            out = op(out, v)
        return out
    if isinstance(node, ast.UnaryOp):
        val = _eval(node.operand, frame)
        return np.logical_not(_as_bool(val, len(frame))) if isinstance(node.op, ast.Not) else -val
    if isinstance(node, ast.BinOp):
        try:
            return _BIN[type(node.op)](_eval(node.left, frame), _eval(node.right, frame))
        except TypeError:
            raise HygisError("Filter does arithmetic on a text field") from None
    if isinstance(node, ast.Compare):
        left = _eval(node.left, frame)
        out = None
        for op, comp in zip(node.ops, node.comparators):
            right = _eval(comp, frame)
            res = _compare(op, left, right)
            out = res if out is None else np.logical_and(out, res)
            left = right
        return out
    raise HygisError("Unsupported filter")


def _as_bool(val, n):
    if isinstance(val, pd.Series):
        return val.fillna(False).astype(bool).to_numpy()
    return np.asarray(val, dtype=bool) if not np.isscalar(val) else np.full(n, bool(val))


def _compare(op, left, right):
    if isinstance(op, (ast.In, ast.NotIn)):
        if isinstance(right, (str, int, float)):  # "status in ('operating')": one value in parentheses
            right = [right]
        if not isinstance(right, list):
            raise HygisError("'in' needs a list, e.g. status in ('operating', 'planned')")
        s = left if isinstance(left, pd.Series) else pd.Series([left])
        mask = s.isin(right).to_numpy() | s.astype(str).isin([str(r) for r in right]).to_numpy()
        return ~mask if isinstance(op, ast.NotIn) else mask
    if isinstance(op, (ast.Is, ast.IsNot)):
        s = left if isinstance(left, pd.Series) else pd.Series([left])
        mask = s.isna().to_numpy() if right is None else (s == right).to_numpy()
        return ~mask if isinstance(op, ast.IsNot) else mask
    try:
        res = _CMP[type(op)](left, right)
    except TypeError:
        if isinstance(left, pd.Series) and isinstance(right, (int, float)):
            res = _CMP[type(op)](pd.to_numeric(left, errors="coerce"), right)
        else:
            raise HygisError("Filter compares text with a number") from None
    if isinstance(res, pd.Series):
        return res.fillna(False).astype(bool).to_numpy()
    return res
