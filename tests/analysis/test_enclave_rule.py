"""The one enclave counting rule, the typed override and the one forecast."""

import pandas as pd
import pytest

from hygis.analysis.enclave_rule import classify, normalise_city
from hygis.analysis.enclaves import enclave_counts
from hygis.analysis.forecast import forecast


def rows(*specs):
    """(host, origin, type, status, year) tuples as an enclave table."""
    return pd.DataFrame([dict(name=f"e{i}", host_city=h, origin_city=o, enclave_type=t, status=s, year_opened=y)
                         for i, (h, o, t, s, y) in enumerate(specs)])


@pytest.mark.parametrize("host,origin,etype,rule", [
    ("杭州市", "衢州市", "science", "counted"),
    ("丽水市", "宁波市", "industry", "counted"),        # either direction
    ("杭州", "浙江省丽水市", "science", "counted"),      # names as other tools write them
    ("杭州市", "杭州市", "science", "intra_city"),
    ("杭州市", "宁波市", "science", "hz_nb"),
    ("宁波市", "安徽省宿州市", "industry", "outside"),
    ("温州市", "丽水市", "industry", "no_dual_city"),
    ("杭州市", "衢州市", "ecology", "type"),
])
def test_the_rule_reads_host_origin_and_type(host, origin, etype, rule):
    verdict = classify(rows((host, origin, etype, "operating", 2020)))
    assert verdict["rule"].iloc[0] == rule
    assert bool(verdict["counts"].iloc[0]) == (rule == "counted")


def test_hangzhou_ningbo_is_a_setting():
    frame = rows(("杭州市", "宁波市", "science", "operating", 2020), ("宁波市", "衢州市", "science", "operating", 2021))
    assert enclave_counts(frame)["summary"]["count"] == 1
    summary = enclave_counts(frame, count_hangzhou_ningbo=True)["summary"]
    assert summary["count"] == 2 and summary["count_hangzhou_ningbo"] is True


def test_as_of_and_planned_are_counted_apart():
    frame = rows(("杭州市", "衢州市", "science", "operating", 2019), ("杭州市", "衢州市", "science", "operating", 2023),
                 ("宁波市", "丽水市", "industry", "planned", 2025), ("宁波市", "丽水市", "industry", "planned", 2027))
    s = enclave_counts(frame, as_of=2020)["summary"]
    assert (s["count"], s["planned"]) == (1, 2)  # the 2023 opening is "later", planned; 2027 is after the target
    table = enclave_counts(frame, as_of=2020)["enclaves"]
    assert list(table["counts"]) == [True, False, False, False]
    assert list(table["rule"]) == ["counted", "later", "planned", "after_target"]
    assert all(table["reason"].str.len() > 5)


def test_override_needs_a_reason_and_wins(tmp_path):
    frame = rows(("杭州市", "杭州市", "science", "operating", 2019), ("杭州市", "衢州市", "science", "operating", 2019))
    frame["target_override"] = [True, False]
    frame["override_reason"] = ["淳安县为山区县，按省文件计入", "合作已终止"]
    table = enclave_counts(frame)["enclaves"]
    assert list(table["counts"]) == [True, False]
    assert "淳安县" in table["reason"].iloc[0] and "合作已终止" in table["reason"].iloc[1]


@pytest.mark.parametrize("value,expected", [(0, False), (0.0, False), ("0", False), ("false", False),
                                            (False, False), (None, None), ("", None), (1, True), ("1.0", True),
                                            ("true", True), ("是", True)])
def test_booleans_read_what_other_tools_write(value, expected):
    from hygis.layers.schema import SCHEMAS, coerce_value

    assert coerce_value(SCHEMAS["enclave"].field("target_override"), value) is expected


def test_a_bad_boolean_is_refused_naming_the_field():
    from hygis.core.errors import HygisError
    from hygis.layers.schema import validate_frame
    import geopandas as gpd
    import shapely

    frame = rows(("杭州市", "衢州市", "science", "operating", 2019))
    frame["source"] = "t"
    frame["target_override"] = ["maybe"]
    frame["override_reason"] = ["?"]
    gdf = gpd.GeoDataFrame(frame, geometry=[shapely.Point(120, 30)], crs=4326)
    with pytest.raises(HygisError, match="feature 1: field 'target_override': 'maybe' is not a valid bool"):
        validate_frame("enclave", gdf)


def test_normalise_city():
    assert normalise_city(" 宁波 ") == "宁波市" and normalise_city(None) == "" and normalise_city("安徽省宿州市") == "安徽省宿州市"


def test_forecast_fits_the_last_years_and_says_how():
    fc = forecast({2018: 10, 2019: 12, 2020: 14, 2021: 16, 2022: 18}, 30)
    assert fc.latest == 18 and fc.latest_year == 2022
    assert fc.projected_year == 2028 and fc.years_used == 5 and "2018–2022" in fc.method
    assert forecast({2019: 10, 2020: 12, 2021: 14}, 30, n_years=2).years_used == 3  # never fewer than 3


def test_forecast_needs_three_years():
    fc = forecast({2021: 27.1, 2024: 28.8}, 30)
    assert fc.projected_year is None and fc.projected_text == "—" and "fewer than 3 years" in fc.note
    assert fc.latest == 28.8 and fc.latest_year == 2024


def test_forecast_reached_and_falling_targets():
    assert forecast({2019: 40, 2020: 55, 2021: 60}, 50).projected_year == 2020
    rank = forecast({2019: 13, 2020: 12, 2021: 10}, 8, higher_is_better=False)
    assert rank.projected_year == 2023
    assert forecast({2019: 5, 2020: 5, 2021: 5}, 8).note == "no progress at the recent pace"


def test_latest_and_projection_do_not_depend_on_the_year_counted():
    frame = rows(*[("杭州市", "衢州市", "science", "operating", y) for y in (2016, 2018, 2019, 2020, 2020, 2021)])
    a = enclave_counts(frame, as_of=2019)["summary"]
    b = enclave_counts(frame, as_of=2025)["summary"]
    c = enclave_counts(frame)["summary"]
    assert (a["count"], b["count"], c["count"]) == (3, 6, 6)
    keys = ("latest", "latest_year", "projected_year", "projection_method")
    assert [a[k] for k in keys] == [b[k] for k in keys] == [c[k] for k in keys]
    assert c["latest"] == 6 and c["latest_year"] == 2021 and "linear fit" in c["projection_method"]
