from unittest.mock import Mock

import geopandas as gpd
import pytest
import shapely

from hygis.geo import crs as hcrs
from hygis.core.errors import HygisError
from hygis.layers.style import Style, default_style, feature_colors, graduated_breaks, class_colors
from hygis.layers.vector import VectorLayer
from tests.factories import corridor_layer, enclave_layer


def test_computed_area_is_equal_area_km2():
    layer = corridor_layer()
    expected = hcrs.area_km2([shapely.box(119.7, 30.2, 120.1, 30.35)])[0]
    assert layer.data["area_km2"].iloc[0] == pytest.approx(expected, abs=1e-3)
    assert 600 < expected < 700  # 0.4° × 0.15° at 30°N


def test_layer_in_other_crs_is_stored_in_wgs84():
    gdf = gpd.GeoDataFrame({"v": [1]}, geometry=[shapely.Point(500000, 3320000)], crs="EPSG:4549")
    layer = VectorLayer("gk", gdf)
    x, y = layer.data.geometry.iloc[0].coords[0]
    assert x == pytest.approx(120.0, abs=1e-6) and 29.9 < y < 30.1


def test_layer_without_crs_is_refused():
    with pytest.raises(HygisError, match="no coordinate reference system"):
        VectorLayer("x", gpd.GeoDataFrame({"v": [1]}, geometry=[shapely.Point(0, 0)]))


def test_setters_validate_then_emit():
    layer = enclave_layer()
    cb = Mock()
    layer.events.opacity.connect(cb)
    with pytest.raises(HygisError):
        layer.opacity = 1.5
    cb.assert_not_called()
    layer.opacity = 0.5
    cb.assert_called_once_with(0.5)
    layer.opacity = 0.5  # unchanged: no event
    assert cb.call_count == 1


def test_filter_and_visible_data():
    layer = enclave_layer(5)
    layer.filter = "year_opened <= 2017 and host_city == '杭州市'"
    assert sorted(layer.visible_data()["year_opened"]) == [2015, 2017]
    with pytest.raises(HygisError):
        layer.filter = "__import__('os')"


def test_categorized_colors_per_feature():
    layer = enclave_layer(4)
    colors = feature_colors(layer.style, layer.data)
    cats = default_style("enclave").categories
    assert colors == [cats["science"], cats["industry"], cats["science"], cats["industry"]]


def test_graduated_breaks_and_legend():
    st = Style(mode="graduated", field="v", classes=4, breaks=graduated_breaks([1, 2, 3, 4, 5, 6, 7, 8], 4))
    assert st.breaks == [2.75, 4.5, 6.25, 8.0]
    rows = class_colors(st)
    assert len(rows) == 4 and rows[0][0] == "≤ 2.75"


def test_style_round_trip_and_validation():
    st = default_style("coastline")
    assert Style.from_dict(st.to_dict()) == st
    with pytest.raises(HygisError, match="colour"):
        Style(fill="red")
    with pytest.raises(HygisError, match="needs a field"):
        Style(mode="categorized")


def test_natural_breaks_find_the_gaps_in_the_data():
    from hygis.layers.style import graduated_breaks

    values = [1, 2, 3, 2, 1, 50, 52, 51, 49, 200, 205, 198]  # three clear groups
    assert graduated_breaks(values, 3, "jenks") == [3.0, 52.0, 205.0]
    quantile = graduated_breaks(values, 3, "quantile")
    assert quantile != [3.0, 52.0, 205.0]  # equal counts cut through the groups
    assert graduated_breaks(values, 3, "equal") == pytest.approx([69.0, 137.0, 205.0])
    assert graduated_breaks([5, 5, 5], 4, "jenks") == [5.0]
    with pytest.raises(HygisError):
        graduated_breaks(values, 3, "magic")
