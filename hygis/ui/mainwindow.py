"""The main window: map canvas, layer/legend/identify docks, menus, toolbar, status bar.

It holds one :class:`~hygis.project.model.Project` and installs a
:class:`~hygis.ui.undo.QtCommandStack` as its history; every data change goes
through ``project.execute``.  File operations (open/save/add layer/drop/export)
live in :mod:`hygis.ui.fileops`.  Every visible string is translated and
re-read on ``QEvent.LanguageChange`` (:meth:`MainWindow.retranslate_ui`).
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QMenu, QMessageBox, QStyle

from hygis import __version__
from hygis.project import Project
from hygis.ui import fileops
from hygis.ui.canvas import MapCanvas
from hygis.ui.editing import install_editing
from hygis.ui.i18n import install_translator
from hygis.ui.icons import tool_icon
from hygis.ui.identify import IdentifyPanel
from hygis.ui.layer_panel import LayerPanel
from hygis.ui.cartography import install_cartography
from hygis.ui.db import install_team_menu
from hygis.ui.scenario_bar import install_scenarios
from hygis.ui.view_options import install_view_options
from hygis.ui.field_calculator import install_field_calculator
from hygis.ui.legend import LegendWidget
from hygis.ui.settings import PreferencesDialog, Settings
from hygis.ui.statusbar import MapStatusBar
from hygis.ui.undo import QtCommandStack

SP = QStyle.StandardPixmap
#: (attribute, English text, shortcut, standard icon or tool icon name)
ACTIONS = (
    ("act_new", "&New Project", QKeySequence.StandardKey.New, SP.SP_FileIcon),
    ("act_open", "&Open…", QKeySequence.StandardKey.Open, SP.SP_DialogOpenButton),
    ("act_save", "&Save", QKeySequence.StandardKey.Save, SP.SP_DialogSaveButton),
    ("act_save_as", "Save &As…", QKeySequence.StandardKey.SaveAs, None),
    ("act_add_layer", "&Add Layer…", "Ctrl+Shift+A", SP.SP_FileDialogNewFolder),
    ("act_export_image", "&Export Map Image…", "Ctrl+E", None),
    ("act_preferences", "&Preferences…", QKeySequence.StandardKey.Preferences, None),
    ("act_quit", "&Quit", QKeySequence.StandardKey.Quit, None),
    ("act_undo", "&Undo", QKeySequence.StandardKey.Undo, SP.SP_ArrowBack),
    ("act_redo", "&Redo", QKeySequence.StandardKey.Redo, SP.SP_ArrowForward),
    ("act_zoom_in", "Zoom &In", QKeySequence.StandardKey.ZoomIn, "zoom_in"),
    ("act_zoom_out", "Zoom &Out", QKeySequence.StandardKey.ZoomOut, "zoom_out"),
    ("act_zoom_full", "Zoom to &Full Extent", "Ctrl+Shift+F", "zoom_full"),
    ("act_zoom_layer", "Zoom to &Layer", "Ctrl+Shift+L", "zoom_layer"),
    ("act_pan", "&Pan", "P", "pan"),
    ("act_zoom_rect", "Zoom to &Rectangle", "Z", "zoom_rect"),
    ("act_identify", "&Identify Features", "I", "identify"),
    ("act_measure_distance", "Measure &Distance", "M", "measure_distance"),
    ("act_measure_area", "Measure &Area", "Shift+M", "measure_area"),
    ("act_style", "&Style…", "Ctrl+L", None),
    ("act_rename_layer", "Re&name Layer", "F2", None),
    ("act_remove_layer", "&Remove Layer", None, SP.SP_TrashIcon),
    ("act_about", "&About hygis", None, None),
)
TOOLS = {"act_pan": "pan", "act_zoom_rect": "zoom_rect", "act_identify": "identify",
         "act_measure_distance": "measure_distance", "act_measure_area": "measure_area"}
MENUS = (("menu_file", "&File"), ("menu_edit", "&Edit"), ("menu_view", "&View"), ("menu_layer", "&Layer"),
         ("menu_analysis", "&Analysis"), ("menu_help", "&Help"))


class MainWindow(QMainWindow):
    """The hygis desktop window.  ``projectChanged(project)`` fires after :meth:`set_project`."""

    projectChanged = Signal(object)

    def __init__(self, project: Project | None = None, settings: Settings | None = None,
                 defer_analysis: bool = False):
        super().__init__()
        self.setObjectName("hygis_main_window")
        self.settings = settings or Settings()
        self.project: Project | None = None
        self.history: QtCommandStack | None = None
        self.last_error_dialog = None
        self.style_dialog = None
        self._dock_titles: dict[QDockWidget, str] = {}
        self.canvas = MapCanvas(None, self)
        self.canvas.show_legend = False  # the legend dock shows it; exported maps keep theirs
        self.setCentralWidget(self.canvas)
        self.layer_panel = LayerPanel()
        self.legend = LegendWidget()
        self.identify_panel = IdentifyPanel()
        self.dock_layers = self.add_dock(self.layer_panel, Qt.DockWidgetArea.LeftDockWidgetArea, "Layers")
        self.dock_legend = self.add_dock(self.legend, Qt.DockWidgetArea.LeftDockWidgetArea, "Legend")
        self.dock_identify = self.add_dock(self.identify_panel, Qt.DockWidgetArea.RightDockWidgetArea,
                                           "Identify Results")
        self.status = MapStatusBar(self)
        self.setStatusBar(self.status)
        self._create_actions()
        self._create_menus()
        self._connect()
        self.setAcceptDrops(True)
        self.resize(1280, 800)
        self.set_project(project or Project())
        self.retranslate_ui()
        install_editing(self)  # edit mode, attribute table, undo history, import/export
        install_scenarios(self)  # scenario bar, View ▸ Compare/Present (F5), File ▸ Export slides
        install_cartography(self)  # File ▸ Print layout / PowerPoint, View ▸ Tile basemap, Ctrl+Y
        install_team_menu(self)  # Layer ▸ Team Layers (PostGIS)…
        install_view_options(self)  # View ▸ Show illustrative data (示意), View ▸ Basemap names
        from hygis.ui.disk_watch import DiskWatch

        self.disk_watch = DiskWatch(self)  # warns when another program replaces the open project file
        install_field_calculator(self)  # Layer ▸ Update features…, Append features from file…
        self.analysis = None
        if defer_analysis:  # the app: draw the map first, then import the analysis panels (scipy, charts)
            self.canvas.renderDone.connect(self._install_analysis_soon)
            QTimer.singleShot(3000, self.install_analysis)
        else:
            self.install_analysis()
        if not self.settings.restore_window(self):  # after every dock and toolbar exists
            self.resizeDocks([self.dock_layers, self.dock_identify], [250, 270], Qt.Orientation.Horizontal)
            self.resizeDocks([self.dock_layers, self.dock_legend], [300, 300], Qt.Orientation.Vertical)

    def install_analysis(self) -> None:
        """Add the analysis docks and Analysis menu actions (once; see :mod:`hygis.ui.analysis`)."""
        if self.analysis is not None:
            return
        from hygis.ui.analysis import install_analysis

        install_analysis(self)  # sets self.analysis
        state = self.settings.store.value("window/state")
        if state is not None and self.isVisible():  # docks added after the first layout
            self.restoreState(state)

    def _install_analysis_soon(self) -> None:
        self.canvas.renderDone.disconnect(self._install_analysis_soon)
        QTimer.singleShot(100, self.install_analysis)  # after the first map is painted

    # -- construction ----------------------------------------------------------------------------
    def _create_actions(self) -> None:
        self._action_texts: dict[QAction, str] = {}
        for attr, text, shortcut, icon in ACTIONS:
            action = QAction(self)
            if shortcut is not None:
                action.setShortcut(QKeySequence(shortcut))
            if isinstance(icon, str):
                action.setIcon(tool_icon(icon))
            elif icon is not None:
                action.setIcon(self.style().standardIcon(icon))
            setattr(self, attr, action)
            self._action_texts[action] = text
        self.tool_group = QActionGroup(self)
        for attr, tool in TOOLS.items():
            action = getattr(self, attr)
            action.setCheckable(True)
            self.tool_group.addAction(action)
            action.triggered.connect(lambda checked=False, t=tool: self.set_tool(t))
        self.act_pan.setChecked(True)
        self.act_quit.setMenuRole(QAction.MenuRole.QuitRole)

    def _create_menus(self) -> None:
        bar = self.menuBar()
        for attr, _ in MENUS:
            setattr(self, attr, bar.addMenu(""))
        self.menu_recent = QMenu(self)
        self.menu_file.addActions([self.act_new, self.act_open])
        self.menu_file.addMenu(self.menu_recent)
        self.menu_file.addActions([self.act_save, self.act_save_as])
        self.menu_file.addSeparator()
        self.menu_file.addActions([self.act_add_layer, self.act_export_image])
        self.menu_file.addSeparator()
        self.menu_file.addActions([self.act_preferences, self.act_quit])
        self.menu_edit.addActions([self.act_undo, self.act_redo])
        self.menu_view.addActions([self.act_zoom_in, self.act_zoom_out, self.act_zoom_full, self.act_zoom_layer])
        self.menu_view.addSeparator()
        self.menu_view.addActions([getattr(self, a) for a in TOOLS])
        self.menu_view.addSeparator()
        self.menu_panels = self.menu_view.addMenu("")
        for dock in (self.dock_layers, self.dock_legend, self.dock_identify):
            self.menu_panels.addAction(dock.toggleViewAction())
        self.menu_layer.addActions([self.act_add_layer, self.act_style, self.act_zoom_layer,
                                    self.act_rename_layer, self.act_remove_layer])
        self.menu_help.addAction(self.act_about)
        self.toolbar = self.addToolBar("")
        self.toolbar.setObjectName("toolbar_main")
        self.toolbar.addActions([self.act_new, self.act_open, self.act_save, self.act_add_layer])
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.act_undo, self.act_redo])
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.act_pan, self.act_zoom_rect, self.act_zoom_in, self.act_zoom_out,
                                 self.act_zoom_full, self.act_zoom_layer])
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.act_identify, self.act_measure_distance, self.act_measure_area])
        self.menu_panels.addAction(self.toolbar.toggleViewAction())
        self.update_recent_menu()

    def _connect(self) -> None:
        slots = {
            self.act_new: lambda: fileops.new_project(self), self.act_open: lambda: fileops.open_dialog(self),
            self.act_save: lambda: fileops.save(self), self.act_save_as: lambda: fileops.save_as(self),
            self.act_add_layer: lambda: fileops.add_layer_dialog(self),
            self.act_export_image: lambda: fileops.export_image_dialog(self),
            self.act_preferences: self.show_preferences, self.act_quit: self.close,
            self.act_undo: lambda: self.project.undo(), self.act_redo: lambda: self.project.redo(),
            self.act_zoom_in: self.canvas.zoom_in, self.act_zoom_out: self.canvas.zoom_out,
            self.act_zoom_full: self.canvas.zoom_full, self.act_zoom_layer: self.zoom_to_current_layer,
            self.act_style: lambda: self.open_style_dialog(), self.act_rename_layer: self.layer_panel.rename_current,
            self.act_remove_layer: self.layer_panel.remove_current, self.act_about: self.show_about,
        }
        for action, slot in slots.items():
            action.triggered.connect(lambda checked=False, s=slot: s())
        self.canvas.cursorMoved.connect(self.status.set_cursor)
        self.canvas.scaleChanged.connect(self.status.set_scale)
        self.canvas.measureChanged.connect(self.status.set_measure)
        self.canvas.statusMessage.connect(lambda text: self.status.showMessage(text, 15000))
        self.canvas.featureClicked.connect(self._on_feature_clicked)
        self.layer_panel.styleRequested.connect(self.open_style_dialog)
        self.layer_panel.zoomRequested.connect(self.canvas.zoom_to_layer)
        self.layer_panel.errorRaised.connect(self.show_error)
        self.layer_panel.currentLayerChanged.connect(lambda layer: self._update_actions())

    def add_dock(self, widget, area=Qt.DockWidgetArea.RightDockWidgetArea, title: str = "") -> QDockWidget:
        """Add ``widget`` in a dock; ``title`` is English source text, translated here (and on switches)."""
        dock = QDockWidget(self.tr(title) if title else "", self)
        dock.setObjectName(f"dock_{type(widget).__name__}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        if title:
            self._dock_titles[dock] = title
        if hasattr(self, "menu_panels"):
            self.menu_panels.addAction(dock.toggleViewAction())
        return dock

    # -- project ---------------------------------------------------------------------------------
    def set_project(self, project: Project) -> None:
        """Show ``project`` (its history becomes a Qt undo stack)."""
        old = self.project
        if old is not None:
            for name in ("dirty", "path", "title"):
                getattr(old.events, name).disconnect(self._on_project_state)
            if self.history is not None:
                self.history.events.changed.disconnect(self._on_history_changed)
        was_dirty = project.dirty
        self.history = QtCommandStack()  # lives with the project, not the window
        project.history = self.history
        if was_dirty:
            project.mark_dirty()
        self.project = project
        self._last_dirty = project.dirty
        self.history.events.changed.connect(self._on_history_changed)
        for name in ("dirty", "path", "title"):
            getattr(project.events, name).connect(self._on_project_state)
        self.canvas.set_project(project)
        self.layer_panel.set_project(project)
        self.legend.set_project(project)
        self.identify_panel.set_project(project)
        self._pending_extent = project.extent or project.full_extent()
        if self.canvas.isVisible():  # else at the first show, once the canvas has its real size
            self._apply_pending_extent()
        self._on_history_changed()
        self.projectChanged.emit(project)

    def _apply_pending_extent(self) -> None:
        extent, self._pending_extent = self._pending_extent, None
        if extent is not None:
            self.canvas.set_extent(extent)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if getattr(self, "_pending_extent", None) is not None:
            self._apply_pending_extent()

    def open_project(self, path) -> bool:
        """Open a ``.hygis`` project (or any GIS file as a new project); errors are shown, not raised."""
        return fileops.open_path(self, path)

    def _on_project_state(self, *args) -> None:
        self.update_title()

    def _on_history_changed(self) -> None:
        dirty = self.project.dirty
        if dirty != self._last_dirty:  # also when the undo view jumps around (bypasses project.undo)
            self._last_dirty = dirty
            self.project.events.dirty(dirty)
        self.update_title()
        self._update_actions()

    def update_title(self) -> None:
        project = self.project
        name = project.title or (project.path.stem if project.path else self.tr("Untitled project"))
        if project.path is not None and project.title:
            name = f"{project.title} ({project.path.name})"
        self.setWindowTitle(f"{name}{' *' if project.dirty else ''} — hygis")

    def _update_actions(self) -> None:
        history = self.history
        self.act_undo.setEnabled(history.can_undo())
        self.act_redo.setEnabled(history.can_redo())
        undo, redo = history.undo_label(), history.redo_label()
        self.act_undo.setText(self.tr("&Undo {label}").format(label=undo) if undo else self.tr("&Undo"))
        self.act_redo.setText(self.tr("&Redo {label}").format(label=redo) if redo else self.tr("&Redo"))
        layer = self.layer_panel.current_layer()
        for action in (self.act_zoom_layer, self.act_rename_layer, self.act_remove_layer):
            action.setEnabled(layer is not None)
        self.act_style.setEnabled(layer is not None and layer.kind != "raster")

    # -- view actions --------------------------------------------------------------------------
    def set_tool(self, name: str) -> None:
        """Activate a canvas tool ('pan', 'zoom_rect', 'identify', 'measure_distance', 'measure_area')."""
        self.canvas.set_tool(name)
        for attr, tool in TOOLS.items():
            if tool == name:
                getattr(self, attr).setChecked(True)
        if name == "identify":
            self.dock_identify.show()

    def zoom_to_current_layer(self) -> None:
        layer = self.layer_panel.current_layer()
        if layer is not None:
            self.canvas.zoom_to_layer(layer)

    def _on_feature_clicked(self, layer_id: str, fid: int) -> None:
        if self.identify_panel.show_feature(layer_id, fid):
            self.dock_identify.show()
            self.dock_identify.raise_()

    def open_style_dialog(self, layer=None):
        """Open the style dialog of ``layer`` (default: the current layer); returns it."""
        from hygis.ui.style_dialog import StyleDialog

        layer = layer or self.layer_panel.current_layer()
        if layer is None or layer.kind == "raster":
            return None
        self.style_dialog = StyleDialog(layer, self.project, self)
        self.style_dialog.open()
        return self.style_dialog

    # -- dialogs ---------------------------------------------------------------------------------
    def show_preferences(self) -> None:
        dialog = PreferencesDialog(self.settings, self)
        if dialog.exec():
            install_translator(QApplication.instance(), dialog.language)
            if getattr(self, "autosave", None) is not None:
                self.autosave.set_interval(self.settings.autosave_interval())

    def show_about(self) -> None:
        QMessageBox.about(self, self.tr("About hygis"), self.tr(
            "<b>hygis {version}</b><br>Desktop GIS for the Hangzhou–Ningbo dual city plan.<br>"
            "Map projection: CGCS2000 / 3-degree Gauss–Krüger CM 120°E (EPSG:4549).").format(version=__version__))

    def show_error(self, error):
        """Show a HygisError (or message) in a non-blocking dialog; returns the dialog."""
        from hygis.ui.error_dialog import show_error

        self.last_error_dialog = show_error(self, error)
        return self.last_error_dialog

    def run_task(self, title: str, fn, *args, **kw):
        """Run ``fn(*args, progress=…, cancelled=…, **kw)`` off the UI thread (see :mod:`hygis.ui.tasks`)."""
        from hygis.ui.tasks import run_task

        return run_task(self, title, fn, *args, **kw)

    # -- recent files, language ------------------------------------------------------------------
    def update_recent_menu(self) -> None:
        self.menu_recent.clear()
        files = self.settings.recent_files()
        for path in files:
            action = self.menu_recent.addAction(path)
            action.triggered.connect(lambda checked=False, p=path: fileops.open_with_prompt(self, p))
        self.menu_recent.setEnabled(bool(files))

    def retranslate_ui(self) -> None:
        """Re-read every text in the current language (called on QEvent.LanguageChange)."""
        for attr, text in MENUS:
            getattr(self, attr).setTitle(self.tr(text))
        self.menu_recent.setTitle(self.tr("Open &Recent"))
        self.menu_panels.setTitle(self.tr("&Panels"))
        self.toolbar.setWindowTitle(self.tr("Main toolbar"))
        for action, text in self._action_texts.items():
            action.setText(self.tr(text))
            action.setToolTip(_plain(self.tr(text)))
        for dock, title in self._dock_titles.items():
            dock.setWindowTitle(self.tr(title))
        if self.project is not None:
            self._on_history_changed()

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # -- window events ---------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if fileops.dropped_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = fileops.dropped_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            # after the drop returns: the import dialog is modal and the drag source must not wait on it
            QTimer.singleShot(0, lambda: fileops.drop_files(self, paths))

    def closeEvent(self, event) -> None:  # noqa: N802
        if not fileops.maybe_save(self):
            event.ignore()
            return
        self.settings.save_window(self)
        self.settings.sync()
        self.team.close()  # the commit of the last save finished; view-window reads stopped, threads waited for
        event.accept()


def _plain(text: str) -> str:
    """Menu text without its mnemonic ('放大(&I)' → '放大', '&Open…' → 'Open')."""
    return re.sub(r"\(&\w\)", "", text).replace("&", "").rstrip("…")
