"""Enclaves per city pair (origin → host) and their flow-map arcs: the plan's “互设飞地” is about pairs.

Counting follows :func:`hygis.analysis.enclaves.enclave_counts` (its rule decides what is operating or
planned as of a year and which rows count toward the target): each pair's rows go through it, so the
pair table always agrees with the enclave report.  :func:`pair_arcs` turns the table into curved
origin → host lines (city anchors from the basemap) that a map draws as a flow layer.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from hygis.analysis.enclaves import DEFAULT_TARGET_YEAR, enclave_counts
from hygis.core.errors import HygisError
from hygis.geo.basemap import CITY_SEATS

PAIR_COLUMNS = ["origin_city", "host_city", "operating", "planned", "total", "mutual",
                "origin_lon", "origin_lat", "host_lon", "host_lat"]
UNKNOWN = "未知"


def enclave_pairs(enclaves, as_of: int | None = None, target_year: int = DEFAULT_TARGET_YEAR,
                  count_hangzhou_ningbo: bool = False) -> pd.DataFrame:
    """Enclave counts per (origin city, host city) pair.

    Parameters
    ----------
    enclaves : DataFrame, GeoDataFrame, VectorLayer or a list of them (``origin_city``, ``host_city``,
        ``status``, ``year_opened`` …, as for :func:`~hygis.analysis.enclaves.enclave_counts`).
    as_of : int, optional
        Count what operates in this year (default: now).
    target_year : int
        Planned enclaves due by this year count as planned.
    count_hangzhou_ningbo : bool
        Whether 杭州市↔宁波市 enclaves count (the project setting of the counting rule).

    Returns
    -------
    DataFrame
        :data:`PAIR_COLUMNS`, one row per pair with at least one counted enclave, most enclaves first:
        ``operating``/``planned``/``total`` counts, ``mutual`` (True when the reverse pair also has
        enclaves: 互设), and the WGS84 anchor of each city (NaN for a city outside the basemap).
    """
    rows = enclave_counts(_frame(enclaves), as_of=as_of, target_year=target_year,
                          count_hangzhou_ningbo=count_hangzhou_ningbo)["enclaves"]
    rows = rows.assign(operating=rows["counts"].astype(int), planned=rows["planned"].astype(int))
    rows = rows[(rows["operating"] + rows["planned"]) > 0]
    out = (rows.groupby(["origin_city", "host_city"], sort=True)[["operating", "planned"]].sum().reset_index()
           if len(rows) else pd.DataFrame(columns=["origin_city", "host_city", "operating", "planned"]))
    out["operating"] = out["operating"].astype(int)
    out["planned"] = out["planned"].astype(int)
    out["total"] = out["operating"] + out["planned"]
    pairs = set(zip(out["origin_city"], out["host_city"]))
    out["mutual"] = [(h, o) in pairs and h != o for o, h in zip(out["origin_city"], out["host_city"])]
    anchors = city_anchors()
    for end in ("origin", "host"):
        xy = [anchors.get(name, (math.nan, math.nan)) for name in out[f"{end}_city"]]
        out[f"{end}_lon"] = [p[0] for p in xy]
        out[f"{end}_lat"] = [p[1] for p in xy]
    return out.sort_values(["total", "origin_city", "host_city"], ascending=[False, True, True],
                           ignore_index=True)[PAIR_COLUMNS]


def city_anchors() -> dict[str, tuple[float, float]]:
    """WGS84 anchors of the cities: :data:`CITY_SEATS`, else a point inside the basemap polygon."""
    import shapely

    try:
        from hygis.geo.basemap import load_basemap

        cities = load_basemap("city")
    except HygisError:
        return dict(CITY_SEATS)
    xy = shapely.get_coordinates(shapely.point_on_surface(cities.geometry.to_numpy()))
    anchors = {str(n): (float(x), float(y)) for n, (x, y) in zip(cities["name"], xy)}
    anchors.update(CITY_SEATS)
    return anchors


def pair_arcs(pairs: pd.DataFrame, bend: float = 0.18, steps: int = 24):
    """Flow-map lines of a :func:`enclave_pairs` table: one curved origin → host line per pair.

    Each arc bows to the right of its direction by ``bend`` × its length, so the two directions of a
    mutual pair (互设) are drawn apart.  Pairs without two anchors (a city outside the basemap, or a
    pair inside one city) are left out.  Returns a WGS84 GeoDataFrame with the pair columns and
    ``label`` ("衢州市→杭州市 3").
    """
    import geopandas as gpd
    import shapely

    keep = pairs.dropna(subset=["origin_lon", "origin_lat", "host_lon", "host_lat"])
    keep = keep[keep["origin_city"] != keep["host_city"]]
    t = np.linspace(0.0, 1.0, steps)[:, None]
    lines = []
    for r in keep.itertuples():
        a, b = np.array([r.origin_lon, r.origin_lat]), np.array([r.host_lon, r.host_lat])
        d = b - a
        control = (a + b) / 2 + bend * np.array([d[1], -d[0]])
        pts = (1 - t) ** 2 * a + 2 * (1 - t) * t * control + t ** 2 * b
        lines.append(shapely.LineString(pts))
    out = gpd.GeoDataFrame(keep.reset_index(drop=True), geometry=lines, crs="EPSG:4326")
    out["label"] = [f"{o}→{h} {n}" for o, h, n in zip(out["origin_city"], out["host_city"], out["total"])]
    out.insert(0, "name", [f"{o}→{h}" for o, h in zip(out["origin_city"], out["host_city"])])
    out["source"] = ("enclaves of this origin → host pair counted by hygis (analyze enclaves --by-pair); "
                     "arc between the city seats, approximate")
    out["data_status"] = "sourced"  # derived from the enclave rows (see their own data_status)
    return out


def _frame(enclaves) -> pd.DataFrame:
    items = enclaves if isinstance(enclaves, (list, tuple)) else [enclaves]
    frames = []
    for item in items:
        data = getattr(item, "data", item)
        if hasattr(item, "visible_data"):
            data = item.visible_data()
        if not isinstance(data, pd.DataFrame):
            raise HygisError("enclaves must be a table or an enclave layer")
        frames.append(pd.DataFrame(data.drop(columns=getattr(data, "_geometry_column_name", None) or [],
                                             errors="ignore")))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for col in ("origin_city", "host_city"):
        if col not in frame.columns:
            frame[col] = None
    return frame


FLOW_LAYER_NAME = "飞地流向"


def flow_layer(enclaves, as_of: int | None = None, target_year: int = DEFAULT_TARGET_YEAR,
               count_hangzhou_ningbo: bool = False, name: str = FLOW_LAYER_NAME, layer_id: str | None = None):
    """A line layer of enclave flows (origin → host city arcs), coloured by the number of enclaves per pair.

    The layer keeps the pair table's columns, so its legend classes, identify and attribute table show
    the count per city pair; add it with :class:`hygis.project.commands.AddLayer` (undoable).
    """
    from hygis.layers.style import Style, ramp_colors
    from hygis.layers.vector import VectorLayer

    arcs = pair_arcs(enclave_pairs(enclaves, as_of=as_of, target_year=target_year,
                                   count_hangzhou_ningbo=count_hangzhou_ningbo))
    if len(arcs) == 0:
        raise HygisError("no enclave pair with both cities on the basemap: nothing to draw")
    counts = sorted({int(n) for n in arcs["total"]})
    colours = ramp_colors("reds", len(counts) + 2)[2:]  # skip the palest reds: thin arcs must show
    style = Style(mode="categorized", field="total", categories={str(n): c for n, c in zip(counts, colours)},
                  stroke_by_class=True, stroke="#b2182b", width=3.0, label_field="label", label_size=8.0)
    source = (f"hygis analyze enclaves --by-pair{'' if as_of is None else f' --as-of {as_of}'}: enclaves per origin → "
              "host city pair; arcs join the city seats (approximate)")
    return VectorLayer(name, arcs, kind="vector", style=style, source=source, layer_id=layer_id)
