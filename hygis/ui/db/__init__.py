"""Team layers in the window: Layer ▸ Team Layers (PostGIS)… (:class:`TeamDialog`), live linked
layers read by view window (:class:`~hygis.ui.db.live_view.LiveWindows`), and their pending edits
committed after each save in a worker thread (:meth:`TeamActions.after_save`)."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QEventLoop, Qt, Signal
from PySide6.QtGui import QAction

from hygis.core.errors import HygisError
from hygis.ui.i18n import WindowTexts
from hygis.ui.error_dialog import error_message

log = logging.getLogger(__name__)


class TeamActions(WindowTexts):
    committed = Signal(object, object)  # project, future (emitted from the worker thread)
    commitFinished = Signal(object)  # the reports (tests and a waiting save listen)

    def __init__(self, window):
        super().__init__(window)
        self.dialog = None
        self.commit_running = None
        self.last_reports: list = []
        self.committed.connect(self._on_committed, Qt.ConnectionType.QueuedConnection)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hygis-commit")
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
            self.dialog.note_reports(self.last_reports)
        self.dialog.refresh_status()
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def after_save(self) -> None:
        """Commit the live layers' pending edits (one transaction per layer) once the file is saved.

        The database part runs in a worker thread (:func:`hygis.db.sync.push_job`): the window stays
        responsive, the status bar says what is going on, and the outcome arrives on the UI thread
        (:meth:`_on_committed`).  Conflicts open the team dialog with both versions (mine / theirs);
        a refusal (no write right, no network) is one message -- the edits stay in the saved file as
        pending.  A save while a commit runs waits for it first (:meth:`wait`)."""
        from hygis.db.live import live_links, pending
        from hygis.db.sync import prepare_live, push_job

        project = self.window.project
        if project.path is None or not any(any(pending(project, lyr).values()) for lyr, _ in live_links(project)):
            return
        try:
            jobs = prepare_live(project)
        except (HygisError, OSError) as exc:
            self.window.show_error(exc if isinstance(exc, HygisError) else HygisError(error_message(exc)))
            return
        if not jobs:
            return
        self.window.statusBar().showMessage(self.tr("Committing the edits of {0} linked layer(s) to the database…")
                                            .format(len(jobs)))

        def work():  # the worker thread: the database only
            out = []
            for job in jobs:
                try:
                    out.append((job, push_job(job)))
                except HygisError as exc:
                    out.append((job, exc))
                except Exception as exc:  # a bug: reported like a refusal, the edits stay pending
                    log.exception("committing %s failed", job.name)
                    out.append((job, HygisError("{kind}: {reason}", kind=type(exc).__name__, reason=str(exc))))
            return out

        self.commit_running = self._pool.submit(work)
        self.commit_running.add_done_callback(lambda f, p=project: self.committed.emit(p, f))

    def _on_committed(self, project, future) -> None:
        from hygis.db.sync import finish_live

        if future is self.commit_running:
            self.commit_running = None
        if project is not self.window.project:  # another project was opened meanwhile: its file has the edits
            self.commitFinished.emit([])
            return
        was_clean = not project.dirty
        try:
            reports = finish_live(project, future.result())
        except (HygisError, OSError) as exc:
            self.window.show_error(exc if isinstance(exc, HygisError) else HygisError(error_message(exc)))
            self.commitFinished.emit([])
            return
        if was_clean:
            project.mark_clean()
        self.last_reports = reports
        error = "\n".join(f"{r.layer}: {error_message(r.error)}" for r in reports if r.error)
        self.window.statusBar().clearMessage()
        if self.dialog is not None and self.dialog.project is project:
            self.dialog.note_reports(reports)
            self.dialog.refresh_status()
        if any(r.conflicts for r in reports):
            dialog = self.open_dialog()
            dialog.show_reports(reports, committed=True)
        elif error:
            head = self.tr("The edits of the linked layers were saved in the project but not in the database:")
            self.window.show_error(HygisError("{head}\n{reasons}", head=head, reasons=error))
        else:
            sent = sum(sum(r.pushed.values()) for r in reports)
            self.window.statusBar().showMessage(self.tr("{0} edit(s) committed to the database").format(sent), 5000)
        self.commitFinished.emit(reports)

    def is_committing(self) -> bool:
        return self.commit_running is not None

    def close(self) -> None:
        """The window closes: wait for a commit still running, stop the view-window reads and wait for
        both worker threads (nothing runs on after the window)."""
        self.wait()
        self.live.close()
        self._pool.shutdown(wait=True)

    def wait(self) -> None:
        """Return once no commit runs (the UI keeps processing events meanwhile): a save or a close waits
        for the commit of the previous save, so the file never misses its new base."""
        if self.commit_running is None:
            return
        loop = QEventLoop()
        self.commitFinished.connect(loop.quit)
        try:
            if self.commit_running is not None:
                loop.exec()
        finally:
            self.commitFinished.disconnect(loop.quit)


def install_team_menu(window) -> TeamActions:
    """Add Layer ▸ Team Layers (PostGIS)… to ``window``."""
    actions = TeamActions(window)
    window.menu_layer.addSeparator()
    window.menu_layer.addAction(actions.act_team)
    window.team = actions
    return actions
