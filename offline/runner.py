"""Runs a Pulumi program under the SDK's mocks against the fake AWS world."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

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
    loop.set_exception_handler(_quiet_leftovers)
    asyncio.set_event_loop(loop)
    outputs: dict[str, Any] = {}

    # The SDK's public way to run a program on mocks to the end: it starts from
    # no pending outputs (a failed run leaves tasks of its closed loop behind),
    # runs the function, waits for every output it made, and raises the first
    # error any of them hit (a ConfigError, say).
    @pulumi.runtime.test
    def run_to_the_end() -> Any:
        program()
        return _resolve_stack_outputs(outputs)

    try:
        monitor = RecordingMonitor(FakeAws(world, preview=preview))
        pulumi.runtime.set_all_config(config)
        pulumi.runtime.set_mocks(
            monitor.mocks, project=project, stack=stack, preview=preview, monitor=monitor
        )
        run_to_the_end()
        return ProgramRun(project, stack, monitor.recorded(), outputs)
    finally:
        loop.close()
        asyncio.set_event_loop(None)


def _quiet_leftovers(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """A failed run leaves its error on every output that depended on the one
    that failed; the caller gets it once, raised by :func:`run_program`, so its
    copies are not logged again (as "exception was never retrieved") whenever
    the garbage collector meets them."""
    if "exception" in context and str(context.get("message", "")).endswith("never retrieved"):
        return
    loop.default_exception_handler(context)


async def _resolve_stack_outputs(into: dict[str, Any]) -> None:
    root = pulumi.runtime.get_root_resource()
    exported: dict[str, Any] = getattr(root, "outputs", {})
    for name, value in exported.items():
        output = pulumi.Output.from_input(value)
        try:
            known = await output.is_known()
            plain = await output.future(with_unknowns=True) if known else UNKNOWN
            secret = await output.is_secret()
        except Exception:  # the SDK raises it for the whole run, once, after this
            continue
        into[name] = SecretValue(plain) if secret else plain
