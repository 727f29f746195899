"""The panel base: inputs, Run/Cancel, status line, exports; worker runs and debounced recompute.

A panel collects its inputs on the UI thread (copies of the layers' filtered
frames), hands a pure analysis function to :class:`AnalysisRun` (a worker
thread via :func:`hygis.ui.tasks.start_task`, with progress and Cancel) and shows
the result when it arrives.  A cancelled or failed run leaves the previous
results on screen.  :class:`ProjectWatcher` turns layer data/filter/visibility
changes, scenario switches and target edits into one debounced ``recompute``.
"""

from __future__ import annotations

import logging

import pandas as pd
from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from hygis.core.errors import HygisError
from hygis.ui.analysis.common import export_chart, export_table
from hygis.ui.error_dialog import error_message

log = logging.getLogger(__name__)

#: Layer events that change what an analysis sees.
RECOMPUTE_EVENTS = ("data", "filter", "visible")
DEBOUNCE_MS = 300


# -- worker run -------------------------------------------------------------------------------
class AnalysisRun(QObject):
    """Runs one analysis at a time in a worker thread; a request while busy runs once afterwards.

    Signals: ``started()``, ``finished(result)``, ``failed(message)``, ``cancelled()``.
    """

    started = Signal()
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QWidget, title: str):
        super().__init__(parent)
        self._parent, self.title = parent, title
        self.task = None
        self._pending = None

    @property
    def busy(self) -> bool:
        return self.task is not None

    def run(self, fn, *args, **kw) -> None:
        """Start ``fn(*args, progress=, cancelled=, **kw)`` (inputs must be collected already)."""
        if self.task is not None:
            self._pending = (fn, args, kw)
            return
        from hygis.ui.tasks import start_task

        self.started.emit()
        self.task = start_task(self._parent, self.title, fn, *args, **kw)
        self.task.succeeded.connect(self.finished.emit)
        self.task.failed.connect(self._on_failed)
        self.task.cancelled.connect(self._on_cancelled)
        self.task.finished.connect(self._on_task_finished)

    def cancel(self) -> None:
        self._pending = None
        if self.task is not None:
            self.task.cancel()

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Cancel and wait (processing events) until the worker has stopped: the task must not
        outlive the panel it reports to."""
        self.cancel()
        if self.task is None:
            return
        loop = QEventLoop()
        self.task.finished.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        if self.task is not None and not self.task.is_finished:
            loop.exec()

    def _on_failed(self, exc) -> None:
        if isinstance(exc, HygisError):
            self.failed.emit(error_message(exc))
        else:
            log.error("analysis failed", exc_info=(type(exc), exc, exc.__traceback__))
            self.failed.emit(f"{type(exc).__name__}: {exc}")

    def _on_cancelled(self) -> None:
        self._pending = None
        self.cancelled.emit()

    def _on_task_finished(self) -> None:
        self.task = None
        if self._pending is not None:
            fn, args, kw = self._pending
            self._pending = None
            self.run(fn, *args, **kw)


# -- recompute on project changes -----------------------------------------------------------
class ProjectWatcher(QObject):
    """Emits ``changed`` once (debounced) after layer data/filter/visibility or scenario changes."""

    changed = Signal()

    def __init__(self, parent=None, delay_ms: int = DEBOUNCE_MS):
        super().__init__(parent)
        self.project = None
        self._timer = QTimer(self, singleShot=True, interval=delay_ms)
        self._timer.timeout.connect(self.changed.emit)

    def set_project(self, project) -> None:
        self.detach()
        self.project = project
        if project is None:
            return
        project.layers.events.layer_changed.connect(self._on_layer_changed)
        project.layers.events.inserted.connect(self._on_structure)
        project.layers.events.removed.connect(self._on_structure)
        project.scenarios.events.active.connect(self._on_structure)
        project.events.targets.connect(self._on_structure)
        project.events.settings.connect(self._on_structure)

    def detach(self) -> None:
        p = self.project
        if p is None:
            return
        p.layers.events.layer_changed.disconnect(self._on_layer_changed)
        p.layers.events.inserted.disconnect(self._on_structure)
        p.layers.events.removed.disconnect(self._on_structure)
        p.scenarios.events.active.disconnect(self._on_structure)
        p.events.targets.disconnect(self._on_structure)
        p.events.settings.disconnect(self._on_structure)
        self.project = None
        try:
            self._timer.stop()
        except RuntimeError:
            pass

    def schedule(self) -> None:
        """Restart the debounce timer (``changed`` fires once when it runs out)."""
        self._timer.start()

    def _on_layer_changed(self, layer, event_name, *args) -> None:
        if event_name in RECOMPUTE_EVENTS:
            self._on_structure()

    def _on_structure(self, *args) -> None:
        try:
            self._timer.start()
        except RuntimeError:  # the panel was deleted without closing: stop listening
            self.detach()


# -- panel base ---------------------------------------------------------------------------------
class AnalysisPanel(QWidget):
    """Base of the dockable panels: inputs row(s), Run/Cancel, status line, exports.

    Subclasses build their inputs in ``_build_inputs(layout)``, return the job in
    ``_job()`` as ``(fn, kwargs)`` (collected on the UI thread) or None when inputs are
    missing, and show results in ``_show(result)``.
    """

    def __init__(self, project=None, canvas=None, parent=None):
        super().__init__(parent)
        self.project = None
        self.canvas = canvas
        self.result = None
        self.run_count = 0
        self.runner = AnalysisRun(self, self.windowTitle() or type(self).__name__)
        self.runner.started.connect(self._on_started)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(self._on_cancelled)
        self.watcher = ProjectWatcher(self)
        self.watcher.changed.connect(self._on_project_data_changed)
        self._stale = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self._build_inputs(layout)
        buttons = QHBoxLayout()
        self.run_button = QPushButton(self)
        self.run_button.clicked.connect(self.recompute)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.runner.cancel)
        self.export_table_button = QPushButton(self)
        self.export_table_button.clicked.connect(self._on_export_table)
        self.export_chart_button = QPushButton(self)
        self.export_chart_button.clicked.connect(self._on_export_chart)
        for b in (self.run_button, self.cancel_button, self.export_table_button, self.export_chart_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.status = QLabel(self)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.status)
        self._build_results(layout)
        self.export_chart_button.setVisible(self.chart() is not None)
        self._retranslate_base()
        self.set_project(project)

    # hooks ---------------------------------------------------------------------------------
    def _build_inputs(self, layout) -> None:
        raise NotImplementedError

    def _build_results(self, layout) -> None:
        raise NotImplementedError

    def _job(self):
        raise NotImplementedError

    def _show(self, result) -> None:
        raise NotImplementedError

    def _project_changed(self) -> None:
        """Refill the input choices (layers, fields) for the current project."""

    def _clear(self) -> None:
        """Empty the tables, charts and map overlays (the results belong to a project and a panel)."""

    def retranslate_ui(self) -> None:
        """Subclasses set their own texts here."""

    def table_frame(self) -> pd.DataFrame | None:
        """The table exported by 'Export table' (with shown headers)."""
        return None

    def chart(self):
        """The plot exported by 'Export chart'."""
        return None

    # project ------------------------------------------------------------------------------
    def set_project(self, project) -> None:
        self.runner.cancel()
        if project is not self.project:
            self.clear_results()
        self.project = project
        self.watcher.set_project(project)
        self._project_changed()
        if project is not None:
            self.watcher.schedule()

    def _on_input_changed(self, *args) -> None:
        """An input widget changed: recompute (debounced)."""
        self.watcher.schedule()

    def clear_results(self) -> None:
        """Forget the results: tables, charts and map overlays are emptied (panel closed, other project)."""
        self.runner.cancel()
        self.result = None
        self._stale = self.project is not None
        self._clear()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt virtual)
        self.watcher.detach()
        self.runner.shutdown()
        self.clear_results()
        super().closeEvent(event)

    def _on_project_data_changed(self) -> None:
        """Recompute now if the panel is shown, else when it is next shown (hidden docks cost nothing)."""
        if self.isVisible():
            self.recompute()
        else:
            self._stale = True

    def showEvent(self, event) -> None:  # noqa: N802 (Qt virtual)
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.watcher.schedule()

    # running -------------------------------------------------------------------------------
    def recompute(self) -> None:
        """Collect the inputs now and run the analysis in the worker."""
        if self.project is None:
            return
        try:
            job = self._job()
        except HygisError as exc:
            self._on_failed(error_message(exc))
            return
        if job is None:
            return
        fn, kw = job
        self._job_project = self.project
        self.runner.run(fn, **kw)

    def _on_started(self) -> None:
        self.cancel_button.setEnabled(True)
        self.status.setText(self.tr("Computing…"))

    def _on_finished(self, result) -> None:
        self.cancel_button.setEnabled(False)
        if getattr(self, "_job_project", None) is not self.project:  # a run for a project no longer shown
            return
        self.result = result
        self.run_count += 1
        self.status.setText("")
        self._show(result)

    def _on_failed(self, message: str) -> None:
        self.cancel_button.setEnabled(False)
        self.status.setText(self.tr("Error: {0}").format(message))

    def _on_cancelled(self) -> None:
        self.cancel_button.setEnabled(False)
        self.status.setText(self.tr("Cancelled; the previous results are kept."))

    # exports --------------------------------------------------------------------------------
    def _on_export_table(self) -> None:
        frame = self.table_frame()
        if frame is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export table"), "",
                                              self.tr("Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)"))
        if path:
            self._guarded(export_table, frame, path)

    def _on_export_chart(self) -> None:
        plot = self.chart()
        if plot is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export chart"), "",
                                              self.tr("PNG image (*.png);;SVG drawing (*.svg)"))
        if path:
            self._guarded(export_chart, plot, path)

    def _guarded(self, fn, *args) -> None:
        try:
            fn(*args)
        except HygisError as exc:
            self.status.setText(self.tr("Error: {0}").format(exc))
        else:
            self.status.setText(self.tr("Saved {0}").format(args[-1]))

    # language ----------------------------------------------------------------------------------
    def _retranslate_base(self) -> None:
        self.run_button.setText(self.tr("Run"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.export_table_button.setText(self.tr("Export table…"))
        self.export_chart_button.setText(self.tr("Export chart…"))
        self.retranslate_ui()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt virtual)
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate_base()
            if self.result is not None:
                self._show(self.result)
        super().changeEvent(event)
