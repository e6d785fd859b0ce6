"""mypy reads only the pulumi_aws modules this project uses (pyproject.toml says
why); these tests keep that list complete, so no call into AWS goes unchecked."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pulumi_aws

REPO = Path(__file__).resolve().parents[2]
PULUMI_AWS = Path(pulumi_aws.__file__).parent
# Where the project's own code lives (mypy's `files`, plus the program itself).
SOURCES = [
    "__main__.py",
    *tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["mypy"]["files"],
]

_SERVICE_USE = re.compile(r"\b(?:aws|pulumi_aws)\.([a-z][a-z0-9_]*)\b")


def followed_patterns(pyproject: Path = REPO / "pyproject.toml") -> list[str]:
    """The module patterns mypy follows although `pulumi_aws.*` is skipped."""
    overrides = tomllib.loads(pyproject.read_text())["tool"]["mypy"]["overrides"]
    return [
        module
        for override in overrides
        if override.get("follow_imports") == "normal"
        for module in override["module"]
    ]


def is_followed(module: str, patterns: list[str]) -> bool:
    # mypy's rule: "a.b.*" matches a.b and everything under it.
    return any(
        module == pattern or (pattern.endswith(".*") and (module + ".").startswith(pattern[:-1]))
        for pattern in patterns
    )


def services_used(root: Path = REPO) -> set[str]:
    """pulumi_aws services the code names (aws.ec2.X, from pulumi_aws.s3 import ...)."""
    used: set[str] = set()
    for source in SOURCES:
        path = root / source
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for file in files:
            used.update(_SERVICE_USE.findall(file.read_text()))
    return {name for name in used if (PULUMI_AWS / name / "__init__.py").is_file()}


def top_level_modules() -> set[str]:
    return {path.stem for path in PULUMI_AWS.glob("*.py") if path.stem != "__init__"} | {"config"}


def unchecked_modules(patterns: list[str], services: set[str]) -> list[str]:
    wanted = {"pulumi_aws"} | {f"pulumi_aws.{name}" for name in services | top_level_modules()}
    return sorted(module for module in wanted if not is_followed(module, patterns))


def test_every_pulumi_aws_module_the_code_uses_is_type_checked() -> None:
    assert unchecked_modules(followed_patterns(), services_used()) == []


def test_the_scope_check_names_a_service_the_list_lacks() -> None:
    patterns = [p for p in followed_patterns() if p != "pulumi_aws.rds.*"]
    assert unchecked_modules(patterns, services_used()) == ["pulumi_aws.rds"]


def test_the_scope_check_finds_a_service_used_only_in_a_new_module(tmp_path: Path) -> None:
    # Spelled in two parts, or this file would itself be a use of the service.
    service = "s" + "qs"
    (tmp_path / "components").mkdir()
    (tmp_path / "components" / "queue.py").write_text(
        f"import pulumi_aws as aws\naws.{service}.Queue('q')\n"
    )
    assert f"pulumi_aws.{service}" in unchecked_modules(
        followed_patterns(), services_used(tmp_path)
    )


def test_calls_into_a_followed_service_are_still_checked(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import pulumi_aws as aws\n"
        "aws.ec2.SecurityGroup('sg', no_such_argument=1)\n"
        "aws.rds.Instance('db', allocated_storage='twenty')\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml"), str(probe)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stdout
    assert 'probe.py:2: error: Unexpected keyword argument "no_such_argument"' in result.stdout
    assert 'probe.py:3: error: No overload variant of "Instance"' in result.stdout
