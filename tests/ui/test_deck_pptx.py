"""The editable deck: `hygis slides --out deck.pptx` read back with python-pptx."""

import io

import pytest
from PySide6.QtGui import QImage

from hygis.cli import main
from hygis.project.fileformat import save_project
from tests.ui.scenario_fixtures import three_scenario_project

pptx = pytest.importorskip("pptx")


@pytest.fixture(autouse=True)
def app(qapp):
    return qapp


def shapes_by_name(slide):
    return {sh.name: sh for sh in slide.shapes}


def test_pptx_has_one_editable_slide_per_scenario(tmp_path):
    project = three_scenario_project()
    src = save_project(project, tmp_path / "p.hygis")
    out = tmp_path / "deck.pptx"
    assert main(["slides", str(src), "--out", str(out)]) == 0
    deck = pptx.Presentation(str(out))
    assert len(deck.slides) == 3
    assert deck.slide_width * 9 == deck.slide_height * 16  # 16:9
    for slide, name in zip(deck.slides, ["现状 2020", "规划 2025", "愿景 2035"]):
        shapes = shapes_by_name(slide)
        assert shapes["Title"].text_frame.text == f"{name} 标题"  # text, not a picture of text
        assert shapes["Scenario"].text_frame.text == name
        assert slide.notes_slide.notes_text_frame.text == f"{name} 讲稿"
        picture = shapes["Map"]
        image = QImage.fromData(picture.image.blob)
        assert image.width() > 1000 and not image.isNull()
        # the map is a map: many colours, not a blank picture
        colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 37)}
        assert len(colours) > 8
        assert "数据来源" in shapes["Sources"].text_frame.text
    first = shapes_by_name(deck.slides[0])
    assert first["Indicator 1 value"].text_frame.text == "2 / 6 (33%) · 2016年"  # same figure as the PDF deck
    assert "Legend" in first


def test_pptx_indicators_differ_per_scenario_and_stay_editable(tmp_path):
    project = three_scenario_project()
    out = tmp_path / "deck.pptx"
    from hygis.ui.slide_render import export_pptx

    export_pptx(project, out)
    deck = pptx.Presentation(str(out))
    values = [shapes_by_name(s)["Indicator 1 value"].text_frame.text for s in deck.slides]
    assert values[0] != values[2]
    shape = shapes_by_name(deck.slides[0])["Indicator 1 value"]
    shape.text_frame.text = "已修改"  # a user edits it
    buf = io.BytesIO()
    deck.save(buf)
    again = pptx.Presentation(io.BytesIO(buf.getvalue()))
    assert shapes_by_name(again.slides[0])["Indicator 1 value"].text_frame.text == "已修改"


def test_pptx_bad_path_is_one_line(tmp_path, capsys):
    src = save_project(three_scenario_project(), tmp_path / "p.hygis")
    assert main(["slides", str(src), "--out", str(tmp_path / "missing" / "deck.pptx")]) == 1
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
