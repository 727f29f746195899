"""Scenarios are views: switching never changes a layer's own style/filter, and a scenario draws the same
after any sequence of switches as on a fresh open (render, `hygis render --scenario`, slides)."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from hygis.present.slides import build_slides
from hygis.project.fileformat import open_project, save_project
from hygis.project.model import shadow_project
from hygis.project.scenarios import apply
from hygis.ui.render import render_project
from hygis.ui.slide_render import render_map_image

SAMPLE = Path(__file__).resolve().parents[2] / "sample_projects" / "hangzhou_ningbo.hygis"
SIZE = (480, 300)
ORDER = ("愿景 2035", "现状 2020", "愿景 2035", "规划 2025", "现状 2020", "规划 2025")


@pytest.fixture
def sample_copy(tmp_path):
    if not SAMPLE.exists():
        pytest.skip("sample project not built")
    path = tmp_path / "sample.hygis"
    path.write_bytes(SAMPLE.read_bytes())
    return path


def pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    ptr = image.constBits()
    return np.frombuffer(ptr, np.uint8, image.sizeInBytes()).reshape(image.height(), image.bytesPerLine()).copy()


def draw(project, name):
    scenario = project.scenarios[name]
    return pixels(render_project(project, SIZE, extent=scenario.extent, title=scenario.title or name, basemap=False))


def test_opening_applies_the_active_or_first_scenario(qtbot, sample_copy):
    from hygis.ui.scenario_bar import ScenarioBar

    project = open_project(sample_copy)
    name = project.scenarios.active or project.scenarios.names[0]
    bar = ScenarioBar(project)  # the window's scenario bar on open
    qtbot.addWidget(bar)
    assert project.scenarios.active == name and bar.tabs.tabText(bar.tabs.currentIndex()) == name
    enclaves = project.layers["飞地"]
    assert enclaves.filter == project.scenarios[name].layers["enclave"].filter
    if name == "现状 2020":  # planned sites do not show under 现状
        assert set(enclaves.visible_data()["status"]) == {"operating"}
    assert not project.dirty


def test_switching_never_changes_own_state_nor_dirties(sample_copy):
    project = open_project(sample_copy)
    own = {layer.id: (layer.own_style.to_dict(), layer.own_filter, layer.own_visible) for layer in project.layers}
    for name in ORDER:
        apply(project, project.scenarios[name])
    assert {layer.id: (layer.own_style.to_dict(), layer.own_filter, layer.own_visible)
            for layer in project.layers} == own
    assert not project.dirty
    # 规划 2025 stores no enclave style: it shows the layer's own, never 2035's categories
    enclaves = project.layers["飞地"]
    vision = project.scenarios["愿景 2035"].layers["enclave"].style
    assert enclaves.style.to_dict() == enclaves.own_style.to_dict() and enclaves.style.to_dict() != vision
    apply(project, project.scenarios["愿景 2035"])
    assert enclaves.style.field == "status" and enclaves.own_style.field != "status"


def test_a_scenario_draws_as_on_a_fresh_open_after_any_switches(qapp, sample_copy, tmp_path):
    switched = open_project(sample_copy)
    for name in ORDER:
        apply(switched, switched.scenarios[name])
    for name in switched.scenarios.names:
        apply(switched, switched.scenarios[name])
        fresh = open_project(sample_copy)
        apply(fresh, fresh.scenarios[name])
        assert np.array_equal(draw(switched, name), draw(fresh, name)), name
    # saved after the switches and reopened: still the same picture
    save_project(switched, tmp_path / "again.hygis")
    again = open_project(tmp_path / "again.hygis")
    apply(again, again.scenarios["规划 2025"])
    apply(switched, switched.scenarios["规划 2025"])
    assert np.array_equal(draw(again, "规划 2025"), draw(switched, "规划 2025"))


def test_cli_render_and_slides_agree_with_the_switched_project(qapp, sample_copy, tmp_path):
    switched = open_project(sample_copy)
    for name in ORDER:
        apply(switched, switched.scenarios[name])
    name = "规划 2025"
    out = tmp_path / "cli.png"
    subprocess.run([sys.executable, "-m", "hygis", "render", str(sample_copy), "--out", str(out), "--scenario", name,
                    "--size", f"{SIZE[0]}x{SIZE[1]}", "--no-basemap"], check=True, capture_output=True)
    apply(switched, switched.scenarios[name])
    assert np.array_equal(pixels(QImage(str(out))), draw(switched, name))
    # F5 and the slide export draw a shadow of the project in the scenario: same whatever was shown
    slide = next(s for s in build_slides(switched) if s.name == name)
    fresh = open_project(sample_copy)
    a = render_map_image(shadow_project(switched, switched.scenarios[name]), slide, SIZE)
    b = render_map_image(shadow_project(fresh, fresh.scenarios[name]), slide, SIZE)
    assert np.array_equal(pixels(a), pixels(b))


def test_scenario_dialog_edits_visibility_filter_style_and_indicators(qtbot, sample_copy):
    from hygis.project.scenario_commands import EditScenario
    from hygis.ui.scenario_dialog import CURRENT, OWN, ScenarioDialog

    project = open_project(sample_copy)
    apply(project, project.scenarios["规划 2025"])
    dialog = ScenarioDialog(project, project.scenarios["规划 2025"])
    qtbot.addWidget(dialog)
    rows = {layer.id: (visible, flt, style) for layer, visible, flt, style, _ in dialog.rows}
    visible, flt, style = rows["enclave"]
    flt.setText("status == 'operating'")
    rows["heritage"][0].setChecked(False)
    style.setCurrentIndex(style.findData(CURRENT))
    rows["corridor"][2].setCurrentIndex(rows["corridor"][2].findData(OWN))
    dialog.indicator_list.item(0).setCheckState(dialog.indicator_list.item(0).checkState().__class__.Unchecked)
    project.execute(EditScenario(project, "规划 2025", **dialog.values()))
    enclaves, heritage = project.layers["飞地"], project.layers["运河遗产"]
    assert set(enclaves.visible_data()["status"]) == {"operating"} and not heritage.visible
    assert enclaves.own_filter == "" and heritage.own_visible  # the layers' own state is untouched
    assert len(project.scenarios["规划 2025"].indicators) == 2
    project.undo()  # one step back: the scenario and what the map shows
    assert "planned" in set(enclaves.visible_data()["status"]) and heritage.visible
    flt.setText("year_opened <=")
    with pytest.raises(Exception, match="飞地"):
        dialog.values()
