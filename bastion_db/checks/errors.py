"""The one error a user's bad stack configuration ends in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi


class ArgumentName(str):
    """A key as the package's caller spells it (``db_instance_class``), not a
    stack key: an error about it says "argument", not "config key"."""


class ConfigError(pulumi.RunError, ValueError):
    """A stack configuration value is missing, malformed or not allowed.

    The message always names the config key, the value that was given and
    what would have been accepted, so the user can fix it without reading code.
    Being a ``pulumi.RunError``, a real ``pulumi up`` prints just this message,
    not a traceback.
    """

    def __init__(self, key: str, value: Any, accepted: str) -> None:
        self.key = key
        self.value = value
        self.accepted = accepted
        shown = "(not set)" if value is None else repr(value)
        kind = "argument" if isinstance(key, ArgumentName) else "config key"
        super().__init__(f"{kind} '{key}': got {shown}; expected {accepted}")


class ConfigErrors(ConfigError):
    """Several configuration errors found in one run, reported together.

    ``errors`` holds each one; the message lists them a line each. Being a
    ``ConfigError`` (the first one's key, value and accepted), whatever
    catches a single error catches these too.
    """

    def __init__(self, errors: Sequence[ConfigError]) -> None:
        first = errors[0]
        super().__init__(first.key, first.value, first.accepted)
        self.errors = tuple(errors)
        lines = [f"{len(self.errors)} configuration errors:", *(f"- {e}" for e in self.errors)]
        self.args = ("\n".join(lines),)
