"""Runs a Pulumi program under the SDK's mocks against the fake AWS world."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime.settings import SETTINGS, get_root_resource
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from offline.fake_aws import FakeAws, FakeWorld
from offline.recorder import RecordingMonitor
from offline.snapshot import UNKNOWN, ResourceSnapshot, SecretValue


@dataclass(frozen=True)
class ProgramRun:
    """What one run of the program registered and exported."""

    project: str
    stack: str
    resources: list[ResourceSnapshot]
    # Stack outputs; secret ones wrapped in SecretValue
    outputs: dict[str, Any]

    def of_type(self, type_token: str) -> list[ResourceSnapshot]:
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str) -> ResourceSnapshot:
        found = self.of_type(type_token)
        if len(found) != 1:
            raise AssertionError(f"expected one {type_token}, found {len(found)}")
        return found[0]

    def by_urn(self, urn: str) -> ResourceSnapshot:
        return next(r for r in self.resources if r.urn == urn)

    def named(self, name: str) -> ResourceSnapshot:
        return next(r for r in self.resources if r.name == name)


def run_program(
    program: Callable[[], None],
    *,
    project: str,
    stack: str,
    config: Mapping[str, str],
    world: FakeWorld,
    preview: bool = False,
) -> ProgramRun:
    """Runs ``program`` to completion and returns its registrations and outputs.

    Each run gets a fresh context and event loop, so runs never see each
    other's stack, config or pending outputs. Errors the program raises
    (a ``ConfigError``, say) propagate unchanged.
    """
    return contextvars.Context().run(_run, program, project, stack, dict(config), world, preview)


def _run(
    program: Callable[[], None],
    project: str,
    stack: str,
    config: dict[str, str],
    world: FakeWorld,
    preview: bool,
) -> ProgramRun:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # The SDK tracks pending outputs in a process-wide set; a run that failed
    # leaves tasks of its (closed) loop there, so start every run without them,
    # as the SDK's own pulumi.runtime.test does.
    SETTINGS.outputs.clear()
    try:
        monitor = RecordingMonitor(FakeAws(world, preview=preview))
        pulumi.runtime.set_all_config(config)
        pulumi.runtime.set_mocks(
            monitor.mocks, project=project, stack=stack, preview=preview, monitor=monitor
        )
        _sync_await(run_pulumi_func(program))
        outputs = _sync_await(_resolve_stack_outputs())
        return ProgramRun(project, stack, monitor.recorded(), outputs)
    finally:
        SETTINGS.outputs.clear()
        loop.close()
        asyncio.set_event_loop(None)


async def _resolve_stack_outputs() -> dict[str, Any]:
    root = get_root_resource()
    exported: dict[str, Any] = getattr(root, "outputs", {})
    resolved = {}
    for name, value in exported.items():
        output = pulumi.Output.from_input(value)
        known = await output.is_known()
        plain = await output.future(with_unknowns=True) if known else UNKNOWN
        resolved[name] = SecretValue(plain) if await output.is_secret() else plain
    return resolved
