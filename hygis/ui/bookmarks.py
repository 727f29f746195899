"""View ▸ Bookmarks: save the current view under a name, zoom to a saved one, manage them.

Bookmarks are project data (:mod:`hygis.project.bookmarks`): each change is one undoable
command and they are saved in the ``.hygis`` file.  :func:`install_bookmarks` adds the
menu — New Bookmark… (Ctrl+B), Manage Bookmarks…, then one entry per bookmark that
zooms the map to it — and keeps it in step with the project (undo, redo, open).
:class:`BookmarkDialog` lists the bookmarks with Zoom to, Add current view, Rename… and
Delete.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QInputDialog, QListWidget, QListWidgetItem,
                               QPushButton, QVBoxLayout)

from hygis.core.errors import HygisError
from hygis.project import bookmarks as bm


def _extent_text(mark) -> str:
    x0, y0, x1, y1 = mark.wgs84()
    return f"{x0:.4f}, {y0:.4f} — {x1:.4f}, {y1:.4f}"


class BookmarkActions(QObject):
    """The Bookmarks menu of a main window."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.dialog = None
        self.menu = window.menu_view.addMenu("")
        self.act_new = QAction(window)
        self.act_new.setShortcut(QKeySequence("Ctrl+B"))
        self.act_new.triggered.connect(lambda: self.new_bookmark())
        self.act_manage = QAction(window)
        self.act_manage.triggered.connect(lambda: self.open_dialog())
        self.zoom_actions: list[QAction] = []
        self.retranslate_ui()
        window.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt virtual)
        if obj is self.window and event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        return False

    def retranslate_ui(self) -> None:
        self.menu.setTitle(self.tr("&Bookmarks"))
        self.act_new.setText(self.tr("&New Bookmark…"))
        self.act_manage.setText(self.tr("&Manage Bookmarks…"))
        self.rebuild()

    @property
    def project(self):
        return self.window.project

    def rebuild(self) -> None:
        """The menu: New, Manage, then one zoom entry per bookmark."""
        self.menu.clear()
        self.menu.addActions([self.act_new, self.act_manage])
        self.zoom_actions = []
        marks = list(getattr(self.project, "bookmarks", []) or [])
        if marks:
            self.menu.addSeparator()
        for b in marks:
            act = self.menu.addAction(b.name)
            act.setToolTip(_extent_text(b))
            act.triggered.connect(lambda checked=False, name=b.name: self.zoom_to(name))
            self.zoom_actions.append(act)
        self.act_manage.setEnabled(True)
        if self.dialog is not None:
            self.dialog.refresh()

    # -- operations (each data change one undoable command) ---------------------------------------
    def add(self, name: str, extent=None) -> bool:
        """Save ``extent`` (lon/lat; default: the canvas's view, its map extent exactly) as bookmark
        ``name``; False (and shown) if refused."""
        try:
            mark = bm.Bookmark(name, extent) if extent is not None else \
                bm.Bookmark.of_view(name, self.window.canvas.map_extent())
            self.project.execute(bm.AddBookmark(self.project, mark))
        except HygisError as exc:
            self._error(exc)
            return False
        self.rebuild()
        return True

    def new_bookmark(self, name: str | None = None) -> bool:
        if name is None:
            default = self.tr("Bookmark {n}").format(n=len(self.project.bookmarks) + 1)
            name, ok = QInputDialog.getText(self.window, self.tr("New bookmark"),
                                            self.tr("Name of the current view:"), text=default)
            if not ok:
                return False
        return self.add(name)

    def zoom_to(self, name: str) -> bool:
        try:
            mark = bm.find(self.project, name)
        except HygisError as exc:
            self._error(exc)
            return False
        self.window.canvas.set_map_extent(mark.map_extent())
        return True

    def remove(self, name: str) -> bool:
        return self._run(lambda: bm.RemoveBookmark(self.project, name))

    def rename(self, name: str, new_name: str) -> bool:
        return self._run(lambda: bm.RenameBookmark(self.project, name, new_name))

    def _run(self, make) -> bool:
        try:
            self.project.execute(make())
        except HygisError as exc:
            self._error(exc)
            return False
        self.rebuild()
        return True

    def open_dialog(self):
        self.dialog = BookmarkDialog(self, self.window)
        self.dialog.finished.connect(lambda *_: setattr(self, "dialog", None))
        self.dialog.show()
        return self.dialog

    def _error(self, message) -> None:
        show = getattr(self.window, "show_error", None)
        if show is not None:
            show(str(message))


class BookmarkDialog(QDialog):
    """The project's bookmarks: zoom to, add the current view, rename, delete."""

    def __init__(self, actions: BookmarkActions, parent=None):
        super().__init__(parent)
        self.actions = actions
        self.list = QListWidget()
        self.list.itemDoubleClicked.connect(lambda item: self.zoom())
        self.list.currentRowChanged.connect(lambda *_: self._update_buttons())
        self.zoom_button, self.add_button = QPushButton(), QPushButton()
        self.rename_button, self.delete_button = QPushButton(), QPushButton()
        self.zoom_button.clicked.connect(self.zoom)
        self.add_button.clicked.connect(lambda: self.actions.new_bookmark())
        self.rename_button.clicked.connect(lambda: self.rename())
        self.delete_button.clicked.connect(self.delete)
        side = QVBoxLayout()
        for b in (self.zoom_button, self.add_button, self.rename_button, self.delete_button):
            side.addWidget(b)
        side.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(side)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.buttons)
        self.resize(520, 340)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Spatial bookmarks"))
        self.zoom_button.setText(self.tr("&Zoom To"))
        self.add_button.setText(self.tr("&Add Current View…"))
        self.rename_button.setText(self.tr("&Rename…"))
        self.delete_button.setText(self.tr("&Delete"))
        self.refresh()

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def refresh(self) -> None:
        current = self.current_name()
        self.list.clear()
        for b in self.actions.project.bookmarks:
            item = QListWidgetItem(f"{b.name}    ({_extent_text(b)})")
            item.setData(Qt.ItemDataRole.UserRole, b.name)
            self.list.addItem(item)
            if b.name == current:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self._update_buttons()

    def names(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def current_name(self) -> str | None:
        item = self.list.currentItem() if hasattr(self, "list") else None
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def select(self, name: str) -> None:
        self.list.setCurrentRow(self.names().index(name))

    def _update_buttons(self) -> None:
        has = self.current_name() is not None
        for b in (self.zoom_button, self.rename_button, self.delete_button):
            b.setEnabled(has)

    def zoom(self) -> None:
        name = self.current_name()
        if name:
            self.actions.zoom_to(name)

    def rename(self, new_name: str | None = None) -> bool:
        name = self.current_name()
        if not name:
            return False
        if new_name is None:
            new_name, ok = QInputDialog.getText(self, self.tr("Rename bookmark"), self.tr("New name:"), text=name)
            if not ok:
                return False
        if new_name.strip() == name:
            return False  # nothing to change: no undo step
        if not self.actions.rename(name, new_name):
            return False
        self.select(new_name.strip())
        return True

    def delete(self) -> bool:
        name = self.current_name()
        return bool(name) and self.actions.remove(name)


def install_bookmarks(window) -> BookmarkActions:
    """Add View ▸ Bookmarks to ``window`` and keep it in step with the project."""
    actions = BookmarkActions(window)
    window.bookmarks = actions

    def _watch(*_):
        history = getattr(window, "history", None)
        if history is not None:
            history.events.changed.connect(actions.rebuild)
        actions.rebuild()

    changed = getattr(window, "projectChanged", None)
    if changed is not None:
        changed.connect(_watch)
    _watch()
    return actions
