"""The exported deployment is a valid version 3 state file and leaks no secret."""

from __future__ import annotations

import hashlib
import json

import jsonschema
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from offline.runner import ProgramRun
from offline.snapshot import SecretValue
from preflight.export import deployment, stack_urn
from tests.preflight.deployment_schema import DEPLOYMENT_V3, PROPERTY_VALUE


def validator() -> jsonschema.Draft202012Validator:
    registry: Registry = Registry().with_resource(
        "property-value", DRAFT202012.create_resource(PROPERTY_VALUE)
    )
    return jsonschema.Draft202012Validator(DEPLOYMENT_V3, registry=registry)


def test_export_is_a_valid_deployment_v3(dev_run: ProgramRun) -> None:
    exported = json.loads(json.dumps(deployment(dev_run)))
    errors = sorted(validator().iter_errors(exported), key=str)
    assert errors == []
    resources = exported["deployment"]["resources"]
    assert resources[0]["type"] == "pulumi:pulumi:Stack"
    assert resources[0]["urn"] == stack_urn(dev_run)
    # every parent and dependency points at a resource in the file
    urns = {r["urn"] for r in resources}
    for resource in resources[1:]:
        assert resource["parent"] in urns
        for dependency in resource["dependencies"]:
            assert dependency in urns


def test_schema_rejects_a_broken_file(dev_run: ProgramRun) -> None:
    exported = json.loads(json.dumps(deployment(dev_run)))
    exported["deployment"]["resources"][1]["unexpected"] = True
    assert list(validator().iter_errors(exported)) != []


def test_secrets_keep_the_envelope_but_not_the_value(dev_run: ProgramRun) -> None:
    text = json.dumps(deployment(dev_run))
    password = dev_run.outputs["dbMasterPassword"]
    assert isinstance(password, SecretValue)
    assert password.value not in text
    exported = json.loads(text)
    stack_outputs = exported["deployment"]["resources"][0]["outputs"]
    assert stack_outputs["dbMasterPassword"] == {
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        "plaintext": '"[secret]"',
    }


def _integrity_problems(exported: dict) -> list[str]:
    """What `pulumi stack import` checks before it accepts a file (pulumi/pulumi
    pkg/resource/deploy/snapshot.go, Snapshot.VerifyIntegrity and
    Manifest.NewMagic), restated: a wrong file is refused with one of these."""
    problems = []
    manifest = exported["deployment"]["manifest"]
    if manifest["magic"] != hashlib.sha256(manifest["version"].encode()).hexdigest():
        problems.append("magic cookie mismatch")
    seen: set[str] = set()
    providers: set[str] = set()
    for state in exported["deployment"]["resources"]:
        urn = state["urn"]
        if state["type"].startswith("pulumi:providers:"):
            providers.add(f"{urn}::{state.get('id', '')}")
        if state.get("provider") and state["provider"] not in providers:
            problems.append(f"{urn} refers to unknown provider {state['provider']}")
        needs = [state.get("parent"), *state.get("dependencies", [])]
        needs += [u for urns in state.get("propertyDependencies", {}).values() for u in urns]
        problems += [
            f"{urn} needs {need}, not before it" for need in needs if need and need not in seen
        ]
        if urn in seen:
            problems.append(f"duplicate resource {urn}")
        seen.add(urn)
    return problems


def test_pulumi_stack_import_would_accept_the_export(dev_run: ProgramRun, run_stack) -> None:
    assert _integrity_problems(deployment(dev_run)) == []
    preview = run_stack("prod", preview=True)  # what the preflight exports: unknown ids
    assert _integrity_problems(deployment(preview)) == []
    # and the check can fail: a file with its magic cookie or order broken is caught
    broken = deployment(preview)
    broken["deployment"]["manifest"]["magic"] = "offline"
    broken["deployment"]["resources"].reverse()
    problems = _integrity_problems(broken)
    assert "magic cookie mismatch" in problems and any("not before it" in p for p in problems)
