"""Runs a few lines of a user's program under the SDK's mocks, in the fake
AWS world, and returns what they registered."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pulumi

from offline.fake_aws import FakeAws, lab_world
from offline.fake_world import lab_vpc
from offline.recorder import RecordingMonitor
from offline.snapshot import ResourceSnapshot

REGION = "us-east-1"
# The lab VPC's private subnets, as a user would copy them from the console.
PRIVATE_SUBNET_IDS = [s.id for s in lab_vpc().subnets if not s.map_public_ip_on_launch]


def run_program(program: Callable[[], Any]) -> list[ResourceSnapshot]:
    """Runs ``program`` (which may return an Output to await) and returns the
    registrations."""
    error, resources = _run(program)
    if error is not None:
        raise error
    return resources


def refused(program: Callable[[], Any]) -> tuple[str, list[ResourceSnapshot]]:
    """The message ``program`` fails with, and what it registered before."""
    error, resources = _run(program)
    assert error is not None, "the program was not refused"
    cause = error.__cause__ or error
    return f"{error} {cause}", resources


def _run(program: Callable[[], Any]) -> tuple[Exception | None, list[ResourceSnapshot]]:
    asyncio.set_event_loop(asyncio.new_event_loop())
    monitor = RecordingMonitor(FakeAws(lab_world()))

    @pulumi.runtime.test
    def run() -> Any:
        return program()

    pulumi.runtime.set_all_config({"aws:region": REGION})
    pulumi.runtime.set_mocks(monitor.mocks, project="consumer", stack="dev", monitor=monitor)
    try:
        run()
    except Exception as error:
        return error, monitor.recorded()
    return None, monitor.recorded()


def one(resources: list[ResourceSnapshot], type_: str) -> ResourceSnapshot:
    [resource] = [r for r in resources if r.type == type_]
    return resource
