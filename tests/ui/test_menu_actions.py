"""Every action of the main window's menus and toolbars works on the sample project (issue 10).

Each action is triggered as a user would (``QAction.trigger``: the ``triggered(bool)`` signal);
dialogs it opens are cancelled; it must do something observable (a dialog, a window, a changed
view, tool, panel or project) and log no error.
"""

from pathlib import Path

import logging

import pytest
import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractItemView, QApplication, QDialog, QDockWidget, QMenu, QToolBar

from hygis.project.fileformat import open_project
from tests.ui.fixtures_window import isolated_settings, main_window, small_project  # noqa: F401

SAMPLE = Path(__file__).resolve().parents[2] / "sample_projects" / "hangzhou_ningbo.hygis"
#: Actions that are disabled by design in the state the test sets up (and why).
DISABLED_OK = {
    "Redo": "nothing undone yet",
    "◀": "the active scenario is already the first",
    "▶": "the active scenario is already the last",
}


class DialogCanceller:
    """Cancels every modal dialog as soon as it shows; counts them."""

    def __init__(self):
        self.count = 0
        self.titles: list[str] = []
        self.timer = QTimer(interval=30)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self):
        widget = QApplication.activeModalWidget() or QApplication.activePopupWidget()
        if widget is None:
            return
        self.count += 1
        self.titles.append(widget.windowTitle())
        if isinstance(widget, QDialog):
            widget.reject()
        else:
            widget.close()

    def stop(self):
        self.timer.stop()


def all_actions(window):
    """(path, action) of every action in the menus (recursively) and toolbars, each once."""
    seen, out = set(), []
    # submenus by their menu action: QAction.menu() of PySide6 6.6 invalidates the Python wrapper that
    # created the submenu (the window's own reference), so the test must not call it
    submenus = {shiboken6.getCppPointer(m.menuAction())[0]: m for m in window.findChildren(QMenu)}

    def submenu(action):
        return submenus.get(shiboken6.getCppPointer(action)[0])

    def walk(menu, path):
        for action in menu.actions():
            if action.isSeparator():
                continue
            if submenu(action) is not None:
                walk(submenu(action), f"{path} ▸ {action.text()}")
            elif id(action) not in seen:
                seen.add(id(action))
                out.append((f"{path} ▸ {action.text()}", action))

    for menu_action in window.menuBar().actions():
        if submenu(menu_action) is not None:
            walk(submenu(menu_action), menu_action.text())
    for bar in window.findChildren(QToolBar):
        for action in bar.actions():
            if not action.isSeparator() and submenu(action) is None and id(action) not in seen and action.text():
                seen.add(id(action))
                out.append((f"toolbar {bar.windowTitle()} ▸ {action.text()}", action))
    return out


def snapshot(window):
    project = window.project
    layers = tuple((lyr.id, lyr.visible, getattr(lyr, "filter", ""), len(getattr(lyr, "data", ())),
                    tuple(sorted(getattr(lyr, "selection", ())))) for lyr in project.layers)
    docks = tuple(d.isVisible() for d in window.findChildren(QDockWidget))
    bars = tuple(b.isVisible() for b in window.findChildren(QToolBar))
    windows = tuple(sorted(type(w).__name__ for w in QApplication.topLevelWidgets()
                           if w.isVisible() and w is not window and not isinstance(w, QMenu)))
    checked = tuple(a.isChecked() for _, a in all_actions(window))
    editing = tuple(v.state() == QAbstractItemView.State.EditingState for v in window.findChildren(QAbstractItemView))
    clipboard = getattr(getattr(window, "editing", None), "controller", None)
    clipboard = len(clipboard.clipboard[0]) if clipboard is not None and clipboard.clipboard else 0
    return (editing, clipboard, id(project), window.windowTitle(), project.history.undo_label(), project.scenarios.active, layers, docks,
            bars, windows, checked, tuple(round(v, 6) for v in (window.canvas.extent() or ())),
            getattr(window.canvas, "map_tool_name", None), window.isVisible())


def close_extra_windows(window, before):
    for widget in QApplication.topLevelWidgets():
        if widget is not window and widget.isVisible() and not isinstance(widget, QMenu) and widget not in before:
            widget.close()


@pytest.fixture
def sample_window(main_window, tmp_path, qtbot):  # noqa: F811 (fixture)
    if not SAMPLE.exists():
        pytest.skip("sample project not built")
    path = tmp_path / "sample.hygis"
    path.write_bytes(SAMPLE.read_bytes())
    main_window.set_project(open_project(path))
    main_window.sample_path = path
    qtbot.wait(50)
    return main_window


def prepare(window, qtbot):
    """A state where most actions apply: the sample, 飞地 current with a selected feature, one undo step."""
    from hygis.project.commands import SetLayerProperty

    editing = window.editing
    for layer in list(editing.controller.editing_layers):  # leave edit mode between actions
        editing.controller.set_editing(layer, False)
    editing.controller.clipboard = None
    editing._update_actions()
    if window.project.path != window.sample_path or window.project.dirty:
        window.set_project(open_project(window.sample_path))
    layer = window.project.layers["飞地"]
    window.layer_panel.set_current_layer(layer) if hasattr(window.layer_panel, "set_current_layer") else None
    layer.selection = [int(layer.data.index[0])]
    window.project.execute(SetLayerProperty(layer, "opacity", 0.9))
    window.project.mark_clean()
    qtbot.wait(10)


def test_every_menu_and_toolbar_action_does_something(sample_window, qtbot, caplog):
    window = sample_window
    window.install_analysis() if getattr(window, "analysis", None) is None else None
    caplog.set_level(logging.ERROR)
    canceller = DialogCanceller()
    dead, disabled, done = [], [], []
    quit_action = None
    try:
        for path, action in all_actions(window):
            if action.text().replace("&", "") in ("Quit", "退出"):
                quit_action = action
                continue
            prepare(window, qtbot)
            if not action.isEnabled():  # edit tools: in edit mode, with something copied
                editing = window.editing
                layer = window.project.layers["飞地"]
                window.layer_panel.set_current_layer(layer)
                if not editing.controller.is_editing(layer):
                    editing.toggle_editing()
                editing.controller.copy_selected(layer)
                editing._update_actions()
                qtbot.wait(10)
            if not action.isEnabled():
                disabled.append(path)
                continue
            group = action.actionGroup()
            if action.isChecked() and group is not None and group.isExclusive():  # the current tool: pick another first
                next(a for a in group.actions() if a is not action and a.isEnabled()).trigger()
                qtbot.wait(10)
            before_windows = {w for w in QApplication.topLevelWidgets() if w.isVisible()}
            state, dialogs = snapshot(window), canceller.count
            action.trigger()
            qtbot.wait(120)
            observed = snapshot(window) != state or canceller.count > dialogs
            close_extra_windows(window, before_windows)
            if action.isCheckable() and action.isChecked() and (group is None or not group.isExclusive()):
                action.trigger()  # put toggles back (panels, snapping)
                qtbot.wait(20)
            for view in window.findChildren(QAbstractItemView):  # leave an inline editor (rename)
                if view.state() == QAbstractItemView.State.EditingState:
                    view.closePersistentEditor(view.currentIndex())
                    view.setFocus()
                    view.clearFocus()
            (done if observed else dead).append(path)
    finally:
        canceller.stop()
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors
    assert not dead, f"actions without any visible effect: {dead}"
    unexpected = [p for p in disabled if p.split(" ▸ ")[-1].replace("&", "") not in DISABLED_OK]
    assert not unexpected, f"disabled actions: {unexpected}"
    assert len(done) >= 40, done
    assert quit_action is not None
    quit_action.trigger()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)


def test_export_slides_action_writes_the_deck(sample_window, qtbot, tmp_path, monkeypatch):
    """File ▸ Export slides… used to pass triggered(bool) as the path (TypeError)."""
    from PySide6.QtWidgets import QFileDialog

    target = tmp_path / "deck.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    action = window_action(sample_window, "Export slides")
    action.trigger()
    qtbot.waitUntil(lambda: target.exists() or any(tmp_path.glob("*.png")) or any(tmp_path.glob("*/*.png")),
                    timeout=60_000)


def window_action(window, text):
    for _, action in all_actions(window):
        if text in action.text().replace("&", ""):
            return action
    raise AssertionError(f"no action '{text}'")


def test_update_dialog_runs_the_cli_command_and_undoes(sample_window, qtbot):
    from hygis.ui.field_calculator import UpdateDialog, append_from_file

    window = sample_window
    layer = window.project.layers["飞地"]
    dialog = UpdateDialog(window.project, layer, window)
    qtbot.addWidget(dialog)
    dialog.where.setText("status == 'planned'")
    dialog.field.setCurrentText("year_opened")
    dialog.value.setText("soon")
    dialog.accept()
    assert "year_opened" in dialog.message.text() and not window.project.dirty  # refused, nothing changed
    dialog.value.setText("2030")
    dialog.accept()
    planned = layer.data[layer.data["status"] == "planned"]
    assert dialog.changed == len(planned) > 0 and set(planned["year_opened"]) == {2030}
    assert str(layer.data["year_opened"].dtype) == "Int64" and " *" in window.windowTitle()
    window.act_undo.trigger()
    assert set(layer.data.loc[planned.index, "year_opened"]) != {2030}
    # append from a file: the same command as hygis import --append
    path = window.sample_path.parent / "more.csv"
    path.write_text("name,host_city,origin_city,enclave_type,status,year_opened,source,lon,lat\n"
                    "追加飞地,宁波市,衢州市,industry,operating,2023,t,121.5,29.9\n", encoding="utf-8")
    n = layer.feature_count
    assert append_from_file(window, layer, str(path)) == 1 and layer.feature_count == n + 1
    window.act_undo.trigger()
    assert layer.feature_count == n
