"""Preferences and remembered state: ONE settings store for the whole app.

:func:`qsettings` is the store: an INI file under the user's config folder
(``~/.config/hygis/hygis.ini`` on Linux, ``%APPDATA%\\hygis\\hygis.ini`` on Windows).
:class:`Settings` is the only place keys are spelled: recent files (max 10), UI
language, autosave interval, window geometry/state.  :class:`PreferencesDialog`
edits the user-facing preferences (language, autosave interval).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox,
                               QVBoxLayout)

from hygis.ui.i18n import LANGUAGES, current_language

MAX_RECENT = 10
AUTOSAVE_KEY = "autosave/interval_seconds"
DEFAULT_AUTOSAVE_S = 60
MIN_AUTOSAVE_S = 5
MAX_AUTOSAVE_S = 3600
TIANDITU_TOKEN_KEY = "tiles/tianditu_token"
LABEL_SCALE_KEY = "presentation/label_scale"


def qsettings() -> QSettings:
    """The application's one settings store (INI file under the user's config folder)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "hygis", "hygis")


class Settings:
    """Typed access to the stored preferences and window state."""

    def __init__(self, store: QSettings | None = None):
        self.store = store or qsettings()

    # -- recent files --------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.store.value("recent_files", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or []) if v][:MAX_RECENT]

    def add_recent(self, path) -> list[str]:
        path = str(Path(path).resolve())
        files = [path] + [p for p in self.recent_files() if p != path]
        self.store.setValue("recent_files", files[:MAX_RECENT])
        return files[:MAX_RECENT]

    def clear_recent(self) -> None:
        self.store.setValue("recent_files", [])

    # -- preferences ---------------------------------------------------------------------
    def language(self) -> str | None:
        value = self.store.value("language", "")
        return str(value) if value in LANGUAGES else None

    def set_language(self, lang: str | None) -> None:
        self.store.setValue("language", lang or "")

    def autosave_interval(self) -> int:
        """Seconds between recovery copies of a changed project (default 60, at least 5)."""
        try:
            value = int(self.store.value(AUTOSAVE_KEY, DEFAULT_AUTOSAVE_S))
        except (TypeError, ValueError):
            value = DEFAULT_AUTOSAVE_S
        return min(max(MIN_AUTOSAVE_S, value), MAX_AUTOSAVE_S)

    def set_autosave_interval(self, seconds: int) -> None:
        self.store.setValue(AUTOSAVE_KEY, int(min(max(MIN_AUTOSAVE_S, int(seconds)), MAX_AUTOSAVE_S)))

    # -- cartography (issue 15): tile token, presentation label size -----------------------------
    def tianditu_token(self) -> str | None:
        """The user's 天地图 key (kept here, never in a project file)."""
        value = self.store.value(TIANDITU_TOKEN_KEY, "")
        return str(value).strip() or None

    def set_tianditu_token(self, token: str | None) -> None:
        self.store.setValue(TIANDITU_TOKEN_KEY, (token or "").strip())

    def label_scale(self) -> float:
        """Presentation label size: 1.0 normal, up to 3.0 for a large room (slides, F5, layouts)."""
        try:
            value = float(self.store.value(LABEL_SCALE_KEY, 1.0))
        except (TypeError, ValueError):
            return 1.0
        return value if 0.5 <= value <= 3.0 else 1.0

    def set_label_scale(self, factor: float) -> None:
        self.store.setValue(LABEL_SCALE_KEY, float(min(max(0.5, float(factor)), 3.0)))

    # -- window --------------------------------------------------------------------------
    def restore_window(self, window) -> bool:
        """Restore the saved geometry and dock/toolbar layout; False if none was saved."""
        geometry = self.store.value("window/geometry")
        state = self.store.value("window/state")
        if geometry is not None:
            window.restoreGeometry(geometry)
        if state is not None:
            window.restoreState(state)
        return geometry is not None or state is not None

    def save_window(self, window) -> None:
        self.store.setValue("window/geometry", window.saveGeometry())
        self.store.setValue("window/state", window.saveState())

    def sync(self) -> None:
        self.store.sync()


class PreferencesDialog(QDialog):
    """The user interface language and the autosave interval (both applied at once on OK)."""

    def __init__(self, settings: Settings, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.language_combo = QComboBox()
        for code, name in LANGUAGES.items():
            self.language_combo.addItem(name, code)
        chosen = settings.language() or current_language()
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(chosen)))
        self._form = QFormLayout()
        self._language_label = QLabel()
        self._form.addRow(self._language_label, self.language_combo)
        self.autosave_spin = QSpinBox()
        self.autosave_spin.setRange(MIN_AUTOSAVE_S, MAX_AUTOSAVE_S)
        self.autosave_spin.setValue(settings.autosave_interval())
        self._autosave_label = QLabel()
        self._form.addRow(self._autosave_label, self.autosave_spin)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self._form)
        layout.addWidget(buttons)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Preferences"))
        self._language_label.setText(self.tr("Language:"))
        self._autosave_label.setText(self.tr("Autosave every:"))
        self.autosave_spin.setSuffix(self.tr(" s"))
        self.autosave_spin.setToolTip(self.tr("While the project has unsaved changes, a recovery copy is written "
                                              "this often (never over your file)"))

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt virtual)
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    @property
    def language(self) -> str:
        return self.language_combo.currentData()

    def accept(self) -> None:
        self.settings.set_language(self.language)
        self.settings.set_autosave_interval(self.autosave_spin.value())
        self.settings.sync()
        super().accept()
