"""The declarations GUI panels and the CLI share."""

import pytest

from hygis.analysis import registry
from hygis.core.errors import HygisError

from .conftest import ea_box, ea_frame


def test_every_analysis_is_declared_with_labels():
    names = set(registry.analyses())
    assert {"coverage", "adjacency", "contiguity", "enclaves", "targets", "road_density"} <= names
    for analysis in registry.analyses().values():
        assert analysis.title_zh and analysis.title_en
        assert all(p.type in registry.PARAM_TYPES and p.label_zh for p in analysis.params)


def test_run_checks_values_against_the_declaration(zones3):
    coverage = registry.get("coverage")
    assert coverage.param("buffer_m").unit == "m"
    targets = ea_frame([ea_box(1, 1, 3, 3)])
    result = coverage.run(targets=targets, zones=zones3, buffer_m="0")
    assert result["covered_area_km2"].iloc[0] == pytest.approx(4.0)
    with pytest.raises(HygisError, match="Buffer: 'far' is not a number"):
        coverage.run(targets=targets, zones=zones3, buffer_m="far")
    with pytest.raises(HygisError, match="Zones: a value is required"):
        coverage.run(targets=targets)
    with pytest.raises(HygisError, match="unknown parameter"):
        coverage.run(targets=targets, zones=zones3, colour="red")
    with pytest.raises(HygisError, match="Contiguity: 'bishop'"):
        registry.get("contiguity").run(zones=zones3, kind="bishop")
    with pytest.raises(HygisError, match="Unknown analysis"):
        registry.get("kriging")
