"""User-interface languages: English source strings, Simplified Chinese from a JSON catalogue.

Widgets call ``self.tr("English text")``; :class:`JsonTranslator` answers Qt's
lookups from ``hygis/i18n/<lang>.json`` (``{context: {source: translation}}``,
context = the class name passed to ``tr``), so no ``lrelease`` step is needed.
Installing a translator sends ``QEvent.LanguageChange`` to every widget, which
re-reads its texts (``retranslate_ui``).
"""

from __future__ import annotations

import json
import logging
import weakref

from PySide6.QtCore import QCoreApplication, QEvent, QLocale, QObject, QTranslator

log = logging.getLogger(__name__)

#: Languages offered in the preferences: code → name shown (in its own language).
LANGUAGES = {"zh_CN": "中文", "en": "English"}
SOURCE_LANGUAGE = "en"

_current = {"lang": SOURCE_LANGUAGE, "translator": None, "qt": None}
_listeners: list = []  # weak references to callables run after each language switch


def on_language_change(callback) -> None:
    """Call ``callback()`` after every :func:`install_translator`, before the widgets' (posted)
    LanguageChange events: for texts held outside widgets, such as the undo stack's step texts.
    Held weakly (a bound method goes with its object)."""
    ref = weakref.WeakMethod(callback) if hasattr(callback, "__self__") else weakref.ref(callback)
    _listeners.append(ref)


def _notify_listeners() -> None:
    for ref in list(_listeners):
        callback = ref()
        if callback is None:
            _listeners.remove(ref)
        else:
            try:
                callback()
            except Exception:  # noqa: BLE001 (one listener must not stop the others or the switch)
                log.exception("language change listener failed")


def template_text(label, context: str, value_text=None) -> str:
    """A :class:`~hygis.core.text.Label` in the UI language: its template translated in ``context``,
    then filled with its values, each shown by ``value_text`` (default: :func:`template_value`, which
    translates Labels, HygisErrors and :class:`~hygis.core.text.Bilingual` names the same way).
    Any other text as it is; a broken translation falls back to the English template.
    The one mechanism behind command labels (context "Command") and error messages ("Error")."""
    template = getattr(label, "template", None)
    if template is None:
        return template_value(label, context)
    show = value_text or (lambda v: template_value(v, context))
    values = {k: show(v) for k, v in label.values.items()}
    text = QCoreApplication.translate(context, template)
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError, TypeError):  # a broken translation: the English text
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError, TypeError):  # a value whose format spec needed its number
            return str(label)


def template_value(value, context: str):
    """A value inside a template, in the UI language (numbers stay numbers for their format specs)."""
    from hygis.core.errors import HygisError
    from hygis.core.text import Bilingual, Joined, Label

    if isinstance(value, HygisError):
        value = value.message
    if isinstance(value, Joined):
        sep = "；" if current_language() == "zh_CN" and value.sep == "; " else value.sep
        return sep.join(str(template_value(v, context)) for v in value.items)
    if isinstance(value, Label):
        return template_text(value, context)
    if isinstance(value, Bilingual):
        return value.zh if current_language() == "zh_CN" else str(value)
    return value


def tr(context: str, text: str) -> str:
    """Translate ``text`` in ``context`` (for code that is not a QObject method)."""
    return QCoreApplication.translate(context, text)


class WindowTexts(QObject):
    """Base of a group of window actions whose texts follow the window's language.

    Subclasses set their texts in ``retranslate_ui()``; this calls it again on every
    ``QEvent.LanguageChange`` the window receives (the one copy of that event filter).
    """

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        window.installEventFilter(self)

    def retranslate_ui(self) -> None:  # overridden: set every text with self.tr(...)
        pass

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt virtual)
        if obj is self.window and event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        return False


def load_catalogue(lang: str) -> dict[str, dict[str, str]]:
    """The catalogue of ``lang`` ({context: {source: translation}}); empty if there is none."""
    from hygis.core.resources import resource

    path = resource("i18n", f"{lang}.json")  # package data: found from any working directory
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("cannot read translation catalogue %s: %s", path, exc)
        return {}
    return {str(ctx): {str(k): str(v) for k, v in entries.items()}
            for ctx, entries in data.items() if isinstance(entries, dict)}


class JsonTranslator(QTranslator):
    """A QTranslator backed by a ``{context: {source: translation}}`` dict."""

    def __init__(self, catalogue: dict[str, dict[str, str]], parent=None):
        super().__init__(parent)
        self.catalogue = catalogue

    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: N802 (Qt virtual)
        entries = self.catalogue.get(context or "")
        # None is a null QString: Qt then asks the next translator or keeps the source text
        # ("" would be taken as an empty translation)
        return entries.get(source_text) if entries else None

    def isEmpty(self) -> bool:  # noqa: N802 (Qt virtual)
        return not self.catalogue


def normalize_language(lang: str | None) -> str | None:
    """'zh', 'zh_CN', 'zh-Hans' … → 'zh_CN'; 'en*' → 'en'; anything else → None."""
    if not lang:
        return None
    low = str(lang).replace("-", "_").lower()
    if low.startswith("zh"):
        return "zh_CN"
    if low.startswith("en"):
        return "en"
    return None


def system_language() -> str:
    """'zh_CN' on a Chinese system locale, else 'en'."""
    names = [QLocale.system().name(), *QLocale.system().uiLanguages()]
    return "zh_CN" if any(str(n).lower().startswith("zh") for n in names[:2]) else "en"


def resolve_language(preference: str | None = None, cli: str | None = None) -> str:
    """The UI language: the saved preference, else ``--lang``, else the system locale."""
    return normalize_language(preference) or normalize_language(cli) or system_language()


def current_language() -> str:
    """The language of the installed translator ('en' when none is installed)."""
    return _current["lang"]


#: Date formats per UI language (QLocale patterns): 2026年12月2日 / December 2, 2026.
DATE_FORMATS = {"zh_CN": "yyyy年M月d日", "en": "MMMM d, yyyy"}


def ui_locale() -> QLocale:
    """The QLocale of the UI language (month names, digits)."""
    if current_language() == "zh_CN":
        return QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


def format_date(value, with_time: bool = False) -> str:
    """A date (``datetime.date``/``datetime``, or seconds since the epoch) as the UI language writes it:
    '2026年12月2日' in Chinese, 'December 2, 2026' in English; ``with_time`` adds ' 14:05'."""
    import datetime as _dt

    from PySide6.QtCore import QDate, QDateTime, QTime

    if isinstance(value, (int, float)):
        value = _dt.datetime.fromtimestamp(value)
    pattern = DATE_FORMATS.get(current_language(), DATE_FORMATS["en"])
    date = QDate(value.year, value.month, value.day)
    if with_time and isinstance(value, _dt.datetime):
        moment = QDateTime(date, QTime(value.hour, value.minute, value.second))
        return ui_locale().toString(moment, pattern + " HH:mm")
    return ui_locale().toString(date, pattern)


def value_label(value) -> str:
    """A coded value ('operating', 'science' …) in the UI language (hygis.layers.schema.VALUE_LABELS)."""
    from hygis.layers.schema import value_label as _label

    return _label(value, current_language())


def field_label(spec) -> str:
    """A schema field's label in the UI language."""
    from hygis.layers.schema import field_label as _label

    return _label(spec, current_language())


def install_translator(app, lang: str | None) -> str:
    """Switch the application to ``lang`` (replacing the previous catalogue); returns the code used.

    Every widget receives ``QEvent.LanguageChange`` and retranslates itself.
    """
    code = normalize_language(lang) or SOURCE_LANGUAGE
    old = _current["translator"]
    for key in ("translator", "qt"):
        if _current[key] is not None:
            app.removeTranslator(_current[key])
            _current[key] = None
    if code != SOURCE_LANGUAGE:
        _current["qt"] = _qt_translator(app, code)  # Qt's own texts (OK/Cancel/Save…); consulted after ours
        translator = JsonTranslator(load_catalogue(code), app)
        app.installTranslator(translator)
        _current["translator"] = translator
    elif old is None:  # nothing removed: still tell the widgets (first install / tests)
        QCoreApplication.sendEvent(app, _language_change_event())
    _current["lang"] = code
    # Qt's own widgets (the file dialog's dates, spin boxes) write dates and numbers the UI
    # language's way, not the C locale's ("2 12 2026")
    QLocale.setDefault(ui_locale())
    _notify_listeners()
    return code


def _qt_translator(app, code: str):
    """Qt's shipped translation of its standard widgets (``qtbase_<code>.qm``), or None."""
    from PySide6.QtCore import QLibraryInfo

    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(f"qtbase_{code}", folder):
        app.installTranslator(translator)
        return translator
    return None


def _language_change_event():
    return QEvent(QEvent.Type.LanguageChange)
