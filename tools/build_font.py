"""Build the bundled CJK UI/label font: Noto Sans CJK SC subset to GB2312 + ASCII + punctuation.

hygis must show Chinese on any machine (offline laptops, fresh Linux installs
without CJK fonts), so a subset of Noto Sans CJK SC (SIL Open Font License
1.1) ships in hygis/assets/fonts/.  Rebuild (needs fontTools and Debian's
fonts-noto-cjk):  python tools/build_font.py
"""

from __future__ import annotations

import pathlib
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection

SRC = pathlib.Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
OUT = pathlib.Path(__file__).resolve().parents[1] / "hygis" / "assets" / "fonts" / "NotoSansSC-hygis.otf"


def gb2312_chars() -> set[str]:
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def main() -> int:
    coll = TTCollection(str(SRC))
    font = next(f for f in coll.fonts if "SC" in f["name"].getDebugName(1))
    text = set(map(chr, range(0x20, 0x7F))) | gb2312_chars()
    text |= set("“”‘’—…·×²³°≤≥±→←↑↓≈「」『』【】〔〕￥％，。！？；：（）《》、‰")
    repo = OUT.parents[3]
    for p in list((repo / "hygis").rglob("*.json")) + list((repo / "tools").rglob("*.py")):
        text |= {c for c in p.read_text(encoding="utf-8") if ord(c) > 0x2E80}
    opts = subset.Options()
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=[ord(c) for c in text])
    sub.subset(font)
    for rec in font["name"].names:  # a distinct family name so it never shadows an installed Noto
        if rec.nameID in (1, 4, 16):
            rec.string = "Noto Sans SC hygis"
        elif rec.nameID == 6:
            rec.string = "NotoSansSC-hygis"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(OUT))
    print(f"{OUT}: {OUT.stat().st_size / 1e6:.1f} MB, {len(text)} characters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
