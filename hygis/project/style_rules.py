"""A hygis layer's drawing as rules (condition → symbol), for the QGIS (QML) and SLD styles.

hygis draws each feature by its class (the style's category, graduated range or the single
symbol) and draws illustrative (示意) features of that class dashed and hatched.  Other GIS
say per-feature rules like that with a rule-based style: :func:`layer_rules` lists them, each
with its condition as a syntax tree of hygis' filter language (:mod:`hygis.layers.expressions`)
so the one tree is written as a QGIS expression (:mod:`hygis.project.qgis_expr`) and as an
OGC filter (:mod:`hygis.project.qgis_sld`).  The layer's filter is part of every condition
(QGIS keeps a layer's subset string in its project, not in a style), and hidden illustrative
features (``show_illustrative`` off) match no rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hygis.core.errors import HygisError
from hygis.layers.expressions import Node, parse_filter
from hygis.layers.schema import value_label
from hygis.layers.style import (ILLUSTRATIVE_FIELD, ILLUSTRATIVE_LABEL, ILLUSTRATIVE_VALUE, class_symbol,
                                graduated_breaks, illustrative_mask, ramp_colors)

OTHER_COLOR = "#bbbbbbff"  # hygis' colour of values outside the categories (feature_colors)
OTHER_LABEL = "其他"


@dataclass(frozen=True)
class Rule:
    label: str
    condition: Node | None  # None: every feature
    color: str  # the class colour (fill, or the stroke of lines and stroke-by-class styles)
    illustrative: bool
    dash: str
    hatch: str


def _field(name: str) -> Node:
    return Node("field", (name,))


def _const(value) -> Node:
    return Node("const", (value,))


def _and(*parts: Node | None) -> Node | None:
    parts = tuple(p for p in parts if p is not None)
    return None if not parts else parts[0] if len(parts) == 1 else Node("and", parts)


ILLUSTRATIVE = Node("cmp", ("eq", _field(ILLUSTRATIVE_FIELD), _const(ILLUSTRATIVE_VALUE)))
SOURCED = Node("not", (ILLUSTRATIVE,))


def filter_node(layer) -> Node | None:
    """The layer filter's syntax tree (None without a filter)."""
    try:
        return parse_filter(layer.filter) if layer.filter else None
    except HygisError:
        return None


def _category_value(frame, field: str, key: str):
    """A category key (text) as the constant the field holds: numbers for numeric fields."""
    column = frame[field] if field in frame.columns else None
    if column is None or pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        return key
    try:  # hygis matches str(value): '3' for an integer field, '3.0' / '2.5' for a float one
        return int(key) if pd.api.types.is_integer_dtype(column) else float(key)
    except ValueError:
        return key


def _classes(layer, family: str) -> list[tuple[str, Node | None, str, np.ndarray]]:
    """(label, condition, colour, member mask) of each class of the layer's style."""
    style, frame = layer.style, layer.data
    n = len(frame)
    if style.mode == "categorized" and style.field:
        field, out = _field(style.field), []
        column = frame[style.field] if style.field in frame.columns else None
        typed = [_category_value(frame, style.field, key) for key in style.categories]
        for (key, color), value in zip(style.categories.items(), typed):
            member = np.zeros(n, bool) if column is None else np.asarray(column.eq(value).fillna(False), bool)
            out.append((value_label(key, "zh"), Node("cmp", ("eq", field, _const(value))), color, member))
        other = np.ones(n, bool) if column is None else ~np.asarray(column.isin(typed).fillna(False), bool)
        if other.any():  # hygis draws them grey
            rest = (Node("in", (field, tuple(c.args[2] for _, c, _, _ in out))),) if out else ()
            cond = Node("or", (Node("isnull", (field,)), Node("not", rest))) if rest else None
            out.append((OTHER_LABEL, cond, OTHER_COLOR, other))
        return out
    if style.mode == "graduated" and style.field:
        values = pd.to_numeric(frame[style.field], errors="coerce") if style.field in frame.columns else \
            pd.Series(np.nan, index=frame.index)
        breaks = list(style.breaks) or graduated_breaks(values, style.classes)
        if breaks:
            field, out = _field(style.field), []
            for i, (upper, color) in enumerate(zip(breaks, ramp_colors(style.ramp, len(breaks)))):
                low = None if i == 0 else Node("cmp", ("gt", field, _const(float(breaks[i - 1]))))
                high = None if i == len(breaks) - 1 else Node("cmp", ("le", field, _const(float(upper))))
                if low is None and high is None:
                    cond, member = Node("not", (Node("isnull", (field,)),)), values.notna()
                else:
                    cond = _and(low, high)
                    member = values.notna() & (values > breaks[i - 1] if i else True) & \
                        (values <= upper if high is not None else True)
                label = f"{'' if i == 0 else f'{breaks[i - 1]:g} – '}≤ {upper:g}"
                out.append((label, cond, color, np.asarray(member, bool)))
            return out
    color = style.stroke if family == "line" else style.fill
    return [(layer.name, None, color, np.ones(n, bool))]


def layer_rules(layer, family: str) -> list[Rule]:
    """The rules that draw ``layer`` like hygis (in draw order).

    Without illustrative features each class is one rule; with them a class also has a 示意
    rule (dashed, hatched) for the classes that hold illustrative features, and its plain rule
    excludes them.
    """
    style = layer.style
    marks = illustrative_mask(layer.data) if len(layer.data) else np.zeros(0, bool)
    layer_filter = filter_node(layer)
    split = bool(marks.any())
    hide = split and not getattr(layer, "show_illustrative", True)
    rules = []
    for label, cond, color, member in _classes(layer, family):
        dash, hatch = class_symbol(style, False)
        rules.append(Rule(label, _and(layer_filter, cond, SOURCED if split else None), color, False, dash, hatch))
        if split and not hide and (member & marks).any():
            dash, hatch = class_symbol(style, True)
            name = f"{label} · {ILLUSTRATIVE_LABEL[0]}" if label else ILLUSTRATIVE_LABEL[0]
            rules.append(Rule(name, _and(layer_filter, cond, ILLUSTRATIVE), color, True, dash, hatch))
    return rules


def without(condition: Node | None, part: Node | None) -> Node | None:
    """``condition`` (an AND built here) without ``part`` (e.g. a layer filter a target cannot say)."""
    if condition is None or condition == part:
        return None
    if condition.op == "and" and part in condition.args:
        rest = tuple(a for a in condition.args if a != part)
        return rest[0] if len(rest) == 1 else Node("and", rest)
    return condition


def shown_node(layer) -> Node | None:
    """The condition of the features hygis draws: the layer filter, and not illustrative while
    those are hidden (None: every feature)."""
    hide = needs_rules(layer) and not getattr(layer, "show_illustrative", True)
    return _and(filter_node(layer), SOURCED if hide else None)


def needs_rules(layer) -> bool:
    """Whether the layer's drawing needs per-feature rules (it holds illustrative features)."""
    return len(layer.data) > 0 and bool(illustrative_mask(layer.data).any())


# -- reading rules back (a rule-based style QGIS saved) ---------------------------------------------
@dataclass
class RuleClass:
    """What a rule's condition says about the class it draws."""

    illustrative: bool = False
    category: tuple | None = None  # (field, value)
    field: str | None = None  # of a range
    lower: float | None = None
    upper: float | None = None


def rule_class(expression: str | None) -> RuleClass | None:
    """The class a rule's QGIS filter selects (as hygis writes them: a category ``"f" = v``, a range
    ``"f" > a AND "f" <= b``, the illustrative mark); None if hygis' parser cannot read it."""
    out = RuleClass()
    if not expression or expression.strip().upper() == "ELSE":
        return out
    try:
        tree = parse_filter(expression)
    except HygisError:
        return None

    def walk(node, positive: bool) -> None:
        if not isinstance(node, Node):
            return
        if node.op == "not":
            walk(node.args[0], not positive)
        elif node.op in ("and", "or"):
            for a in node.args:
                walk(a, positive)
        elif node.op == "call" and node.args[0] == "coalesce":
            walk(node.args[1][0], positive)
        elif node.op == "cmp" and positive and node.args[1].op == "field" and node.args[2].op == "const":
            op, name, value = node.args[0], node.args[1].args[0], node.args[2].args[0]
            if name == ILLUSTRATIVE_FIELD and op == "eq":
                out.illustrative = out.illustrative or value == ILLUSTRATIVE_VALUE
            elif op == "eq" and out.category is None and value is not None:
                out.category = (name, value)
            elif op in ("le", "lt", "gt", "ge") and isinstance(value, (int, float)) and not isinstance(value, bool):
                out.field = out.field or name
                if op in ("le", "lt"):
                    out.upper = float(value)
                else:
                    out.lower = float(value)

    walk(tree, True)
    return out
