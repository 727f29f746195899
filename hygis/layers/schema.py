"""Schemas of the five thematic layer kinds of the dual-city plan.

Edits and imports are validated against these: a missing required field or a
value outside the allowed set is refused with a :class:`HygisError` naming the
field.  ``computed`` fields (areas, lengths) are filled by the layer itself.

Every column keeps its schema type whatever the path a value took (form, table
edit, paste, import, append, a row written by another GIS): :func:`coerce_value`
turns ``"2019"``/``2019.0`` into 2019 and ``0``/``0.0``/``"0"``/``"false"``/``False``
into False; :func:`cast_frame` gives every column its one dtype (``int`` → Int64,
``float`` → float64, ``bool`` → pandas ``boolean``, ``str`` → object).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hygis.core.errors import HygisError
from hygis.core.text import Bilingual, Label


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str  # "str" | "int" | "float" | "bool"
    required: bool = False
    choices: tuple = ()
    computed: bool = False
    label_zh: str = ""
    label_en: str = ""
    requires: str = ""  # a field that must have a value when this one has (an override's reason)


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


def _f(name, type_="str", required=False, choices=(), computed=False, zh="", en="", requires=""):
    return FieldSpec(name, type_, required, tuple(choices), computed, zh, en or name, requires)


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
        # A planner's override of the counting rule (hygis.analysis.enclaves): empty = the rule decides;
        # set, it must say why.
        _f("target_override", "bool", zh="人工认定计入目标", en="Counted (override)", requires="override_reason"),
        _f("override_reason", zh="认定理由", en="Override reason"),
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

# -- flagship projects of the plan (十大标志性工程) that have a place (issue 14) -----------------------
STATUSES = ("planned", "under_construction", "operating")
SCHEMAS["transport"] = KindSchema("transport", "line", "交通线路", "Transport line", (
    _f("name", required=True, zh="名称", en="Name"),
    _f("name_en", zh="英文名", en="English name"),
    _f("mode", required=True, choices=("railway", "intercity", "suburban_rail", "expressway", "waterway"),
       zh="方式", en="Mode"),
    _f("status", required=True, choices=STATUSES, zh="状态", en="Status"),
    _f("year", "int", zh="年份(开通/计划)", en="Year (opened / planned)"),
    _f("length_km", "float", computed=True, zh="长度(km)", en="Length (km)"),
    SOURCE,
))
SCHEMAS["hub"] = KindSchema("hub", "point", "枢纽", "Transport hub", (
    _f("name", required=True, zh="名称", en="Name"),
    _f("name_en", zh="英文名", en="English name"),
    _f("hub_type", required=True, choices=("seaport", "inland_port", "airport", "rail_sea"), zh="类型", en="Type"),
    _f("city", required=True, zh="城市", en="City"),
    _f("status", required=True, choices=STATUSES, zh="状态", en="Status"),
    _f("year", "int", zh="年份", en="Year"),
    SOURCE,
))
SCHEMAS["platform"] = KindSchema("platform", "point", "创新平台", "Innovation platform", (
    _f("name", required=True, zh="名称", en="Name"),
    _f("name_en", zh="英文名", en="English name"),
    _f("platform_type", required=True, choices=("provincial_lab", "national_lab", "research_institute"),
       zh="类型", en="Type"),
    _f("city", required=True, zh="城市", en="City"),
    _f("year", "int", zh="成立年份", en="Year founded"),
    SOURCE,
))
SCHEMAS["newarea"] = KindSchema("newarea", "polygon", "产业平台", "Development area", (
    _f("name", required=True, zh="名称", en="Name"),
    _f("name_en", zh="英文名", en="English name"),
    _f("city", required=True, zh="城市", en="City"),
    _f("area_type", required=True, choices=("new_area", "development_zone"), zh="类型", en="Type"),
    _f("year", "int", zh="设立年份", en="Year set up"),
    _f("area_km2", "float", computed=True, zh="面积(km²)", en="Area (km²)"),
    SOURCE,
))

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
VALUE_LABELS.update({
    "railway": ("铁路", "Railway"), "intercity": ("城际铁路", "Intercity rail"),
    "suburban_rail": ("市域铁路", "Suburban rail"), "expressway": ("高速公路", "Expressway"),
    "waterway": ("航道", "Waterway"),
    "seaport": ("海港港区", "Seaport area"), "inland_port": ("内河港", "Inland port"),
    "airport": ("机场", "Airport"), "rail_sea": ("海铁联运枢纽", "Sea–rail hub"),
    "provincial_lab": ("省实验室", "Provincial lab"), "national_lab": ("国家实验室", "National lab"),
    "research_institute": ("研究院", "Research institute"),
    "new_area": ("新区", "New area"), "development_zone": ("开发区", "Development zone"),
    "illustrative": ("示意", "Illustrative"), "sourced": ("有出处", "Sourced"),
})


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
        raise HygisError("Unknown layer kind '{kind}': use one of {value}",
                         kind=kind, value=', '.join(LAYER_KINDS))
    return SCHEMAS.get(kind)


_TYPE_WORDS = {"int": Label("int (a whole number)"), "float": Label("float (a number)"),
               "bool": Label("bool (true/false, 1/0)")}


def _field_name(spec: FieldSpec) -> Bilingual:
    """A field in a message: its name on the command line, its Chinese label in the Chinese app."""
    return Bilingual(spec.name, spec.label_zh or spec.name)


def row_where(n) -> Label:
    """'feature N: ' before a message about one feature (translated with it)."""
    return Label("feature {n}: ", n=n)
#: The one dtype of a column of each schema type.
DTYPES = {"int": "Int64", "float": "float64", "bool": "boolean", "str": object}


def _is_missing(value) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


TRUE_TEXT = ("1", "true", "t", "yes", "y", "是", "计入")
FALSE_TEXT = ("0", "false", "f", "no", "n", "否", "不计入")


def coerce_bool(value) -> bool:
    """True/False from what other tools write: 1/0, 1.0/0.0, "1"/"0", "true"/"false", "是"/"否".

    ValueError for anything else (never "any non-empty text is true")."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        if value in (0, 1):
            return bool(value)
        raise ValueError
    text = str(value).strip().lower()
    if text in TRUE_TEXT:
        return True
    if text in FALSE_TEXT:
        return False
    try:
        return coerce_bool(float(text))
    except ValueError:
        raise ValueError from None


def _choice_code(spec: FieldSpec, value):
    """A choice field's code from its code or its display label ("科创飞地", "Operating")."""
    if value in spec.choices:
        return value
    for code in spec.choices:
        labels = VALUE_LABELS.get(code, ())
        if value in labels or value.lower() in (lbl.lower() for lbl in labels) or value.lower() == code.lower():
            return code
        if labels and value in (labels[0].removesuffix("飞地"),):  # "科创" / "产业"
            return code
    return value


def coerce_value(spec: FieldSpec, value, where: str = ""):
    """Coerce one value to the field's type; raise HygisError naming the field."""
    field = _field_name(spec)
    if _is_missing(value):
        if spec.required:
            raise HygisError("{where}field '{field}': a value is required", where=where, field=field)
        return None
    try:
        if spec.type == "bool":
            value = coerce_bool(value)
        elif spec.type == "int":
            f = float(value)
            if not f.is_integer():
                raise ValueError
            value = int(f)
        elif spec.type == "float":
            value = float(value)
            if not math.isfinite(value):
                raise ValueError
        elif spec.type == "any":
            return value
        else:
            value = str(value).strip()
            if spec.choices:
                value = _choice_code(spec, value)
    except (TypeError, ValueError, OverflowError):
        raise HygisError("{where}field '{field}': '{value}' is not a valid {type}", where=where, field=field,
                         value=value, type=_TYPE_WORDS.get(spec.type, spec.type)) from None
    if spec.choices and value not in spec.choices:
        raise HygisError("{where}field '{field}': '{value}' is not allowed (use one of: {choices})",
                         where=where, field=field, value=value, choices=', '.join(spec.choices))
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
    for spec in schema.fields:
        if spec.requires and out.get(spec.name) is not None and out.get(spec.requires) is None:
            raise HygisError("{where}field '{field}': a value is required when '{other}' is set", where=where,
                             field=_field_name(schema.field(spec.requires)) if schema.field(spec.requires) else
                             spec.requires, other=_field_name(spec))
    return out


def check_geometry_type(kind: str, geom_type: str, where: str = "") -> None:
    schema = schema_for(kind)
    if schema is None or geom_type is None:
        return
    if geom_type not in _GEOM_TYPES[schema.geometry]:
        raise HygisError("{where}a {kind} layer needs {geometry} geometries, got {geom_type}", where=where,
                         kind=Bilingual(schema.label_en.lower(), schema.label_zh), geometry=schema.geometry,
                         geom_type=geom_type)


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
                raise HygisError("field '{spec_name}' is required for a {value} layer but missing",
                                 spec_name=spec.name, value=schema.label_en.lower())
            out[spec.name] = None
    rows = []
    for pos, rec in enumerate(out[schema.field_names].to_dict("records"), start=1):
        rows.append(validate_record(kind, rec, where=row_where(pos)))
    for i, geom_type in enumerate(out.geometry.geom_type):
        check_geometry_type(kind, geom_type, where=row_where(i + 1))
    for spec in schema.fields:
        if spec.computed:
            continue
        out[spec.name] = typed_column([r[spec.name] for r in rows], spec.type, out.index)
    return out


def typed_column(values, type_: str, index) -> pd.Series:
    """Already coerced values (None for missing) as a Series of the type's one dtype."""
    if type_ == "float":
        return pd.Series([np.nan if v is None or v is pd.NA else v for v in values], index=index, dtype=float)
    if type_ in ("int", "bool"):
        return pd.Series(pd.array([None if v is pd.NA else v for v in values], dtype=DTYPES[type_]), index=index)
    return pd.Series([None if _is_missing_scalar(v) else v for v in values], index=index, dtype=object)


def _is_missing_scalar(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def cast_frame(kind: str, gdf):
    """``gdf`` with every schema column in its one dtype (values already valid: a cheap cast).

    Used after edits that bypass full validation (undo, concatenation of validated rows), so a
    column never drifts to float/object because a row was missing or came from elsewhere.
    """
    schema = SCHEMAS.get(kind)
    if schema is None:
        return gdf
    for spec in schema.fields:
        if spec.computed or spec.name not in gdf.columns:
            continue
        col = gdf[spec.name]
        if str(col.dtype) == str(pd.api.types.pandas_dtype(DTYPES[spec.type])):
            continue
        gdf[spec.name] = typed_column([None if _is_missing_scalar(v) else v for v in col.tolist()], spec.type,
                                      gdf.index)
    return gdf


def dtype_type(dtype) -> str:
    """The schema type ("int", "float", "bool", "str") a pandas dtype holds."""
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    return "str"


def column_spec(kind: str, frame, name: str) -> FieldSpec:
    """How values of column ``name`` are coerced: the schema's field, else a spec from the column's dtype.

    Extra columns of a thematic layer and every column of a generic layer keep their type too
    (an int column refuses "abc" instead of turning into text).
    """
    schema = SCHEMAS.get(kind)
    spec = schema.field(name) if schema is not None else None
    if spec is not None:
        return spec
    type_ = dtype_type(frame[name].dtype) if name in frame.columns else "str"
    if type_ == "str":  # an object column keeps whatever it holds
        return FieldSpec(name, "any", label_en=name)
    return FieldSpec(name, type_, label_en=name)
