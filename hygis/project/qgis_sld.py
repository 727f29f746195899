"""A hygis layer's style as an SLD 1.1 / Symbology Encoding document (the ``styleSLD`` of ``layer_styles``).

One ``se:Rule`` per rule of :func:`hygis.project.style_rules.layer_rules`: each class of the
style, and each class holding illustrative (示意) features again with a dashed outline and a
hatch; every rule's ``ogc:Filter`` says which features it draws -- the class, the illustrative
mark and the layer filter (translated from hygis' filter language; a filter OGC filters cannot
say is left out of the rules rather than changed).  Hatches are written as QGIS writes and
reads them (a ``GraphicFill`` of the well-known marks ``slash``, ``x``, ``horline``, ``line``),
so QGIS' "Load style → SLD" draws what hygis draws.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hygis.layers.expressions import Node
from hygis.layers.style import parse_color, to_hex
from hygis.project.qgis_expr import Unsupported
from hygis.project.style_rules import filter_node, layer_rules, shown_node, without

SLD, SE, OGC = "http://www.opengis.net/sld", "http://www.opengis.net/se", "http://www.opengis.net/ogc"
LABEL_FONT = "Noto Sans SC"
HALO_PX = 1.5
SLD_HATCHES = {"diagonal": "slash", "cross": "x", "horizontal": "horline", "vertical": "line"}
SLD_MARKS = {"cross": "cross", "diamond": "square", "triangle": "triangle", "star": "star", "square": "square"}
_CMP = {"eq": "PropertyIsEqualTo", "ne": "PropertyIsNotEqualTo", "lt": "PropertyIsLessThan",
        "gt": "PropertyIsGreaterThan", "le": "PropertyIsLessThanOrEqualTo", "ge": "PropertyIsGreaterThanOrEqualTo"}
_ARITH = {"+": "Add", "-": "Sub", "*": "Mul", "/": "Div"}
_FUNCTIONS = {"lower", "upper", "length", "trim", "abs", "round", "coalesce"}  # QGIS reads ogc:Function by name


def _e(parent, ns: str, tag: str, text: str | None = None, **attrib) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ns}}}{tag}", attrib)
    if text is not None:
        el.text = text
    return el


def _literal_text(value) -> str:
    if value is None:
        raise Unsupported("NULL literal")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return repr(value)
    return str(value)


def _expression(parent, node: Node) -> None:
    """An OGC expression (PropertyName, Literal, arithmetic, Function) under ``parent``."""
    op, args = node.op, node.args
    if op == "field":
        _e(parent, OGC, "PropertyName", str(args[0]))
    elif op == "const":
        _e(parent, OGC, "Literal", _literal_text(args[0]))
    elif op == "arith" and args[0] in _ARITH:
        el = _e(parent, OGC, _ARITH[args[0]])
        _expression(el, args[1])
        _expression(el, args[2])
    elif op == "neg":
        el = _e(parent, OGC, "Mul")
        _e(el, OGC, "Literal", "-1")
        _expression(el, args[0])
    elif op == "call" and args[0] in _FUNCTIONS:
        el = _e(parent, OGC, "Function", name=args[0])
        for a in args[1]:
            _expression(el, a)
    else:
        raise Unsupported(op)


def _predicate(parent, node: Node) -> None:
    """An OGC filter predicate for a syntax-tree node of hygis' filter language."""
    op, args = node.op, node.args
    if op in ("and", "or"):
        el = _e(parent, OGC, op.capitalize())
        for a in args:
            _predicate(el, a)
    elif op == "not":
        inner = args[0]
        field = _single_field(inner)
        if field is None:
            _predicate(_e(parent, OGC, "Not"), inner)
        else:  # hygis: a comparison with a missing value is false, so NOT of it is true
            either = _e(parent, OGC, "Or")
            _predicate(_e(either, OGC, "Not"), inner)
            _e(_e(either, OGC, "PropertyIsNull"), OGC, "PropertyName", field)
    elif op == "isnull":
        if args[0].op != "field":
            raise Unsupported("IS NULL of an expression")
        _e(_e(parent, OGC, "PropertyIsNull"), OGC, "PropertyName", str(args[0].args[0]))
    elif op == "cmp":
        el = _e(parent, OGC, _CMP[args[0]])
        _expression(el, args[1])
        _expression(el, args[2])
    elif op == "in":
        target = _e(parent, OGC, "Or") if len(args[1]) > 1 else parent
        for value in args[1]:
            _predicate(target, Node("cmp", ("eq", args[0], value)))
    elif op == "between":
        el = _e(parent, OGC, "PropertyIsBetween")
        _expression(el, args[0])
        _expression(_e(el, OGC, "LowerBoundary"), args[1])
        _expression(_e(el, OGC, "UpperBoundary"), args[2])
    elif op == "like":
        if args[1].op != "const" or not isinstance(args[1].args[0], str):
            raise Unsupported("LIKE pattern")
        el = _e(parent, OGC, "PropertyIsLike", wildCard="%", singleChar="_", escapeChar="\\",
                **({"matchCase": "false"} if args[2] else {}))
        _expression(el, args[0])
        _expression(el, args[1])
    elif op == "const" and isinstance(args[0], bool):
        eq = _e(parent, OGC, "PropertyIsEqualTo")
        _e(eq, OGC, "Literal", "1")
        _e(eq, OGC, "Literal", "1" if args[0] else "0")
    else:
        raise Unsupported(op)


def _single_field(node: Node) -> str | None:
    """The field of a one-field predicate (``f = 1``, ``f IN (…)``, ``f LIKE …``), else None."""
    if node.op in ("cmp", "in", "like", "between"):
        operand = node.args[1] if node.op == "cmp" else node.args[0]
        others = node.args[2:3] if node.op == "cmp" else ()
        if operand.op == "field" and all(o.op == "const" for o in others):
            return str(operand.args[0])
    return None


def _rule_filter(rule_el, condition: Node | None, layer_filter: Node | None) -> None:
    """The rule's ogc:Filter: ``condition`` whole, else without the layer filter's part OGC
    filters cannot say (the rule then also matches features the layer filter hides), else none."""
    for attempt in (condition, without(condition, layer_filter)):
        if attempt is None:
            return
        try:
            ogc_filter(rule_el, attempt)
            return
        except Unsupported:
            continue


def ogc_filter(parent, node: Node) -> ET.Element:
    """``<ogc:Filter>`` of a syntax tree under ``parent`` (raises Unsupported, leaving nothing behind)."""
    probe = ET.Element("probe")
    _predicate(probe, node)
    flt = _e(parent, OGC, "Filter")
    flt.extend(list(probe))
    return flt


def _param(parent, name: str, value: str) -> None:
    _e(parent, SE, "SvgParameter", value, name=name)


def _symbolizers(rule_el, rule, style, family: str) -> None:
    rgba = parse_color(rule.color)
    colour, alpha = to_hex(rgba[:3] + (255,)), f"{rgba[3] / 255:.3g}"
    dashes = {"dash": (4, 2), "dot": (1, 2), "dashdot": (4, 2, 1, 2)}.get(rule.dash)  # Qt's patterns × width

    def dasharray(stroke, width):
        if dashes:
            _param(stroke, "stroke-dasharray", " ".join(f"{d * max(width, 1):g}" for d in dashes))

    if family == "line":
        width = max(style.width, 0.5)
        s = _e(_e(rule_el, SE, "LineSymbolizer"), SE, "Stroke")
        _param(s, "stroke", colour)
        _param(s, "stroke-opacity", alpha)
        _param(s, "stroke-width", f"{width:g}")
        dasharray(s, width)
    elif family == "point":
        g = _e(_e(rule_el, SE, "PointSymbolizer"), SE, "Graphic")
        mark = _e(g, SE, "Mark")
        _e(mark, SE, "WellKnownName", SLD_MARKS.get(style.marker, "circle"))
        f = _e(mark, SE, "Fill")
        _param(f, "fill", colour)
        _param(f, "fill-opacity", f"{min(rgba[3], 90) / 255:.3g}" if rule.illustrative else alpha)
        s = _e(mark, SE, "Stroke")
        _param(s, "stroke", colour if rule.illustrative else to_hex(parse_color(style.stroke)[:3] + (255,)))
        _param(s, "stroke-width", "1.6" if rule.illustrative else "1")
        if rule.illustrative:
            dasharray(s, 1.6)
        _e(g, SE, "Size", f"{style.size:g}")
    else:
        p = _e(rule_el, SE, "PolygonSymbolizer")
        f = _e(p, SE, "Fill")
        fill = parse_color(style.fill if style.stroke_by_class else rule.color)
        _param(f, "fill", to_hex(fill[:3] + (255,)))
        _param(f, "fill-opacity", f"{fill[3] / 255:.3g}")
        s = _e(p, SE, "Stroke")
        line = parse_color(rule.color if style.stroke_by_class else style.stroke)
        _param(s, "stroke", to_hex(line[:3] + (255,)))
        _param(s, "stroke-width", f"{style.width:g}")
        dasharray(s, style.width)
        if rule.hatch in SLD_HATCHES:  # a second fill: the hatch lines in the stroke colour
            g = _e(_e(_e(_e(rule_el, SE, "PolygonSymbolizer"), SE, "Fill"), SE, "GraphicFill"), SE, "Graphic")
            mark = _e(g, SE, "Mark")
            _e(mark, SE, "WellKnownName", SLD_HATCHES[rule.hatch])
            hs = _e(mark, SE, "Stroke")
            _param(hs, "stroke", to_hex(parse_color(style.stroke)[:3] + (255,)))
            _param(hs, "stroke-width", "1")
            _e(g, SE, "Size", "8")


def layer_sld(layer) -> str:
    """The SLD 1.1 document of the layer's rules and labels."""
    ET.register_namespace("se", SE)
    ET.register_namespace("ogc", OGC)
    ET.register_namespace("", SLD)
    style, family = layer.style, layer.geometry_type
    root = ET.Element(f"{{{SLD}}}StyledLayerDescriptor", version="1.1.0")
    named = _e(root, SLD, "NamedLayer")
    _e(named, SE, "Name", layer.name)
    user = _e(named, SLD, "UserStyle")
    _e(user, SE, "Name", layer.name)
    fts = _e(user, SE, "FeatureTypeStyle")
    layer_filter = filter_node(layer)
    for rule in layer_rules(layer, family):
        rule_el = _e(fts, SE, "Rule")
        _e(rule_el, SE, "Name", rule.label or layer.name)
        _rule_filter(rule_el, rule.condition, layer_filter)
        _symbolizers(rule_el, rule, style, family)
    if style.label_field:
        rule_el = _e(fts, SE, "Rule")
        _rule_filter(rule_el, shown_node(layer), layer_filter)
        text = _e(rule_el, SE, "TextSymbolizer")
        _e(_e(text, SE, "Label"), OGC, "PropertyName", style.label_field)
        font = _e(text, SE, "Font")
        _param(font, "font-family", LABEL_FONT)
        _param(font, "font-size", f"{style.label_size * 96 / 72:.3g}")
        halo = _e(text, SE, "Halo")
        _e(halo, SE, "Radius", f"{HALO_PX:g}")
        _param(_e(halo, SE, "Fill"), "fill", "#ffffff")
        _param(_e(text, SE, "Fill"), "fill", to_hex(parse_color(style.label_color)[:3] + (255,)))
    ET.indent(root, " ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
