"""A resource monitor that remembers every registration the program makes.

It subclasses the SDK's own ``MockMonitor`` (passed to ``set_mocks`` as
``monitor=``), so resources still go through the real serialisation path; it
only keeps what the engine would have been told: parent, dependencies,
property dependencies, provider, protect, which outputs are secret.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime.mocks import MockMonitor

from offline.snapshot import UNKNOWN, ResourceSnapshot, SecretValue

# Signatures the engine's wire format uses (pulumi/sdk/go/common/resource/sig).
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def decode(struct: struct_pb2.Struct) -> dict[str, Any]:
    """A wire property map as plain Python, secrets wrapped, unknowns marked."""
    decoded = _decode_value(json_format.MessageToDict(struct))
    return decoded if isinstance(decoded, dict) else {}


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        signature = value.get(SIG_KEY)
        if signature == SECRET_SIG:
            return SecretValue(_decode_value(value.get("value")))
        if signature == RESOURCE_REFERENCE_SIG:
            return value.get("urn")
        return {key: _decode_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode_value(item) for item in value]
    if value == UNKNOWN_VALUE:
        return UNKNOWN
    # protobuf Structs carry every number as a double; the engine's JSON does not.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def contains_secret(value: Any) -> bool:
    if isinstance(value, SecretValue):
        return True
    if isinstance(value, dict):
        return any(contains_secret(item) for item in value.values())
    if isinstance(value, list):
        return any(contains_secret(item) for item in value)
    return False


class RecordingMonitor(MockMonitor):
    """``MockMonitor`` plus a record of registrations, in order."""

    def __init__(self, mocks: Any) -> None:
        super().__init__(mocks)
        self.snapshots: dict[str, ResourceSnapshot] = {}
        # URN -> outputs a component (or the stack) registered with register_outputs
        self.registered_outputs: dict[str, dict[str, Any]] = {}

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        inputs = decode(request.object)
        outputs = decode(response.object) if request.custom else {}
        secret_outputs = tuple(request.additionalSecretOutputs)
        # The engine keeps an output secret when its input was, or when asked to.
        for key, value in list(outputs.items()):
            if isinstance(value, SecretValue):
                continue
            if key in secret_outputs or contains_secret(inputs.get(key)):
                outputs[key] = SecretValue(value)
        self.snapshots[response.urn] = ResourceSnapshot(
            urn=response.urn,
            type=request.type,
            name=request.name,
            custom=request.custom,
            inputs=inputs,
            outputs=outputs,
            parent=request.parent or None,
            dependencies=tuple(request.dependencies),
            property_dependencies={
                key: tuple(deps.urns) for key, deps in request.propertyDependencies.items()
            },
            provider=request.provider or None,
            protect=bool(request.protect),
            ignore_changes=tuple(request.ignoreChanges),
            retain_on_delete=bool(request.retainOnDelete),
            delete_before_replace=request.deleteBeforeReplace
            if request.deleteBeforeReplaceDefined
            else None,
            id=response.id or None,
            additional_secret_outputs=secret_outputs,
        )
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:
        self.registered_outputs[request.urn] = decode(request.outputs)
        return super().RegisterResourceOutputs(request)

    def recorded(self) -> list[ResourceSnapshot]:
        """Every registration, components carrying the outputs they registered,
        in a stable order (see :func:`stable_order`)."""
        result = []
        for urn, snapshot in self.snapshots.items():
            if not snapshot.custom and urn in self.registered_outputs:
                snapshot = ResourceSnapshot(
                    **{**snapshot.__dict__, "outputs": self.registered_outputs[urn]}
                )
            result.append(snapshot)
        return stable_order(result)


def _prerequisites(snapshot: ResourceSnapshot) -> Iterable[str]:
    """What must come before a resource in a state file: its parent, provider
    and dependencies (the engine's snapshot integrity rules)."""
    if snapshot.parent:
        yield snapshot.parent
    if snapshot.provider:
        yield snapshot.provider.rpartition("::")[0] or snapshot.provider
    yield from snapshot.dependencies
    for urns in snapshot.property_dependencies.values():
        yield from urns


def stable_order(snapshots: Iterable[ResourceSnapshot]) -> list[ResourceSnapshot]:
    """Each resource after everything it needs, ties broken by URN.

    The SDK registers resources as their inputs resolve, so the raw order
    changes from run to run; this one depends only on the program, and it is
    still an order the engine accepts (pulumi/pulumi
    ``pkg/resource/deploy/snapshot.go``, VerifyIntegrity)."""
    by_urn = {snapshot.urn: snapshot for snapshot in snapshots}
    waiting_on = {
        urn: {need for need in _prerequisites(snapshot) if need in by_urn and need != urn}
        for urn, snapshot in by_urn.items()
    }
    dependents: dict[str, list[str]] = {urn: [] for urn in by_urn}
    for urn, needs in waiting_on.items():
        for need in needs:
            dependents[need].append(urn)
    ready = [urn for urn, needs in waiting_on.items() if not needs]
    heapq.heapify(ready)
    ordered: list[ResourceSnapshot] = []
    while ready:
        urn = heapq.heappop(ready)
        ordered.append(by_urn[urn])
        for dependent in dependents[urn]:
            waiting_on[dependent].discard(urn)
            if not waiting_on[dependent]:
                heapq.heappush(ready, dependent)
    # A cycle cannot come from a real program; keep whatever is left rather than lose it.
    placed = {snapshot.urn for snapshot in ordered}
    ordered += [by_urn[urn] for urn in sorted(by_urn) if urn not in placed]
    return ordered
