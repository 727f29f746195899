"""zh_CN: Qt's own dialogs (message boxes, file and colour dialogs) speak Chinese through the qtbase
translations PySide6 ships, and dates are written the Chinese way (2026年12月2日)."""

import datetime
import re
from pathlib import Path

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime
from PySide6.QtWidgets import (QApplication, QColorDialog, QDialogButtonBox, QFileDialog, QFileSystemModel, QLabel,
                               QMessageBox)

from hygis.ui.i18n import format_date
from tests.ui.lang_fixtures import language, shot  # noqa: F401 (fixture)


def _button_texts(box) -> set[str]:
    return {b.text().replace("&", "") for b in box.buttons()}


def test_message_box_buttons_follow_the_language(qtbot, language):
    box = QMessageBox(QMessageBox.Icon.Question, "hygis", "?")
    box.setStandardButtons(QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel
                           | QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard)
    qtbot.addWidget(box)
    expected = {"zh_CN": {"确定", "取消", "保存"}, "en": {"OK", "Cancel", "Save"}}[language]
    assert expected <= _button_texts(box)


def test_file_and_colour_dialogs_are_translated(qtbot, language):
    files = QFileDialog(None, "x")
    files.setOption(QFileDialog.Option.DontUseNativeDialog)
    colours = QColorDialog()
    colours.setOption(QColorDialog.ColorDialogOption.DontUseNativeDialog)
    for dialog in (files, colours):
        qtbot.addWidget(dialog)
    texts = set()
    for dialog in (files, colours):
        for box in dialog.findChildren(QDialogButtonBox):
            texts |= _button_texts(box)
    files.show()
    QApplication.processEvents()
    labels = {label.text() for label in files.findChildren(QLabel)}
    # the labels without their mnemonics: Qt 6.6 writes 'Look in:', later Qt '&Look in:' (those, missing
    # from the qtbase catalogue, come from ours: '查找范围(&L)：')
    plain = {re.sub(r"\(&\w\)", "", text).replace("&", "") for text in labels}
    if language == "zh_CN":
        assert "取消" in texts and not {"Cancel", "OK"} & texts
        assert {"查找范围：", "文件类型：", "文件名称："} <= plain, labels
        model = files.findChild(QFileSystemModel)
        folder = model.index(str(Path(__file__).parent))
        assert model.type(folder) == "文件夹"
        shot(files, "qt_file_dialog_zh_CN")
        colours.show()
        QApplication.processEvents()
        shot(colours, "qt_colour_dialog_zh_CN")
    else:
        assert "Cancel" in texts and "Look in:" in plain


def test_qt_widgets_write_dates_the_ui_languages_way(language):
    """Qt's own widgets (the file dialog's Date Modified column) use the UI language's locale."""
    moment = QDateTime(QDate(2026, 12, 2), QTime(20, 54))
    text = QLocale().toString(moment, QLocale.FormatType.ShortFormat)
    assert text == {"zh_CN": "2026/12/2 20:54", "en": "12/2/26 8:54\u202fPM"}[language] or \
        (language == "en" and text == "12/2/26 8:54 PM")


def test_dates_in_the_ui_language(language):
    day = datetime.date(2026, 12, 2)
    moment = datetime.datetime(2026, 12, 2, 14, 5)
    if language == "zh_CN":
        assert format_date(day) == "2026年12月2日"
        assert format_date(moment, with_time=True) == "2026年12月2日 14:05"
    else:
        assert format_date(day) == "December 2, 2026"
        assert format_date(moment.timestamp(), with_time=True) == "December 2, 2026 14:05"
