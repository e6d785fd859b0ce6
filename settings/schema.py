"""The stack configuration's schema: the ``config:`` block of the project's ``Pulumi.yaml``.

It is the one source of every key's name, type, description and default. The
Pulumi CLI (3.44 and later) reads the same block: it fills each declared
default into a stack that does not set the key, refuses a stack that leaves a
key without a default unset, and refuses a value that is not of the declared
type ("Stack 'dev' with configuration key 'dbPort' must be of type
'integer'"). See https://www.pulumi.com/docs/iac/concepts/projects/project-file/
("config options") and https://www.pulumi.com/blog/project-config-mvp/; the
rules below follow pulumi/pulumi's ``sdk/go/common/workspace/project.go``
(``ValidateConfigValue``, ``Project.Validate``) and ``workspace/config.go``
(``mergeConfig``, ``validateStackConfigValue``).

The program reads this file at every ``pulumi up``, so it is parsed once per
process (with libyaml when PyYAML has it) and kept as frozen values.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pulumi
import yaml

from settings import cli_yaml

# The project this program belongs to: Pulumi.yaml sits beside the settings package.
PROJECT_DIR = Path(__file__).resolve().parent.parent

TYPE_NAMES = ("string", "integer", "boolean", "array", "object")
ATTRIBUTES = ("type", "description", "items", "default", "value", "secret")
# strconv.Atoi on a 64-bit platform: what the CLI accepts as an integer's text.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class ProjectFileError(pulumi.RunError, ValueError):
    """``Pulumi.yaml`` is missing, not YAML, or declares its config in a way the CLI refuses.

    The message names the file and what is expected. A ``pulumi.RunError``, so a
    real ``pulumi up`` prints only this message.
    """


@dataclass(frozen=True)
class ValueType:
    """A declared type; arrays also declare their items' type."""

    name: str
    items: ValueType | None = None

    def __str__(self) -> str:
        # The CLI's own spelling (InferFullTypeName): array<string>.
        return f"array<{self.items}>" if self.items is not None else self.name


@dataclass(frozen=True)
class Declaration:
    """One key of the project's namespace, as ``Pulumi.yaml`` declares it."""

    # The key without its namespace, e.g. "vpcId"
    name: str
    # None for an untyped key (the shorthand `key: value` form declares a default only)
    type: ValueType | None
    description: str
    # What the CLI hands the program when a stack does not set the key; None: no default,
    # so every stack must set it
    default_text: str | None
    # The stack value must be encrypted (`pulumi config set --secret`)
    secret: bool

    @property
    def required(self) -> bool:
        return self.default_text is None


@dataclass(frozen=True)
class ConfigSchema:
    """Every key ``Pulumi.yaml`` declares, and the fixed values it gives other namespaces."""

    project: str
    file: Path
    # Keys of the project's namespace, short names, in the file's order
    declarations: Mapping[str, Declaration]
    # Other namespaces' values (`aws:region: {value: us-east-1}`): full key -> text
    values: Mapping[str, str]
    # Where the Pulumi.<stack>.yaml files live (`stackConfigDir`, else beside Pulumi.yaml)
    stack_config_dir: Path

    def declaration(self, name: str) -> Declaration | None:
        return self.declarations.get(name)

    def closest(self, name: str) -> str | None:
        """The declared key a misspelt ``name`` most likely meant, if any is close."""
        folded = {declared.lower(): declared for declared in self.declarations}
        match = difflib.get_close_matches(name.lower(), list(folded), n=1, cutoff=0.75)
        return folded[match[0]] if match else None

    def defaults(self, namespace: str | None = None) -> dict[str, str]:
        """What the CLI adds to a stack that sets nothing: declared defaults and fixed values."""
        prefix = f"{namespace or self.project}:"
        filled = {
            prefix + name: declaration.default_text
            for name, declaration in self.declarations.items()
            if declaration.default_text is not None
        }
        return {**self.values, **filled}

    def stack_file(self, stack: str) -> Path:
        return self.stack_config_dir / f"Pulumi.{stack}.yaml"


def project_schema() -> ConfigSchema:
    """The schema of this repository's program (Pulumi.yaml beside the settings package)."""
    return load_schema(PROJECT_DIR)


def load_schema(project_dir: Path) -> ConfigSchema:
    """The schema in ``<project_dir>/Pulumi.yaml``; raises ProjectFileError."""
    path = (project_dir / "Pulumi.yaml").resolve()
    try:
        stat = path.stat()
    except OSError:
        raise ProjectFileError(f"{path}: not found (every Pulumi project has one)") from None
    return _load_cached(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _load_cached(path: Path, _mtime_ns: int, _size: int) -> ConfigSchema:
    # Keyed by modification time and size too, so a test that rewrites the file reads it anew.
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ProjectFileError(f"{path}: cannot be read ({error})") from None
    return parse_schema(text, path)


def parse_schema(text: str, file: Path) -> ConfigSchema:
    """Parses a ``Pulumi.yaml`` text; ``file`` names it in errors and anchors stackConfigDir."""
    try:
        root = cli_yaml.compose(text)
    except yaml.YAMLError as error:
        raise ProjectFileError(f"{file}: not valid YAML ({_one_line(error)})") from None
    try:
        return _parse(root, file)
    except cli_yaml.UnreadableValue as error:
        raise ProjectFileError(f"{file}: {error}") from None


def _parse(root: yaml.Node | None, file: Path) -> ConfigSchema:
    if not isinstance(root, yaml.MappingNode):
        raise ProjectFileError(f"{file}: expected a mapping with name:, runtime: and config:")
    top = {cli_yaml.scalar_text(key): node for key, node in root.value}

    name_node = top.get("name")
    project = cli_yaml.to_value(name_node) if name_node is not None else None
    if not isinstance(project, str) or not project:
        raise ProjectFileError(f"{file}: expected a project name (name: my-project)")

    stack_config_dir = file.parent
    config_node = top.get("config")
    for key in ("stackConfigDir", "config"):
        node = top.get(key)
        if isinstance(node, yaml.ScalarNode) and isinstance(cli_yaml.to_value(node), str):
            # A string `config:` is the old spelling of stackConfigDir, as the CLI still reads it.
            stack_config_dir = file.parent / str(node.value)
            if key == "config":
                config_node = None

    declarations: dict[str, Declaration] = {}
    values: dict[str, str] = {}
    if config_node is not None and not _is_null(config_node):
        if not isinstance(config_node, yaml.MappingNode):
            raise ProjectFileError(
                f"{file}: 'config:' must be a mapping of keys to declarations, like\n"
                "  config:\n    dbPort:\n      type: integer\n      default: 5432"
            )
        for key_node, node in config_node.value:
            key = cli_yaml.scalar_text(key_node)
            _declare(file, project, key, node, declarations, values)
    return ConfigSchema(
        project=project,
        file=file,
        declarations=MappingProxyType(declarations),
        values=MappingProxyType(values),
        stack_config_dir=stack_config_dir,
    )


def _declare(
    file: Path,
    project: str,
    key: str,
    node: yaml.Node,
    declarations: dict[str, Declaration],
    values: dict[str, str],
) -> None:
    def refuse(problem: str) -> ProjectFileError:
        return ProjectFileError(f"{file}: config key '{key}': {problem}")

    own = ":" not in key or key.startswith(f"{project}:")
    name = key.split(":", 1)[1] if ":" in key else key
    if not isinstance(node, yaml.MappingNode):
        # Shorthand: a plain value is a project key's default, another namespace's value.
        value = cli_yaml.to_value(node)
        if value is None:
            raise refuse("expected a declaration (type:, description:, default:) or a value")
        if own:
            declarations[name] = Declaration(name, None, "", cli_yaml.default_text(value), False)
        else:
            values[key] = cli_yaml.default_text(value)
        return

    attributes = {cli_yaml.scalar_text(k): v for k, v in node.value}
    for attribute in attributes:
        if attribute not in ATTRIBUTES:
            close = difflib.get_close_matches(attribute, ATTRIBUTES, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(ATTRIBUTES)
            raise refuse(f"unknown attribute '{attribute}'; {hint}")
    if "default" in attributes and "value" in attributes:
        raise refuse("has both 'default' and 'value'; a key has one or the other")
    default = _value_of(attributes.get("default"))
    fixed = _value_of(attributes.get("value"))
    description = _value_of(attributes.get("description"))
    if description is not None and not isinstance(description, str):
        raise refuse("'description' must be text")
    secret = _value_of(attributes.get("secret"))
    if secret is not None and not isinstance(secret, bool):
        raise refuse("'secret' must be true or false")

    if not own:
        # Project.Validate: another namespace's key carries a value, never a type or default.
        if "type" in attributes or "default" in attributes or fixed is None:
            raise refuse(
                "is in another namespace, so it takes a 'value:' only (a type and a default "
                f"belong to keys of the project's own namespace, {project}:)"
            )
        values[key] = cli_yaml.default_text(fixed)
        return

    value_type = _value_type(attributes, refuse) if "type" in attributes else None
    if fixed is not None:
        default = fixed
    if default is not None and value_type is not None and not conforms(value_type, default):
        raise refuse(f"its default {default!r} is not of its declared type '{value_type}'")
    declarations[name] = Declaration(
        name=name,
        type=value_type,
        description=" ".join((description or "").split()),
        default_text=None if default is None else cli_yaml.default_text(default),
        secret=bool(secret),
    )


Refuse = Callable[[str], ProjectFileError]


def _value_type(attributes: Mapping[str, yaml.Node], refuse: Refuse) -> ValueType:
    name = _value_of(attributes.get("type"))
    if name not in TYPE_NAMES:
        raise refuse(f"type {name!r} is not one of {', '.join(TYPE_NAMES)}")
    if name != "array":
        if "items" in attributes:
            raise refuse("'items' belongs to arrays only")
        return ValueType(name)
    items = attributes.get("items")
    if items is None:
        raise refuse("declares an array but not its items' type (items: {type: string})")
    return ValueType("array", _items_type(items, refuse))


def _items_type(node: yaml.Node, refuse: Refuse) -> ValueType:
    if not isinstance(node, yaml.MappingNode):
        raise refuse("'items' must be a mapping like {type: string}")
    attributes = {cli_yaml.scalar_text(k): v for k, v in node.value}
    unknown = set(attributes) - {"type", "items"}
    if unknown:
        raise refuse(f"'items' takes type: (and items: for arrays), not {sorted(unknown)}")
    return _value_type(attributes, refuse)


def _value_of(node: yaml.Node | None) -> Any:
    return None if node is None else cli_yaml.to_value(node)


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and cli_yaml.to_value(node) is None


def _one_line(error: yaml.YAMLError) -> str:
    return " ".join(str(error).split())


# --- the CLI's type rules ---------------------------------------------------------


def conforms(value_type: ValueType, value: Any) -> bool:
    """Whether a JSON-shaped value is of the type, by the CLI's ValidateConfigValue."""
    name = value_type.name
    if name == "string":
        return isinstance(value, str)
    if name == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return True
        if isinstance(value, float):
            return value.is_integer()
        return isinstance(value, str) and parse_integer(value) is not None
    if name == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    if name == "object":
        return isinstance(value, dict)
    return (
        isinstance(value, list)
        and value_type.items is not None
        and all(conforms(value_type.items, item) for item in value)
    )


def text_conforms(value_type: ValueType, text: str) -> bool:
    """Whether a value as the program receives it (a string; lists as JSON) is of the type."""
    if value_type.name in ("array", "object"):
        try:
            parsed = json.loads(text)
        except ValueError:
            return False
        return conforms(value_type, parsed)
    return conforms(value_type, text)


def parse_integer(text: str) -> int | None:
    """``text`` as Go's strconv.Atoi reads it (digits, an optional sign), else None."""
    body = text[1:] if text[:1] in ("+", "-") else text
    if not body or not body.isascii() or not body.isdigit():
        return None
    number = int(text)
    return number if INT64_MIN <= number <= INT64_MAX else None


def describe(value_type: ValueType, key: str = "KEY") -> str:
    """What a value of the type looks like, for the user who wrote a wrong one.

    For a list, how to write one: `pulumi config set` stores a top-level value as
    a string, whatever it looks like (https://www.pulumi.com/docs/iac/cli/commands/pulumi_config_set/),
    so only a YAML list in the stack file, or ``--path`` items, make a list the CLI accepts.
    """
    name = value_type.name
    if name == "integer":
        return "a whole number such as 20 (digits, no decimals, units or spaces)"
    if name == "boolean":
        return "true or false (the Pulumi CLI refuses yes, no, 1, 0 and True)"
    if name == "object":
        return "a mapping (in the stack file, indented key: value lines)"
    if name == "array":
        item = value_type.items.name if value_type.items else ""
        nouns, example = {
            "string": ("strings", '["203.0.113.0/24"]'),
            "integer": ("whole numbers", "[1, 2]"),
            "boolean": ("true/false values", "[true, false]"),
        }.get(item, ("values", "[...]"))
        return (
            f"a list of {nouns}: a YAML list in the stack file (`pulumi config set --path "
            f"'{key}[0]' VALUE` writes one), or JSON text like {example} with the preflight's -c"
        )
    return "text"
