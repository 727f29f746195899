"""The one filter language of hygis: layer filters, scenarios, the attribute table, ``--where``.

A small SQL-like language, read by a tokenizer and a recursive-descent parser (nothing is
ever passed to ``eval``) and evaluated vectorized on the layer's frame::

    year_opened >= 2017 AND host_city = '杭州市'
    status IN ('operating', 'planned') AND NOT name LIKE '%(规划)'
    area_km2 BETWEEN 5 AND 50 OR superseded IS NULL
    lower(name) = 'hangzhou' OR length(name) > 10

* Comparisons ``= == <> != < > <= >=`` (chains like ``2015 < year < 2025`` work),
  ``[NOT] LIKE`` / ``ILIKE`` (``%`` any text, ``_`` one character), ``[NOT] BETWEEN a AND b``
  (inclusive), ``[NOT] IN (…)``, ``IS [NOT] NULL``; ``AND OR NOT`` (any case), parentheses,
  arithmetic ``+ - * / %`` and ``||`` (join text).
* Text is in single quotes and is always text: ``name = 'AND'``, ``name = 'a=b'`` and
  ``name == 'NULL shop'`` compare with exactly that text (``''`` is a quote inside text;
  a backslash is just a backslash, except before ``% _ \\`` in a LIKE pattern).
  Double quotes name a field (``"year opened" > 2000``), as in SQL and QGIS.
* Functions: ``lower upper length trim abs round coalesce``.
* The spellings of the earlier Python-like language still work (``==``, ``and``/``or``/``not``,
  ``not in``, ``is None``, ``True``/``False``), so saved projects keep their filters.
* A comparison with a missing value is false (``NOT`` of it is true).

:func:`parse_filter` checks a filter (raises :class:`HygisError` with what is wrong) and
returns its syntax tree; :func:`evaluate_filter` gives the boolean mask of a frame's rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from hygis.core.errors import HygisError
from hygis.core.text import Label
from hygis.layers.expression_eval import Evaluator, truth

MAX_EXPRESSION = 2000
MAX_DEPTH = 60

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<str>'(?:[^']|'')*')
  | (?P<qid>"(?:[^"]|"")*")
  | (?P<op><=|>=|<>|!=|==|\|\||[=<>()\[\],+\-*/%])
  | (?P<id>[^\W\d]\w*)
""", re.VERBOSE)
_KEYWORDS = {"and", "or", "not", "in", "is", "null", "none", "like", "ilike", "between", "true", "false"}
_COMPARE = {"=": "eq", "==": "eq", "<>": "ne", "!=": "ne", "<": "lt", ">": "gt", "<=": "le", ">=": "ge"}
FUNCTIONS = ("lower", "upper", "length", "trim", "abs", "round", "coalesce")


@dataclass(frozen=True)
class Token:
    kind: str  # 'num' 'str' 'id' 'qid' 'op' 'kw' 'end'
    value: object
    pos: int


@dataclass(frozen=True)
class Node:
    """A syntax-tree node: ``op`` ('field', 'const', 'and', 'or', 'not', 'cmp', 'in', 'like',
    'between', 'isnull', 'arith', 'neg', 'call') with its ``args``."""

    op: str
    args: tuple


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` (keywords lower-cased); HygisError at the first character that is
    not part of the language."""
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            if text[pos] in "'\"":
                raise _error(text, Label("the quote at character {n} is never closed", n=pos + 1))
            raise _error(text, Label("unexpected '{char}' at character {n}", char=text[pos], n=pos + 1))
        kind, raw = m.lastgroup, m.group()
        if kind == "num":
            tokens.append(Token("num", float(raw) if any(c in raw for c in ".eE") else int(raw), pos))
        elif kind == "str":
            tokens.append(Token("str", raw[1:-1].replace("''", "'"), pos))
        elif kind == "qid":
            tokens.append(Token("qid", raw[1:-1].replace('""', '"'), pos))
        elif kind == "id":
            low = raw.lower()
            tokens.append(Token("kw", low, pos) if low in _KEYWORDS else Token("id", raw, pos))
        elif kind == "op":
            tokens.append(Token("op", raw, pos))
        pos = m.end()
    if pos < len(text) and not tokens:
        raise _error(text, Label("empty"))
    tokens.append(Token("end", None, len(text)))
    return tokens


def _error(text: str, detail: str) -> HygisError:
    return HygisError("Cannot understand filter: {text} ({detail})", text=text, detail=detail)


class _Parser:
    """Recursive descent over the tokens; precedence low → high:
    OR, AND, NOT, predicate (comparison, IN, LIKE, BETWEEN, IS NULL), + - ||, * / %, unary -."""

    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    # -- token helpers ---------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def _is(self, kind: str, *values) -> bool:
        t = self.tok
        return t.kind == kind and (not values or t.value in values)

    def _take(self, kind: str, *values) -> Token | None:
        if self._is(kind, *values):
            self.i += 1
            return self.tokens[self.i - 1]
        return None

    def _expect(self, kind: str, value, what: str) -> Token:
        got = self._take(kind, value)
        if got is None:
            raise self._fail(Label("expected {what}", what=what))
        return got

    def _fail(self, detail: str) -> HygisError:
        t = self.tok
        where = Label("at the end") if t.kind == "end" else Label("at character {n}", n=t.pos + 1)
        return _error(self.text, Label("{detail} {where}", detail=detail, where=where))

    def _nest(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _error(self.text, Label("nested too deeply"))

    # -- grammar ---------------------------------------------------------------------------
    def parse(self) -> Node:
        node = self.or_expr()
        if not self._is("end"):
            raise self._fail(Label("unexpected text"))
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self._take("kw", "or"):
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Node("or", tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.not_expr()]
        while self._take("kw", "and"):
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else Node("and", tuple(parts))

    def not_expr(self) -> Node:
        if self._take("kw", "not"):
            self._nest()
            node = Node("not", (self.not_expr(),))
            self.depth -= 1
            return node
        return self.predicate()

    def predicate(self) -> Node:
        left = self.additive()
        if self._is("op", *_COMPARE):
            items, ops = [left], []
            while self._is("op", *_COMPARE):
                ops.append(_COMPARE[self._take("op").value])
                items.append(self.additive())
            parts = [Node("cmp", (op, a, b)) for op, a, b in zip(ops, items, items[1:])]
            return parts[0] if len(parts) == 1 else Node("and", tuple(parts))
        if self._take("kw", "is"):
            negate = bool(self._take("kw", "not"))
            if not self._take("kw", "null", "none"):
                raise self._fail(Label("expected NULL after IS"))
            node = Node("isnull", (left,))
            return Node("not", (node,)) if negate else node
        negate = bool(self._take("kw", "not"))
        if self._take("kw", "in"):
            node = Node("in", (left, self.value_list()))
        elif self._is("kw", "like", "ilike"):
            insensitive = self._take("kw").value == "ilike"
            node = Node("like", (left, self.additive(), insensitive))
        elif self._take("kw", "between"):
            low = self.additive()
            self._expect("kw", "and", Label("AND in BETWEEN … AND …"))
            node = Node("between", (left, low, self.additive()))
        elif negate:
            raise self._fail(Label("expected IN, LIKE or BETWEEN after NOT"))
        else:
            return left
        return Node("not", (node,)) if negate else node

    def value_list(self) -> tuple:
        close = {"(": ")", "[": "]"}.get(self.tok.value) if self.tok.kind == "op" else None
        if close is None:
            raise self._fail(Label("expected a list in parentheses, e.g. ('a', 'b')"))
        self.i += 1
        values = []
        while not self._take("op", close):
            values.append(self.additive())
            if not self._take("op", ","):
                self._expect("op", close, f"',' or '{close}'")
                break
        if not values:
            raise self._fail(Label("empty list"))
        return tuple(values)

    def additive(self) -> Node:
        node = self.term()
        while self._is("op", "+", "-", "||"):
            node = Node("arith", (self._take("op").value, node, self.term()))
        return node

    def term(self) -> Node:
        node = self.unary()
        while self._is("op", "*", "/", "%"):
            node = Node("arith", (self._take("op").value, node, self.unary()))
        return node

    def unary(self) -> Node:
        if self._take("op", "-"):
            self._nest()
            node = Node("neg", (self.unary(),))
            self.depth -= 1
            return node
        if self._take("op", "+"):
            return self.unary()
        return self.primary()

    def primary(self) -> Node:
        t = self.tok
        if t.kind in ("num", "str"):
            self.i += 1
            return Node("const", (t.value,))
        if t.kind == "kw" and t.value in ("true", "false", "null", "none"):
            self.i += 1
            return Node("const", ({"true": True, "false": False}.get(t.value),))
        if t.kind == "qid":
            self.i += 1
            return Node("field", (t.value,))
        if t.kind == "id":
            self.i += 1
            if self._take("op", "("):
                return self.call(t)
            return Node("field", (t.value,))
        if self._take("op", "("):
            self._nest()
            node = self.or_expr()
            self._expect("op", ")", "')'")
            self.depth -= 1
            return node
        raise self._fail(Label("expected a field, a number or 'text'"))

    def call(self, name: Token) -> Node:
        func = name.value.lower()
        if func not in FUNCTIONS:
            raise _error(self.text, Label("unknown function {name}() — use one of {functions}", name=name.value,
                                           functions=", ".join(FUNCTIONS)))
        args = []
        if not self._take("op", ")"):
            while True:
                args.append(self.or_expr())
                if self._take("op", ")"):
                    break
                self._expect("op", ",", "',' or ')'")
        want = {"round": (1, 2), "coalesce": (1, 99)}.get(func, (1, 1))
        if not want[0] <= len(args) <= want[1]:
            arity = str(want[0]) if want[0] == want[1] else f"{want[0]}–{want[1]}"
            raise _error(self.text, Label("{func}() takes {arity} argument(s), not {n}", func=func, arity=arity,
                                          n=len(args)))
        return Node("call", (func, tuple(args)))


@lru_cache(maxsize=512)
def _parse(expression: str) -> Node:
    return _Parser(expression).parse()


def parse_filter(expression: str) -> Node:
    """Parse and check a filter; HygisError saying what is wrong (and where) when it is not valid."""
    if not isinstance(expression, str):
        raise HygisError("filter must be text")
    if len(expression) > MAX_EXPRESSION:
        raise HygisError("filter is longer than {MAX_EXPRESSION} characters", MAX_EXPRESSION=MAX_EXPRESSION)
    if not expression.strip():
        raise _error(expression, Label("empty"))
    return _parse(expression.strip())


def filter_fields(expression: str) -> set[str]:
    """Names of the fields a (valid) filter refers to."""
    out: set[str] = set()

    def walk(node):
        if isinstance(node, Node):
            if node.op == "field":
                out.add(node.args[0])
            for a in node.args:
                walk(a)
        elif isinstance(node, tuple):
            for a in node:
                walk(a)

    walk(parse_filter(expression))
    return out


def is_expression_for(expression: str, fields) -> bool:
    """True when ``expression`` is a valid filter that tests something (not a bare word) and
    names only ``fields``: the attribute table's search box then filters by it."""
    try:
        node = parse_filter(expression)
        names = filter_fields(expression)
    except HygisError:
        return False
    return node.op not in ("field", "const") and bool(names) and names <= set(map(str, fields))


def quote_text(value: str) -> str:
    """``value`` as a text literal of the language ('it''s')."""
    return "'" + str(value).replace("'", "''") + "'"


def like_escape(text: str) -> str:
    """``text`` with LIKE's wildcards taken literally (``\\%``, ``\\_``, ``\\\\``)."""
    return re.sub(r"([%_\\])", r"\\\1", str(text))


def quote_field(name: str) -> str:
    """A field name as the language reads it (double quotes unless it is a plain word)."""
    name = str(name)
    plain = re.fullmatch(r"[^\W\d]\w*", name) and name.lower() not in _KEYWORDS
    return name if plain else '"' + name.replace('"', '""') + '"'


# -- evaluation ---------------------------------------------------------------------------
def evaluate_filter(frame: pd.DataFrame, expression: str | None) -> np.ndarray:
    """Boolean mask of the rows of ``frame`` matching ``expression`` (all rows if empty)."""
    if expression is None or not str(expression).strip():
        return np.ones(len(frame), dtype=bool)
    tree = parse_filter(expression)
    return truth(Evaluator(frame).value(tree), len(frame))
