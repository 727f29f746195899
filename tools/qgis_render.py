"""Open a .hygis with QGIS (python3-qgis) as a QGIS user would: report and render its layers.

Run with the Python that has QGIS (Debian: ``/usr/bin/python3``), not hygis' environment::

    /usr/bin/python3 tools/qgis_render.py PROJECT.hygis --report            # JSON on stdout
    /usr/bin/python3 tools/qgis_render.py PROJECT.hygis --png out.png --bounds X0,Y0,X1,Y1 \
        [--size 1600x1000] [--basemap zhejiang_admin_wgs84.gpkg --basemap-qml DIR]

The layers are added by their path (``PROJECT.hygis|layername=TABLE``), exactly like dragging
the file into QGIS: QGIS loads each layer's default style from the file's ``layer_styles``
table by itself.  ``--report`` lists, per feature table: valid, feature count, renderer
type, categories (value, label, colour), the rules of a rule-based renderer (label, filter,
symbol layers), label field, and for every feature whether the style draws it (evaluated by
QGIS: the rules' filters and the symbols' data-defined "enabled" expressions).  ``--sld``
first loads each layer's SLD from ``layer_styles`` (QGIS' "Load Style → SLD") instead.
``--png`` renders them (offscreen, QgsMapRendererSequentialJob) in EPSG:4549 over
``--bounds`` (metres) -- the extent hygis draws -- optionally over hygis' basemap.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsFillSymbol,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsRectangle,
    QgsRenderContext,
    QgsSingleSymbolRenderer,
    QgsSymbolLayer,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402


def feature_tables(path: str) -> list[str]:
    """The feature tables in file order (the order hygis draws them: first at the bottom)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        order = {}
        row = con.execute("SELECT value FROM hygis_project WHERE key = 'project'").fetchone()
        if row:
            for i, entry in enumerate(json.loads(row[0]).get("layers", [])):
                order[entry.get("table")] = i
        tables = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")]
    finally:
        con.close()
    return sorted(tables, key=lambda t: order.get(t, len(order)))


def open_layer(path: str, table: str) -> QgsVectorLayer:
    return QgsVectorLayer(f"{path}|layername={table}", table, "ogr")


def _drawn(layer: QgsVectorLayer) -> dict:
    """fid → True if the layer's style draws the feature (every symbol layer's 'enabled' evaluated)."""
    renderer = layer.renderer()
    ctx = QgsRenderContext()
    ectx = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    ctx.setExpressionContext(ectx)
    renderer.startRender(ctx, layer.fields())
    out = {}
    try:
        for feature in layer.getFeatures():
            ectx.setFeature(feature)
            drawn = False
            for symbol in renderer.symbolsForFeature(feature, ctx):
                for i in range(symbol.symbolLayerCount()):
                    sl = symbol.symbolLayer(i)
                    prop = sl.dataDefinedProperties().property(QgsSymbolLayer.PropertyLayerEnabled)
                    if not prop.isActive():
                        drawn = True
                    else:
                        value, ok = prop.valueAsBool(ectx, True)
                        drawn = drawn or bool(value)
            out[int(feature.id())] = drawn
    finally:
        renderer.stopRender(ctx)
    return out


def _rules(rule) -> list[dict]:
    """The leaf rules under ``rule``: label, filter (with its parents'), symbol layers (class, properties)."""
    out = []
    for child in rule.children():
        symbol = child.symbol()
        layers = [] if symbol is None else [
            [symbol.symbolLayer(i).layerType(), {k: str(v) for k, v in symbol.symbolLayer(i).properties().items()}]
            for i in range(symbol.symbolLayerCount())]
        if symbol is not None:
            out.append({"label": child.label(), "filter": child.filterExpression(), "symbol": layers})
        out.extend(_rules(child))
    return out


def load_sld(path: str, table: str, layer: QgsVectorLayer) -> str:
    """Load the default SLD the file stores for ``table`` into ``layer`` (as QGIS' Load Style → SLD)."""
    import tempfile

    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT styleSLD FROM layer_styles WHERE f_table_name = ? ORDER BY useAsDefault DESC, "
                          "id DESC", (table,)).fetchone()
    finally:
        con.close()
    if not row or not row[0]:
        return "no SLD"
    with tempfile.NamedTemporaryFile("w", suffix=".sld", encoding="utf-8", delete=False) as f:
        f.write(row[0])
    try:
        message, ok = layer.loadSldStyle(f.name)
    finally:
        os.unlink(f.name)
    return "" if ok else message


def report(path: str, sld: bool = False) -> list[dict]:
    rows = []
    for table in feature_tables(path):
        layer = open_layer(path, table)
        row = {"table": table, "valid": layer.isValid()}
        if layer.isValid() and sld:
            row["sld_error"] = load_sld(path, table, layer)
        if layer.isValid():
            r = layer.renderer()
            row.update(features=layer.featureCount(), renderer=r.type(), opacity=layer.opacity(),
                       labels=layer.labelsEnabled(),
                       label_field=layer.labeling().settings().fieldName if layer.labeling() else None,
                       aliases={f.name(): layer.attributeAlias(i) for i, f in enumerate(layer.fields())})
            if r.type() == "categorizedSymbol":
                row["field"] = r.classAttribute()
                row["categories"] = [[str(c.value()), c.label(), c.symbol().color().name(QColor.HexArgb)]
                                     for c in r.categories()]
            elif r.type() == "singleSymbol":
                row["color"] = r.symbol().color().name(QColor.HexArgb)
            elif r.type() == "RuleRenderer":
                row["rules"] = _rules(r.rootRule())
            drawn = _drawn(layer)
            row["drawn"] = sorted(fid for fid, ok in drawn.items() if ok)
        rows.append(row)
    return rows


def render(path: str, png: str, bounds, size, basemap: str | None, basemap_qml: str | None = None,
           background: str = "#dfeaf2") -> None:
    layers = [open_layer(path, t) for t in feature_tables(path)]
    if basemap:  # hygis' basemap, styled by QMLs hygis wrote (or plain outlines)
        for level in ("district", "city", "province"):
            base = QgsVectorLayer(f"{basemap}|layername={level}", level, "ogr")
            if not base.isValid():
                continue
            qml = os.path.join(basemap_qml or "", f"{level}.qml")
            if basemap_qml and os.path.exists(qml):
                base.loadNamedStyle(qml)
            else:
                base.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple(
                    {"color": "0,0,0,0", "outline_color": "#a6a6a6", "outline_width": "0.2"})))
            layers.insert(0, base)
    settings = QgsMapSettings()
    settings.setLayers(list(reversed(layers)))  # QGIS: first in the list is drawn on top
    settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4549"))
    settings.setBackgroundColor(QColor(background))
    settings.setOutputSize(QSize(*size))
    settings.setOutputDpi(96)
    settings.setExtent(QgsRectangle(*bounds))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(png)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project")
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--sld", action="store_true", help="--report with each layer's SLD loaded instead of its QML")
    parser.add_argument("--png")
    parser.add_argument("--bounds", help="X0,Y0,X1,Y1 in EPSG:4549 metres")
    parser.add_argument("--size", default="1600x1000")
    parser.add_argument("--basemap", help="hygis' basemap GeoPackage (province, city, district layers)")
    parser.add_argument("--basemap-qml", help="folder with province.qml, city.qml, district.qml")
    parser.add_argument("--background", default="#dfeaf2")
    args = parser.parse_args(argv)
    app = QgsApplication([], False)
    app.initQgis()
    try:
        if args.report:
            json.dump({"qgis": app.version() if hasattr(app, "version") else "", "layers": report(args.project, args.sld)},
                      sys.stdout, ensure_ascii=False)
        if args.png:
            size = tuple(int(v) for v in args.size.lower().split("x"))
            render(args.project, args.png, [float(v) for v in args.bounds.split(",")], size, args.basemap,
                   args.basemap_qml, args.background)
    finally:
        app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
