"""Each piece used alone, from plain values: the network lookup, the security
groups, the key pair and the bastion. A bad value is refused by the piece's
own argument name, before anything is registered."""

from __future__ import annotations

from typing import Any

import pulumi

from bastion_db.bastion import Bastion, BastionArgs
from bastion_db.network import ExistingNetwork, ExistingNetworkArgs
from bastion_db.security_groups import SecurityGroups, SecurityGroupsArgs
from bastion_db.ssh_key import SshKey, SshKeyArgs
from offline.fake_world import LAB_VPC_ID, lab_vpc
from tests.package.mocked import PRIVATE_SUBNET_IDS, one, refused, run_program

PUBLIC_SUBNET_ID = next(s.id for s in lab_vpc().subnets if s.map_public_ip_on_launch)
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def test_the_network_lookup_finds_the_lab_subnets_from_the_vpc_id() -> None:
    found: dict[str, Any] = {}

    def program() -> pulumi.Output:
        network = ExistingNetwork("net", ExistingNetworkArgs(vpc_id=LAB_VPC_ID))
        return pulumi.Output.all(network.private_subnet_ids, network.bastion_subnet_id).apply(
            lambda values: found.update(private=values[0], bastion=values[1])
        )

    run_program(program)
    assert sorted(found["private"]) == sorted(PRIVATE_SUBNET_IDS)
    assert found["bastion"] == PUBLIC_SUBNET_ID


def test_the_network_lookup_refuses_a_bad_tag_filter_by_its_argument_name() -> None:
    message, resources = refused(
        lambda: ExistingNetwork(
            "net", ExistingNetworkArgs(vpc_id=LAB_VPC_ID, private_subnet_tags=["tier"])
        )
    )
    assert "argument 'private_subnet_tags': got 'tier'" in message
    assert resources == []


def test_a_lookup_error_names_the_argument_not_a_stack_key() -> None:
    message, _ = refused(
        lambda: ExistingNetwork("net", ExistingNetworkArgs(vpc_id="vpc-0123456789abcdef0")).vpc_cidr
    )
    assert "check vpc_id and aws:region" in message
    assert "bastion-db:" not in message


def test_the_security_groups_admit_ssh_from_the_named_networks_only() -> None:
    resources = run_program(
        lambda: (
            SecurityGroups(
                "groups",
                SecurityGroupsArgs(
                    vpc_id=LAB_VPC_ID, ssh_allowed_cidrs=["203.0.113.0/24"], database_port=3306
                ),
            ).database.id
        )
    )
    ssh = [r for r in resources if r.type == INGRESS and r.inputs["fromPort"] == 22]
    assert [r.inputs["cidrIpv4"] for r in ssh] == ["203.0.113.0/24"]
    [to_database] = [r for r in resources if r.type == INGRESS and r.inputs["fromPort"] == 3306]
    assert "referencedSecurityGroupId" in to_database.inputs


def test_the_whole_internet_needs_its_own_opt_in() -> None:
    message, resources = refused(
        lambda: SecurityGroups(
            "groups", SecurityGroupsArgs(vpc_id=LAB_VPC_ID, ssh_allowed_cidrs=["0.0.0.0/0"])
        )
    )
    assert "argument 'ssh_allowed_cidrs': got ['0.0.0.0/0']" in message
    assert "allow_ssh_from_anywhere" in message
    assert resources == []


def test_the_key_pair_generates_an_ed25519_key_whose_private_half_is_secret() -> None:
    resources = run_program(lambda: SshKey("key", SshKeyArgs(key_name="ops")).key_name)
    assert one(resources, "tls:index/privateKey:PrivateKey").inputs["algorithm"] == "ED25519"
    assert one(resources, "aws:ec2/keyPair:KeyPair").inputs["keyName"] == "ops"


def test_the_key_pair_refuses_an_unknown_algorithm_by_name() -> None:
    message, resources = refused(lambda: SshKey("key", SshKeyArgs("ops", algorithm="dsa")))
    assert "argument 'algorithm': got 'DSA'" in message
    assert resources == []


def test_the_bastion_alone_in_a_subnet_with_a_group_of_your_own() -> None:
    resources = run_program(
        lambda: (
            Bastion(
                "jump",
                BastionArgs(
                    subnet_id=PUBLIC_SUBNET_ID,
                    security_group_id="sg-0123456789abcdef0",
                    instance_type="t4g.nano",
                    client_packages=["postgresql16"],
                ),
            ).instance_id
        )
    )
    instance = one(resources, "aws:ec2/instance:Instance")
    assert instance.inputs["instanceType"] == "t4g.nano"
    assert instance.inputs["subnetId"] == PUBLIC_SUBNET_ID
    assert instance.inputs["vpcSecurityGroupIds"] == ["sg-0123456789abcdef0"]
    assert instance.inputs["metadataOptions"]["httpTokens"] == "required"
    assert instance.inputs["tags"]["Name"] == "jump"
    assert "postgresql16" in instance.inputs["userData"]


def test_the_bastion_refuses_a_large_instance_type_by_its_argument_name() -> None:
    message, resources = refused(
        lambda: Bastion(
            "jump",
            BastionArgs(
                subnet_id=PUBLIC_SUBNET_ID,
                security_group_id="sg-0123456789abcdef0",
                instance_type="m5.24xlarge",
            ),
        )
    )
    assert "argument 'instance_type': got 'm5.24xlarge'" in message
    assert resources == []


def test_the_monitoring_of_a_database_of_your_own_refuses_a_bad_threshold_by_name() -> None:
    from bastion_db.monitoring import DatabaseMonitoring, DatabaseMonitoringArgs

    message, resources = refused(
        lambda: DatabaseMonitoring(
            "watch",
            DatabaseMonitoringArgs(
                db_instance_identifier="orders",
                bastion_instance_id="i-0123456789abcdef0",
                options={"profile": "dev", "alarm_cpu_percent": 150},
            ),
        )
    )
    assert "argument 'alarm_cpu_percent': got '150'; expected a number from 1 to 100" in message
    assert resources == []
