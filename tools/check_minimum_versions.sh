#!/bin/bash
# Install every declared minimum version (constraints/minimum.txt) into a throwaway venv and run the
# test suite against them: the lower bounds in pyproject.toml are true only if this passes.
#   tools/check_minimum_versions.sh [pytest args…]      (from the project root; ~10 min, downloads ~400 MB)
# Only binary wheels are allowed (--only-binary): a minimum without a wheel for this Python is not a
# minimum a user can install.  tests/packaging/test_constraints.py checks the file agrees with pyproject.
set -eu
root=$(pwd); venv=$(mktemp -d)/minimum
trap 'rm -rf "$(dirname "$venv")"' EXIT
python3 -m venv "$venv"
deps=$(grep -v '^#' constraints/minimum.txt | sed 's/==.*//' | tr '\n' ' ')
# the declared minima, and the test extra (pytest, hypothesis, the team libraries…) resolved against them;
# the tests import hygis from this checkout (PYTHONPATH)
readarray -t testdeps < <(python3 -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["test"]))')
"$venv/bin/pip" install -q --only-binary=:all: -c constraints/minimum.txt $deps "${testdeps[@]}"
"$venv/bin/pip" list 2>/dev/null | grep -iE "^($(echo $deps | tr ' ' '|')) " || true
PYTHONPATH="$root" QT_QPA_PLATFORM=offscreen "$venv/bin/python" -m pytest -p no:cacheprovider -q \
  --ignore=tests/packaging "$@"
