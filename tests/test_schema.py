import geopandas as gpd
import pytest
import shapely

from hygis.core.errors import HygisError
from hygis.layers.schema import SCHEMAS, validate_frame, validate_record

GOOD_ENCLAVE = dict(name="衢州海创园", host_city="杭州市", origin_city="衢州市", enclave_type="science",
                    status="operating", year_opened=2012, source="REFERENCE.md")


def test_five_thematic_kinds_with_required_fields():
    assert set(SCHEMAS) == {"corridor", "ftz", "coastline", "enclave", "heritage",
                            "transport", "hub", "platform", "newarea"}  # + the flagship projects (issue 14)
    assert SCHEMAS["transport"].geometry == "line" and SCHEMAS["transport"].field("length_km").computed
    assert {f.name for f in SCHEMAS["transport"].fields} >= {"mode", "status", "year", "length_km"}
    assert SCHEMAS["enclave"].geometry == "point"
    assert {f.name for f in SCHEMAS["enclave"].fields if f.required} >= {"name", "host_city", "origin_city",
                                                                          "enclave_type", "status", "source"}


def test_valid_record_is_coerced():
    rec = validate_record("enclave", {**GOOD_ENCLAVE, "year_opened": "2019"})
    assert rec["year_opened"] == 2019


@pytest.mark.parametrize("field,value,msg", [
    ("host_city", None, "field 'host_city': a value is required"),
    ("enclave_type", "farm", "field 'enclave_type': 'farm' is not allowed"),
    ("year_opened", "soon", "field 'year_opened': 'soon' is not a valid int"),
    ("year_opened", 2019.5, "field 'year_opened'"),
])
def test_bad_values_are_refused_naming_the_field(field, value, msg):
    with pytest.raises(HygisError, match=msg):
        validate_record("enclave", {**GOOD_ENCLAVE, field: value})


def test_frame_validation_names_feature_and_field():
    gdf = gpd.GeoDataFrame([GOOD_ENCLAVE, {**GOOD_ENCLAVE, "status": "closed"}],
                           geometry=[shapely.Point(120, 30), shapely.Point(121, 30)], crs=4326)
    with pytest.raises(HygisError, match="feature 2: field 'status'"):
        validate_frame("enclave", gdf)


def test_wrong_geometry_type_is_refused():
    gdf = gpd.GeoDataFrame([GOOD_ENCLAVE], geometry=[shapely.box(0, 0, 1, 1)], crs=4326)
    with pytest.raises(HygisError, match="needs point geometries"):
        validate_frame("enclave", gdf)


def test_missing_required_column():
    gdf = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.Point(0, 0)], crs=4326)
    with pytest.raises(HygisError, match="field 'host_city' is required"):
        validate_frame("enclave", gdf)


def test_value_and_field_labels_follow_the_language():
    from hygis.layers.schema import field_label, value_label

    assert value_label("under_construction", "zh_CN") == "在建"
    assert value_label("under_construction", "en") == "Under construction"
    assert value_label("杭州市", "en") == "杭州市"  # not a code: shown as it is
    assert field_label(SCHEMAS["enclave"].field("host_city"), "zh") == "所在城市"
