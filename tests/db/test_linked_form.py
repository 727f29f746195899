"""The attribute form on a team (PostGIS-linked) layer, against a real PostGIS: Edit ▸ Edit Attributes of
Selected… shows the feature's fields (not the table's row id / version), OK is ONE undoable command,
the edit is pending like any other and the next save commits it to the database."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from hygis.db import live
from hygis.ui import fileops
from hygis.ui.i18n import install_translator
from tests.db.helpers import db_values, fid_of, link_in_window
from tests.ui.fixtures_window import isolated_settings, main_window, small_project  # noqa: F401


def _db(url):
    return db_values(url, "name_en", "hygis_version")


def test_attribute_form_edit_on_a_linked_layer_is_one_command_committed_on_save(qtbot, main_window, team_url,
                                                                                tmp_path):
    w = main_window
    layer = link_in_window(qtbot, w, team_url, tmp_path)
    assert layer.feature_count == 6
    ui = w.editing
    w.layer_panel.set_current_layer(layer)
    ui.act_toggle_edit.trigger()
    assert ui.controller.current_layer is layer and ui.act_edit_attributes.isEnabled()

    layer.selection = set()
    ui.act_edit_attributes.trigger()  # nothing selected: said, no form
    assert ui.controller.form is None
    fid = fid_of(layer, "走廊3")
    layer.selection = {fid}
    ui.act_edit_attributes.trigger()
    form = ui.controller.form
    assert form is not None and form.isVisible()
    assert "hygis_id" not in form.editors and "hygis_version" not in form.editors
    assert form.raw_values()["name"] == "走廊3" and form.raw_values()["name_en"] == "C3"
    stack = w.project.history.undo_stack
    steps = stack.count()
    form.set_value("name_en", "Corridor three")
    form.set_value("name", "三号走廊")
    form.accept()
    assert not form.isVisible()
    assert stack.count() == steps + 1  # both fields: one step
    assert stack.text(stack.count() - 1) == f"Edit attributes of feature {fid} in 共享走廊"
    row = layer.data.loc[fid]
    assert (row["name"], row["name_en"]) == ("三号走廊", "Corridor three")
    assert live.pending(w.project, layer) == {"inserts": 0, "updates": 1, "deletes": 0}

    w.project.undo()  # one Ctrl+Z takes both back, and nothing is pending
    assert (layer.data.loc[fid, "name"], layer.data.loc[fid, "name_en"]) == ("走廊3", "C3")
    assert live.pending(w.project, layer) == {"inserts": 0, "updates": 0, "deletes": 0}
    w.project.redo()
    assert live.pending(w.project, layer) == {"inserts": 0, "updates": 1, "deletes": 0}
    assert _db(team_url)["走廊3"] == ("C3", 1)  # nothing in the database before the save

    with qtbot.waitSignal(w.team.commitFinished, timeout=60_000):
        assert fileops.save(w)
    [report] = w.team.last_reports
    assert report.pushed == {"inserts": 0, "updates": 1, "deletes": 0} and not report.error
    rows = _db(team_url)
    assert rows["三号走廊"] == ("Corridor three", 2) and "走廊3" not in rows
    assert live.pending(w.project, layer) == {"inserts": 0, "updates": 0, "deletes": 0}

    # the same form in Chinese: an unchanged form adds no step
    install_translator(QApplication.instance(), "zh_CN")
    try:
        ui.act_edit_attributes.trigger()
        form = ui.controller.form
        assert form.windowTitle().endswith("共享走廊")
        steps = stack.count()
        form.accept()
        assert stack.count() == steps
    finally:
        install_translator(QApplication.instance(), "en")
