"""Team layers in the window: Layer ▸ Team Layers (PostGIS)… (:class:`TeamDialog`)."""

from __future__ import annotations

from PySide6.QtGui import QAction

from hygis.ui.i18n import WindowTexts


class TeamActions(WindowTexts):
    def __init__(self, window):
        super().__init__(window)
        self.dialog = None
        self.act_team = QAction(window)
        self.act_team.triggered.connect(lambda: self.open_dialog())
        self.retranslate_ui()

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
