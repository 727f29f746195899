"""hygis filters (the one filter language, :mod:`hygis.layers.expressions`) as a QGIS expression.

The filter is parsed by hygis' own parser and its syntax tree written in QGIS' expression
syntax (QGIS 3.22 and later): fields in double quotes, text in single quotes, ``IS NULL``,
``IN (…)``, ``LIKE``/``ILIKE``, ``lower upper length trim abs round coalesce``.  Where QGIS
reads the same words differently, the translation keeps hygis' meaning:

* ``BETWEEN a AND b`` (QGIS 3.26+) becomes ``(x >= a AND x <= b)``;
* hygis counts a comparison with a missing value as false, so ``NOT`` of it is true, while
  QGIS' ``NOT NULL`` stays NULL (not drawn): ``NOT`` becomes ``NOT coalesce(…, FALSE)``.

Anything that cannot be said gives ``None``: a style is then written without the filter
rather than with a different one.
"""

from __future__ import annotations

from hygis.core.errors import HygisError
from hygis.layers.expressions import Node, parse_filter

_CMP = {"eq": "=", "ne": "<>", "lt": "<", "gt": ">", "le": "<=", "ge": ">="}
_ARITH = {"+", "-", "*", "/", "%", "||"}
FUNCTIONS = {"lower", "upper", "length", "trim", "abs", "round", "coalesce"}  # same names and meaning in QGIS


class Unsupported(Exception):
    """A node a target language (QGIS expression, OGC filter) cannot say."""


def quote_field(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise Unsupported("not a finite number")
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise Unsupported(type(value).__name__)


def qgis_expression(node: Node) -> str:
    """The QGIS expression of a syntax tree of the filter language (raises :class:`Unsupported`)."""
    op, args = node.op, node.args
    if op == "const":
        return literal(args[0])
    if op == "field":
        return quote_field(args[0])
    if op in ("and", "or"):
        return "(" + f" {op.upper()} ".join(qgis_expression(a) for a in args) + ")"
    if op == "not":
        return f"(NOT coalesce({qgis_expression(args[0])}, FALSE))"
    if op == "isnull":
        return f"({qgis_expression(args[0])} IS NULL)"
    if op == "cmp":
        return f"({qgis_expression(args[1])} {_CMP[args[0]]} {qgis_expression(args[2])})"
    if op == "in":
        return f"({qgis_expression(args[0])} IN ({', '.join(qgis_expression(v) for v in args[1])}))"
    if op == "between":
        x = qgis_expression(args[0])
        return f"(({x} >= {qgis_expression(args[1])}) AND ({x} <= {qgis_expression(args[2])}))"
    if op == "like":
        word = "ILIKE" if args[2] else "LIKE"
        return f"({qgis_expression(args[0])} {word} {qgis_expression(args[1])})"
    if op == "arith" and args[0] in _ARITH:
        return f"({qgis_expression(args[1])} {args[0]} {qgis_expression(args[2])})"
    if op == "neg":
        return f"(-{qgis_expression(args[0])})"
    if op == "call" and args[0] in FUNCTIONS:
        return f"{args[0]}({', '.join(qgis_expression(a) for a in args[1])})"
    raise Unsupported(op)


def to_qgis_expression(text: str | None) -> str | None:
    """The QGIS expression of a hygis filter, or None if it is empty, invalid or cannot be said in QGIS."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return qgis_expression(parse_filter(text))
    except (HygisError, Unsupported, RecursionError):
        return None
