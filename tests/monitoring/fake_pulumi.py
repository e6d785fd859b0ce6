"""Runs a Pulumi program under the SDK's mocks and records every registration.

A stop-gap for the monitoring tests until they move onto the shared fake AWS
world. What it guarantees, and why:

* Each run gets a fresh event loop, a fresh root stack and a fresh monitor, so
  no registration leaks from one test into the next.
* :func:`run_program` returns only after the program and every outstanding
  registration finished (``pulumi.runtime.test`` waits for all RPCs), and the
  outputs the program hands back are resolved into plain values. Tests assert
  on the returned record afterwards, outside any ``apply``, so an assertion can
  never be skipped because a callback did not run.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime import settings as pulumi_settings

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
CALLER_ARN = f"arn:aws:iam::{ACCOUNT_ID}:user/tester"

# Resource types whose provider computes an ARN, and the ARN's service and kind
_ARN_SHAPES: dict[str, tuple[str, str]] = {
    "aws:sns/topic:Topic": ("sns", ""),
    "aws:sns/topicSubscription:TopicSubscription": ("sns", ""),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("cloudwatch", "alarm:"),
    "aws:kms/key:Key": ("kms", "key/"),
    "aws:cloudwatch/dashboard:Dashboard": ("cloudwatch", "dashboard/"),
}
# Types the provider auto-names, and the property that carries the name
_AUTONAMED: dict[str, str] = {
    "aws:sns/topic:Topic": "name",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "name",
    "aws:rds/instance:Instance": "identifier",
}


@dataclass(frozen=True)
class Registration:
    """One RegisterResource request as the engine would have received it."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    inputs: dict[str, Any]
    dependencies: tuple[str, ...]
    property_dependencies: dict[str, tuple[str, ...]]


class FakeAws(pulumi.runtime.Mocks):
    """Predictable provider answers: ids, ARNs and auto-names derived from the name."""

    def __init__(self) -> None:
        self.calls: list[pulumi.runtime.MockCallArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        state = dict(args.inputs)
        autonamed = _AUTONAMED.get(args.typ)
        if autonamed is not None and autonamed not in state:
            state[autonamed] = f"{args.name}-1a2b3c4"
        physical = str(state.get("name") or state.get("dashboardName") or args.name)
        shape = _ARN_SHAPES.get(args.typ)
        if shape is not None:
            service, kind = shape
            resource = f"{kind}{physical}"
            region = "" if service == "cloudwatch" and kind == "dashboard/" else REGION
            state["arn"] = f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{resource}"
        if args.typ == "aws:kms/key:Key":
            state["keyId"] = f"{args.name}-key-id"
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]]]:
        self.calls.append(args)
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return (
                {
                    "accountId": ACCOUNT_ID,
                    "arn": CALLER_ARN,
                    "id": ACCOUNT_ID,
                    "userId": "AIDAEXAMPLE",
                },
                [],
            )
        raise NotImplementedError(f"fake AWS has no answer for {args.token}")


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, also keeping what each request carried."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []
        self.component_outputs: dict[str, dict[str, Any]] = {}

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.registrations.append(
                Registration(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    custom=bool(request.custom),
                    parent=request.parent,
                    inputs=rpc.deserialize_properties(request.object),
                    dependencies=tuple(request.dependencies),
                    property_dependencies={
                        prop: tuple(deps.urns)
                        for prop, deps in request.propertyDependencies.items()
                    },
                )
            )
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:
        self.component_outputs[request.urn] = rpc.deserialize_properties(request.outputs)
        return super().RegisterResourceOutputs(request)


@dataclass
class ProgramRun:
    """Everything a finished program registered, plus the outputs it handed back."""

    registrations: list[Registration]
    component_outputs: dict[str, dict[str, Any]]
    values: dict[str, Any]
    calls: list[pulumi.runtime.MockCallArgs] = field(default_factory=list)

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def property_dependencies_of(self, registration: Registration, prop: str) -> set[str]:
        """URNs the property's value came from."""
        return set(registration.property_dependencies.get(prop, ()))

    def named(self, name: str) -> Registration:
        matches = [r for r in self.registrations if r.name == name]
        assert len(matches) == 1, f"expected one resource named {name!r}, found {len(matches)}"
        return matches[0]


def run_program(
    program: Callable[[], Mapping[str, Any]],
    *,
    project: str = "bastion-db",
    stack: str = "dev",
) -> ProgramRun:
    """Runs ``program`` to completion and resolves the outputs it returns.

    ``program`` returns a mapping of names to Inputs/Outputs; their resolved
    values come back in :attr:`ProgramRun.values`. Exceptions raised by the
    program or inside any ``apply`` propagate to the caller. The run happens in
    a fresh context, so the SDK's context-local state (root stack, config,
    settings) never leaks into the next run or into other tests.
    """
    return contextvars.Context().run(_run, program, project, stack)


def _run(program: Callable[[], Mapping[str, Any]], project: str, stack: str) -> ProgramRun:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    mocks = FakeAws()
    monitor = RecordingMonitor(mocks)
    resolved: dict[str, Any] = {}
    wanted_keys: list[str] = []
    try:
        pulumi.runtime.set_mocks(
            mocks, project=project, stack=stack, preview=False, monitor=monitor
        )

        def body() -> pulumi.Output[None]:
            wanted = program()
            wanted_keys.extend(wanted)
            return pulumi.Output.from_input(dict(wanted)).apply(resolved.update)

        # Runs body, awaits the returned output, then waits for every
        # outstanding registration before returning.
        pulumi.runtime.test(body)()
    finally:
        # Pending outputs are tracked process-wide; drop this run's, whose loop dies here.
        pulumi_settings.SETTINGS.outputs.clear()
        asyncio.set_event_loop(None)
        loop.close()
    unresolved = [key for key in wanted_keys if key not in resolved]
    if unresolved:
        raise AssertionError(f"outputs never resolved (unknown?): {unresolved}")
    return ProgramRun(
        registrations=list(monitor.registrations),
        component_outputs=dict(monitor.component_outputs),
        values=resolved,
        calls=list(mocks.calls),
    )
