"""Geometry checks and repair (hygis.layers.validity): reported with fid and reason, repaired undoably."""

from unittest.mock import Mock

import geopandas as gpd
import pytest
import shapely

from hygis.project.commands import AddLayer
from hygis.core.errors import HygisError
from hygis.layers.validity import RepairGeometries, check_geometries, repair_geometries
from hygis.layers.vector import VectorLayer
from hygis.project import Project

BOWTIE = shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])  # two triangles of area 1 each
RING_SELF_TOUCH = shapely.Polygon([(0, 0), (4, 0), (4, 4), (2, 0), (0, 4)])


def _frame():
    return gpd.GeoDataFrame({"name": ["a", "b", "c", "d"]}, geometry=[
        shapely.box(0, 0, 1, 1), BOWTIE, None, RING_SELF_TOUCH], index=[10, 11, 12, 13], crs=4326)


def test_check_reports_fid_and_reason():
    problems = check_geometries(_frame())
    assert problems["fid"].tolist() == [11, 13]
    assert problems["reason"].iloc[0] == "Self-intersection[1 1]"
    assert problems["reason"].iloc[1].startswith("Ring Self-intersection")
    assert check_geometries(_frame().loc[[10, 12]]).empty  # a missing geometry is legal


def test_repair_keeps_polygons_and_every_feature():
    fixed = repair_geometries(_frame())
    assert fixed.index.tolist() == [10, 11, 12, 13]
    assert check_geometries(fixed).empty
    assert fixed.geometry[11].geom_type == "MultiPolygon" and fixed.geometry[11].area == pytest.approx(2.0)
    assert fixed.geometry[13].geom_type in ("Polygon", "MultiPolygon")
    assert fixed.geometry[12] is None and fixed.geometry[10].equals(shapely.box(0, 0, 1, 1))


def test_repair_reduces_collections_to_the_family():
    # a polygon with a dangling spike: make_valid gives a collection (polygon + line)
    spike = shapely.Polygon([(0, 0), (2, 0), (2, 2), (0, 2), (0, 0), (-1, -1), (0, 0)])
    assert shapely.make_valid(spike).geom_type == "GeometryCollection"
    fixed = repair_geometries(gpd.GeoDataFrame(geometry=[spike], crs=4326))
    assert fixed.geometry[0].geom_type in ("Polygon", "MultiPolygon") and fixed.geometry[0].area == pytest.approx(4.0)


def test_repair_command_is_undoable():
    project = Project()
    layer = VectorLayer("地块", _frame())
    project.execute(AddLayer(project, layer))
    listener = Mock()
    layer.events.data.connect(listener)
    cmd = RepairGeometries(layer)
    assert cmd.label == "Repair 2 geometries in 地块"
    project.execute(cmd)
    assert check_geometries(layer.data).empty and listener.call_count == 1
    project.undo()
    assert check_geometries(layer.data)["fid"].tolist() == [11, 13]
    assert shapely.equals_exact(layer.data.geometry[11], BOWTIE, tolerance=0)  # the very same vertices back
    project.redo()
    assert check_geometries(layer.data).empty
    with pytest.raises(HygisError, match="no invalid geometries"):
        RepairGeometries(layer)
