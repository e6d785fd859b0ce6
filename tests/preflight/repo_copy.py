"""A throwaway copy of the repository, to do what a user does to theirs (add a
stack, run the scripts from another folder) without touching this one."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import PROJECT_DIR


def copy_repository(target: Path, installed: bool = True) -> Path:
    """Every file git would commit (tracked, or new and not ignored), and what
    the set-up installed by link: the virtualenv, and ``.tools/`` where
    ``scripts/uv.sh`` put the pinned uv (when none is on PATH), so the copy's
    scripts need no install (without the link, its first set-up would fetch
    uv from PyPI again, a second or more). ``installed=False`` leaves out
    ``.tools/``, as in a fresh clone. In a copy that is no git checkout
    itself, the files as they are, less caches."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=PROJECT_DIR,
        capture_output=True,
        check=False,
    )
    if listed.returncode == 0:
        for name in filter(None, listed.stdout.decode().split("\0")):
            source = PROJECT_DIR / name
            if source.is_file():
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)
    else:
        shutil.copytree(PROJECT_DIR, target, symlinks=True, ignore=_NOT_SOURCE)
    (target / ".venv").symlink_to((PROJECT_DIR / ".venv").resolve())
    if installed and (PROJECT_DIR / ".tools").is_dir():
        (target / ".tools").symlink_to((PROJECT_DIR / ".tools").resolve())
    return target


_NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".venv-*",
    ".tools",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
)


def preflight_script(repository: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``bash <repository>/scripts/preflight.sh ARGS`` run from ``cwd``, as a user would."""
    return subprocess.run(
        ["bash", str(repository / "scripts" / "preflight.sh"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
