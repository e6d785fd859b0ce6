"""The exported deployment is a valid version 3 state file and leaks no secret."""

from __future__ import annotations

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
