"""Attribute table in both languages: the schema's field labels as headers, none of them cut, and the
selected row still the edited feature after an edit of a sorted table."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyle

from hygis.project import Project
from hygis.ui.attribute_table import AttributeTable
from tests.factories import enclave_layer
from tests.ui.lang_fixtures import language, shot  # noqa: F401 (fixture)


@pytest.fixture
def project():
    p = Project("t")
    layer = enclave_layer(5)
    layer.data["origin_county"] = "龙泉市"  # extra columns of the sample data: labelled too
    layer.data["data_status"] = "sourced"
    p.layers.append(layer)
    return p


def test_headers_are_translated_field_labels_and_whole(qtbot, project, language):
    table = AttributeTable(project)
    qtbot.addWidget(table)
    table.resize(1000, 320)
    table.show()
    qtbot.waitExposed(table)
    model, header = table.model, table.view.horizontalHeader()
    texts = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert {"en": "Host city", "zh_CN": "所在城市"}[language] in texts
    assert {"en": ["Origin county", "Data status"], "zh_CN": ["来源县（区）", "数据状态"]}[language] == texts[-2:]
    margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin)
    sort_arrow = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize)
    for col, text in enumerate(texts):
        if header.sectionSize(col) < 280:  # capped columns (long values) may cut, never the short ones
            assert header.fontMetrics().horizontalAdvance(text) + 2 * margin <= header.sectionSize(col) + sort_arrow, text
    shot(table, f"attribute_table_{language}")


def test_selection_stays_on_the_edited_feature_after_sorting(qtbot, project):
    table = AttributeTable(project)
    qtbot.addWidget(table)
    table.show()
    model, layer = table.model, project.layers[0]
    name_col = model.columns.index("name")
    table.view.sortByColumn(name_col, Qt.SortOrder.AscendingOrder)
    table.view.selectRow(0)                              # 飞地0, selected
    fid = model.fid(0)
    assert layer.selection == {fid}
    assert model.setData(model.index(0, name_col), "飞地9", Qt.ItemDataRole.EditRole)  # now sorts last
    rows = {i.row() for i in table.view.selectionModel().selectedRows()}
    assert layer.selection == {fid} and rows == {model.rowCount() - 1}
    assert model.fid(model.rowCount() - 1) == fid and model.data(model.index(model.rowCount() - 1, name_col)) == "飞地9"
