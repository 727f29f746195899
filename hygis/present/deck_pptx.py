"""The scenario deck as an editable PowerPoint/WPS file (python-pptx).

One 16:9 slide per scenario: the title and subtitle, the map as a picture, the
indicators as text boxes people can edit, the legend as coloured swatches with
text, the sources line, the page number, and the scenario's notes as speaker
notes.  No Qt here: the map pictures are PNG bytes drawn by
:func:`hygis.ui.slide_render.render_map_image` (see :func:`hygis.ui.slide_render.export_pptx`).
"""

from __future__ import annotations

from pathlib import Path

from hygis.core.errors import HygisError
from hygis.layers.style import parse_color

PPTX_PX_PER_INCH = 1920 / 13.333  # a full-screen slide on a 1080p projector
SLIDE_W_EMU, SLIDE_H_EMU = 12_192_000, 6_858_000  # PowerPoint's 16:9 (13.333 × 7.5 inches)
#: Where the map picture goes (inches): left, top, width, height.
MAP_BOX = (0.35, 1.25, 8.9, 5.65)
PANEL_LEFT = 9.45
NAVY, ACCENT, GREY = (0x12, 0x32, 0x4F), (0xE8, 0x71, 0x0A), (0x5F, 0x6B, 0x76)
FONT = "Microsoft YaHei"  # what WPS/PowerPoint users in China have; falls back on other systems


def map_pixel_size(dpi: int = 200) -> tuple[int, int]:
    """Pixel size of the map picture for :data:`MAP_BOX` at ``dpi``."""
    return int(MAP_BOX[2] * dpi), int(MAP_BOX[3] * dpi)


def write_pptx(slides, map_pngs, legends, path) -> Path:
    """Write ``slides`` (hygis.present.slides.Slide) with their map PNG bytes and legend rows
    (lists of hygis.present.slides.LegendEntry) to ``path`` (.pptx)."""
    from io import BytesIO

    from pptx import Presentation
    from pptx.util import Inches

    path = Path(path)
    if path.suffix.lower() != ".pptx":
        raise HygisError("{file}: the editable deck is a .pptx file", file=path.name)
    if not path.parent.exists():
        raise HygisError("folder {parent} does not exist", parent=path.parent)
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W_EMU, SLIDE_H_EMU
    blank = prs.slide_layouts[6]
    for slide, png, legend in zip(slides, map_pngs, legends):
        page = prs.slides.add_slide(blank)
        _header(page, slide)
        left, top, width, height = MAP_BOX
        pic = page.shapes.add_picture(BytesIO(png), Inches(left), Inches(top), Inches(width), Inches(height))
        pic.name = "Map"
        y = _indicators(page, slide.indicators)
        _legend(page, legend, y)
        _footer(page, slide)
        if slide.notes:
            page.notes_slide.notes_text_frame.text = slide.notes
    from hygis.io.filesets import atomic_output

    with atomic_output(path) as tmp:  # the old deck is replaced only by a complete new one
        prs.save(str(tmp))
    return path


def fit_points(text: str, width_pt: float, largest: float, smallest: float = 11) -> int:
    """The largest font size (points, ≤ ``largest``) that keeps ``text`` on one line ``width_pt`` wide
    (CJK characters are 1 em wide, others ~0.68 em in a bold sans-serif)."""
    ems = sum(1.0 if ord(c) >= 0x2E80 else 0.68 for c in text) or 1.0
    return int(max(smallest, min(largest, width_pt * 0.95 / ems)))


def _text(page, box, text, size, color=NAVY, bold=False, name=None, align=None):
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    shape = page.shapes.add_textbox(*(Inches(v) for v in box))
    if name:
        shape.name = name
    frame = shape.text_frame
    frame.word_wrap = True
    para = frame.paragraphs[0]
    if align is not None:
        para.alignment = align
    run = para.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = FONT
    run.font.color.rgb = RGBColor(*color)
    return shape


def _header(page, slide) -> None:
    from pptx.dml.color import RGBColor
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches

    bar = page.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, Inches(0.12), Inches(1.1))
    bar.fill.solid()
    bar.fill.fore_color.rgb = RGBColor(*ACCENT)
    bar.line.fill.background()
    bar.shadow.inherit = False
    _text(page, (0.35, 0.12, 9.6, 0.6), slide.title, 30, bold=True, name="Title")
    if slide.subtitle:
        _text(page, (0.35, 0.68, 9.6, 0.45), slide.subtitle, 16, GREY, name="Subtitle")
    _text(page, (10.0, 0.2, 3.0, 0.6), slide.name, 22, ACCENT, bold=True, name="Scenario", align=PP_ALIGN.RIGHT)


def _indicators(page, indicators) -> float:
    """Indicator label/value boxes down the right panel; returns the y (inches) below them."""
    from pptx.dml.color import RGBColor
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    y = MAP_BOX[1]
    if not indicators:
        return y
    _text(page, (PANEL_LEFT, y, 3.5, 0.4), "关键指标", 16, bold=True, name="Indicators")
    y += 0.45
    for i, ind in enumerate(indicators[:5]):
        card = page.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, Inches(PANEL_LEFT), Inches(y), Inches(3.5),
                                     Inches(0.85))
        card.fill.solid()
        card.fill.fore_color.rgb = RGBColor(0xF3, 0xF5, 0xF7)
        card.line.fill.background()
        card.shadow.inherit = False
        _text(page, (PANEL_LEFT + 0.1, y + 0.02, 3.3, 0.35), ind.label, 12, GREY, name=f"Indicator {i + 1} label")
        size = fit_points(ind.text, 3.3 * 72, 20)  # one line in the card
        _text(page, (PANEL_LEFT + 0.1, y + 0.32, 3.3, 0.5), ind.text, size, bold=True, name=f"Indicator {i + 1} value")
        y += 0.95
    return y + 0.1


def _legend(page, entries, y: float) -> None:
    from pptx.dml.color import RGBColor
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches, Pt

    bottom = MAP_BOX[1] + MAP_BOX[3]
    if not entries or y + 0.7 > bottom:
        return
    _text(page, (PANEL_LEFT, y, 3.5, 0.4), "图例", 16, bold=True, name="Legend")
    y += 0.45
    for entry in entries:
        if y + 0.3 > bottom:
            break
        r, g, b, _ = parse_color(entry.color)
        shape = {"point": MSO_SHAPE.OVAL, "line": MSO_SHAPE.RECTANGLE}.get(entry.family, MSO_SHAPE.RECTANGLE)
        h = 0.06 if entry.family == "line" else 0.2
        sw = page.shapes.add_shape(shape, Inches(PANEL_LEFT + 0.05), Inches(y + 0.15 - h / 2),
                                   Inches(0.2 if entry.family == "point" else 0.4), Inches(h))
        sw.fill.solid()
        sw.fill.fore_color.rgb = RGBColor(r, g, b)
        sw.line.color.rgb = RGBColor(*parse_color(entry.style.stroke)[:3])
        sw.line.width = Pt(0.75)
        sw.shadow.inherit = False
        _text(page, (PANEL_LEFT + 0.55, y - 0.03, 2.95, 0.32), entry.label, 11, (0x26, 0x32, 0x38))
        y += 0.3


def _footer(page, slide) -> None:
    from pptx.enum.text import PP_ALIGN

    _text(page, (0.35, 6.95, 11.0, 0.45), slide.sources, 8, GREY, name="Sources")
    _text(page, (11.6, 7.0, 1.4, 0.35), f"{slide.number} / {slide.count}", 12, NAVY, bold=True, name="Page",
          align=PP_ALIGN.RIGHT)
