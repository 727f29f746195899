"""Presentation mode: the scenarios full screen, one key to the next, like a slide show.

Keys (what presentation clickers send), handled on the presentation widget
itself (``event()`` sees them before focus navigation or window shortcuts):

=========================================  =======================
PageDown, Right, Down, Space, Enter, N     next scenario
PageUp, Left, Up, Backspace, P             previous scenario
Home / End                                 first / last
1 … 9                                      that scenario
B (or .)                                   black screen; again to come back
Esc                                        leave
=========================================  =======================

Each page is painted by :func:`hygis.ui.slide_render.paint_slide` from a
shadow copy of the project in the scenario's state (the user's layers are not
touched while presenting), so the screen is exactly the exported slide.  Map
images and indicators are cached per scenario and the neighbours are drawn
ahead, so a switch repaints from cache.

With a second screen, :class:`PresenterWindow` shows the speaker notes, the
next scenario's title and a clock on the primary screen.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QKeyEvent, QPainter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from hygis.core.errors import HygisError
from hygis.project.model import shadow_project
from hygis.present.slides import build_slides
from hygis.ui.fonts import cjk_font
from hygis.ui.slide_render import layout, paint_slide, render_map_image

NEXT_KEYS = {Qt.Key.Key_PageDown, Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Space, Qt.Key.Key_Return,
             Qt.Key.Key_Enter, Qt.Key.Key_N}
PREV_KEYS = {Qt.Key.Key_PageUp, Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_Backspace, Qt.Key.Key_P}
BLANK_KEYS = {Qt.Key.Key_B, Qt.Key.Key_Period}


class PresentationWidget(QWidget):
    """Full-screen scenario slides. Signals: ``scenarioChanged(name)``, ``blankChanged(bool)``,
    ``finished(name)`` (the scenario shown when leaving)."""

    scenarioChanged = Signal(str)
    blankChanged = Signal(bool)
    finished = Signal(str)

    def __init__(self, project, start: str | None = None, parent=None):
        super().__init__(parent)
        if len(project.scenarios) == 0:
            raise HygisError(self.tr("The project has no scenarios to present"))
        self.project = project
        self.setWindowFlag(Qt.WindowType.Window, True)  # a top-level window even with a parent
        self.setWindowTitle(self.tr("Presentation"))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setCursor(Qt.CursorShape.BlankCursor)
        self._slides = build_slides(project, with_indicators=False)
        self._indicators: dict[str, list] = {}
        self._maps: dict[tuple, object] = {}
        self._views: dict[str, object] = {}
        self.blanked = False
        names = [s.name for s in self._slides]
        self.index = names.index(start) if start in names else 0
        self._prefetch = QTimer(self, singleShot=True, interval=0)
        self._prefetch.timeout.connect(self._draw_ahead)
        self.presenter: PresenterWindow | None = None

    # -- navigation -----------------------------------------------------------------------
    @property
    def current(self) -> str:
        return self._slides[self.index].name

    @property
    def slide(self):
        s = self._slides[self.index]
        if s.name not in self._indicators:
            from hygis.project.indicators import evaluate_one

            spec = self.project.scenarios[s.name].indicators
            self._indicators[s.name] = [evaluate_one(self._view(s.name), i) for i in spec]
        s.indicators = self._indicators[s.name]
        return s

    @property
    def slides(self):
        return list(self._slides)

    def go(self, index: int) -> None:
        index = max(0, min(int(index), len(self._slides) - 1))
        if self.blanked:
            self.set_blank(False)
        if index != self.index:
            self.index = index
            self.scenarioChanged.emit(self.current)
        self.update()
        self._prefetch.start()

    def next(self) -> None:
        self.go(self.index + 1)

    def previous(self) -> None:
        self.go(self.index - 1)

    def first(self) -> None:
        self.go(0)

    def last(self) -> None:
        self.go(len(self._slides) - 1)

    def set_blank(self, blank: bool) -> None:
        if bool(blank) != self.blanked:
            self.blanked = bool(blank)
            self.blankChanged.emit(self.blanked)
            self.update()

    def toggle_blank(self) -> None:
        self.set_blank(not self.blanked)

    def leave(self) -> None:
        if self.presenter is not None:
            self.presenter.close()
            self.presenter = None
        self.finished.emit(self.current)
        self.close()

    # -- starting ------------------------------------------------------------------------
    def start(self) -> None:
        """Show full screen (on the second screen when there is one, with the presenter window)."""
        screens = QGuiApplication.screens()
        if len(screens) > 1:
            self.presenter = PresenterWindow(self)
            self.presenter.setGeometry(screens[0].availableGeometry())
            self.presenter.show()
            self.setScreen(screens[1])
            self.move(screens[1].geometry().topLeft())
        screen = self.screen() or QGuiApplication.primaryScreen()
        self.setGeometry(screen.geometry())  # without a window manager showFullScreen keeps the old size
        self.showFullScreen()
        self.raise_()
        self.activateWindow()
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self._prefetch.start()

    # -- keys: handled here, before focus navigation and window shortcuts ------------------
    def event(self, ev) -> bool:
        if ev.type() == QEvent.Type.ShortcutOverride and self.handles(ev):
            ev.accept()  # the key comes to keyPressEvent instead of triggering a menu shortcut
            return True
        if ev.type() == QEvent.Type.KeyPress and self.handle_key(ev):
            return True
        return super().event(ev)

    def handles(self, ev: QKeyEvent) -> bool:
        key = ev.key()
        return (key in NEXT_KEYS or key in PREV_KEYS or key in BLANK_KEYS
                or key in (Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_Escape, Qt.Key.Key_F5)
                or Qt.Key.Key_1 <= key <= Qt.Key.Key_9)

    def handle_key(self, ev: QKeyEvent) -> bool:
        """Act on a key; True if it was one of the presentation keys."""
        key = ev.key()
        if key == Qt.Key.Key_Escape:
            self.leave()
        elif key in BLANK_KEYS:
            self.toggle_blank()
        elif key in NEXT_KEYS:
            self.next()
        elif key in PREV_KEYS:
            self.previous()
        elif key == Qt.Key.Key_Home:
            self.first()
        elif key == Qt.Key.Key_End:
            self.last()
        elif Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
            self.go(key - Qt.Key.Key_1)
        elif key == Qt.Key.Key_F5:
            pass  # already presenting
        else:
            return False
        ev.accept()
        return True

    def mousePressEvent(self, ev) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            self.next()
        elif ev.button() == Qt.MouseButton.RightButton:
            self.previous()

    # -- painting --------------------------------------------------------------------------
    def _view(self, name: str):
        if name not in self._views:
            self._views[name] = shadow_project(self.project, self.project.scenarios[name])
        return self._views[name]

    def _map_image(self, slide, size):
        key = (slide.name, int(size.width()), int(size.height()))
        if key not in self._maps:
            self._maps[key] = render_map_image(self._view(slide.name), slide, (key[1], key[2]))
        return self._maps[key]

    def render_page(self, width: int, height: int):
        """The current page as a QImage (what the screen shows), e.g. for screenshots and tests."""
        from PySide6.QtGui import QImage

        image = QImage(width, height, QImage.Format.Format_RGB32)
        painter = QPainter(image)
        try:
            self._paint(painter, QRectF(0, 0, width, height))
        finally:
            painter.end()
        return image

    def paintEvent(self, ev) -> None:
        painter = QPainter(self)
        try:
            self._paint(painter, QRectF(self.rect()))
        finally:
            painter.end()

    def _paint(self, painter: QPainter, rect: QRectF) -> None:
        if self.blanked:
            painter.fillRect(rect, QColor("black"))
            return
        slide = self.slide
        map_rect = layout(rect)["map"]
        paint_slide(painter, rect, self._view(slide.name), slide,
                    map_image=self._map_image(slide, map_rect.size().toSize()))

    def _draw_ahead(self) -> None:
        map_size = layout(QRectF(self.rect()))["map"].size().toSize()
        for i in (self.index + 1, self.index - 1):
            if 0 <= i < len(self._slides) and map_size.width() > 0:
                self._map_image(self._slides[i], map_size)


class PresenterWindow(QWidget):
    """Speaker view for the presenter's screen: notes, the next scenario and a clock.

    Keys typed here drive the presentation too.
    """

    def __init__(self, presentation: PresentationWidget, parent=None):
        super().__init__(parent)
        self.presentation = presentation
        self.setWindowTitle(self.tr("Presenter view"))
        self._started = time.monotonic()
        self.title = QLabel(wordWrap=True)
        self.title.setFont(cjk_font(20, bold=True))
        self.position = QLabel()
        self.position.setFont(cjk_font(14))
        self.clock = QLabel()
        self.clock.setFont(cjk_font(28, bold=True))
        self.clock.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.notes = QPlainTextEdit(readOnly=True)
        self.notes.setFont(cjk_font(18))
        self.notes.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.next_label = QLabel(wordWrap=True)
        self.next_label.setFont(cjk_font(16))
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.clock)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.position)
        box.addWidget(self.notes, 1)
        box.addWidget(self.next_label)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        presentation.scenarioChanged.connect(self._on_scenario_changed)
        presentation.blankChanged.connect(self._on_scenario_changed)
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self._on_scenario_changed()
        self._tick()

    def _on_scenario_changed(self, *_):
        p = self.presentation
        slide = p.slides[p.index]
        self.title.setText(slide.title)
        state = self.tr(" (screen blanked)") if p.blanked else ""
        self.position.setText(self.tr("Scenario {0} of {1}").format(slide.number, slide.count) + state)
        self.notes.setPlainText(slide.notes or self.tr("(no speaker notes)"))
        self.next_label.setText(self.tr("Next: {0}").format(slide.next_title) if slide.next_title
                                else self.tr("Next: end of the presentation"))

    def _tick(self) -> None:
        elapsed = int(time.monotonic() - self._started)
        self.clock.setText(time.strftime("%H:%M") + f"   {elapsed // 60:02d}:{elapsed % 60:02d}")

    def event(self, ev) -> bool:
        if ev.type() == QEvent.Type.ShortcutOverride and self.presentation.handles(ev):
            ev.accept()
            return True
        if ev.type() == QEvent.Type.KeyPress and self.presentation.handle_key(ev):
            return True
        return super().event(ev)


def present(project, start: str | None = None, parent=None) -> PresentationWidget:
    """Start presenting ``project``'s scenarios from ``start`` (default: the active one)."""
    widget = PresentationWidget(project, start or project.scenarios.active, parent)
    widget.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    widget.start()
    return widget
