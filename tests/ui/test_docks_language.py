"""Docks in Chinese: the targets dashboard's forecast tooltip and the team dialog's status line
follow the UI language (numbers kept)."""

from PySide6.QtWidgets import QApplication

from hygis.project import Project
from hygis.ui.analysis.targets_dashboard import forecast_text
from hygis.ui.i18n import install_translator
from tests.ui.lang_fixtures import language  # noqa: F401 (fixture)


def test_forecast_tooltip_in_the_ui_language(language):
    method = "linear fit of the last 5 years (2019–2023)"
    if language == "zh_CN":
        assert forecast_text(method) == "按最近 5 年线性拟合（2019–2023）"
        assert forecast_text("reached in 2024") == "已于 2024 年达成"
        assert forecast_text("fewer than 3 years of data (2)") == "数据不足 3 年（2）"
        assert forecast_text("no progress at the recent pace") == "按近年速度无进展"
    else:
        assert forecast_text(method) == method and forecast_text("reached in 2024") == "reached in 2024"


def test_team_dialog_status_line_follows_a_language_switch(qtbot, qapp):
    from hygis.ui.db.team_dialog import TeamDialog

    install_translator(QApplication.instance(), "en")
    dialog = TeamDialog(Project("未保存"))
    qtbot.addWidget(dialog)
    try:
        assert dialog.sync() is None                      # an unsaved project cannot sync: said in the status line
        assert dialog.message.text() == "Save the project before syncing it."
        install_translator(QApplication.instance(), "zh_CN")
        qtbot.waitUntil(lambda: dialog.message.text() == "同步前请先保存项目。", timeout=2000)
        assert dialog.windowTitle() != "Team Layers (PostGIS)"
        install_translator(QApplication.instance(), "en")
        qtbot.waitUntil(lambda: dialog.message.text() == "Save the project before syncing it.", timeout=2000)
    finally:
        install_translator(QApplication.instance(), "en")
