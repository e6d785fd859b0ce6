"""scripts/setup.sh runs `uv sync` only when what the last sync was made from
changed (the lock, pyproject.toml, the environment, the kind of sync), so the
everyday preflight skips it, and never skips it when the lock moved on.

In a folder of its own with the set-up scripts, the project's lock and a
stand-in .venv (a few distribution folders); `uv` on PATH is a stand-in that
records each call and installs nothing, so nothing here touches the real
environment."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import PROJECT_DIR

FAKE_UV = """#!/bin/sh
echo "$*" >> "{log}"
exit "${{FAKE_UV_EXIT:-0}}"
"""


class Project:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.log = root.parent / "uv-calls"
        self.log.touch()
        tools = root.parent / "bin"
        tools.mkdir()
        (tools / "uv").write_text(FAKE_UV.format(log=self.log))
        (tools / "uv").chmod(0o755)
        self.env = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}"}

    def setup(self, *args: str, uv_exit: int = 0) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "scripts/setup.sh", "--no-bytecode", *args],
            cwd=self.root,
            env={**self.env, "FAKE_UV_EXIT": str(uv_exit)},
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )

    def syncs(self) -> int:
        """How many times set-up has run `uv sync` so far."""
        return sum(line.startswith("sync ") for line in self.log.read_text().splitlines())


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "repo"
    shutil.copytree(PROJECT_DIR / "scripts", root / "scripts")
    for name in ("uv.lock", "pyproject.toml"):
        shutil.copy(PROJECT_DIR / name, root / name)
    site = root / ".venv/lib/python3.11/site-packages"
    for distribution in ("pulumi-3.0.0", "pulumi_aws-7.0.0"):
        (site / f"{distribution}.dist-info").mkdir(parents=True)
    return Project(root)


def test_a_second_set_up_with_nothing_changed_runs_no_sync(project: Project) -> None:
    assert project.setup().returncode == 0
    assert project.syncs() == 1
    assert project.setup().returncode == 0
    assert project.syncs() == 1


def test_a_changed_lock_syncs_again(project: Project) -> None:
    project.setup()
    lock = project.root / "uv.lock"
    lock.write_text(lock.read_text() + "\n")
    assert project.setup().returncode == 0
    assert project.syncs() == 2
    # and the new lock is then the one remembered
    project.setup()
    assert project.syncs() == 2


def test_a_changed_pyproject_syncs_again(project: Project) -> None:
    # uv's --locked is then what refuses a lock that no longer matches it
    project.setup()
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n")
    project.setup()
    assert project.syncs() == 2


def test_a_changed_environment_syncs_again(project: Project) -> None:
    project.setup()
    site = project.root / ".venv/lib/python3.11/site-packages"
    (site / "pulumi_aws-7.0.0.dist-info").rename(site / "pulumi_aws-7.1.0.dist-info")
    project.setup()
    assert project.syncs() == 2
    shutil.rmtree(project.root / ".venv")
    project.setup()
    assert project.syncs() == 3


def test_the_dev_sync_covers_the_plain_one_and_not_the_reverse(project: Project) -> None:
    project.setup()
    project.setup("--dev")
    assert project.syncs() == 2
    assert "--group dev" in project.log.read_text().splitlines()[-1]
    project.setup()
    project.setup("--dev")
    assert project.syncs() == 2


def test_a_failed_sync_is_tried_again(project: Project) -> None:
    assert project.setup(uv_exit=1).returncode != 0
    assert project.setup().returncode == 0
    assert project.syncs() == 2
