"""The Node test pack's dependencies, installed once per lockfile.

`npm ci` of the test pack writes about 8,000 files (seconds, mostly the
disk's). It goes to `.tools/node-pack-<lockfile digest>/`, made once and
reused while the lockfile stays the same; the tests' own copies of the pack
link its node_modules. scripts/test.sh starts it in the background beside
the set-up, the linters and pytest (`python3 -m
tests.preflight.node_pack_install`); a lock makes a test that needs it wait
for that install instead of running a second `npm ci`. Standard library only: it runs before
the virtualenv exists.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "node_pack"
TOOLS = Path(__file__).resolve().parents[2] / ".tools"
# What the pack is made of; node_modules, if a developer installed one there, is not.
FILES = ("package.json", "package-lock.json", "PulumiPolicy.yaml", "tsconfig.json", "index.ts")
# The pack needs no install scripts; --prefer-offline uses npm's cache when it can.
NPM_CI = ("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline")
# npm ci from a warm cache takes a few seconds; a cold one downloads about 20 MB.
TIMEOUT_SECONDS = 300


class InstallError(Exception):
    """npm ci of the test pack failed or did not finish."""


def node_available() -> bool:
    return shutil.which("node") is not None and shutil.which("npm") is not None


def copy_pack(target: Path) -> Path:
    """The pack's own files (no node_modules) in a new folder ``target``."""
    target.mkdir(parents=True)
    for name in FILES:
        shutil.copy(SOURCE / name, target / name)
    return target


def install_folder() -> Path:
    digest = hashlib.sha256((SOURCE / "package-lock.json").read_bytes()).hexdigest()[:16]
    return TOOLS / f"node-pack-{digest}"


def installed_modules() -> Path:
    """The pack's node_modules for its lockfile, installing them when missing."""
    folder = install_folder()
    done = folder / ".installed"
    TOOLS.mkdir(exist_ok=True)
    with open(TOOLS / f"{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            _install(folder)
            done.write_text("npm ci finished\n")
    return folder / "node_modules"


def _install(folder: Path) -> None:
    # A half-made folder (an interrupted run) is started over.
    shutil.rmtree(folder, ignore_errors=True)
    copy_pack(folder)
    started = time.monotonic()
    try:
        finished = subprocess.run(
            NPM_CI, cwd=folder, capture_output=True, text=True, timeout=TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired:
        raise InstallError(f"`npm ci` of the test pack took over {TIMEOUT_SECONDS}s") from None
    if finished.returncode != 0:
        raise InstallError(f"`npm ci` failed:\n{finished.stdout}\n{finished.stderr}")
    print(f"npm ci of the test Node pack: {time.monotonic() - started:.1f}s")


def main() -> int:
    if not node_available():
        print("node-pack: node or npm not on PATH; the Node pack tests will skip")
        return 0
    try:
        installed_modules()
    except InstallError as error:
        print(f"node-pack: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
