"""Write ``constraints/app.txt``: the exact versions of everything hygis needs, from a tested env.

Run it in the environment the full test suite passed in (CI, or the shared development env)::

    python tools/lock_constraints.py            # writes constraints/app.txt
    python tools/lock_constraints.py --check    # exit 1 if the file differs from this env

It walks hygis' runtime requirements (``pyproject.toml``, markers evaluated for this
platform) and their requirements recursively, and pins each installed distribution
(``name==version``).  A reproducible app install is then::

    pip install -c constraints/app.txt dist/hygis-*.whl
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "constraints" / "app.txt"
HEADER = """\
# Exact versions for a reproducible hygis app install (Python {py}, {platform}), the set the
# full test suite passed with. Regenerate with: python tools/lock_constraints.py
# Use: pip install -c constraints/app.txt dist/hygis-*.whl   (or: pip install -c constraints/app.txt .)
"""


def runtime_requirements() -> list[Requirement]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in meta["dependencies"]]


def closure(reqs: list[Requirement]) -> dict[str, str]:
    """{canonical name: installed version} of ``reqs`` and everything they require here."""
    pins: dict[str, str] = {}
    todo = [r for r in reqs if r.marker is None or r.marker.evaluate({"extra": ""})]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name in pins:
            continue
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            sys.exit(f"{req.name} is not installed here: install hygis' dependencies first")
        pins[name] = dist.version
        for raw in dist.requires or []:
            sub = Requirement(raw)
            if sub.marker is None or sub.marker.evaluate({"extra": ""}):
                todo.append(sub)
    return pins


def render(pins: dict[str, str]) -> str:
    import platform

    head = HEADER.format(py=platform.python_version(), platform=f"{platform.system()} {platform.machine()}")
    return head + "".join(f"{name}=={version}\n" for name, version in sorted(pins.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with constraints/app.txt instead of writing")
    args = parser.parse_args()
    text = render(closure(runtime_requirements()))
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8").split("\n", 3)[3] == text.split("\n", 3)[3]
        print("constraints/app.txt matches this environment" if same else "constraints/app.txt differs")
        return 0 if same else 1
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text.splitlines()) - 3} pins)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
