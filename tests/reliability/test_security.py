"""Security of project files: nothing in a .hygis is executed, followed or allowed to grow unbounded."""

from __future__ import annotations

import ast
import json
import re
import sqlite3
import sys
from pathlib import Path

import pytest

from hygis.project import fileformat as projectfile
from hygis.core.errors import HygisError
from hygis.project.fileformat import PROJECT_TABLE, open_project, read_project_json, save_project
from tests.reliability.helpers import small_project

PACKAGE = Path(projectfile.__file__).resolve().parents[1]  # the hygis package
SOURCES = sorted(PACKAGE.rglob("*.py"))
#: The modules that may import by name, and the fixed lists they import from (tested below).
DYNAMIC_IMPORTERS = {"cli/__init__.py": "cli.COMMAND_MODULES", "core/lazyimport.py": "cli.render.DEFERRED"}


def _calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f"{getattr(f.value, 'id', '?')}.{f.attr}" if isinstance(f, ast.Attribute) else ""
            yield name, node


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_code_execution_primitives(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            assert not {"pickle", "cPickle", "marshal", "shelve", "dill"} & set(names), f"{path}: imports {names}"
    for name, node in _calls(tree):
        assert name not in ("eval", "exec", "__import__", "compile", "os.system", "os.popen", "yaml.load",
                            "pickle.loads", "pickle.load"), f"{path}:{node.lineno}: {name}("
        if name.startswith("subprocess.") or name in ("Popen", "run", "call", "check_output"):
            for kw in node.keywords:
                assert not (kw.arg == "shell" and getattr(kw.value, "value", False)), f"{path}:{node.lineno}: shell=True"
        if name == "importlib.import_module" or name == "import_module":
            assert path.relative_to(PACKAGE).as_posix() in DYNAMIC_IMPORTERS and isinstance(node.args[0], ast.Name), f"{path}:{node.lineno}: dynamic import"


def test_dynamic_imports_only_from_a_fixed_list():
    from hygis import cli
    from hygis.cli import render

    assert all(m.startswith("hygis.cli.") for m in cli.COMMAND_MODULES)  # never a name read from a file
    # the deferred imports of a lean `hygis render`: a constant tuple of package names, the only argument
    # defer() is ever called with
    assert isinstance(render.DEFERRED, tuple) and all(n.isidentifier() for n in render.DEFERRED)
    calls = 0
    for path in SOURCES:
        for name, node in _calls(ast.parse(path.read_text(encoding="utf-8"))):
            if name in ("defer", "lazyimport.defer"):
                calls += 1
                assert [ast.dump(a) for a in node.args] == [ast.dump(ast.Starred(ast.Name("DEFERRED", ast.Load()),
                                                                                 ast.Load()))], f"{path}:{node.lineno}"
    assert calls >= 1


SQL_EXEC = re.compile(r"\.execute\(\s*f[\"']")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_sql_identifiers_are_quoted(path):
    """f-string SQL may interpolate only module constants or quote_ident(...) results."""
    text = path.read_text(encoding="utf-8")
    for m in SQL_EXEC.finditer(text):
        line = text[m.start():text.index("\n", m.start())]
        for expr in re.findall(r"\{([^}]*)\}", line):
            assert expr.isupper() or expr.startswith("quote_ident("), f"{path.name}: unquoted identifier {{{expr}}} in {line.strip()}"


def test_quote_ident_neutralises_quotes():
    name = 'x"; DROP TABLE gpkg_contents; --'
    con = sqlite3.connect(":memory:")
    con.execute(f"CREATE TABLE {projectfile.quote_ident(name)} (a)")
    assert [r[0] for r in con.execute("SELECT name FROM sqlite_master")] == [name]


def test_open_project_reads_no_other_file(tmp_path):
    """Python-level file opens during open_project: only the project itself (audit hook)."""
    project = small_project()
    for layer in project.layers:
        layer.source = "/etc/passwd"  # a path field in the file is only a label
    path = save_project(project, tmp_path / "p.hygis")
    opened = []
    watching = [True]

    def hook(event, args):
        if watching[0] and event == "open" and isinstance(args[0], (str, bytes, Path)):
            opened.append(str(args[0]))

    sys.addaudithook(hook)
    try:
        reopened = open_project(path)
    finally:
        watching[0] = False
    assert reopened.layers["飞地"].source == "/etc/passwd"
    outside = [p for p in opened if str(path.resolve()) not in p and not p.endswith((".py", ".pyc", ".so"))
               and "site-packages" not in p and "/proc/" not in p]
    assert outside == [], outside


def test_embedded_vrt_that_reads_local_files_is_refused():
    bad = Path(__file__).resolve().parents[1] / "data" / "bad" / "raster_vrt_outside.hygis"
    with pytest.raises(HygisError, match="not an embedded GeoTIFF"):
        open_project(bad)


def _with_json(tmp_path, text):
    path = save_project(small_project(), tmp_path / "p.hygis")
    with sqlite3.connect(path) as con:
        con.execute(f"UPDATE {PROJECT_TABLE} SET value = ? WHERE key = 'project'", (text,))
    con.close()
    return path


def test_project_json_size_is_bounded(tmp_path, monkeypatch):
    path = _with_json(tmp_path, json.dumps({"format": "hygis-project", "version": 1, "pad": "x" * 5000}))
    from hygis.project import fileread

    monkeypatch.setattr(fileread, "MAX_PROJECT_JSON", 4096)
    with pytest.raises(HygisError, match="too large"):
        read_project_json(path)


@pytest.mark.parametrize("depth,ok", [(60, True), (65, False), (100_000, False)])
def test_project_json_depth_is_bounded(tmp_path, depth, ok):
    nested = "[" * depth + "]" * depth
    path = _with_json(tmp_path, '{"format": "hygis-project", "version": 1, "x": ' + nested + "}")
    if ok:
        assert read_project_json(path)["version"] == 1
    else:
        with pytest.raises(HygisError, match="nests deeper|not valid JSON"):
            read_project_json(path)
