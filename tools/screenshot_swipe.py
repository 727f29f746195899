"""Screenshot of the swipe comparison (现状 2020 | 愿景 2035) on the sample project, Chinese UI.

Run: ``QT_QPA_PLATFORM=offscreen python tools/screenshot_swipe.py`` → docs/screenshots/swipe.png
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtTest import QTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from hygis.project.fileformat import open_project  # noqa: E402  (after the checkout is on the path)
OUT = ROOT / "docs" / "screenshots" / "swipe.png"
SAMPLE = ROOT / "sample_projects" / "hangzhou_ningbo.hygis"


def main() -> None:
    from hygis.ui.app import create_app
    from hygis.ui.compare_view import CompareView
    from hygis.ui.i18n import install_translator

    app = create_app()
    install_translator(app, "zh_CN")
    view = CompareView(open_project(SAMPLE), "现状 2020", "愿景 2035")
    for canvas in (view.canvas_a, view.canvas_b):  # draw on the UI thread (see tools/screenshots_editing.py)
        canvas._timer.timeout.disconnect()
        canvas._timer.timeout.connect(canvas.render_now)
    view.resize(1400, 860)
    view.show()
    view.set_mode("swipe")
    swipe = view.swipe
    swipe._timer.timeout.disconnect()
    swipe._timer.timeout.connect(swipe.render_now)
    QTest.qWait(300)
    swipe.set_extent((120.0, 29.6, 122.0, 30.6))
    swipe.set_divider(0.55)
    QTest.qWait(400)
    app.processEvents()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    view.grab().save(str(OUT))
    print(OUT)


if __name__ == "__main__":
    main()
