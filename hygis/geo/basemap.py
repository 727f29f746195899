"""The offline basemap: Zhejiang's administrative boundaries in WGS84 (no tiles, no network).

The data file ``hygis/assets/basemap/zhejiang_admin_wgs84.gpkg`` (package data, found through
:mod:`importlib.resources`) has three layers
(:data:`BASEMAP_LEVELS`): ``province`` (浙江省 and its five neighbours),
``city`` (Zhejiang's 11 prefecture-level cities) and ``district`` (its 90
county-level districts), each with the columns adcode, name, province, city.
It is built by ``tools/build_basemap.py`` from Amap (GCJ-02) boundaries
converted to WGS84; see ``hygis/assets/basemap/SOURCE.md``.

No Qt here: the canvas draws :func:`basemap_layers` like any other layer.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd

from hygis.geo import crs as hcrs
from hygis.core.errors import HygisError

BASEMAP_LEVELS = ("province", "city", "district")
BASEMAP_FILE = "zhejiang_admin_wgs84.gpkg"
#: Prefix of zone specifications that name a basemap level, e.g. ``"basemap:district"``.
SPEC_PREFIX = "basemap:"


def basemap_path() -> Path:
    """Path of the basemap GeoPackage shipped inside the package (any working directory)."""
    from hygis.core.resources import asset_path

    return asset_path("basemap", BASEMAP_FILE)


OFFICIAL_AREAS_FILE = "official_land_areas.csv"
#: The seat of each city government (WGS84, approximate: REFERENCE.md §1b/§6 and general knowledge):
#: where city names and enclave flow arcs are anchored.
CITY_SEATS = {"杭州市": (120.155, 30.274), "宁波市": (121.550, 29.875), "温州市": (120.699, 27.994),
              "嘉兴市": (120.755, 30.746), "湖州市": (120.088, 30.894), "绍兴市": (120.580, 30.000),
              "金华市": (119.647, 29.079), "衢州市": (118.859, 28.970), "舟山市": (122.207, 29.985),
              "台州市": (121.420, 28.656), "丽水市": (119.923, 28.468)}


@lru_cache(maxsize=1)
def official_land_areas() -> dict[str, float]:
    """Official land areas (km²) by place name, e.g. {'宁波市': 9816.0, …} ({} when the table is missing).

    From ``hygis/assets/reference/official_land_areas.csv`` (package data, sourced row by row; see
    ``assets/reference/README.md``): the basemap's polygons include tidal flats, reclaimed land and
    estuary water, so their drawn areas are larger than the land areas the statistics publish.
    """
    import csv

    from hygis.core.resources import asset_path

    try:
        path = asset_path("reference", OFFICIAL_AREAS_FILE)
    except HygisError:
        return {}
    with path.open(encoding="utf-8") as fh:
        return {row["name"]: float(row["land_area_km2"]) for row in csv.DictReader(fh)}


@lru_cache(maxsize=len(BASEMAP_LEVELS))
def _read_level(level: str) -> gpd.GeoDataFrame:
    import pyogrio

    gdf = pyogrio.read_dataframe(basemap_path(), layer=level)
    if gdf.crs is None or not gdf.crs.equals(hcrs.parse_crs(hcrs.WGS84)):
        gdf = gdf.set_crs(hcrs.WGS84, allow_override=True)
    return gdf


def load_basemap(level: str) -> gpd.GeoDataFrame:
    """Boundaries of one level as a GeoDataFrame in EPSG:4326 (a fresh copy; the file is read once).

    Parameters
    ----------
    level : str
        'province', 'city' or 'district'.

    Returns
    -------
    GeoDataFrame
        Columns adcode, name, province, city and MultiPolygon geometry (degrees, WGS84).
    """
    if level not in BASEMAP_LEVELS:
        raise HygisError("Unknown basemap level '{level}': use one of {value}",
                         level=level, value=', '.join(BASEMAP_LEVELS))
    return _read_level(level).copy()


def zones_from_spec(spec) -> gpd.GeoDataFrame:
    """Resolve a zone specification such as ``'basemap:city'`` to a GeoDataFrame of zones.

    Parameters
    ----------
    spec : str
        ``'basemap:province'``, ``'basemap:city'`` or ``'basemap:district'``.

    Raises
    ------
    HygisError
        For anything else.
    """
    if not isinstance(spec, str) or not spec.strip().lower().startswith(SPEC_PREFIX):
        raise HygisError("Unknown zones '{spec}': use one of {choices}", spec=spec,
                         choices=", ".join(SPEC_PREFIX + lvl for lvl in BASEMAP_LEVELS))
    level = spec.strip()[len(SPEC_PREFIX):].strip().lower()
    if level not in BASEMAP_LEVELS:
        raise HygisError("Unknown zones '{spec}': use one of {choices}", spec=spec,
                         choices=", ".join(SPEC_PREFIX + lvl for lvl in BASEMAP_LEVELS))
    return load_basemap(level)


#: Grey cartography of the basemap levels (drawn bottom to top: province, city, district).
BASEMAP_STYLES = {
    # Zhejiang almost white, its neighbours a shade darker so the province stands out
    "province": dict(mode="categorized", field="name", fill="#ecebe6", stroke="#8c8c8c", width=1.6,
                     categories={"浙江省": "#fbfbf8", "上海市": "#ecebe6", "江苏省": "#ecebe6",
                                 "安徽省": "#ecebe6", "江西省": "#ecebe6", "福建省": "#ecebe6"}),
    "city": dict(fill="#00000000", stroke="#a6a6a6", width=1.0),
    "district": dict(fill="#00000000", stroke="#d0d0d0", width=0.5),
}
BASEMAP_NAMES = {"province": "省界", "city": "市界", "district": "区县界"}


def basemap_layers() -> list:
    """Basemap ``VectorLayer``s (kind 'vector') to draw under every project, bottom first.

    Layers have fixed ids ``basemap-<level>`` and are not part of any project file.
    """
    from hygis.layers.style import Style
    from hygis.layers.vector import VectorLayer

    layers = []
    for level in BASEMAP_LEVELS:
        style = Style(label_field=None, **BASEMAP_STYLES[level])
        layers.append(VectorLayer(BASEMAP_NAMES[level], load_basemap(level), kind="vector", style=style,
                                  source=f"basemap:{level}", layer_id=f"basemap-{level}", validate=False))
    return layers
