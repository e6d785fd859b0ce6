"""Checks the raw stack configuration against the schema before any setting is read.

The first problem ends in a :class:`ConfigError` naming the key, the value and
what is accepted:

- a key of the project's namespace that ``Pulumi.yaml`` does not declare (a
  typo would otherwise be ignored and its default used), with the declared key
  it most likely meant; also a declared key under a misspelt namespace;
- a declared key without a default that the stack leaves unset;
- a value that is not of the declared type, by the rules the CLI applies.

Other namespaces (``aws:``, ``pulumi:``) are not the project's to check here.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping

from bastion_db.checks.errors import ConfigError
from settings.schema import ConfigSchema, Declaration, describe, text_conforms

# Shown in an error instead of a value the stack keeps encrypted.
SECRET_SHOWN = "[secret]"


def check_config(
    schema: ConfigSchema,
    config: Mapping[str, str],
    namespace: str | None = None,
    is_secret: Callable[[str], bool] = lambda key: False,
) -> None:
    """Raises ConfigError for the first key of ``config`` the schema refuses.

    ``config`` maps full keys (``bastion-db:dbPort``) to the strings the engine
    hands the program; ``namespace`` is the project's (default: the schema's).
    """
    namespace = namespace or schema.project
    prefix = f"{namespace}:"

    def shown(key: str) -> str | None:
        value = config.get(key)
        return SECRET_SHOWN if value is not None and is_secret(key) else value

    for key in sorted(config):
        if key.startswith(prefix):
            name = key[len(prefix) :]
            if schema.declaration(name) is None:
                raise ConfigError(key, shown(key), _undeclared(schema, prefix, name))
        elif _misspelt_namespace(schema, namespace, key):
            raise ConfigError(
                key,
                shown(key),
                f"a key in the project's namespace: did you mean '{prefix}{key.split(':', 1)[1]}'?",
            )

    for name in sorted(schema.declarations):
        declaration = schema.declarations[name]
        key = prefix + name
        value = config.get(key)
        if value is None:
            if declaration.required:
                raise ConfigError(key, None, _required(declaration))
            continue
        if declaration.type is not None and not text_conforms(declaration.type, value):
            raise ConfigError(
                key,
                shown(key),
                f"{describe(declaration.type, name)}; Pulumi.yaml declares it {declaration.type}",
            )


def _undeclared(schema: ConfigSchema, prefix: str, name: str) -> str:
    close = schema.closest(name)
    if close is not None:
        return f"a key Pulumi.yaml declares: did you mean '{prefix}{close}'?"
    return (
        "a key Pulumi.yaml declares (none is close to this one; its config: block, "
        "and the README's 'Configuration keys', list them all)"
    )


def _required(declaration: Declaration) -> str:
    about = f": {declaration.description}" if declaration.description else ""
    return f"a value in every stack, since Pulumi.yaml gives it no default{about}"


def _misspelt_namespace(schema: ConfigSchema, namespace: str, key: str) -> bool:
    """``bastiondb:dbPort``: a declared key under a namespace one slip away from the project's."""
    if ":" not in key:
        return False
    other, name = key.split(":", 1)
    return (
        schema.declaration(name) is not None
        and difflib.SequenceMatcher(None, other.lower(), namespace.lower()).ratio() >= 0.8
    )
