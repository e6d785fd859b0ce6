"""The database without a bastion: the lab's "MySQL instance in a subnet of the
VPC", from plain values, and with a subnet group and security groups of your own."""

from __future__ import annotations

import pulumi
import pytest

from bastion_db.database import Database, DatabaseArgs
from offline.fake_world import LAB_VPC_ID
from tests.package.mocked import PRIVATE_SUBNET_IDS, one, refused, run_program

INSTANCE = "aws:rds/instance:Instance"
GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def lab_mysql() -> pulumi.Output:
    database = Database(
        "lab",
        DatabaseArgs(
            vpc_id=LAB_VPC_ID,
            subnet_ids=PRIVATE_SUBNET_IDS,
            allowed_cidrs=["10.0.0.0/16"],
            options={"db_engine": "mysql", "profile": "dev", "db_multi_az": False},
        ),
    )
    return pulumi.Output.all(database.port, database.address)


def test_the_lab_mysql_in_a_subnet_of_the_vpc_from_plain_values() -> None:
    resources = run_program(lab_mysql)
    instance = one(resources, INSTANCE)
    assert instance.inputs["engine"] == "mysql"
    assert instance.inputs["identifier"] == "lab"
    assert instance.inputs["port"] == 3306
    assert instance.inputs["publiclyAccessible"] is False
    assert instance.inputs["storageEncrypted"] is True
    assert instance.inputs["multiAz"] is False
    subnets = one(resources, "aws:rds/subnetGroup:SubnetGroup")
    assert subnets.inputs["subnetIds"] == PRIVATE_SUBNET_IDS
    # Its own group admits the port from the named network only; no bastion exists.
    group = one(resources, GROUP)
    assert group.inputs["vpcId"] == LAB_VPC_ID
    [rule] = [r for r in resources if r.type == INGRESS]
    assert (rule.inputs["cidrIpv4"], rule.inputs["fromPort"]) == ("10.0.0.0/16", 3306)
    assert not [r for r in resources if r.type == "aws:ec2/instance:Instance"]


def test_only_the_subnets_and_the_vpc_give_the_hardened_postgres() -> None:
    resources = run_program(
        lambda: (
            Database(
                "orders", DatabaseArgs(vpc_id=LAB_VPC_ID, subnet_ids=PRIVATE_SUBNET_IDS)
            ).address
        )
    )
    instance = one(resources, INSTANCE)
    assert instance.inputs["engine"] == "postgres"
    assert instance.inputs["deletionProtection"] is True
    assert instance.protect is True
    assert not [r for r in resources if r.type == INGRESS]  # nobody admitted unless named


def test_a_subnet_group_and_security_groups_of_your_own_are_used_not_made() -> None:
    resources = run_program(
        lambda: (
            Database(
                "orders",
                DatabaseArgs(
                    db_subnet_group_name="shared-private",
                    security_group_ids=["sg-0123456789abcdef0"],
                    options={"profile": "dev"},
                ),
            ).address
        )
    )
    instance = one(resources, INSTANCE)
    assert instance.inputs["dbSubnetGroupName"] == "shared-private"
    assert instance.inputs["vpcSecurityGroupIds"] == ["sg-0123456789abcdef0"]
    types = {r.type for r in resources}
    assert "aws:rds/subnetGroup:SubnetGroup" not in types and GROUP not in types


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        # the checks the stack's dbInstanceClass goes through
        ({"db_instance_class": "db.x9.huge"}, "argument 'db_instance_class': got 'db.x9.huge'"),
        # a name the database does not take is refused, not ignored
        ({"db_instanse_class": "db.t4g.small"}, "argument 'db_instanse_class': got 'db.t4g.small'"),
    ],
)
def test_a_bad_option_is_refused_by_its_argument_name_before_any_resource(
    options: dict[str, str], expected: str
) -> None:
    message, resources = refused(
        lambda: Database(
            "orders",
            DatabaseArgs(vpc_id=LAB_VPC_ID, subnet_ids=PRIVATE_SUBNET_IDS, options=options),
        )
    )
    assert expected in message
    assert "db_instance_class" in message
    assert resources == []


def test_neither_subnets_nor_a_subnet_group_is_refused() -> None:
    message, resources = refused(
        lambda: Database("orders", DatabaseArgs(vpc_id=LAB_VPC_ID, options={"profile": "dev"}))
    )
    assert "argument 'subnet_ids': got (not set); expected private subnet ids" in message
    assert resources == []
