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
        raise HygisError(f"{path.name} is a hygis project: open it instead of importing it")
    known = ", ".join(sorted(set(VECTOR_FORMATS) | set(RASTER_FORMATS)))
    raise HygisError(f"{path.name}: unsupported file type '{ext or '(none)'}' (hygis imports {known})")


def check_file(path: Path) -> None:
    """Refuse missing, empty and incomplete files before GDAL sees them."""
    if path.suffix.lower() == ".shp":
        from hygis.io.filesets import recover

        recover(path)  # an export killed while replacing the parts: finish it first (old or new, never a mix)
    if not path.exists():
        raise HygisError(f"No such file: {path}")
    if path.suffix.lower() == ".gdb":
        from hygis.io.sources import check_geodatabase

        return check_geodatabase(path)
    if not path.is_file():
        raise HygisError(f"{path} is not a file")
    if path.stat().st_size == 0:
        raise HygisError(f"{path.name} is empty (0 bytes)")
    if path.suffix.lower() == ".shp":
        for ext, what in ((".shx", "index"), (".dbf", "attribute")):
            if not (path.with_suffix(ext).exists() or path.with_suffix(ext.upper()).exists()):
                raise HygisError(f"{path.name}: the {what} file {path.stem}{ext} is missing "
                                 "(a shapefile needs its .shp, .shx and .dbf side by side)")
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
        raise HygisError(f"Cannot {what} {path.name} as {fmt}: {_gdal_reason(exc, path)}") from exc


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
    if path.suffix.lower() == ".parquet":
        from hygis.io.sources import read_geoparquet

        return read_geoparquet(path, max_features)
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
    if path.suffix.lower() == ".kml":
        config["LIBKML_LAUNDER_FIELD_NAMES"] = "NO"  # keep <Data name="编号"> (laundering makes it ______)
    try:
        with gdal_errors(path), warnings.catch_warnings(record=True) as caught, _gdal_config(config):
            warnings.simplefilter("always")
            gdf = pyogrio.read_dataframe(path, layer=layer, max_features=max_features, **kwargs)
    except HygisError as exc:
        if isinstance(exc.__cause__, UnicodeError):  # text the detected/chosen encoding does not decode
            raise HygisError(f"{path.name}: some text is not valid {kwargs.get('encoding', 'UTF-8')}; "
                             "choose the right encoding (CLI: --encoding)") from None
        raise
    lossy = [w for w in caught if "converted correctly" in str(w.message)]
    if lossy:  # GDAL replaced characters it could not recode: that would be mojibake
        raise HygisError(f"{path.name}: some text is not valid {kwargs.get('encoding', 'UTF-8')}; "
                         "choose the right encoding (CLI: --encoding)")
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise HygisError(f"{path.name}: layer '{layer}' has no geometries")
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


# -- fast path for drawing: simple polygons straight from GDAL's Arrow stream ---------------------
# ``hygis render`` of a million small polygons spent ~2 s in pyogrio's per-feature read (one
# bytes object per feature) and shapely.from_wkb.  GDAL's Arrow stream hands over the WKB of a
# whole batch in one buffer; for the common case (2D single-ring polygons, little-endian) the
# coordinates are cut out of that buffer with numpy and the geometries built in one
# ``shapely.from_ragged_array`` call.  The stream is read with nanoarrow (Apache Arrow's small
# C library: ~10 ms to import where pyarrow takes ~0.5 s, and its buffer views keep each batch
# alive while numpy looks at it); anything else returns None and the caller reads the ordinary way.

_ARROW_NUMERIC = {"c": "i1", "C": "u1", "s": "<i2", "S": "<u2", "i": "<i4", "I": "<u4", "l": "<i8", "L": "<u8",
                  "f": "<f4", "g": "<f8"}


def _u32(data: np.ndarray, pos: np.ndarray) -> np.ndarray:
    b = data[pos[:, None] + np.arange(4)].astype(np.uint32)
    return b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16) | (b[:, 3] << 24)


def simple_polygon_coords(data: np.ndarray, offsets: np.ndarray):
    """(coords (M, 2), vertex count per record) of WKB records that are all 2D one-ring
    little-endian Polygons, else None.  ``data`` holds the records back to back (uint8),
    ``offsets`` (n + 1) where each starts."""
    start = offsets[:-1]
    lengths = np.diff(offsets)
    if len(start) == 0 or lengths.min() < 13 or not (data[start] == 1).all():
        return None
    if not ((_u32(data, start + 1) == 3).all() and (_u32(data, start + 5) == 1).all()):
        return None
    npts = _u32(data, start + 9).astype(np.int64)
    if not (lengths == 13 + 16 * npts).all():
        return None
    keep = np.ones(int(offsets[-1] - offsets[0]), bool)
    keep[(start[:, None] - offsets[0] + np.arange(13)).ravel()] = False
    coords = data[offsets[0]:offsets[-1]][keep].view("<f8").reshape(-1, 2)
    return coords, npts


def read_simple_polygons(path: Path, layer: str | None = None) -> gpd.GeoDataFrame | None:
    """A layer of simple polygons (2D, one ring each) read for drawing, or None when the layer
    holds anything else (the caller then uses :func:`read_vector`).

    Same rows, columns and geometries as :func:`read_vector`; numeric attributes come from the
    Arrow stream, other attributes from an attribute-only GDAL read.
    """
    if path.suffix.lower() not in (".gpkg", ".fgb"):
        return None
    with gdal_errors(path):
        info = pyogrio.read_info(path, layer=layer)
        if info.get("geometry_type") != "Polygon" or not info.get("crs"):
            return None
        got = _read_arrow_polygons(path, layer)
        if got is None:
            return None
        coords, npts, numeric = got
        ring = np.zeros(len(npts) + 1, np.int64)
        np.cumsum(npts, out=ring[1:])
        geoms = shapely.from_ragged_array(shapely.GeometryType.POLYGON, coords, (ring, np.arange(len(npts) + 1)))
        fields = [str(f) for f in info["fields"]]
        other = [f for f in fields if f not in numeric]
        frame = pd.DataFrame(index=pd.RangeIndex(len(geoms)))
        if other:
            attrs = pyogrio.read_dataframe(path, layer=layer, columns=other, read_geometry=False)
            if len(attrs) != len(geoms):
                return None
            attrs.index = frame.index
        for f in fields:
            frame[f] = numeric[f] if f in numeric else attrs[f]
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index, crs=info["crs"]))


def _read_arrow_polygons(path: Path, layer):
    """(coords, vertices per feature, {numeric column: array}) from GDAL's Arrow stream, or None."""
    import nanoarrow as na

    coords, npts = [], []
    with pyogrio.open_arrow(path, layer=layer, use_pyarrow=False) as (meta, stream):
        batches = na.c_array_stream(stream)
        schema = batches.get_schema()
        cols = [(schema.child(i).name, schema.child(i).format) for i in range(schema.n_children)]
        geom_name = meta.get("geometry_name") or "wkb_geometry"
        names = [n for n, _ in cols]
        if geom_name not in names or cols[names.index(geom_name)][1] not in ("z", "Z"):
            return None
        gi = names.index(geom_name)
        offset_dtype = "<i4" if cols[gi][1] == "z" else "<i8"  # binary / large binary
        wanted = {i: _ARROW_NUMERIC[f] for i, (n, f) in enumerate(cols) if f in _ARROW_NUMERIC and i != gi}
        parts = {i: [] for i in wanted}
        for batch in batches:
            if batch.offset != 0 or not _take_batch(batch, gi, offset_dtype, wanted, parts, coords, npts):
                return None
    if not npts:
        return None
    numeric = {cols[i][0]: np.concatenate(chunks) for i, chunks in parts.items() if chunks is not None}
    return np.concatenate(coords), np.concatenate(npts), numeric


def _take_batch(batch, gi: int, odt: str, wanted: dict, parts: dict, coords: list, npts: list) -> bool:
    """Copy one Arrow batch's polygons and numeric columns; False when it is not simple polygons."""
    col = batch.child(gi)
    if col.null_count != 0:
        return False
    view = col.view()
    start, n = col.offset, col.length
    offsets = np.frombuffer(view.buffer(1), odt)[start:start + n + 1].astype(np.int64)
    got = simple_polygon_coords(np.frombuffer(view.buffer(2), np.uint8), offsets)
    if got is None:
        return False
    coords.append(got[0])
    npts.append(got[1])
    for i, dt in wanted.items():
        c = batch.child(i)
        if parts[i] is None or c.null_count != 0:
            parts[i] = None  # nulls: read this column through GDAL
            continue
        parts[i].append(np.frombuffer(c.view().buffer(1), dt)[c.offset:c.offset + c.length].copy())
    return True


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
