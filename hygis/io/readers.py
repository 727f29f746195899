"""Reading vector files through pyogrio/GDAL into GeoDataFrames, with clear errors.

Every GDAL failure (broken file, wrong extension, a shapefile missing its
``.dbf`` or ``.shx``, unreadable JSON) becomes one :class:`HygisError` line
naming the file; nothing is read half-way.  Coordinates keep their own CRS
here; :mod:`hygis.io` converts to WGS84 and applies Chinese datums.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely

from hygis.core.errors import HygisError
from hygis.core.text import Label
from hygis.io.encoding import check_decodes, dbf_text_chunks, detect_dbf_encoding, gdal_encoding, normalize_encoding

#: File extensions hygis imports, with a human name for messages.
VECTOR_FORMATS = {".gpkg": "GeoPackage", ".shp": "Shapefile", ".geojson": "GeoJSON", ".json": "GeoJSON",
                  ".kml": "KML", ".csv": "CSV", ".dxf": "DXF drawing", ".fgb": "FlatGeobuf",
                  ".parquet": "GeoParquet", ".gdb": "File Geodatabase", ".zip": "zipped Shapefile"}
RASTER_FORMATS = {".tif": "GeoTIFF", ".tiff": "GeoTIFF"}
#: Columns the LIBKML driver adds to every layer; dropped when they carry nothing.
_KML_DEFAULT_COLUMNS = ("id", "description", "timestamp", "begin", "end", "altitudeMode", "tessellate",
                        "extrude", "visibility", "drawOrder", "icon", "snippet")
_DXF_KEEP = ("Layer", "Linetype", "Text")
#: Names of the per-family layers a DXF drawing is split into.
DXF_FAMILY_SUFFIX = {"point": "点", "line": "线", "polygon": "面"}


def file_format(path: Path) -> str:
    """'vector' or 'raster' for a supported file, else a HygisError listing what is supported."""
    ext = path.suffix.lower()
    if ext in VECTOR_FORMATS:
        return "vector"
    if ext in RASTER_FORMATS:
        return "raster"
    if ext == ".hygis":
        raise HygisError("{file} is a hygis project: open it instead of importing it", file=path.name)
    known = ", ".join(sorted(set(VECTOR_FORMATS) | set(RASTER_FORMATS)))
    raise HygisError("{file}: unsupported file type '{value}' (hygis imports {known})",
                     file=path.name, value=ext or '(none)', known=known)


def check_file(path: Path) -> None:
    """Refuse missing, empty and incomplete files before GDAL sees them."""
    if path.suffix.lower() == ".shp":
        from hygis.io.filesets import recover

        recover(path)  # an export killed while replacing the parts: finish it first (old or new, never a mix)
    if not path.exists():
        raise HygisError("No such file: {path}", path=path)
    if path.suffix.lower() == ".gdb":
        from hygis.io.sources import check_geodatabase

        return check_geodatabase(path)
    if not path.is_file():
        raise HygisError("{path} is not a file", path=path)
    if path.stat().st_size == 0:
        raise HygisError("{file} is empty (0 bytes)", file=path.name)
    if path.suffix.lower() == ".shp":
        for ext in (".shx", ".dbf"):
            if not (path.with_suffix(ext).exists() or path.with_suffix(ext.upper()).exists()):
                raise HygisError("{file}: the index file {part} is missing (a shapefile needs its .shp, .shx and .dbf "
                                 "side by side)" if ext == ".shx" else "{file}: the attribute file {part} is missing "
                                 "(a shapefile needs its .shp, .shx and .dbf side by side)", file=path.name, part=path.stem + ext)
        from hygis.io.sources import check_record_counts

        check_record_counts(path)


def _gdal_reason(exc: Exception, path: Path) -> str:
    text = str(exc).split("\n")[0]
    text = text.replace(str(path), path.name).replace(f"'{path.name}' ", "")
    text = re.sub(r";? ?It might help to specify the correct driver.*$", "", text).strip(" ;.")
    if "not recognized as being in a supported file format" in text:
        text = "the content is not in a format GDAL recognizes (broken file or wrong extension?)"
    return text[:200]


@contextlib.contextmanager
def gdal_errors(path: Path, what: str = "read"):
    """Translate pyogrio/GDAL exceptions into one-line HygisErrors naming the file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.simplefilter("ignore", UserWarning)
            yield
    except HygisError:
        raise
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError,
            pyogrio.errors.FeatureError, pyogrio.errors.GeometryError, pyogrio.errors.CRSError,
            RuntimeError, ValueError, OSError, UnicodeError, shapely.errors.GEOSException) as exc:
        fmt = VECTOR_FORMATS.get(path.suffix.lower(), "file")
        raise HygisError("Cannot write {file} as {fmt}: {reason}" if what == "write" else
                         "Cannot read {file} as {fmt}: {reason}", file=path.name, fmt=fmt,
                         reason=_gdal_reason(exc, path)) from exc


def vector_layer_names(path: Path) -> list[str]:
    """Names of the layers with geometries in a vector file (GeoPackages may hold several)."""
    if path.suffix.lower() == ".parquet":
        return [path.stem]
    with gdal_errors(path):
        listed = pyogrio.list_layers(path)
    names = [str(n) for n, g in listed if g is not None]
    if path.suffix.lower() in (".gpkg", ".hygis", ".sqlite"):
        from hygis.project.gpkg import view_layers  # a view's query could run forever: never read one

        names = [n for n in names if n not in view_layers(path)]
    if not names:
        raise HygisError("{file} holds no layers with geometries", file=path.name)
    return names


def shapefile_encoding(path: Path, encoding: str | None) -> tuple[str | None, str]:
    """The encoding to read a shapefile with: the user's choice (checked) or the detected one."""
    if encoding:
        enc = normalize_encoding(encoding)
        if enc is None:
            raise HygisError("Unknown text encoding '{encoding}'", encoding=encoding)
        dbf = path.with_suffix(".dbf") if path.with_suffix(".dbf").exists() else path.with_suffix(".DBF")
        if not check_decodes(dbf_text_chunks(dbf)[1], enc):
            raise HygisError("{file}: the attributes are not valid {encoding} text; choose another encoding",
                             file=path.name, encoding=encoding)
        return enc, Label("chosen by the user")
    return detect_dbf_encoding(path)


def read_vector(path: Path, layer: str | None = None, encoding: str | None = None,
                max_features: int | None = None) -> gpd.GeoDataFrame:
    """One layer of a GDAL vector file as a GeoDataFrame in its own CRS (2D geometries).

    Shapefile text is decoded with :func:`shapefile_encoding`; an undetectable
    encoding is refused rather than imported as mojibake.
    """
    if path.suffix.lower() == ".parquet":
        from hygis.io.sources import read_geoparquet

        return read_geoparquet(path, max_features)
    kwargs = {}
    if path.suffix.lower() == ".shp":
        enc, reason = shapefile_encoding(path, encoding)
        if enc is None:
            raise HygisError("{file}: cannot tell the text encoding of the attributes ({reason}); choose one (CLI: "
                             "--encoding, e.g. gbk or cp1252)",
                             file=path.name, reason=reason)
        kwargs["encoding"] = gdal_encoding(enc)
    config = {}
    if path.suffix.lower() == ".dxf":
        config["DXF_ENCODING"] = gdal_encoding(dxf_encoding(path, encoding))
    if path.suffix.lower() == ".kml":
        config["LIBKML_LAUNDER_FIELD_NAMES"] = "NO"  # keep <Data name="编号"> (laundering makes it ______)
    try:
        with gdal_errors(path), warnings.catch_warnings(record=True) as caught, _gdal_config(config):
            warnings.simplefilter("always")
            gdf = pyogrio.read_dataframe(path, layer=layer, max_features=max_features, **kwargs)
    except HygisError as exc:
        if isinstance(exc.__cause__, UnicodeError):  # text the detected/chosen encoding does not decode
            raise HygisError("{file}: some text is not valid {value}; choose the right encoding (CLI: --encoding)",
                             file=path.name, value=kwargs.get('encoding', 'UTF-8')) from None
        raise
    lossy = [w for w in caught if "converted correctly" in str(w.message)]
    if lossy:  # GDAL replaced characters it could not recode: that would be mojibake
        raise HygisError("{file}: some text is not valid {value}; choose the right encoding (CLI: --encoding)",
                         file=path.name, value=kwargs.get('encoding', 'UTF-8'))
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise HygisError("{file}: layer '{layer}' has no geometries", file=path.name, layer=layer)
    gdf = _keep_geometry_field(path, layer, gdf, kwargs, config, max_features)
    gdf = exact_integers(path, layer, gdf, kwargs, config, max_features).reset_index(drop=True)
    geoms = gdf.geometry.to_numpy()
    if shapely.has_z(geoms).any():
        gdf[gdf.geometry.name] = gpd.GeoSeries(shapely.force_2d(geoms), index=gdf.index, crs=gdf.crs)
    ext = path.suffix.lower()
    if ext == ".kml":
        gdf = clean_kml(gdf)
    elif ext == ".dxf":
        gdf = clean_dxf(gdf)
    return gdf


#: The geometry column's name while the file has an attribute field named ``geometry`` (renamed on import).
GEOMETRY_WHILE_CLASHING = "_geometry_"


def _keep_geometry_field(path: Path, layer, gdf, kwargs: dict, config: dict, max_features) -> gpd.GeoDataFrame:
    """A property named ``geometry`` (a GeoJSON or KML may have one) would be overwritten by the
    geometry in pyogrio's frame: read it on its own and keep it beside the geometry, which is named
    :data:`GEOMETRY_WHILE_CLASHING` until the import renames the field (and says so)."""
    with gdal_errors(path):
        fields = [str(f) for f in pyogrio.read_info(path, layer=layer, **kwargs)["fields"]]
    if gdf.geometry.name not in fields:
        return gdf
    with gdal_errors(path), _gdal_config(config):
        attrs = pyogrio.read_dataframe(path, layer=layer, columns=[gdf.geometry.name], read_geometry=False,
                                       max_features=max_features, **kwargs)
    name = gdf.geometry.name
    gdf = gdf.rename_geometry(GEOMETRY_WHILE_CLASHING)
    gdf[name] = attrs[name].to_numpy() if len(attrs) == len(gdf) else None
    return gdf


def exact_integers(path: Path, layer, gdf, kwargs: dict | None = None, config: dict | None = None,
                   max_features=None) -> gpd.GeoDataFrame:
    """Integer fields with nulls come back from GDAL's numpy read as float64, which cannot hold
    every 64-bit code (two distinct codes may become equal): read them again as nullable Int64.
    Used for imports and for the layers of a ``.hygis`` project file."""
    kwargs, config = kwargs or {}, config or {}
    with gdal_errors(path):
        info = pyogrio.read_info(path, layer=layer, **kwargs)
    ints = [str(f) for f, t in zip(info["fields"], info.get("ogr_types", [])) if t in ("OFTInteger", "OFTInteger64")
            and str(f) in gdf.columns and gdf[str(f)].dtype.kind == "f"]
    if path.suffix.lower() in (".geojson", ".json"):
        gdf = _geojson_integers(path, gdf, [str(f) for f, t in zip(info["fields"], info.get("ogr_types", []))
                                            if t == "OFTReal" and str(f) in gdf.columns])
    if not ints:
        return gdf
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return gdf
    mapper = {pa.int32(): pd.Int64Dtype(), pa.int64(): pd.Int64Dtype()}.get
    with gdal_errors(path), _gdal_config(config):
        exact = pyogrio.read_dataframe(path, layer=layer, columns=ints, read_geometry=False, use_arrow=True,
                                       max_features=max_features, arrow_to_pandas_kwargs={"types_mapper": mapper},
                                       **kwargs)
    if len(exact) == len(gdf):
        for col in ints:
            gdf[col] = exact[col].astype("Int64").set_axis(gdf.index)
    return gdf


def _geojson_integers(path: Path, gdf: gpd.GeoDataFrame, reals: list[str]) -> gpd.GeoDataFrame:
    """GDAL (3.12) types a GeoJSON property holding a negative 19-digit integer as Real (it cannot
    tell it from an overflow), so such codes lose digits.  A Real column whose values are all whole
    numbers of 2**53 or more is read again from the JSON text, where the integers are exact; it
    becomes nullable Int64 if every value there is an integer token."""
    suspect = []
    for col in reals:
        values = gdf[col].dropna().to_numpy(dtype=float)
        if len(values) and np.isfinite(values).all() and (values == np.trunc(values)).all() \
                and (np.abs(values) >= 2.0**53).any():
            suspect.append(col)
    if not suspect:
        return gdf
    import json

    try:
        with open(path, "rb") as fh:
            doc = json.load(fh, parse_float=lambda text: float(text))
        feats = doc["features"][:len(gdf)]
        found = {col: [(f.get("properties") or {}).get(col) for f in feats] for col in suspect}
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return gdf
    for col, values in found.items():
        if len(values) == len(gdf) and all(v is None or (type(v) is int and -2**63 <= v < 2**63) for v in values):
            gdf[col] = pd.array(values, dtype="Int64")
    return gdf


@contextlib.contextmanager
def _gdal_config(options: dict):
    """Set GDAL config options for one read (restored afterwards)."""
    if not options:
        yield
        return
    old = {k: pyogrio.get_gdal_config_option(k) for k in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(old)


def dxf_encoding(path: Path, encoding: str | None = None) -> str:
    """Text encoding of a DXF drawing's bytes.

    The header's $DWGCODEPAGE is unreliable (GDAL and many converters write UTF-8
    under 'ANSI_1252'; Chinese AutoCAD writes GBK under 'ANSI_936'), so the bytes
    decide: strict UTF-8, else GBK Chinese; anything else needs the user's choice.
    """
    raw = path.read_bytes()
    if encoding:
        enc = normalize_encoding(encoding)
        if enc is None:
            raise HygisError("Unknown text encoding '{encoding}'", encoding=encoding)
        if not check_decodes([raw], enc):
            raise HygisError("{file}: the drawing's text is not valid {encoding}; choose another encoding",
                             file=path.name, encoding=encoding)
        return enc
    from hygis.io.encoding import classify_bytes

    enc, reason = classify_bytes([line for line in raw.splitlines() if any(b >= 0x80 for b in line)])
    if enc is None:
        raise HygisError("{file}: cannot tell the text encoding of the drawing ({reason}); choose one (CLI: --encoding)",
                         file=path.name, reason=reason)
    return enc


def _uninformative(series: pd.Series) -> bool:
    s = series.dropna()
    if s.empty:
        return True
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        return bool((s.astype(str).str.strip() == "").all())
    return False


def clean_kml(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Drop LIBKML's bookkeeping columns when empty/default, 'Name' → 'name', numbers back from text."""
    drop = [c for c in _KML_DEFAULT_COLUMNS if c in gdf.columns and (
        _uninformative(gdf[c]) or c in ("tessellate", "extrude", "visibility", "id"))]
    gdf = gdf.drop(columns=drop)
    if "Name" in gdf.columns and "name" not in gdf.columns:
        gdf = gdf.rename(columns={"Name": "name"})
    for col in gdf.columns:
        if col == gdf.geometry.name or not pd.api.types.is_string_dtype(gdf[col]):
            continue
        nums = pd.to_numeric(gdf[col], errors="coerce")
        text = gdf[col].dropna().astype(str)
        if len(text) and nums[gdf[col].notna()].notna().all() and not text.str.match(r"^0\d").any():
            is_int = text.str.fullmatch(r"-?\d+").all()
            gdf[col] = nums.astype("Int64") if is_int else nums
    return gdf


def clean_dxf(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Keep the CAD layer name, line type and text of each entity; explode geometry collections."""
    keep = [c for c in _DXF_KEEP if c in gdf.columns and not _uninformative(gdf[c])]
    gdf = gdf[keep + [gdf.geometry.name]]
    is_coll = gdf.geom_type == "GeometryCollection"
    if is_coll.any():
        gdf = pd.concat([gdf[~is_coll], gdf[is_coll].explode(index_parts=False)]).sort_index(kind="stable")
        gdf = gdf.reset_index(drop=True)
    return gdf


def split_by_family(gdf: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """{'point'|'line'|'polygon': frame} for a drawing with mixed geometries (missing ones dropped)."""
    from hygis.layers.vector import geometry_family

    fam = gdf.geom_type.map(lambda t: geometry_family([t]) if t else None)
    return {f: gdf[fam == f].reset_index(drop=True) for f in ("point", "line", "polygon") if (fam == f).any()}


def read_vector_arrow(path: Path, layer: str | None = None) -> gpd.GeoDataFrame | None:
    """A GeoPackage/FlatGeobuf layer through pyogrio's Arrow reader (a record batch at a time,
    no per-feature Python objects: ~25 % less CPU than :func:`read_vector` on a million lines),
    for drawing.  None for other formats or without pyarrow (the caller uses :func:`read_vector`).
    Same rows, columns and 2D geometries as :func:`read_vector` (these formats are UTF-8)."""
    if path.suffix.lower() not in (".gpkg", ".fgb"):
        return None
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return None
    with gdal_errors(path):
        gdf = pyogrio.read_dataframe(path, layer=layer, use_arrow=True)
    if not isinstance(gdf, gpd.GeoDataFrame):
        return None
    gdf = gdf.reset_index(drop=True)
    geoms = gdf.geometry.to_numpy()
    if shapely.has_z(geoms).any():
        gdf[gdf.geometry.name] = gpd.GeoSeries(shapely.force_2d(geoms), index=gdf.index, crs=gdf.crs)
    return gdf
