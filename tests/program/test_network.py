"""Finding the subnets from the VPC id alone, and the clear errors when it cannot."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from bastion_db.network import NetworkLookupError
from offline.fake_aws import (
    FakeAws,
    empty_world,
    lab_vpc,
    lab_world,
    no_private_world,
    result_keys,
    single_zone_private_world,
)
from offline.runner import ProgramRun, run_program
from tests.conftest import RunStack
from tests.program.types import DB_SUBNET_GROUP, INSTANCE, NETWORK

PRIVATE = [s.id for s in lab_vpc().subnets if not s.map_public_ip_on_launch]
PUBLIC = [s.id for s in lab_vpc().subnets if s.map_public_ip_on_launch]


def test_lab_vpc_is_classified_by_routing(dev_run: ProgramRun) -> None:
    run = dev_run
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
        run_stack("dev", privateSubnetIds=f'["subnet-0ee0000000000000e", "{PRIVATE[0]}"]')


def test_tag_filters_override_the_lookup(run_stack: RunStack) -> None:
    run = run_stack("dev", publicSubnetTags='["Name=public-b"]')
    assert run.one(INSTANCE).inputs["subnetId"] == PUBLIC[1]


def test_explicit_single_zone_private_subnets_are_refused(run_stack: RunStack) -> None:
    with pytest.raises(NetworkLookupError, match="two availability zones"):
        run_stack("dev", privateSubnetIds=f'["{PRIVATE[0]}"]')


def test_any_well_formed_vpc_id_gets_the_lab_layout_in_the_stacks_region(
    run_stack: RunStack,
) -> None:
    """A user's own stack file (own VPC id, own region) runs offline as it is."""
    world = lab_world("vpc-0123456789abcdef0", "eu-central-1")
    run = run_stack(
        "dev", world=world, vpcId="vpc-0123456789abcdef0", **{"aws:region": "eu-central-1"}
    )
    network = run.one(NETWORK).outputs
    assert network["vpcId"] == "vpc-0123456789abcdef0"
    vpc = world.vpcs[0]
    zones = {s.id: s.availability_zone for s in vpc.subnets}
    assert [zones[i] for i in network["privateSubnetIds"]] == ["eu-central-1a", "eu-central-1b"]
    # ids derive from the VPC id: another VPC, other subnets; the same VPC, the same ones
    assert set(network["privateSubnetIds"]).isdisjoint(PRIVATE)
    assert lab_vpc("vpc-0123456789abcdef0", "eu-central-1") == vpc


def _plain(value: Any) -> Any:
    """A pulumi-aws result object as the wire dict it was read from."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    kind: Any = type(value)
    if kind.__module__.startswith("pulumi_aws"):
        names = inspect.signature(kind).parameters
        return {
            key: _plain(getattr(value, name))
            for key, name in zip(result_keys(kind), names, strict=True)
        }
    return value


# Reading every field back also reads the provider's deprecated ones, which warn.
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_every_answer_reaches_the_program_field_by_field() -> None:
    """Each fake answer goes through the real pulumi-aws invoke functions: a key
    named wrong would arrive as None in the program, and the comparison fails."""
    vpc = lab_vpc()
    public_table = next(t for t in vpc.route_tables if any(r.gateway_id for r in t.routes))
    by_vpc = [aws.ec2.GetVpcsFilterArgs(name="vpc-id", values=[vpc.id])]
    lookups: dict[str, tuple[str, dict[str, Any], Callable[[], Any]]] = {
        "getVpcs": (
            "aws:ec2/getVpcs:getVpcs",
            {"filters": [{"name": "vpc-id", "values": [vpc.id]}]},
            lambda: aws.ec2.get_vpcs(filters=by_vpc),
        ),
        "getVpc": ("aws:ec2/getVpc:getVpc", {"id": vpc.id}, lambda: aws.ec2.get_vpc(id=vpc.id)),
        "getSubnets": (
            "aws:ec2/getSubnets:getSubnets",
            {"filters": [{"name": "vpc-id", "values": [vpc.id]}]},
            lambda: aws.ec2.get_subnets(
                filters=[aws.ec2.GetSubnetsFilterArgs(name="vpc-id", values=[vpc.id])]
            ),
        ),
        "getSubnet": (
            "aws:ec2/getSubnet:getSubnet",
            {"id": PRIVATE[0]},
            lambda: aws.ec2.get_subnet(id=PRIVATE[0]),
        ),
        "getRouteTables": (
            "aws:ec2/getRouteTables:getRouteTables",
            {"vpcId": vpc.id},
            lambda: aws.ec2.get_route_tables(vpc_id=vpc.id),
        ),
        "getRouteTable": (
            "aws:ec2/getRouteTable:getRouteTable",
            {"routeTableId": public_table.id},
            lambda: aws.ec2.get_route_table(route_table_id=public_table.id),
        ),
        "getAmi": (
            "aws:ec2/getAmi:getAmi",
            {"owners": ["amazon"]},
            lambda: aws.ec2.get_ami(owners=["amazon"]),
        ),
        "getPartition": ("aws:index/getPartition:getPartition", {}, aws.get_partition),
        "getCallerIdentity": (
            "aws:index/getCallerIdentity:getCallerIdentity",
            {},
            aws.get_caller_identity,
        ),
    }
    received: dict[str, Any] = {}

    def program() -> None:
        for name, (_, _, lookup) in lookups.items():
            received[name] = _plain(lookup())

    run_program(program, project="p", stack="s", config={}, world=lab_world())
    assert set(received) == set(lookups)
    for name, (token, args, _) in lookups.items():
        answer = FakeAws(lab_world()).call(pulumi.runtime.MockCallArgs(token, args, ""))
        assert all("_" not in key for key in answer), name  # camelCase on the wire
        assert received[name] == json.loads(json.dumps(answer)), name
    # the answers the classification reads are really there, not None on both sides
    assert received["getRouteTable"]["routes"][0]["gatewayId"].startswith("igw-")
    assert received["getSubnet"]["availabilityZone"] == "us-east-1a"
