"""Declarations of the analyses: name, titles, parameters (type, default, label, unit) and the function.

The GUI panels build their forms from these declarations and the CLI maps its
options onto them, so both are thin wrappers over :meth:`Analysis.run`, which
checks and converts the values before calling the pure function.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from hygis.core.errors import HygisError
from hygis.core.text import Bilingual

#: Parameter types: inputs the caller resolves (layer/layers/zones/project), and plain values.
PARAM_TYPES = ("layer", "layers", "zones", "project", "field", "float", "int", "choice", "weights", "bool")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    label_en: str
    label_zh: str
    default: Any = None
    required: bool = False
    unit: str = ""
    choices: tuple = ()
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""

    @property
    def title(self) -> Bilingual:
        """The label in both languages (error messages name the option the way the form does)."""
        return Bilingual(self.label_en, self.label_zh)

    def convert(self, value):
        """The checked value (HygisError naming the parameter when it is not valid)."""
        if value is None:
            if self.required:
                raise HygisError("{option}: a value is required", option=self.title)
            return self.default
        if self.type in ("float", "int"):
            try:
                number = float(value)
                if not math.isfinite(number):
                    raise ValueError
                if self.type == "int":
                    if not number.is_integer():
                        raise ValueError
                    number = int(number)
            except (TypeError, ValueError):
                raise HygisError("{option}: '{value}' is not a whole number" if self.type == "int" else
                                 "{option}: '{value}' is not a number", option=self.title, value=value) from None
            if (self.minimum is not None and number < self.minimum) or \
                    (self.maximum is not None and number > self.maximum):
                raise HygisError("{option}: {value} is outside {minimum}–{maximum} {unit}" if self.unit else
                                 "{option}: {value} is outside {minimum}–{maximum}", option=self.title, value=value,
                                 minimum=self.minimum, maximum=self.maximum, unit=self.unit)
            return number
        if self.type == "bool":
            return bool(value)
        if self.type == "choice" and value not in self.choices:
            raise HygisError("{option}: '{value}' is not one of {choices}",
                             option=self.title, value=value, choices=', '.join(map(str, self.choices)))
        return value


@dataclass(frozen=True)
class Analysis:
    name: str
    title_en: str
    title_zh: str
    function: Callable
    params: tuple[Param, ...] = field(default_factory=tuple)
    cancellable: bool = True

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def run(self, progress=None, cancelled=None, **values):
        """Check ``values`` against the declaration and call the function."""
        unknown = set(values) - {p.name for p in self.params}
        if unknown:
            raise HygisError("{analysis}: unknown parameter(s) {names}",
                             analysis=self.name, names=', '.join(sorted(unknown)))
        kwargs = {p.name: p.convert(values.get(p.name)) for p in self.params}
        if self.cancellable:
            kwargs.update(progress=progress, cancelled=cancelled)
        return self.function(**kwargs)


def _declarations() -> dict[str, Analysis]:
    from hygis.analysis.adjacency import adjacency_pairs
    from hygis.analysis.contiguity import zone_contiguity
    from hygis.analysis.coverage import DENOMINATORS, MAX_BUFFER_M, coverage_by_zone
    from hygis.analysis.enclave_pairs import enclave_pairs
    from hygis.analysis.enclaves import DEFAULT_TARGET, DEFAULT_TARGET_YEAR, enclave_counts
    from hygis.analysis.targets import road_network_density, targets_table

    year = dict(minimum=1900, maximum=2200)
    items = [
        Analysis("coverage", "Coverage by zone", "分区覆盖率", coverage_by_zone, (
            Param("targets", "layers", "Target layers", "目标图层", required=True),
            Param("zones", "zones", "Zones", "分区", required=True),
            Param("by", "field", "Zone name field", "分区字段"),
            Param("buffer_m", "float", "Buffer", "缓冲距离", 0.0, unit="m", minimum=0, maximum=MAX_BUFFER_M),
            Param("weights", "weights", "Population weights", "人口加权",
                  help="a numeric zone field or a population raster"),
            Param("denominator", "choice", "Share of", "面积分母", "drawn", choices=DENOMINATORS,
                  help="drawn: the zone polygon (incl. tidal flats); official: the official land area where known"),
        )),
        Analysis("adjacency", "Adjacency", "邻接分析", adjacency_pairs, (
            Param("a", "layer", "Layer A", "图层A", required=True),
            Param("b", "layer", "Layer B", "图层B", help="empty: pairs within layer A"),
            Param("distance_m", "float", "Within distance", "距离阈值", unit="m", minimum=0, maximum=1_000_000),
        )),
        Analysis("contiguity", "Zone contiguity", "分区相邻", zone_contiguity, (
            Param("zones", "zones", "Zones", "分区", required=True),
            Param("kind", "choice", "Contiguity", "相邻规则", "queen", choices=("queen", "rook")),
            Param("by", "field", "Zone name field", "分区字段", "name"),
        ), cancellable=False),
        Analysis("enclaves", "Enclave counts", "飞地统计", enclave_counts, (
            Param("enclaves", "layers", "Enclave layers", "飞地图层", required=True),
            Param("as_of", "int", "As of year", "统计年份", **year),
            Param("target", "float", "Target", "目标数量", DEFAULT_TARGET, minimum=0, maximum=1e6),
            Param("target_year", "int", "Target year", "目标年份", DEFAULT_TARGET_YEAR, **year),
            Param("count_hangzhou_ningbo", "bool", "Count 杭州↔宁波 enclaves", "杭甬互设飞地计入目标", False),
        ), cancellable=False),
        Analysis("enclave_pairs", "Enclaves by city pair", "飞地城市对", enclave_pairs, (
            Param("enclaves", "layers", "Enclave layers", "飞地图层", required=True),
            Param("as_of", "int", "As of year", "统计年份", **year),
            Param("target_year", "int", "Target year", "目标年份", DEFAULT_TARGET_YEAR, **year),
            Param("count_hangzhou_ningbo", "bool", "Count 杭州↔宁波", "计入杭甬互设", False),
        ), cancellable=False),
        Analysis("targets", "Plan targets", "规划目标", targets_table, (
            Param("project", "project", "Project", "项目", required=True),
            Param("as_of", "int", "As of year", "统计年份", **year),
        ), cancellable=False),
        Analysis("road_density", "Road network density", "路网密度", road_network_density, (
            Param("roads", "layer", "Road layer", "道路图层", required=True),
            Param("zones", "zones", "Zones", "分区", required=True),
            Param("by", "field", "Zone name field", "分区字段"),
            Param("denominator", "choice", "Per area", "面积分母", "drawn", choices=DENOMINATORS),
        )),
    ]
    return {a.name: a for a in items}


_CACHE: dict[str, Analysis] = {}


def analyses() -> dict[str, Analysis]:
    """All declared analyses by name (built on first use)."""
    if not _CACHE:
        _CACHE.update(_declarations())
    return _CACHE


def get(name: str) -> Analysis:
    try:
        return analyses()[name]
    except KeyError:
        raise HygisError("Unknown analysis '{name}': use one of {value}",
                         name=name, value=', '.join(analyses())) from None
