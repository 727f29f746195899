"""Encoding detection tells Chinese GBK/GB18030 from Latin-1 and Shift-JIS text that also decodes
as GBK (issue 16: 'ÀÉÎÕÜ' and Portuguese 'AÇÃO' came in as nonsense hanzi).  Property tests over
random Chinese place names (GBK), random French/German/Portuguese words (Latin-1) and Japanese
(Shift-JIS), written as CSV files and Shapefile DBFs; end to end through ``hygis import``."""

from __future__ import annotations

import geopandas as gpd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from hygis.cli import main
from hygis.io.encoding import classify_bytes, detect_dbf_encoding, detect_text_encoding

PLACE_HEADS = ["杭州", "宁波", "绍兴", "余姚", "慈溪", "萧山", "西湖", "拱墅", "鄞州", "镇海", "北仑", "奉化", "象山",
               "宁海", "上虞", "嵊州", "诸暨", "滨江", "钱塘", "临平", "余杭", "富阳", "桐庐", "海曙", "江北", "梅山",
               "甬江", "三江口", "东钱湖", "杭州湾", "前湾", "舟山", "运河", "良渚", "天一阁", "湘湖"]
PLACE_TAILS = ["市", "区", "县", "镇", "乡", "街道", "村", "路", "大道", "公园", "新区", "工业园", "科创园", "片区",
               "港区", "枢纽", "站", "广场", "科创走廊", "自贸片区", "生态海岸带", "飞地", "遗产点", "小学"]
EXTRAS = ["", " ", "A区", "B区", "3号楼", "G92", "一期", "二期", "（规划）", "、", "，", "2025年", "No.5"]
LATIN_WORDS = ["ÀÉÎÕÜ", "ÉCOLE", "Église", "rivière", "château", "élève", "fenêtre", "Noël", "garçon", "Müller",
               "Straße", "Größe", "Übersee", "Äpfel", "Köln", "Zürich", "Bäckerei", "informação", "AÇÃO", "ações",
               "coração", "São", "João", "CORAÇÕES", "INFORMAÇÕES", "não", "Conceição", "Região", "órgãos",
               "português", "côte", "crème", "brûlée", "déjà", "naïve", "ÇA", "Ñandú", "café", "Paris", "Lisboa"]
JAPANESE_WORDS = ["東京都", "大阪府", "横浜市", "ひらがな", "カタカナ", "さくら", "駅前", "ビル", "新宿区", "渋谷",
                  "みなとみらい", "港区", "センター", "北海道", "京都", "神戸", "なごや", "ホテル"]

places = st.builds(lambda h, t, e: h + t + e, st.sampled_from(PLACE_HEADS), st.sampled_from(PLACE_TAILS),
                   st.sampled_from(EXTRAS))
latin_text = st.lists(st.sampled_from(LATIN_WORDS), min_size=1, max_size=6).map(" ".join)
latin_text = st.one_of(latin_text, latin_text.map(str.upper))
japanese_text = st.lists(st.sampled_from(JAPANESE_WORDS), min_size=1, max_size=5).map("".join)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(st.lists(places, min_size=1, max_size=30))
def test_chinese_place_names_in_gbk_are_gbk(names):
    assert classify_bytes([n.encode("gbk") for n in names])[0] == "gbk"


@SETTINGS
@given(st.lists(latin_text, min_size=1, max_size=30))
def test_latin1_words_are_never_taken_as_chinese(rows):
    chunks = [r.encode("latin-1") for r in rows]
    enc, why = classify_bytes(chunks)
    assert enc not in ("gbk", "gb18030"), (rows, enc)
    if any(b >= 0x80 for c in chunks for b in c):  # accented letters: refused, asking for --encoding
        assert enc is None and "--encoding" in why, (rows, enc)


@SETTINGS
@given(st.lists(japanese_text, min_size=1, max_size=30))
def test_shift_jis_japanese_is_never_taken_as_chinese(rows):
    enc, why = classify_bytes([r.encode("cp932") for r in rows])
    assert enc not in ("gbk", "gb18030")
    assert enc is None and "--encoding" in why, (rows, enc)  # kanji-only text is not named Japanese, but refused


@SETTINGS
@given(st.lists(st.one_of(places, latin_text, japanese_text), min_size=1, max_size=30))
def test_utf8_text_is_utf8(rows):
    assert classify_bytes([r.encode("utf-8") for r in rows])[0] == "utf-8"


def test_gb18030_only_characters_are_gb18030():
    assert classify_bytes(["𠮷野家杭州店".encode("gb18030"), "宁波市".encode("gb18030")])[0] == "gb18030"


@SETTINGS
@given(rows=st.lists(st.tuples(places, latin_text), min_size=1, max_size=15))
@example(rows=[("甬江站", "ÀÉÎÕÜ")])  # GBK that is valid UTF-8: a rare ideograph beyond the BMP + an Armenian letter
def test_csv_files_told_apart(rows, tmp_path_factory):
    folder = tmp_path_factory.mktemp("csv")
    body = "name,lon,lat\n" + "".join(f"{z},{120.1 + i * 0.01},{30.2}\n" for i, (z, _) in enumerate(rows))
    (folder / "zh.csv").write_bytes(body.encode("gbk"))
    body = "name,lon,lat\n" + "".join(f"{w},{120.1 + i * 0.01},{30.2}\n" for i, (_, w) in enumerate(rows))
    (folder / "fr.csv").write_bytes(body.encode("latin-1"))
    assert detect_text_encoding(folder / "zh.csv")[0] == "gbk"
    latin_enc = detect_text_encoding(folder / "fr.csv")[0]
    assert latin_enc not in ("gbk", "gb18030")
    if any(ord(c) > 127 for _, w in rows for c in w):
        assert latin_enc is None


def _shapefile(folder, names, encoding):
    gdf = gpd.GeoDataFrame({"name": names}, geometry=[Point(120 + i * 0.01, 30) for i in range(len(names))],
                           crs="EPSG:4326")
    path = folder / f"{encoding}.shp"
    gdf.to_file(path, encoding={"gbk": "CP936", "latin-1": "ISO-8859-1"}[encoding], engine="pyogrio")
    for side in (path.with_suffix(".cpg"),):
        side.unlink(missing_ok=True)  # as ArcGIS on Windows writes them: no .cpg
    return path


def test_dbf_without_cpg_told_apart_and_cli_refuses_latin1(tmp_path, capsys):
    latin = ["INFORMAÇÕES", "AÇÃO", "ÀÉÎÕÜ", "Conceição", "Bäckerei", "Zürich"]
    zh = ["杭州市西湖区", "宁波市鄞州区", "甬江科创走廊", "A区3号楼"]
    assert detect_dbf_encoding(_shapefile(tmp_path, zh, "gbk"))[0] == "gbk"
    lat = _shapefile(tmp_path, latin, "latin-1")
    enc, why = detect_dbf_encoding(lat)
    assert enc is None and "--encoding" in why
    project = tmp_path / "p.hygis"
    assert main(["import", str(project), str(lat), "--create"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--encoding" in err, err
    assert not project.exists()
    assert main(["import", str(project), str(lat), "--create", "--encoding", "latin-1"]) == 0
    capsys.readouterr()
    from hygis.project.fileformat import open_project

    assert open_project(project).layers[0].data["name"].tolist() == latin
