"""Shapefile/CSV text encodings: .cpg, DBF code page, trial decoding; never mojibake."""

import warnings

import geopandas as gpd
import pyogrio
import pytest
import shapely

from hygis.core.errors import HygisError
from hygis.io import load_layers, preview_vector
from hygis.io.encoding import detect_dbf_encoding, detect_text_encoding, normalize_encoding
from tests.io.conftest import write_gbk_shapefile


def _set_ldid(shp, value):
    with open(shp.with_suffix(".dbf"), "r+b") as f:
        f.seek(29)
        f.write(bytes([value]))


def test_gbk_shapefile_without_cpg_or_code_page_is_detected_by_trial_decoding(gbk_shp):
    assert open(gbk_shp.with_suffix(".dbf"), "rb").read()[29] == 0
    enc, reason = detect_dbf_encoding(gbk_shp)
    assert enc == "gbk"
    assert "GBK" in reason and "no .cpg" in reason
    layer, = load_layers(gbk_shp)
    assert layer.data["name"].tolist() == ["西湖区", "鄞州区"]
    assert layer.data["city"].tolist() == ["杭州市", "宁波市"]


@pytest.mark.parametrize("ldid", [0x4D, 0x7A])
def test_dbf_code_page_byte_says_gbk(tmp_path, ldid):
    shp = write_gbk_shapefile(tmp_path / "cp.shp")
    _set_ldid(shp, ldid)
    enc, reason = detect_dbf_encoding(shp)
    assert enc == "gbk" and f"0x{ldid:02X}" in reason
    assert load_layers(shp)[0].data["name"].tolist() == ["西湖区", "鄞州区"]


def test_ansi_code_page_falls_back_to_trial_decoding(tmp_path):
    shp = write_gbk_shapefile(tmp_path / "ansi.shp")
    _set_ldid(shp, 0x57)
    enc, reason = detect_dbf_encoding(shp)
    assert enc == "gbk" and "ANSI" in reason


def test_wrong_cpg_is_overruled_and_said(tmp_path):
    shp = write_gbk_shapefile(tmp_path / "liar.shp")
    shp.with_suffix(".cpg").write_text("UTF-8")
    enc, reason = detect_dbf_encoding(shp)
    assert enc == "gbk"
    assert "UTF-8" in reason and "do not decode" in reason
    assert load_layers(shp)[0].data["name"].tolist() == ["西湖区", "鄞州区"]


def test_utf8_shapefile_with_and_without_cpg(tmp_path):
    gdf = gpd.GeoDataFrame({"name": ["西湖区", "鄞州区"]}, geometry=[shapely.Point(120.13, 30.26), shapely.Point(121.55, 29.82)], crs=4326)
    shp = tmp_path / "utf8.shp"
    pyogrio.write_dataframe(gdf, shp)
    assert shp.with_suffix(".cpg").read_text().strip() == "UTF-8"
    assert detect_dbf_encoding(shp)[0] == "utf-8"
    assert load_layers(shp)[0].data["name"].tolist() == ["西湖区", "鄞州区"]
    shp.with_suffix(".cpg").unlink()
    enc, reason = detect_dbf_encoding(shp)
    assert enc == "utf-8" and "UTF-8" in reason
    assert load_layers(shp)[0].data["name"].tolist() == ["西湖区", "鄞州区"]


def test_undetectable_encoding_is_refused_not_imported_as_mojibake(tmp_path):
    gdf = gpd.GeoDataFrame({"name": ["Café Müller", "Hôtel Zürich"]}, geometry=[shapely.Point(120, 30)] * 2, crs=4326)
    shp = tmp_path / "latin.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pyogrio.write_dataframe(gdf, shp, encoding="cp1252")
    shp.with_suffix(".cpg").unlink()
    _set_ldid(shp, 0)
    assert detect_dbf_encoding(shp)[0] is None
    with pytest.raises(HygisError, match="cannot tell the text encoding.*--encoding"):
        load_layers(shp)
    preview = preview_vector(shp)
    assert preview["encoding_detected"] is None and "neither" in preview["encoding_reason"]
    assert load_layers(shp, encoding="cp1252")[0].data["name"].tolist() == ["Café Müller", "Hôtel Zürich"]


def test_users_encoding_is_checked(gbk_shp):
    with pytest.raises(HygisError, match="not valid utf-8"):
        load_layers(gbk_shp, encoding="utf-8")
    with pytest.raises(HygisError, match="Unknown text encoding"):
        load_layers(gbk_shp, encoding="klingon")
    assert load_layers(gbk_shp, encoding="GB18030")[0].data["name"].tolist() == ["西湖区", "鄞州区"]


def test_preview_shows_detected_encoding_and_first_rows(gbk_shp):
    p = preview_vector(gbk_shp, n=1)
    assert p["encoding_detected"] == "gbk"
    assert p["columns"] == ["name", "city", "rank", "pop_wan"]
    assert p["rows"] == [{"name": "西湖区", "city": "杭州市", "rank": 1, "pop_wan": 115.5}]
    assert p["feature_count"] == 2 and p["geometry_type"] == "polygon" and p["crs"] == "EPSG:4326"
    # the user overrides the guess: the preview decodes with their choice
    assert preview_vector(gbk_shp, encoding="gb18030")["rows"][1]["name"] == "鄞州区"


def test_csv_encodings(tmp_path):
    text = "名称,经度,纬度\n西湖,120.13,30.26\n"
    for enc, expect in (("gbk", "gbk"), ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig")):
        path = tmp_path / f"{enc}.csv"
        path.write_bytes(text.encode(enc))
        assert detect_text_encoding(path)[0] == expect
        assert load_layers(path)[0].data["名称"].tolist() == ["西湖"]


@pytest.mark.parametrize("label, codec", [("GBK", "gbk"), ("936", "gbk"), ("UTF-8", "utf-8"), ("utf8", "utf-8"),
                                          ("65001", "utf-8"), ("1252", "cp1252"), ("88591", "latin-1"), ("nonsense", None)])
def test_normalize_encoding(label, codec):
    assert normalize_encoding(label) == codec
