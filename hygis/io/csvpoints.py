"""CSV tables of points (lon/lat columns) or of WKT geometries.

Planners get point lists as spreadsheets: Amap/Baidu exports, Excel sheets in
GBK with 经度/纬度 headers.  The coordinate columns are chosen by the caller or
detected from their names (lon/lng/longitude/经度/x, lat/latitude/纬度/y) with
values in range; a ``wkt`` column (what hygis exports for lines and polygons)
is read as geometry.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hygis.core.errors import HygisError
from hygis.core.text import Label
from hygis.io.encoding import detect_text_encoding, normalize_encoding

LON_NAMES = ("lon", "lng", "long", "longitude", "经度", "x", "point_x", "lon_wgs84", "lng_wgs84", "东经")
LAT_NAMES = ("lat", "latitude", "纬度", "y", "point_y", "lat_wgs84", "北纬")
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom", "几何")
MAX_CSV_BYTES = 512 * 1024 * 1024


def read_table(path: Path, encoding: str | None = None, nrows: int | None = None) -> tuple[pd.DataFrame, str, str]:
    """Read a CSV as text columns: (frame, encoding, reason).  Unknown encodings are refused."""
    if encoding:
        enc, reason = normalize_encoding(encoding), Label("chosen by the user")
        if enc is None:
            raise HygisError("Unknown text encoding '{encoding}'", encoding=encoding)
    else:
        enc, reason = detect_text_encoding(path)
        if enc is None:
            raise HygisError("{file}: cannot tell the text encoding ({reason}); choose one (CLI: --encoding, e.g. gbk "
                             "or cp1252)",
                             file=path.name, reason=reason)
    if path.stat().st_size > MAX_CSV_BYTES:
        raise HygisError("{file} is larger than {value} MiB", file=path.name, value=MAX_CSV_BYTES // 2 ** 20)
    try:
        text = path.read_bytes().decode(enc)
    except UnicodeDecodeError as exc:
        raise HygisError("{file}: the text is not valid {value} (byte {start}); choose another encoding (CLI: --encoding)",
                         file=path.name, value=enc.upper(), start=exc.start) from None
    try:
        dialect = csv.Sniffer().sniff(text[:20000], delimiters=",;\t|")
        sep = dialect.delimiter
    except csv.Error:
        sep = ","
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, nrows=nrows,
                            skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise HygisError("{file} is not a readable CSV table: {value}",
                         file=path.name, value=str(exc).splitlines()[0]) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, enc, reason


def _numeric(series: pd.Series) -> pd.Series:
    return _numbers(series.astype(str).str.strip())


def _find(frame: pd.DataFrame, names: tuple[str, ...]) -> list[str]:
    lower = {c.lower(): c for c in frame.columns}
    return [lower[n] for n in names if n in lower]


def detect_coordinate_columns(frame: pd.DataFrame) -> tuple[str | None, str | None]:
    """(lon column, lat column) detected from names with values in degree range, else (None, None)."""
    for lon in _find(frame, LON_NAMES):
        for lat in _find(frame, LAT_NAMES):
            if lon == lat:
                continue
            x, y = _numeric(frame[lon]), _numeric(frame[lat])
            xs, ys = x.dropna(), y.dropna()  # bad cells are reported row by row later
            if (len(xs) and len(ys) and len(xs) >= len(x) / 2 and xs.between(-180, 180).all()
                    and ys.between(-90, 90).all()):
                return lon, lat
    return None, None


def detect_wkt_column(frame: pd.DataFrame) -> str | None:
    for col in _find(frame, WKT_NAMES):
        sample = frame[col].astype(str).str.strip()
        sample = sample[sample != ""].head(20)
        if len(sample) and sample.str.match(r"^(MULTI)?(POINT|LINESTRING|POLYGON)|^GEOMETRYCOLLECTION", case=False).all():
            return col
    return None


def _exact_ints(s: pd.Series) -> pd.Series | None:
    """Whole-number text as nullable Int64, digit for digit (float64 would merge 64-bit codes); None if
    some value is not a whole number or does not fit in 64 bits."""
    filled = s[s != ""]
    if not filled.str.fullmatch(r"[-+]?\d+").all():
        return None
    values = [int(v) for v in filled]
    if any(v < -2**63 or v >= 2**63 for v in values):
        return None
    out = pd.Series(pd.NA, index=s.index, dtype="Int64")
    out[filled.index] = values
    return out


def _numbers(s: pd.Series) -> pd.Series:
    """Numbers of a text column (NaN where not a number), parsed exactly: pandas < 2.2's to_numeric
    can miss the last bit ('0.30000000000000004' → 0.3), Python's float() never does."""
    nums = pd.to_numeric(s.replace("", np.nan), errors="coerce")
    ok = nums.notna()
    if ok.any():
        nums = nums.astype(float)
        nums[ok] = s[ok].astype(float)
    return nums


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns that are entirely numbers become Int64/float; the rest stay text (codes like 0571 too)."""
    out = {}
    for col in frame.columns:
        s = frame[col].astype(str).str.strip()
        nums = _numbers(s)
        leading_zero = s.str.match(r"^[-+]?0\d").any()
        typed = None
        if nums.notna().sum() and (nums.notna() | (s == "")).all() and not leading_zero:
            typed = _exact_ints(s)
            if typed is None:
                typed = nums.astype(float)
        out[col] = typed if typed is not None else frame[col].where(s != "", None).astype(object)
    return pd.DataFrame(out, index=frame.index)


def csv_to_frame(path: Path, encoding: str | None = None, lon: str | None = None, lat: str | None = None,
                 crs=None) -> gpd.GeoDataFrame:
    """Read a CSV of points (lon/lat columns) or WKT geometries into a GeoDataFrame.

    Coordinates are in ``crs`` when given (e.g. projected x/y in metres), else
    longitude/latitude in degrees (EPSG:4326; the datum is applied by the caller).
    """
    frame, _, _ = read_table(path, encoding)
    if frame.empty:
        raise HygisError("{file} has no rows", file=path.name)
    if (lon is None) != (lat is None):
        raise HygisError("give both the longitude and the latitude column (CLI: --lon and --lat)")
    for col in (lon, lat):
        if col is not None and col not in frame.columns:
            raise HygisError("{file} has no column '{col}' (columns: {value})",
                             file=path.name, col=col, value=', '.join(frame.columns))
    wkt = None
    if lon is None:
        wkt = detect_wkt_column(frame)  # a WKT column wins: lon/lat columns beside it are attributes
    if lon is None and wkt is None:
        lon, lat = detect_coordinate_columns(frame)
        if lon is None and crs is not None:  # projected x/y named like coordinates
            xs, ys = _find(frame, LON_NAMES), _find(frame, LAT_NAMES)
            lon, lat = (xs[0], ys[0]) if xs and ys else (None, None)
    if lon is None and wkt is None:
        raise HygisError("{file}: no longitude/latitude columns found (columns: {value}); choose them (CLI: --lon "
                         "COL --lat COL)",
                         file=path.name, value=', '.join(frame.columns))
    if wkt is not None:
        text = frame[wkt].astype(str).str.strip()
        try:
            cells = text.to_numpy(dtype=object)
            cells[(text == "").to_numpy()] = None  # an empty cell: a feature without geometry
            geoms = shapely.from_wkt(cells)
        except shapely.errors.GEOSException as exc:
            raise HygisError("{file}: column '{wkt}' holds invalid WKT: {reason}",
                             file=path.name, wkt=wkt, reason=exc) from None
        attrs = _typed(frame.drop(columns=[wkt]))
    else:
        x, y = _numeric(frame[lon]), _numeric(frame[lat])
        blank = ((frame[lon].astype(str).str.strip() == "") & (frame[lat].astype(str).str.strip() == "")).to_numpy()
        bad = np.flatnonzero((x.isna() | y.isna()).to_numpy() & ~blank)  # both empty: a feature without geometry
        if len(bad):
            i = int(bad[0])
            raise HygisError("{file} row {value}: '{value2}', '{value3}' are not coordinates ({n} such row(s))",
                             file=path.name, value=i + 2, value2=frame[lon].iloc[i], value3=frame[lat].iloc[i], n=len(bad))
        if crs is None and not (x[~blank].between(-180, 180).all() and y[~blank].between(-90, 90).all()):
            raise HygisError("{file}: columns '{lon}'/'{lat}' are not longitudes/latitudes in degrees; say which "
                             "coordinate system they are in (CLI: --crs)",
                             file=path.name, lon=lon, lat=lat)
        geoms = shapely.points(x.to_numpy(), y.to_numpy())
        geoms[blank] = None
        attrs = _typed(frame.drop(columns=[lon, lat]))
    return gpd.GeoDataFrame(attrs, geometry=gpd.GeoSeries(geoms, index=frame.index), crs=crs or "EPSG:4326")
