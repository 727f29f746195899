"""The scenario deck: one page per scenario, in order, from the API and from `hygis slides`."""

import re
import shutil
import subprocess
import unicodedata

import pytest
from PySide6.QtGui import QImage

from hygis.cli import main
from hygis.core.errors import HygisError
from hygis.project import Project
from hygis.present.slides import build_slides, parse_size, png_name
from hygis.project.fileformat import save_project
from tests.ui.scenario_fixtures import three_scenario_project

NAMES = ["现状 2020", "规划 2025", "愿景 2035"]


def pdf_pages(path):
    """(width, height) in points of each page, in order (parsed from the PDF objects)."""
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    pages = re.findall(rb"/Type\s*/Page\b(?!s)", data)
    boxes = [tuple(float(v) for v in m.groups()[2:]) for m in
             re.finditer(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", data)]
    return len(pages), boxes


def page_text(path, page):
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    return unicodedata.normalize("NFKC", out)  # the font maps some glyphs to CJK radicals


@pytest.fixture(scope="module")
def saved(tmp_path_factory, qapp):
    path = tmp_path_factory.mktemp("deck") / "p.hygis"
    project = three_scenario_project()
    save_project(project, path)
    return path


def test_parse_size():
    assert parse_size("1280x720") == (1280, 720)
    assert parse_size(None) == (1920, 1080)
    for bad in ("big", "10x10", "1920x", "0x5"):
        with pytest.raises(HygisError):
            parse_size(bad)


def test_slides_follow_the_scenario_order():
    project = three_scenario_project()
    project.scenarios.move(2, 0)
    slides = build_slides(project)
    assert [s.name for s in slides] == ["愿景 2035", "现状 2020", "规划 2025"]
    assert [s.number for s in slides] == [1, 2, 3] and slides[0].next_title == "现状 2020 标题"
    assert slides[1].indicators[0].text == "2 / 6 (33%) · 2016年"
    assert "飞地" in slides[1].sources and "科创走廊" not in slides[1].sources  # hidden in 现状 2020
    assert png_name(slides[0]) == "slide_01_愿景_2035.png"
    with pytest.raises(HygisError, match="no scenarios"):
        build_slides(Project())


def test_cli_writes_one_page_per_scenario_in_order(saved, tmp_path):
    out, pngs = tmp_path / "deck.pdf", tmp_path / "png"
    assert main(["slides", str(saved), "--out", str(out), "--size", "1280x720", "--png-dir", str(pngs)]) == 0
    n, boxes = pdf_pages(out)
    assert n == 3
    assert boxes == [(960.0, 540.0)] * 3  # the 16:9 slide page (7.5 in high) whatever the pixels: 1280×720 at 96 dpi
    files = sorted(p.name for p in pngs.iterdir())
    assert files == ["slide_01_现状_2020.png", "slide_02_规划_2025.png", "slide_03_愿景_2035.png"]
    image = QImage(str(pngs / files[0]))
    assert (image.width(), image.height()) == (1280, 720)
    if shutil.which("pdftotext"):
        for page, name in enumerate(NAMES, start=1):
            text = page_text(out, page)
            assert f"{name} 标题" in text and f"{page}/3" in text.replace(" ", "")


def test_cli_reports_bad_input(saved, tmp_path, capsys):
    assert main(["slides", str(saved)]) == 1
    assert "nothing to write" in capsys.readouterr().err
    assert main(["slides", str(saved), "--out", str(tmp_path / "deck.png")]) == 1
    assert "PDF" in capsys.readouterr().err
    assert main(["slides", str(tmp_path / "missing.hygis"), "--out", str(tmp_path / "d.pdf")]) == 1
