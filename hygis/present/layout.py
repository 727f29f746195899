"""Print layouts as plain data: paper, orientation, scale, furniture and where each part sits.

A :class:`Layout` says what a printed map shows (title, subtitle, legend, scale bar,
north arrow, overview inset, data-source note, 审图号 map approval number) on which
paper (ISO A4–A0, portrait or landscape) at which scale (a fixed 1:N or "fit").
:meth:`Layout.frames` places the parts on the page in millimetres and
:meth:`Layout.map_bounds` gives the ground extent the map frame shows, so the
painter (:mod:`hygis.ui.layout_render`), the dialog, the CLI and the tests agree on
it without Qt.  Layouts are saved in the project file (:mod:`hygis.project.layouts`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

from hygis.core.errors import HygisError

#: ISO 216 paper sizes, portrait (width, height) in millimetres.
PAPERS_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0), "A2": (420.0, 594.0), "A1": (594.0, 841.0),
             "A0": (841.0, 1189.0)}
ORIENTATIONS = ("portrait", "landscape")
#: Scales offered in the dialog (any 1:N from MIN_SCALE to MAX_SCALE is accepted).
SCALES = (10_000, 25_000, 50_000, 100_000, 200_000, 250_000, 500_000)
MIN_SCALE, MAX_SCALE = 500, 5_000_000
DPIS = (150, 200, 300, 600)
MM_PER_INCH = 25.4
#: Layout drawing unit: 1/96 inch ("layout pixel"), the unit of the map renderers' pens and fonts.
UNIT_DPI = 96.0
MARGIN_MM = 10.0


def mm_to_units(mm: float) -> float:
    return mm * UNIT_DPI / MM_PER_INCH


def format_scale(denominator: float) -> str:
    """``50000`` → ``"1:50,000"``."""
    return f"1:{int(round(denominator)):,}"


def nice_scale(denominator: float) -> int:
    """The smallest round scale (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5 ×10^k) not below ``denominator``."""
    if denominator <= 0 or not math.isfinite(denominator):
        raise HygisError("invalid scale 1:{denominator}", denominator=denominator)
    k = 10 ** math.floor(math.log10(denominator))
    for m in (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 10):
        if m * k >= denominator * (1 - 1e-9):
            return int(round(m * k))
    return int(round(10 * k))  # pragma: no cover


def parse_scale(text) -> int | None:
    """``"50000"``, ``"1:50,000"``, ``"1:5万"`` → 50000; ``"fit"`` → None; HygisError otherwise."""
    if text is None:
        return None
    s = str(text).strip().replace(",", "").replace("，", "").replace(" ", "")
    if s.lower() in ("", "fit", "auto", "适应"):
        return None
    if s.startswith(("1:", "1：")):
        s = s[2:]
    mult = 1
    if s.endswith("万"):
        s, mult = s[:-1], 10_000
    try:
        value = float(s) * mult
    except ValueError:
        raise HygisError("scale '{text}': use a number such as 50000 or 1:50,000, or 'fit'",
                         text=text) from None
    if not (MIN_SCALE <= value <= MAX_SCALE):
        raise HygisError("scale 1:{value:,.0f} is out of range (1:{MIN_SCALE:,} … 1:{MAX_SCALE:,})",
                         value=value, MIN_SCALE=MIN_SCALE, MAX_SCALE=MAX_SCALE)
    return int(round(value))


@dataclass
class Layout:
    """One print layout of a project (all fields are plain values; saved as JSON)."""

    name: str = "布局 1"
    paper: str = "A3"
    orientation: str = "landscape"
    scale: int | None = None  # 1:N; None: fit the extent (rounded up to a round scale)
    dpi: int = 300  # PNG export resolution (the PDF is vector)
    title: str = ""
    subtitle: str = ""
    legend: bool = True
    scalebar: bool = True
    north_arrow: bool = True
    overview: bool = True
    source_note: str = ""
    approval_number: str = ""  # 审图号, e.g. 浙S(2024)12号
    scenario: str | None = None  # draw the project in this scenario's state
    center: tuple[float, float] | None = None  # WGS84 lon/lat of the map centre; None: the extent's centre

    def __post_init__(self):
        self.validate()

    def validate(self) -> None:
        if self.paper not in PAPERS_MM:
            raise HygisError("paper '{paper}': use one of {value}",
                             paper=self.paper, value=', '.join(PAPERS_MM))
        if self.orientation not in ORIENTATIONS:
            raise HygisError("orientation '{orientation}': use portrait or landscape",
                             orientation=self.orientation)
        if self.scale is not None:
            self.scale = parse_scale(self.scale)
        if not (72 <= int(self.dpi) <= 1200):
            raise HygisError("dpi {dpi}: use 72–1200", dpi=self.dpi)
        self.dpi = int(self.dpi)
        for name in ("name", "title", "subtitle", "source_note", "approval_number"):
            setattr(self, name, str(getattr(self, name) or "")[:500])
        if self.center is not None:
            lon, lat = (float(v) for v in self.center)
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise HygisError("map centre {lon}, {lat} is not a longitude/latitude", lon=lon, lat=lat)
            self.center = (lon, lat)

    # -- geometry (millimetres, origin at the top-left of the page) ---------------------------
    @property
    def paper_mm(self) -> tuple[float, float]:
        """(width, height) of the page in millimetres, orientation applied."""
        w, h = PAPERS_MM[self.paper]
        return (h, w) if self.orientation == "landscape" else (w, h)

    @property
    def furniture_factor(self) -> float:
        """How much larger than on A3 the text and furniture are drawn (A4 0.84 … A0 1.68)."""
        return math.sqrt(min(self.paper_mm) / PAPERS_MM["A3"][0])

    def frames(self) -> dict[str, tuple[float, float, float, float]]:
        """(x, y, width, height) in mm of: page, title, map, footer, legend, overview, scalebar, north."""
        pw, ph = self.paper_mm
        f = self.furniture_factor
        m = MARGIN_MM * f
        title_h = (16.0 if self.title else 0.0) * f + (8.0 if self.subtitle else 0.0) * f
        footer_h = 9.0 * f
        top = m + title_h + (3.0 * f if title_h else 0.0)
        map_frame = (m, top, pw - 2 * m, ph - top - m - footer_h)
        mx, my, mw, mh = map_frame
        inset = 4.0 * f
        ov_w = min(mw, mh) * 0.28
        ov_h = ov_w * 0.8
        frames = {
            "page": (0.0, 0.0, pw, ph),
            "title": (m, m, pw - 2 * m, title_h),
            "map": map_frame,
            "footer": (m, ph - m - footer_h + 1.5 * f, pw - 2 * m, footer_h - 1.5 * f),
            "overview": (mx + inset, my + inset, ov_w, ov_h),
            "north": (mx + mw - inset - 14.0 * f, my + inset, 14.0 * f, 20.0 * f),
            "scalebar": (mx + inset, my + mh - inset - 16.0 * f, min(mw * 0.45, 110.0 * f), 16.0 * f),
            "legend": (mx + mw * 0.55, my + mh * 0.35, mw * 0.45 - inset, mh * 0.65 - inset),
        }
        return frames

    def map_size_m(self, denominator: float) -> tuple[float, float]:
        """Ground width and height (metres) of the map frame at 1:``denominator``."""
        _, _, mw, mh = self.frames()["map"]
        return mw / 1000.0 * denominator, mh / 1000.0 * denominator

    def resolve_scale(self, extent_m) -> int:
        """The 1:N the map is drawn at: the fixed scale, or the round scale that fits ``extent_m``
        ((xmin, ymin, xmax, ymax) in map metres) whole."""
        if self.scale is not None:
            return int(self.scale)
        x0, y0, x1, y1 = extent_m
        _, _, mw, mh = self.frames()["map"]
        exact = max((x1 - x0) / (mw / 1000.0), (y1 - y0) / (mh / 1000.0), 1.0) * 1.04
        return nice_scale(exact)

    def map_bounds(self, center_m: tuple[float, float], denominator: float) -> tuple[float, float, float, float]:
        """Ground bounds (map metres) shown by the map frame centred on ``center_m`` at 1:``denominator``."""
        w, h = self.map_size_m(denominator)
        cx, cy = center_m
        return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2

    # -- persistence -------------------------------------------------------------------------
    def to_dict(self) -> dict:
        d = asdict(self)
        d["center"] = list(self.center) if self.center else None
        return d

    @classmethod
    def from_dict(cls, d) -> "Layout":
        """A layout from saved JSON; unknown keys are ignored, bad values raise HygisError."""
        if not isinstance(d, dict):
            raise HygisError("a layout must be an object")
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        for key in ("legend", "scalebar", "north_arrow", "overview"):
            if key in kw:
                kw[key] = bool(kw[key])
        if kw.get("center") is not None:
            c = kw["center"]
            if not isinstance(c, (list, tuple)) or len(c) != 2:
                raise HygisError("a layout centre must be [lon, lat]")
            kw["center"] = tuple(c)
        try:
            return cls(**kw)
        except (TypeError, ValueError) as exc:
            raise HygisError("invalid layout: {reason}", reason=exc) from None
