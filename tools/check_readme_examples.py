"""Every ``hygis …`` example in README.md, run as a new user would: from the built wheel, in a fresh
venv, in a folder outside the checkout.

    python tools/check_readme_examples.py [--venv DIR] [--keep] [--constraints constraints/app.txt]

1. builds the wheel from a copy of the source (``pip wheel --no-deps``; the checkout stays clean);
2. makes a fresh venv (no system site packages) and installs the wheel *with its dependencies*
   pinned by ``constraints/app.txt`` (pip's cache or the network; ``--venv DIR`` reuses a venv this
   script made before, reinstalling only hygis);
3. reads the fenced code blocks of README.md, joins ``\\`` continuations and takes every line that
   runs ``hygis`` (the usage synopsis, with its ``[OPTIONS]`` and placeholders, is not an example;
   its ``hygis --version`` is);
4. runs them in order in a temporary folder holding a copy of ``sample_projects/`` and the two input
   files the import examples name (``飞地台账.shp``, a GBK shapefile ledger with Chinese headers,
   and ``新增飞地.csv`` with 经度/纬度 columns, both made from the sample's 飞地 layer), with
   ``HOME`` in that folder (``hygis desktop install`` writes there) and no display
   (``QT_QPA_PLATFORM=offscreen``);
5. prints each example's exit code; the window examples (``hygis PROJECT``, ``hygis-desktop``) open
   the window offscreen, draw the first map and quit (``HYGIS_STARTUP_TIMING=1``); examples that
   need a server (PostgreSQL, a dask scheduler) are listed as skipped, saying why.

tests/packaging/test_wheel.py runs the same examples against the wheel installed into a venv that
borrows this environment's packages (no network needed).

Exit status 0 when every example that ran exited 0.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_projects" / "hangzhou_ningbo.hygis"
SYNOPSIS = re.compile(r"\[|\b(PATH|PROJECT|TARGET|LAYER)\b|…")
#: (pattern, why it is not run here)
SKIPS = (
    (re.compile(r"postgresql://"), "needs a PostgreSQL/PostGIS server"),
    (re.compile(r"^hygis db (status|sync)\b"), "needs the team layer checked out from a PostgreSQL server"),
    (re.compile(r"^hygis db link\b"), "needs a PostgreSQL/PostGIS server (a saved connection)"),
    (re.compile(r"--tiles \S*https?://"), "needs an online tile server (and its token)"),
    (re.compile(r"--scheduler tcp://|parcels_parquet/"), "needs a dask cluster and its parcel data"),
)
#: The window examples open the window offscreen, draw the first map and quit (hygis' startup probe).
WINDOW = re.compile(r"^(~/hygis-env/bin/)?hygis(-desktop)?( sample_projects/\S+\.hygis)?\s*$")


def readme_examples(text: str) -> list[tuple[int, str]]:
    """(README line, command) of every hygis command in the fenced code blocks."""
    out = []
    for block in re.finditer(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M):
        first = text[:block.start()].count("\n") + 2
        lines = block.group(1).split("\n")
        i = 0
        while i < len(lines):
            start, line = first + i, lines[i]
            while line.rstrip().endswith("\\") and i + 1 < len(lines):
                i += 1
                line = line.rstrip()[:-1] + " " + lines[i].strip()
            i += 1
            line = re.sub(r"\s+#\s.*$", "", line)  # a trailing comment (not a '#' inside a URI)
            for command in (part.strip() for part in line.split("&&")):  # pip install -e . && hygis …
                if not re.match(r"^(~/hygis-env/bin/)?hygis(-desktop)?(\s|$)", command):
                    continue
                if SYNOPSIS.search(command) and command != "hygis --version":
                    continue
                out.append((start, command))
    return out


def _run(cmd, cwd, env=None, timeout=1800):
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def build_wheel(tmp: Path) -> Path:
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "hygis", src / "hygis", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp / "dist", src], tmp)
    if built.returncode != 0:
        raise SystemExit(f"building the wheel failed:\n{built.stderr[-3000:]}")
    return next((tmp / "dist").glob("hygis-*.whl"))


def install(wheel: Path, venv: Path, constraints: Path) -> None:
    fresh = not (venv / "bin" / "python").exists()
    if fresh:
        made = _run([sys.executable, "-m", "venv", venv], venv.parent)
        if made.returncode != 0:
            raise SystemExit(f"cannot make a venv: {made.stderr}")
    pip = [venv / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    got = _run(pip + (["-c", constraints] if constraints else []) + ["--force-reinstall", "--no-deps"] * (not fresh)
               + [wheel], venv.parent)
    if got.returncode != 0:
        offline = "network" in got.stderr.lower() or "connection" in got.stderr.lower()
        raise SystemExit(("installing the wheel's dependencies needs the network or pip's cache, and neither had "
                          "them:\n" if offline else "pip install failed:\n") + got.stderr[-3000:])


def input_files(folder: Path) -> None:
    """The files the import examples name, as a planner would have them (made from the sample)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from hygis.project.fileformat import open_project

    enclaves = open_project(SAMPLE).layers["飞地"].data.reset_index(drop=True)
    headers = {"name": "名称", "enclave_type": "类型", "host_city": "所在城市", "origin_city": "来源地",
               "status": "状态", "year_opened": "设立年份", "source": "来源"}
    ledger = enclaves[[*headers, "geometry"]].rename(columns=headers)
    ledger["来源"] = "杭甬飞地台账(2025年)"  # a ledger's own note, in GBK (the sample's texts hold ² and –)
    new = ledger.index >= len(ledger) - 4  # the last four arrive later, in a spreadsheet
    assert "衢州海创园" in set(ledger.loc[~new, "名称"]), "the update example needs 衢州海创园 in the ledger"
    ledger[~new].to_file(folder / "飞地台账.shp", encoding="GBK")  # GBK and a .cpg, as Chinese GIS write them
    sheet = ledger[new].drop(columns="geometry")
    sheet.insert(1, "经度", ledger[new].geometry.x.round(6))
    sheet.insert(2, "纬度", ledger[new].geometry.y.round(6))
    sheet.to_csv(folder / "新增飞地.csv", index=False, encoding="utf-8-sig")  # Excel's "CSV UTF-8"


def run_examples(bin_dir: Path, run: Path, env: dict, report=None) -> list[tuple[int, str, int | None, str]]:
    """Run the README's examples in ``run`` with the ``hygis`` scripts of ``bin_dir``:
    [(README line, command, exit code or None if skipped, the reason or the last lines of output)]."""
    out = []
    for line, command in readme_examples((ROOT / "README.md").read_text(encoding="utf-8")):
        why = next((reason for pattern, reason in SKIPS if pattern.search(command)), None)
        if why:
            out.append((line, command, None, why))
            if report:
                report(f"  skip  README:{line:<4} {command}\n        ({why})")
            continue
        args = shlex.split(command.replace("~/hygis-env/bin/", ""))
        args[0] = str(Path(bin_dir) / args[0])
        window = WINDOW.match(command) is not None
        res = _run(args, run, dict(env, HYGIS_STARTUP_TIMING="1") if window else env, timeout=600)
        tail = "\n".join((res.stderr or res.stdout).strip().splitlines()[-5:])
        out.append((line, command, res.returncode, tail))
        if report:
            report(f"  exit {res.returncode}  README:{line:<4} {command}"
                   + ("   (window offscreen: first map drawn, then quit)" if window else ""))
            if res.returncode != 0:
                report("        " + tail.replace("\n", "\n        "))
    return out


def example_folder(run: Path) -> None:
    """``run`` as the examples expect it: ``sample_projects/`` and the import examples' input files."""
    (run / "sample_projects").mkdir(parents=True, exist_ok=True)
    shutil.copy2(SAMPLE, run / "sample_projects" / SAMPLE.name)
    input_files(run)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, help="reuse (or make) the venv here instead of a temporary one")
    parser.add_argument("--constraints", type=Path, default=ROOT / "constraints" / "app.txt")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (printed)")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="hygis-readme-"))
    try:
        venv = (args.venv or tmp / "venv").resolve()
        venv.parent.mkdir(parents=True, exist_ok=True)
        print(f"building the wheel, installing it into {venv} …", flush=True)
        install(build_wheel(tmp), venv, args.constraints)
        run = tmp / "elsewhere"
        example_folder(run)
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
        env.update(QT_QPA_PLATFORM="offscreen", HOME=str(run / "home"), XDG_DATA_HOME=str(run / "home" / "share"),
                   XDG_CONFIG_HOME=str(run / "home" / "config"), PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
        (run / "home").mkdir()
        version = _run([venv / "bin" / "python", "-c", "import hygis, sys; print(hygis.__file__)"], run, env)
        print(f"hygis from {version.stdout.strip()}; examples run in {run}\n")
        results = run_examples(venv / "bin", run, env, report=print)
        ran = [r for r in results if r[2] is not None]
        failed = [r for r in ran if r[2] != 0]
        print(f"\n{len(ran) - len(failed)} of {len(ran)} examples exited 0, {len(results) - len(ran)} skipped")
        return 1 if failed else 0
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
