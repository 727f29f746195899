"""Value mapping and constant values applied on import (after the field renaming).

A planner's table often codes a field in its own words — 类型 = 产业飞地 where the enclave schema
wants ``industry`` — or lacks a field every imported feature shares (all from one source, one
status).  ``apply_values`` rewrites the listed values of a field and fills constant fields;
``distinct_values`` lists what a column of the file holds so the import dialog can offer the
mapping.  Both are used by :func:`hygis.io.load_layers`, ``hygis import --value/--set`` and
the import dialog; nothing here imports Qt.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hygis.core.errors import HygisError

MAX_DISTINCT = 200


def parse_value_map(items) -> dict[str, dict[str, str]]:
    """['enclave_type:产业飞地=industry', …] → {'enclave_type': {'产业飞地': 'industry'}}."""
    out: dict[str, dict[str, str]] = {}
    for item in items or ():
        field, colon, rest = str(item).partition(":")
        src, eq, dst = rest.partition("=")
        if not colon or not eq or not field.strip() or not src.strip():
            raise HygisError("--value expects FIELD:VALUE_IN_FILE=VALUE, got '{item}'", item=item)
        out.setdefault(field.strip(), {})[src.strip()] = dst.strip()
    return out


def parse_constants(items) -> dict[str, str]:
    """['status=planned', 'source=市发改委'] → {'status': 'planned', 'source': '市发改委'}."""
    out = {}
    for item in items or ():
        field, eq, value = str(item).partition("=")
        if not eq or not field.strip():
            raise HygisError("--set expects FIELD=VALUE, got '{item}'", item=item)
        out[field.strip()] = value.strip()
    return out


def apply_values(gdf, values: dict | None = None, constants: dict | None = None, source: str = "the file",
                 schema=None):
    """``gdf`` with the values of ``values`` ({field: {value in file: new value}}) replaced and the
    fields of ``constants`` ({field: value}) set on every feature; unlisted values stay as they are.
    With a ``schema`` (:class:`hygis.layers.schema.KindSchema`) a constant given as text is
    converted to its field's type ('2024' → 2024 for an int field).

    Raises HygisError when a mapped field is not in the data (after renaming) or a constant
    does not fit its field's type.
    """
    if not values and not constants:
        return gdf
    gdf = gdf.copy()
    for field, mapping in (values or {}).items():
        if field not in gdf.columns:
            fields = ", ".join(str(c) for c in gdf.columns if c != gdf.geometry.name)
            raise HygisError("{source}: no field '{field}' whose values to map (fields: {fields})",
                             source=source, field=field, fields=fields)
        as_text = {str(k).strip(): v for k, v in mapping.items()}
        column = gdf[field]
        keys = column.map(lambda v: None if pd.isna(v) else str(v).strip())
        hit = keys.isin(list(as_text))
        if hit.any():
            gdf[field] = column.astype(object).where(~hit, keys.map(as_text))
    for field, value in (constants or {}).items():
        if str(field) == gdf.geometry.name:
            raise HygisError("{source}: the geometry cannot be set to a constant", source=source)
        gdf[field] = _typed(value, schema.field(field) if schema is not None else None, source)
    return gdf


def _typed(value, spec, source: str):
    if spec is None or not isinstance(value, str) or spec.type == "str":
        return value
    text = value.strip()
    try:
        if spec.type == "int":
            return int(text)
        if spec.type == "float":
            return float(text)
        if spec.type == "bool":
            return {"true": True, "1": True, "yes": True, "是": True,
                    "false": False, "0": False, "no": False, "否": False}[text.lower()]
    except (ValueError, KeyError):
        raise HygisError("{source}: the constant '{value}' for {spec_name} is not a {type}",
                         source=source, value=value, spec_name=spec.name, type=spec.type) from None
    return value


def distinct_values(path, column: str, layer: str | None = None, encoding: str | None = None,
                    limit: int = MAX_DISTINCT) -> list[str]:
    """The distinct non-empty values of ``column`` in the file (as text, most frequent first, at most
    ``limit``); the import dialog's value-mapping rows."""
    frame = _attribute_table(Path(path), column, layer, encoding)
    if column not in frame.columns:
        raise HygisError("{name} has no field '{column}'", name=Path(path).name, column=column)
    texts = frame[column].dropna().map(lambda v: str(v).strip())
    texts = texts[texts != ""]
    return [str(v) for v in texts.value_counts(sort=True).index[:limit]]


def _attribute_table(path: Path, column: str, layer, encoding) -> pd.DataFrame:
    from hygis.io import readers
    from hygis.io.csvpoints import read_table

    if path.suffix.lower() == ".csv":
        return read_table(path, encoding)[0]
    if path.suffix.lower() == ".zip":
        from hygis.io.sources import unzipped_shapefiles

        with unzipped_shapefiles(path) as shps:
            return _attribute_table(shps[0], column, None, encoding)
    if path.suffix.lower() == ".shp" and not encoding:
        encoding = readers.shapefile_encoding(path, None)[0]
    import pyogrio

    with readers.gdal_errors(path):
        return pyogrio.read_dataframe(path, layer=layer, columns=[column], read_geometry=False,
                                      encoding=encoding if path.suffix.lower() in (".shp", ".dxf") else None)
