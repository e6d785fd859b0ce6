"""Values that are unknown at preview, and reading the SDK's properties without tripping on them.

The SDK's default is to turn any read of an unknown into an *advisory* note
("can't run policy ... during preview"). Every rule reads through
:class:`PlainProps` instead, which hands back :data:`UNKNOWN` for such a value,
so the rule decides for itself and fails closed where an unknown could hide a
hole (:func:`unknown_refusal` words that refusal).

Only ``pulumi_policy`` and the standard library may be imported in ``rules/``:
the pack runs in its own folder as ``python -m pulumi.policy``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

# What the SDK raises when a rule reads a value unknown at preview, and the
# wire's markers for such values (a remediation sees them as they are).
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)


class Unknown:
    """Stands for a value the engine will only know after the update runs."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Final = Unknown()

_MARKERS: Final = frozenset(
    {
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_STRING_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)


def plain(value: Any) -> Any:
    """The SDK's (proxied) value as plain dicts and lists, with every unknown
    replaced by :data:`UNKNOWN` instead of raising on access."""
    if isinstance(value, str):
        return UNKNOWN if value in _MARKERS else value
    if isinstance(value, int | float | bool) or value is None:
        return value
    if isinstance(value, Mapping):
        result: dict[str, Any] = {}
        for key in value:
            try:
                item = value[key]
            except UnknownValueError:
                result[str(key)] = UNKNOWN
                continue
            result[str(key)] = plain(item)
        return result
    if isinstance(value, Sequence) and not isinstance(value, bytes):
        items: list[Any] = []
        for index in range(len(value)):
            try:
                item = value[index]
            except UnknownValueError:
                items.append(UNKNOWN)
                continue
            items.append(plain(item))
        return items
    return value


class PlainProps(Mapping[str, Any]):
    """A resource's properties made plain one key at a time, on first read.

    The SDK hands every rule its own copy of a resource's properties; most
    rules read a handful of keys, so converting only those (and only once per
    rule) keeps the pack's work proportional to what the rules look at."""

    __slots__ = ("_done", "_source")

    def __init__(self, source: Mapping[str, Any] | None) -> None:
        self._source: Mapping[str, Any] = source if source is not None else {}
        self._done: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        try:
            return self._done[key]
        except KeyError:
            pass
        try:
            value = plain(self._source[key])
        except UnknownValueError:
            value = UNKNOWN
        self._done[key] = value
        return value

    def __iter__(self) -> Iterator[str]:
        # Iterating keys never reads a (possibly unknown) value.
        return iter(self._source)

    def __len__(self) -> int:
        return len(self._source)


def contains_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


def as_int(value: Any) -> int | Unknown | None:
    """Numbers cross the wire as floats (and sometimes as strings)."""
    if value is None or value is UNKNOWN:
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(float(value.strip()))
        except ValueError:
            return None
    return None


def as_list(value: Any) -> list[Any] | Unknown:
    if value is UNKNOWN:
        return UNKNOWN
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def unknown_refusal(what: str, claim: str, fix: str) -> str:
    """The message of a rule that met an unknown it cannot accept; ``fix`` says
    how to make the value known at preview."""
    return (
        f"{what} is unknown at preview (it is computed from another resource's output), so "
        f"this preview cannot show that {claim}. The guardrail refuses what it cannot verify "
        f"rather than let a possible exposure through. {fix}"
    )
