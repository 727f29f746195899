"""Team layers in the window: Layer ▸ Team Layers (PostGIS)… (:class:`TeamDialog`)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction


class TeamActions(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.dialog = None
        self.act_team = QAction(window)
        self.act_team.triggered.connect(lambda: self.open_dialog())
        self.retranslate_ui()
        window.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt virtual): follow the window's language
        if obj is self.window and event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        return False

    def retranslate_ui(self) -> None:
        self.act_team.setText(self.tr("&Team Layers (PostGIS)…"))

    def open_dialog(self):
        from hygis.ui.db.team_dialog import TeamDialog

        if self.dialog is None or self.dialog.project is not self.window.project:
            self.dialog = TeamDialog(self.window.project, self.window.canvas, self.window)
        self.dialog.refresh_status()
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog


def install_team_menu(window) -> TeamActions:
    """Add Layer ▸ Team Layers (PostGIS)… to ``window``."""
    actions = TeamActions(window)
    window.menu_layer.addSeparator()
    window.menu_layer.addAction(actions.act_team)
    window.team = actions
    return actions
