"""Team layers in the window: Layer ▸ Team Layers (PostGIS)… (:class:`TeamDialog`), live linked
layers read by view window (:class:`~hygis.ui.db.live_view.LiveWindows`), and their pending edits
committed after each save (:meth:`TeamActions.after_save`)."""

from __future__ import annotations

from PySide6.QtGui import QAction

from hygis.core.errors import HygisError
from hygis.ui.i18n import WindowTexts


class TeamActions(WindowTexts):
    def __init__(self, window):
        super().__init__(window)
        self.dialog = None
        self.act_team = QAction(window)
        self.act_team.triggered.connect(lambda: self.open_dialog())
        from hygis.ui.db.live_view import LiveWindows

        self.live = LiveWindows(window.canvas)
        window.projectChanged.connect(lambda *_: self.live.schedule())
        self.live.schedule()
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

    def after_save(self) -> list:
        """Commit the live layers' pending edits (one transaction per layer) once the file is saved.

        Conflicts open the team dialog with both versions (mine / theirs); a refusal (no write
        right, no network) is one message -- the edits stay in the saved file as pending."""
        from hygis.db.live import live_links, pending
        from hygis.db.sync import commit_live

        project = self.window.project
        if project.path is None or not any(any(pending(project, lyr).values()) for lyr, _ in live_links(project)):
            return []
        try:
            reports = commit_live(project)
        except HygisError as exc:
            reports, error = [], str(exc)
        else:
            error = "\n".join(f"{r.layer}: {r.error}" for r in reports if r.error)
        if any(r.conflicts for r in reports):
            dialog = self.open_dialog()
            dialog.show_reports(reports)
        elif error:
            self.window.show_error(HygisError(self.tr("The edits of the linked layers were saved in the project "
                                                      "but not in the database:") + "\n" + error))
        else:
            sent = sum(sum(r.pushed.values()) for r in reports)
            self.window.statusBar().showMessage(self.tr("{0} edit(s) committed to the database").format(sent), 5000)
        return reports


def install_team_menu(window) -> TeamActions:
    """Add Layer ▸ Team Layers (PostGIS)… to ``window``."""
    actions = TeamActions(window)
    window.menu_layer.addSeparator()
    window.menu_layer.addAction(actions.act_team)
    window.team = actions
    return actions
