"""Enclave (飞地) counts against the plan's target (50 by 2025).

Which enclaves count is one rule derived from the data (:mod:`hygis.analysis.enclave_rule`):
one side 杭州市/宁波市, the other another Zhejiang city, type 科创/产业, operating and opened
by the as-of year; planned ones (and operating ones opened after ``as_of``) due by the target
year are counted separately.  ``as_of=None`` means "now": every operating enclave counts and
the reference year is the latest opening year.

The latest count and the year the target is reached come from
:func:`hygis.analysis.forecast.forecast` over the yearly cumulative count of *all* the data
(a straight line through the last ``pace_years`` years up to the latest opening), so every
place that shows them — panel, dashboard, slides, ``hygis analyze`` — shows the same figures
whatever year it counts as of.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hygis.analysis.enclave_rule import classify, normalise_city
from hygis.analysis.forecast import forecast
from hygis.core.errors import HygisError

#: The plan's target: 50 enclaves by 2025 (杭甬"双城记" 建设行动方案).
DEFAULT_TARGET = 50
DEFAULT_TARGET_YEAR = 2025
GROUP_FIELDS = {"by_host_city": "host_city", "by_origin_city": "origin_city", "by_type": "enclave_type",
                "by_status": "status"}


ENCLAVE_COLUMNS = ["name", "host_city", "origin_city", "enclave_type", "status", "year_opened", "target_override",
                   "override_reason", "counts", "planned", "rule", "reason"]


def enclave_counts(enclaves, as_of: int | None = None, target: float = DEFAULT_TARGET,
                   target_year: int = DEFAULT_TARGET_YEAR, pace_years: int = 5,
                   count_hangzhou_ningbo: bool = False) -> dict:
    """Counts of enclave sites and progress against the target.

    Parameters
    ----------
    enclaves : DataFrame, GeoDataFrame, VectorLayer or a list of them
        Rows with ``status`` ('operating'/'planned'), ``year_opened`` (int year),
        ``host_city``, ``origin_city`` and ``enclave_type``.
    as_of : int, optional
        Count the enclaves operating in this year (default: all operating now).
    target : float
        Number of enclaves the plan asks for (default 50).
    target_year : int
        Year the target is due (default 2025).
    pace_years : int
        Recent years the projection's straight line is fitted to (at least 3).
    count_hangzhou_ningbo : bool
        Whether 杭州市↔宁波市 enclaves count (a project setting; default False).

    Returns
    -------
    dict
        ``total``, ``by_host_city``, ``by_origin_city``, ``by_type``, ``by_status`` (DataFrames
        with columns operating, planned, total), ``by_year`` (year, opened, cumulative,
        planned, cumulative_with_planned), ``enclaves`` (every enclave with ``counts``,
        ``planned``, ``rule`` and ``reason``) and ``summary`` (dict: as_of, count, undated,
        planned, excluded, target, target_year, gap, gap_after_planned, progress_pct, reference_year
        (the year counted: ``as_of`` or the latest opening year), latest, latest_year,
        projected_year, projection_method, projection_years, projection_note, pace_per_year,
        count_hangzhou_ningbo).
    """
    frame = _normalise(enclaves)
    if as_of is not None:
        as_of = _year(as_of, "as_of")
    target_year = _year(target_year, "target_year")
    rule = dict(target_year=target_year, count_hangzhou_ningbo=bool(count_hangzhou_ningbo))
    verdict = classify(frame, as_of=as_of, **rule)
    frame = frame.assign(operating=verdict["counts"].astype(int), planned=verdict["planned"].astype(int),
                         in_scope=verdict["in_scope"], counts=verdict["counts"], rule=verdict["rule"],
                         reason=verdict["reason"])
    counted = frame[(frame["operating"] + frame["planned"]) > 0]
    out = {name: _grouped(counted, field) for name, field in GROUP_FIELDS.items()}
    out["total"] = pd.DataFrame({"operating": [int(frame["operating"].sum())], "planned": [int(frame["planned"].sum())]},
                                index=pd.Index(["合计"], name="group")).assign(
        total=lambda d: d["operating"] + d["planned"])
    ref = as_of if as_of is not None else _last_opening(frame)
    out["by_year"] = _by_year(frame, ref, target_year)
    out["enclaves"] = frame.reindex(columns=ENCLAVE_COLUMNS).reset_index(drop=True).assign(
        planned=verdict["planned"].to_numpy(dtype=bool), counts=verdict["counts"].to_numpy(dtype=bool))
    out["summary"] = _summary(frame, ref, float(target), int(target_year))
    out["summary"].update(as_of=as_of, reference_year=ref, count_hangzhou_ningbo=bool(count_hangzhou_ningbo),
                          **_latest_and_forecast(frame, rule, float(target), pace_years))
    return out


def _latest_and_forecast(frame, rule, target, pace_years) -> dict:
    """The latest count and the projected year from all the data (the same whatever ``as_of``)."""
    verdict = classify(frame, as_of=None, **rule)
    now = frame.assign(operating=verdict["counts"].astype(int), planned=verdict["planned"].astype(int))
    last = _last_opening(now)
    table = _by_year(now, last, rule["target_year"])
    points = {}
    if last is not None and len(table):
        known = table[table["year"] <= last]
        points = dict(zip(known["year"].astype(int), known["cumulative"]))
    fc = forecast(points, target, n_years=pace_years)
    count_now = int(now["operating"].sum())
    return {"latest": count_now, "latest_year": last, "projected_year": fc.projected_year,
            "projection_method": fc.method, "projection_years": fc.years_used, "projection_from": fc.first_year,
            "projection_note": fc.note, "pace_per_year": fc.pace_per_year}


def _normalise(enclaves) -> pd.DataFrame:
    items = enclaves if isinstance(enclaves, (list, tuple)) else [enclaves]
    frames = []
    for item in items:
        if hasattr(item, "data") and isinstance(getattr(item, "data"), pd.DataFrame):
            item = item.data
        if not isinstance(item, pd.DataFrame):
            raise HygisError("enclaves must be a table or an enclave layer")
        frames.append(pd.DataFrame(item.drop(columns=getattr(item, "_geometry_column_name", None) or [],
                                             errors="ignore")))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for col in ("name", "status", "host_city", "origin_city", "enclave_type", "year_opened"):
        if col not in frame.columns:
            if col in ("status",) and len(frame):
                raise HygisError("enclaves need a 'status' field (operating/planned)")
            frame[col] = None
    frame["year_opened"] = pd.to_numeric(frame["year_opened"], errors="coerce")
    frame["status"] = frame["status"].astype(object).where(frame["status"].notna(), "").astype(str).str.strip()
    for col in ("host_city", "origin_city"):
        frame[col] = [normalise_city(v) or "未知" for v in frame[col]]
    frame["enclave_type"] = frame["enclave_type"].astype(object).where(frame["enclave_type"].notna(), "未知").astype(str)
    return frame


def _year(value, what: str) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError, OverflowError):
        raise HygisError("{what} must be a year, got {value!r}", what=what, value=value) from None
    if not 1900 <= year <= 2200:
        raise HygisError("{what} must be a year between 1900 and 2200, got {year}", what=what, year=year)
    return year


def _last_opening(frame: pd.DataFrame) -> int | None:
    """The latest year an operating enclave opened (the reference year for ``as_of=None``)."""
    years = frame.loc[frame["status"].eq("operating"), "year_opened"].dropna()
    return int(years.max()) if len(years) else None


def _grouped(frame: pd.DataFrame, field: str) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame({"operating": pd.Series([], dtype=int), "planned": pd.Series([], dtype=int),
                             "total": pd.Series([], dtype=int)}, index=pd.Index([], name=field))
    g = frame.groupby(field, sort=False)[["operating", "planned"]].sum().astype(int)
    g["total"] = g["operating"] + g["planned"]
    return g.sort_values(["total", "operating"], ascending=False, kind="stable")


def _by_year(frame: pd.DataFrame, as_of, target_year) -> pd.DataFrame:
    dated = frame[frame["year_opened"].notna()]
    years = dated["year_opened"].astype(int)
    if years.empty:
        return pd.DataFrame(columns=["year", "opened", "cumulative", "planned", "cumulative_with_planned"])
    last = max(int(years.max()), as_of or 0, target_year)
    span = np.arange(int(years.min()), last + 1)
    opened = years[dated["operating"].eq(1)].value_counts().reindex(span, fill_value=0)
    planned = years[dated["planned"].eq(1)].value_counts().reindex(span, fill_value=0)
    undated = int((frame["year_opened"].isna() & frame["operating"].eq(1)).sum())
    table = pd.DataFrame({"year": span, "opened": opened.to_numpy(), "planned": planned.to_numpy()})
    table["cumulative"] = (table["opened"].cumsum() + undated).astype(float)
    if as_of is not None:  # openings after as_of are not known in that year
        table.loc[table["year"] > as_of, ["opened", "cumulative"]] = np.nan
    table["cumulative_with_planned"] = table["cumulative"].ffill() + table["planned"].cumsum()
    return table[["year", "opened", "cumulative", "planned", "cumulative_with_planned"]]


def _summary(frame, as_of, target, target_year) -> dict:
    count = int(frame["operating"].sum())
    planned = int(frame["planned"].sum())
    gap = max(target - count, 0.0)
    return {
        "as_of": as_of,
        "count": count,
        "undated": int((frame["year_opened"].isna() & frame["operating"].eq(1)).sum()),
        "planned": planned,
        "excluded": int((~frame["in_scope"].astype(bool)).sum()),
        "target": target,
        "target_year": target_year,
        "gap": gap,
        "gap_after_planned": max(target - count - planned, 0.0),
        "progress_pct": (count / target * 100.0) if target > 0 else None,
    }


def project_rule(project) -> dict:
    """The counting parameters a project stores: target, target_year and the 杭州↔宁波 setting."""
    stored = project.target("enclave_count")
    target = stored.target if stored is not None and stored.target else DEFAULT_TARGET
    target_year = int(stored.target_year) if stored is not None and stored.target_year else DEFAULT_TARGET_YEAR
    return dict(target=float(target), target_year=target_year,
                count_hangzhou_ningbo=bool(project.setting("count_hangzhou_ningbo")))


def project_enclave_counts(project, as_of: int | None = None, visible_only: bool = False, **overrides) -> dict:
    """:func:`enclave_counts` of a project's enclave layers with its own target and setting.

    The one entry point of the panel, dashboard, slides, presentation and CLI.
    ``visible_only`` counts only features passing the layers' filters (a scenario's view);
    ``overrides`` replace stored parameters (e.g. ``target`` from the command line).
    """
    layers = project.layers_of_kind("enclave")
    if not layers:
        raise HygisError("the project has no enclave layer")
    frames = [layer.visible_data() if visible_only else layer.data for layer in layers]
    params = project_rule(project)
    params.update({k: v for k, v in overrides.items() if v is not None})
    return enclave_counts(frames, as_of=as_of, **params)
