"""The declared lower bounds and the app lock agree with pyproject.toml.

``constraints/minimum.txt`` pins every runtime dependency at the lower bound pyproject declares
(tools/check_minimum_versions.sh installs exactly those and runs the suite);
``constraints/app.txt`` pins a tested set for a reproducible app install
(tools/lock_constraints.py writes it) and must satisfy every declared range.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]


def _declared() -> dict[str, Requirement]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {canonicalize_name(Requirement(r).name): Requirement(r) for r in meta["dependencies"]}


def _pins(name: str) -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "constraints" / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        spec = list(req.specifier)
        assert len(spec) == 1 and spec[0].operator == "==", f"{name}: '{line}' is not an exact pin"
        pins[canonicalize_name(req.name)] = Version(spec[0].version)
    return pins


def _lower_bound(req: Requirement) -> Version | None:
    lows = [Version(s.version) for s in req.specifier if s.operator in (">=", "==", "~=")]
    return max(lows) if lows else None


def test_every_dependency_declares_a_lower_bound():
    missing = [name for name, req in _declared().items() if _lower_bound(req) is None]
    assert not missing, f"no lower bound for {missing}"


def test_minimum_file_pins_exactly_the_declared_lower_bounds():
    declared, pins = _declared(), _pins("minimum.txt")
    assert set(pins) == set(declared), "constraints/minimum.txt and pyproject list different packages"
    wrong = {name: (str(pins[name]), str(_lower_bound(req))) for name, req in declared.items()
             if pins[name] != _lower_bound(req)}
    assert not wrong, f"pinned vs declared minimum: {wrong}"
    for name, req in declared.items():  # the minimum itself is allowed by the declared range
        assert req.specifier.contains(pins[name], prereleases=True), f"{name}=={pins[name]} outside {req.specifier}"


def test_app_lock_pins_every_dependency_inside_its_range():
    declared, pins = _declared(), _pins("app.txt")
    missing = sorted(set(declared) - set(pins))
    assert not missing, f"constraints/app.txt lacks {missing} (python tools/lock_constraints.py)"
    outside = {name: str(pins[name]) for name, req in declared.items()
               if not req.specifier.contains(pins[name], prereleases=True)}
    assert not outside, f"constraints/app.txt pins outside pyproject's ranges: {outside}"


@pytest.mark.parametrize("name", ["minimum.txt", "app.txt"])
def test_constraint_files_are_documented(name):
    assert f"constraints/{name}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_suite_against_the_minimum_versions():
    """The minima are checked on every CI run, after the README's test command, not only by hand."""
    lines = [line.split("#", 1)[0].strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    test_cmd = next(i for i, line in enumerate(lines) if "python -m pytest" in line)
    assert lines[test_cmd].startswith('python -m pip install -e ".[test]" && QT_QPA_PLATFORM=offscreen python -m pytest')
    assert "tools/check_minimum_versions.sh" in lines[test_cmd + 1:]
    assert (ROOT / "tools" / "check_minimum_versions.sh").stat().st_mode & 0o111  # executable
