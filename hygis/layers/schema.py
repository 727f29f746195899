"""Schemas of the five thematic layer kinds of the dual-city plan.

Edits and imports are validated against these: a missing required field or a
value outside the allowed set is refused with a :class:`HygisError` naming the
field.  ``computed`` fields (areas, lengths) are filled by the layer itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from hygis.core.errors import HygisError


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str  # "str" | "int" | "float"
    required: bool = False
    choices: tuple = ()
    computed: bool = False
    label_zh: str = ""
    label_en: str = ""


@dataclass(frozen=True)
class KindSchema:
    kind: str
    geometry: str  # "polygon" | "line" | "point"
    label_zh: str
    label_en: str
    fields: tuple[FieldSpec, ...] = field(default_factory=tuple)

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


def _f(name, type_="str", required=False, choices=(), computed=False, zh="", en=""):
    return FieldSpec(name, type_, required, tuple(choices), computed, zh, en or name)


SOURCE = _f("source", required=True, zh="来源", en="Source")
CITIES = ("杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市", "衢州市", "舟山市", "台州市", "丽水市")

SCHEMAS: dict[str, KindSchema] = {
    "corridor": KindSchema("corridor", "polygon", "科创走廊", "Innovation corridor", (
        _f("name", required=True, zh="名称", en="Name"),
        _f("name_en", zh="英文名", en="English name"),
        _f("city", required=True, zh="城市", en="City"),
        _f("area_km2", "float", computed=True, zh="面积(km²)", en="Area (km²)"),
        SOURCE,
    )),
    "ftz": KindSchema("ftz", "polygon", "自贸片区", "Free trade zone area", (
        _f("name", required=True, zh="名称", en="Name"),
        _f("name_en", zh="英文名", en="English name"),
        _f("zone", required=True, choices=("杭州片区", "宁波片区", "舟山片区", "金义片区"), zh="片区", en="Zone"),
        _f("sub_area", zh="区块", en="Sub-area"),
        _f("area_km2", "float", computed=True, zh="面积(km²)", en="Area (km²)"),
        SOURCE,
    )),
    "coastline": KindSchema("coastline", "line", "生态海岸带", "Ecological coastline section", (
        _f("name", required=True, zh="名称", en="Name"),
        _f("section", zh="段落", en="Section"),
        _f("status", required=True, choices=("planned", "under_construction", "completed"), zh="状态", en="Status"),
        _f("length_km", "float", computed=True, zh="长度(km)", en="Length (km)"),
        SOURCE,
    )),
    "enclave": KindSchema("enclave", "point", "飞地", "Enclave site", (
        _f("name", required=True, zh="名称", en="Name"),
        _f("host_city", required=True, zh="所在城市", en="Host city"),
        _f("host_district", zh="所在区县", en="Host district"),
        _f("origin_city", required=True, zh="来源地", en="Origin city"),
        _f("enclave_type", required=True, choices=("science", "industry"), zh="类型", en="Type"),
        _f("status", required=True, choices=("planned", "operating"), zh="状态", en="Status"),
        _f("year_opened", "int", zh="设立年份", en="Year opened"),
        SOURCE,
    )),
    "heritage": KindSchema("heritage", "point", "运河遗产点", "Canal heritage point", (
        _f("name", required=True, zh="名称", en="Name"),
        _f("city", required=True, zh="城市", en="City"),
        _f("heritage_level", required=True, choices=("world", "national", "provincial", "municipal"), zh="保护级别", en="Heritage level"),
        _f("category", zh="类别", en="Category"),
        SOURCE,
    )),
}

#: Display labels (Chinese, English) of the coded values of the schemas' choice fields.
VALUE_LABELS: dict[str, tuple[str, str]] = {
    "science": ("科创飞地", "Science enclave"),
    "industry": ("产业飞地", "Industry enclave"),
    "operating": ("已运营", "Operating"),
    "planned": ("规划中", "Planned"),
    "completed": ("已建成", "Completed"),
    "under_construction": ("在建", "Under construction"),
    "world": ("世界遗产", "World heritage"),
    "national": ("国家级", "National"),
    "provincial": ("省级", "Provincial"),
    "municipal": ("市级", "Municipal"),
}


def value_label(value, lang: str = "zh") -> str:
    """Display text of a coded value in ``lang`` ('zh…' or 'en'); other values as they are."""
    text = "" if value is None else str(value)
    labels = VALUE_LABELS.get(text)
    if labels is None:
        return text
    return labels[0] if str(lang).lower().startswith("zh") else labels[1]


def field_label(spec: FieldSpec, lang: str = "zh") -> str:
    """A field's label in ``lang`` ("名称" / "Name")."""
    return (spec.label_zh if str(lang).lower().startswith("zh") else spec.label_en) or spec.name


THEMATIC_KINDS = tuple(SCHEMAS)
#: Kinds of layers a project can hold: the thematic ones plus generic vector and raster.
LAYER_KINDS = THEMATIC_KINDS + ("vector", "raster")

_GEOM_TYPES = {
    "polygon": {"Polygon", "MultiPolygon"},
    "line": {"LineString", "MultiLineString", "LinearRing"},
    "point": {"Point", "MultiPoint"},
}


def schema_for(kind: str) -> KindSchema | None:
    if kind not in LAYER_KINDS:
        raise HygisError(f"Unknown layer kind '{kind}': use one of {', '.join(LAYER_KINDS)}")
    return SCHEMAS.get(kind)


def _is_missing(value) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def coerce_value(spec: FieldSpec, value, where: str = ""):
    """Coerce one value to the field's type; raise HygisError naming the field."""
    prefix = f"{where}field '{spec.name}'"
    if _is_missing(value):
        if spec.required:
            raise HygisError(f"{prefix}: a value is required")
        return None
    try:
        if spec.type == "int":
            f = float(value)
            if not f.is_integer():
                raise ValueError
            value = int(f)
        elif spec.type == "float":
            value = float(value)
            if not math.isfinite(value):
                raise ValueError
        else:
            value = str(value).strip()
    except (TypeError, ValueError):
        raise HygisError(f"{prefix}: '{value}' is not a valid {spec.type}") from None
    if spec.choices and value not in spec.choices:
        raise HygisError(f"{prefix}: '{value}' is not allowed (use one of: {', '.join(spec.choices)})")
    return value


def validate_record(kind: str, record: dict, where: str = "") -> dict:
    """Validate and coerce one feature's attributes; returns the cleaned record.

    Unknown extra fields are kept as they are; computed fields are skipped.
    """
    schema = schema_for(kind)
    if schema is None:
        return dict(record)
    out = dict(record)
    for spec in schema.fields:
        if spec.computed:
            continue
        out[spec.name] = coerce_value(spec, record.get(spec.name), where)
    return out


def check_geometry_type(kind: str, geom_type: str, where: str = "") -> None:
    schema = schema_for(kind)
    if schema is None or geom_type is None:
        return
    if geom_type not in _GEOM_TYPES[schema.geometry]:
        raise HygisError(f"{where}a {schema.label_en.lower()} layer needs {schema.geometry} geometries, got {geom_type}")


def validate_frame(kind: str, gdf) -> "pd.DataFrame":
    """Validate all rows of a GeoDataFrame for ``kind``; return a copy with coerced columns.

    Raises HygisError naming the first bad feature (by position, 1-based) and field.
    """
    schema = schema_for(kind)
    if schema is None:
        return gdf
    out = gdf.copy()
    for spec in schema.fields:
        if spec.name not in out.columns:
            if spec.required and not spec.computed:
                raise HygisError(f"field '{spec.name}' is required for a {schema.label_en.lower()} layer but missing")
            out[spec.name] = None
    rows = []
    for pos, rec in enumerate(out[schema.field_names].to_dict("records"), start=1):
        rows.append(validate_record(kind, rec, where=f"feature {pos}: "))
    for i, geom_type in enumerate(out.geometry.geom_type):
        check_geometry_type(kind, geom_type, where=f"feature {i + 1}: ")
    for spec in schema.fields:
        if spec.computed:
            continue
        values = [r[spec.name] for r in rows]
        if spec.type == "int":
            out[spec.name] = pd.array(values, dtype="Int64")
        elif spec.type == "float":
            out[spec.name] = pd.array(values, dtype="Float64").astype(float)
        else:
            out[spec.name] = pd.Series(values, index=out.index, dtype=object)
    return out
