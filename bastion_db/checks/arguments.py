"""The package's arguments read the way the checks read stack configuration.

The checks in this folder ask for a setting by its stack key (``dbInstanceClass``)
through a reader. Through the stack program that reader is
``settings.ConfigReader``, and an error names the stack key; through the package
it is :class:`ArgumentsReader`, which answers from ``BastionDatabaseArgs`` and
names the argument (``db_instance_class``): one set of checks, two spellings.
An argument is the stack key in snake case, always.
"""

import re
from collections.abc import Mapping
from enum import Enum
from typing import Any

from bastion_db.checks.errors import ArgumentName, ConfigError

_WORD_START = re.compile(r"(?<!^)(?=[A-Z])")


def argument_name(stack_key: str) -> str:
    """``dbInstanceClass`` -> ``db_instance_class``."""
    return _WORD_START.sub("_", stack_key).lower()


class _Unset(Enum):
    UNSET = "unset"


UNSET: Any = _Unset.UNSET


class ArgumentsReader:
    """Reads ``args`` by stack key; an unset, None or blank argument reads as
    ``defaults[argument]``, as an unset stack key reads as Pulumi.yaml's default.

    ``names`` renames some stack keys for a piece whose fields say less
    (``bastionInstanceType`` is the Bastion's ``instance_type``)."""

    def __init__(
        self,
        args: Mapping[str, Any],
        defaults: Mapping[str, Any],
        names: Mapping[str, str] | None = None,
    ) -> None:
        self._args = args
        self._defaults = defaults
        self._names = names or {}

    def full_key(self, key: str) -> str:
        return ArgumentName(self._names.get(key) or argument_name(key))

    def _value(self, key: str, default: Any) -> Any:
        name = self.full_key(key)
        value = self._args.get(name)
        if isinstance(value, Enum):
            value = value.value
        if isinstance(value, str):
            value = value.strip() or None
        if value is None or value == []:
            if default is not UNSET:
                return default
            value = self._defaults.get(name)
            if isinstance(value, str):
                value = value.strip() or None
        return value

    def string(self, key: str, default: Any = UNSET) -> str | None:
        value = self._value(key, default)
        if value is None or isinstance(value, str):
            return value
        # Some checks read a number as text, as the stack's config arrives.
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(int(value)) if float(value).is_integer() else str(value)
        raise ConfigError(self.full_key(key), value, "a string")

    def required_string(self, key: str, accepted: str) -> str:
        value = self.string(key)
        if value is None:
            raise ConfigError(self.full_key(key), None, accepted)
        return value

    def integer(self, key: str, default: Any = UNSET) -> int | None:
        value = self._value(key, default)
        # A number crosses the provider protocol as a double: 20 arrives as 20.0.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        raise ConfigError(self.full_key(key), value, "a whole number")

    def boolean(self, key: str, default: Any = UNSET) -> bool:
        value = self._value(key, default)
        if isinstance(value, bool):
            return value
        raise ConfigError(self.full_key(key), value, "true or false")

    def string_list(self, key: str, default: Any = UNSET) -> list[str]:
        value = self._value(key, default)
        if value is None:
            return []
        if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
            return [item.strip() for item in value]
        raise ConfigError(self.full_key(key), value, "a list of strings")
