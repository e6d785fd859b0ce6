"""Session Manager mode: a private bastion with a proven way to the service,
bounded and logged sessions, and a least-privilege operator policy."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bastion_db.checks.errors import ConfigError
from bastion_db.network import (
    NetworkLookupError,
    SubnetFacts,
    SubnetLayout,
    nat_gateway_of_default_route,
    place_bastion,
)
from offline.fake_world import lab_nat_gateway_id, lab_vpc, lab_world, without_nat
from offline.network_capture import captured_world
from offline.runner import ProgramRun
from tests.conftest import RunStack
from tests.program.test_settings import settings_for
from tests.program.types import INGRESS, INSTANCE, NETWORK, SECURITY_GROUP

VPC = lab_vpc()
PRIVATE = [s.id for s in VPC.subnets if not s.map_public_ip_on_launch]
PUBLIC = [s.id for s in VPC.subnets if s.map_public_ip_on_launch]
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
DOCUMENT = "aws:ssm/document:Document"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
KMS_KEY = "aws:kms/key:Key"
IAM_POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def named(run: ProgramRun, type_token: str, suffix: str) -> Any:
    found = [r for r in run.of_type(type_token) if r.name.endswith(suffix)]
    assert len(found) == 1, [r.name for r in run.of_type(type_token)]
    return found[0]


# --- where the bastion goes ----------------------------------------------------------


def test_prod_bastion_is_private_and_reaches_the_service_through_the_nat(
    prod_run: ProgramRun,
) -> None:
    bastion = prod_run.one(INSTANCE)
    assert bastion.inputs["associatePublicIpAddress"] is False
    assert bastion.inputs["subnetId"] == PRIVATE[0]
    assert bastion.outputs["publicIp"] == ""
    network = prod_run.one(NETWORK).outputs
    assert network["ssmPath"] == "nat-gateway"
    assert network["bastionSubnetId"] == PRIVATE[0]
    assert prod_run.outputs["bastionNetworkPath"] == "nat-gateway"
    # No public address, so no public name to print.
    assert "bastionPublicDns" not in prod_run.outputs
    # Nothing comes in: no rule admits anything into the bastion's group.
    bastion_group = named(prod_run, SECURITY_GROUP, "-bastion")
    assert [
        r
        for r in prod_run.of_type(INGRESS)
        if r.inputs["securityGroupId"] == bastion_group.outputs["id"]
    ] == []
    assert prod_run.of_type(ENDPOINT) == []


def test_ssh_mode_keeps_its_public_bastion(dev_run: ProgramRun) -> None:
    bastion = dev_run.one(INSTANCE)
    assert bastion.inputs["associatePublicIpAddress"] is True
    assert bastion.inputs["subnetId"] == PUBLIC[0]
    assert dev_run.outputs["bastionNetworkPath"] == "internet-gateway"
    assert dev_run.outputs["bastionPublicDns"].startswith("ec2-")
    assert dev_run.of_type(ENDPOINT) == dev_run.of_type(DOCUMENT) == []
    assert not [p for p in dev_run.of_type(IAM_POLICY) if "operator" in p.name]
    assert "ssmOperatorPolicyArn" not in dev_run.outputs


def test_no_nat_and_no_endpoints_is_refused_naming_the_keys(run_stack: RunStack) -> None:
    with pytest.raises(NetworkLookupError) as raised:
        run_stack("prod", world=without_nat(lab_world()))
    message = str(raised.value)
    assert "bastion-db:ssmVpcEndpoints" in message
    assert "'create'" in message and "'existing'" in message
    assert "NAT gateway" in message
    for subnet in PRIVATE:
        assert subnet in message


def test_endpoints_created_on_request_admit_the_bastion_only(run_stack_once: RunStack) -> None:
    run = run_stack_once("prod", world=without_nat(lab_world()), ssmVpcEndpoints="create")
    assert run.one(INSTANCE).inputs["subnetId"] == PRIVATE[0]
    assert run.outputs["bastionNetworkPath"] == "vpc-endpoints"
    endpoints = [e for e in run.of_type(ENDPOINT) if e.inputs["vpcEndpointType"] == "Interface"]
    # Session Manager's three, and CloudWatch Logs' for the session logs
    # (tests/program/test_endpoints_only.py has the whole list, S3 too).
    assert sorted(e.inputs["serviceName"] for e in endpoints) == [
        "com.amazonaws.us-east-1.ec2messages",
        "com.amazonaws.us-east-1.logs",
        "com.amazonaws.us-east-1.ssm",
        "com.amazonaws.us-east-1.ssmmessages",
    ]
    group = named(run, SECURITY_GROUP, "ssm-endpoints-group")
    bastion_group = named(run, SECURITY_GROUP, "-bastion")
    for endpoint in endpoints:
        assert endpoint.inputs["vpcEndpointType"] == "Interface"
        assert endpoint.inputs["privateDnsEnabled"] is True
        # One subnet per zone: the lab's two private subnets are in two zones.
        assert endpoint.inputs["subnetIds"] == PRIVATE
        assert endpoint.property_dependencies["securityGroupIds"] == (group.urn,)
    rules = [r for r in run.of_type(INGRESS) if r.inputs["securityGroupId"] == group.outputs["id"]]
    assert [(r.inputs["fromPort"], r.inputs["toPort"], r.inputs["ipProtocol"]) for r in rules] == [
        (443, 443, "tcp")
    ]
    assert rules[0].property_dependencies["referencedSecurityGroupId"] == (bastion_group.urn,)
    assert "cidrIpv4" not in rules[0].inputs


def test_endpoints_take_one_subnet_per_zone(run_stack: RunStack) -> None:
    # A third private subnet in zone a: an endpoint takes at most one per zone.
    extra = replace(VPC.subnets[2], id="subnet-0ffffffffffffffff", cidr_block="10.0.5.0/24")
    world = without_nat(replace(lab_world(), vpcs=(replace(VPC, subnets=(*VPC.subnets, extra)),)))
    run = run_stack("prod", world=world, ssmVpcEndpoints="create")
    zones = {s.id: s.availability_zone for s in (*VPC.subnets, extra)}
    for endpoint in run.of_type(ENDPOINT):
        if endpoint.inputs["vpcEndpointType"] == "Gateway":
            continue  # a gateway endpoint takes route tables, not subnets
        chosen = endpoint.inputs["subnetIds"]
        assert len({zones[s] for s in chosen}) == len(chosen) == 2


def test_endpoints_need_the_vpc_dns_attributes(run_stack: RunStack) -> None:
    world = replace(lab_world(), vpcs=(replace(VPC, enable_dns_hostnames=False),))
    with pytest.raises(NetworkLookupError) as raised:
        run_stack("prod", world=without_nat(world), ssmVpcEndpoints="create")
    message = str(raised.value)
    assert "enableDnsHostnames" in message and "enableDnsSupport" not in message
    assert "bastion-db:ssmVpcEndpoints" in message


def test_existing_endpoints_are_trusted_and_none_are_made(run_stack: RunStack) -> None:
    run = run_stack("prod", world=without_nat(lab_world()), ssmVpcEndpoints="existing")
    assert run.of_type(ENDPOINT) == []
    assert run.one(INSTANCE).inputs["associatePublicIpAddress"] is False
    assert run.outputs["bastionNetworkPath"] == "existing-vpc-endpoints"


def test_a_captured_network_with_a_nat_route_gives_the_nat_path(
    run_stack: RunStack, tmp_path: Path
) -> None:
    vpc_id = VPC.id
    subnets = [
        {
            "SubnetId": s.id,
            "VpcId": vpc_id,
            "AvailabilityZone": s.availability_zone,
            "CidrBlock": s.cidr_block,
            "MapPublicIpOnLaunch": s.map_public_ip_on_launch,
        }
        for s in VPC.subnets
    ]
    tables = [
        {
            "RouteTableId": "rtb-0000000000000000a",
            "VpcId": vpc_id,
            "Associations": [{"Main": True}],
            "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}],
        },
        {
            "RouteTableId": "rtb-0000000000000000b",
            "VpcId": vpc_id,
            "Associations": [{"Main": False, "SubnetId": i} for i in PUBLIC],
            "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0123abcd"}],
        },
        {
            "RouteTableId": "rtb-0000000000000000c",
            "VpcId": vpc_id,
            "Associations": [{"Main": False, "SubnetId": PRIVATE[1]}],
            "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-0abc123"}],
        },
    ]
    capture = tmp_path / "network.json"
    capture.write_text(
        json.dumps(
            {
                "Vpcs": [{"VpcId": vpc_id, "CidrBlock": "10.0.0.0/16"}],
                "Subnets": subnets,
                "RouteTables": tables,
            }
        )
    )
    run = run_stack("prod", world=captured_world(capture, region="us-east-1"))
    # Only the second private subnet routes through the NAT gateway: it is chosen.
    assert run.one(INSTANCE).inputs["subnetId"] == PRIVATE[1]
    assert run.outputs["bastionNetworkPath"] == "nat-gateway"


def test_only_an_ipv4_default_route_to_a_nat_gateway_counts() -> None:
    assert nat_gateway_of_default_route({"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"})
    assert not nat_gateway_of_default_route({"cidrBlock": "10.1.0.0/16", "natGatewayId": "nat-1"})
    assert not nat_gateway_of_default_route({"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"})
    assert not nat_gateway_of_default_route({"ipv6CidrBlock": "::/0", "natGatewayId": "nat-1"})


def test_placement_prefers_a_nat_routed_private_subnet() -> None:
    facts = tuple(
        SubnetFacts(s.id, s.availability_zone, s.cidr_block, s.map_public_ip_on_launch)
        for s in VPC.subnets
        if not s.map_public_ip_on_launch
    )
    layout = SubnetLayout(public=(), private=facts, nat_gateways=((PRIVATE[1], "nat-0123"),))
    placed = place_bastion(VPC.id, layout, "ssm", "none")
    assert (placed.subnet_id, placed.public_address, placed.ssm_path) == (
        PRIVATE[1],
        False,
        "nat-gateway",
    )
    assert "nat-0123" in placed.summary


# --- sessions bounded and recorded ---------------------------------------------------


def test_shell_sessions_are_bounded_and_logged_encrypted(prod_run: ProgramRun) -> None:
    document = prod_run.one(DOCUMENT)
    assert document.inputs["name"] == "bastion-db-prod-shell"
    assert document.inputs["documentType"] == "Session"
    content = json.loads(document.inputs["content"])
    assert content["sessionType"] == "Standard_Stream"
    inputs = content["inputs"]
    assert (inputs["idleSessionTimeout"], inputs["maxSessionDuration"]) == ("20", "60")
    assert inputs["cloudWatchLogGroupName"] == "/ssm/sessions/bastion-db-prod"
    assert inputs["cloudWatchEncryptionEnabled"] is True
    group = next(g for g in prod_run.of_type(LOG_GROUP) if g.inputs["name"].startswith("/ssm/"))
    assert group.urn in document.dependencies
    assert group.inputs["retentionInDays"] == 365
    key = named(prod_run, KMS_KEY, "session-preferences-key")
    assert group.property_dependencies["kmsKeyId"] == (key.urn,)
    assert key.inputs["enableKeyRotation"] is True
    statements = json.loads(key.inputs["policy"])["Statement"]
    logs = next(s for s in statements if s["Principal"].get("Service"))
    assert logs["Principal"]["Service"] == "logs.us-east-1.amazonaws.com"
    assert logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"].endswith(
        ":log-group:/ssm/sessions/bastion-db-prod"
    )
    assert prod_run.outputs["ssmShellCommand"].endswith("--document-name bastion-db-prod-shell")
    assert prod_run.outputs["ssmSessionLogGroup"] == "/ssm/sessions/bastion-db-prod"


def test_the_bastion_may_write_its_session_logs_only(prod_run: ProgramRun) -> None:
    group = next(g for g in prod_run.of_type(LOG_GROUP) if g.inputs["name"].startswith("/ssm/"))
    policy = json.loads(named(prod_run, ROLE_POLICY, "bastion-session-logs").inputs["policy"])
    write, describe = policy["Statement"]
    assert write["Resource"] == [group.outputs["arn"], group.outputs["arn"] + ":log-stream:*"]
    assert set(write["Action"]) == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "logs:DescribeLogStreams",
    }
    assert describe["Action"] == "logs:DescribeLogGroups"


def test_account_preferences_are_left_alone_unless_asked(run_stack: RunStack) -> None:
    run = run_stack("prod", ssmManageSessionPreferences="true", ssmIdleTimeoutMinutes="10")
    names = sorted(d.inputs["name"] for d in run.of_type(DOCUMENT))
    assert names == ["SSM-SessionManagerRunShell", "bastion-db-prod-shell"]
    default = named(run, DOCUMENT, "session-preferences-default")
    inputs = json.loads(default.inputs["content"])["inputs"]
    # The limits, which port forwarding with AWS's document reads from here...
    assert (inputs["idleSessionTimeout"], inputs["maxSessionDuration"]) == ("10", "60")
    # ...and nothing of this stack's that its destroy deletes: the document stays.
    assert inputs["cloudWatchLogGroupName"] == "" and inputs["kmsKeyId"] == ""
    assert default.retain_on_delete is True and default.dependencies == ()
    assert named(run, DOCUMENT, "session-preferences-shell").retain_on_delete is False
    # Shells stay on the stack's logged document: the unlogged default is not granted.
    policy = json.loads(named(run, IAM_POLICY, "operator-access-policy").inputs["policy"])
    assert not any(
        r.endswith(":document/SSM-SessionManagerRunShell")
        for r in policy["Statement"][0]["Resource"]
    )


# --- operators ----------------------------------------------------------------------


def test_operators_may_start_sessions_on_this_bastion_only(prod_run: ProgramRun) -> None:
    bastion = prod_run.one(INSTANCE)
    policy = named(prod_run, IAM_POLICY, "operator-access-policy")
    start, own = json.loads(policy.inputs["policy"])["Statement"]
    assert start["Action"] == "ssm:StartSession"
    assert start["Resource"] == [
        bastion.outputs["arn"],
        "arn:aws:ssm:us-east-1::document/AWS-StartPortForwardingSessionToRemoteHost",
        "arn:aws:ssm:us-east-1:123456789012:document/bastion-db-prod-shell",
    ]
    assert start["Condition"] == {"BoolIfExists": {"ssm:SessionDocumentAccessCheck": "true"}}
    assert own["Action"] == ["ssm:TerminateSession", "ssm:ResumeSession"]
    assert own["Resource"] == [
        "arn:aws:ssm:us-east-1:123456789012:session/${aws:username}-*",
        "arn:aws:ssm:us-east-1:123456789012:session/${aws:userid}-*",
    ]
    assert not any("*" in r for r in start["Resource"])
    assert prod_run.outputs["ssmOperatorPolicyArn"] == policy.outputs["arn"]


# --- refusals ------------------------------------------------------------------------

REFUSED = [
    # (stack, key, value, words the message must contain)
    ("prod", "ssmVpcEndpoints", "maybe", "'create'"),
    ("prod", "ssmIdleTimeoutMinutes", "0", "1 to 60 minutes"),
    ("prod", "ssmIdleTimeoutMinutes", "61", "1 to 60 minutes"),
    ("prod", "ssmMaxSessionMinutes", "1441", "1 to 1440 minutes"),
    ("prod", "ssmSessionLogRetentionDays", "13", "CloudWatch Logs retention period"),
    ("dev", "ssmVpcEndpoints", "create", "'none' in accessMode 'ssh'"),
]


@pytest.mark.parametrize(("stack", "key", "value", "expected"), REFUSED)
def test_bad_session_settings_are_refused_by_name(
    stack: str, key: str, value: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        settings_for(stack, **{key: value})
    message = str(raised.value)
    assert f"bastion-db:{key}" in message and value in message
    assert expected in message


def test_a_session_may_not_idle_longer_than_it_may_last() -> None:
    with pytest.raises(ConfigError) as raised:
        settings_for("prod", ssmIdleTimeoutMinutes="30", ssmMaxSessionMinutes="20")
    message = str(raised.value)
    assert "bastion-db:ssmMaxSessionMinutes" in message
    assert "bastion-db:ssmIdleTimeoutMinutes (30)" in message


def test_lab_world_private_subnets_route_through_one_nat_gateway() -> None:
    routes = [r for t in VPC.route_tables for r in t.routes if r.nat_gateway_id]
    assert {r.nat_gateway_id for r in routes} == {lab_nat_gateway_id()}
