"""The model layers are plain Python: no Qt, no hygis.ui (a checked contract)."""

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1] / "hygis"
QT_FREE = [p for p in ROOT.rglob("*.py") if "ui" not in p.relative_to(ROOT).parts[:1]
           and p.name not in ("render_cli.py", "slides_cli.py")]


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_model_modules_import_no_qt():
    bad = {str(p.relative_to(ROOT)): m for p in QT_FREE for m in _imports(p)
           if m.split(".")[0] in ("PySide6", "pyqtgraph", "shiboken6") or m.startswith("hygis.ui")}
    # hygis/cli.py may import the app lazily inside main() only
    bad.pop("cli.py", None)
    assert bad == {}


def test_cli_info_does_not_load_qt():
    code = ("import sys; from hygis.cli import build_parser; build_parser(); "
            "import hygis.project, hygis.projectfile; print('PySide6' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
