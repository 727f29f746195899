"""Window actions for print and presentation output and the tile basemap.

:func:`install_cartography` adds to a :class:`~hygis.ui.mainwindow.MainWindow`:

* File ▸ Print layout… (Ctrl+P): the layout dialog with live preview;
* File ▸ Export slides as PowerPoint…: the editable .pptx deck;
* View ▸ Tile basemap: none (the offline vector basemap), OpenStreetMap, 高德, 百度, 天地图,
  an MBTiles file, an XYZ URL or a WMTS service (layer and TileMatrixSet chosen in a dialog) — stored in the project with an undoable command; the
  天地图 token is asked for once and kept in the user settings, never in the project;
* View ▸ Presentation label size (100–200 %) for slides, F5 and layouts;
* Ctrl+Y as a second Redo shortcut (what WPS/Office users press).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QLineEdit, QMessageBox

from hygis.core.errors import HygisError
from hygis.ui.i18n import WindowTexts

#: (key, project tile source) of the basemap menu; None = the offline vector basemap.
TILE_CHOICES = (("none", None), ("osm", "osm"), ("amap", "amap"), ("baidu", "baidu"), ("tianditu", "tianditu"))
LABEL_SCALES = (1.0, 1.25, 1.5, 2.0)


class CartographyActions(WindowTexts):
    def __init__(self, window):
        super().__init__(window)
        self.layout_dialog = None
        self.act_layout = QAction(window)
        self.act_layout.setShortcut(QKeySequence("Ctrl+P"))
        self.act_layout.triggered.connect(self.open_layout_dialog)
        self.act_pptx = QAction(window)
        self.act_pptx.triggered.connect(lambda: self.export_pptx())
        self.tile_group = QActionGroup(window)
        self.tile_actions: dict[str, QAction] = {}
        for key, spec in TILE_CHOICES:
            act = QAction(window, checkable=True)
            act.triggered.connect(lambda checked=False, s=spec: self.set_tiles(s))
            self.tile_group.addAction(act)
            self.tile_actions[key] = act
        self.act_tiles_mbtiles = QAction(window, checkable=True)
        self.act_tiles_mbtiles.triggered.connect(lambda: self.choose_mbtiles())
        self.act_tiles_url = QAction(window, checkable=True)
        self.act_tiles_url.triggered.connect(lambda: self.choose_url())
        self.act_tiles_wmts = QAction(window, checkable=True)
        self.act_tiles_wmts.triggered.connect(lambda: self.choose_wmts())
        for act in (self.act_tiles_mbtiles, self.act_tiles_url, self.act_tiles_wmts):
            self.tile_group.addAction(act)
        self.act_token = QAction(window)
        self.act_token.triggered.connect(lambda: self.ask_token())
        self.label_group = QActionGroup(window)
        self.label_actions: dict[float, QAction] = {}
        for factor in LABEL_SCALES:
            act = QAction(f"{factor:.0%}", window, checkable=True)
            act.triggered.connect(lambda checked=False, f=factor: self.set_label_scale(f))
            self.label_group.addAction(act)
            self.label_actions[factor] = act
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.act_layout.setText(self.tr("&Print Layout…"))
        self.act_pptx.setText(self.tr("Export Slides as &PowerPoint…"))
        names = {"none": self.tr("None (offline vector basemap)"), "osm": self.tr("OpenStreetMap"),
                 "amap": self.tr("Amap (高德, GCJ-02 shifted to WGS84)"),
                 "baidu": self.tr("Baidu (百度, BD-09 shifted to WGS84)"),
                 "tianditu": self.tr("Tianditu (天地图)")}
        for key, act in self.tile_actions.items():
            act.setText(names[key])
        self.act_tiles_mbtiles.setText(self.tr("MBTiles File…"))
        self.act_tiles_url.setText(self.tr("XYZ Tile URL…"))
        self.act_tiles_wmts.setText(self.tr("WMTS Service…"))
        self.act_token.setText(self.tr("Tianditu Token…"))
        if getattr(self, "menu_tiles", None) is not None:
            self.menu_tiles.setTitle(self.tr("Tile &Basemap"))
            self.menu_labels.setTitle(self.tr("Presentation &Label Size"))

    # -- layouts and decks ---------------------------------------------------------------------
    def open_layout_dialog(self):
        from hygis.ui.layout_dialog import LayoutDialog

        self.layout_dialog = LayoutDialog(self.window.project, self.window.canvas, self.window)
        self.layout_dialog.open()
        return self.layout_dialog

    def export_pptx(self, path: str | None = None):
        from hygis.ui.slide_render import export_pptx

        project = self.window.project
        if not list(project.scenarios):
            self._error(self.tr("The project has no scenarios: create one from the current view first."))
            return None
        if path is None:
            base = project.path.with_suffix(".pptx") if project.path else "scenarios.pptx"
            path, _ = QFileDialog.getSaveFileName(self.window, self.tr("Export slides as PowerPoint"), str(base),
                                                  self.tr("PowerPoint deck (*.pptx)"))
            if not path:
                return None
        if not path.lower().endswith(".pptx"):
            path += ".pptx"
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return export_pptx(project, path)
        except HygisError as exc:
            QApplication.restoreOverrideCursor()
            self._error(exc)
            return None
        finally:
            if QApplication.overrideCursor() is not None:
                QApplication.restoreOverrideCursor()

    # -- tile basemap --------------------------------------------------------------------------
    def set_tiles(self, spec: str | None) -> bool:
        """Use ``spec`` as the project's tile basemap (undoable); False if it cannot be used."""
        from hygis.project.layouts import SetTileSource
        from hygis.ui.render.tiles import source_for, tile_token

        project = self.window.project
        if (spec in ("tianditu", "tianditu-satellite") or "tianditu.gov.cn" in (spec or "")) and not tile_token() \
                and not self.ask_token():
            self.sync_checks()
            return False
        try:
            if spec:
                source_for(spec)  # a bad file or URL is said now, not at the next redraw
            if spec != project.tile_source:
                project.execute(SetTileSource(project, spec))
        except HygisError as exc:
            self._error(exc)
            self.sync_checks()
            return False
        self.window.canvas.refresh()
        self.sync_checks()
        return True

    def choose_mbtiles(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self.window, self.tr("Tile basemap"), "",
                                                  self.tr("MBTiles (*.mbtiles)"))
            if not path:
                self.sync_checks()
                return False
        return self.set_tiles(path)

    def choose_url(self, url: str | None = None) -> bool:
        if url is None:
            url, ok = QInputDialog.getText(self.window, self.tr("Tile basemap"),
                                           self.tr("XYZ tile URL with {z}, {x} and {y} (add #gcj02 for tiles in "
                                                   "GCJ-02):"), QLineEdit.EchoMode.Normal,
                                           self.window.project.tile_source or "https://")
            if not ok or not url.strip():
                self.sync_checks()
                return False
        return self.set_tiles(url.strip())

    def choose_wmts(self, dialog=None) -> bool:
        """Pick a layer and TileMatrixSet of a WMTS service (天地图 c/w sets) as the tile basemap."""
        from hygis.geo.wmts import split_spec
        from hygis.ui.render.tiles import tile_token
        from hygis.ui.wmts_dialog import WmtsDialog

        if dialog is None:
            spec = self.window.project.tile_source or ""
            location = split_spec(spec)[0] if spec.startswith("wmts:") else ""
            dialog = WmtsDialog(self.window, location, token=tile_token())
            self.wmts_dialog = dialog
            if not dialog.exec():
                self.sync_checks()
                return False
        spec = dialog.spec()
        if not spec:
            self.sync_checks()
            return False
        return self.set_tiles(spec)

    def ask_token(self, token: str | None = None) -> bool:
        """Ask for the 天地图 token and keep it in the user settings (never in the project)."""
        from hygis.ui.settings import Settings

        settings = getattr(self.window, "settings", None) or Settings()
        if token is None:
            token, ok = QInputDialog.getText(self.window, self.tr("Tianditu token"),
                                             self.tr("Your Tianditu (天地图) key, from console.tianditu.gov.cn:"),
                                             QLineEdit.EchoMode.Normal, settings.tianditu_token() or "")
            if not ok:
                return False
        settings.set_tianditu_token(token)
        settings.sync()
        return bool(token.strip())

    def _settings(self):
        from hygis.ui.settings import Settings

        return getattr(self.window, "settings", None) or Settings()

    def set_label_scale(self, factor: float) -> None:
        """Label size of slides, F5 and layouts (1.0 = 14 px at 1080p); the canvas is unchanged."""
        settings = self._settings()
        settings.set_label_scale(factor)
        settings.sync()
        self.sync_checks()

    def sync_checks(self) -> None:
        """Check the menu entries of the project's tile source and of the label size."""
        scale = self._settings().label_scale()
        nearest = min(LABEL_SCALES, key=lambda f: abs(f - scale))
        self.label_actions[nearest].setChecked(True)
        spec = getattr(self.window.project, "tile_source", None)
        keys = {s: k for k, s in TILE_CHOICES}
        if spec in keys:
            self.tile_actions[keys[spec]].setChecked(True)
        elif spec and spec.lower().endswith(".mbtiles"):
            self.act_tiles_mbtiles.setChecked(True)
        elif spec and spec.lower().startswith("wmts:"):
            self.act_tiles_wmts.setChecked(True)
        elif spec:
            self.act_tiles_url.setChecked(True)

    def _on_history(self) -> None:  # undo/redo of a tile source change: redraw
        spec = getattr(self.window.project, "tile_source", None)
        if spec != getattr(self, "_last_spec", None):
            self._last_spec = spec
            self.window.canvas.refresh()
            self.sync_checks()

    def _error(self, message) -> None:
        show = getattr(self.window, "show_error", None)
        if show is not None:
            show(str(message))
        else:
            QMessageBox.warning(self.window, self.tr("hygis"), str(message))


def install_cartography(window) -> CartographyActions:
    """Add the print layout, PowerPoint export, tile basemap menu and Ctrl+Y redo to ``window``."""
    actions = CartographyActions(window)
    menu_file = window.menu_file
    anchor = getattr(window, "act_export_image", None)
    items = menu_file.actions()
    before = items[items.index(anchor) + 1] if anchor in items and items.index(anchor) + 1 < len(items) else None
    for act in (actions.act_layout, actions.act_pptx):
        menu_file.insertAction(before, act) if before is not None else menu_file.addAction(act)
    menu = window.menu_view.addMenu("")
    actions.menu_tiles = menu
    menu.addActions(list(actions.tile_actions.values()))
    menu.addActions([actions.act_tiles_mbtiles, actions.act_tiles_url, actions.act_tiles_wmts])
    menu.addSeparator()
    menu.addAction(actions.act_token)
    actions.menu_labels = window.menu_view.addMenu("")
    actions.menu_labels.addActions(list(actions.label_actions.values()))
    redo = window.act_redo
    keys = list(redo.shortcuts())
    if QKeySequence("Ctrl+Y") not in keys:
        redo.setShortcuts(keys + [QKeySequence("Ctrl+Y")])
    actions.retranslate_ui()
    actions.sync_checks()
    window.cartography = actions
    from hygis.ui.layer_dialogs import install_layer_menu
    from hygis.ui.measure_panel import install_measure

    install_layer_menu(window)
    install_measure(window)  # View ▸ Panels ▸ Measure: segments, total, area, m/km
    from hygis.ui.bookmarks import install_bookmarks

    install_bookmarks(window)  # View ▸ Bookmarks (project data, undoable)
    changed = getattr(window, "projectChanged", None)
    if changed is not None:
        changed.connect(lambda *_: (actions.sync_checks(), _watch_history(window, actions)))
    _watch_history(window, actions)
    return actions


def _watch_history(window, actions) -> None:
    history = getattr(window, "history", None)
    if history is not None:
        actions._last_spec = getattr(window.project, "tile_source", None)
        history.events.changed.connect(actions._on_history)
