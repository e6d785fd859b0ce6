"""Reads a stack's configuration the way the Pulumi CLI hands it to a program:
``Pulumi.yaml``'s declared defaults, then ``Pulumi.<stack>.yaml``'s values,
every key namespaced and every value a string (objects and lists as JSON)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# Shown instead of an encrypted `secure:` value, which this tool never decrypts.
SECRET_PLACEHOLDER = "[secret placeholder: encrypted value not decrypted offline]"


class StackFileError(Exception):
    """A project or stack file is missing or malformed."""


@dataclass(frozen=True)
class StackConfig:
    project: str
    stack: str
    # "<namespace>:<key>" -> value as the engine passes it
    values: dict[str, str]
    # keys whose value was an encrypted `secure:` one
    secret_keys: tuple[str, ...]


def stack_names(project_dir: Path) -> list[str]:
    """Every stack that has a ``Pulumi.<stack>.yaml`` beside ``Pulumi.yaml``."""
    return sorted(
        path.name[len("Pulumi.") : -len(".yaml")]
        for path in project_dir.glob("Pulumi.*.yaml")
        if path.name.count(".") == 2
    )


def load_stack_config(project_dir: Path, stack: str) -> StackConfig:
    project_file = _read_yaml(project_dir / "Pulumi.yaml")
    project = project_file.get("name")
    if not isinstance(project, str):
        raise StackFileError(f"{project_dir / 'Pulumi.yaml'}: no project name")
    stack_path = project_dir / f"Pulumi.{stack}.yaml"
    if not stack_path.exists():
        known = ", ".join(stack_names(project_dir)) or "none"
        raise StackFileError(f"no stack file {stack_path.name} (stacks here: {known})")
    stack_file = _read_yaml(stack_path)

    values: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, declaration in (project_file.get("config") or {}).items():
        if isinstance(declaration, dict) and "default" in declaration:
            values[_namespaced(project, key)] = _as_engine_string(declaration["default"])
    for key, value in (stack_file.get("config") or {}).items():
        full_key = _namespaced(project, key)
        if isinstance(value, dict) and set(value) == {"secure"}:
            values[full_key] = SECRET_PLACEHOLDER
            secret_keys.append(full_key)
        else:
            values[full_key] = _as_engine_string(value)
    return StackConfig(project, stack, values, tuple(secret_keys))


def _namespaced(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _as_engine_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise StackFileError(f"{path}: not found") from None
    except yaml.YAMLError as error:
        raise StackFileError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(loaded, dict):
        raise StackFileError(f"{path}: expected a mapping at the top level")
    return loaded
