"""Print layouts as data (no Qt): paper sizes, scales, the ground extent of the map frame, saving."""

import pytest

from hygis.core.errors import HygisError
from hygis.present.layout import Layout, format_scale, nice_scale, parse_scale
from hygis.project import Project
from hygis.project.fileformat import open_project, save_project
from hygis.project.layouts import SetLayout, SetTileSource
from tests.factories import enclave_layer


def test_paper_sizes_follow_iso_and_orientation():
    assert Layout(paper="A4", orientation="portrait").paper_mm == (210, 297)
    assert Layout(paper="A3", orientation="landscape").paper_mm == (420, 297)
    assert Layout(paper="A0", orientation="portrait").paper_mm == (841, 1189)


def test_scale_text_and_parsing():
    assert format_scale(50000) == "1:50,000"
    assert parse_scale("1:50,000") == parse_scale("50000") == parse_scale("1:5万") == 50000
    assert parse_scale("fit") is None
    for bad in ("abc", "1:10", "1:90,000,000"):
        with pytest.raises(HygisError):
            parse_scale(bad)
    assert nice_scale(43_210) == 50_000 and nice_scale(50_000) == 50_000 and nice_scale(101_000) == 125_000


def test_map_frame_covers_the_ground_its_scale_says():
    lay = Layout(paper="A3", orientation="landscape", scale=50_000)
    _, _, w_mm, h_mm = lay.frames()["map"]
    x0, y0, x1, y1 = lay.map_bounds((500_000.0, 3_300_000.0), 50_000)
    assert x1 - x0 == pytest.approx(w_mm / 1000 * 50_000)  # 1 mm on paper = 50 m on the ground
    assert y1 - y0 == pytest.approx(h_mm / 1000 * 50_000)
    assert 0 < w_mm < 420 and 0 < h_mm < 297


def test_fit_picks_a_round_scale_that_shows_the_extent_whole():
    lay = Layout(paper="A4", orientation="portrait", scale=None)
    extent = (0.0, 0.0, 100_000.0, 60_000.0)  # 100 km × 60 km
    n = lay.resolve_scale(extent)
    gw, gh = lay.map_size_m(n)
    assert gw >= 100_000 and gh >= 60_000
    assert n == nice_scale(n)
    assert lay.map_size_m(n * 0.8)[0] < 100_000  # not needlessly small


def test_bad_layout_values_are_refused():
    with pytest.raises(HygisError):
        Layout(paper="B5")
    with pytest.raises(HygisError):
        Layout(orientation="sideways")
    with pytest.raises(HygisError):
        Layout.from_dict({"paper": "A3", "center": [500, 30]})


def test_layouts_and_tile_source_are_saved_in_the_project(tmp_path):
    project = Project("布局")
    project.layers.append(enclave_layer())
    lay = Layout(name="A3 总图", paper="A3", scale=50_000, title="杭甬", approval_number="浙S(2024)12号",
                 source_note="数据来源：测试", center=(120.1, 30.05), overview=False)
    project.execute(SetLayout(project, lay))
    project.execute(SetTileSource(project, "https://tile.openstreetmap.org/{z}/{x}/{y}.png"))
    path = save_project(project, tmp_path / "p.hygis")
    back = open_project(path)
    assert [x.to_dict() for x in back.layouts] == [lay.to_dict()]
    assert back.tile_source == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    project.undo()
    project.undo()
    assert project.layouts == [] and project.tile_source is None


def test_a_token_never_goes_into_the_project():
    project = Project()
    with pytest.raises(HygisError):
        SetTileSource(project, "https://t0.tianditu.gov.cn/vec_w/wmts?tk=abc123&x={x}")
