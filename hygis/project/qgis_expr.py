"""A hygis layer filter as a QGIS expression (for the QML styles hygis writes for QGIS).

hygis filters (``year_opened <= 2025 and status in ('operating', 'planned')``,
``superseded is None``, SQL spellings ``=``, ``<>``, ``AND``, ``IS NULL``) are parsed here
with :mod:`ast` (never evaluated) and written in QGIS' expression syntax: fields in double
quotes, text in single quotes, ``IS NULL``, ``IN (…)``; a chained comparison becomes the
``AND`` of its pairs, as hygis evaluates it.  Anything else gives ``None``: the style is then
written without the filter rather than with a different one.
"""

from __future__ import annotations

import ast
import re

_STRING = re.compile(r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")
_CMP = {ast.Eq: "=", ast.NotEq: "<>", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_BIN = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Mod: "%"}


class _Unsupported(Exception):
    pass


def _pythonic(text: str) -> str:
    """SQL spellings outside quoted text → Python's (quoted text is kept as it is)."""
    parts = _STRING.split(text)
    for i in range(0, len(parts), 2):  # even parts are outside strings
        s = re.sub(r"(?<![<>=!])=(?!=)", "==", parts[i]).replace("<>", "!=")
        for word in ("AND", "OR", "NOT", "IN", "IS"):
            s = re.sub(rf"\b{word}\b", word.lower(), s, flags=re.IGNORECASE)
        s = re.sub(r"\bNULL\b", "None", s, flags=re.IGNORECASE)
        s = re.sub(r"\b(true|false)\b", lambda m: m.group(1).capitalize(), s, flags=re.IGNORECASE)
        parts[i] = s
    return "".join(parts)


def _quote_field(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise _Unsupported(type(value).__name__)


def _expr(node) -> str:
    if isinstance(node, ast.Constant):
        return _literal(node.value)
    if isinstance(node, ast.Name):
        return {"None": "NULL", "True": "TRUE", "False": "FALSE"}.get(node.id) or _quote_field(node.id)
    if isinstance(node, ast.BoolOp):
        op = " AND " if isinstance(node.op, ast.And) else " OR "
        return "(" + op.join(_expr(v) for v in node.values) + ")"
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            return f"(NOT {_expr(node.operand)})"
        if isinstance(node.op, ast.USub):
            return f"(-{_expr(node.operand)})"
        raise _Unsupported("unary")
    if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
        return f"({_expr(node.left)} {_BIN[type(node.op)]} {_expr(node.right)})"
    if isinstance(node, ast.Compare):
        pairs, left = [], node.left
        for op, right in zip(node.ops, node.comparators):
            pairs.append(_compare(op, left, right))
            left = right
        return pairs[0] if len(pairs) == 1 else "(" + " AND ".join(pairs) + ")"
    raise _Unsupported(type(node).__name__)


def _compare(op, left, right) -> str:
    if isinstance(op, (ast.In, ast.NotIn)):
        items = right.elts if isinstance(right, (ast.Tuple, ast.List)) else [right]
        if not items:
            raise _Unsupported("empty list")
        word = "NOT IN" if isinstance(op, ast.NotIn) else "IN"
        return f"({_expr(left)} {word} ({', '.join(_expr(i) for i in items)}))"
    if isinstance(op, (ast.Is, ast.IsNot)):
        if isinstance(right, ast.Constant) and right.value is None or isinstance(right, ast.Name) and right.id == "None":
            return f"({_expr(left)} IS {'NOT ' if isinstance(op, ast.IsNot) else ''}NULL)"
        return f"({_expr(left)} {'<>' if isinstance(op, ast.IsNot) else '='} {_expr(right)})"
    if type(op) in _CMP:
        return f"({_expr(left)} {_CMP[type(op)]} {_expr(right)})"
    raise _Unsupported(type(op).__name__)


def to_qgis_expression(text: str | None) -> str | None:
    """The QGIS expression of a hygis filter, or None if it is empty or cannot be said in QGIS."""
    if not isinstance(text, str) or not text.strip() or len(text) > 2000:
        return None
    try:
        tree = ast.parse(_pythonic(text.strip()), mode="eval")
        return _expr(tree.body)
    except (SyntaxError, ValueError, RecursionError, _Unsupported):
        return None
