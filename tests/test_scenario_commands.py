"""Scenario edits are undoable commands run through project.execute."""

from unittest.mock import Mock

import pytest

from hygis.core.errors import HygisError
from hygis.project import Project
from hygis.project.scenario_commands import (AddScenario, DeleteScenario, DuplicateScenario, EditScenario, MoveScenario,
                                     RenameScenario, UpdateScenario)
from hygis.project.model import shadow_project
from hygis.project.scenarios import apply
from tests.factories import corridor_layer, enclave_layer


@pytest.fixture
def project():
    p = Project("t")
    p.layers.append(corridor_layer())
    p.layers.append(enclave_layer(5))
    p.extent = (119.0, 29.0, 121.0, 31.0)
    return p


def _names(p):
    return p.scenarios.names


def test_add_captures_current_view_and_undoes(project):
    enclaves = project.layers["飞地"]
    enclaves.filter = "year_opened <= 2016"
    project.layers["科创走廊"].visible = False
    project.execute(AddScenario(project, "现状", extent=(120.0, 29.5, 120.5, 30.5), title="现状 2020", year=2020))
    s = project.scenarios["现状"]
    assert s.layers[enclaves.id].filter == "year_opened <= 2016"
    assert s.layers[project.layers["科创走廊"].id].visible is False
    assert s.extent == (120.0, 29.5, 120.5, 30.5) and s.title == "现状 2020" and s.year == 2020
    project.undo()
    assert _names(project) == []
    project.redo()
    assert _names(project) == ["现状"]


def test_add_refuses_duplicates_and_unknown_fields(project):
    project.execute(AddScenario(project, "A"))
    with pytest.raises(HygisError, match="already exists"):
        AddScenario(project, "A")
    with pytest.raises(HygisError, match="unknown scenario field"):
        AddScenario(project, "B", colour="red")
    with pytest.raises(HygisError):
        AddScenario(project, "  ")


def test_update_replaces_state_but_keeps_texts(project):
    enclaves = project.layers["飞地"]
    project.execute(AddScenario(project, "A", title="标题", indicators=[{"type": "enclave_target"}]))
    enclaves.filter = "year_opened >= 2017"
    project.execute(UpdateScenario(project, "A", extent=(120.0, 30.0, 121.0, 30.5)))
    s = project.scenarios["A"]
    assert s.layers[enclaves.id].filter == "year_opened >= 2017"
    assert s.title == "标题" and s.indicators == [{"type": "enclave_target"}]
    assert s.extent == (120.0, 30.0, 121.0, 30.5)
    project.undo()
    assert project.scenarios["A"].layers[enclaves.id].filter == ""
    assert project.scenarios["A"].extent == (119.0, 29.0, 121.0, 31.0)


def test_edit_rename_duplicate_delete_move_round_trip(project):
    for name in ("A", "B", "C"):
        project.execute(AddScenario(project, name))
    renamed = Mock()
    project.scenarios.events.renamed.connect(renamed)
    project.execute(EditScenario(project, "A", title="新标题", notes="讲稿"))
    assert project.scenarios["A"].title == "新标题"
    project.execute(RenameScenario(project, "A", "现状"))
    renamed.assert_called_once_with("A", "现状")
    project.execute(DuplicateScenario(project, "现状"))
    assert _names(project) == ["现状", "现状 copy", "B", "C"]
    assert project.scenarios["现状 copy"].title == "新标题"
    assert project.scenarios["现状 copy"] is not project.scenarios["现状"]
    project.scenarios.set_active("B")
    project.execute(DeleteScenario(project, "B"))
    assert _names(project) == ["现状", "现状 copy", "C"] and project.scenarios.active is None
    project.execute(MoveScenario(project, 2, 0))
    assert _names(project) == ["C", "现状", "现状 copy"]
    for _ in range(5):
        project.undo()
    assert _names(project) == ["A", "B", "C"] and project.scenarios["A"].title == ""
    for _ in range(5):
        project.redo()
    assert _names(project) == ["C", "现状", "现状 copy"]
    assert project.history.undo_label() == "Move scenario C"


def test_delete_undo_restores_active(project):
    project.execute(AddScenario(project, "A"))
    project.scenarios.set_active("A")
    project.execute(DeleteScenario(project, "A"))
    project.undo()
    assert project.scenarios.active == "A"


def test_rename_and_move_validate(project):
    project.execute(AddScenario(project, "A"))
    project.execute(AddScenario(project, "B"))
    with pytest.raises(HygisError, match="already exists"):
        RenameScenario(project, "A", "B")
    with pytest.raises(HygisError, match="out of range"):
        MoveScenario(project, 0, 5)
    with pytest.raises(HygisError, match="No scenario"):
        DeleteScenario(project, "Z")


def test_shadow_project_applies_without_touching_the_real_layers(project):
    enclaves = project.layers["飞地"]
    project.execute(AddScenario(project, "A"))
    project.scenarios["A"].layers[enclaves.id].filter = "year_opened <= 2016"
    project.scenarios["A"].layers[project.layers["科创走廊"].id].visible = False
    view = shadow_project(project, project.scenarios["A"])
    assert len(view.layers["飞地"].visible_data()) == 2
    assert view.layers["科创走廊"].visible is False
    assert view.layers["飞地"].data is enclaves.data  # shared, not copied
    assert enclaves.filter == "" and project.layers["科创走廊"].visible is True
    assert project.scenarios.active is None and view.scenarios.active == "A"
    apply(project, project.scenarios["A"])
    assert len(enclaves.visible_data()) == 2
