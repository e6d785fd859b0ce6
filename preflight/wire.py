"""Snapshot values as the engine marshals them to a policy pack, and back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import struct_pb2

from offline.recorder import SECRET_SIG, SIG_KEY, UNKNOWN_VALUE, decode
from offline.snapshot import SecretValue, UnknownValue


def to_wire(value: Any, *, skip_internal: bool = True) -> Any:
    """A snapshot value as the engine marshals it: secrets in the secret
    envelope, unknowns as the unknown sentinel, internal ``__`` keys dropped
    (the engine's ``SkipInternalKeys`` for Analyze and AnalyzeStack)."""
    if isinstance(value, SecretValue):
        return {SIG_KEY: SECRET_SIG, "value": to_wire(value.value, skip_internal=skip_internal)}
    if isinstance(value, UnknownValue):
        return UNKNOWN_VALUE
    if isinstance(value, Mapping):
        return {
            str(key): to_wire(item, skip_internal=skip_internal)
            for key, item in value.items()
            if not (skip_internal and str(key).startswith("__"))
        }
    if isinstance(value, list | tuple):
        return [to_wire(item, skip_internal=skip_internal) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"cannot send a {type(value).__name__} to a policy pack")


def to_struct(properties: Mapping[str, Any], *, skip_internal: bool = True) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(to_wire(properties, skip_internal=skip_internal))
    return struct


def struct_to_python(struct: struct_pb2.Struct) -> dict[str, Any]:
    return decode(struct)
