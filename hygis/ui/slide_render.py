"""Paint a scenario slide (map, title, legend, indicators, scale bar, sources) and export the deck.

The map itself is drawn by the shared renderer :func:`hygis.ui.render.paint_map`
(the same code as the canvas and ``hygis render``); this module lays out the
page around it.  The presentation mode paints the same page, so what a
presenter shows is exactly what the exported PDF holds.

Layout (fractions of the page, 16:9 or any other ratio): a header band with
the big title and subtitle, the map on the left, a side panel with the
indicators and the legend on the right, a footer with the sources line and the
page number.  All sizes scale with the page height, so a 1280×720 PNG and a
3840×2160 one look alike.
"""

from __future__ import annotations

import contextlib

from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (QBrush, QColor, QFont, QFontMetricsF, QImage, QPageLayout, QPageSize, QPainter,
                           QPdfWriter, QPen, QPolygonF)

from hygis.core.errors import HygisError
from hygis.layers.style import parse_color
from hygis.present.slides import Slide, build_slides, legend_entries, png_name
from hygis.ui.fonts import cjk_family
from hygis.ui.render.labels import label_scale, output_label_scale

NAVY = QColor("#12324f")
ACCENT = QColor("#e8710a")
GREY = QColor("#5f6b76")
LIGHT = QColor("#f3f5f7")
RULE = QColor("#d5dbe1")
PANEL_W = 0.27  # side panel width, fraction of the page width
HEADER_H = 0.15
FOOTER_H = 0.05


def qcolor(value: str) -> QColor:
    r, g, b, a = parse_color(value)
    return QColor(r, g, b, a)


def _font(px: float, bold: bool = False) -> QFont:
    font = QFont(cjk_family())
    font.setPixelSize(max(6, int(round(px))))
    font.setBold(bold)
    # no OpenType shaping (CJK and Latin need none here): shaped digits next to Latin letters
    # ("5 km") lost their Unicode in Qt's PDFs, so the exported text could not be found or copied
    font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
    return font


def layout(rect: QRectF) -> dict[str, QRectF]:
    """Rectangles of the page parts: header, map, panel, footer."""
    h, w = rect.height(), rect.width()
    pad = h * 0.025
    header = QRectF(rect.left(), rect.top(), w, h * HEADER_H)
    footer = QRectF(rect.left(), rect.bottom() - h * FOOTER_H, w, h * FOOTER_H)
    panel_w = w * PANEL_W
    body_top, body_bottom = header.bottom() + pad * 0.4, footer.top() - pad * 0.4
    map_rect = QRectF(rect.left() + pad, body_top, w - panel_w - 2 * pad, body_bottom - body_top)
    panel = QRectF(map_rect.right() + pad, body_top, panel_w - pad, body_bottom - body_top)
    return {"header": header, "map": map_rect, "panel": panel, "footer": footer, "pad": pad}


def paint_slide(painter: QPainter, rect: QRectF, view, slide: Slide, *, map_image: QImage | None = None) -> None:
    """Paint one slide of ``view`` (a project already in the slide's scenario state) into ``rect``.

    ``map_image``, if given, is drawn instead of calling the renderer (the
    presentation caches the map of each scenario).
    """
    parts = layout(rect)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.fillRect(rect, QColor("white"))
    paint_slide_map(painter, parts["map"], view, slide, map_image)
    painter.setPen(QPen(RULE, max(1.0, rect.height() / 900)))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(parts["map"])
    _paint_header(painter, parts["header"], slide, parts["pad"])
    y = _paint_indicators(painter, parts["panel"], slide.indicators, rect.height())
    _paint_legend(painter, QRectF(parts["panel"].left(), y, parts["panel"].width(), parts["panel"].bottom() - y),
                  view, rect.height())
    _paint_footer(painter, parts["footer"], slide, parts["pad"])
    painter.restore()


def presentation_label_factor() -> float:
    """The user's presentation label size (1.0 = normal; 1.25, 1.5, 2.0 for large rooms)."""
    from hygis.ui.settings import Settings

    return Settings().label_scale()


def page_height_of_map(map_h: float) -> float:
    """The page height whose :func:`layout` gives a map ``map_h`` high."""
    return map_h * 1080.0 / layout(QRectF(0, 0, 1920, 1080))["map"].height()


#: A slide page is PowerPoint's 16:9 page, 7.5 inches high, whatever its pixel size: its 1:N scale
#: is the same at 1080p, 4K or in the .pptx (1080 px → 144 dpi, 2160 px → 288 dpi).
SLIDE_HEIGHT_IN = 7.5


def slide_dpi(page_height: float) -> float:
    """Pixels per inch of a slide page ``page_height`` pixels high (its 1:N scale follows from it)."""
    return float(page_height) / SLIDE_HEIGHT_IN


def paint_slide_map(painter: QPainter, rect: QRectF, view, slide: Slide, map_image: QImage | None = None,
                    page_height: float | None = None, tiles_wait: bool = True) -> None:
    """The slide's map in ``rect``; labels scale with the page (≥ 14 px at 1080p, × the label-size setting);
    the scale bar's 1:N is for the 7.5-inch-high slide page (:func:`slide_dpi`), so it reads the same
    at every output size.

    ``tiles_wait``: fetch missing basemap tiles first (exports); False (the presentation) never
    waits for the network and draws the tiles the cache holds."""
    if map_image is not None:
        painter.drawImage(rect, map_image)
        return
    from hygis.ui.render import paint_map

    page_h = page_height or page_height_of_map(rect.height())
    painter.save()
    painter.setClipRect(rect)
    with label_scale(*output_label_scale(page_h, presentation_label_factor())):
        paint_map(painter, rect, view, slide.extent, legend=False, scalebar=True, north_arrow=True, title=None,
                  basemap=getattr(view, "show_basemap", True), tiles_wait=tiles_wait, dpi=slide_dpi(page_h))
    painter.restore()


def render_map_image(view, slide: Slide, size, *, scale: float = 1.0, page_height: float | None = None,
                     tiles_wait: bool = False) -> QImage:
    """The map part of a slide as an image of ``size`` (w, h) pixels, drawn ``scale`` times
    larger than its layout size (a sharper picture for the .pptx).  Tiles: see :func:`paint_slide_map`."""
    w, h = int(size[0]), int(size[1])
    image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        painter.scale(scale, scale)
        paint_slide_map(painter, QRectF(0, 0, w / scale, h / scale), view, slide, page_height=page_height,
                        tiles_wait=tiles_wait)
    finally:
        painter.end()
    return image


def _paint_header(painter, rect: QRectF, slide: Slide, pad: float) -> None:
    h = rect.height()
    painter.fillRect(QRectF(rect.left(), rect.top(), rect.width() * 0.006 + 4, h), ACCENT)
    left = rect.left() + pad * 1.2
    right_w = rect.width() * 0.18
    title_rect = QRectF(left, rect.top() + h * 0.12, rect.width() - right_w - left - pad, h * 0.5)
    painter.setFont(_fit_font(slide.title, title_rect, h * 0.42, bold=True))
    painter.setPen(NAVY)
    painter.drawText(title_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, slide.title)
    if slide.subtitle:
        sub_rect = QRectF(left, title_rect.bottom(), title_rect.width(), h * 0.3)
        painter.setFont(_fit_font(slide.subtitle, sub_rect, h * 0.2))
        painter.setPen(GREY)
        painter.drawText(sub_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, slide.subtitle)
    badge = QRectF(rect.right() - right_w, rect.top() + h * 0.12, right_w - pad, h * 0.5)
    painter.setFont(_fit_font(slide.name, badge, h * 0.34, bold=True))
    painter.setPen(ACCENT)
    painter.drawText(badge, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, slide.name)


def _fit_font(text: str, rect: QRectF, px: float, bold: bool = False) -> QFont:
    """The largest font up to ``px`` pixels that fits ``text`` on one line of ``rect``."""
    font = _font(px, bold)
    width = QFontMetricsF(font).horizontalAdvance(text)
    if width > rect.width() > 0:
        font = _font(px * rect.width() / width * 0.98, bold)
    return font


def _paint_indicators(painter, panel: QRectF, indicators, page_h: float) -> float:
    """Indicator cards from the top of the panel; returns the y below them."""
    y = panel.top()
    if not indicators:
        return y
    unit = page_h / 100.0
    painter.setFont(_font(unit * 2.3, bold=True))
    painter.setPen(NAVY)
    painter.drawText(QRectF(panel.left(), y, panel.width(), unit * 3.6), Qt.AlignmentFlag.AlignVCenter, "关键指标")
    y += unit * 4.0
    for ind in indicators[:5]:
        card = QRectF(panel.left(), y, panel.width(), unit * (10.2 if ind.progress is not None else 8.2))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(LIGHT)
        painter.drawRoundedRect(card, unit * 0.8, unit * 0.8)
        inner = card.adjusted(unit * 1.4, unit * 0.9, -unit * 1.4, -unit * 0.9)
        painter.setPen(GREY)
        painter.setFont(_fit_font(ind.label, inner, unit * 1.9))
        painter.drawText(QRectF(inner.left(), inner.top(), inner.width(), unit * 2.6),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, ind.label)
        value_rect = QRectF(inner.left(), inner.top() + unit * 2.6, inner.width(), unit * 4.2)
        painter.setPen(NAVY)
        painter.setFont(_fit_font(ind.text, value_rect, unit * 3.8, bold=True))
        painter.drawText(value_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, ind.text)
        if ind.progress is not None:
            bar = QRectF(inner.left(), value_rect.bottom() + unit * 0.7, inner.width(), unit * 1.1)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(RULE)
            painter.drawRoundedRect(bar, bar.height() / 2, bar.height() / 2)
            done = QRectF(bar.left(), bar.top(), bar.width() * max(0.0, min(1.0, ind.progress)), bar.height())
            painter.setBrush(ACCENT)
            if done.width() > 0:
                painter.drawRoundedRect(done, bar.height() / 2, bar.height() / 2)
        y = card.bottom() + unit * 1.2
    return y + unit * 0.6


def _paint_legend(painter, rect: QRectF, view, page_h: float) -> None:
    unit = page_h / 100.0
    row_h = unit * 3.3
    entries = legend_entries(view, max_rows=max(0, int((rect.height() - unit * 4.0) // row_h)))
    if not entries:
        return
    painter.setFont(_font(unit * 2.3, bold=True))
    painter.setPen(NAVY)
    painter.drawText(QRectF(rect.left(), rect.top(), rect.width(), unit * 3.6), Qt.AlignmentFlag.AlignVCenter, "图例")
    y = rect.top() + unit * 4.0
    font = _font(unit * 1.8)
    for entry in entries:
        swatch = QRectF(rect.left() + unit * 0.4, y + row_h * 0.18, unit * 3.6, row_h * 0.64)
        draw_swatch(painter, swatch, entry)
        painter.setPen(QColor("#263238"))
        painter.setFont(font)
        text_rect = QRectF(swatch.right() + unit * 1.2, y, rect.right() - swatch.right() - unit * 1.2, row_h)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, entry.label)
        y += row_h


def draw_swatch(painter: QPainter, r: QRectF, entry) -> None:
    """A legend symbol: a filled box for polygons, a stroke for lines, a marker for points."""
    style = entry.style
    painter.save()
    fill, stroke = qcolor(entry.color), qcolor(style.stroke)
    if entry.family == "line":
        line_style = Qt.PenStyle.DashLine if style.dash == "dash" else Qt.PenStyle.SolidLine
        painter.setPen(QPen(fill if style.stroke_by_class or style.mode != "single" else stroke,
                            max(2.0, min(style.width, 6.0) * r.height() / 12.0), line_style,
                            Qt.PenCapStyle.RoundCap))
        painter.drawLine(QPointF(r.left(), r.center().y()), QPointF(r.right(), r.center().y()))
    elif entry.family == "point":
        d = r.height()
        if style.dash == "dash":  # illustrative (示意): pale fill, dashed ring
            painter.setPen(QPen(fill, max(1.0, d / 10), Qt.PenStyle.DashLine))
            fill = QColor(fill.red(), fill.green(), fill.blue(), 90)
        else:
            painter.setPen(QPen(stroke, max(1.0, d / 10)))
        painter.setBrush(fill)
        _marker(painter, QRectF(r.center().x() - d / 2, r.top(), d, d), style.marker)
    else:
        painter.setPen(QPen(stroke, max(1.0, style.width * r.height() / 14.0),
                            Qt.PenStyle.DashLine if style.dash == "dash" else Qt.PenStyle.SolidLine))
        painter.setBrush(fill)
        painter.drawRect(r)
        if style.hatch != "none":
            painter.setBrush(QBrush(stroke, Qt.BrushStyle.BDiagPattern))
            painter.drawRect(r)
    painter.restore()


def _marker(painter, r: QRectF, marker: str) -> None:
    c = r.center()
    if marker == "square":
        painter.drawRect(r)
    elif marker == "diamond":
        painter.drawPolygon(QPolygonF([QPointF(c.x(), r.top()), QPointF(r.right(), c.y()),
                                       QPointF(c.x(), r.bottom()), QPointF(r.left(), c.y())]))
    elif marker == "triangle":
        painter.drawPolygon(QPolygonF([QPointF(c.x(), r.top()), QPointF(r.right(), r.bottom()),
                                       QPointF(r.left(), r.bottom())]))
    else:
        painter.drawEllipse(r)


def _paint_footer(painter, rect: QRectF, slide: Slide, pad: float) -> None:
    painter.setPen(QPen(RULE, max(1.0, rect.height() / 40)))
    painter.drawLine(QPointF(rect.left() + pad, rect.top()), QPointF(rect.right() - pad, rect.top()))
    page = f"{slide.number} / {slide.count}"
    page_w = rect.width() * 0.08
    text_rect = QRectF(rect.left() + pad, rect.top(), rect.width() - page_w - 3 * pad, rect.height())
    painter.setPen(GREY)
    painter.setFont(_fit_font(slide.sources, text_rect, rect.height() * 0.32))
    painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, slide.sources)
    painter.setFont(_font(rect.height() * 0.38, bold=True))
    painter.setPen(NAVY)
    painter.drawText(QRectF(rect.right() - page_w - pad, rect.top(), page_w, rect.height()),
                     Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, page)


# -- export --------------------------------------------------------------------------------
def slide_image(project, slide: Slide, size) -> QImage:
    """One slide as a QImage of ``size`` (w, h) pixels."""
    from hygis.project.model import shadow_project

    w, h = int(size[0]), int(size[1])
    image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        paint_slide(painter, QRectF(0, 0, w, h), shadow_project(project, project.scenarios[slide.name]), slide)
    finally:
        painter.end()
    return image


def export_deck(project, pdf_path=None, size=(1920, 1080), png_dir=None, progress=None) -> list[Path]:
    """Write the scenario deck: a PDF with one page per scenario and/or one PNG per scenario.

    Parameters
    ----------
    project : Project
    pdf_path : path, optional
        The PDF to write (pages 7.5 inches high, 960×540 pt at 16:9; ``size`` pixels on them).
    size : (int, int)
        Page size in pixels.
    png_dir : path, optional
        Folder for ``slide_01_<name>.png`` … (created if missing).
    progress : callable(float), optional

    Returns
    -------
    list of Path
        The files written (the PDF first).
    """
    if pdf_path is None and png_dir is None:
        raise HygisError("nothing to write: give a PDF path or a PNG folder")
    slides = build_slides(project)
    w, h = int(size[0]), int(size[1])
    written: list[Path] = []
    outputs = contextlib.ExitStack()
    with outputs:
        _write_deck(project, slides, outputs, pdf_path, png_dir, (w, h), progress, written)
    if pdf_path is not None:
        written.insert(0, Path(pdf_path))
    return written


def _write_deck(project, slides, outputs, pdf_path, png_dir, size, progress, written) -> None:
    from hygis.io.filesets import atomic_output
    from hygis.project.model import shadow_project

    w, h = size
    writer = painter = None
    if pdf_path is not None:
        pdf_path = Path(pdf_path)
        if pdf_path.suffix.lower() != ".pdf":
            raise HygisError("{pdf_path_name}: the deck is written as PDF (use a .pdf name)",
                             pdf_path_name=pdf_path.name)
        if not pdf_path.parent.exists():
            raise HygisError("folder {parent} does not exist", parent=pdf_path.parent)
        # the old deck is replaced only by a complete new one (hygis.io.filesets.atomic_output)
        writer = QPdfWriter(str(outputs.enter_context(atomic_output(pdf_path))))
        # the page is the 7.5-inch-high slide at every pixel size (960×540 pt at 16:9): w×h pixels on it
        writer.setResolution(max(1, round(slide_dpi(h))))
        page_pt = QSizeF(w / h * SLIDE_HEIGHT_IN * 72, SLIDE_HEIGHT_IN * 72)
        writer.setPageLayout(QPageLayout(QPageSize(page_pt, QPageSize.Unit.Point, "slide"),
                                         QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
        writer.setTitle(project.title or "hygis")
        writer.setCreator("hygis")
        painter = QPainter()
        if not painter.begin(writer):
            raise HygisError("cannot write {pdf_path}", pdf_path=pdf_path)
    if png_dir is not None:
        png_dir = Path(png_dir)
        png_dir.mkdir(parents=True, exist_ok=True)
    try:
        for i, slide in enumerate(slides):
            view = shadow_project(project, project.scenarios[slide.name])
            if painter is not None:
                if i:
                    writer.newPage()
                page = writer.pageLayout().paintRectPixels(writer.resolution())
                paint_slide(painter, QRectF(0, 0, page.width(), page.height()), view, slide)
            if png_dir is not None:
                image = slide_image(project, slide, (w, h))
                path = png_dir / png_name(slide)
                with atomic_output(path) as tmp:
                    if not image.save(str(tmp), "PNG"):
                        raise HygisError("cannot write {file}", file=path.name)
                written.append(path)
            if progress is not None:
                progress((i + 1) / len(slides))
    finally:
        if painter is not None:
            painter.end()


def export_pptx(project, pptx_path, progress=None, dpi: int = 200) -> Path:
    """Write the scenario deck as an editable .pptx (maps as pictures, indicators as text, notes)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    from hygis.present.deck_pptx import PPTX_PX_PER_INCH, map_pixel_size, write_pptx
    from hygis.project.model import shadow_project

    slides = build_slides(project)
    pngs, legends = [], []
    for i, slide in enumerate(slides):
        view = shadow_project(project, project.scenarios[slide.name])
        px_w, px_h = map_pixel_size(dpi)
        k = dpi / PPTX_PX_PER_INCH  # drawn as on a 1920×1080 screen, at dpi/144 the pixels
        image = render_map_image(view, slide, (px_w, px_h), scale=k, page_height=1080, tiles_wait=True)
        data = QByteArray()
        buf = QBuffer(data)
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buf, "PNG")
        buf.close()
        pngs.append(bytes(data.data()))
        legends.append(legend_entries(view))
        if progress is not None:
            progress((i + 1) / len(slides))
    return write_pptx(slides, pngs, legends, pptx_path)
