"""Coordinate reference systems, Chinese web-map datums, areas and lengths.

Storage CRS is WGS84 (EPSG:4326).  Areas are computed in an equal-area Albers
projection centred on Zhejiang, lengths are geodesic on the WGS84 ellipsoid:
never in degrees.

GCJ-02 ("Mars coordinates", used by Amap/Gaode, Tencent) and BD-09 (Baidu) are
not CRSs PROJ knows: they are obfuscated offsets of WGS84 (up to ~600 m around
Hangzhou/Ningbo).  The forward formulas are the published ones; the inverses
are solved by fixed-point iteration to well below 1 cm.
"""

from __future__ import annotations

import threading

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer

from hygis.core.errors import HygisError

WGS84 = "EPSG:4326"
CGCS2000 = "EPSG:4490"
#: Equal-area (Albers) projection for areas, centred on Zhejiang (metres).
EQUAL_AREA = "+proj=aea +lat_0=0 +lon_0=120.5 +lat_1=27 +lat_2=31 +ellps=WGS84 +units=m +no_defs"
#: Map display projection: CGCS2000 3-degree Gauss-Krüger, central meridian 120°E (metres).
MAP_CRS = "EPSG:4549"

DATUMS = ("wgs84", "cgcs2000", "gcj02", "bd09")

GEOD = Geod(ellps="WGS84")

# Krasovsky 1940 ellipsoid parameters used by the GCJ-02 algorithm.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0


def _out_of_china(lon, lat):
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _transform_lat(x, y):
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x, y):
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lon, lat):
    """WGS84 → GCJ-02 (degrees, vectorized over numpy arrays)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    outside = _out_of_china(lon, lat)
    return np.where(outside, lon, lon + dlon), np.where(outside, lat, lat + dlat)


def _invert(forward, x, y, iterations: int = 30):
    """Solve forward(lon, lat) == (x, y) by fixed-point iteration (converges fast: offsets are smooth)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    lon, lat = x.copy(), y.copy()
    for _ in range(iterations):
        fx, fy = forward(lon, lat)
        dx, dy = fx - x, fy - y
        lon = lon - dx
        lat = lat - dy
        if np.nanmax(np.abs(dx), initial=0) < 1e-11 and np.nanmax(np.abs(dy), initial=0) < 1e-11:
            break
    return lon, lat


def gcj02_to_wgs84(lon, lat):
    """GCJ-02 → WGS84 (degrees), accurate to far below 1 cm."""
    return _invert(wgs84_to_gcj02, lon, lat)


def gcj02_to_bd09(lon, lat):
    """GCJ-02 → BD-09 (Baidu), degrees."""
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon, lat):
    """BD-09 → GCJ-02 (degrees), inverted exactly by iteration."""
    return _invert(gcj02_to_bd09, lon, lat)


def wgs84_to_bd09(lon, lat):
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon, lat):
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


# -- Baidu Mercator (BD-09 MC): the plane of Baidu's tiles ---------------------------------------
# Baidu does not project BD-09 with a textbook Mercator: its map API converts with piecewise
# polynomials in 15° latitude bands (close to an ellipsoidal Mercator).  These are the
# constants its JavaScript API publishes (LL2MC / MC2LL, bands by |lat| and by |y| metres).
_BD_LLBAND = np.array([75.0, 60.0, 45.0, 30.0, 15.0, 0.0])
_BD_MCBAND = np.array([12890594.86, 8362377.87, 5591021.0, 3481989.83, 1678043.12, 0.0])
_BD_LL2MC = np.array([
    [-0.0015702102444, 111320.7020616939, 1704480524535203, -10338987376042340, 26112667856603880,
     -35149669176653700, 26595700718403920, -10725012454188240, 1800819912950474, 82.5],
    [0.0008277824516172526, 111320.7020463578, 647795574.6671607, -4082003173.641316, 10774905663.51142,
     -15171875531.51559, 12053065338.62167, -5124939663.577472, 913311935.9512032, 67.5],
    [0.00337398766765, 111320.7020202162, 4481351.045890365, -23393751.19931662, 79682215.47186455,
     -115964993.2797253, 97236711.15602145, -43661946.33752821, 8477230.501135234, 52.5],
    [0.00220636496208, 111320.7020209128, 51751.86112841131, 3796837.749470245, 992013.7397791013,
     -1221952.21711287, 1340652.697009075, -620943.6990984312, 144416.9293806241, 37.5],
    [-0.0003441963504368392, 111320.7020576856, 278.2353980772752, 2485758.690035394, 6070.750963243378,
     54821.18345352118, 9540.606633304236, -2710.55326746645, 1405.483844121726, 22.5],
    [-0.0003218135878613132, 111320.7020701615, 0.00369383431289, 823725.6402795718, 0.46104986909093,
     2351.343141331292, 1.58060784298199, 8.77738589078284, 0.37238884252424, 7.45]])
_BD_MC2LL = np.array([
    [1.410526172116255e-8, 8.98305509648872e-6, -1.9939833816331, 200.9824383106796, -187.2403703815547,
     91.6087516669843, -23.38765649603339, 2.57121317296198, -0.03801003308653, 1.73379812e7],
    [-7.435856389565537e-9, 8.983055097726239e-6, -0.78625201886289, 96.32687599759846, -1.85204757529826,
     -59.36935905485877, 47.40033549296737, -16.50741931063887, 2.28786674699375, 1.026014486e7],
    [-3.030883460898826e-8, 8.98305509983578e-6, 0.30071316287616, 59.74293618442277, 7.357984074871,
     -25.38371002664745, 13.45380521110908, -3.29883767235584, 0.32710905363475, 6856817.37],
    [-1.981981304930552e-8, 8.983055099779535e-6, 0.03278182852591, 40.31678527705744, 0.65659298677277,
     -4.44255534477492, 0.85341911805263, 0.12923347998204, -0.04625736007561, 4482777.06],
    [3.09191371068437e-9, 8.983055096812155e-6, 6.995724062e-5, 23.10934304144901, -2.3663490511e-4,
     -0.6321817810242, -0.00663494467273, 0.03430082397953, -0.00466043876332, 2555164.4],
    [2.890871144776878e-9, 8.983055095805407e-6, -3.068298e-8, 7.47137025468032, -3.53937994e-6,
     -0.02145144861037, -1.234426596e-5, 1.0322952773e-4, -3.23890364e-6, 826088.5]])


def _bd_poly(x, y, table, bands):
    ax, ay = np.abs(x), np.abs(y)
    band = np.argmax(ay[..., None] >= bands, axis=-1)  # the first band whose lower bound |y| reaches
    c = table[band]
    t = ay / c[..., 9]
    out_x = c[..., 0] + c[..., 1] * ax
    out_y = c[..., 2] + t * (c[..., 3] + t * (c[..., 4] + t * (c[..., 5] + t * (c[..., 6] + t * (c[..., 7]
                                                                                        + t * c[..., 8])))))
    return np.copysign(out_x, x), np.copysign(out_y, y)


def bd09_to_bd09mc(lon, lat):
    """BD-09 lon/lat → Baidu Mercator metres (x east, y north; the plane of Baidu's tiles)."""
    lon = (np.asarray(lon, dtype=float) + 180.0) % 360.0 - 180.0
    lat = np.clip(np.asarray(lat, dtype=float), -74.0, 74.0)
    return _bd_poly(lon, lat, _BD_LL2MC, _BD_LLBAND)


def bd09mc_to_bd09(x, y):
    """Baidu Mercator metres → BD-09 lon/lat (degrees)."""
    return _bd_poly(np.asarray(x, dtype=float), np.asarray(y, dtype=float), _BD_MC2LL, _BD_MCBAND)


_TO_WGS84 = {"gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}
_FROM_WGS84 = {"gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09}


def normalize_datum(datum: str | None) -> str:
    d = (datum or "wgs84").lower().replace("-", "").replace("_", "")
    aliases = {"amap": "gcj02", "gaode": "gcj02", "tencent": "gcj02", "baidu": "bd09",
               "epsg4326": "wgs84", "epsg4490": "cgcs2000"}
    d = aliases.get(d, d)
    if d not in DATUMS:
        raise HygisError("Unknown datum '{datum}': use one of {value}", datum=datum, value=', '.join(DATUMS))
    return d


def _apply_to_geoms(geoms, func):
    def _xy(coords):
        x, y = func(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(np.asarray(geoms), _xy)


def datum_to_wgs84(geoms, datum: str):
    """Convert lon/lat geometries in ``datum`` (gcj02/bd09/wgs84/cgcs2000) to WGS84."""
    datum = normalize_datum(datum)
    if datum in ("wgs84", "cgcs2000"):  # CGCS2000 and WGS84 agree to a few cm
        return np.asarray(geoms)
    return _apply_to_geoms(geoms, _TO_WGS84[datum])


def wgs84_to_datum(geoms, datum: str):
    """Convert WGS84 lon/lat geometries to ``datum`` (for export to Amap/Baidu)."""
    datum = normalize_datum(datum)
    if datum in ("wgs84", "cgcs2000"):
        return np.asarray(geoms)
    return _apply_to_geoms(geoms, _FROM_WGS84[datum])


def datum_crs(datum: str) -> str:
    """The CRS label a file in ``datum`` carries (GCJ-02/BD-09 files are labelled WGS84 by convention)."""
    return CGCS2000 if normalize_datum(datum) == "cgcs2000" else WGS84


_local = threading.local()


def transformer(src, dst) -> Transformer:
    """A cached ``always_xy`` Transformer, one per thread.

    PROJ objects must not be shared between threads (render workers and the UI
    thread transform at the same time), so each thread keeps its own cache.  Run
    PROJ work in Python threads (threading, concurrent.futures) or a QThread, not
    in QThreadPool jobs: pyproj frees a thread's PROJ context with its Python
    thread state, which Qt pool threads renew for every job.
    """
    cache = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = {}
    key = (str(src), str(dst))
    t = cache.get(key)
    if t is None:
        if len(cache) > 64:
            cache.clear()
        pipeline = _FAST_PIPELINES.get(key)
        if pipeline is not None:
            t = Transformer.from_pipeline(pipeline)
        else:
            t = Transformer.from_crs(CRS.from_user_input(src), CRS.from_user_input(dst), always_xy=True)
        cache[key] = t
    return t


_TM_120 = "+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80"
#: The canvas pair as explicit PROJ pipelines, bit-identical to what PROJ picks for
#: EPSG:4326 ⇄ EPSG:4549 (a null "ballpark" WGS84→CGCS2000 shift + this Transverse Mercator)
#: but built in microseconds: ``from_crs`` searches proj.db, ~0.1–0.2 s per thread and pair,
#: which the start-up and every render job would pay.
_FAST_PIPELINES = {
    (WGS84, MAP_CRS): f"+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step {_TM_120}",
    (MAP_CRS, WGS84): f"+proj=pipeline +step +inv {_TM_120} +step +proj=unitconvert +xy_in=rad +xy_out=deg",
    (WGS84, EQUAL_AREA): "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step "
                         + EQUAL_AREA.replace(" +units=m +no_defs", ""),
}


def parse_crs(value) -> CRS:
    """A pyproj CRS from user input ('EPSG:4549', '4326', WKT ...) or a HygisError."""
    try:
        if isinstance(value, str) and value.strip().isdigit():
            value = f"EPSG:{value.strip()}"
        return CRS.from_user_input(value)
    except Exception as exc:  # pyproj raises CRSError with a long message
        raise HygisError("Unknown coordinate reference system: {value!r}", value=value) from exc


def project_geoms(geoms, src=WGS84, dst=EQUAL_AREA):
    """Reproject a geometry array (vectorized through shapely.transform)."""
    t = transformer(str(src), str(dst))

    def _xy(coords):
        x, y = t.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(np.asarray(geoms), _xy)


def area_km2(geoms, crs=WGS84) -> np.ndarray:
    """Areas in km² (equal-area projection) of a geometry array in ``crs``."""
    geoms = np.asarray(geoms)
    if len(geoms) == 0:
        return np.zeros(0)
    return shapely.area(project_geoms(geoms, crs, EQUAL_AREA)) / 1e6


def length_km(geoms, crs=WGS84) -> np.ndarray:
    """Geodesic lengths in km (WGS84 ellipsoid) of lines; polygon rings count as their perimeter."""
    geoms = np.asarray(geoms)
    if len(geoms) == 0:
        return np.zeros(0)
    if str(crs) not in (WGS84, "EPSG:4326"):
        geoms = project_geoms(geoms, crs, WGS84)
    is_poly = np.isin(shapely.get_type_id(geoms), (3, 6))  # Polygon, MultiPolygon
    geoms = np.where(is_poly, shapely.boundary(geoms), geoms)
    parts, part_idx = shapely.get_parts(geoms, return_index=True)
    coords, coord_idx = shapely.get_coordinates(parts, return_index=True)
    out = np.zeros(len(geoms))
    if len(coords) < 2:
        return out
    same = coord_idx[1:] == coord_idx[:-1]
    _, _, dist = GEOD.inv(coords[:-1, 0][same], coords[:-1, 1][same], coords[1:, 0][same], coords[1:, 1][same])
    np.add.at(out, part_idx[coord_idx[:-1][same]], dist)
    return out / 1000.0


def geodesic_distance_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Geodesic distance in metres between point arrays (degrees)."""
    _, _, d = GEOD.inv(np.asarray(lon1, float), np.asarray(lat1, float), np.asarray(lon2, float), np.asarray(lat2, float))
    return d


def local_metric_crs(lon: float, lat: float) -> str:
    """An azimuthal equidistant CRS centred at (lon, lat): metres, for buffers/distances."""
    return f"+proj=aeqd +lat_0={lat:.6f} +lon_0={lon:.6f} +ellps=WGS84 +units=m +no_defs"


def gauss_kruger_3deg(lon, lat):
    """CGCS2000 3-degree Gauss–Krüger (x easting with zone prefix, y northing), metres.

    Returns (zone, easting, northing); easting carries the zone number prefix as
    printed on Chinese topographic maps (e.g. 40 500 000 m).
    """
    zone = int(np.floor((float(lon) + 1.5) / 3.0))
    cm = zone * 3
    t = transformer(CGCS2000, f"+proj=tmerc +lat_0=0 +lon_0={cm} +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs")
    e, n = t.transform(float(lon), float(lat))
    return zone, zone * 1_000_000 + e, n
