"""An existing stack sees no replace and no delete after the upgrade.

tests/upgrade/recorded_urns.json holds the URNs the stack program registered
before its components moved into the package (tests/upgrade/record_urns.py,
run on the commit before the move). Each of those must still be claimed by a
resource of today's program: as its URN, or as one of its aliases. The engine
matches an old resource to a new one that way; one left unclaimed would be
deleted, and its replacement created.

The aliases are resolved as the engine resolves alias specs (pulumi/pulumi
``pkg/resource/deploy/step_generator.go``, generateAliases): a spec's unset
parts are the resource's own; a child also answers to each URN its parent
answers to, with its name's parent-name prefix swapped for the alias's
(the SDKs' ``inherited_child_alias``, sdk/python/lib/pulumi/runtime/resource.py).
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pytest

from offline.fake_aws import FakeAws, lab_world
from offline.program import load_program
from offline.recorder import RecordingMonitor
from tests.conftest import PROJECT_DIR, stack_config
from tests.upgrade.record_urns import CASES, FIXTURE


@dataclass(frozen=True)
class Registration:
    urn: str
    type: str
    name: str
    parent: str | None
    # (name, type, parent URN or None for "the resource's own", no parent)
    alias_specs: tuple[tuple[str, str, str | None, bool], ...]
    alias_urns: tuple[str, ...]


class AliasRecordingMonitor(RecordingMonitor):
    def __init__(self, mocks: Any) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        specs, urns = [], []
        for alias in request.aliases:
            if alias.WhichOneof("alias") == "urn":
                urns.append(alias.urn)
                continue
            spec = alias.spec
            parent = spec.parentUrn if spec.WhichOneof("parent") == "parentUrn" else None
            specs.append((spec.name, spec.type, parent, spec.noParent))
        self.registrations.append(  # the stack too: its children's parent
            Registration(
                response.urn,
                request.type,
                request.name,
                request.parent or None,
                tuple(specs),
                tuple(urns),
            )
        )
        return response


STACK_TYPE = "pulumi:pulumi:Stack"


def _urn(stack: str, project: str, type_: str, name: str, parent: str | None) -> str:
    """A URN as the engine makes it: the parent's qualified type, then the
    type (the root stack left out). The SDK's mock monitor keeps only the
    parent's last type, so its URNs are not used here."""
    if parent is None or parent.split("::")[2] == STACK_TYPE:
        return f"urn:pulumi:{stack}::{project}::{type_}::{name}"
    parent_type = parent.split("::")[2]
    return f"urn:pulumi:{stack}::{project}::{parent_type}${type_}::{name}"


def engine_urns(registrations: Sequence[Registration], stack: str, project: str) -> dict[str, str]:
    """Each registration's mock URN -> the URN the engine gives it."""
    engine: dict[str, str] = {}
    for reg in registrations:
        parent = engine.get(reg.parent) if reg.parent else None
        if reg.type == STACK_TYPE:
            engine[reg.urn] = _urn(stack, project, reg.type, reg.name, None)
        else:
            engine[reg.urn] = _urn(stack, project, reg.type, reg.name, parent)
    return engine


def _inherited(name: str, parent_name: str, parent_alias: str) -> str:
    alias_parent_name = parent_alias.rsplit("::", 1)[1]
    return alias_parent_name + name[len(parent_name) :] if name.startswith(parent_name) else name


def claimed_urns(mocked: Sequence[Registration], stack: str, project: str) -> set[str]:
    engine = engine_urns(mocked, stack, project)
    registrations = [
        Registration(
            engine[r.urn],
            r.type,
            r.name,
            engine.get(r.parent) if r.parent else None,
            tuple((n, t, engine.get(p, p) if p else p, np) for n, t, p, np in r.alias_specs),
            r.alias_urns,
        )
        for r in mocked
    ]
    claims: dict[str, set[str]] = {}
    for reg in registrations:  # parents register before their children
        own = {reg.urn, *reg.alias_urns}
        for name, type_, parent, no_parent in reg.alias_specs:
            alias_parent = None if no_parent else (parent or reg.parent)
            own.add(_urn(stack, project, type_ or reg.type, name or reg.name, alias_parent))
        if reg.parent is not None:
            parent_name = reg.parent.rsplit("::", 1)[1]
            for parent_alias in claims.get(reg.parent, set()) - {reg.parent}:
                inherited = _inherited(reg.name, parent_name, parent_alias)
                own.add(_urn(stack, project, reg.type, inherited, parent_alias))
                for name, type_, parent, no_parent in reg.alias_specs:
                    if parent is None and not no_parent:
                        alias_name = _inherited(name or reg.name, parent_name, parent_alias)
                        own.add(_urn(stack, project, type_ or reg.type, alias_name, parent_alias))
        claims[reg.urn] = own
    return set().union(*claims.values())


def run_recording_aliases(stack: str, overrides: dict[str, str]) -> tuple[Registration, ...]:
    """What the program registers for ``stack`` with these config overrides:
    one run per case in a worker, shared by the tests that read it (nothing
    in it can be changed)."""
    return _registrations(stack, tuple(sorted(overrides.items())))


@functools.cache
def _registrations(stack: str, overrides: tuple[tuple[str, str], ...]) -> tuple[Registration, ...]:
    # A run of its own: an earlier test in this worker may have closed its loop.
    asyncio.set_event_loop(asyncio.new_event_loop())
    program = load_program(PROJECT_DIR)
    monitor = AliasRecordingMonitor(FakeAws(lab_world()))

    @pulumi.runtime.test
    def run() -> None:
        program()

    pulumi.runtime.set_all_config(stack_config(stack, **dict(overrides)))
    pulumi.runtime.set_mocks(monitor.mocks, project="bastion-db", stack=stack, monitor=monitor)
    run()
    return tuple(monitor.registrations)


RECORDED: dict[str, list[str]] = json.loads(FIXTURE.read_text())


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_recorded_resource_is_claimed_by_the_new_program(case: str) -> None:
    stack, overrides = CASES[case]
    registrations = run_recording_aliases(stack, overrides)
    claimed = claimed_urns(registrations, stack, "bastion-db")
    unclaimed = sorted(set(RECORDED[case]) - claimed)
    assert unclaimed == [], f"{len(unclaimed)} resources would be deleted and recreated"


def test_the_check_notices_a_resource_left_behind() -> None:
    registrations = run_recording_aliases("dev", {})
    moved = [
        Registration(r.urn, r.type, r.name, r.parent, (), ()) if r.name == "bastion" else r
        for r in registrations
    ]
    unclaimed = set(RECORDED["dev"]) - claimed_urns(moved, "dev", "bastion-db")
    assert "urn:pulumi:dev::bastion-db::bastiondb:compute:Bastion::bastion" in unclaimed
    # its children follow it
    assert any(urn.endswith("::bastion-instance") for urn in unclaimed)
