"""The model layers are plain Python: no Qt, no hygis.ui (a checked contract)."""

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1] / "hygis"
# cli/render.py, cli/slides.py and cli/layout.py draw with Qt, importing it inside the command only
QT_FREE = [p for p in ROOT.rglob("*.py") if "ui" not in p.relative_to(ROOT).parts[:1]
           and p.relative_to(ROOT).as_posix() not in ("cli/render.py", "cli/slides.py", "cli/layout.py")]


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
    # hygis/cli/__init__.py may import the app lazily inside main() only
    bad.pop("cli/__init__.py", None)
    assert bad == {}


def test_cli_info_does_not_load_qt():
    code = ("import sys; from hygis.cli import build_parser; build_parser(); "
            "import hygis.project.model, hygis.project.fileformat; print('PySide6' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _internal_edges(path: pathlib.Path, modules: set[str]):
    """hygis modules imported anywhere in ``path`` (function bodies too; TYPE_CHECKING blocks not)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
            and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        else:
            continue
        yield from (t for t in targets if t in modules and t != name)


def test_no_import_cycles():
    """The package's import graph is a DAG: no module reaches itself (lazy imports count too)."""
    files = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph = {m: set(_internal_edges(p, set(files))) for m, p in files.items()}
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def strongconnect(v):  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    assert cycles == []


def test_package_root_holds_only_entry_points():
    """Every concern lives in a sub-package (core, geo, layers, project, io, analysis, present, cli, ui)."""
    loose = sorted(p.name for p in ROOT.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py"]


def test_one_module_per_cli_command():
    from hygis.cli import COMMAND_MODULES, SUBCOMMANDS

    assert all(m.startswith("hygis.cli.") for m in COMMAND_MODULES)
    assert [m.rsplit(".", 1)[1].rstrip("_") for m in COMMAND_MODULES] == list(SUBCOMMANDS)
