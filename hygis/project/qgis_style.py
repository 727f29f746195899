"""hygis styles as QGIS styles (QML, SLD) and back: the ``layer_styles`` table of a GeoPackage.

QGIS loads the default style of a GeoPackage layer from the ``layer_styles`` table (the
QGIS/OGC convention: one row per style with ``f_table_name``, ``styleQML``, ``styleSLD``,
``useAsDefault``).  :func:`layer_qml` writes a hygis vector layer's style as QML that
QGIS 3.x reads (renderer-v2 single / categorized / graduated with the same colours, widths in
pixels, marker shapes and hatches, category labels in Chinese, the label field with a white
halo, field aliases and value maps from the schema, the layer opacity).  A layer *filter*
cannot travel in a style -- QGIS keeps a layer's subset string in its project, not in the
style -- so the filter becomes what a style can do: every symbol layer and the labels are
drawn only where the filter (translated to a QGIS expression) is true; QGIS' attribute table
still lists every feature.  :func:`style_from_qml` reads a style a QGIS user stored back
into a hygis :class:`~hygis.layers.style.Style` (colours, categories, ranges, labels).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hygis.layers.schema import SCHEMAS, VALUE_LABELS, value_label
from hygis.layers.style import MARKERS, Style, parse_color, ramp_colors, to_hex
from hygis.project.qgis_expr import Unsupported, qgis_expression, to_qgis_expression
from hygis.project.style_rules import filter_node, layer_rules, needs_rules, rule_class, shown_node, without

QGIS_VERSION = "3.22.0-Białowieża"
STYLE_OWNER = "hygis"
LABEL_FONT = "Noto Sans SC"
HALO_PX = 1.5  # hygis draws a 3 px wide halo stroke: 1.5 px around the glyphs
MARKER_NAMES = {"circle": "circle", "square": "square", "triangle": "triangle", "diamond": "diamond",
                "star": "star", "cross": "cross_fill"}
DASH_NAMES = {"solid": "solid", "dash": "dash", "dot": "dot", "dashdot": "dash dot"}
HATCH_NAMES = {"diagonal": "b_diagonal", "cross": "diagonal_x", "horizontal": "horizontal", "vertical": "vertical"}
GEOMETRY_CODES = {"point": "0", "line": "1", "polygon": "2"}
_PX_PER = {"pixel": 1.0, "mm": 96 / 25.4, "point": 96 / 72, "inch": 96.0, "": 96 / 25.4}


def qgis_color(value: str) -> str:
    return ",".join(str(c) for c in parse_color(value))


def _from_qgis_color(value: str | None) -> str | None:
    try:
        parts = [int(round(float(p))) for p in str(value).split(",")[:4]]
    except (TypeError, ValueError):
        return None
    if len(parts) < 3 or not all(0 <= p <= 255 for p in parts):
        return None
    return to_hex(parts + [255] * (4 - len(parts)))


# -- writing -----------------------------------------------------------------------------------
def _options(parent: ET.Element, props: dict[str, str]) -> None:
    """Symbol layer properties both as QGIS ≥ 3.16 <Option> map and as the older <prop> list."""
    opt = ET.SubElement(parent, "Option", type="Map")
    for k, v in props.items():
        ET.SubElement(opt, "Option", type="QString", name=k, value=str(v))
    for k, v in props.items():
        ET.SubElement(parent, "prop", k=k, v=str(v))


def _dd_properties(parent: ET.Element, tag: str, props: dict[str, str]) -> None:
    """A data-defined property collection: {property name: QGIS expression}."""
    dd = ET.SubElement(parent, tag)
    coll = ET.SubElement(dd, "Option", type="Map")
    ET.SubElement(coll, "Option", type="QString", name="name", value="")
    plist = ET.SubElement(coll, "Option", type="Map", name="properties")
    for name, expression in props.items():
        p = ET.SubElement(plist, "Option", type="Map", name=name)
        ET.SubElement(p, "Option", type="bool", name="active", value="true")
        ET.SubElement(p, "Option", type="QString", name="expression", value=expression)
        ET.SubElement(p, "Option", type="int", name="type", value="3")
    ET.SubElement(coll, "Option", type="QString", name="type", value="collection")


def _symbol_layer(symbol: ET.Element, cls: str, props: dict[str, str], enabled_if: str | None) -> None:
    layer = ET.SubElement(symbol, "layer", attrib={"class": cls, "enabled": "1", "locked": "0", "pass": "0"})
    _options(layer, props)
    _dd_properties(layer, "data_defined_properties", {"enabled": enabled_if} if enabled_if else {})


def _symbol(parent: ET.Element, name: str, family: str, style: Style, color: str, enabled_if: str | None,
            dash: str | None = None, hatch: str | None = None, illustrative: bool = False) -> None:
    """One QGIS symbol drawing like hygis' renderer draws a feature of class colour ``color``
    (``dash``/``hatch``: the class' own, e.g. an illustrative class' dashed outline and hatch)."""
    kind = {"polygon": "fill", "line": "line"}.get(family, "marker")
    symbol = ET.SubElement(parent, "symbol", type=kind, name=name, alpha="1", clip_to_extent="1", force_rhr="0")
    _dd_properties(symbol, "data_defined_properties", {})
    dash = DASH_NAMES.get(style.dash if dash is None else dash, "solid")
    hatch = style.hatch if hatch is None else hatch
    if kind == "fill":
        fill = style.fill if style.stroke_by_class else color
        stroke = color if style.stroke_by_class else style.stroke
        _symbol_layer(symbol, "SimpleFill", {
            "color": qgis_color(fill), "style": "solid", "outline_color": qgis_color(stroke),
            "outline_width": f"{style.width:g}", "outline_width_unit": "Pixel",
            "outline_style": dash if style.width > 0 else "no", "joinstyle": "bevel"}, enabled_if)
        if hatch in HATCH_NAMES:
            _symbol_layer(symbol, "SimpleFill", {
                "color": qgis_color(style.stroke), "style": HATCH_NAMES[hatch], "outline_style": "no",
                "outline_color": "0,0,0,0"}, enabled_if)
    elif kind == "line":
        width = max(style.width, 0.5)
        _symbol_layer(symbol, "SimpleLine", {
            "line_color": qgis_color(color), "line_width": f"{width:g}", "line_width_unit": "Pixel",
            "line_style": dash, "capstyle": "round", "joinstyle": "round" if width >= 2.5 else "bevel"}, enabled_if)
    elif illustrative:  # as hygis draws an illustrative marker: a pale fill inside a dashed ring
        r, g, b, a = parse_color(color)
        _symbol_layer(symbol, "SimpleMarker", {
            "name": MARKER_NAMES.get(style.marker, "circle"), "color": f"{r},{g},{b},{min(a, 90)}",
            "outline_color": qgis_color(color), "outline_width": "1.6", "outline_width_unit": "Pixel",
            "outline_style": "dash", "size": f"{style.size:g}", "size_unit": "Pixel",
            "scale_method": "diameter", "joinstyle": "bevel"}, enabled_if)
    else:
        _symbol_layer(symbol, "SimpleMarker", {
            "name": MARKER_NAMES.get(style.marker, "circle"), "color": qgis_color(color),
            "outline_color": qgis_color(style.stroke), "outline_width": "1", "outline_width_unit": "Pixel",
            "outline_style": "solid", "size": f"{style.size:g}", "size_unit": "Pixel",
            "scale_method": "diameter", "joinstyle": "bevel"}, enabled_if)


def _rule_renderer(root: ET.Element, layer, family: str) -> None:
    """A rule-based renderer: one rule per class and per class holding illustrative (示意)
    features, the layer filter in every rule's condition (style_rules)."""
    r = ET.SubElement(root, "renderer-v2", type="RuleRenderer", symbollevels="0", enableorderby="0",
                      forceraster="0", referencescale="-1")
    tree = ET.SubElement(r, "rules", key="{hygis-rules}")
    symbols = ET.SubElement(r, "symbols")
    layer_filter = filter_node(layer)
    for i, rule in enumerate(layer_rules(layer, family)):
        cond = rule.condition
        try:
            condition = qgis_expression(cond) if cond is not None else None
        except Unsupported:  # the layer filter cannot be said in QGIS: the rule without it
            cond = without(cond, layer_filter)
            condition = qgis_expression(cond) if cond is not None else None
        attrib = {"key": f"{{hygis-rule-{i}}}", "symbol": str(i), "label": rule.label}
        if condition:
            attrib["filter"] = condition
        ET.SubElement(tree, "rule", attrib=attrib)
        _symbol(symbols, str(i), family, layer.style, rule.color, None, rule.dash, rule.hatch, rule.illustrative)


def _renderer(root: ET.Element, layer, family: str, enabled_if: str | None) -> None:
    if needs_rules(layer):
        _rule_renderer(root, layer, family)
        return
    style = layer.style
    default = style.stroke if family == "line" else style.fill
    symbols_parent: ET.Element
    if style.mode == "categorized" and style.field:
        r = ET.SubElement(root, "renderer-v2", type="categorizedSymbol", attr=style.field, symbollevels="0",
                          enableorderby="0", forceraster="0", referencescale="-1")
        cats = ET.SubElement(r, "categories")
        symbols_parent = ET.SubElement(r, "symbols")
        for i, (value, color) in enumerate(style.categories.items()):
            ET.SubElement(cats, "category", value=str(value), symbol=str(i), label=value_label(value, "zh"),
                          render="true")
            _symbol(symbols_parent, str(i), family, style, color, enabled_if)
    elif style.mode == "graduated" and style.field:
        r = ET.SubElement(root, "renderer-v2", type="graduatedSymbol", attr=style.field, graduatedMethod="GraduatedColor",
                          symbollevels="0", enableorderby="0", forceraster="0", referencescale="-1")
        ranges = ET.SubElement(r, "ranges")
        symbols_parent = ET.SubElement(r, "symbols")
        breaks = list(style.breaks)
        values = _numeric(layer, style.field)
        if not breaks and len(values):
            from hygis.layers.style import graduated_breaks

            breaks = graduated_breaks(values, style.classes)
        lowest = min([*values, *breaks[:1]]) if breaks else 0.0
        highest = max([*values, breaks[-1]]) if breaks else 0.0
        lo = lowest
        for i, (b, color) in enumerate(zip(breaks, ramp_colors(style.ramp, max(len(breaks), 1)))):
            up = highest if i == len(breaks) - 1 else b
            label = f"{'' if i == 0 else f'{lo:g} – '}≤ {b:g}"
            ET.SubElement(ranges, "range", lower=repr(float(lo)), upper=repr(float(up)), symbol=str(i), label=label,
                          render="true")
            _symbol(symbols_parent, str(i), family, style, color, enabled_if)
            lo = b
    else:
        r = ET.SubElement(root, "renderer-v2", type="singleSymbol", symbollevels="0", enableorderby="0",
                          forceraster="0", referencescale="-1")
        symbols_parent = ET.SubElement(r, "symbols")
        _symbol(symbols_parent, "0", family, style, default, enabled_if)


def _numeric(layer, field: str) -> list[float]:
    import pandas as pd

    if field not in layer.data.columns:
        return []
    return [float(v) for v in pd.to_numeric(layer.data[field], errors="coerce").dropna()]


def _labeling(root: ET.Element, style: Style, family: str, enabled_if: str | None) -> None:
    if not style.label_field:
        return
    lab = ET.SubElement(root, "labeling", type="simple")
    settings = ET.SubElement(lab, "settings", calloutType="simple")
    text = ET.SubElement(settings, "text-style", fieldName=style.label_field, isExpression="0",
                         fontFamily=LABEL_FONT, fontSize=f"{style.label_size:g}", fontSizeUnit="Point",
                         textColor=qgis_color(style.label_color), textOpacity="1", fontWeight="50",
                         namedStyle="Regular", multilineHeight="1", allowHtml="0")
    families = ET.SubElement(text, "families")
    for name in (LABEL_FONT, "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC"):
        ET.SubElement(families, "family", name=name)
    ET.SubElement(text, "text-buffer", bufferDraw="1", bufferSize=f"{HALO_PX:g}", bufferSizeUnits="Pixel",
                  bufferColor="255,255,255,255", bufferOpacity=f"{225 / 255:.3f}", bufferNoFill="1",
                  bufferJoinStyle="128", bufferBlendMode="0")
    ET.SubElement(settings, "text-format", multilineAlign="3", wrapChar="", autoWrapLength="0")
    placement = {"point": "6", "line": "2", "polygon": "1"}.get(family, "1")  # around point / line / over centroid
    ET.SubElement(settings, "placement", placement=placement, dist="1", distUnits="MM", centroidInside="1",
                  centroidWhole="0", priority="5", placementFlags="10", offsetType="0",
                  predefinedPositionOrder="R,L,TR,TL,BR,BL,T,B", overrunDistance="0")
    ET.SubElement(settings, "rendering", obstacle="1", drawLabels="1", displayAll="0", upsidedownLabels="0",
                  labelPerPart="0", mergeLines="0", limitNumLabels="0", maxNumLabels="2000", scaleVisibility="0",
                  fontLimitPixelSize="0", obstacleType="1", zIndex="0", unplacedVisibility="0")
    _dd_properties(settings, "dd_properties", {"Show": enabled_if} if enabled_if else {})


def _fields(root: ET.Element, layer) -> None:
    """Aliases (the schema's Chinese field names) and value maps (coded values → labels)."""
    schema = SCHEMAS.get(layer.kind)
    names = [c for c in layer.data.columns if c != "geometry"]
    if schema is None or not names:
        return
    config = ET.SubElement(root, "fieldConfiguration")
    aliases = ET.SubElement(root, "aliases")
    for i, name in enumerate(["fid", *names]):
        spec = schema.field(name)
        field = ET.SubElement(config, "field", name=name, configurationFlags="None")
        if spec is not None and spec.choices:
            widget = ET.SubElement(field, "editWidget", type="ValueMap")
            opt = ET.SubElement(ET.SubElement(widget, "config"), "Option", type="Map")
            values = ET.SubElement(opt, "Option", type="List", name="map")
            for value in spec.choices:
                item = ET.SubElement(values, "Option", type="Map")
                ET.SubElement(item, "Option", type="QString", name=value_label(value, "zh"), value=str(value))
        else:
            widget = ET.SubElement(field, "editWidget", type="")
            ET.SubElement(ET.SubElement(widget, "config"), "Option")
        ET.SubElement(aliases, "alias", index=str(i), field=name, name=spec.label_zh if spec else "")


def layer_qml(layer) -> str:
    """The QML document of a hygis vector layer's style (what QGIS stores in ``styleQML``)."""
    family = layer.geometry_type if layer.geometry_type in GEOMETRY_CODES else "polygon"
    try:
        shown = shown_node(layer)
        enabled_if = qgis_expression(shown) if shown is not None else None
    except Unsupported:
        enabled_if = None
    root = ET.Element("qgis", version=QGIS_VERSION, styleCategories="AllStyleCategories",
                      labelsEnabled="1" if layer.style.label_field else "0", hasScaleBasedVisibilityFlag="0",
                      minScale="100000000", maxScale="0", readOnly="0")
    _renderer(root, layer, family, enabled_if)
    _labeling(root, layer.style, family, enabled_if)
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerOpacity").text = f"{layer.opacity:g}"
    _fields(root, layer)
    ET.SubElement(root, "layerGeometryType").text = GEOMETRY_CODES[family]
    ET.indent(root, " ")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode")


def qml_filter_carried(layer) -> bool:
    """True if the layer's filter is in its QML (as a draw condition); False if it has none or
    it uses something QGIS expressions cannot say."""
    return bool(layer.filter) and to_qgis_expression(layer.filter) is not None


# -- reading -----------------------------------------------------------------------------------
def _props(layer_el: ET.Element) -> dict[str, str]:
    out = {p.get("k"): p.get("v") for p in layer_el.findall("prop")}
    opt = layer_el.find("Option")
    if opt is not None:
        out.update({o.get("name"): o.get("value") for o in opt.findall("Option") if o.get("name")})
    return out


def _px(value, unit) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    unit = str(unit or "").lower()
    unit = "pixel" if unit in ("pixel", "pixels") else "point" if unit in ("point", "points", "pt") else unit
    return v * _PX_PER.get(unit, _PX_PER[""]) if unit != "mapunit" and unit != "rendermetersinmapunits" else None


def _symbol_colors(symbol: ET.Element | None) -> dict:
    """{'fill', 'stroke', 'width', 'dash', 'marker', 'size', 'kind', 'hatch'} of a QGIS symbol (first layers)."""
    out: dict = {}
    if symbol is None:
        return out
    out["kind"] = symbol.get("type")
    for layer_el in symbol.findall("layer"):
        p, cls = _props(layer_el), layer_el.get("class")
        if cls == "SimpleFill":
            style = p.get("style", "solid")
            if style in HATCH_NAMES.values():
                out.setdefault("hatch", next(k for k, v in HATCH_NAMES.items() if v == style))
                continue
            if "fill" not in out and style != "no":
                out["fill"] = _from_qgis_color(p.get("color"))
            if "stroke" not in out and p.get("outline_style", "solid") != "no":
                out["stroke"] = _from_qgis_color(p.get("outline_color"))
                out["width"] = _px(p.get("outline_width"), p.get("outline_width_unit"))
                out["dash"] = next((k for k, v in DASH_NAMES.items() if v == p.get("outline_style")), "solid")
        elif cls == "SimpleLine" and "stroke" not in out:
            out["stroke"] = _from_qgis_color(p.get("line_color") or p.get("color"))
            out["width"] = _px(p.get("line_width"), p.get("line_width_unit"))
            out["dash"] = next((k for k, v in DASH_NAMES.items() if v == p.get("line_style")), "solid")
        elif cls == "SimpleMarker" and "fill" not in out:
            out["fill"] = _from_qgis_color(p.get("color"))
            out["stroke"] = _from_qgis_color(p.get("outline_color"))
            out["size"] = _px(p.get("size"), p.get("size_unit"))
            name = p.get("name")
            out["marker"] = next((k for k, v in MARKER_NAMES.items() if v == name), name if name in MARKERS else "circle")
    return {k: v for k, v in out.items() if v is not None}


def _read_rules(r: ET.Element, d: dict, line: bool) -> bool:
    """Categories, ranges or the single symbol of a rule-based style (hygis' own rules and rules
    written the same way); the illustrative (示意) rules are hygis' fixed drawing and not read.
    False if the rules are not of that kind."""
    symbols = {s.get("name"): s for s in r.findall("symbols/symbol")}
    rows = []
    for rule in r.iter("rule"):
        cls = rule_class(rule.get("filter"))
        if rule.get("symbol") in symbols and cls is not None and not cls.illustrative:
            rows.append((cls, _symbol_colors(symbols[rule.get("symbol")]), rule.get("label") or ""))
    if not rows:
        return False
    colour = "stroke" if line else "fill"
    fields = {cls.category[0] for cls, _, _ in rows if cls.category}
    if len(fields) == 1:
        cats = {str(cls.category[1]): look[colour] for cls, look, _ in rows if cls.category and look.get(colour)}
        looks = [look for cls, look, _ in rows if cls.category]
        d.update({k: looks[0][k] for k in ("width", "dash", "marker", "size") if k in looks[0]})
        if not line and looks[0].get("stroke"):
            d["stroke"] = looks[0]["stroke"]
        d.update(mode="categorized", field=fields.pop(), categories=cats, stroke_by_class=line)
        return True
    ranged = [(cls, label) for cls, _, label in rows if cls.field]
    if ranged and len({cls.field for cls, _ in ranged}) == 1:
        uppers = []
        for cls, label in ranged:
            if cls.upper is not None:
                uppers.append(cls.upper)
            else:  # the top class is open upwards (hygis draws every larger value in it): its label says the top
                top = re.search(r"≤\s*(-?[\d.eE+-]+)\s*$", label)
                uppers.append(float(top.group(1)) if top and _is_float(top.group(1)) else (cls.lower or 0.0))
        d.update(mode="graduated", field=ranged[0][0].field, breaks=sorted(set(uppers)),
                 classes=min(len(set(uppers)), 20))
        return True
    look = rows[0][1]
    d.update(mode="single", **{k: look[k] for k in ("fill", "stroke", "width", "dash", "marker", "size",
                                                   "hatch") if k in look})
    return True


def _is_float(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def style_from_qml(qml: str, base: Style, geometry_family: str) -> tuple[Style, float | None]:
    """(hygis style, layer opacity or None) read from a QGIS QML document, starting from ``base``.

    Colours, widths, marker shapes, categorized/graduated classes and the label field, size
    and colour are read; what hygis cannot draw is left as in ``base``.  Raises ValueError
    if the text is not a QGIS style.
    """
    try:
        root = ET.fromstring(qml.split("\n", 1)[1] if qml.lstrip().startswith("<!DOCTYPE") else qml)
    except (ET.ParseError, IndexError) as exc:
        raise ValueError(f"not a QGIS style: {exc}") from None
    if root.tag != "qgis":
        raise ValueError("not a QGIS style")
    d = base.to_dict()
    r = root.find("renderer-v2")
    line = geometry_family == "line"
    if r is not None:
        rtype = r.get("type")
        symbols = {s.get("name"): s for s in r.findall("symbols/symbol")}
        if rtype == "categorizedSymbol" and r.get("attr"):
            cats = {}
            for c in r.findall("categories/category"):
                look = _symbol_colors(symbols.get(c.get("symbol")))
                color = look.get("stroke") if line else look.get("fill")
                if color and c.get("value") is not None:
                    cats[c.get("value")] = color
                    d.update({k: look[k] for k in ("width", "dash", "marker", "size") if k in look})
                    if not line and look.get("stroke"):
                        d["stroke"] = look["stroke"]
            d.update(mode="categorized", field=r.get("attr"), categories=cats, stroke_by_class=line)
        elif rtype == "graduatedSymbol" and r.get("attr"):
            uppers = []
            for rng in r.findall("ranges/range"):
                try:
                    uppers.append(float(rng.get("upper")))
                except (TypeError, ValueError):
                    pass
            if uppers:
                d.update(mode="graduated", field=r.get("attr"), breaks=sorted(uppers), classes=min(len(uppers), 20))
        elif rtype == "RuleRenderer" and _read_rules(r, d, line):
            pass
        else:
            first = r.find(".//symbol")
            look = _symbol_colors(first)
            d.update(mode="single", **{k: look[k] for k in ("fill", "stroke", "width", "dash", "marker", "size",
                                                           "hatch") if k in look})
            if line and "stroke" in look:
                d["stroke"] = look["stroke"]
    labels_on = root.get("labelsEnabled") == "1"
    text = root.find("labeling/settings/text-style")
    if root.find("labeling") is not None and root.find("labeling").get("type") == "simple" and text is not None:
        if labels_on and text.get("isExpression", "0") == "0" and text.get("fieldName"):
            d["label_field"] = text.get("fieldName")
        size = _px(text.get("fontSize"), text.get("fontSizeUnit") or "Point")
        if size:
            d["label_size"] = min(max(size * 72 / 96, 1.0), 200.0)
        color = _from_qgis_color(text.get("textColor"))
        if color:
            d["label_color"] = color
    elif not labels_on:
        d["label_field"] = None
    d["width"] = min(max(float(d.get("width", 1.0)), 0.0), 50.0)
    d["size"] = min(max(float(d.get("size", 8.0)), 0.5), 200.0)
    opacity = None
    op = root.find("layerOpacity")
    try:
        opacity = min(max(float(op.text), 0.0), 1.0) if op is not None and op.text else None
    except ValueError:
        opacity = None
    return Style.from_dict(d), opacity


__all__ = ["layer_qml", "style_from_qml", "qml_filter_carried", "VALUE_LABELS", "STYLE_OWNER"]
