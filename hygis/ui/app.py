"""Start the desktop app: ``run_app(path=None, lang=None, debug=False)``.

The application is named for the desktop (organisation/domain/name/version, the window icon
and the ``hygis.desktop`` file name), draws sharp on HiDPI screens (the canvas renders at the
device pixel ratio), and reports what goes wrong: an uncaught exception in a slot goes to the
log file and the error dialog (``sys.excepthook``), a hard crash (segfault, abort) leaves
faulthandler's traceback in the log file.

Start-up is kept lean (the window must show the sample project drawn in under
1.5 s from a cold start): analysis, I/O and raster modules are imported inside
the actions that need them.  ``HYGIS_STARTUP_TIMING=1`` prints the seconds from
process start to the first drawn map and quits (used by ``tools/screenshots.py
--startup``).
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from hygis import __version__
from hygis.ui.i18n import current_language, install_translator, resolve_language

ENV_TIMING = "HYGIS_STARTUP_TIMING"
ORGANIZATION = "hygis"
ORGANIZATION_DOMAIN = "hygis.local"  # no web site: used by Qt as the reverse-DNS prefix on macOS
APPLICATION = "hygis"
DESKTOP_FILE = "hygis"  # hygis.desktop (hygis desktop-install): Wayland matches windows to it
_SAMPLE = "宁波杭州文件图层"


def _process_start_time() -> float:
    """Epoch seconds at which this process started (Linux /proc; else module import time)."""
    try:
        with open("/proc/self/stat") as f:
            start_ticks = float(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return time.time() - uptime + start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return _IMPORTED_AT


_IMPORTED_AT = time.time()


def name_application() -> None:
    """Organisation, domain, name and version of the application (QSettings and the desktop use them)."""
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setOrganizationDomain(ORGANIZATION_DOMAIN)
    QCoreApplication.setApplicationName(APPLICATION)
    QCoreApplication.setApplicationVersion(__version__)


def create_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (existing one reused), named for QSettings and the desktop, with its icon and
    a CJK-capable font."""
    name_application()
    app = QApplication.instance()
    if app is None:
        from PySide6.QtCore import Qt

        from hygis.core.memory import reuse_freed_memory

        reuse_freed_memory()  # before any thread allocates: one heap for the drawing threads

        # fractional scale factors (125 %, 150 %) as they are: the canvas renders at the exact ratio
        QApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    QApplication.setApplicationDisplayName("hygis")
    QApplication.setDesktopFileName(DESKTOP_FILE)
    app.setWindowIcon(app_icon())
    ensure_cjk_font(app)
    return app


def app_icon():
    """The application icon (hygis/assets/icons/hygis.svg); an empty icon if it is missing."""
    from PySide6.QtGui import QIcon

    from hygis.core.errors import HygisError
    from hygis.core.resources import asset_path

    try:
        return QIcon(str(asset_path("icons", "hygis.svg")))
    except HygisError:
        return QIcon()


def ensure_cjk_font(app: QApplication) -> str:
    """Use a font with Chinese glyphs for the UI if the default one has none; returns the family."""
    font = app.font()
    family = font.family()
    if QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(family) or _has_glyphs(font):
        return family
    from hygis.ui.fonts import cjk_family

    cjk = cjk_family()
    new = QFont(font)
    new.setFamilies([cjk, family])
    app.setFont(new)
    return cjk


def _has_glyphs(font: QFont) -> bool:
    from PySide6.QtGui import QFontMetrics

    metrics = QFontMetrics(font)
    return all(metrics.inFontUcs4(ord(ch)) for ch in _SAMPLE)


def run_app(path=None, lang=None, debug: bool = False) -> int:
    """Open the main window (and ``path``: a .hygis project or any GIS file); returns the exit code."""
    from hygis.core.logs import setup_logging
    from hygis.ui.crash import install_crash_reporting

    setup_logging(debug)
    app = create_app()
    install_crash_reporting()
    from hygis.ui.settings import Settings

    settings = Settings()
    install_translator(app, resolve_language(settings.language(), lang))
    from hygis.ui.mainwindow import MainWindow

    from hygis.ui.fileops import opens_through_import_dialog

    window = MainWindow(settings=settings, defer_analysis=True)
    from hygis.ui.crash import set_dialog_parent

    set_dialog_parent(window)
    import_later = bool(path) and opens_through_import_dialog(path)
    if path and not import_later:
        window.open_project(path)
    timing = os.environ.get(ENV_TIMING)
    if timing:
        _report_first_frame(window, app)
    window.show()
    if import_later:  # a vector file: its import dialog (preview, encoding) over the shown window
        window.open_project(path)
    from hygis.ui.autosave import install_autosave, offer_recovery  # recovery after a crash (issue 7)

    autosave = install_autosave(window)
    restored = None if timing else offer_recovery(window)
    if restored is not None:
        window.set_project(restored)
    code = app.exec()
    autosave.project_closed()  # a normal quit: the user saved or chose to discard
    return code


def _report_first_frame(window, app) -> None:
    """Print seconds from process start to the first paint of a rendered map, then quit."""
    from PySide6.QtCore import QEvent, QObject

    started = _process_start_time()

    class _FirstPaint(QObject):
        armed = False

        def eventFilter(self, obj, event):  # noqa: N802 (Qt virtual)
            if self.armed and event.type() == QEvent.Type.Paint:
                self.armed = False
                elapsed = time.time() - started
                print(f"first map frame after {elapsed:.3f} s (language {current_language()}, "
                      f"{len(window.project.layers)} layers)", flush=True)
                QTimer.singleShot(0, app.quit)
            return False

    spy = _FirstPaint(window)
    window.canvas.installEventFilter(spy)

    def arm():
        spy.armed = True
        window.canvas.update()

    window.canvas.renderDone.connect(arm)
    QTimer.singleShot(10000, app.quit)
