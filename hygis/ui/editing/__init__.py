"""Edit mode in the main window: toolbar, actions, attribute table and undo history docks, import/export.

``install_editing(main_window)`` is called once by the main window's setup; it
adds everything through the window's public API (menus, ``add_dock``,
``tool_group``, ``projectChanged``) and returns the :class:`EditingUi`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QToolButton

from hygis.ui import fileops
from hygis.ui.editing.controller import EditController
from hygis.ui.i18n import WindowTexts

#: (attribute, English text, shortcut) of the editing actions.
ACTIONS = (
    ("act_toggle_edit", "Toggle &Editing", None), ("act_add_feature", "&Add Feature", "Ctrl+."),
    ("act_select", "&Select Features", None), ("act_move", "&Move Features", None),
    ("act_vertex", "&Vertex Tool", None), ("act_delete", "&Delete Selected", "Del"),
    ("act_copy", "&Copy Features", "Ctrl+Shift+C"), ("act_paste", "&Paste Features", "Ctrl+Shift+V"),
    ("act_edit_attributes", "Edit A&ttributes of Selected…", None),
    ("act_table", "Open &Attribute Table", "F6"), ("act_check", "&Check Geometries…", None),
    ("act_import", "&Import…", "Ctrl+I"), ("act_export", "E&xport Layer…", "Ctrl+Shift+E"),
    ("act_snap_on", "Enable Snapping", None), ("act_snap_vertices", "Snap to Vertices", None),
    ("act_snap_segments", "Snap to Segments", None),
)
TOOL_ACTIONS = {"act_add_feature": "add", "act_select": "select", "act_move": "move", "act_vertex": "vertex"}
#: Geometry types the Add Feature tool can draw (a mixed or empty generic layer has no type to draw).
DRAWABLE = ("point", "line", "polygon")


def ask_switch_editing(window, editing_name: str, new_name: str) -> bool:
    """Ask whether to stop editing one layer to edit another (tests replace this function)."""
    answer = QMessageBox.question(
        window, window.tr("Edit mode"),
        window.tr("Stop editing “%1” and edit “%2”? Its edits are kept (and can be undone).")
        .replace("%1", editing_name).replace("%2", new_name))
    return answer == QMessageBox.StandardButton.Yes
TOLERANCES = (5, 10, 15, 20)


class EditingUi(WindowTexts):
    """The editing actions and panels of one :class:`~hygis.ui.mainwindow.MainWindow`."""

    def __init__(self, window):
        super().__init__(window)
        from hygis.ui.attribute_table import AttributeTable
        from hygis.ui.undo_view import UndoHistory

        self.controller = EditController(window.project, window.canvas, self)
        self.table = AttributeTable(window.project, window.canvas)
        self.history = UndoHistory(window.project)
        self.dock_table = window.add_dock(self.table, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.dock_history = window.add_dock(self.history, Qt.DockWidgetArea.RightDockWidgetArea)
        self.dock_table.hide()
        self._texts: dict[QAction, str] = {}
        self._create_actions()
        self._create_menus()
        self._connect()
        self.retranslate_ui()

    # -- construction --------------------------------------------------------------------------
    def _create_actions(self) -> None:
        w = self.window
        for attr, text, shortcut in ACTIONS:
            action = QAction(w)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            setattr(self, attr, action)
            self._texts[action] = text
        self.act_toggle_edit.setCheckable(True)
        for attr in TOOL_ACTIONS:
            getattr(self, attr).setCheckable(True)
            w.tool_group.addAction(getattr(self, attr))
        for attr in ("act_snap_on", "act_snap_vertices", "act_snap_segments"):
            getattr(self, attr).setCheckable(True)
            getattr(self, attr).setChecked(True)
        # Del and the clipboard keys act on the map only (text fields keep theirs)
        for action in (self.act_delete, self.act_copy, self.act_paste):
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            w.canvas.addAction(action)
        self.tolerance_group = QActionGroup(w)
        for px in TOLERANCES:
            action = self.tolerance_group.addAction(f"{px} px")
            action.setCheckable(True)
            action.setData(px)
            action.setChecked(px == self.controller.snap_settings.tolerance_px)

    def _create_menus(self) -> None:
        w = self.window
        self.menu_snapping = QMenu(w)
        self.menu_snapping.addActions([self.act_snap_on, self.act_snap_vertices, self.act_snap_segments])
        self.menu_snap_layers = self.menu_snapping.addMenu("")
        self.menu_snap_layers.aboutToShow.connect(self.fill_snap_layers)
        self.menu_tolerance = self.menu_snapping.addMenu("")
        self.menu_tolerance.addActions(self.tolerance_group.actions())
        w.menu_edit.addSeparator()
        w.menu_edit.addActions([self.act_toggle_edit, self.act_add_feature, self.act_select, self.act_move,
                                self.act_vertex, self.act_delete, self.act_edit_attributes, self.act_copy,
                                self.act_paste])
        w.menu_edit.addMenu(self.menu_snapping)
        w.menu_layer.addSeparator()
        w.menu_layer.addActions([self.act_import, self.act_export, self.act_table, self.act_check])
        w.menu_view.addSeparator()
        w.menu_view.addAction(self.act_table)
        from hygis.ui.icons import tool_icon

        for action, icon in ((self.act_toggle_edit, "edit"), (self.act_add_feature, "add_feature"),
                             (self.act_select, "select"), (self.act_move, "move"), (self.act_vertex, "vertex"),
                             (self.act_delete, "delete"), (self.act_table, "table"), (self.act_snap_on, "snap")):
            action.setIcon(tool_icon(icon))  # icon-only buttons: both toolbars fit a 1280 px window
        self.toolbar = w.addToolBar("")
        self.toolbar.setObjectName("toolbar_editing")
        self.toolbar.addActions([self.act_toggle_edit, self.act_add_feature, self.act_select, self.act_move,
                                 self.act_vertex, self.act_delete])
        self.snap_button = QToolButton()
        self.snap_button.setDefaultAction(self.act_snap_on)
        self.snap_button.setMenu(self.menu_snapping)
        self.snap_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.toolbar.addWidget(self.snap_button)
        self.toolbar.addAction(self.act_table)
        if hasattr(w, "menu_panels"):
            w.menu_panels.addAction(self.toolbar.toggleViewAction())

    def _connect(self) -> None:
        w, c = self.window, self.controller
        self.act_toggle_edit.triggered.connect(lambda checked=False: self.toggle_editing())
        for attr, tool in TOOL_ACTIONS.items():
            getattr(self, attr).triggered.connect(lambda checked=False, t=tool: self.activate_tool(t))
        self.act_delete.triggered.connect(lambda checked=False: self.delete())
        self.act_edit_attributes.triggered.connect(lambda checked=False: c.edit_selected_attributes())
        self.act_copy.triggered.connect(lambda: c.copy_selected(w.layer_panel.current_layer()))
        self.act_paste.triggered.connect(lambda: c.paste())
        self.act_table.triggered.connect(lambda checked=False: self.open_table())
        self.act_check.triggered.connect(lambda checked=False: self.check_geometries())
        self.act_import.triggered.connect(lambda checked=False: self.import_dialog())
        self.act_export.triggered.connect(lambda checked=False: self.export_dialog())
        self.act_snap_on.toggled.connect(lambda on: setattr(c.snap_settings, "enabled", on))
        self.act_snap_vertices.toggled.connect(lambda on: setattr(c.snap_settings, "vertices", on))
        self.act_snap_segments.toggled.connect(lambda on: setattr(c.snap_settings, "segments", on))
        self.tolerance_group.triggered.connect(lambda a: setattr(c.snap_settings, "tolerance_px", float(a.data())))
        c.message.connect(lambda text: w.statusBar().showMessage(text, 8000))
        c.editingChanged.connect(lambda *_: self._update_actions())
        c.editingChanged.connect(w.layer_panel.model.set_editing)  # the list marks the layer in edit mode
        c.currentLayerChanged.connect(lambda *_: self._update_actions())
        w.layer_panel.currentLayerChanged.connect(self._on_current_layer)
        w.projectChanged.connect(self._on_project)
        self._update_actions()

    # -- behaviour -------------------------------------------------------------------------------
    def _on_project(self, project) -> None:
        self.controller.activate_tool("")
        self.controller.snap_settings.excluded_layer_ids.clear()  # every layer of a new project snaps
        self.controller.set_project(project)
        self.table.set_project(project)
        self.history.set_project(project)
        self._update_actions()

    def fill_snap_layers(self) -> None:
        """One checkable entry per vector layer, top layer first (rebuilt each time the menu opens)."""
        menu, c = self.menu_snap_layers, self.controller
        menu.clear()
        layers = [lyr for lyr in list(self.window.project.layers)[::-1] if hasattr(lyr, "selection")]
        for layer in layers:
            action = menu.addAction(layer.name)
            action.setCheckable(True)
            action.setChecked(c.snap_settings.snaps_to(layer))
            action.setData(layer.id)
            action.toggled.connect(lambda on, lid=layer.id: c.set_snap_layer(lid, on))
        if not layers:
            menu.addAction(self.tr("(no vector layers)")).setEnabled(False)

    def _on_current_layer(self, layer) -> None:
        if layer is not None and self.controller.is_editing(layer):
            self.controller.set_current_layer(layer)
        if layer is not None and hasattr(layer, "selection"):
            self.table.set_layer(layer)
        self._update_actions()

    def _update_actions(self) -> None:
        layer = self.window.layer_panel.current_layer()
        vector = layer is not None and hasattr(layer, "selection")
        self.act_toggle_edit.setEnabled(vector)
        self.act_toggle_edit.setChecked(vector and self.controller.is_editing(layer))
        # the tools act on the layer the list shows as current, and only while it is in edit mode
        editing = vector and self.controller.current_layer is layer
        for attr in (*TOOL_ACTIONS, "act_delete", "act_paste", "act_edit_attributes"):
            getattr(self, attr).setEnabled(editing)
        self.act_add_feature.setEnabled(editing and layer.geometry_type in DRAWABLE)
        self.act_export.setEnabled(vector)
        self.act_check.setEnabled(vector)

    def toggle_editing(self) -> None:
        layer = self.window.layer_panel.current_layer()
        if layer is None:
            return
        on = not self.controller.is_editing(layer)
        others = [other for other in self.controller.editing_layers if other is not layer]
        if on and others and not ask_switch_editing(self.window, others[0].name, layer.name):
            self._update_actions()
            return
        self.controller.set_editing(layer, on)
        if not self.controller.current_layer:
            self.window.set_tool("pan")
        self._update_actions()

    def activate_tool(self, name: str) -> None:
        if self.controller.activate_tool(name) is None:
            self.window.set_tool("pan")

    def delete(self) -> None:
        tool = self.controller.tool
        if self.controller.tool_name == "vertex" and tool.active is not None:
            tool.delete_vertex(*tool.active)
        else:
            self.controller.delete_selected()

    def open_table(self) -> None:
        layer = self.window.layer_panel.current_layer()
        if layer is not None and hasattr(layer, "selection"):
            self.table.set_layer(layer)
        self.dock_table.show()
        self.dock_table.raise_()

    def check_geometries(self):
        from hygis.ui.geometry_check import GeometryCheck

        layer = self.window.layer_panel.current_layer()
        if layer is None or not hasattr(layer, "selection"):
            return None
        dialog = GeometryCheck(self.window.project, layer, self.window.canvas, self.window)
        dialog.open()
        return dialog

    def import_dialog(self, path=None) -> int:
        """Import ``path`` (asked for if None) through the import dialog; returns how many layers were added."""
        if not path:  # the same filter as Add Layer: vector files and GeoTIFF rasters
            path, _ = QFileDialog.getOpenFileName(self.window, self.tr("Import"), "", fileops.layer_filter())
            if not path:
                return 0
        return fileops.add_layer_files(self.window, [path])  # the one import path (also Add Layer, drops)

    def export_dialog(self):
        from hygis.ui.export_dialog import ExportDialog

        dialog = ExportDialog(self.window.project, self.window.layer_panel.current_layer(), self.window)
        dialog.open()
        return dialog

    # -- language ----------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        for action, text in self._texts.items():
            action.setText(self.tr(text))
            action.setToolTip(self.tr(text).replace("&", "").rstrip("…"))
        self.menu_snapping.setTitle(self.tr("S&napping"))
        self.menu_snap_layers.setTitle(self.tr("Snap to &Layers"))
        self.menu_tolerance.setTitle(self.tr("Tolerance"))
        self.toolbar.setWindowTitle(self.tr("Editing toolbar"))
        self.dock_table.setWindowTitle(self.tr("Attribute Table"))
        self.dock_history.setWindowTitle(self.tr("Undo History"))


def install_editing(main_window) -> EditingUi:
    """Add edit mode, the attribute table, undo history, import and export to ``main_window``."""
    ui = EditingUi(main_window)
    main_window.editing = ui
    return ui
