"""A synthetic stack of any size, made of renamed copies of a real one.

Copy ``k`` (from 1; copy 0 is the real stack, untouched) gets ``-c<k>`` on
every resource's name, so on every URN it owns, and every reference inside
the copy (parent, dependencies, property dependencies, provider reference)
is rewritten to the copy's own resources. Physical ids are renamed the same
way wherever they appear as a whole token in a string (``sg-1`` in
``vpcSecurityGroupIds`` or inside an ARN), so a rule that follows a reference
by id finds the copy's resource, not 28 look-alikes. References that leave
the stack (its root ``pulumi:pulumi:Stack`` URN, the existing VPC and subnets)
stay shared, as they would in one big stack.
"""

from __future__ import annotations

import dataclasses
import graphlib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from offline.snapshot import ResourceSnapshot, SecretValue

# Shorter mock ids ("none") are ordinary words: renaming them inside strings
# would change values that are not references at all.
MIN_RENAMED_ID_LENGTH = 8
# A token is what an id can be part of without being a different id.
_TOKEN_CHARACTER = r"[A-Za-z0-9_\-]"


def suffix(copy_index: int) -> str:
    return f"-c{copy_index}" if copy_index else ""


def renamed_urn(urn: str, copy_suffix: str) -> str:
    """The URN with ``copy_suffix`` after its name (the part after the last ``::``)."""
    head, separator, name = urn.rpartition("::")
    if not separator:
        raise ValueError(f"not a URN: {urn!r}")
    return f"{head}::{name}{copy_suffix}"


def references(snapshot: ResourceSnapshot) -> set[str]:
    """Every URN a resource points at."""
    found = set(snapshot.dependencies)
    for urns in snapshot.property_dependencies.values():
        found.update(urns)
    if snapshot.parent:
        found.add(snapshot.parent)
    if snapshot.provider:
        found.add(_provider_urn(snapshot.provider))
    return found


def _provider_urn(reference: str) -> str:
    # A provider reference is "<provider urn>::<provider id>".
    head, separator, _ = reference.rpartition("::")
    return head if separator and head.startswith("urn:") else reference


class _Renamer:
    """Rewrites one copy of the base stack."""

    def __init__(self, base: Sequence[ResourceSnapshot], copy_suffix: str) -> None:
        self.suffix = copy_suffix
        self.urns = {s.urn: renamed_urn(s.urn, copy_suffix) for s in base}
        self.ids = {
            s.id: s.id + copy_suffix for s in base if s.id and len(s.id) >= MIN_RENAMED_ID_LENGTH
        }
        alternatives = "|".join(re.escape(i) for i in sorted(self.ids, key=len, reverse=True))
        self._id_pattern = (
            re.compile(f"(?<!{_TOKEN_CHARACTER})(?:{alternatives})(?!{_TOKEN_CHARACTER})")
            if alternatives
            else None
        )

    def urn(self, urn: str) -> str:
        return self.urns.get(urn, urn)

    def provider(self, reference: str) -> str:
        head, separator, provider_id = reference.rpartition("::")
        if not (separator and head.startswith("urn:")):
            return self.urn(reference)
        return f"{self.urn(head)}::{self.ids.get(provider_id, provider_id)}"

    def text(self, value: str) -> str:
        if self._id_pattern is None:
            return value
        return self._id_pattern.sub(lambda match: self.ids[match.group(0)], value)

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, SecretValue):
            return SecretValue(self.value(value.value))
        if isinstance(value, Mapping):
            return {key: self.value(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(item) for item in value]
        return value

    def snapshot(self, snapshot: ResourceSnapshot) -> ResourceSnapshot:
        return dataclasses.replace(
            snapshot,
            urn=self.urn(snapshot.urn),
            name=snapshot.name + self.suffix,
            inputs=self.value(snapshot.inputs),
            outputs=self.value(snapshot.outputs),
            parent=self.urn(snapshot.parent) if snapshot.parent else snapshot.parent,
            dependencies=tuple(self.urn(u) for u in snapshot.dependencies),
            property_dependencies={
                key: tuple(self.urn(u) for u in urns)
                for key, urns in snapshot.property_dependencies.items()
            },
            provider=self.provider(snapshot.provider) if snapshot.provider else None,
            id=self.ids.get(snapshot.id, snapshot.id) if snapshot.id else snapshot.id,
        )


def copy_of(base: Sequence[ResourceSnapshot], copy_index: int) -> list[ResourceSnapshot]:
    """Copy ``copy_index`` of the base stack (0: the base itself)."""
    if copy_index == 0:
        return list(base)
    renamer = _Renamer(base, suffix(copy_index))
    return [renamer.snapshot(s) for s in base]


def dangling(snapshots: Iterable[ResourceSnapshot], outside: set[str]) -> list[str]:
    """References to resources that are neither in ``snapshots`` nor ``outside`` it."""
    ordered = list(snapshots)
    present = {s.urn for s in ordered}
    return sorted({u for s in ordered for u in references(s)} - present - outside)


def stable_order(base: Sequence[ResourceSnapshot]) -> list[ResourceSnapshot]:
    """``base`` in dependency order, the same order every time.

    A program's registration order is a dependency order too, but not a fixed
    one: the SDK resolves its outputs concurrently. Which resources the cut
    copy keeps, and so the violations found, must not change between runs."""
    by_urn = {s.urn: s for s in base}
    graph: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for urn in sorted(by_urn):
        graph.add(urn, *sorted(references(by_urn[urn]) & by_urn.keys()))
    return [by_urn[urn] for urn in graph.static_order()]


def synthetic_stack(base: Sequence[ResourceSnapshot], count: int) -> list[ResourceSnapshot]:
    """``count`` resources: as many copies of ``base`` as needed, in
    :func:`stable_order`, the last one cut short. A cut copy still only points
    at resources that exist; this is checked, not assumed."""
    if not base:
        raise ValueError("the base stack has no resources")
    if count < 1:
        raise ValueError("a synthetic stack needs at least one resource")
    outside = {u for s in base for u in references(s)} - {s.urn for s in base}
    ordered = stable_order(base)
    resources: list[ResourceSnapshot] = []
    for copy_index in range(math.ceil(count / len(base))):
        resources.extend(copy_of(ordered, copy_index))
    resources = resources[:count]
    missing = dangling(resources, outside)
    if missing:
        raise ValueError(f"the cut copy points at resources it lacks: {missing[:3]}")
    return resources
