"""Installs with the project's pinned uv (scripts/uv.sh) the way the suites
that install something outside the repository do: from uv's cache when it
holds every locked wheel, else the same command again from the index."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

from tests.conftest import PROJECT_DIR

UV = PROJECT_DIR / "scripts" / "uv.sh"


def uv_cache_first(
    *args: str, cwd: Path, env: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    """``uv ARGS`` in ``cwd``, first with ``--offline``; on a cold cache, as given."""
    for offline in (("--offline",), ()):
        done = subprocess.run(
            ["bash", str(UV), *args, *offline],
            cwd=cwd,
            env=dict(env),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0:
            break
    return done
