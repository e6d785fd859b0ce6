"""Two commands started at once in a fresh clone, before uv is installed:
each installs it or finds it installed, and both succeed (they used to share
one temporary folder, and one failed with `mv: cannot stat`).

scripts/uv.sh installs uv with `$PYTHON -m pip`; here PYTHON is a stand-in
whose pip takes its time and then puts the uv this checkout already has where
pip would, so the two installs overlap every time and no network is needed.
(Set-up itself runs one at a time, under a lock that tests/preflight/
test_interrupt.py finds a command waiting on.)"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_DIR
from tests.preflight.repo_copy import copy_repository

INSTALLED_UV = next(iter(sorted(PROJECT_DIR.glob(".tools/uv-*/bin/uv"))), None)

pytestmark = [
    pytest.mark.skipif(shutil.which("uv") is not None, reason="uv is on PATH: uv.sh installs none"),
    pytest.mark.skipif(INSTALLED_UV is None, reason="no uv installed by scripts/uv.sh to copy"),
]

# `python -m pip install ... --target DIR uv==X`: after a pause long enough for
# the other run to start its own, DIR/bin/uv; anything else goes to Python.
SLOW_PIP = """#!/bin/sh
if [ "$1 $2 $3" = "-m pip install" ]; then
  while [ $# -gt 0 ]; do
    if [ "$1" = --target ]; then target=$2; fi
    shift
  done
  sleep 1
  mkdir -p "$target/bin" && cp {uv} "$target/bin/uv"
  exit
fi
exec {python} "$@"
"""


def test_two_first_runs_at_once_both_succeed(tmp_path: Path) -> None:
    repository = copy_repository(tmp_path / "repo", installed=False)
    python = tmp_path / "python"
    python.write_text(SLOW_PIP.format(uv=INSTALLED_UV, python=sys.executable))
    python.chmod(0o755)
    env = {"PATH": "/usr/bin:/bin", "PYTHON": str(python)}
    runs = [
        subprocess.Popen(
            ["bash", "scripts/uv.sh", "--version"],
            cwd=repository,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(*run.communicate(timeout=60), run.returncode) for run in runs]
    for output, errors, code in results:
        assert code == 0, errors
        assert output.startswith("uv "), output
    # Each says so only if its copy is the one in place: exactly one did.
    assert sum("installed uv" in errors for _, errors, _ in results) == 1
    # One uv in place, and no half-made copy left behind.
    assert INSTALLED_UV is not None
    installed = [path.name for path in (repository / ".tools").iterdir()]
    assert installed == [INSTALLED_UV.parent.parent.name]
