"""The schema Pulumi's own analyzer builds for the package, as `pulumi package
add` would get it from the provider, and what the package's arguments default to."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import yaml
from pulumi.provider.server import ProviderServicer
from pulumi.runtime.proto import provider_pb2

from bastion_db.args import DEFAULTS
from bastion_db.checks.arguments import argument_name
from bastion_db.provider import bastion_db_provider
from tests.conftest import PROJECT_DIR

TOKEN = "bastion-db:index:BastionDatabase"


def served_schema() -> dict[str, Any]:
    """The schema as the engine asks for it: the gRPC GetSchema call."""
    servicer = ProviderServicer(bastion_db_provider(), [], engine_address="")
    response = asyncio.run(servicer.GetSchema(provider_pb2.GetSchemaRequest(version=0), None))
    schema: dict[str, Any] = json.loads(response.schema)
    return schema


SCHEMA = served_schema()


def test_the_component_and_its_types_are_in_the_index_module() -> None:
    assert list(SCHEMA["resources"]) == [TOKEN]
    assert SCHEMA["resources"][TOKEN]["isComponent"] is True
    assert all(token.startswith("bastion-db:index:") for token in SCHEMA["types"])
    assert SCHEMA["name"] == "bastion-db"


def test_every_input_and_output_is_described() -> None:
    resource = SCHEMA["resources"][TOKEN]
    undescribed = [
        name
        for group in ("inputProperties", "properties")
        for name, prop in resource[group].items()
        if not prop.get("description")
    ]
    assert undescribed == []
    for token, type_ in SCHEMA["types"].items():
        assert all(value.get("description") for value in type_["enum"]), token


def test_only_the_vpc_is_required_and_secret_outputs_are_marked_secret() -> None:
    resource = SCHEMA["resources"][TOKEN]
    assert resource["requiredInputs"] == ["vpcId"]
    secret = sorted(name for name, prop in resource["properties"].items() if prop.get("secret"))
    assert secret == ["dbConnectionUri", "dbMasterPassword", "sshPrivateKey"]
    assert resource["properties"]["dbPort"]["type"] == "integer"


def test_every_stack_key_is_an_argument_with_the_same_default() -> None:
    config = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())["config"]
    inputs = SCHEMA["resources"][TOKEN]["inputProperties"]
    for key, declaration in config.items():
        assert key in inputs, key
        if key in ("profile", "projectName"):
            continue  # the package's own: prod, and the component's name
        default = declaration.get("default")
        packaged = DEFAULTS.get(argument_name(key))
        assert (packaged if packaged is not None else "") == (
            default if default is not None else ""
        ), key
    assert DEFAULTS["profile"] == "prod"
