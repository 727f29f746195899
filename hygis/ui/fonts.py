"""CJK fonts: the bundled Noto Sans SC subset is registered once, so Chinese never shows as boxes.

``cjk_family()`` returns a family that has Simplified Chinese glyphs: the font
shipped in ``hygis/assets/fonts`` (package data), or else one installed on the system (Microsoft YaHei,
PingFang SC, Noto Sans CJK SC …).
"""

from __future__ import annotations

import logging
from functools import lru_cache

from PySide6.QtGui import QFont, QFontDatabase

log = logging.getLogger(__name__)

BUNDLED_FONT = "NotoSansSC-hygis.otf"
PREFERRED = ("Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC",
             "WenQuanYi Micro Hei", "Hiragino Sans GB", "SimHei")


@lru_cache(maxsize=1)
def register_bundled_font() -> str | None:
    """Register the bundled font with Qt (needs a QGuiApplication); returns its family."""
    from hygis.core.errors import HygisError
    from hygis.core.resources import asset_path

    try:
        path = asset_path("fonts", BUNDLED_FONT)
    except HygisError as exc:
        log.warning("%s", exc)
        return None
    font_id = QFontDatabase.addApplicationFont(str(path))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    return families[0] if families else None


@lru_cache(maxsize=1)
def cjk_family() -> str:
    """A font family with Simplified Chinese glyphs: the bundled one, else an installed one."""
    # The bundled font first: maps, PDFs and screenshots look the same on every machine, and its
    # cmap has no CJK radicals, so text copied from exported PDFs reads 飞 and not ⻜.
    bundled = register_bundled_font()
    if bundled:
        return bundled
    available = set(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))
    for name in PREFERRED:
        if name in available:
            return name
    return next(iter(sorted(available)), QFont().family())


def cjk_font(point_size: float = 9.0, bold: bool = False) -> QFont:
    font = QFont(cjk_family())
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font
