"""mypy reads only the pulumi_aws modules this project uses (pyproject.toml says
why); these tests keep that list complete, so no call into AWS goes unchecked."""

from __future__ import annotations

import functools
import re
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

# aws.ec2.SecurityGroup, pulumi_aws.ec2.outputs (.GetRouteTableRouteResult)
_ATTRIBUTE_USE = re.compile(r"\b(?:aws|pulumi_aws)\.([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)")
# from pulumi_aws.s3 import (BucketArgs as Args, ...)
_FROM_IMPORT = re.compile(
    r"^\s*from pulumi_aws\.([a-z][a-z0-9_]*)(?:\.([a-z0-9_]+))? import (\([^)]*\)|[^\n]*)",
    re.MULTILINE,
)
_TOP_LEVEL_NAME = re.compile(r"^(?:class|def) ([A-Za-z_][A-Za-z0-9_]*)\b", re.MULTILINE)
# What every module of a service reads besides its own file.
_SHARED_MODULES = ("_enums", "_inputs", "outputs")


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


@functools.cache
def defining_modules(service: str) -> dict[str, str]:
    """Each class and function of a service, and the module that defines it
    (``SecurityGroup`` -> ``security_group``); the service's ``__init__``
    star-imports them all."""
    found: dict[str, str] = {}
    for file in sorted((PULUMI_AWS / service).glob("*.py")):
        for name in _TOP_LEVEL_NAME.findall(file.read_text()):
            found.setdefault(name, file.stem)
    return found


def _is_service(name: str) -> bool:
    return (PULUMI_AWS / name / "__init__.py").is_file()


def _module_of(service: str, name: str) -> str | None:
    if (PULUMI_AWS / service / f"{name}.py").is_file():  # a module itself: aws.ec2.outputs
        return name
    return defining_modules(service).get(name)


def modules_used(root: Path = REPO) -> set[str]:
    """The pulumi_aws modules whose names the code uses: each service's
    package, the modules it takes names from, and the shared types those
    modules read."""
    uses: set[tuple[str, str]] = set()
    for source in SOURCES:
        path = root / source
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for file in files:
            text = file.read_text()
            uses.update(_ATTRIBUTE_USE.findall(text))
            for service, module, names in _FROM_IMPORT.findall(text):
                # "A as B, C": the names before any "as"
                for imported in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)(?: as \w+)?", names):
                    uses.add((service, module or imported))
    used: set[str] = set()
    for service, name in uses:
        if not _is_service(service):
            continue
        used.add(f"pulumi_aws.{service}")
        used.update(
            f"pulumi_aws.{service}.{shared}"
            for shared in _SHARED_MODULES
            if (PULUMI_AWS / service / f"{shared}.py").is_file()
        )
        module = _module_of(service, name)
        if module is not None:
            used.add(f"pulumi_aws.{service}.{module}")
    return used


def top_level_modules() -> set[str]:
    return {path.stem for path in PULUMI_AWS.glob("*.py") if path.stem != "__init__"} | {"config"}


def unchecked_modules(patterns: list[str], used: set[str]) -> list[str]:
    wanted = {"pulumi_aws"} | {f"pulumi_aws.{name}" for name in top_level_modules()} | used
    return sorted(module for module in wanted if not is_followed(module, patterns))


def test_every_pulumi_aws_module_the_code_uses_is_type_checked() -> None:
    assert unchecked_modules(followed_patterns(), modules_used()) == []


def test_the_list_names_only_modules_that_exist() -> None:
    for pattern in followed_patterns():
        module = pattern.removesuffix(".*").split(".")[1:]
        path = PULUMI_AWS.joinpath(*module)
        assert path.with_suffix(".py").is_file() or (path / "__init__.py").is_file(), pattern


def test_the_scope_check_names_a_module_the_list_lacks() -> None:
    patterns = [p for p in followed_patterns() if p != "pulumi_aws.rds.instance"]
    assert unchecked_modules(patterns, modules_used()) == ["pulumi_aws.rds.instance"]


def test_the_scope_check_finds_names_used_only_in_a_new_module(tmp_path: Path) -> None:
    # Spelled in two parts, or this file would itself be a use of the service.
    service = "s" + "qs"
    (tmp_path / "bastion_db").mkdir()
    (tmp_path / "bastion_db" / "queue.py").write_text(
        "import pulumi_aws as aws\n"
        f"aws.{service}.Queue('q')\n"
        # another module of a service the list already follows
        "aws.ec2." + "NatGateway('n', subnet_id='subnet-1')\n"
        "from pulumi_aws.ec2 import (\n    " + "Eip as Address,\n)\n"
    )
    unchecked = unchecked_modules(followed_patterns(), modules_used(tmp_path))
    assert {f"pulumi_aws.{service}", f"pulumi_aws.{service}.queue"} <= set(unchecked)
    ec2 = "pulumi_aws." + "ec2"
    assert {f"{ec2}.nat_gateway", f"{ec2}.eip"} <= set(unchecked)


def test_calls_into_a_followed_module_are_still_checked() -> None:
    """The probe's refused calls are checked by the project's own mypy run
    (scripts/test.sh), which fails on an ignore that goes unused: so the
    probe must be among what mypy checks, with that warning on."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["mypy"]
    assert config["warn_unused_ignores"] is True
    probe = Path(__file__).with_name("type_check_probe.py")
    assert any(probe.is_relative_to(REPO / folder) for folder in config["files"])
    source = probe.read_text()
    assert "aws.ec2.SecurityGroup(" in source and "aws.rds.Instance(" in source
    assert source.count("# type: ignore[call-overload]") == 2
