"""Field and layer names that other formats -- or the project's GeoPackage -- cannot hold as they are.

On import, fields named like GeoPackage internals (``fid``, ``ogc_fid``, ``geom``, the
geometry column) and names that differ only in case (``Name``/``name``/``NAME``: GeoPackage
columns ignore case) are renamed at once and reported, so a save never fails later.  On
Shapefile export, names longer than the DBF's 10 bytes are cut on character boundaries
(never inside a UTF-8 or GBK character) and made unique, and text longer than a DBF field's
254 bytes is found -- both refused unless the user allows truncation, and always reported.
"""

from __future__ import annotations

import pandas as pd

from hygis.core.errors import HygisError
from hygis.core.text import Label

#: Column names the project's GeoPackage uses itself (compared without case).
RESERVED_FIELDS = ("fid", "ogc_fid", "geom", "geometry", "wkb_geometry", "the_geom")
#: Longest layer name hygis keeps (Layer allows 200; room is left for " (2)" when made unique).
MAX_LAYER_NAME = 190
DBF_NAME_BYTES = 10
DBF_TEXT_BYTES = 254


def _free_name(base: str, taken: set[str]) -> str:
    name, n = base, 1
    while name.lower() in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def safe_field_names(columns, geometry: str = "geometry") -> tuple[dict[str, str], list[str]]:
    """({old: new} renames, one-line messages) for reserved and case-duplicate field names."""
    cols = [c for c in columns if c != geometry]
    taken = {str(c).lower() for c in cols} | set(RESERVED_FIELDS)
    seen: set[str] = set()
    renames, notes = {}, []
    for col in cols:
        low = str(col).lower()
        if low in RESERVED_FIELDS:
            why = Label("a name the GeoPackage reserves")
        elif low in seen:
            why = Label("it differs from another field only in case (GeoPackage ignores case)")
        else:
            seen.add(low)
            continue
        new = _free_name(f"{col}_src" if low in RESERVED_FIELDS else str(col), taken)
        taken.add(new.lower())
        seen.add(new.lower())
        renames[col] = new
        notes.append(Label("field '{col}' renamed to '{new}' ({why})", col=col, new=new, why=why))
    return renames, notes


def check_map_target(dst: str) -> None:
    """Refuse ``--map SRC=DST`` onto a reserved name with a clear line."""
    if dst.strip().lower() in RESERVED_FIELDS:
        raise HygisError("--map: '{dst}' is reserved for the geometry or feature id; map the field onto another "
                         "name (the geometry comes from the file itself)",
                         dst=dst)


def layer_name(name: str) -> tuple[str, str | None]:
    """(usable layer name, note or None): long names are shortened instead of refused."""
    name = " ".join(str(name).split())
    if len(name) <= MAX_LAYER_NAME:
        return name, None
    short = name[:MAX_LAYER_NAME - 1].rstrip() + "…"
    return short, f"layer name shortened to {MAX_LAYER_NAME} characters (it had {len(name)})"


def cut_bytes(text: str, limit: int, encoding: str) -> str:
    """The longest prefix of ``text`` that fits in ``limit`` bytes of ``encoding`` (whole characters)."""
    if len(text.encode(encoding, "replace")) <= limit:
        return text
    out, size = [], 0
    for ch in text:
        n = len(ch.encode(encoding, "replace"))
        if size + n > limit:
            break
        out.append(ch)
        size += n
    return "".join(out)


def shapefile_field_names(columns, encoding: str) -> dict[str, str]:
    """{name: DBF name} for names longer than 10 bytes: cut on characters, made unique (case-blind)."""
    taken = {str(c).lower() for c in columns if len(str(c).encode(encoding, "replace")) <= DBF_NAME_BYTES}
    out = {}
    for col in columns:
        if len(str(col).encode(encoding, "replace")) <= DBF_NAME_BYTES:
            continue
        base = cut_bytes(str(col), DBF_NAME_BYTES, encoding)
        name, n = base, 1
        while name.lower() in taken:
            suffix = f"_{n}"
            name, n = cut_bytes(base, DBF_NAME_BYTES - len(suffix), encoding) + suffix, n + 1
        taken.add(name.lower())
        out[col] = name
    return out


def long_texts(frame: pd.DataFrame, encoding: str, limit: int = DBF_TEXT_BYTES) -> dict[str, list[int]]:
    """{field: positions of features} whose text is longer than ``limit`` bytes in ``encoding``."""
    out = {}
    for col in frame.columns:
        s = frame[col]
        if not (s.dtype == object or pd.api.types.is_string_dtype(s)):
            continue
        sizes = s.map(lambda v: len(v.encode(encoding, "replace")) if isinstance(v, str) else 0)
        pos = [int(i) for i in (sizes > limit).to_numpy().nonzero()[0]]
        if pos:
            out[col] = pos
    return out
