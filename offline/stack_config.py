"""Reads a stack's configuration the way the Pulumi CLI hands it to a program.

``Pulumi.yaml``'s declared defaults and fixed values (read by the same
:mod:`settings.schema` the program uses), then ``Pulumi.<stack>.yaml``'s
values, every key namespaced and every value a string: a scalar as written,
a list or mapping as JSON (:mod:`settings.cli_yaml`). The program's own
check (:func:`settings.check.check_config`) then refuses what the CLI would,
on the same values, so a preflight and a real ``pulumi up`` agree.

A malformed project or stack file is a :class:`StackFileError` naming the
file and what it should hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from settings import cli_yaml
from settings.schema import ConfigSchema, ProjectFileError, load_schema

# Starts what stands for an encrypted `secure:` value, which this tool never decrypts.
SECRET_PLACEHOLDER = "[secret placeholder: encrypted value not decrypted offline"


def secret_placeholder(key: str, stack_file: str) -> str:
    """The stand-in for ``key``'s encrypted value: it says how to give a real one.

    A check that refuses the stand-in shows it as the value it got, so the user
    reads there which option to use.
    """
    return (
        f"{SECRET_PLACEHOLDER} ({stack_file}); to check a value, pass a stand-in with "
        f"-c {key}=VALUE]"
    )


class StackFileError(Exception):
    """A project or stack file is missing or malformed."""


@dataclass(frozen=True)
class StackConfig:
    project: str
    stack: str
    # "<namespace>:<key>" -> value as the engine passes it
    values: dict[str, str]
    # keys whose value was (or held) an encrypted `secure:` one
    secret_keys: tuple[str, ...]


def stack_names(project_dir: Path) -> list[str]:
    """Every stack that has a ``Pulumi.<stack>.yaml`` where the project keeps them."""
    return sorted(
        path.name[len("Pulumi.") : -len(".yaml")]
        for path in project_schema(project_dir).stack_config_dir.glob("Pulumi.*.yaml")
        if path.name.count(".") == 2
    )


def project_schema(project_dir: Path) -> ConfigSchema:
    """The project's schema; a broken Pulumi.yaml is a StackFileError."""
    try:
        return load_schema(project_dir)
    except ProjectFileError as error:
        raise StackFileError(str(error)) from None


def load_stack_config(project_dir: Path, stack: str) -> StackConfig:
    schema = project_schema(project_dir)
    stack_path = schema.stack_file(stack)
    if not stack_path.exists():
        known = ", ".join(stack_names(project_dir)) or "none"
        raise StackFileError(f"no stack file {stack_path.name} (stacks here: {known})")

    config = _config_block(stack_path, schema.project)
    values = schema.defaults()
    secret_keys: list[str] = []
    for key_node, node in config:
        if not isinstance(key_node, yaml.ScalarNode) or not key_node.value:
            raise StackFileError(f"{stack_path}: each key under 'config:' must be a plain name")
        full_key = _namespaced(schema.project, str(key_node.value))
        placeholder = secret_placeholder(full_key, stack_path.name)
        held_secret = False

        def stand_in(placeholder: str = placeholder) -> str:
            nonlocal held_secret
            held_secret = True
            return placeholder

        if cli_yaml.is_secure(node):
            values[full_key] = stand_in()
        else:
            try:
                values[full_key] = cli_yaml.engine_text(node, stand_in)
            except cli_yaml.UnreadableValue as error:
                raise StackFileError(f"{stack_path}: {full_key}: {error}") from None
        if held_secret:
            secret_keys.append(full_key)
        elif _declared_secret(schema, full_key):
            # As the CLI refuses it (workspace/config.go, validateStackConfigValue).
            name = full_key.split(":", 1)[1]
            raise StackFileError(
                f"{stack_path}: {full_key} must be encrypted, since Pulumi.yaml declares it "
                f"secret: set it with `pulumi config set --secret {name} VALUE`"
            )
    return StackConfig(schema.project, stack, values, tuple(secret_keys))


def _config_block(path: Path, project: str) -> list[tuple[yaml.Node, yaml.Node]]:
    """The (key, value) nodes under the stack file's ``config:``."""
    try:
        root = cli_yaml.compose(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as error:
        raise StackFileError(f"{path}: cannot be read ({error})") from None
    except yaml.YAMLError as error:
        raise StackFileError(f"{path}: not valid YAML ({' '.join(str(error).split())})") from None
    if root is None or _is_null(root):
        return []  # an empty stack file sets nothing, as for the CLI
    if not isinstance(root, yaml.MappingNode):
        raise StackFileError(
            f"{path}: expected a mapping at the top level, with the stack's values under 'config:'"
        )
    top = {key.value: node for key, node in root.value if isinstance(key, yaml.ScalarNode)}
    config = top.get("config")
    if config is None or _is_null(config):
        return []
    if not isinstance(config, yaml.MappingNode):
        shape = "a list" if isinstance(config, yaml.SequenceNode) else "a single value"
        raise StackFileError(
            f"{path}: 'config:' must be a mapping of keys to values, like\n"
            f"  config:\n    aws:region: us-east-1\n    {project}:someKey: some value\n"
            f"(it is {shape})"
        )
    return list(config.value)


def _declared_secret(schema: ConfigSchema, full_key: str) -> bool:
    namespace, _, name = full_key.partition(":")
    declaration = schema.declaration(name) if namespace == schema.project else None
    return declaration is not None and declaration.secret


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and cli_yaml.to_value(node) is None


def _namespaced(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"
