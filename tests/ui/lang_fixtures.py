"""``language``: run a UI test in English and in Simplified Chinese, with the app font the real
application sets (:func:`hygis.ui.app.ensure_cjk_font`), restored afterwards; ``shot`` saves a
widget screenshot when HYGIS_SCREENSHOT_DIR is set."""

import os

import pytest
from PySide6.QtWidgets import QApplication

from hygis.ui.app import ensure_cjk_font
from hygis.ui.i18n import install_translator


@pytest.fixture(params=["en", "zh_CN"])
def language(request, qapp):
    app = QApplication.instance()
    font = app.font()
    ensure_cjk_font(app)
    install_translator(app, request.param)
    yield request.param
    install_translator(app, "en")
    app.setFont(font)


def shot(widget, name: str) -> None:
    folder = os.environ.get("HYGIS_SCREENSHOT_DIR")
    if folder:
        widget.grab().save(os.path.join(folder, f"{name}.png"))
