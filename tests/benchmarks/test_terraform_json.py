"""The stack as Terraform JSON: names, blocks, maps and references as Terraform spells them."""

from __future__ import annotations

import json

import pytest

from benchmarks.terraform_json import (
    TERRAFORM_TYPES,
    resource_count,
    snake_case,
    terraform_name,
    to_terraform_json,
)
from offline.runner import ProgramRun
from offline.snapshot import UNKNOWN, ResourceSnapshot, SecretValue

PREFIX = "urn:pulumi:dev::bastion-db::"
PROVIDER = PREFIX + "pulumi:pulumi:Stack$pulumi:providers:aws::aws"
GROUP = PREFIX + "aws:ec2/securityGroup:SecurityGroup::bastion-sg"
INSTANCE = PREFIX + "aws:ec2/instance:Instance::bastion"
PASSWORD = PREFIX + "random:index/randomPassword:RandomPassword::db-password"


@pytest.mark.parametrize(
    ("pulumi_name", "terraform"),
    [
        ("publiclyAccessible", "publicly_accessible"),
        ("multiAz", "multi_az"),
        ("cidrIpv4", "cidr_ipv4"),
        ("httpPutResponseHopLimit", "http_put_response_hop_limit"),
        ("publicKeyFingerprintMd5", "public_key_fingerprint_md5"),
        ("ami", "ami"),
        ("HTTPTokens", "http_tokens"),
    ],
)
def test_snake_case(pulumi_name: str, terraform: str) -> None:
    assert snake_case(pulumi_name) == terraform


def test_terraform_name_is_a_valid_identifier() -> None:
    assert terraform_name("security-groups-bastion-ssh-203-0-113-0-24") == (
        "security-groups-bastion-ssh-203-0-113-0-24"
    )
    assert terraform_name("10.0.0.0/16 rule") == "_10_0_0_0_16_rule"


def stack() -> list[ResourceSnapshot]:
    provider_ref = f"{PROVIDER}::provider-1"
    tags = '{"tags": {"Project": "bastion-db", "ManagedBy": "pulumi"}}'
    return [
        ResourceSnapshot(
            PROVIDER,
            "pulumi:providers:aws",
            "aws",
            True,
            inputs={"region": "us-east-1", "defaultTags": tags, "skipRegionValidation": "true"},
            outputs={},
            id="provider-1",
        ),
        ResourceSnapshot(
            PREFIX + "bastiondb:compute:Bastion::bastion",
            "bastiondb:compute:Bastion",
            "bastion",
            False,
            {},
            {"instanceId": "i-1"},
        ),
        ResourceSnapshot(
            GROUP,
            "aws:ec2/securityGroup:SecurityGroup",
            "bastion-sg",
            True,
            inputs={"description": "SSH in"},
            outputs={"id": "sg-1", "name": "bastion-sg-1"},
            provider=provider_ref,
            id="sg-1",
        ),
        ResourceSnapshot(
            PASSWORD,
            "random:index/randomPassword:RandomPassword",
            "db-password",
            True,
            inputs={"length": 32},
            outputs={"result": SecretValue("s3cret")},
            id="none",
        ),
        ResourceSnapshot(
            INSTANCE,
            "aws:ec2/instance:Instance",
            "bastion",
            True,
            inputs={
                "vpcSecurityGroupIds": ["sg-1"],
                "subnetId": "subnet-0aa0000000000000a",
                "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1},
                "tags": {"Role": "bastion", "ManagedBy": "pulumi"},
                "userData": "echo ${HOME}",
                "password": SecretValue("s3cret"),
                "privateIp": UNKNOWN,
                "__defaults": [],
            },
            outputs={},
            property_dependencies={"vpcSecurityGroupIds": (GROUP,), "password": (PASSWORD,)},
            provider=provider_ref,
            id="i-1",
        ),
        ResourceSnapshot(
            PREFIX + "aws:rds/parameterGroup:ParameterGroup::db-params",
            "aws:rds/parameterGroup:ParameterGroup",
            "db-params",
            True,
            inputs={
                "family": "postgres16",
                "parameters": [
                    {"name": "rds.force_ssl", "value": "1", "applyMethod": "immediate"},
                    {"name": "log_connections", "value": "1"},
                ],
            },
            outputs={},
            provider=provider_ref,
        ),
    ]


def test_nested_objects_become_blocks_and_tags_stay_a_map() -> None:
    instance = to_terraform_json(stack())["resource"]["aws_instance"]["bastion"]

    assert instance["metadata_options"] == [
        {"http_tokens": "required", "http_put_response_hop_limit": 1}
    ]
    # Tag keys are data, not argument names.
    assert instance["tags"] == {"Role": "bastion", "ManagedBy": "pulumi"}
    assert instance["subnet_id"] == "subnet-0aa0000000000000a"


def test_a_list_of_objects_becomes_repeated_blocks_under_terraforms_singular_name() -> None:
    group = to_terraform_json(stack())["resource"]["aws_db_parameter_group"]["db-params"]

    assert "parameters" not in group
    assert group["parameter"] == [
        {"name": "rds.force_ssl", "value": "1", "apply_method": "immediate"},
        {"name": "log_connections", "value": "1"},
    ]


def test_values_from_another_resource_become_references() -> None:
    instance = to_terraform_json(stack())["resource"]["aws_instance"]["bastion"]

    assert instance["vpc_security_group_ids"] == ["${aws_security_group.bastion-sg.id}"]
    assert instance["password"] == "${random_password.db-password.result}"


def test_literals_are_escaped_and_unknown_or_internal_values_left_out() -> None:
    instance = to_terraform_json(stack())["resource"]["aws_instance"]["bastion"]

    assert instance["user_data"] == "echo $${HOME}"
    assert "private_ip" not in instance
    assert not any(key.startswith("__") for key in instance)


def test_the_provider_resource_becomes_a_provider_block_with_default_tags() -> None:
    document = to_terraform_json(stack())

    assert document["provider"] == {
        "aws": [
            {
                "region": "us-east-1",
                "default_tags": [{"tags": {"Project": "bastion-db", "ManagedBy": "pulumi"}}],
                "skip_region_validation": True,
            }
        ]
    }
    # Components have no Terraform counterpart.
    assert resource_count(document) == 4


def test_second_provider_gets_an_alias_its_resources_name() -> None:
    base = stack()
    second = ResourceSnapshot(
        PROVIDER + "-c1",
        "pulumi:providers:aws",
        "aws-c1",
        True,
        {"region": "eu-west-1"},
        {},
        id="provider-2",
    )
    group = ResourceSnapshot(
        GROUP + "-c1",
        "aws:ec2/securityGroup:SecurityGroup",
        "bastion-sg-c1",
        True,
        {"description": "SSH in"},
        {},
        provider=f"{PROVIDER}-c1::provider-2",
    )
    document = to_terraform_json([*base, second, group])

    assert document["provider"]["aws"][1] == {"region": "eu-west-1", "alias": "aws-c1"}
    resources = document["resource"]["aws_security_group"]
    assert resources["bastion-sg-c1"]["provider"] == "aws.aws-c1"
    assert "provider" not in resources["bastion-sg"]


def test_every_resource_of_the_dev_stack_has_a_terraform_counterpart(dev_run: ProgramRun) -> None:
    unmapped = {
        s.type
        for s in dev_run.resources
        if s.custom and not s.type.startswith("pulumi:providers:") and s.type not in TERRAFORM_TYPES
    }
    assert unmapped == set()
    document = json.loads(json.dumps(to_terraform_json(dev_run.resources)))
    custom = [s for s in dev_run.resources if s.custom and s.type in TERRAFORM_TYPES]
    assert resource_count(document) == len(custom)
    instance = document["resource"]["aws_instance"]["bastion-instance"]
    assert instance["metadata_options"][0]["http_tokens"] == "required"
    assert instance["root_block_device"][0]["encrypted"] is True
