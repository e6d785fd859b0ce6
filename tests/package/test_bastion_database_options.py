"""BastionDatabase with resources of your own, and its warnings in the
package's spelling."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from bastion_db import BastionDatabase, BastionDatabaseArgs
from bastion_db.args import Profile
from offline.fake_world import LAB_VPC_ID
from tests.package.mocked import one, run_program

BASE = BastionDatabaseArgs(
    vpc_id=LAB_VPC_ID,
    profile=Profile.DEV,
    ssh_allowed_cidrs=["198.51.100.0/24"],
)


def test_a_subnet_group_and_extra_security_groups_of_your_own() -> None:
    resources = run_program(
        lambda: (
            BastionDatabase(
                "analytics",
                BastionDatabaseArgs(
                    **BASE,
                    db_subnet_group_name="shared-private",
                    db_security_group_ids=["sg-0aaaaaaaaaaaaaaaa"],
                ),
            ).db_host
        )
    )
    instance = one(resources, "aws:rds/instance:Instance")
    assert instance.inputs["dbSubnetGroupName"] == "shared-private"
    own_group = next(
        r
        for r in resources
        if r.type == "aws:ec2/securityGroup:SecurityGroup" and r.name.endswith("-database")
    )
    # The component's own group stays (the bastion's way in); yours is added.
    assert instance.inputs["vpcSecurityGroupIds"] == [
        own_group.outputs["id"],
        "sg-0aaaaaaaaaaaaaaaa",
    ]
    assert "aws:rds/subnetGroup:SubnetGroup" not in {r.type for r in resources}


def test_a_left_out_alarm_names_the_argument_to_set(caplog: pytest.LogCaptureFixture) -> None:
    # db.m9g.large: a class RDS offers whose memory bastion-db does not know.
    with caplog.at_level(logging.WARNING):
        run_program(
            lambda: (
                BastionDatabase(
                    "analytics", BastionDatabaseArgs(**BASE, db_instance_class="db.m9g.large")
                ).db_host
            )
        )
    warnings = " ".join(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert "Set alarm_freeable_memory_mib to the line in MiB" in warnings
    assert "Set db_max_connections" in warnings
    assert "bastion-db:" not in warnings


def test_through_the_stack_program_the_warning_names_the_stack_key(
    run_stack: Callable[..., object], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        run_stack("dev", dbInstanceClass="db.m9g.large")
    warnings = " ".join(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert "Set bastion-db:alarmFreeableMemoryMib to the line in MiB" in warnings
    assert "alarm_freeable_memory_mib" not in warnings
