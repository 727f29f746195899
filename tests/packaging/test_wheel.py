"""The built wheel carries everything: installed from the wheel alone, hygis runs from any folder.

Builds the wheel from a copy of the source (the checkout stays clean), installs it with
``--no-deps`` into a fresh venv that sees this environment's packages (``--system-site-packages``:
the dependencies come from here, hygis itself only from the wheel), then runs ``info``,
``analyze coverage --zones basemap:district`` and ``render`` from a temporary folder that holds
nothing but a copy of the sample project.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_projects" / "hangzhou_ningbo.hygis"
ZHEJIANG_FILL = (251, 251, 248)  # the basemap's fill of 浙江省 (hygis.geo.basemap.BASEMAP_STYLES)


def _run(cmd, cwd, env, timeout=120):
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv python, hygis script, run folder, env) for hygis installed from its wheel only."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "hygis", src / "hygis", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    # an isolated build, as any user's pip does (fetches the build backend named in pyproject.toml)
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp / "dist", src], tmp, os.environ)
    assert built.returncode == 0, built.stderr[-2000:]
    wheels = list((tmp / "dist").glob("hygis-*.whl"))
    assert len(wheels) == 1
    with zipfile.ZipFile(wheels[0]) as zf:
        names = set(zf.namelist())
    for needed in ("hygis/assets/basemap/zhejiang_admin_wgs84.gpkg", "hygis/assets/fonts/NotoSansSC-hygis.otf",
                   "hygis/assets/icons/hygis.svg", "hygis/assets/desktop/hygis.desktop",
                   "hygis/assets/desktop/hygis-mime.xml", "hygis/i18n/zh_CN.json"):
        assert needed in names, f"{needed} is not in the wheel"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(QT_QPA_PLATFORM="offscreen", HYGIS_LOG_DIR=str(tmp / "logs"), HYGIS_DATA_DIR=str(tmp / "data"))
    venv = tmp / "venv"
    made = _run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv], tmp, env)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    # --force-reinstall: a development install of hygis in the outer environment must not count
    got = _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
                "--force-reinstall", wheels[0]], tmp, env)
    assert got.returncode == 0, got.stderr[-2000:]
    run = tmp / "elsewhere"
    run.mkdir()
    shutil.copy2(SAMPLE, run / "s.hygis")
    where = _run([python, "-c", "import hygis; print(hygis.__file__)"], run, env)
    assert Path(where.stdout.strip()).is_relative_to(venv), f"hygis not imported from the wheel: {where.stdout}"
    return python, venv / "bin" / "hygis", run, env


def test_info_from_another_folder(installed):
    _python, hygis, run, env = installed
    res = _run([hygis, "info", "s.hygis"], run, env)
    assert res.returncode == 0, res.stderr
    assert "科创走廊" in res.stdout and "飞地" in res.stdout


def test_coverage_against_the_shipped_basemap(installed):
    _python, hygis, run, env = installed
    res = _run([hygis, "analyze", "coverage", "s.hygis", "--layer", "自贸片区", "--zones", "basemap:district",
                "--format", "csv"], run, env)
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    covered = {r["zone"]: float(r["covered_area_km2"]) for r in rows}
    total = covered.pop("合计")
    assert len(covered) == 90  # Zhejiang's county-level districts
    assert total == pytest.approx(sum(covered.values())) and total > 50  # the FTZ areas lie in Zhejiang
    assert covered["北仑区"] > 0 and covered["上城区"] == 0  # 宁波片区 lies in 北仑, none of it in 上城


def test_render_draws_the_basemap_from_the_wheel(installed):
    from PySide6.QtGui import QImage

    _python, hygis, run, env = installed
    res = _run([hygis, "render", "s.hygis", "--out", "map.png"], run, env)
    assert res.returncode == 0, res.stderr
    assert "basemap unavailable" not in res.stderr and "warn" not in res.stderr.lower(), res.stderr
    img = QImage(str(run / "map.png")).convertToFormat(QImage.Format.Format_RGB888)
    w, h = img.width(), img.height()
    px = np.frombuffer(img.constBits(), np.uint8, count=img.bytesPerLine() * h).reshape(h, img.bytesPerLine())
    rgb = px[:, :w * 3].reshape(h, w, 3)
    share = (rgb == ZHEJIANG_FILL).all(axis=2).mean()
    assert share > 0.2, f"basemap land covers only {share:.1%} of the map"


def test_installed_package_finds_font_translations_and_icons(installed):
    python, _hygis, run, env = installed
    script = (
        "import sys\n"
        "from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication, QIcon\n"
        "app = QGuiApplication([])\n"
        "from hygis.core.resources import asset_path\n"
        "from hygis.ui.fonts import register_bundled_font\n"
        "from hygis.ui.i18n import load_catalogue\n"
        "family = register_bundled_font()\n"
        "fm = QFontMetrics(QFont(family))\n"
        "print(family, all(fm.inFontUcs4(ord(c)) for c in '杭州宁波自贸片区飞地'))\n"
        "print(len(load_catalogue('zh_CN')))\n"
        "print(asset_path('fonts', 'NotoSansSC-hygis.otf'))\n"
        "print(QIcon(str(asset_path('icons', 'hygis.svg'))).pixmap(64, 64).isNull())\n")
    res = _run([python, "-c", script], run, env)
    assert res.returncode == 0, res.stderr
    font_line, catalogue, font_path, icon_null = res.stdout.splitlines()[-4:]
    assert font_line.endswith(" True") and "Noto" in font_line  # the bundled CJK font: no tofu boxes
    assert int(catalogue) > 10  # zh_CN contexts
    assert Path(font_path).is_relative_to(python.parents[1])
    assert icon_null == "False"


def test_desktop_entry_starts_the_installed_window_script(installed):
    python, hygis, run, env = installed
    script = python.parent / "hygis-desktop"
    assert script.exists()  # [project.gui-scripts]
    res = _run([hygis, "desktop", "install", "--data-home", run / "share"], run, env)
    assert res.returncode == 0, res.stderr
    entry = (run / "share" / "applications" / "hygis.desktop").read_text(encoding="utf-8")
    assert f"Exec={script} %f" in entry


def test_window_script_opens_the_project_and_draws_it(installed):
    python, _hygis, run, env = installed
    res = _run([python.parent / "hygis-desktop", "s.hygis", "--lang", "zh_CN"], run,
               dict(env, HYGIS_STARTUP_TIMING="1"))  # prints the time to the first drawn map, then quits
    assert res.returncode == 0, res.stderr
    from hygis.project.fileformat import open_project

    n_layers = len(open_project(run / "s.hygis").layers)  # whatever the sample holds, all of it is drawn
    assert "first map frame after" in res.stdout and "language zh_CN" in res.stdout
    assert f"{n_layers} layers" in res.stdout


def test_every_readme_example_runs_from_another_folder(installed):
    """The README's examples, from the installed wheel, in a folder with a copy of sample_projects/ and
    the input files the import examples name (tools/check_readme_examples.py does the same in a fresh
    venv with the dependencies installed from the index)."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import check_readme_examples as readme
    finally:
        sys.path.remove(str(ROOT / "tools"))
    python, _hygis, run, env = installed
    folder = run / "readme"
    readme.example_folder(folder)
    home = folder / "home"
    env = dict(env, HOME=str(home), XDG_DATA_HOME=str(home / "share"), XDG_CONFIG_HOME=str(home / "config"))
    results = readme.run_examples(python.parent, folder, env)
    ran = [r for r in results if r[2] is not None]
    assert len(ran) >= 15, results  # the sample-project examples, import/update/export, slides, render, layout, window
    assert [(line, command, tail) for line, command, code, tail in ran if code != 0] == []
    skipped = {why for *_, code, why in results if code is None}
    assert all("server" in why or "cluster" in why for why in skipped), skipped  # nothing skipped for less
    assert (folder / "map.pdf").stat().st_size > 10_000 and (folder / "2025.png").exists()
    assert len(list((folder / "slides").glob("*.png"))) == 3  # one page per scenario
    from hygis.project.fileformat import open_project

    enclaves = open_project(folder / "my.hygis").layers["飞地"].data.set_index("name")
    assert len(enclaves) == 34  # the ledger's 30 and the spreadsheet's 4
    assert enclaves.loc["衢州海创园", ["status", "year_opened"]].tolist() == ["operating", 2012]
