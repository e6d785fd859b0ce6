"""Writes a mocked run in the format of ``pulumi stack export`` (deployment v3).

What reads it: ``pulumi stack import --file`` (into a scratch stack of the
same project and name, e.g. on ``pulumi login --local``), after which
``pulumi stack --show-urns``, ``pulumi stack output`` and ``pulumi stack
export`` show the planned stack; and any JSON tool (``jq``, a diff between two
commits' plans). It passes the checks ``pulumi stack import`` makes before it
accepts a file (pulumi/pulumi ``pkg/resource/deploy/snapshot.go``,
VerifyIntegrity): the manifest's magic cookie, providers referenced by their
URN and id, parents and dependencies before the resources that need them.
``pulumi policy analyze --file`` (CLI 3.249 and later) runs a policy pack
over it (docs/policy-pack.md).

Secret values keep the engine's secret envelope, but what is inside is a
placeholder: the real value never reaches the file.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

from offline.recorder import SECRET_SIG, SIG_KEY, UNKNOWN_VALUE
from offline.runner import ProgramRun
from offline.snapshot import ResourceSnapshot, SecretValue, UnknownValue

DEPLOYMENT_VERSION = 3
REDACTED = "[secret]"


def engine_value(value: Any) -> Any:
    """A property value as the engine's state holds it."""
    if isinstance(value, SecretValue):
        return {SIG_KEY: SECRET_SIG, "plaintext": json.dumps(REDACTED)}
    if isinstance(value, UnknownValue):
        return UNKNOWN_VALUE
    if isinstance(value, dict):
        return {key: engine_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [engine_value(item) for item in value]
    return value


def stack_urn(run: ProgramRun) -> str:
    return f"urn:pulumi:{run.stack}::{run.project}::pulumi:pulumi:Stack::{run.project}-{run.stack}"


def resource_state(resource: ResourceSnapshot) -> dict[str, Any]:
    state: dict[str, Any] = {
        "urn": resource.urn,
        "custom": resource.custom,
        "type": resource.type,
        "inputs": engine_value(resource.inputs),
        "outputs": engine_value(resource.outputs),
    }
    if resource.id:
        state["id"] = resource.id
    elif resource.type.startswith("pulumi:providers:"):
        # Resources refer to a provider as "<urn>::<id>"; in a preview its id
        # is the unknown sentinel, and the reference must find the same id here.
        state["id"] = UNKNOWN_VALUE
    if resource.parent:
        state["parent"] = resource.parent
    if resource.protect:
        state["protect"] = True
    if resource.provider:
        state["provider"] = resource.provider
    state["dependencies"] = list(resource.dependencies)
    state["propertyDependencies"] = {
        key: list(urns) for key, urns in resource.property_dependencies.items()
    }
    if resource.additional_secret_outputs:
        state["additionalSecretOutputs"] = list(resource.additional_secret_outputs)
    return state


def deployment(run: ProgramRun, now: datetime | None = None) -> dict[str, Any]:
    """The whole mocked stack as a version 3 deployment."""
    moment = (now or datetime.now(UTC)).isoformat()
    # The SDK that produced it; there is no engine offline.
    version = "v" + metadata.version("pulumi")
    stack = {
        "urn": stack_urn(run),
        "custom": False,
        "type": "pulumi:pulumi:Stack",
        "outputs": engine_value(run.outputs),
    }
    return {
        "version": DEPLOYMENT_VERSION,
        "deployment": {
            "manifest": {
                "time": moment,
                # What the CLI checks on import: the SHA-256 of the version
                # (pkg/resource/deploy/snapshot.go, Manifest.NewMagic).
                "magic": hashlib.sha256(version.encode()).hexdigest(),
                "version": version,
            },
            "resources": [stack, *(resource_state(r) for r in run.resources)],
        },
    }
