"""Which enclaves count toward the plan's target: one rule, derived from the data.

The plan: 「到2025年，杭甬两市与省内其他地区互设科创（产业）飞地数量达到50个以上」.
An enclave counts when

* one side (``host_city`` or ``origin_city``) is 杭州市 or 宁波市 and the other side is
  another Zhejiang prefecture city (:data:`hygis.layers.schema.CITIES`), in either direction;
  杭州市↔宁波市 counts only when the project setting ``count_hangzhou_ningbo`` is on
  (default off: the literal reading, "其他地区" are the other cities);
* its ``enclave_type`` is ``science`` (科创) or ``industry`` (产业);
* it is ``operating`` and opened by the as-of year (an operating enclave without a year
  counts: it exists now).  ``planned`` ones due by the target year (and operating ones
  opened after the as-of year) are counted separately.

A planner may override the first two points for one enclave with the schema fields
``target_override`` (counted or not) and ``override_reason`` (required with it).

:func:`classify` returns, per enclave, ``in_scope``, ``counts``, ``planned``, a reason code
(``rule``) and a reason in words; the panel translates the codes (:data:`REASONS`).
"""

from __future__ import annotations

import pandas as pd

from hygis.layers.schema import CITIES

DUAL_CITIES = ("杭州市", "宁波市")
COUNTED_TYPES = ("science", "industry")
TYPE_WORDS = {"science": "科创", "industry": "产业"}
#: Reason codes and their English templates (fields: host, origin, type, status, year, as_of, note).
REASONS = {
    "counted": "counts: {host} ↔ {origin}, {type}, operating since {year}",
    "counted_undated": "counts: {host} ↔ {origin}, {type}, operating (year not recorded)",
    "planned": "planned, due {year}: counted apart",
    "later": "opens in {year}, after {as_of}: counted as planned",
    "after_target": "due {year}, after the target year",
    "undated_plan": "planned without a year",
    "intra_city": "both sides in {host}",
    "hz_nb": "杭州市 ↔ 宁波市: not counted (project setting)",
    "no_dual_city": "neither side is 杭州市 or 宁波市",
    "outside": "{other} is not a Zhejiang city",
    "type": "type '{type}' is neither 科创 nor 产业",
    "status": "status '{status}' is neither operating nor planned",
    "override_in": "counted by override: {note}",
    "override_out": "not counted by override: {note}",
}


def normalise_city(value) -> str:
    """'杭州' → '杭州市'; '浙江省宁波市' → '宁波市'; other text as it is ('' for missing)."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    text = str(value).strip().removeprefix("浙江省").strip()
    if text and not text.endswith("市") and f"{text}市" in CITIES:
        return f"{text}市"
    return text


def scope(host: str, origin: str, enclave_type: str, count_hangzhou_ningbo: bool = False) -> str | None:
    """None when the pair and type qualify, else the reason code why not."""
    if enclave_type not in COUNTED_TYPES:
        return "type"
    ends = {host, origin}
    if not ends & set(DUAL_CITIES):
        return "no_dual_city"
    if host == origin:
        return "intra_city"
    if ends == set(DUAL_CITIES):
        return None if count_hangzhou_ningbo else "hz_nb"
    other = origin if host in DUAL_CITIES else host
    return None if other in CITIES else "outside"


def classify(frame: pd.DataFrame, as_of: int | None = None, target_year: int = 2025,
             count_hangzhou_ningbo: bool = False) -> pd.DataFrame:
    """Per enclave: whether and why it counts.

    Parameters
    ----------
    frame : DataFrame
        Enclave rows (``host_city``, ``origin_city``, ``enclave_type``, ``status``,
        ``year_opened``, optional ``target_override``/``override_reason``).
    as_of : int, optional
        Year counted (None: now, every operating enclave).
    target_year : int
        Planned enclaves due after this year are not counted as planned.
    count_hangzhou_ningbo : bool
        Whether 杭州市↔宁波市 enclaves count (project setting, default False).

    Returns
    -------
    DataFrame
        Same index; ``in_scope``, ``counts`` (operating, counted as of ``as_of``), ``planned``
        (counted apart), ``rule`` (a :data:`REASONS` code) and ``reason`` (English words).
    """
    rows = [_classify_row(rec, as_of, target_year, count_hangzhou_ningbo)
            for rec in frame.to_dict("records")]
    return pd.DataFrame(rows, index=frame.index, columns=["in_scope", "counts", "planned", "rule", "reason"])


def _override(rec: dict):
    value = rec.get("target_override")
    return None if value is None or value is pd.NA or value != value else bool(value)


def explain(rec: dict, code: str, as_of: int | None = None, template=lambda text: text) -> str:
    """The reason of ``code`` for one enclave in words; ``template`` translates the English
    template (the panel passes its ``tr``), so every language says the same thing."""
    host, origin = normalise_city(rec.get("host_city")), normalise_city(rec.get("origin_city"))
    etype = str(rec.get("enclave_type") or "").strip()
    words = dict(host=host or "?", origin=origin or "?", type=TYPE_WORDS.get(etype, etype),
                 status=str(rec.get("status") or ""), year=_int_or_none(rec.get("year_opened")), as_of=as_of,
                 other=(origin if host in DUAL_CITIES else host) or "?",
                 note=str(rec.get("override_reason") or "").strip())
    text = template(REASONS[code]).format(**words)
    if _override(rec) is True:
        text = template(REASONS["override_in"]).format(**words) + "; " + text
    return text


def _classify_row(rec: dict, as_of, target_year, count_hz_nb) -> tuple:
    host, origin = normalise_city(rec.get("host_city")), normalise_city(rec.get("origin_city"))
    etype = str(rec.get("enclave_type") or "").strip()
    status = str(rec.get("status") or "").strip()
    year = _int_or_none(rec.get("year_opened"))
    override = _override(rec)
    if override is not None:
        out_code = None if override else "override_out"
    else:
        out_code = scope(host, origin, etype, count_hz_nb)
    if out_code is not None:
        return False, False, False, out_code, explain(rec, out_code, as_of)
    if status == "operating":
        if year is None:
            code = "counted_undated"
        elif as_of is None or year <= as_of:
            code = "counted"
        else:
            code = "later" if year <= target_year else "after_target"
    elif status == "planned":
        code = "undated_plan" if year is None else ("planned" if year <= target_year else "after_target")
    else:
        code = "status"
    counts = code in ("counted", "counted_undated")
    planned = code in ("planned", "later")
    return True, counts, planned, code, explain(rec, code, as_of)


def _int_or_none(value):
    try:
        if value is None or value is pd.NA or value != value:
            return None
        return int(float(value))
    except (TypeError, ValueError):
        return None
