"""Finding the subnets from the VPC id alone, and the clear errors when it cannot."""

from __future__ import annotations

import pytest

from components.network import NetworkLookupError
from offline.fake_aws import (
    FakeAws,
    empty_world,
    lab_vpc,
    lab_world,
    no_private_world,
    result_keys,
    single_zone_private_world,
)
from tests.conftest import RunStack
from tests.program.types import DB_SUBNET_GROUP, INSTANCE, NETWORK

PRIVATE = [s.id for s in lab_vpc().subnets if not s.map_public_ip_on_launch]
PUBLIC = [s.id for s in lab_vpc().subnets if s.map_public_ip_on_launch]


def test_lab_vpc_is_classified_by_routing(run_stack: RunStack) -> None:
    run = run_stack("dev")
    network = run.one(NETWORK).outputs
    assert network["publicSubnetIds"] == PUBLIC
    # One private subnet is associated with a private table, the other only
    # implicitly with the main table: both must be found.
    assert network["privateSubnetIds"] == PRIVATE
    assert network["vpcCidr"] == "10.0.0.0/16"


@pytest.mark.parametrize(
    ("world", "message"),
    [
        (single_zone_private_world(), "at least two availability zones"),
        (no_private_world(), "at least two availability zones"),
        (empty_world(), "does not exist"),
    ],
)
def test_unusable_vpc_ends_in_a_clear_error(run_stack: RunStack, world, message: str) -> None:
    with pytest.raises(NetworkLookupError, match=message):
        run_stack("dev", world=world)


def test_explicit_subnet_ids_override_the_lookup(run_stack: RunStack) -> None:
    run = run_stack(
        "dev",
        publicSubnetIds=f'["{PUBLIC[1]}"]',
        privateSubnetIds=f'["{PRIVATE[1]}", "{PRIVATE[0]}"]',
    )
    assert run.one(DB_SUBNET_GROUP).inputs["subnetIds"] == [PRIVATE[1], PRIVATE[0]]
    assert run.one(INSTANCE).inputs["subnetId"] == PUBLIC[1]


def test_explicit_subnet_ids_must_belong_to_the_vpc(run_stack: RunStack) -> None:
    with pytest.raises(NetworkLookupError, match="subnet-0ee0000000000000e is not in the VPC"):
        run_stack(
            "dev", privateSubnetIds='["subnet-0ee0000000000000e", "subnet-0cc0000000000000c"]'
        )


def test_tag_filters_override_the_lookup(run_stack: RunStack) -> None:
    run = run_stack("dev", publicSubnetTags='["Name=public-b"]')
    assert run.one(INSTANCE).inputs["subnetId"] == PUBLIC[1]


def test_explicit_single_zone_private_subnets_are_refused(run_stack: RunStack) -> None:
    with pytest.raises(NetworkLookupError, match="two availability zones"):
        run_stack("dev", privateSubnetIds=f'["{PRIVATE[0]}"]')


@pytest.mark.parametrize(
    ("token", "args"),
    [
        ("aws:ec2/getVpcs:getVpcs", {"filters": [{"name": "vpc-id", "values": [lab_vpc().id]}]}),
        ("aws:ec2/getVpc:getVpc", {"id": lab_vpc().id}),
        (
            "aws:ec2/getSubnets:getSubnets",
            {"filters": [{"name": "vpc-id", "values": [lab_vpc().id]}]},
        ),
        ("aws:ec2/getSubnet:getSubnet", {"id": PRIVATE[0]}),
        ("aws:ec2/getRouteTables:getRouteTables", {"vpcId": lab_vpc().id}),
        ("aws:ec2/getRouteTable:getRouteTable", {"routeTableId": "rtb-00000000000public"}),
        ("aws:ec2/getAmi:getAmi", {"owners": ["amazon"]}),
        ("aws:index/getPartition:getPartition", {}),
        ("aws:index/getCallerIdentity:getCallerIdentity", {}),
    ],
)
def test_fake_answers_have_the_exact_shape_of_the_real_invokes(token: str, args: dict) -> None:
    import pulumi
    import pulumi_aws as aws

    result_types = {
        "getVpcs": aws.ec2.GetVpcsResult,
        "getVpc": aws.ec2.GetVpcResult,
        "getSubnets": aws.ec2.GetSubnetsResult,
        "getSubnet": aws.ec2.GetSubnetResult,
        "getRouteTables": aws.ec2.GetRouteTablesResult,
        "getRouteTable": aws.ec2.GetRouteTableResult,
        "getAmi": aws.ec2.GetAmiResult,
        "getPartition": aws.GetPartitionResult,
        "getCallerIdentity": aws.GetCallerIdentityResult,
    }
    answer = FakeAws(lab_world()).call(pulumi.runtime.MockCallArgs(token, args, ""))
    assert list(answer) == list(result_keys(result_types[token.split(":")[-1]]))
    # camelCase on the wire, as the engine carries it
    assert all("_" not in key for key in answer)
