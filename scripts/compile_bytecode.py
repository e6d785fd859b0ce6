"""Writes bytecode for the distributions the program, the pack and the preflight
run on, as pip does at install time and uv does not (scripts/setup.sh says why).

Usage: python compile_bytecode.py SITE_PACKAGES USED_AWS_SERVICES < requirements
where the requirements are `uv export`'s lines for the runtime groups (the
checks' tools are left alone: a one-shot CI run compiles less by importing
them than by compiling all of them, sympy alone being 1,500 modules), and
USED_AWS_SERVICES is a regex alternation (ec2|rds|...): pulumi_aws's ~230
other services are skipped, 3,000 modules nothing imports.
"""

from __future__ import annotations

import compileall
import re
import sys
from pathlib import Path


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def wanted_names(requirement_lines: list[str]) -> set[str]:
    return {
        normalized(line.split("==")[0])
        for line in requirement_lines
        if line and not line.startswith(("#", " ", "-"))
    }


def top_level_paths(site: Path, names: set[str]) -> set[Path]:
    """The packages and modules each wanted distribution put in site-packages."""
    paths: set[Path] = set()
    for info in site.glob("*.dist-info"):
        if normalized(info.name.removesuffix(".dist-info").rsplit("-", 1)[0]) not in names:
            continue
        for line in (info / "RECORD").read_text().splitlines():
            first = line.split(",", 1)[0].split("/", 1)[0]
            if first.endswith(".dist-info") or first in ("..", "__pycache__"):
                continue
            if "/" in line.split(",", 1)[0] or first.endswith(".py"):
                paths.add(site / first)
    return paths


# Packages the runtime groups install that no module of the program, the pack,
# the preflight or their libraries imports (checked with grep across
# site-packages): debugpy, which pulumi requires for `--attach-debugger`, and
# setuptools, which pulumi-policy requires: hundreds of modules whose
# compilation would be most of this step's work and would never be read.
# (setuptools' _distutils_hack, which its .pth file loads at every start, is
# still compiled.)
NEVER_IMPORTED = frozenset({"debugpy", "setuptools"})


def main() -> int:
    site, services = Path(sys.argv[1]), sys.argv[2]
    names = wanted_names(sys.stdin.read().splitlines())
    skip = re.compile(rf"/pulumi_aws/(?!(config|{services})/)[a-z0-9_]+/")
    ok = True
    for path in sorted(top_level_paths(site, names)):
        if path.name in NEVER_IMPORTED:
            continue
        if path.is_dir():
            ok &= bool(compileall.compile_dir(path, quiet=1, rx=skip, workers=0))
        elif path.suffix == ".py":
            ok &= bool(compileall.compile_file(path, quiet=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
