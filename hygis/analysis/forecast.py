"""One "latest" and one forecast for every plan figure (enclave count, typed targets).

:func:`forecast` takes the known yearly values of a figure and gives the latest value with its
year and the year the target is (or was) reached, with the method spelled out: a least-squares
straight line through the last ``n_years`` known years.  Fewer than :data:`MIN_YEARS` known
years give no projection ("—") and say why.  The enclave panel, the targets dashboard, the slides
and ``hygis analyze`` all show this one result.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

#: Known years a projection needs at least.
MIN_YEARS = 3
#: Default number of recent years the straight line is fitted to.
DEFAULT_YEARS = 5
NO_VALUE = "—"


@dataclass(frozen=True)
class Forecast:
    """``latest`` value (of ``latest_year``); ``projected_year`` the target is reached (None: "—");
    ``method`` how it was found, ``years_used`` the fitted years, ``note`` why there is none."""

    latest: float | None
    latest_year: int | None
    projected_year: int | None
    method: str
    years_used: int
    note: str = ""
    pace_per_year: float | None = None
    first_year: int | None = None  # first of the fitted years

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def projected_text(self) -> str:
        return str(self.projected_year) if self.projected_year is not None else NO_VALUE


def forecast(points, target: float | None, n_years: int = DEFAULT_YEARS,
             higher_is_better: bool = True) -> Forecast:
    """Latest value and the year ``target`` is reached.

    Parameters
    ----------
    points : dict or iterable of (year, value)
        Known values by year (None/NaN values are ignored).
    target : float, optional
        Value to reach (None: latest only).
    n_years : int
        Recent known years the straight line is fitted to (at least :data:`MIN_YEARS`).
    higher_is_better : bool
        False for ranks and other figures that should fall to the target.

    Returns
    -------
    Forecast
    """
    items = points.items() if isinstance(points, dict) else points
    known = sorted((int(y), float(v)) for y, v in items
                   if y is not None and v is not None and not (isinstance(v, float) and math.isnan(v)))
    if not known:
        return Forecast(None, None, None, "", 0, "no data")
    latest_year, latest = known[-1]
    if target is None:
        return Forecast(latest, latest_year, None, "", 0, "no target")
    sign = 1.0 if higher_is_better else -1.0
    if sign * (latest - target) >= 0:  # reached: the first year of the latest run at or past the target
        year = latest_year
        for y, v in reversed(known):
            if sign * (v - target) < 0:
                break
            year = y
        return Forecast(latest, latest_year, year, f"reached in {year}", 0)
    n = max(int(n_years), MIN_YEARS)
    last = known[-n:]
    if len(last) < MIN_YEARS:
        return Forecast(latest, latest_year, None, "", len(last),
                        f"fewer than {MIN_YEARS} years of data ({len(last)})")
    years = np.array([y for y, _ in last], dtype=float)
    values = np.array([v for _, v in last], dtype=float)
    slope, intercept = np.polyfit(years, values, 1)
    method = f"linear fit of the last {len(last)} years ({last[0][0]}–{last[-1][0]})"
    if sign * slope <= 1e-9:
        return Forecast(latest, latest_year, None, method, len(last), "no progress at the recent pace",
                        float(slope), last[0][0])
    year = max(int(math.ceil((target - intercept) / slope - 1e-9)), latest_year + 1)
    return Forecast(latest, latest_year, year, method, len(last), "", float(slope), last[0][0])
