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
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely

from hygis.errors import HygisError
from hygis.io.encoding import check_decodes, dbf_text_chunks, detect_dbf_encoding, gdal_encoding, normalize_encoding

#: File extensions hygis imports, with a human name for messages.
VECTOR_FORMATS = {".gpkg": "GeoPackage", ".shp": "Shapefile", ".geojson": "GeoJSON", ".json": "GeoJSON",
                  ".kml": "KML", ".csv": "CSV", ".dxf": "DXF drawing"}
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
        raise HygisError(f"{path.name} is a hygis project: open it instead of importing it")
    known = ", ".join(sorted(set(VECTOR_FORMATS) | set(RASTER_FORMATS)))
    raise HygisError(f"{path.name}: unsupported file type '{ext or '(none)'}' (hygis imports {known})")


def check_file(path: Path) -> None:
    """Refuse missing, empty and incomplete files before GDAL sees them."""
    if not path.exists():
        raise HygisError(f"No such file: {path}")
    if not path.is_file():
        raise HygisError(f"{path} is not a file")
    if path.stat().st_size == 0:
        raise HygisError(f"{path.name} is empty (0 bytes)")
    if path.suffix.lower() == ".shp":
        for ext, what in ((".shx", "index"), (".dbf", "attribute")):
            if not (path.with_suffix(ext).exists() or path.with_suffix(ext.upper()).exists()):
                raise HygisError(f"{path.name}: the {what} file {path.stem}{ext} is missing "
                                 "(a shapefile needs its .shp, .shx and .dbf side by side)")


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
        raise HygisError(f"Cannot {what} {path.name} as {fmt}: {_gdal_reason(exc, path)}") from exc


def vector_layer_names(path: Path) -> list[str]:
    """Names of the layers with geometries in a vector file (GeoPackages may hold several)."""
    with gdal_errors(path):
        listed = pyogrio.list_layers(path)
    names = [str(n) for n, g in listed if g is not None]
    if not names:
        raise HygisError(f"{path.name} holds no layers with geometries")
    return names


def shapefile_encoding(path: Path, encoding: str | None) -> tuple[str | None, str]:
    """The encoding to read a shapefile with: the user's choice (checked) or the detected one."""
    if encoding:
        enc = normalize_encoding(encoding)
        if enc is None:
            raise HygisError(f"Unknown text encoding '{encoding}'")
        dbf = path.with_suffix(".dbf") if path.with_suffix(".dbf").exists() else path.with_suffix(".DBF")
        if not check_decodes(dbf_text_chunks(dbf)[1], enc):
            raise HygisError(f"{path.name}: the attributes are not valid {encoding} text; choose another encoding")
        return enc, "chosen by the user"
    return detect_dbf_encoding(path)


def read_vector(path: Path, layer: str | None = None, encoding: str | None = None,
                max_features: int | None = None) -> gpd.GeoDataFrame:
    """One layer of a GDAL vector file as a GeoDataFrame in its own CRS (2D geometries).

    Shapefile text is decoded with :func:`shapefile_encoding`; an undetectable
    encoding is refused rather than imported as mojibake.
    """
    kwargs = {}
    if path.suffix.lower() == ".shp":
        enc, reason = shapefile_encoding(path, encoding)
        if enc is None:
            raise HygisError(f"{path.name}: cannot tell the text encoding of the attributes ({reason}); "
                             "choose one (CLI: --encoding, e.g. gbk or cp1252)")
        kwargs["encoding"] = gdal_encoding(enc)
    config = {}
    if path.suffix.lower() == ".dxf":
        config["DXF_ENCODING"] = gdal_encoding(dxf_encoding(path, encoding))
    with gdal_errors(path), warnings.catch_warnings(record=True) as caught, _gdal_config(config):
        warnings.simplefilter("always")
        gdf = pyogrio.read_dataframe(path, layer=layer, max_features=max_features, **kwargs)
    lossy = [w for w in caught if "converted correctly" in str(w.message)]
    if lossy:  # GDAL replaced characters it could not recode: that would be mojibake
        raise HygisError(f"{path.name}: some text is not valid {kwargs.get('encoding', 'UTF-8')}; "
                         "choose the right encoding (CLI: --encoding)")
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise HygisError(f"{path.name}: layer '{layer}' has no geometries")
    gdf = gdf.reset_index(drop=True)
    geoms = gdf.geometry.to_numpy()
    if shapely.has_z(geoms).any():
        gdf[gdf.geometry.name] = gpd.GeoSeries(shapely.force_2d(geoms), index=gdf.index, crs=gdf.crs)
    ext = path.suffix.lower()
    if ext == ".kml":
        gdf = clean_kml(gdf)
    elif ext == ".dxf":
        gdf = clean_dxf(gdf)
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
            raise HygisError(f"Unknown text encoding '{encoding}'")
        if not check_decodes([raw], enc):
            raise HygisError(f"{path.name}: the drawing's text is not valid {encoding}; choose another encoding")
        return enc
    from hygis.io.encoding import classify_bytes

    enc, reason = classify_bytes([line for line in raw.splitlines() if any(b >= 0x80 for b in line)])
    if enc is None:
        raise HygisError(f"{path.name}: cannot tell the text encoding of the drawing ({reason}); "
                         "choose one (CLI: --encoding)")
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
