"""--network: the user's VPC, as the AWS CLI prints it, classified and planned
offline; and every malformed or partial capture refused by file and field."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bastion_db.network import NetworkLookupError
from offline.fake_world import FakeRoute
from offline.network_capture import NetworkCaptureError, captured_world, provider_routes
from preflight.__main__ import main
from tests.conftest import RunStack
from tests.preflight.captured_network import (
    OWNER,
    PRIVATE,
    PUBLIC,
    REGION,
    VPC_ID,
    as_cli_prints_it,
    capture,
    write_capture,
)
from tests.program.types import DB_SUBNET_GROUP, INSTANCE, NETWORK

USER_CONFIG = {"vpcId": VPC_ID, "aws:region": REGION}


def test_a_capture_becomes_the_world_the_program_meets(tmp_path: Path) -> None:
    world = captured_world(write_capture(tmp_path / "network.json"), region=REGION)
    assert world.account_id == OWNER and world.region == REGION
    vpc = world.vpc(VPC_ID)
    assert vpc is not None and vpc.tags == {"Name": "platform"}
    tables = {t.id: t for t in vpc.route_tables}
    assert tables["rtb-0aaa00000000000a1"].main
    # the local route, the VPN-propagated one and the endpoint prefix-list route are
    # not in the provider's answer; the rest keep their targets
    assert tables["rtb-0aaa00000000000a1"].routes == ()
    assert tables["rtb-0bbb00000000000b2"].routes == (
        FakeRoute(cidr_block="0.0.0.0/0", gateway_id="igw-0123456789abcdef0"),
    )
    assert tables["rtb-0ccc00000000000c3"].routes == (
        FakeRoute(cidr_block="0.0.0.0/0", nat_gateway_id="nat-0123456789abcdef0"),
        FakeRoute(ipv6_cidr_block="::/0", egress_only_gateway_id="eigw-0123456789abcdef0"),
    )


def test_a_vpce_gateway_route_names_the_endpoint() -> None:
    routes = [{"DestinationCidrBlock": "10.9.0.0/16", "GatewayId": "vpce-0123456789abcdef0"}]
    assert list(provider_routes(routes)) == [
        FakeRoute(cidr_block="10.9.0.0/16", vpc_endpoint_id="vpce-0123456789abcdef0")
    ]


def test_the_program_classifies_the_captured_subnets_by_routing(
    tmp_path: Path, run_stack: RunStack
) -> None:
    world = captured_world(write_capture(tmp_path / "network.json"), region=REGION)
    run = run_stack("dev", world=world, **USER_CONFIG)
    network = run.one(NETWORK).outputs
    # public-b maps no public IPs but routes to the internet gateway: public
    assert network["publicSubnetIds"] == PUBLIC
    # private-c only has the main table (no internet route): private too, third zone
    assert network["privateSubnetIds"] == PRIVATE
    assert run.one(DB_SUBNET_GROUP).inputs["subnetIds"] == PRIVATE
    assert run.one(INSTANCE).inputs["subnetId"] == PUBLIC[0]
    assert network["vpcCidr"] == "10.20.0.0/16"


def test_a_captured_vpc_with_private_subnets_in_one_zone_is_refused(
    tmp_path: Path, run_stack: RunStack
) -> None:
    parts = capture()
    parts["Subnets"] = [s for s in parts["Subnets"] if s["SubnetId"] not in PRIVATE[1:]]
    for table in parts["RouteTables"]:
        table["Associations"] = [
            a for a in table["Associations"] if a.get("SubnetId") not in PRIVATE[1:]
        ]
    world = captured_world(write_capture(tmp_path / "network.json", parts), region=REGION)
    with pytest.raises(NetworkLookupError, match="at least two availability zones"):
        run_stack("dev", world=world, **USER_CONFIG)


def test_one_merged_object_is_accepted_too(tmp_path: Path) -> None:
    """What `jq -s add` makes of the three documents."""
    path = tmp_path / "merged.json"
    path.write_text(json.dumps(capture()))
    assert captured_world(path, region=REGION).vpc(VPC_ID) is not None


Mutation = Callable[[dict[str, Any]], None]


def _drop(key: str) -> Mutation:
    return lambda parts: parts.pop(key)


def _set(path: tuple[Any, ...], value: Any) -> Mutation:
    def mutate(parts: dict[str, Any]) -> None:
        target: Any = parts
        for step in path[:-1]:
            target = target[step]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return mutate


_DELETE = object()


@pytest.mark.parametrize(
    ("mutate", "where", "problem"),
    [
        (
            _drop("RouteTables"),
            "RouteTables",
            "the capture is partial; add the output of: aws ec2 describe-route-tables",
        ),
        (_drop("Subnets"), "Subnets", "missing"),
        (
            _set(("Subnets", 2, "AvailabilityZone"), _DELETE),
            "Subnets[2].AvailabilityZone",
            "missing",
        ),
        (
            _set(("Subnets", 0, "MapPublicIpOnLaunch"), "yes"),
            "Subnets[0].MapPublicIpOnLaunch",
            "expected a boolean",
        ),
        (_set(("Subnets", 1, "SubnetId"), "sub-123"), "Subnets[1].SubnetId", "is not a subnet- id"),
        (
            _set(("Subnets", 1, "CidrBlock"), "10.20.300.0/20"),
            "Subnets[1].CidrBlock",
            "not a network in CIDR form",
        ),
        (
            _set(("Subnets", 0, "VpcId"), "vpc-0123456789abcdef0"),
            "Subnets[0].VpcId",
            "is not in Vpcs",
        ),
        (
            _set(("Subnets", 0, "AvailabilityZone"), "us-west-2a"),
            "Subnets[0].AvailabilityZone",
            "not in the stack's aws:region eu-central-1",
        ),
        (_set(("Vpcs",), {"VpcId": VPC_ID}), "Vpcs", "expected a array"),
        (_set(("Vpcs", 0, "CidrBlock"), _DELETE), "Vpcs[0].CidrBlock", "missing"),
        (
            _set(("RouteTables", 1, "Routes", 1, "DestinationCidrBlock"), 0),
            "RouteTables[1].Routes[1].DestinationCidrBlock",
            "expected a string",
        ),
        (
            _set(("RouteTables", 0, "Associations", 0, "Main"), False),
            "RouteTables",
            "needs exactly one main route table",
        ),
        (
            _set(("RouteTables", 2, "Associations", 0, "SubnetId"), "subnet-0fffffffffffffff0"),
            "RouteTables[2].Associations[0].SubnetId",
            "is not in Subnets",
        ),
        (
            _set(("RouteTables", 2, "Associations"), _DELETE),
            "RouteTables[2].Associations",
            "missing",
        ),
    ],
)
def test_a_bad_capture_is_refused_naming_the_file_and_field(
    tmp_path: Path, mutate: Mutation, where: str, problem: str
) -> None:
    parts = capture()
    mutate(parts)
    path = write_capture(tmp_path / "network.json", parts)
    with pytest.raises(NetworkCaptureError) as caught:
        captured_world(path, region=REGION)
    assert caught.value.path == str(path)
    assert caught.value.where == where
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"{path}: {where}: ")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "is empty"),
        ('{"Vpcs": [] ', "not JSON"),
        ("Vpcs\tvpc-0f00ba4ba5e1e6a01\n", "not JSON (Expecting value); capture with --output json"),
        ("[1, 2]", "expected a JSON object"),
        (
            json.dumps({"Subnets": [], "NextToken": "abc"}),
            "one page of a longer answer; capture without --max-items",
        ),
        (as_cli_prints_it(capture()) + json.dumps({"Vpcs": []}), "appears twice"),
    ],
)
def test_a_file_that_is_no_capture_is_refused(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "network.json"
    path.write_text(text)
    with pytest.raises(NetworkCaptureError, match=r"network\.json") as caught:
        captured_world(path, region=REGION)
    assert problem in str(caught.value)


def _user_args(path: Path) -> list[str]:
    return ["dev", "--network", str(path), "-c", f"vpcId={VPC_ID}", "-c", f"aws:region={REGION}"]


def test_the_preflight_plans_the_users_own_network(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_capture(tmp_path / "network.json")
    assert main([*_user_args(path), "--json"]) == 0, capsys.readouterr().err
    result = json.loads(capsys.readouterr().out)
    assert result["network"] == str(path)
    assert main(_user_args(path)) == 0
    out = capsys.readouterr().out
    # within 100 columns the header wraps, between words: the path stays whole on a line
    assert f"Network: your VPC, captured in {path}" in " ".join(out.split())
    assert any(str(path) in line for line in out.splitlines())
    subnet_group = out[out.index("aws:rds:SubnetGroup") :].split("aws:rds:Instance")[0]
    assert all(subnet in subnet_group for subnet in PRIVATE), subnet_group


def test_a_capture_of_another_vpc_is_refused_by_the_preflight(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_capture(tmp_path / "network.json")
    assert main(["dev", "--network", str(path), "-c", f"aws:region={REGION}", "--json"]) == 2
    result = json.loads(capsys.readouterr().out)
    assert result["error"] == (
        f"--network {path}: holds {VPC_ID}, not the stack's bastion-db:vpcId "
        "vpc-0a1b2c3d4e5f60718; capture that VPC, or set vpcId to the captured one"
    )


def test_the_preflight_refuses_a_second_endpoint_the_captured_vpc_has(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parts = capture()
    # As `aws ec2 describe-vpc-endpoints` prints them: the S3 gateway endpoint
    # whose prefix-list route the public table holds, and a central ssm endpoint.
    parts["VpcEndpoints"] = [
        {
            "VpcEndpointId": "vpce-0123456789abcdef0",
            "VpcEndpointType": "Gateway",
            "VpcId": VPC_ID,
            "ServiceName": f"com.amazonaws.{REGION}.s3",
            "State": "available",
            "RouteTableIds": ["rtb-0bbb00000000000b2"],
            "SubnetIds": [],
            "PrivateDnsEnabled": False,
        },
        {
            "VpcEndpointId": "vpce-0fedcba9876543210",
            "VpcEndpointType": "Interface",
            "VpcId": VPC_ID,
            "ServiceName": f"com.amazonaws.{REGION}.ssm",
            "State": "available",
            "RouteTableIds": [],
            "SubnetIds": [PRIVATE[0]],
            "PrivateDnsEnabled": True,
        },
    ]
    path = write_capture(tmp_path / "network.json", parts)
    ssm = [*_user_args(path), "-c", "accessMode=ssm", "-c", "sshAllowedCidrs=[]"]
    assert main([*ssm, "-c", "ssmVpcEndpoints=create", "--json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert "bastion-db:ssmVpcEndpoints is 'create'" in error
    assert "ssm: vpce-0fedcba9876543210 has private DNS" in error and "'existing'" in error
    assert main([*ssm, "-c", "ssmVpcEndpoints=existing", "--json"]) == 0, capsys.readouterr()
