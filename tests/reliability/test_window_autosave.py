"""Autosave wired into the main window (as run_app does): follows the window's project."""

from __future__ import annotations

import shapely

from hygis.project.commands import AddFeatures
from hygis.project.recovery import RecoveryStore
from tests.ui.fixtures_window import isolated_settings, main_window, small_project  # noqa: F401


def test_window_autosave_follows_project(main_window, qtbot, tmp_path):  # noqa: F811
    from hygis.project import Project
    from hygis.ui.autosave import install_autosave

    store = RecoveryStore(tmp_path / "data")
    ctl = install_autosave(main_window, store=store)
    ctl.set_interval(0.05)
    assert main_window.autosave is ctl and ctl.project is main_window.project
    layer = main_window.project.layers["飞地"]
    record = dict(name="新飞地", host_city="宁波市", origin_city="丽水市", enclave_type="industry",
                  status="planned", year_opened=2030, source="edit")
    with qtbot.waitSignal(ctl.written, timeout=3000) as blocker:
        main_window.project.execute(AddFeatures(layer, [record], [shapely.Point(121.5, 29.9)]))
    assert blocker.args[0].feature_count == 6 and len(store.list()) == 1
    main_window.set_project(Project("另一个"))  # the old project was closed (saved or discarded)
    assert store.list() == [] and ctl.project is main_window.project
    ctl.timer.stop()
