"""The component provider driven as the engine drives it: started as a plugin
process that prints its port, then GetSchema and Construct over the provider
gRPC protocol, with the engine's resource monitor at monitorEndpoint (here a
fake one answering from the fake AWS world). What BastionDatabase registers
arrives at that monitor; what it returns comes back in the ConstructResponse."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from offline.fake_world import LAB_VPC_ID
from tests.conftest import PROJECT_DIR
from tests.package.fake_engine import FakeEngine, fake_engine

TOKEN = "bastion-db:index:BastionDatabase"
# How a secret value travels in a Struct: {SIG_KEY: SECRET_SIG, "value": ...}
# (the SDK's pulumi.runtime.rpc _special_sig_key and _special_secret_sig).
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
STACK_URN = "urn:pulumi:staging::consumer::pulumi:pulumi:Stack::consumer-staging"


@pytest.fixture(scope="module")
def engine() -> Iterator[FakeEngine]:
    with fake_engine() as running:
        yield running


@pytest.fixture(scope="module")
def provider(engine: FakeEngine) -> Iterator[provider_pb2_grpc.ResourceProviderStub]:
    """provider/__main__.py as the engine starts a plugin: the engine's address
    as its argument, its port read from its first line of output."""
    process = subprocess.Popen(
        [sys.executable, str(PROJECT_DIR / "provider" / "__main__.py"), engine.address],
        cwd=PROJECT_DIR / "provider",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # The package in place; a plugin install has it in the provider's venv.
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
    )
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        assert port.isdigit(), process.stderr.read() if process.stderr else ""
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        yield provider_pb2_grpc.ResourceProviderStub(channel)
        channel.close()
    finally:
        process.terminate()
        process.wait(timeout=30)


def struct(values: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(values)
    return message


def construct(
    provider: provider_pb2_grpc.ResourceProviderStub,
    engine: FakeEngine,
    name: str,
    inputs: dict[str, Any],
) -> provider_pb2.ConstructResponse:
    # The ConstructRequest fields the SDK's ProviderServicer._construct reads
    # (pulumi/provider/server.py): where to register (monitorEndpoint), the
    # caller's project, stack, organization and config, and the component itself.
    request = provider_pb2.ConstructRequest(
        project="consumer",
        stack="staging",
        organization="acme",
        config={"aws:region": "us-east-1"},
        dryRun=False,
        parallel=8,
        monitorEndpoint=engine.address,
        type=TOKEN,
        name=name,
        parent=STACK_URN,
        inputs=struct(inputs),
    )
    response: provider_pb2.ConstructResponse = provider.Construct(request, timeout=120)
    return response


def test_get_schema_serves_the_component_and_marks_its_secrets(
    provider: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    schema = json.loads(provider.GetSchema(provider_pb2.GetSchemaRequest(version=0)).schema)
    resource = schema["resources"][TOKEN]
    assert resource["isComponent"] is True
    assert resource["properties"]["dbMasterPassword"]["secret"] is True


def test_construct_registers_the_product_under_the_component(
    provider: provider_pb2_grpc.ResourceProviderStub, engine: FakeEngine
) -> None:
    response = construct(
        provider,
        engine,
        "orders",
        {
            "vpcId": LAB_VPC_ID,
            "profile": "dev",
            "sshAllowedCidrs": ["198.51.100.0/24"],
            "dbEngine": "mysql",
        },
    )
    # (URNs as the fake monitor makes them; the engine makes its own the same way)
    assert response.urn.endswith(f"{TOKEN}::orders")
    resources = [r for r in engine.monitor.recorded() if r.urn != response.urn]
    component = next(r for r in engine.monitor.recorded() if r.urn == response.urn)
    # The component sits under the caller's stack; the pieces under it.
    assert component.parent == STACK_URN
    pieces = {r.name for r in resources if r.parent == response.urn}
    assert {"orders-network", "orders-bastion", "orders-database"} <= pieces
    instance = next(r for r in resources if r.type == "aws:rds/instance:Instance")
    assert instance.inputs["engine"] == "mysql"
    assert instance.inputs["identifier"] == "orders-dev"
    state = json_format.MessageToDict(response.state)
    assert state["dbPort"] == 3306
    assert state["dbClientCommand"].startswith("mysql ")
    # Secrets stay secret on the wire back to the engine.
    for secret in ("dbMasterPassword", "sshPrivateKey"):
        assert state[secret][SIG_KEY] == SECRET_SIG, secret
    assert response.stateDependencies


def test_construct_refuses_a_bad_argument_by_name_before_registering_anything(
    provider: provider_pb2_grpc.ResourceProviderStub, engine: FakeEngine
) -> None:
    before = len(engine.monitor.recorded())
    with pytest.raises(grpc.RpcError) as failed:
        construct(
            provider,
            engine,
            "refused",
            {"vpcId": LAB_VPC_ID, "sshAllowedCidrs": ["198.51.100.0/24"], "dbPort": 22},
        )
    assert "argument 'db_port': got 22" in str(failed.value.details())
    assert len(engine.monitor.recorded()) == before
