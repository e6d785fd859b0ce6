"""Session Manager with endpoints only (ssmVpcEndpoints: create, no NAT): every
service the bastion reaches gets a private path, and endpoints the VPC already
has are never created a second time."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from bastion_db.network import ExistingNetwork, ExistingNetworkArgs
from bastion_db.vpc_endpoint_lookup import EndpointConflictError
from offline.fake_aws import FakeAws
from offline.fake_world import FakeVpcEndpoint, FakeWorld, lab_vpc, lab_world, without_nat
from offline.network_capture import NetworkCaptureError, captured_world
from offline.runner import ProgramRun, run_program
from tests.conftest import RunStack
from tests.program.test_network import _plain
from tests.program.types import INSTANCE

ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
VPC = lab_vpc()
PRIVATE = [s.id for s in VPC.subnets if not s.map_public_ip_on_launch]
# The lab's first private subnet, where the bastion goes, has its own route table.
BASTION_TABLE = next(t.id for t in VPC.route_tables if PRIVATE[0] in t.subnet_ids)
MAIN_TABLE = next(t.id for t in VPC.route_tables if t.main)


def service(name: str) -> str:
    return f"com.amazonaws.us-east-1.{name}"


def with_endpoints(*endpoints: FakeVpcEndpoint) -> FakeWorld:
    world = without_nat(lab_world())
    return replace(world, vpcs=(replace(world.vpcs[0], endpoints=endpoints),))


def endpoints_only(run_stack: RunStack, world: FakeWorld | None = None) -> ProgramRun:
    return run_stack("prod", world=world or without_nat(lab_world()), ssmVpcEndpoints="create")


def test_every_service_the_bastion_reaches_has_a_private_path(run_stack_once: RunStack) -> None:
    run = endpoints_only(run_stack_once)
    by_service = {e.inputs["serviceName"].split(".")[-1]: e for e in run.of_type(ENDPOINT)}
    # Session Manager's three; logs for the shell sessions' log group; s3 for the
    # Amazon Linux repositories dnf installs the client from. No kms: the
    # instance never calls it (bastion_db/ssm_endpoints.py).
    assert sorted(by_service) == ["ec2messages", "logs", "s3", "ssm", "ssmmessages"]
    for name in ("ssm", "ssmmessages", "ec2messages", "logs"):
        endpoint = by_service[name]
        assert endpoint.inputs["vpcEndpointType"] == "Interface"
        assert endpoint.inputs["privateDnsEnabled"] is True
    s3 = by_service["s3"]
    assert s3.inputs["vpcEndpointType"] == "Gateway"
    assert s3.inputs["routeTableIds"] == [BASTION_TABLE]
    # Default policy: other subnets on the same table keep their S3 access.
    assert "policy" not in s3.inputs
    assert run.one(INSTANCE).inputs["subnetId"] == PRIVATE[0]


def test_the_gateway_goes_on_the_main_table_when_the_subnet_has_no_own(
    run_stack: RunStack,
) -> None:
    run = run_stack(
        "prod",
        world=without_nat(lab_world()),
        ssmVpcEndpoints="create",
        privateSubnetIds=f'["{PRIVATE[1]}", "{PRIVATE[0]}"]',
    )
    assert run.one(INSTANCE).inputs["subnetId"] == PRIVATE[1]
    s3 = next(e for e in run.of_type(ENDPOINT) if e.inputs["vpcEndpointType"] == "Gateway")
    assert s3.inputs["routeTableIds"] == [MAIN_TABLE]


def test_a_private_dns_endpoint_already_there_is_refused_naming_the_key(
    run_stack: RunStack,
) -> None:
    central = FakeVpcEndpoint("vpce-0c0ffee000000001", service("ssm"), "Interface", True)
    with pytest.raises(EndpointConflictError) as raised:
        endpoints_only(run_stack, with_endpoints(central))
    message = str(raised.value)
    assert "bastion-db:ssmVpcEndpoints" in message and "'create'" in message
    assert "'existing'" in message
    assert "ssm: vpce-0c0ffee000000001 has private DNS" in message


def test_several_endpoints_for_one_service_are_refused_too(run_stack: RunStack) -> None:
    first = FakeVpcEndpoint("vpce-0c0ffee000000001", service("logs"), "Interface", False)
    second = FakeVpcEndpoint("vpce-0c0ffee000000002", service("logs"), "Interface", True)
    with pytest.raises(EndpointConflictError, match="logs: several interface endpoints"):
        endpoints_only(run_stack, with_endpoints(first, second))


def test_endpoints_without_private_dns_or_not_live_do_not_collide(run_stack: RunStack) -> None:
    no_dns = FakeVpcEndpoint("vpce-0c0ffee000000001", service("ssm"), "Interface", False)
    deleted = FakeVpcEndpoint(
        "vpce-0c0ffee000000002", service("ssmmessages"), "Interface", True, state="deleted"
    )
    run = endpoints_only(run_stack, with_endpoints(no_dns, deleted))
    assert len(run.of_type(ENDPOINT)) == 5


def test_an_s3_gateway_on_the_bastions_route_table_is_refused(run_stack: RunStack) -> None:
    s3 = FakeVpcEndpoint(
        "vpce-0c0ffee000000003", service("s3"), "Gateway", route_table_ids=(BASTION_TABLE,)
    )
    with pytest.raises(EndpointConflictError) as raised:
        endpoints_only(run_stack, with_endpoints(s3))
    assert f"s3: vpce-0c0ffee000000003 already routes {BASTION_TABLE}" in str(raised.value)


def test_an_s3_gateway_on_another_route_table_does_not_collide(run_stack: RunStack) -> None:
    s3 = FakeVpcEndpoint(
        "vpce-0c0ffee000000003", service("s3"), "Gateway", route_table_ids=(MAIN_TABLE,)
    )
    run = endpoints_only(run_stack, with_endpoints(s3))
    gateway = next(e for e in run.of_type(ENDPOINT) if e.inputs["vpcEndpointType"] == "Gateway")
    assert gateway.inputs["routeTableIds"] == [BASTION_TABLE]


def test_existing_mode_uses_the_vpcs_endpoints_and_makes_none(run_stack: RunStack) -> None:
    central = FakeVpcEndpoint("vpce-0c0ffee000000001", service("ssm"), "Interface", True)
    run = run_stack("prod", world=with_endpoints(central), ssmVpcEndpoints="existing")
    assert run.of_type(ENDPOINT) == []
    assert run.outputs["bastionNetworkPath"] == "existing-vpc-endpoints"


def _capture(tmp_path: Path, endpoints: list[dict[str, Any]]) -> Path:
    subnets = [
        {
            "SubnetId": s.id,
            "VpcId": VPC.id,
            "AvailabilityZone": s.availability_zone,
            "CidrBlock": s.cidr_block,
            "MapPublicIpOnLaunch": s.map_public_ip_on_launch,
        }
        for s in VPC.subnets
    ]
    tables = [
        {
            "RouteTableId": BASTION_TABLE,
            "VpcId": VPC.id,
            "Associations": [{"Main": True}, {"Main": False, "SubnetId": PRIVATE[0]}],
            "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}],
        }
    ]
    path = tmp_path / "network.json"
    path.write_text(
        json.dumps(
            {
                "Vpcs": [{"VpcId": VPC.id, "CidrBlock": "10.0.0.0/16"}],
                "Subnets": subnets,
                "RouteTables": tables,
                "VpcEndpoints": endpoints,
            }
        )
    )
    return path


def test_a_captured_networks_endpoints_reach_the_refusal(
    run_stack: RunStack, tmp_path: Path
) -> None:
    # As `aws ec2 describe-vpc-endpoints` prints a central ssmmessages endpoint.
    capture = _capture(
        tmp_path,
        [
            {
                "VpcEndpointId": "vpce-0123456789abcdef0",
                "VpcEndpointType": "Interface",
                "VpcId": VPC.id,
                "ServiceName": service("ssmmessages"),
                "State": "available",
                "PrivateDnsEnabled": True,
                "SubnetIds": [PRIVATE[0]],
                "RouteTableIds": [],
            }
        ],
    )
    world = captured_world(capture, region="us-east-1")
    with pytest.raises(EndpointConflictError, match="ssmmessages: vpce-0123456789abcdef0"):
        run_stack("prod", world=world, ssmVpcEndpoints="create")
    run = run_stack("prod", world=world, ssmVpcEndpoints="existing")
    assert run.of_type(ENDPOINT) == []


def test_a_malformed_endpoint_in_the_capture_is_named(tmp_path: Path) -> None:
    capture = _capture(
        tmp_path,
        [{"VpcEndpointId": "endpoint-1", "VpcEndpointType": "Interface", "VpcId": VPC.id}],
    )
    with pytest.raises(NetworkCaptureError) as raised:
        captured_world(capture, region="us-east-1")
    assert "VpcEndpoints[0]" in str(raised.value)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_endpoint_lookup_answers_field_by_field_as_the_real_invoke() -> None:
    central = FakeVpcEndpoint(
        "vpce-0c0ffee000000001", service("ssm"), "Interface", True, subnet_ids=(PRIVATE[0],)
    )
    world = with_endpoints(central)
    args = {"vpcId": VPC.id, "serviceName": service("ssm")}
    received: dict[str, Any] = {}
    missing: list[str] = []

    def program() -> None:
        received.update(
            _plain(aws.ec2.get_vpc_endpoint(vpc_id=VPC.id, service_name=service("ssm")))
        )
        try:
            aws.ec2.get_vpc_endpoint(vpc_id=VPC.id, service_name=service("kms"))
        except Exception as error:  # what a plain invoke raises for a provider's error
            missing.append(str(error))

    run_program(program, project="p", stack="s", config={}, world=world)
    token = "aws:ec2/getVpcEndpoint:getVpcEndpoint"
    answer = FakeAws(world).call(pulumi.runtime.MockCallArgs(token, args, ""))
    assert received == json.loads(json.dumps(answer))
    assert received["privateDnsEnabled"] is True and received["id"] == central.id
    assert missing and "no matching EC2 VPC Endpoint found" in missing[0]


def test_without_a_region_the_lookup_names_the_providers() -> None:
    """A caller that gives the network no region still looks up this region's services."""
    central = FakeVpcEndpoint("vpce-0c0ffee000000001", service("ssm"), "Interface", True)

    def program() -> None:
        ExistingNetwork(
            "network", ExistingNetworkArgs(VPC.id, access_mode="ssm", ssm_vpc_endpoints="create")
        )

    with pytest.raises(EndpointConflictError, match="ssm: vpce-0c0ffee000000001"):
        run_program(program, project="p", stack="s", config={}, world=with_endpoints(central))


def test_the_stacks_own_endpoints_from_an_earlier_up_are_no_conflict(
    run_stack: RunStack,
) -> None:
    # What the first `up` left: endpoints tagged as the stack tags its own.
    own = [
        FakeVpcEndpoint(
            f"vpce-0000000000000000{n}",
            service(name),
            "Interface",
            True,
            tags={"Name": f"bastion-db-prod-{name}"},
        )
        for n, name in enumerate(("ssm", "ssmmessages", "ec2messages", "logs"))
    ]
    own_s3 = FakeVpcEndpoint(
        "vpce-00000000000000009",
        service("s3"),
        "Gateway",
        route_table_ids=(BASTION_TABLE,),
        tags={"Name": "bastion-db-prod-s3"},
    )
    run = endpoints_only(run_stack, with_endpoints(*own, own_s3))
    assert len(run.of_type(ENDPOINT)) == 5
    # Another stack's, tagged for its own prefix, still collides.
    theirs = replace(own[0], tags={"Name": "other-db-prod-ssm"})
    with pytest.raises(EndpointConflictError, match="ssm: vpce-00000000000000000"):
        endpoints_only(run_stack, with_endpoints(theirs))
