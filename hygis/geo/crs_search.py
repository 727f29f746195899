"""Searching PROJ's CRS database by code or name (the CRS picker), with hygis' pseudo-CRSs.

:func:`search` finds EPSG geographic, projected and compound CRSs whose code or name
contains every word of the query ("4490", "CGCS2000", "3857", "gauss 120", "中国2000"),
exact codes first, then the CRSs planners in Zhejiang use most, then the rest by code.
GCJ-02 and BD-09 are not CRSs PROJ knows (hygis.geo.crs): they are offered as
pseudo-CRSs (:data:`PSEUDO`), meaning WGS84 lon/lat in that datum.  No Qt here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

#: Pseudo-CRSs: key → (name, datum).  Chosen, they mean "lon/lat in this datum" (EPSG:4326 label).
PSEUDO = {"GCJ-02": ("GCJ-02 火星坐标 (Amap/Gaode 高德, Tencent 腾讯; lon/lat)", "gcj02"),
          "BD-09": ("BD-09 百度坐标 (Baidu; lon/lat)", "bd09")}
#: The CRSs of everyday work in Zhejiang, listed first (the Gauss–Krüger zones around 120°E).
COMMON = ("4326", "4490", "4549", "4548", "4528", "4527", "3857", "32650", "32651", "4547", "4550")
#: Extra words a planner searches with, per EPSG code.
ALIASES = {"4490": "CGCS2000 国家2000 中国2000 大地坐标系", "4326": "WGS84 GPS 经纬度",
           "3857": "web mercator 墨卡托 google", "4549": "国家2000 高斯 3度带 120", "4548": "国家2000 高斯 3度带 117",
           "4528": "国家2000 高斯 3度带 带号 40", "4527": "国家2000 高斯 3度带 带号 39"}


@dataclass(frozen=True)
class CrsEntry:
    code: str  # "EPSG:4490", or a PSEUDO key
    name: str
    kind: str  # geographic, projected, compound, pseudo
    area: str = ""

    @property
    def datum(self) -> str | None:
        """The hygis datum of a pseudo-CRS (gcj02/bd09), else None."""
        return PSEUDO[self.code][1] if self.code in PSEUDO else None


@functools.lru_cache(maxsize=1)
def all_entries() -> tuple[CrsEntry, ...]:
    """Every entry the picker offers (the pseudo-CRSs and PROJ's non-deprecated EPSG CRSs)."""
    from pyproj.database import query_crs_info
    from pyproj.enums import PJType

    kinds = {PJType.GEOGRAPHIC_2D_CRS: "geographic", PJType.PROJECTED_CRS: "projected",
             PJType.COMPOUND_CRS: "compound"}
    infos = query_crs_info(auth_name="EPSG", pj_types=list(kinds))
    out = [CrsEntry(key, name, "pseudo", "China") for key, (name, _) in PSEUDO.items()]
    out += [CrsEntry(f"EPSG:{i.code}", i.name, kinds.get(i.type, "other"),
                     i.area_of_use.name if i.area_of_use else "") for i in infos if not i.deprecated]
    return tuple(out)


def _haystack(e: CrsEntry) -> str:
    code = e.code.split(":")[-1]
    return f"{e.code} {code} {e.name} {ALIASES.get(code, '')}".lower()


def search(query: str, limit: int = 200) -> list[CrsEntry]:
    """Entries matching every word of ``query`` (all of them, common ones first, for an empty query)."""
    words = str(query or "").lower().replace("epsg:", "").split()
    common = {c: i for i, c in enumerate(COMMON)}

    def rank(e: CrsEntry):
        code = e.code.split(":")[-1]
        exact = 0 if words and code.lower() == words[0] else 1
        pseudo = 0 if e.kind == "pseudo" and not words else 1
        return exact, pseudo, common.get(code, len(common)), int(code) if code.isdigit() else 0

    hits = [e for e in all_entries() if all(w in _haystack(e) for w in words)]
    return sorted(hits, key=rank)[:limit]


def lookup(code: str) -> CrsEntry | None:
    """The entry of ``code`` ('EPSG:4490', '4490', 'GCJ-02'), or None."""
    code = str(code or "").strip()
    key = code.upper()
    if key in PSEUDO:
        return next(e for e in all_entries() if e.code == key)
    if code.isdigit():
        code = f"EPSG:{code}"
    return next((e for e in all_entries() if e.code.upper() == code.upper()), None)
