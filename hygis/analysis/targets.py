"""The plan targets dashboard: baseline, latest and target of every PlanTarget of a project.

Two rows are computed from the project's layers instead of taken as typed
(:data:`hygis.project.targets.COMPUTED`):

* ``enclave_count``: the latest count of the project's enclave layer(s) under the one
  counting rule (:func:`hygis.analysis.enclaves.project_enclave_counts`), or the count as of
  the year asked;
* ``road_density``: km of road per km² of land
  (:func:`road_network_density`) when the project has a line layer named like
  道路 / road(s); zones default to the basemap's 杭州市, 绍兴市 and 宁波市 (the
  target is 杭绍甬's) and the area to their official land areas.

Without the data the typed value is kept.  Every row has the projected year the target is
reached and how (:func:`hygis.analysis.forecast.forecast`; "—" with the reason when fewer than
three years are known).
"""

from __future__ import annotations

import dataclasses
import re

import pandas as pd

from hygis.analysis.coverage import TOTAL_LABEL, coverage_by_zone
from hygis.analysis.enclaves import DEFAULT_TARGET, DEFAULT_TARGET_YEAR, project_enclave_counts
from hygis.analysis.forecast import Forecast, forecast
from hygis.project.targets import PlanTarget

TARGET_COLUMNS = ["key", "name_zh", "name_en", "unit", "baseline", "baseline_year", "latest", "latest_year",
                  "operator", "target", "target_year", "progress_pct", "projected_year", "projection_method",
                  "projection_note", "computed_from", "latest_source", "source"]
ROAD_LAYER_PATTERN = re.compile(r"道路|路网|roads?\b", re.IGNORECASE)
#: The dual city.
DUAL_CITIES = ("杭州市", "宁波市")
#: Default zones of the road network density: the target (1.15 km/km²) is for 杭绍甬.
ROAD_DENSITY_CITIES = ("杭州市", "绍兴市", "宁波市")


def road_network_density(roads, zones, by: str | None = None, denominator: str = "drawn", progress=None,
                         cancelled=None) -> pd.DataFrame:
    """Road network density per zone: km of road per km² of zone area.

    Parameters
    ----------
    roads : GeoDataFrame or VectorLayer of lines (any CRS).
    zones : GeoDataFrame or VectorLayer of polygons (any CRS).
    by : str, optional
        Zone field grouping the zones (default 'name').
    denominator : {'drawn', 'official'}
        Divide by the drawn zone area or, where known, the official land area (see
        :func:`hygis.analysis.coverage.coverage_by_zone`).

    Returns
    -------
    DataFrame
        ``zone``, ``road_length_km`` (geodesic km; overlapping roads counted once),
        ``zone_area_km2`` (km², the area divided by), ``denominator`` ('drawn'/'official') and
        ``density_km_per_km2``; a total row
        labelled :data:`hygis.analysis.coverage.TOTAL_LABEL`.
    """
    cov = coverage_by_zone(roads, zones, by=by, denominator=denominator, progress=progress, cancelled=cancelled)
    out = pd.DataFrame({"zone": cov["zone"], "road_length_km": cov["covered_length_km"],
                        "zone_area_km2": cov["denominator_km2"], "denominator": cov["denominator"]})
    area = out["zone_area_km2"].where(out["zone_area_km2"] > 0)
    out["density_km_per_km2"] = (out["road_length_km"] / area).fillna(0.0)
    return out


def targets_table(project, as_of: int | None = None, zones=None) -> pd.DataFrame:
    """The project's plan targets with computed rows filled in.

    Parameters
    ----------
    project : hygis.project.model.Project
    as_of : int, optional
        Year of the enclave count (default: all operating enclaves).
    zones : GeoDataFrame, optional
        Zones of the road network density (default: basemap cities 杭州市 and 宁波市).

    Returns
    -------
    DataFrame
        Columns :data:`TARGET_COLUMNS`; ``progress_pct`` is the share (%) of the way from the
        baseline (or 0) to the target; ``computed_from`` names the layer a computed value
        came from ('' when typed).
    """
    targets = list(project.targets)
    enclave_layers = project.layers_of_kind("enclave")
    if enclave_layers and not any(_is(t, "enclave_count") for t in targets):
        targets.append(PlanTarget(key="enclave_count", name_zh="飞地数量", name_en="Enclave sites", unit="个",
                                  target=DEFAULT_TARGET, target_year=DEFAULT_TARGET_YEAR, computed="enclave_count"))
    rows = []
    for target in targets:
        origin, fc = "", None
        if _is(target, "enclave_count") and enclave_layers:
            target, origin, fc = _with_enclaves(target, project, as_of)
        elif _is(target, "road_density"):
            target, origin = _with_roads(target, project, zones)
        if fc is None:
            fc = forecast({target.baseline_year: target.baseline, target.latest_year: target.latest},
                          target.target, higher_is_better=target.higher_is_better)
        progress = target.progress()
        row = {c: getattr(target, c) for c in TARGET_COLUMNS if hasattr(target, c)}
        row.update(progress_pct=None if progress is None else progress * 100.0, computed_from=origin,
                   projected_year=fc.projected_year, projection_method=fc.method, projection_note=fc.note)
        if origin:
            row["latest_source"] = f"computed by hygis from {origin}"
        rows.append(row)
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


def _is(target: PlanTarget, key: str) -> bool:
    return target.computed == key or target.key == key


def _with_enclaves(target, project, as_of):
    """The enclave row: the latest count and year of the one rule (as of ``as_of`` when given)."""
    summary = project_enclave_counts(project, as_of=as_of,
                                     target=target.target if target.target is not None else DEFAULT_TARGET,
                                     target_year=target.target_year)["summary"]
    if as_of is None:
        latest, year = summary["latest"], summary["latest_year"]
    else:
        latest, year = summary["count"], summary["reference_year"]
    names = "、".join(layer.name for layer in project.layers_of_kind("enclave"))
    year = year if year is not None else target.latest_year
    fc = Forecast(float(latest), year, summary["projected_year"], summary["projection_method"],
                  summary["projection_years"], summary["projection_note"])
    return dataclasses.replace(target, latest=float(latest), latest_year=year), names, fc


def road_layer(project):
    """The project's road layer (a line layer named like 道路/road), or None."""
    for layer in project.layers:
        if getattr(layer, "kind", "") == "raster":
            continue
        if ROAD_LAYER_PATTERN.search(layer.name) and layer.geometry_type == "line":
            return layer
    return None


def _with_roads(target, project, zones):
    layer = road_layer(project)
    if layer is None or len(layer.data) == 0:
        return target, ""
    if zones is None:
        zones = _dual_city_zones()
        if zones is None:
            return target, ""
    density = road_network_density(layer.visible_data(), zones, denominator="official")
    total = float(density.loc[density["zone"] == TOTAL_LABEL, "density_km_per_km2"].iloc[0])
    return dataclasses.replace(target, latest=total), layer.name


def _dual_city_zones():
    try:
        from hygis.geo.basemap import load_basemap

        cities = load_basemap("city")
    except Exception:  # noqa: BLE001 - no basemap: keep the typed value
        return None
    return cities[cities["name"].isin(ROAD_DENSITY_CITIES)]
