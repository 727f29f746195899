"""Scenario indicators: the numbers a slide shows beside the map ("飞地 27 / 50 (54%)").

A scenario lists indicator specs (plain dicts saved in the project); each is
evaluated against the project *in that scenario's state* (its filters), on a
shadow copy (:func:`hygis.project.scenarios.shadow_project`) so the user's layers are
never touched.  Supported specs (an optional ``"label"`` overrides the label):

``{"type": "enclave_target", "target": 50, "as_of": YEAR}``
    Enclaves operating in the scenario's year under the one counting rule
    (:func:`hygis.analysis.enclaves.project_enclave_counts`) against the project's
    ``enclave_count`` target (default 50), planned ones shown as "+N 规划"; the
    label says the year counted.
``{"type": "coverage", "target": LAYER, "zones": "basemap:city", "zone": "宁波市", "buffer_m": 0,
"denominator": "drawn"|"official"}`` (the label says which area the share divides by)
    Share (%) of the zone covered by the layer's features; without ``zone``
    the covered area (km²) over all zones.
``{"type": "count", "layer": LAYER, "target": N}``
    Number of features passing the layer's filter (optionally against N).
``{"type": "sum", "layer": LAYER, "field": "length_km", "unit": "km"}``
    Sum of a numeric field over the filtered features.
``{"type": "text", "label": "...", "value": "..."}``
    A fixed figure typed by the user.

No Qt here: the slide export, the presentation overlay and the compare table
all call :func:`evaluate` / :func:`compare_indicators`.
"""

from __future__ import annotations

import json
import math
from typing import NamedTuple

from hygis.core.errors import HygisError

NO_VALUE = "—"


class Indicator(NamedTuple):
    """One evaluated indicator: ``label``, display ``text``, ``progress`` (0–1 or None),
    numeric ``value`` (None for text-only rows), ``unit``, the ``spec`` it came from and the
    ``error`` message when it could not be evaluated."""

    label: str
    text: str
    progress: float | None = None
    value: float | None = None
    unit: str = ""
    spec: dict | None = None
    error: str = ""


def evaluate(project, scenario=None, specs: list[dict] | None = None) -> list[Indicator]:
    """Evaluate indicator specs in a scenario's state.

    Parameters
    ----------
    project : Project
    scenario : Scenario or str, optional
        The state to evaluate in (default: the project as it is now).
    specs : list of dict, optional
        Default: the scenario's own ``indicators``.

    Returns
    -------
    list of Indicator
        One per spec, in order; a spec that cannot be evaluated (missing layer,
        unknown type) gives a row with text "—" instead of raising.
    """
    from hygis.project.model import shadow_project

    if isinstance(scenario, str):
        scenario = project.scenarios[scenario]
    if specs is None:
        specs = list(scenario.indicators) if scenario is not None else []
    view = shadow_project(project, scenario) if scenario is not None else project
    return [evaluate_one(view, spec) for spec in specs]


def evaluate_one(view, spec: dict) -> Indicator:
    """Evaluate one spec against a project (already in the wanted state)."""
    kind = spec.get("type") if isinstance(spec, dict) else None
    func = _EVALUATORS.get(kind)
    try:
        if func is None:
            raise HygisError("unknown indicator type '{kind}'", kind=kind)
        ind = func(view, spec)
    except HygisError as exc:
        label = (spec.get("label") if isinstance(spec, dict) else None) or str(kind)
        return Indicator(label, NO_VALUE, spec=spec, error=str(exc))
    if spec.get("label"):
        ind = ind._replace(label=str(spec["label"]))
    return ind._replace(spec=spec)


# -- evaluators ------------------------------------------------------------------------------
def _layer(view, name):
    if not name:
        raise HygisError("indicator names no layer")
    layer = view.layers.get(str(name))
    if layer is None:
        raise HygisError("No layer named '{name}'", name=name)
    if not hasattr(layer, "visible_data"):
        raise HygisError("'{name}' is not a vector layer", name=name)
    return layer


def _enclave_target(view, spec) -> Indicator:
    """Operating enclaves as of the scenario's year (the one rule of
    :func:`hygis.analysis.enclaves.project_enclave_counts`) against the target; planned ones due by
    the target year are added as "+N 规划"."""
    from hygis.analysis.enclaves import project_enclave_counts, project_rule

    active = view.scenarios.active
    year = spec.get("as_of") or (view.scenarios[active].year if active else None)
    rule = project_rule(view)
    due = max(rule["target_year"], int(year)) if year else rule["target_year"]  # a vision counts its plans
    target = float(spec["target"]) if spec.get("target") is not None else rule["target"]
    summary = project_enclave_counts(view, as_of=year, visible_only=True, target=target,
                                     target_year=due)["summary"]
    count, planned = summary["count"], summary["planned"]
    share = count / target if target > 0 else None
    text = f"{count} / {_num(target)}" + (f" ({share * 100:.0f}%)" if share is not None else "")
    if planned:
        text += f" +{planned} 规划"
    if summary["reference_year"]:
        text += f" · {summary['reference_year']}年"
    return Indicator("飞地", text, None if share is None else min(share, 1.0), float(count), "个")


def _coverage(view, spec) -> Indicator:
    from hygis.analysis.coverage import TOTAL_LABEL, coverage_by_zone
    from hygis.geo.basemap import zones_from_spec

    layer = _layer(view, spec.get("target"))
    zones_spec = spec.get("zones") or "basemap:city"
    if isinstance(zones_spec, str) and zones_spec.startswith("basemap:"):
        zones = zones_from_spec(zones_spec)
    else:
        zones = _layer(view, zones_spec).visible_data()
    table = coverage_by_zone(layer.visible_data(), zones, by=spec.get("by"),
                             buffer_m=float(spec.get("buffer_m") or 0.0),
                             denominator=spec.get("denominator") or "drawn")
    zone = spec.get("zone")
    if zone:
        row = table[table["zone"] == zone]
        if row.empty:
            raise HygisError("No zone named '{zone}'", zone=zone)
        pct = float(row["covered_share_pct"].iloc[0])
        of = "（占官方陆域面积）" if row["denominator"].iloc[0] == "official" else "（占图斑面积）"
        return Indicator(f"{zone} {layer.name}覆盖率{of}", f"{pct:.1f}%", min(pct / 100.0, 1.0), pct, "%")
    total = table[table["zone"] == TOTAL_LABEL]
    km2 = float(total["covered_area_km2"].iloc[0])
    return Indicator(f"{layer.name}覆盖面积", f"{_num(km2, 1)} km²", None, km2, "km²")


def _count(view, spec) -> Indicator:
    layer = _layer(view, spec.get("layer"))
    n = len(layer.visible_data())
    target = spec.get("target")
    if target:
        target = float(target)
        return Indicator(layer.name, f"{n} / {_num(target)} ({n / target * 100:.0f}%)", min(n / target, 1.0),
                         float(n), "个")
    return Indicator(layer.name, str(n), None, float(n), "个")


def _sum(view, spec) -> Indicator:
    layer = _layer(view, spec.get("layer"))
    field = spec.get("field")
    data = layer.visible_data()
    if field not in data.columns:
        raise HygisError("No field '{field}' in {layer_name}", field=field, layer_name=layer.name)
    try:
        total = float(data[field].astype(float).sum())
    except (TypeError, ValueError):
        raise HygisError("field '{field}' is not numeric", field=field) from None
    unit = str(spec.get("unit") or "")
    return Indicator(f"{layer.name} {field}", f"{_num(total, 1)} {unit}".strip(), None, total, unit)


def _text(view, spec) -> Indicator:
    value = spec.get("value")
    number = None
    try:
        number = float(value)
    except (TypeError, ValueError):
        pass
    return Indicator(str(spec.get("label") or ""), str(value if value is not None else NO_VALUE), None, number)


_EVALUATORS = {"enclave_target": _enclave_target, "coverage": _coverage, "count": _count, "sum": _sum,
               "text": _text}


def _num(value: float, digits: int = 0) -> str:
    if value is None or not math.isfinite(value):
        return NO_VALUE
    if digits == 0 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


# -- comparison ------------------------------------------------------------------------------
class ComparedIndicator(NamedTuple):
    """A row of the comparison table: the label, both texts, the difference (b − a)."""

    label: str
    text_a: str
    text_b: str
    diff_text: str
    diff: float | None


def spec_key(spec: dict) -> str:
    """A key matching the same indicator across scenarios (the spec without its label)."""
    return json.dumps({k: v for k, v in spec.items() if k != "label"}, sort_keys=True, ensure_ascii=False)


def compare_indicators(project, a, b) -> list[ComparedIndicator]:
    """Indicators of scenarios ``a`` and ``b`` side by side with the difference b − a.

    Rows are the union of both scenarios' specs (``a``'s order first). The
    difference of percentages is in percentage points ("+3.2 pp"); rows without
    a number on both sides show "—".
    """
    if isinstance(a, str):
        a = project.scenarios[a]
    if isinstance(b, str):
        b = project.scenarios[b]
    specs, seen = [], set()
    for spec in list(a.indicators) + list(b.indicators):
        key = spec_key(spec)
        if key not in seen:
            seen.add(key)
            specs.append(spec)
    rows_a = evaluate(project, a, specs)
    rows_b = evaluate(project, b, specs)
    out = []
    for ia, ib in zip(rows_a, rows_b):
        diff = None if ia.value is None or ib.value is None else ib.value - ia.value
        out.append(ComparedIndicator(ia.label if ia.text != NO_VALUE else ib.label, ia.text, ib.text,
                                     _diff_text(diff, ia.unit or ib.unit), diff))
    return out


def _diff_text(diff: float | None, unit: str) -> str:
    if diff is None:
        return NO_VALUE
    if abs(diff) < 1e-9:
        return "0"
    if unit == "%":
        return f"{diff:+.1f} pp"
    digits = 0 if float(diff).is_integer() else 1
    text = f"{diff:+,.{digits}f}"
    return f"{text} {unit}".strip() if unit in ("km", "km²") else text
