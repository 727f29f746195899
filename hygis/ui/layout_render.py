"""Paint a print layout (:class:`hygis.present.layout.Layout`) and export it as vector PDF or PNG.

The page is painted in layout units of 1/96 inch (the unit of the map renderers'
pens and fonts), so one code path serves the PDF (a QPdfWriter at 96 dpi whose page
is exactly the paper), the PNG (a QImage of the paper at the layout's DPI, painter
scaled by DPI/96, so lines and text keep their printed size) and
the dialog's preview.  The map frame is drawn at the layout's scale: one layout unit
is ``scale × 0.0254 / 96`` metres on the ground.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from hygis.core.errors import HygisError
from hygis.present.layout import MM_PER_INCH, UNIT_DPI, Layout, format_scale, mm_to_units
from hygis.ui.i18n import format_date, tr
from hygis.ui.render import decorations
from hygis.ui.render.bridge import RendererSet
from hygis.ui.render.labels import MIN_PRESENTATION_PX_1080, label_family, label_scale
from hygis.ui.render.mapdraw import BACKGROUND, draw_layers
from hygis.ui.render.view import DEFAULT_EXTENT, MapView, bounds_to_map, to_map

INK = QColor("#1d2a36")
GREY = QColor("#56616b")
FRAME = QColor("#263238")
EXTENT_BOX = QColor("#d32f2f")
LEGEND_GROW = 1.2  # the canvas legend's 12 px text → 14.4 layout px on A3 (readable projected at 1080p)


@dataclass(frozen=True)
class LayoutPlan:
    """Where the map is: the view of the map frame (layout units) and the 1:N it is drawn at."""

    view: MapView
    scale: int


def _units(rect_mm) -> QRectF:
    x, y, w, h = rect_mm
    return QRectF(mm_to_units(x), mm_to_units(y), mm_to_units(w), mm_to_units(h))


def _font(px: float, bold: bool = False) -> QFont:
    font = QFont(label_family())
    font.setPixelSize(max(4, int(round(px))))
    font.setBold(bold)
    # no OpenType shaping (CJK and Latin need none here): shaped digits next to Latin letters
    # ("5 km") lost their Unicode in Qt's PDFs, so the exported text could not be found or copied
    font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
    return font


def plan(project, layout: Layout, extent_wgs84=None) -> LayoutPlan:
    """The map frame's view: centred on the layout's centre (else the extent's), at its scale."""
    extent = extent_wgs84 or project.extent or project.full_extent() or DEFAULT_EXTENT
    extent_m = bounds_to_map(extent)
    scale = layout.resolve_scale(extent_m)
    if layout.center is not None:
        cx, cy = (float(v) for v in to_map(*layout.center))
    else:
        cx, cy = (extent_m[0] + extent_m[2]) / 2, (extent_m[1] + extent_m[3]) / 2
    frame = _units(layout.frames()["map"])
    res = scale * (MM_PER_INCH / 1000.0) / UNIT_DPI  # metres per layout unit
    view = MapView(cx, cy, res, max(1, int(math.ceil(frame.width()))), max(1, int(math.ceil(frame.height()))))
    return LayoutPlan(view, scale)


def paint_layout(painter: QPainter, project, layout: Layout, *, extent_wgs84=None, tiles=None,
                 renderers: RendererSet | None = None, tiles_wait: bool = True) -> LayoutPlan:
    """Paint the whole page of ``layout`` (painter in layout units, page origin at 0, 0).

    ``project`` is drawn as it is (apply the layout's scenario first, see :func:`layout_view`).
    ``tiles``: a tile source instead of the project's; ``tiles_wait`` False (the dialog's
    preview) draws only the tiles at hand and fetches the rest in the background.
    """
    own = renderers is None
    renderers = renderers or RendererSet()
    frames = {k: _units(v) for k, v in layout.frames().items()}
    f = layout.furniture_factor
    p = plan(project, layout, extent_wgs84)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.fillRect(frames["page"], QColor("white"))
    with label_scale(*layout_label_scale(layout)):
        _paint_map(painter, frames["map"], p.view, project, renderers, tiles, tiles_wait)
    if layout.overview:
        _paint_overview(painter, frames["overview"], project, p.view, renderers, f)
    if layout.north_arrow:
        m = decorations.MARGIN
        _scaled(painter, frames["north"], f, lambda r: decorations.paint_north_arrow(
            painter, QRectF(r.left(), r.top() + 4 - m, r.width() + m, r.height()), size=r.width() * 0.6))
    if layout.scalebar:
        paint_scalebar(painter, frames["scalebar"], p.view.res, p.scale, f)
    if layout.legend:
        _scaled(painter, frames["legend"], f * LEGEND_GROW, lambda r: decorations.paint_legend(painter, r, list(project.layers)))
    painter.setPen(QPen(FRAME, 1.2 * f))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(frames["map"])
    _paint_title(painter, frames["title"], layout, f)
    _paint_footer(painter, frames["footer"], layout, p.scale, f)
    painter.restore()
    if own:
        renderers.close()
    return p


def _scaled(painter, rect: QRectF, f: float, paint) -> None:
    """Call ``paint(r)`` with the painter scaled by ``f`` about ``rect``'s corner (r = rect / f)."""
    painter.save()
    painter.translate(rect.topLeft())
    painter.scale(f, f)
    paint(QRectF(0, 0, rect.width() / f, rect.height() / f))
    painter.restore()


def _paint_map(painter, rect: QRectF, view: MapView, project, renderers, tiles, wait: bool = True) -> None:
    painter.save()
    painter.translate(rect.topLeft())
    painter.setClipRect(QRectF(0, 0, rect.width(), rect.height()))
    painter.fillRect(QRectF(0, 0, view.width, view.height), BACKGROUND)
    from hygis.ui.render.tiles import TileBasemap, basemap_for

    basemap = TileBasemap(tiles, wait=wait) if tiles is not None else basemap_for(project, wait=wait)
    draw_layers(painter, list(project.layers), view, renderers, basemap=basemap)
    painter.restore()


def layout_label_scale(layout: Layout) -> tuple[float, float]:
    """Labels grow with the paper and are at least 14 px when the page's short side is shown 1080 px."""
    short = mm_to_units(min(layout.paper_mm))
    return layout.furniture_factor, MIN_PRESENTATION_PX_1080 * short / 1080.0


def _paint_overview(painter, rect: QRectF, project, main: MapView, renderers, f: float) -> None:
    """An inset of the whole project area (or the region) with the main map's extent as a red box."""
    full = project.full_extent() or DEFAULT_EXTENT
    fx0, fy0, fx1, fy1 = bounds_to_map(full)
    mx0, my0, mx1, my1 = main.bounds
    x0, y0, x1, y1 = min(fx0, mx0), min(fy0, my0), max(fx1, mx1), max(fy1, my1)
    view = MapView.fit((x0, y0, x1, y1), int(rect.width()), int(rect.height()), margin=0.25)
    painter.save()
    painter.translate(rect.topLeft())
    painter.setClipRect(QRectF(0, 0, rect.width(), rect.height()))
    painter.fillRect(QRectF(0, 0, rect.width(), rect.height()), BACKGROUND)
    layers = [lyr for lyr in project.layers if lyr.kind != "raster"]
    draw_layers(painter, layers, view, renderers, basemap=True, labels=False)
    px0, py0 = view.to_pixels(mx0, my1)
    px1, py1 = view.to_pixels(mx1, my0)
    painter.setPen(QPen(EXTENT_BOX, 1.6 * f))
    painter.setBrush(QColor(211, 47, 47, 40))
    painter.drawRect(QRectF(QPointF(float(px0), float(py0)), QPointF(float(px1), float(py1))))
    painter.setClipping(False)
    painter.setPen(QPen(FRAME, 0.8 * f))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(QRectF(0, 0, rect.width(), rect.height()))
    painter.restore()


def scalebar_length(res: float, max_px: float) -> float:
    """A round length (metres) whose bar is at most ``max_px`` layout units long."""
    return decorations.nice_length(max_px * res)


def paint_scalebar(painter, rect: QRectF, res: float, scale: int, f: float) -> QRectF:
    """Scale bar with four segments, km labels and the text "比例尺 1:50,000"; returns the bar's rect."""
    length_m = scalebar_length(res, rect.width() * 0.8)
    bar_w = length_m / res
    font = _font(11 * f)
    fm = QFontMetricsF(font)
    bar_h = 5.0 * f
    x0 = rect.left() + 6 * f
    y0 = rect.top() + fm.height() + 5 * f
    box = QRectF(rect.left(), rect.top(), bar_w + 12 * f + fm.horizontalAdvance("00 km"), rect.height())
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(255, 255, 255, 225))
    painter.drawRect(box)
    painter.setPen(QPen(INK, 0.8 * f))
    for i in range(4):
        painter.setBrush(INK if i % 2 == 0 else QColor("white"))
        painter.drawRect(QRectF(x0 + i * bar_w / 4, y0, bar_w / 4, bar_h))
    painter.setFont(font)
    km = length_m >= 1000
    for frac in (0.0, 0.5, 1.0):
        v = length_m * frac / (1000 if km else 1)
        text = f"{v:g}" + ((" km" if km else " m") if frac == 1.0 else "")
        w = fm.horizontalAdvance(text)
        painter.drawText(QPointF(x0 + bar_w * frac - (w / 2 if frac < 1 else fm.horizontalAdvance(f"{v:g}") / 2),
                                 y0 - 3 * f), text)
    painter.setFont(_font(11 * f, bold=True))
    painter.drawText(QPointF(x0, y0 + bar_h + 4 * f + fm.ascent()), tr("Layout", "Scale {0}").format(format_scale(scale)))
    painter.restore()
    return QRectF(x0, y0, bar_w, bar_h)


def _paint_title(painter, rect: QRectF, layout: Layout, f: float) -> None:
    if rect.height() <= 0:
        return
    y = rect.top()
    painter.setPen(INK)
    if layout.title:
        h = mm_to_units(16.0 * f)
        painter.setFont(_fit(layout.title, rect.width(), h * 0.62, bold=True))
        painter.drawText(QRectF(rect.left(), y, rect.width(), h), Qt.AlignmentFlag.AlignCenter, layout.title)
        y += h
    if layout.subtitle:
        h = mm_to_units(8.0 * f)
        painter.setPen(GREY)
        painter.setFont(_fit(layout.subtitle, rect.width(), h * 0.62))
        painter.drawText(QRectF(rect.left(), y, rect.width(), h), Qt.AlignmentFlag.AlignCenter, layout.subtitle)


def _fit(text: str, width: float, px: float, bold: bool = False) -> QFont:
    font = _font(px, bold)
    w = QFontMetricsF(font).horizontalAdvance(text)
    return _font(px * width / w * 0.98, bold) if w > width > 0 else font


def footer_texts(layout: Layout, scale: int) -> tuple[str, str]:
    """(left, right) footer lines: data-source note; 审图号 · scale · date · hygis."""
    right = []
    if layout.approval_number:
        right.append(tr("Layout", "Map approval No. {0}").format(layout.approval_number))
    right.append(format_scale(scale))
    right.append(tr("Layout", "Made with hygis, {0}").format(format_date(datetime.date.today())))
    return layout.source_note, "  ·  ".join(right)


def _paint_footer(painter, rect: QRectF, layout: Layout, scale: int, f: float) -> None:
    left, right = footer_texts(layout, scale)
    font = _font(10 * f)
    painter.setFont(font)
    painter.setPen(GREY)
    right_w = QFontMetricsF(font).horizontalAdvance(right) + 8 * f
    if left:
        painter.setFont(_fit(left, rect.width() - right_w - 8 * f, 10 * f))
        painter.drawText(QRectF(rect.left(), rect.top(), rect.width() - right_w, rect.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, left)
    painter.setFont(font)
    painter.drawText(QRectF(rect.right() - right_w, rect.top(), right_w, rect.height()),
                     Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, right)


# -- export ----------------------------------------------------------------------------------
def layout_view(project, layout: Layout):
    """(project in the layout's scenario state, that scenario's extent or None)."""
    if not layout.scenario:
        return project, None
    from hygis.project.model import shadow_project

    if layout.scenario not in project.scenarios.names:
        names = ", ".join(project.scenarios.names) or "(none)"
        raise HygisError("No scenario named '{scenario}'; scenarios: {names}",
                         scenario=layout.scenario, names=names)
    scenario = project.scenarios[layout.scenario]
    return shadow_project(project, scenario), (scenario.extent or None)


def page_size_px(layout: Layout, dpi: float) -> tuple[int, int]:
    w, h = layout.paper_mm
    return int(round(w / MM_PER_INCH * dpi)), int(round(h / MM_PER_INCH * dpi))


def render_layout_image(project, layout: Layout, dpi: float | None = None, tiles=None) -> QImage:
    """The page as an image at ``dpi`` (default: the layout's)."""
    dpi = float(dpi or layout.dpi)
    view, extent = layout_view(project, layout)
    w, h = page_size_px(layout, dpi)
    if w * h > 400_000_000:
        raise HygisError("{paper} at {dpi:g} dpi is {w}×{h} pixels: too large, lower the DPI",
                         paper=layout.paper, dpi=dpi, w=w, h=h)
    image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    if image.isNull():
        raise HygisError("not enough memory for a {w}×{h} image: lower the DPI", w=w, h=h)
    image.fill(QColor("white"))
    image.setDotsPerMeterX(int(round(dpi / 0.0254)))
    image.setDotsPerMeterY(int(round(dpi / 0.0254)))
    painter = QPainter(image)
    try:
        painter.scale(dpi / UNIT_DPI, dpi / UNIT_DPI)
        paint_layout(painter, view, layout, extent_wgs84=extent, tiles=tiles)
    finally:
        painter.end()
    return image


def export_layout(project, layout: Layout, path, tiles=None) -> tuple[Path, LayoutPlan]:
    """Write the layout to ``path``: vector PDF (page = the paper) or PNG/JPEG/TIFF at the layout's DPI.
    The file is replaced only by a complete new one (hygis.io.filesets.atomic_output)."""
    from hygis.io.filesets import atomic_output

    path = Path(path)
    if not path.parent.exists():
        raise HygisError("folder {parent} does not exist", parent=path.parent)
    suffix = path.suffix.lower()
    if suffix not in (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"):
        raise HygisError("Unsupported layout format '{suffix}': use .pdf or .png", suffix=path.suffix)
    view, extent = layout_view(project, layout)
    with atomic_output(path) as tmp:
        result = _write_layout(project, layout, tmp, suffix, view, extent, tiles)
    return path, result


def _write_layout(project, layout: Layout, path: Path, suffix: str, view, extent, tiles) -> LayoutPlan:
    if suffix == ".pdf":
        writer = QPdfWriter(str(path))
        writer.setResolution(int(UNIT_DPI))  # one PDF device unit = one layout unit (1/96 inch)
        w, h = layout.paper_mm
        size = QPageSize(QSizeF(w, h), QPageSize.Unit.Millimeter, layout.paper, QPageSize.SizeMatchPolicy.ExactMatch)
        writer.setPageLayout(QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0),
                                         QPageLayout.Unit.Millimeter))
        writer.setTitle(layout.title or getattr(project, "title", "") or "hygis map")
        writer.setCreator("hygis")
        painter = QPainter()
        if not painter.begin(writer):
            raise HygisError("cannot write {file}", file=path.name)
        try:
            return paint_layout(painter, view, layout, extent_wgs84=extent, tiles=tiles)
        finally:
            painter.end()
    image = render_layout_image(project, layout, tiles=tiles)
    if suffix in (".jpg", ".jpeg"):
        image = image.convertToFormat(QImage.Format.Format_RGB32)
    if not image.save(str(path), suffix.lstrip(".").upper()):
        raise HygisError("cannot write {file}", file=path.name)
    return plan(view, layout, extent)
