"""libpq's connection strings (`key=value key='quoted value'`), the form the
printed psql command takes, https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-KEYWORD-VALUE"""

from __future__ import annotations

import re

_PAIR = re.compile(r"\s*(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|(?:[^\s'\\]|\\.)+)")


def parse_conninfo(text: str) -> dict[str, str]:
    """The settings, in order; ValueError when ``text`` is not one."""
    settings: dict[str, str] = {}
    position = 0
    while position < len(text.rstrip()):
        found = _PAIR.match(text, position)
        if found is None:
            raise ValueError(f"not a libpq connection string: {text!r}")
        key, value = found.group(1), found.group(2)
        if value.startswith("'"):
            value = value[1:-1]
        settings[key] = re.sub(r"\\(.)", r"\1", value)
        position = found.end()
    return settings


def format_conninfo(settings: dict[str, str]) -> str:
    def quoted(value: str) -> str:
        if value and re.fullmatch(r"[^\s'\\]+", value):
            return value
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    return " ".join(f"{key}={quoted(value)}" for key, value in settings.items())
