"""Text encodings of Chinese files: Shapefile DBFs and CSV tables.

Planners' Shapefiles come from ArcGIS on Chinese Windows (GBK, often without a
``.cpg``), from QGIS (UTF-8 with a ``.cpg``) and from everything in between.
The order of evidence is the one GDAL users expect:

1. the ``.cpg`` file next to the ``.shp``;
2. the DBF header's code-page byte (LDID, byte 29);
3. trial decoding of the records: strict UTF-8 first, then GBK / GB18030.

Declared encodings are checked against the records too: a ``.cpg`` saying
UTF-8 over GBK bytes is a common mistake, and mojibake must never be imported
silently.  When nothing fits, :func:`detect_dbf_encoding` returns ``None`` and
the caller asks the user.
"""

from __future__ import annotations

import codecs
import re
import struct
import unicodedata
from pathlib import Path

from hygis.core.text import Label

#: DBF language driver ids (LDID, byte 29) → Python codec (ArcGIS / GDAL table).
LDID_CODEPAGES = {
    0x01: "cp437", 0x02: "cp850", 0x03: "cp1252", 0x04: "mac_roman", 0x08: "cp865", 0x09: "cp437",
    0x0A: "cp850", 0x0B: "cp437", 0x0D: "cp437", 0x0E: "cp850", 0x0F: "cp437", 0x10: "cp850",
    0x11: "cp437", 0x12: "cp850", 0x13: "cp932", 0x14: "cp850", 0x15: "cp437", 0x16: "cp850",
    0x17: "cp865", 0x18: "cp437", 0x19: "cp437", 0x1A: "cp850", 0x1B: "cp437", 0x1C: "cp863",
    0x1D: "cp850", 0x1F: "cp852", 0x22: "cp852", 0x23: "cp852", 0x24: "cp860", 0x25: "cp850",
    0x26: "cp866", 0x37: "cp850", 0x40: "cp852", 0x4D: "gbk", 0x4E: "cp949", 0x4F: "cp950",
    0x50: "cp874", 0x58: "cp1252", 0x59: "cp1252", 0x64: "cp852", 0x65: "cp866", 0x66: "cp865",
    0x67: "cp861", 0x6A: "cp737", 0x6B: "cp857", 0x78: "cp950", 0x79: "cp949", 0x7A: "gbk",
    0x7B: "cp932", 0x7C: "cp874", 0x7D: "cp1255", 0x7E: "cp1256", 0x87: "cp852", 0x88: "cp857",
    0xC8: "cp1250", 0xC9: "cp1251", 0xCA: "cp1254", 0xCB: "cp1253", 0xCC: "cp1257",
}
#: 0x57 means "ANSI": the writing machine's code page (GBK on Chinese Windows) -- not evidence.
LDID_ANSI = 0x57
_SAMPLE_BYTES = 4 * 1024 * 1024  # records read for trial decoding


def normalize_encoding(name: str | None) -> str | None:
    """A Python codec name for an encoding label ('GBK', '936', 'UTF8', 'CP936', '65001' ...).

    Returns None for an unknown label.
    """
    if not name:
        return None
    label = str(name).strip().strip("\x00").lower().replace("_", "-")
    if not label:
        return None
    aliases = {"65001": "utf-8", "utf8": "utf-8", "936": "gbk", "cp936": "gbk", "gb2312": "gbk",
               "ansi-936": "gbk", "54936": "gb18030", "950": "cp950", "big5": "cp950",
               "88591": "latin-1", "8859-1": "latin-1", "iso-8859-1": "latin-1", "ansi-1252": "cp1252"}
    if label in aliases:
        return aliases[label]
    if label.isdigit():
        label = f"cp{label}"
    elif label.startswith("8859"):
        label = "iso" + label
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


class CutBytes(bytes):
    """Text bytes that may end in the middle of a character: a DBF field filled to its width, the
    last line of a sample read from a file.  Other text must end on a whole character -- a Latin-1
    "José" (``Jos\\xe9``) is not UTF-8 cut short."""


def _decodes(chunks: list[bytes], encoding: str) -> bool:
    """True if every chunk decodes strictly (a character cut at the end of a :class:`CutBytes` is allowed)."""
    for chunk in chunks:
        try:
            codecs.getincrementaldecoder(encoding)("strict").decode(chunk, final=not isinstance(chunk, CutBytes))
        except (UnicodeDecodeError, LookupError):
            return False
    return True


def _looks_chinese(chunks: list[bytes], encoding: str) -> bool:
    """True if the non-ASCII characters decoded with ``encoding`` are mostly Chinese text.

    Latin-1 bytes often decode as (nonsense) GBK too; real Chinese data decodes to
    CJK ideographs and full-width punctuation.
    """
    good = total = 0
    for chunk in chunks:
        text = codecs.getincrementaldecoder(encoding)("ignore").decode(chunk, final=False)
        for ch in text:
            if ord(ch) < 128:
                continue
            total += 1
            name = unicodedata.name(ch, "")
            if name.startswith(("CJK", "FULLWIDTH", "IDEOGRAPHIC", "HALFWIDTH", "BOPOMOFO")) or ch in "·—…“”‘’《》、。，：；！？（）【】￥":
                good += 1
    return total == 0 or good / total >= 0.8


def _common_chinese(chunks: list[bytes], encoding: str) -> bool:
    """True if nearly all double-byte characters lie in GB2312's rows (lead 0xA1-0xF7, trail 0xA1-0xFE).

    Mainland Chinese text in GBK/GB18030 is almost all GB2312.  Latin-1 accents (``é `` ``ü r``)
    and Shift-JIS kana/kanji (lead 0x81-0x9F, 0xE0-0xEF, trail from 0x40) also decode as GBK,
    but into its rare extension rows -- that is how they are told apart.
    """
    common = total = 0
    for chunk in chunks:
        text = codecs.getincrementaldecoder(encoding)("ignore").decode(chunk, final=False)
        for ch in text:
            if ord(ch) < 128:
                continue
            raw = ch.encode(encoding, "ignore")
            if len(raw) != 2:
                continue  # GB18030's four-byte characters say nothing either way
            total += 1
            if 0xA1 <= raw[0] <= 0xF7 and 0xA1 <= raw[1] <= 0xFE:
                common += 1
    return total == 0 or common / total >= 0.9


_HIGH_RUN = re.compile(rb"[\x80-\xff]+")


def _ascii_letter(b: int) -> bool:
    return 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A


def _latin_words(chunks: list[bytes]) -> float:
    """Share of the runs of non-ASCII bytes that sit inside a word, an ASCII letter on both sides.

    Latin-1 accents are letters of words ("informa\xe7\xe3o", "INFORMA\xc7\xd5ES"); a pair
    of them decodes as one GB2312 hanzi, often a common one.  Chinese text puts its characters
    between spaces, digits, punctuation or field ends, rarely in the middle of a Latin word."""
    inside = total = 0
    for chunk in chunks:
        for m in _HIGH_RUN.finditer(chunk):
            total += 1
            a, b = m.start() - 1, m.end()
            if a >= 0 and b < len(chunk) and _ascii_letter(chunk[a]) and _ascii_letter(chunk[b]):
                inside += 1
    return inside / total if total else 0.0


def _rare_hanzi(chunks: list[bytes], encoding: str) -> float:
    """Share of the double-byte characters outside GB2312's level 1 (the 3,755 common hanzi,
    rows 0xB0-0xD7; symbols and full-width forms of rows 0xA1-0xA9 count as common): a pair of
    Latin-1 lower-case accents (lead byte 0xE0-0xFE) lands in level 2 or beyond."""
    rare = total = 0
    for chunk in chunks:
        text = codecs.getincrementaldecoder(encoding)("ignore").decode(chunk, final=False)
        for ch in text:
            if ord(ch) < 128:
                continue
            raw = ch.encode(encoding, "ignore")
            if len(raw) != 2:
                continue
            total += 1
            if not (0xA1 <= raw[0] <= 0xA9 or 0xB0 <= raw[0] <= 0xD7):
                rare += 1
    return rare / total if total else 0.0


def _plausibly_chinese(chunks: list[bytes], encoding: str) -> bool:
    """The bytes decode as ``encoding`` into text a Chinese writer would have written: mostly
    hanzi and Chinese punctuation, nearly all in GB2312, not mostly its rare level 2, and not
    sitting inside Latin words (see :func:`_latin_words`)."""
    return (_looks_chinese(chunks, encoding) and _common_chinese(chunks, encoding)
            and _rare_hanzi(chunks, encoding) <= 0.5 and _latin_words(chunks) < 0.3)


def _odd_utf8(chunks: list[bytes]) -> float:
    """Share of the non-ASCII characters of a UTF-8 reading that are no letters of a script (symbols,
    IPA, controls) or lie beyond the Basic Multilingual Plane (rare ideographs, not emoji): short GBK
    text may happen to be valid UTF-8 ('梅山路' reads '÷ɽ·', '甬江站' reads '𮽭վ')."""
    odd = total = 0
    for chunk in chunks:
        text = codecs.getincrementaldecoder("utf-8")("ignore").decode(chunk, final=False)
        for ch in text:
            o = ord(ch)
            if o < 128:
                continue
            total += 1
            letter = unicodedata.category(ch).startswith("L") and not 0x250 <= o <= 0x2AF
            supplementary = o >= 0x10000 and unicodedata.category(ch) != "So"
            odd += supplementary or not (letter or o >= 0x800)
    return odd / total if total else 0.0


def _kana_share(chunks: list[bytes]) -> float:
    """Share of hiragana/katakana among the non-ASCII characters of a strict Shift-JIS (cp932) reading."""
    kana = total = 0
    for chunk in chunks:
        try:
            text = codecs.getincrementaldecoder("cp932")("strict").decode(chunk, final=not isinstance(chunk, CutBytes))
        except UnicodeDecodeError:
            return 0.0
        for ch in text:
            if ord(ch) >= 128:
                total += 1
                kana += 0x3040 <= ord(ch) <= 0x30FF
    return kana / total if total else 0.0


def classify_bytes(chunks: list[bytes]) -> tuple[str | None, str]:
    """Guess the encoding of text chunks by trial decoding: (codec or None, reason).

    UTF-8 and Chinese GBK/GB18030 are recognised; anything else -- or text that decodes as GBK
    but does not read as Chinese (Latin-1 accents inside words, Japanese kana) -- gives None
    with a reason naming the likely encoding, and the caller asks for ``--encoding``."""
    non_ascii = [c for c in chunks if any(b >= 0x80 for b in c)]
    if not non_ascii:
        return "utf-8", Label("the text is plain ASCII")
    if _decodes(non_ascii, "utf-8") and not (_odd_utf8(non_ascii) >= 0.5 and _decodes(non_ascii, "gbk")
                                              and _plausibly_chinese(non_ascii, "gbk")):
        return "utf-8", Label("the text decodes as UTF-8")
    for enc in ("gbk", "gb18030"):
        if _decodes(non_ascii, enc) and _plausibly_chinese(non_ascii, enc):
            return enc, Label("the text is not UTF-8 and decodes as {encoding} Chinese", encoding=enc.upper())
    if _kana_share(non_ascii) >= 0.2:
        return None, Label("the text looks like Japanese in Shift-JIS (give --encoding cp932 if it is)")
    if _latin_words(non_ascii) >= 0.3 or not any(_decodes(non_ascii, e) for e in ("gbk", "gb18030")):
        return None, Label("the text is neither UTF-8 nor GBK/GB18030 Chinese; its accented letters sit inside "
                           "words like Latin-1/cp1252 (give --encoding cp1252 if it is), or another code page")
    return None, Label("the text is neither UTF-8 nor plausible GBK/GB18030 Chinese (Latin-1/cp1252, Shift-JIS "
                       "(cp932) or another code page?): give --encoding")


def dbf_text_chunks(dbf_path: Path, limit: int = _SAMPLE_BYTES) -> tuple[int, list[bytes]]:
    """The LDID byte and the raw bytes of the character fields (and field names) of a DBF."""
    with open(dbf_path, "rb") as f:
        header = f.read(32)
        if len(header) < 32:
            return 0, []
        ldid = header[29]
        n_records, header_len, record_len = struct.unpack("<IHH", header[4:12])
        descriptors = f.read(max(0, header_len - 32))
        fields, offset = [], 1  # byte 0 of a record is the deletion flag
        names = []
        for i in range(0, len(descriptors) - 31, 32):
            desc = descriptors[i:i + 32]
            if desc[0] == 0x0D:
                break
            names.append(desc[:11].split(b"\x00")[0])
            size = desc[16]
            if desc[11:12] in (b"C", b"M") or desc[11:12] == b"V":
                fields.append((offset, size))
            offset += size
        chunks = [n for n in names if n]
        if record_len <= 0 or not fields:
            return ldid, chunks
        f.seek(header_len)
        data = f.read(min(limit, n_records * record_len))
    for start in range(0, len(data) - record_len + 1, record_len):
        rec = data[start:start + record_len]
        for o, s in fields:
            text = rec[o:o + s].rstrip(b" \x00")
            chunks.append(CutBytes(text) if len(text) == s else text)  # a full field may be cut mid-character
    return ldid, [c for c in chunks if c]


def _sibling(path: Path, suffix: str) -> Path | None:
    for cand in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if cand.exists():
            return cand
    return None


def detect_dbf_encoding(shp_path) -> tuple[str | None, str]:
    """Text encoding of a Shapefile's attributes: (codec or None if unknown, reason).

    Evidence in order: the ``.cpg``, the DBF code-page byte, trial decoding; a
    declared encoding that does not decode the records is overruled (and the
    reason says so).
    """
    path = Path(shp_path)
    dbf = _sibling(path, ".dbf")
    if dbf is None:
        return None, Label("no .dbf file")
    ldid, chunks = dbf_text_chunks(dbf)
    declared, source = None, ""
    cpg = _sibling(path, ".cpg")
    if cpg is not None:
        label = cpg.read_bytes()[:64].decode("ascii", "replace").strip()
        declared, source = normalize_encoding(label), Label("the .cpg file says {label}", label=label)
        from_cpg = True
        if declared is None:
            source = Label("the .cpg file's '{label}' is not a known encoding", label=label)
    if declared is None and ldid in LDID_CODEPAGES:
        declared, source = LDID_CODEPAGES[ldid], Label("the DBF code-page byte (0x{byte:02X}) says {encoding}",
                                                       byte=ldid, encoding=LDID_CODEPAGES[ldid].upper())
        from_cpg = False
    if declared is not None:
        # a .cpg is the writer's word; a DBF code-page byte for GBK is often just "Chinese Windows"
        if _decodes(chunks, declared) and (declared not in ("gbk", "gb18030") or (
                _looks_chinese(chunks, declared) and (from_cpg or _plausibly_chinese(chunks, declared)))):
            return declared, source
        guess, why = classify_bytes(chunks)
        return guess, Label("{source}, but the records do not decode with it; {why}", source=source, why=why)
    hint = Label("the DBF code page is 'ANSI' (the writing machine's)" if ldid == LDID_ANSI
                 else "no .cpg and no DBF code page")
    guess, why = classify_bytes(chunks)
    return guess, Label("{hint}; {why}", hint=hint, why=why)


def detect_text_encoding(path, limit: int = _SAMPLE_BYTES) -> tuple[str | None, str]:
    """Encoding of a text file (CSV): BOM, then strict UTF-8, then GBK/GB18030."""
    with open(path, "rb") as f:
        head = f.read(limit)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", Label("the file starts with a UTF-8 byte-order mark")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", Label("the file starts with a UTF-16 byte-order mark")
    lines = head.splitlines()
    if len(head) == limit and lines:  # the sample may end mid-character
        lines[-1] = CutBytes(lines[-1])
    return classify_bytes(lines)


def check_decodes(chunks: list[bytes], encoding: str) -> bool:
    """True if all chunks decode strictly with ``encoding`` (a user's choice is checked too)."""
    return _decodes(chunks, encoding)


def gdal_encoding(codec: str) -> str:
    """The name GDAL's recoder (iconv) knows for a Python codec ('iso8859-1' → 'ISO-8859-1')."""
    name = codecs.lookup(codec).name
    special = {"utf-8": "UTF-8", "gbk": "CP936", "gb18030": "GB18030", "mac-roman": "MACINTOSH",
               "big5": "BIG5", "shift_jis": "SHIFT_JIS"}
    if name in special:
        return special[name]
    if name.startswith("iso8859-"):
        return "ISO-8859-" + name.split("-", 1)[1]
    return name.upper()
