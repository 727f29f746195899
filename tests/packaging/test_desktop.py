"""``hygis desktop install``: menu entry, icon and the application/x-hygis MIME type for *.hygis."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _hygis(*args, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "hygis", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def test_install_and_uninstall_desktop_files(tmp_path):
    home = tmp_path / "share"
    res = _hygis("desktop", "install", "--data-home", str(home), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    entry_path = home / "applications" / "hygis.desktop"
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(entry_path, encoding="utf-8")
    desk = entry["Desktop Entry"]
    assert desk["Type"] == "Application" and desk["Icon"] == "hygis"
    assert desk["MimeType"] == "application/x-hygis;"
    assert desk["Exec"].endswith(" %f") and "@EXEC@" not in entry_path.read_text(encoding="utf-8")
    program = desk["Exec"].split()[0].strip('"')
    assert Path(program).exists()  # hygis-desktop of this install, or this python (-m hygis)
    assert (home / "icons" / "hicolor" / "scalable" / "apps" / "hygis.svg").stat().st_size > 0
    mime_xml = (home / "mime" / "packages" / "hygis.xml").read_text(encoding="utf-8")
    assert 'type="application/x-hygis"' in mime_xml and 'pattern="*.hygis"' in mime_xml
    if shutil.which("update-mime-database"):  # the desktop's MIME database now maps *.hygis
        globs = (home / "mime" / "globs2").read_text(encoding="utf-8")
        assert "application/x-hygis:*.hygis" in globs
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(entry_path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr

    res = _hygis("desktop", "uninstall", "--data-home", str(home), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert not entry_path.exists() and not (home / "mime" / "packages" / "hygis.xml").exists()


def test_exec_line_quotes_paths_with_spaces():
    from hygis.cli.desktop import _quote

    assert _quote("/opt/hygis/bin/hygis-desktop") == "/opt/hygis/bin/hygis-desktop"
    assert _quote("/home/王 工/venv/bin/hygis-desktop") == '"/home/王 工/venv/bin/hygis-desktop"'
    assert _quote('/a"b/$x') == '"/a\\"b/\\$x"'


def test_unwritable_target_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    res = _hygis("desktop", "install", "--data-home", str(blocker), cwd=tmp_path)
    assert res.returncode == 1
    assert res.stderr.strip().count("\n") == 0 and "Cannot install the desktop files" in res.stderr


@pytest.mark.parametrize("script", ["hygis", "hygis-desktop"])
def test_pyproject_declares_the_scripts(script):
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    table = meta["scripts"] if script == "hygis" else meta["gui-scripts"]
    module, func = table[script].split(":")
    import importlib

    assert callable(getattr(importlib.import_module(module), func))
