"""Measurable targets of the dual-city plan (stored in and editable per project)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from hygis.core.errors import HygisError

#: Rows whose "latest" value hygis computes from layers instead of taking it as typed.
COMPUTED = ("enclave_count", "road_density")
#: How the plan states a target: "" (reach the value), ">" / "≥" (more than / at least), "<" / "≤".
OPERATORS = ("", ">", "≥", "<", "≤")
_OPERATOR_ALIASES = {">=": "≥", "<=": "≤", "=": ""}


@dataclass
class PlanTarget:
    key: str
    name_zh: str
    name_en: str
    unit: str = ""
    target: float | None = None
    target_year: int = 2025
    baseline: float | None = None
    baseline_year: int | None = None
    latest: float | None = None
    latest_year: int | None = None
    higher_is_better: bool = True
    computed: str | None = None  # one of COMPUTED
    source: str = ""
    operator: str = ""  # one of OPERATORS: the plan says ">30 %", not "30 %"
    latest_source: str = ""  # where the latest value (of latest_year) comes from
    baseline_source: str = ""
    layer: str = ""  # the project layer that maps this target (e.g. 四港联动 for the shipping rank)

    def target_text(self, digits: int | None = None) -> str:
        """The target as the plan states it: ``">30"``, ``"≥100"``, ``"4.3"`` ('' without a value)."""
        if self.target is None:
            return ""
        value = self.target
        text = f"{value:,.{digits}f}" if digits is not None else (f"{value:,.0f}" if float(value).is_integer()
                                                                  else f"{value:,g}")
        return f"{self.operator}{text}"

    def met(self) -> bool | None:
        """Whether the latest value meets the target with its operator (None without numbers)."""
        if self.target is None or self.latest is None:
            return None
        op = self.operator or ("≥" if self.higher_is_better else "≤")
        return {">": self.latest > self.target, "≥": self.latest >= self.target,
                "<": self.latest < self.target, "≤": self.latest <= self.target}[op]

    def progress(self) -> float | None:
        """Share of the way from baseline (or 0) to target, 0–1+; None without numbers."""
        if self.target is None or self.latest is None:
            return None
        base = self.baseline if self.baseline is not None else 0.0
        if self.target == base:
            return 1.0
        return (self.latest - base) / (self.target - base)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "PlanTarget":
        if not isinstance(d, dict):
            raise HygisError("a target must be an object")
        try:
            key = str(d["key"])[:100]
            out = cls(key=key, name_zh=str(d.get("name_zh", key))[:500], name_en=str(d.get("name_en", key))[:500],
                      unit=str(d.get("unit", ""))[:50], target=_num(d.get("target")),
                      target_year=int(d.get("target_year") or 2025), baseline=_num(d.get("baseline")),
                      baseline_year=_int(d.get("baseline_year")), latest=_num(d.get("latest")),
                      latest_year=_int(d.get("latest_year")), higher_is_better=bool(d.get("higher_is_better", True)),
                      computed=d.get("computed") if d.get("computed") in COMPUTED else None,
                      source=str(d.get("source", ""))[:5000], operator=_operator(d.get("operator")),
                      latest_source=str(d.get("latest_source") or "")[:2000],
                      baseline_source=str(d.get("baseline_source") or "")[:2000],
                      layer=str(d.get("layer") or "")[:200])
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise HygisError("invalid target: {reason}", reason=exc) from None
        return out


def _operator(v) -> str:
    op = "" if v is None else str(v).strip()
    op = _OPERATOR_ALIASES.get(op, op)
    if op not in OPERATORS:
        raise ValueError(f"unknown operator {v!r} (use one of > ≥ < ≤)")
    return op


def _num(v):
    if v is None or v == "":
        return None
    f = float(v)
    if not math.isfinite(f):
        raise ValueError("not a finite number")
    return f


def _int(v):
    return None if v is None or v == "" else int(v)
