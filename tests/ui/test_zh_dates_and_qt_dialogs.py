"""zh_CN: Qt's own dialogs (message boxes, file and colour dialogs) speak Chinese through the qtbase
translations PySide6 ships, and dates are written the Chinese way (2026年12月2日)."""

import datetime

from PySide6.QtWidgets import QApplication, QColorDialog, QDialogButtonBox, QFileDialog, QMessageBox

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
    if language == "zh_CN":
        assert "取消" in texts and not {"Cancel", "OK"} & texts
        colours.show()
        QApplication.processEvents()
        shot(colours, "qt_colour_dialog_zh_CN")
    else:
        assert "Cancel" in texts


def test_dates_in_the_ui_language(language):
    day = datetime.date(2026, 12, 2)
    moment = datetime.datetime(2026, 12, 2, 14, 5)
    if language == "zh_CN":
        assert format_date(day) == "2026年12月2日"
        assert format_date(moment, with_time=True) == "2026年12月2日 14:05"
    else:
        assert format_date(day) == "December 2, 2026"
        assert format_date(moment.timestamp(), with_time=True) == "December 2, 2026 14:05"
