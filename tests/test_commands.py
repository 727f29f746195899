from unittest.mock import Mock

import pytest
import shapely

from hygis.project.commands import (AddFeatures, AddLayer, ChangeAttribute, ChangeGeometry, DeleteFeatures, MoveLayer,
                            RemoveLayer, RenameLayer, SetLayerProperty)
from hygis.core.errors import HygisError
from hygis.layers.style import Style
from hygis.project import Project
from hygis.project.scenarios import capture
from tests.factories import corridor_layer, enclave_layer

NEW = dict(name="新飞地", host_city="宁波市", origin_city="丽水市", enclave_type="industry", status="planned",
           year_opened=2026, source="test")


@pytest.fixture
def project():
    p = Project("t")
    p.execute(AddLayer(p, enclave_layer(3)))
    p.execute(AddLayer(p, corridor_layer()))
    p.mark_clean()
    return p


def test_add_delete_undo_redo(project):
    layer = project.layers["飞地"]
    project.execute(AddFeatures(layer, [NEW], [shapely.Point(121.5, 29.9)]))
    assert layer.feature_count == 4 and project.dirty
    fid = layer.data.index[-1]
    assert layer.data.loc[fid, "name"] == "新飞地"
    project.execute(DeleteFeatures(layer, [0, fid]))
    assert layer.feature_count == 2
    project.undo()
    project.undo()
    assert layer.feature_count == 3 and not project.dirty
    project.redo()
    assert layer.feature_count == 4 and layer.data.loc[fid, "name"] == "新飞地"


def test_add_feature_is_validated(project):
    layer = project.layers["飞地"]
    with pytest.raises(HygisError, match="field 'status'"):
        AddFeatures(layer, [{**NEW, "status": "dreaming"}], [shapely.Point(121.5, 29.9)])
    with pytest.raises(HygisError, match="point geometries"):
        AddFeatures(layer, [NEW], [shapely.box(0, 0, 1, 1)])
    assert layer.feature_count == 3


def test_change_attribute_and_geometry(project):
    layer = project.layers["科创走廊"]
    area0 = layer.data.loc[0, "area_km2"]
    project.execute(ChangeAttribute(layer, 0, "name", "城西"))
    project.execute(ChangeGeometry(layer, 0, shapely.box(119.7, 30.2, 119.9, 30.35)))
    assert layer.data.loc[0, "name"] == "城西"
    assert layer.data.loc[0, "area_km2"] == pytest.approx(area0 / 2, rel=1e-3)  # computed field follows
    with pytest.raises(HygisError, match="computed"):
        ChangeAttribute(layer, 0, "area_km2", 1.0)
    project.undo()
    project.undo()
    assert layer.data.loc[0, "name"] == "城西科创大走廊" and layer.data.loc[0, "area_km2"] == area0


def test_geometry_drag_merges_into_one_step(project):
    layer = project.layers["飞地"]
    steps = len(project.history)
    for i in range(5):
        project.execute(ChangeGeometry(layer, 0, shapely.Point(120 + i * 0.01, 30), mergeable=True))
    assert len(project.history) == steps + 1
    project.undo()
    assert layer.data.geometry.loc[0].equals(shapely.Point(120, 30))


def test_layer_commands_and_events(project):
    inserted = Mock()
    project.layers.events.removed.connect(inserted)
    layer = project.layers["飞地"]
    project.scenarios.add(capture(project, "现状"))
    project.execute(RenameLayer(layer, "飞地2025", project.layers))
    project.execute(SetLayerProperty(layer, "style", Style(fill="#ff0000")))
    project.execute(MoveLayer(project, 0, 1))
    assert project.layers.names == ["科创走廊", "飞地2025"]
    project.execute(RemoveLayer(project, layer))
    assert layer.id not in project.scenarios["现状"].layers  # scenario entries drop with the layer
    inserted.assert_called_once()
    for _ in range(4):
        project.undo()
    assert project.layers.names == ["飞地", "科创走廊"]
    assert layer.style.fill != "#ff0000"
    assert layer.id in project.scenarios["现状"].layers
    assert not project.dirty
