"""Typed access to raw stack configuration, failing with :class:`ConfigError`.

The engine hands a program its configuration as strings (objects and lists as
JSON text). This reader parses them once, so the validation code reads typed
values and every parse failure already names its key.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from settings.errors import ConfigError

Lookup = Callable[[str], "str | None"]


class ConfigReader:
    """Reads ``<namespace>:<key>`` values through ``lookup`` (``pulumi.Config.get``)."""

    def __init__(self, lookup: Lookup, namespace: str) -> None:
        self._lookup = lookup
        self.namespace = namespace

    def full_key(self, key: str) -> str:
        return f"{self.namespace}:{key}"

    def raw(self, key: str) -> str | None:
        return self._lookup(key)

    def string(self, key: str, default: str | None = None) -> str | None:
        value = self._lookup(key)
        if value is None:
            return default
        value = value.strip()
        return value if value else default

    def required_string(self, key: str, accepted: str) -> str:
        value = self.string(key)
        if value is None:
            raise ConfigError(self.full_key(key), None, accepted)
        return value

    def integer(self, key: str, default: int | None) -> int | None:
        value = self.string(key)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise ConfigError(self.full_key(key), value, "a whole number") from None

    def boolean(self, key: str, default: bool) -> bool:
        value = self.string(key)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in ("true", "yes", "1"):
            return True
        if lowered in ("false", "no", "0"):
            return False
        raise ConfigError(self.full_key(key), value, "true or false")

    def json_value(self, key: str) -> Any:
        value = self.string(key)
        if value is None:
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            # A bare scalar in YAML reaches us unquoted; callers decide if that is fine.
            return value

    def string_list(self, key: str, default: list[str] | None = None) -> list[str]:
        value = self.json_value(key)
        if value is None:
            return list(default or [])
        if isinstance(value, str):
            # `pulumi config set key a,b` style: accept a comma-separated string.
            return [item.strip() for item in value.split(",") if item.strip()]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(self.full_key(key), value, "a list of strings")
        return [item.strip() for item in value]
