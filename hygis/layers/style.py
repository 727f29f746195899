"""Layer styles: single symbol, categorized and graduated.

A style is plain data (saved in the project as a dict).  ``feature_colors``
resolves it to one fill colour per feature, so the canvas, the headless
render and the slide export all colour features the same way.
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, fields

import numpy as np
import pandas as pd

from hygis.core.errors import HygisError

MODES = ("single", "categorized", "graduated")
DASHES = ("solid", "dash", "dot", "dashdot")
HATCHES = ("none", "diagonal", "cross", "horizontal", "vertical")
MARKERS = ("circle", "square", "triangle", "diamond", "star", "cross")

#: Colour ramps (start, end and stops) for graduated styles.
RAMPS = {
    "viridis": ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"],
    "reds": ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"],
    "blues": ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"],
    "greens": ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"],
    "oranges": ["#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603"],
    "spectral": ["#d7191c", "#fdae61", "#ffffbf", "#abdda4", "#2b83ba"],
    "terrain": ["#333399", "#0099cc", "#33cc66", "#cccc66", "#996633", "#ffffff"],
    "greys": ["#f7f7f7", "#cccccc", "#969696", "#636363", "#252525"],
}
#: Qualitative palette for categories without an explicit colour.
PALETTE = ["#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628", "#f781bf", "#999999", "#66c2a5", "#ffd92f"]


def parse_color(value: str) -> tuple[int, int, int, int]:
    """'#rrggbb' or '#rrggbbaa' → (r, g, b, a) ints 0–255."""
    if not isinstance(value, str) or not value.startswith("#") or len(value) not in (7, 9):
        raise HygisError("Invalid colour '{value}': use #rrggbb or #rrggbbaa", value=value)
    try:
        parts = [int(value[i:i + 2], 16) for i in range(1, len(value), 2)]
    except ValueError:
        raise HygisError("Invalid colour '{value}': use #rrggbb or #rrggbbaa", value=value) from None
    return tuple(parts + [255] * (4 - len(parts)))  # type: ignore[return-value]


def to_hex(rgba) -> str:
    r, g, b, a = (int(round(c)) for c in rgba)
    return f"#{r:02x}{g:02x}{b:02x}" + ("" if a == 255 else f"{a:02x}")


def ramp_colors(ramp: str, n: int) -> list[str]:
    """n colours evenly spaced along a named ramp."""
    stops = np.array([parse_color(c) for c in RAMPS.get(ramp, RAMPS["viridis"])], dtype=float)
    if n <= 1:
        return [to_hex(stops[len(stops) // 2])]
    pos = np.linspace(0, len(stops) - 1, n)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, len(stops) - 1)
    t = (pos - lo)[:, None]
    return [to_hex(c) for c in stops[lo] * (1 - t) + stops[hi] * t]


@dataclass
class Style:
    mode: str = "single"
    fill: str = "#ff8c0066"
    stroke: str = "#333333"
    width: float = 1.0  # stroke width, pixels
    dash: str = "solid"
    hatch: str = "none"
    marker: str = "circle"
    size: float = 8.0  # marker size, pixels
    field: str | None = None  # classification field (categorized/graduated)
    categories: dict[str, str] = dataclasses.field(default_factory=dict)  # value → colour
    ramp: str = "viridis"
    classes: int = 5
    breaks: list[float] = dataclasses.field(default_factory=list)  # graduated class upper bounds
    stroke_by_class: bool = False  # lines: colour the stroke (not the fill) by class
    label_field: str | None = None
    label_size: float = 9.0  # points
    label_color: str = "#202020"

    def __post_init__(self):
        self.validate()

    def validate(self) -> None:
        if self.mode not in MODES:
            raise HygisError("style mode {mode!r}: use one of {value}", mode=self.mode, value=', '.join(MODES))
        for name, allowed in (("dash", DASHES), ("hatch", HATCHES), ("marker", MARKERS)):
            if getattr(self, name) not in allowed:
                raise HygisError("style {name} {value!r}: use one of {value2}",
                                 name=name, value=getattr(self, name), value2=', '.join(allowed))
        for c in (self.fill, self.stroke, self.label_color, *self.categories.values()):
            parse_color(c)
        if not (0 <= float(self.width) <= 50 and 0 < float(self.size) <= 200):
            raise HygisError("style width/size out of range")
        if self.mode != "single" and not self.field:
            raise HygisError("a {mode} style needs a field", mode=self.mode)
        if not 1 <= int(self.classes) <= 20:
            raise HygisError("graduated classes must be between 1 and 20")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Style":
        if not isinstance(d, dict):
            raise HygisError("style must be an object")
        names = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in names}
        try:
            kw["categories"] = {str(k): str(v) for k, v in dict(kw.get("categories") or {}).items()}
            kw["breaks"] = [float(b) for b in (kw.get("breaks") or [])]
            for k in ("width", "size", "label_size"):
                if k in kw:
                    kw[k] = float(kw[k])
            if "classes" in kw:
                kw["classes"] = int(kw["classes"])
            return cls(**kw)
        except (TypeError, ValueError, OverflowError) as exc:
            raise HygisError("invalid style: {reason}", reason=exc) from None

    def copy(self, **changes) -> "Style":
        d = self.to_dict()
        d.update(changes)
        return Style.from_dict(d)


def with_categories(style: Style, values) -> Style:
    """Fill missing category colours from the palette (kept colours stay)."""
    cats = dict(style.categories)
    for v in pd.unique(pd.Series(list(values), dtype=object).dropna().astype(str)):
        if v not in cats:
            cats[v] = PALETTE[len(cats) % len(PALETTE)]
    return style.copy(categories=cats)


#: Ways to cut a numeric field into classes (style dialog "Method").
BREAK_METHODS = ("quantile", "jenks", "equal")


def graduated_breaks(values, classes: int, method: str = "quantile") -> list[float]:
    """Class upper bounds: equal-count (``quantile``), natural breaks (``jenks``, Fisher–Jenks via
    mapclassify) or equal-width (``equal``) intervals."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").dropna().to_numpy(float)
    if len(v) == 0:
        return []
    if method not in BREAK_METHODS:
        raise HygisError("classification method '{method}': use one of {value}",
                         method=method, value=', '.join(BREAK_METHODS))
    k = max(1, min(int(classes), len(np.unique(v))))
    if method == "jenks" and k > 1:
        import warnings

        with warnings.catch_warnings():  # "Numba not installed": the pure-Python path is fine here
            warnings.simplefilter("ignore")
            import mapclassify

            bins = mapclassify.FisherJenks(v, k=k).bins
        return [float(b) for b in np.unique(bins)]
    if method == "equal":
        bins = np.linspace(v.min(), v.max(), k + 1)[1:]
        return [float(b) for b in np.unique(bins)]
    qs = np.quantile(v, np.linspace(0, 1, classes + 1)[1:])
    return [float(q) for q in np.unique(qs)]


def class_colors(style: Style) -> list[tuple[str, str]]:
    """(legend label, colour) rows for the style: one for single, one per class otherwise."""
    if style.mode == "categorized":
        return [(k, c) for k, c in style.categories.items()]
    if style.mode == "graduated":
        cols = ramp_colors(style.ramp, max(len(style.breaks), 1))
        rows, lo = [], None
        for b, c in zip(style.breaks, cols):
            rows.append((f"{'' if lo is None else f'{lo:g} – '}≤ {b:g}", c))
            lo = b
        return rows
    return [("", style.fill)]


def feature_colors(style: Style, frame, default: str | None = None) -> list[str]:
    """One colour per feature of ``frame`` (a DataFrame) for the style's classification."""
    base = default or style.fill
    n = len(frame)
    if style.mode == "single" or not style.field or style.field not in getattr(frame, "columns", []):
        return [base] * n
    col = frame[style.field]
    if style.mode == "categorized":
        keys = col.astype(object).where(col.notna(), None)
        return [style.categories.get(str(k), "#bbbbbbff") if k is not None else "#bbbbbbff" for k in keys]
    breaks = style.breaks or graduated_breaks(col, style.classes)
    if not breaks:
        return [base] * n
    cols = ramp_colors(style.ramp, len(breaks))
    v = pd.to_numeric(col, errors="coerce").to_numpy(float)
    idx = np.minimum(np.searchsorted(np.asarray(breaks), v, side="left"), len(breaks) - 1)
    return [cols[i] if np.isfinite(x) else "#bbbbbbff" for i, x in zip(idx, v)]


def default_style(kind: str) -> Style:
    """The default cartography of each thematic kind."""
    if kind == "corridor":
        return Style(fill="#ff8c0073", stroke="#d2691e", width=1.5, label_field="name")
    if kind == "ftz":
        return Style(fill="#1f6fd040", stroke="#1f4fa0", width=1.5, hatch="diagonal", label_field="name")
    if kind == "coastline":
        return Style(mode="categorized", field="status", width=4.0, stroke="#2e8b57", stroke_by_class=True,
                     categories={"completed": "#1b7837", "under_construction": "#5aae61", "planned": "#a6dba0"},
                     dash="solid", label_field="name")
    if kind == "enclave":
        return Style(mode="categorized", field="enclave_type", marker="circle", size=10.0, stroke="#ffffff",
                     categories={"science": "#d7301f", "industry": "#2b6cb0"}, label_field="name")
    if kind == "heritage":
        return Style(fill="#8b5a2b", stroke="#ffffff", marker="diamond", size=9.0, label_field="name")
    if kind == "transport":
        return Style(mode="categorized", field="mode", width=3.0, stroke="#555555", stroke_by_class=True,
                     categories={"railway": "#3f3f3f", "intercity": "#7b3294", "suburban_rail": "#c51b7d",
                                 "expressway": "#e08214", "waterway": "#2c7fb8"}, label_field="name")
    if kind == "hub":
        return Style(mode="categorized", field="hub_type", marker="square", size=11.0, stroke="#ffffff",
                     categories={"seaport": "#08519c", "inland_port": "#41b6c4", "airport": "#54278f",
                                 "rail_sea": "#e6550d"}, label_field="name")
    if kind == "platform":
        return Style(fill="#c51b7d", stroke="#ffffff", marker="star", size=16.0, label_field="name")
    if kind == "newarea":
        return Style(fill="#7fbc4155", stroke="#4d9221", width=1.2, label_field="name")
    return Style(fill="#6a9fb566", stroke="#35627a", width=1.0)


# -- illustrative (示意) features ----------------------------------------------------------------
#: A feature is illustrative (invented, or drawn where no published extent exists) when its
#: ``data_status`` field says so; such features are drawn with a dashed outline and a hatch.
ILLUSTRATIVE_FIELD = "data_status"
ILLUSTRATIVE_VALUE = "illustrative"
ILLUSTRATIVE_DASH = "dash"
ILLUSTRATIVE_HATCH = "diagonal"


def illustrative_mask(frame) -> np.ndarray:
    """True for the rows of ``frame`` marked illustrative (all False without the field)."""
    if frame is None or ILLUSTRATIVE_FIELD not in getattr(frame, "columns", ()):
        return np.zeros(0 if frame is None else len(frame), bool)
    return np.asarray(frame[ILLUSTRATIVE_FIELD].eq(ILLUSTRATIVE_VALUE).fillna(False), bool)


def feature_classes(style: Style, frame, default: str | None = None):
    """Symbol classes of ``frame``'s features: (code per row, colour per class, illustrative per class).

    Features share a class when they share a colour and the illustrative mark, so a renderer draws
    each class with one pen and brush (:func:`class_symbol`).
    """
    n = len(frame)
    colours = feature_colors(style, frame, default) if style.mode != "single" and style.field else \
        [default or style.fill] * n
    marks = illustrative_mask(frame)
    if not marks.any() and len(set(colours)) <= 1:
        return np.zeros(n, np.int64), (colours[:1] or [default or style.fill]), [False]
    keys = pd.Series([(c, bool(m)) for c, m in zip(colours, marks)], dtype=object)
    codes, uniques = pd.factorize(keys)
    return np.asarray(codes, np.int64), [u[0] for u in uniques], [u[1] for u in uniques]


#: The legend / identify label of illustrative features (Chinese, English).
ILLUSTRATIVE_LABEL = ("示意", "Illustrative")


def has_illustrative(layer) -> bool:
    """Whether ``layer`` shows illustrative features (in its visible data)."""
    if ILLUSTRATIVE_FIELD not in getattr(layer, "fields", (ILLUSTRATIVE_FIELD,)):
        return False  # no such column: no data to read (a flat layer's attributes may not be read yet)
    if hasattr(layer, "attributes") and not getattr(layer, "filters_rows", True):
        data = layer.attributes  # no filter: no geometry needed (flat layers build none)
    else:
        data = layer.visible_data() if hasattr(layer, "visible_data") else None
    return data is not None and bool(illustrative_mask(data).any())


def class_symbol(style: Style, illustrative: bool) -> tuple[str, str]:
    """(dash, hatch) of a class: the style's own, or dashed and hatched for illustrative features."""
    if illustrative:
        return ILLUSTRATIVE_DASH, ILLUSTRATIVE_HATCH
    return style.dash, style.hatch
