"""The attribute table: opens 100k features at once, sorts, filters, edits through commands, syncs selection."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from PySide6.QtCore import Qt

from hygis.layers.vector import VectorLayer
from hygis.project import Project
from hygis.ui.attribute_table import AttributeTable
from tests.factories import enclave_layer


@pytest.fixture
def project():
    p = Project("t")
    p.layers.append(enclave_layer(5))
    return p


def big_layer(n=100_000):
    rng = np.random.default_rng(0)
    frame = gpd.GeoDataFrame({"name": [f"地块{i}" for i in range(n)], "value": rng.random(n)},
                             geometry=shapely.points(120 + rng.random(n), 30 + rng.random(n)), crs=4326)
    return VectorLayer("大图层", frame, kind="vector")


def test_100k_features_open_instantly(qtbot, monkeypatch):
    """Opening asks only for the visible cells (what makes it instant at any size; the time itself is
    measured in benchmarks/bench_attribute_table.py, not here)."""
    from hygis.ui.attribute_table import LayerTableModel

    layer = big_layer()
    project = Project()
    project.layers.append(layer)
    asked = []
    data = LayerTableModel.data
    monkeypatch.setattr(LayerTableModel, "data", lambda self, index, *role: asked.append(index.row()) or
                        data(self, index, *role))
    table = AttributeTable(project)
    qtbot.addWidget(table)
    table.resize(800, 400)
    table.show()
    qtbot.waitExposed(table)
    assert table.model.rowCount() == 100_000
    # the visible rows, and the first 1000 that column widths are measured on (Qt's resize precision)
    precision = table.view.horizontalHeader().resizeContentsPrecision()
    assert asked and max(asked) < max(precision, 100), f"rows asked for on opening: up to {max(asked)}"
    # the last row is reachable and shows its data
    last = table.model.index(99_999, 0)
    assert last.data() == "地块99999"
    # sorting 100k rows on the frame
    asked.clear()
    table.view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    values = [float(table.model.index(r, 1).data(Qt.ItemDataRole.EditRole)) for r in range(3)]
    assert values == sorted(values, reverse=True) and values[0] == layer.data["value"].max()
    assert len(set(asked)) < 200  # the sort did not visit every row through the model


def test_sort_and_filter(qtbot, project):
    table = AttributeTable(project)
    qtbot.addWidget(table)
    model = table.model
    col = model.columns.index("year_opened")
    table.view.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    assert [model.index(r, col).data() for r in range(5)] == ["2019", "2018", "2017", "2016", "2015"]
    table.mode_combo.setCurrentIndex(table.mode_combo.findData("expression"))
    table.filter_edit.setText("year_opened >= 2017 and host_city = '杭州市'")
    table.apply_filter()
    assert [model.index(r, model.columns.index("name")).data() for r in range(model.rowCount())] == ["飞地4", "飞地2"]
    table.filter_edit.setText("no_such_field > 1")
    table.apply_filter()
    assert "no_such_field" in table.message_label.text() and model.rowCount() == 2
    table.mode_combo.setCurrentIndex(table.mode_combo.findData("text"))
    table.filter_edit.setText("飞地3")
    table.apply_filter()
    assert model.rowCount() == 1 and model.fid(0) == 3


def test_cell_edit_is_a_command_with_validation(qtbot, project):
    layer = project.layers[0]
    table = AttributeTable(project)
    qtbot.addWidget(table)
    model = table.model
    status = model.index(1, model.columns.index("status"))
    assert status.data() in ("Operating", "已运营")  # coded values shown in the UI language
    assert not model.setData(status, "closed")           # not an allowed value: refused
    assert "status" in table.message_label.text()
    assert layer.data.at[1, "status"] == "operating" and not project.dirty
    assert model.setData(status, "planned")
    assert layer.data.at[1, "status"] == "planned" and project.dirty
    year = model.index(0, model.columns.index("year_opened"))
    assert not model.setData(year, "二〇二〇")
    assert "year_opened" in table.message_label.text()
    project.undo()
    assert layer.data.at[1, "status"] == "operating" and not project.dirty


def test_selection_follows_both_ways(qtbot, project):
    layer = project.layers[0]
    table = AttributeTable(project)
    qtbot.addWidget(table)
    layer.selection = {1, 3}
    rows = sorted({i.row() for i in table.view.selectionModel().selectedRows()})
    assert [table.model.fid(r) for r in rows] == [1, 3]
    table.view.selectRow(4)
    assert layer.selection == {4}
    assert "1 selected" in table.count_label.text()


def test_add_and_remove_field_on_generic_layer_only(qtbot, project):
    generic = VectorLayer("点", gpd.GeoDataFrame({"a": [1, 2]}, geometry=shapely.points([0, 1], [0, 1]), crs=4326))
    project.layers.append(generic)
    table = AttributeTable(project)
    qtbot.addWidget(table)
    assert not table.add_field_button.isEnabled()
    table.set_layer(generic)
    assert table.add_field_button.isEnabled()
    table.add_field("备注", "str")
    assert table.model.columns == ["a", "备注"] and table.model.columnCount() == 2
    assert table.model.setData(table.model.index(0, 1), "好")
    assert generic.data.at[0, "备注"] == "好"
    table.remove_field("a")
    assert table.model.columns == ["备注"]
    project.undo()
    project.undo()
    project.undo()
    assert table.model.columns == ["a"]


def test_placeholder_examples_work_in_the_default_mode(qtbot, project):
    """The search box's default mode takes both examples its placeholder shows: a word searches
    the text of every field, a filter on this layer's fields filters by it."""
    table = AttributeTable(project)
    qtbot.addWidget(table)
    model = table.model
    assert table.mode_combo.currentData() == "auto"
    assert "杭州" in table.filter_edit.placeholderText() and "year_opened >= 2020" in table.filter_edit.placeholderText()
    data = project.layers[0].data
    names = model.columns.index("name")

    def shown():
        return sorted(model.index(r, names).data() for r in range(model.rowCount()))

    table.filter_edit.setText("杭州")
    table.apply_filter()
    in_hangzhou = data.apply(lambda row: any("杭州" in str(v) for v in row.drop("geometry")), axis=1)
    assert shown() == sorted(data.loc[in_hangzhou, "name"]) and 0 < model.rowCount() < len(data)
    table.filter_edit.setText("year_opened >= 2017")
    table.apply_filter()
    assert shown() == sorted(data.loc[data["year_opened"] >= 2017, "name"]) and model.rowCount() > 0
    table.filter_edit.setText("host_city = '杭州市' AND NOT name = '飞地2'")
    table.apply_filter()
    assert shown() == sorted(data.loc[(data["host_city"] == "杭州市") & (data["name"] != "飞地2"), "name"])
    assert table.message_label.text() == ""


def test_row_numbers_start_at_one_columns_fit_and_the_cursor_stays_on_the_edited_row(qtbot, project):
    table = AttributeTable(project)
    qtbot.addWidget(table)
    table.resize(900, 400)
    table.show()
    qtbot.waitExposed(table)
    model = table.model
    assert [model.headerData(r, Qt.Orientation.Vertical) for r in range(3)] == ["1", "2", "3"]
    assert model.headerData(0, Qt.Orientation.Vertical, Qt.ItemDataRole.ToolTipRole) == f"fid {model.fid(0)}"
    header = table.view.horizontalHeader()
    name_col = model.columns.index("name")
    assert header.sectionSize(name_col) >= table.view.fontMetrics().horizontalAdvance("飞地0")  # fitted, not clipped
    assert all(header.sectionSize(c) <= 280 for c in range(header.count()))
    table.view.sortByColumn(name_col, Qt.SortOrder.DescendingOrder)  # 飞地4 first
    index = model.index(1, name_col)
    fid = model.fid(1)
    table.view.setCurrentIndex(index)
    assert model.setData(index, "改名", Qt.ItemDataRole.EditRole)
    current = table.view.currentIndex()
    assert model.fid(current.row()) == fid and current.column() == name_col  # same feature, same field
    assert model.data(current) == "改名"
