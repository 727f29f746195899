"""Enclave (飞地) counts against the plan's target (50 by 2025).

Counting rules (what the report should say):

* *Operating as of year Y*: status ``operating`` and ``year_opened <= Y``.
  Operating enclaves without a year are counted for every year (they exist
  now and the record does not say since when) and reported as ``undated``.
* *Planned*: status ``planned`` with ``year_opened`` (the year it is due) up to
  the target year, counted separately (never as operating); so is an enclave
  operating today that opened after ``as_of``.  Planned enclaves without a due
  year are not counted.
* ``as_of=None`` means "now": every operating enclave counts, whatever its year;
  the yearly table and the projection then stop at the latest opening year.
* Projection: a straight line fitted (least squares) to the cumulative
  operating count of the last ``pace_years`` years up to ``as_of``; the year
  the line reaches the target, or None when the pace is not positive.  If the
  target is already reached, the first year the count reached it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from hygis.core.errors import HygisError

#: The plan's target: 50 enclaves by 2025 (杭甬"双城记" 建设行动方案).
DEFAULT_TARGET = 50
DEFAULT_TARGET_YEAR = 2025
GROUP_FIELDS = {"by_host_city": "host_city", "by_origin_city": "origin_city", "by_type": "enclave_type",
                "by_status": "status"}


def enclave_counts(enclaves, as_of: int | None = None, target: float = DEFAULT_TARGET,
                   target_year: int = DEFAULT_TARGET_YEAR, pace_years: int = 5) -> dict:
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
        Years (up to ``as_of``) the projection's linear fit uses.

    Returns
    -------
    dict
        ``total``, ``by_host_city``, ``by_origin_city``, ``by_type``, ``by_status`` (DataFrames
        with columns operating, planned, total), ``by_year`` (year, opened, cumulative,
        planned, cumulative_with_planned) and ``summary`` (dict: as_of, count, undated,
        planned, target, target_year, gap, gap_after_planned, progress_pct, pace_per_year, projected_year,
        reference_year: the year counted, ``as_of`` or the latest opening year).
    """
    frame = _normalise(enclaves)
    if as_of is not None:
        as_of = _year(as_of, "as_of")
    year = frame["year_opened"]
    status = frame["status"]
    operating = status.eq("operating")
    if as_of is not None:
        operating &= year.isna() | (year <= as_of)
    planned = ~operating & status.isin(("planned", "operating")) & (year <= target_year)
    frame = frame.assign(operating=operating.astype(int), planned=planned.astype(int))
    counted = frame[(frame["operating"] + frame["planned"]) > 0]
    out = {name: _grouped(counted, field) for name, field in GROUP_FIELDS.items()}
    out["total"] = pd.DataFrame({"operating": [int(operating.sum())], "planned": [int(planned.sum())]},
                                index=pd.Index(["合计"], name="group")).assign(
        total=lambda d: d["operating"] + d["planned"])
    ref = as_of if as_of is not None else _last_opening(frame)
    out["by_year"] = _by_year(frame, ref, target_year)
    out["summary"] = _summary(frame, out["by_year"], ref, float(target), int(target_year), pace_years)
    out["summary"].update(as_of=as_of, reference_year=ref)
    return out


def target_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows that count towards the plan's target.

    The target counts enclaves set up *between* Hangzhou/Ningbo and other parts of
    Zhejiang; rows whose optional ``in_target`` field is false (an enclave inside one
    city, or one from another province) are left out.  Without that field all rows count.
    """
    if "in_target" not in frame.columns:
        return frame
    flag = frame["in_target"].astype(object).where(frame["in_target"].notna(), True)
    return frame[flag.map(lambda v: str(v).strip().lower() not in ("0", "false", "no", "否")).astype(bool)]


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
    frame = target_rows(frame)
    for col in ("status", "host_city", "origin_city", "enclave_type", "year_opened"):
        if col not in frame.columns:
            if col in ("status",) and len(frame):
                raise HygisError("enclaves need a 'status' field (operating/planned)")
            frame[col] = None
    frame["year_opened"] = pd.to_numeric(frame["year_opened"], errors="coerce")
    frame["status"] = frame["status"].astype(object).where(frame["status"].notna(), "").astype(str).str.strip()
    for col in ("host_city", "origin_city", "enclave_type"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), "未知").astype(str)
    return frame


def _year(value, what: str) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise HygisError(f"{what} must be a year, got {value!r}") from None
    if not 1900 <= year <= 2200:
        raise HygisError(f"{what} must be a year between 1900 and 2200, got {year}")
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


def _summary(frame, by_year, as_of, target, target_year, pace_years) -> dict:
    count = int(frame["operating"].sum())
    planned = int(frame["planned"].sum())
    gap = max(target - count, 0.0)
    return {
        "as_of": as_of,
        "count": count,
        "undated": int((frame["year_opened"].isna() & frame["operating"].eq(1)).sum()),
        "planned": planned,
        "target": target,
        "target_year": target_year,
        "gap": gap,
        "gap_after_planned": max(target - count - planned, 0.0),
        "progress_pct": (count / target * 100.0) if target > 0 else None,
        **_projection(by_year, as_of, target, count, pace_years),
    }


def _projection(by_year: pd.DataFrame, as_of, target, count, pace_years) -> dict:
    known = by_year.dropna(subset=["cumulative"])
    if as_of is not None:
        known = known[known["year"] <= as_of]
    if not known.empty:
        reached = known[known["cumulative"] >= target]
        if count >= target and not reached.empty:
            return {"pace_per_year": None, "projected_year": int(reached["year"].iloc[0])}
    last = known.tail(max(int(pace_years), 2))
    if len(last) < 2:
        return {"pace_per_year": None, "projected_year": None}
    slope, intercept = np.polyfit(last["year"].astype(float), last["cumulative"].astype(float), 1)
    if slope <= 1e-9:
        return {"pace_per_year": float(slope), "projected_year": None}
    year = (target - intercept) / slope
    start = int(last["year"].iloc[-1])
    return {"pace_per_year": float(slope), "projected_year": max(int(math.ceil(year - 1e-9)), start)}
