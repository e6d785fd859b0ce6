"""Typed access to raw stack configuration, failing with :class:`ConfigError`.

The engine hands a program its configuration as strings (objects and lists as
JSON text). This reader parses them once, so the validation code reads typed
values and every parse failure already names its key.

A key the stack leaves unset, or sets blank, reads as the default
``Pulumi.yaml`` declares for it, exactly as if the CLI had filled it in: the
schema is the one source of defaults. A caller may still pass its own default,
which then wins over the schema's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import Enum
from typing import Any, Literal

from bastion_db.checks.errors import ConfigError
from settings import schema as schema_module
from settings.schema import ConfigSchema, describe, parse_integer

Lookup = Callable[[str], "str | None"]


class _Unset(Enum):
    UNSET = "unset"


UNSET = _Unset.UNSET
Unset = Literal[_Unset.UNSET]

_INTEGER = describe(schema_module.ValueType("integer"))


class ConfigReader:
    """Reads ``<namespace>:<key>`` values through ``lookup`` (``pulumi.Config.get``).

    ``schema`` supplies the defaults; left out, it is this repository's
    ``Pulumi.yaml`` when ``namespace`` is that project's, else there are none.
    """

    def __init__(self, lookup: Lookup, namespace: str, schema: ConfigSchema | None = None) -> None:
        self._lookup = lookup
        self.namespace = namespace
        self._schema = schema

    @property
    def schema(self) -> ConfigSchema | None:
        if self._schema is None:
            own = schema_module.project_schema()
            if own.project == self.namespace:
                self._schema = own
        return self._schema

    def full_key(self, key: str) -> str:
        return f"{self.namespace}:{key}"

    def raw(self, key: str) -> str | None:
        return self._lookup(key)

    def declared_default(self, key: str) -> str | None:
        """The text of ``key``'s default in Pulumi.yaml; None when it declares none."""
        schema = self.schema
        declaration = schema.declaration(key) if schema is not None else None
        return declaration.default_text if declaration is not None else None

    def string(self, key: str, default: str | Unset | None = UNSET) -> str | None:
        value = _stripped(self._lookup(key))
        if value is not None:
            return value
        if default is not UNSET:
            return default
        return _stripped(self.declared_default(key))

    def required_string(self, key: str, accepted: str) -> str:
        value = self.string(key)
        if value is None:
            raise ConfigError(self.full_key(key), None, accepted)
        return value

    def integer(self, key: str, default: int | Unset | None = UNSET) -> int | None:
        value = _stripped(self._lookup(key))
        if value is None:
            if default is not UNSET:
                return default
            value = _stripped(self.declared_default(key))
            if value is None:
                return None
        number = parse_integer(value)
        if number is None:
            raise ConfigError(self.full_key(key), value, _INTEGER)
        return number

    def boolean(self, key: str, default: bool | Unset = UNSET) -> bool:
        value = _stripped(self._lookup(key))
        if value is None:
            if default is not UNSET:
                return default
            value = _stripped(self.declared_default(key))
        # Only these two, as the CLI accepts for a boolean key.
        if value == "true":
            return True
        if value == "false":
            return False
        raise ConfigError(self.full_key(key), value, "true or false")

    def json_value(self, key: str) -> Any:
        value = self.string(key, None)
        if value is None:
            value = _stripped(self.declared_default(key))
            if value is None:
                return None
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            # A bare scalar in YAML reaches us unquoted; callers decide if that is fine.
            return value

    def string_list(self, key: str, default: list[str] | Unset | None = UNSET) -> list[str]:
        if _stripped(self._lookup(key)) is None and default is not UNSET:
            return list(default or [])
        value = self.json_value(key)
        if value is None:
            return []
        if isinstance(value, str):
            # A scalar where a list is declared: the schema check (settings.check) refuses it
            # before any setting is read, as the CLI does; read alone, it is a
            # comma-separated list.
            return [item.strip() for item in value.split(",") if item.strip()]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(self.full_key(key), value, "a list of strings")
        return [item.strip() for item in value]


def _stripped(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None
