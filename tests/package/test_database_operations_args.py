"""db_blue_green_update, db_read_replicas, db_parameters and alarm_replica_lag_seconds
through the package: refused by their argument names, by the Database piece alone
too; replicas, their alarms and typed outputs registered by BastionDatabase."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from bastion_db import BastionDatabase, BastionDatabaseArgs
from bastion_db.args import DbPasswordMode, Profile
from bastion_db.database import Database, DatabaseArgs
from offline.fake_world import LAB_VPC_ID
from tests.package.mocked import PRIVATE_SUBNET_IDS, refused, run_program

INSTANCE = "aws:rds/instance:Instance"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


@pytest.mark.parametrize(
    ("identifier", "options", "words"),
    [
        # prod keeps secrets-manager; RDS refuses a replica of such a source
        (
            "orders",
            {"db_read_replicas": 1},
            ["argument 'db_read_replicas': got 1", "db_password_mode", "random"],
        ),
        # the deployment is named after the instance: at most 60 characters
        (
            "a" * 61,
            {"db_blue_green_update": True, "db_password_mode": "random"},
            ["argument 'db_blue_green_update'", "at most 60"],
        ),
        (
            "orders",
            {"profile": "dev", "db_parameters": ["rds.force_ssl=0"]},
            ["argument 'db_parameters'", "rds.force_ssl=1"],
        ),
    ],
)
def test_the_database_piece_refuses_by_argument_name_before_any_resource(
    identifier: str, options: dict[str, Any], words: list[str]
) -> None:
    message, resources = refused(
        lambda: Database(
            "orders",
            DatabaseArgs(
                vpc_id=LAB_VPC_ID,
                subnet_ids=PRIVATE_SUBNET_IDS,
                identifier=identifier,
                options=options,
            ),
        )
    )
    for word in words:
        assert word in message, message
    assert resources == []


def test_bastion_database_registers_replicas_their_alarms_and_typed_outputs() -> None:
    seen: dict[str, Any] = {}

    def program() -> pulumi.Output:
        product = BastionDatabase(
            "analytics",
            BastionDatabaseArgs(
                vpc_id=LAB_VPC_ID,
                profile=Profile.DEV,
                ssh_allowed_cidrs=["198.51.100.0/24"],
                db_password_mode=DbPasswordMode.RANDOM,
                db_read_replicas=2,
                db_parameters=["work_mem=65536"],
                alarm_replica_lag_seconds=120,
            ),
        )
        assert product.db_replica_hosts is not None
        assert product.db_replica_client_commands is not None
        assert product.db_replica_tunnel_commands is not None
        return pulumi.Output.all(
            product.db_replica_hosts,
            product.db_replica_tunnel_commands,
            product.db_replica_client_commands,
        ).apply(lambda v: seen.update(hosts=v[0], tunnels=v[1], clients=v[2]))

    resources = run_program(program)
    replicas = [r for r in resources if r.type == INSTANCE and "replicateSourceDb" in r.inputs]
    assert [r.inputs["identifier"] for r in replicas] == [
        "analytics-dev-replica-1",
        "analytics-dev-replica-2",
    ]
    lags = [a for a in resources if a.type == ALARM and a.inputs.get("metricName") == "ReplicaLag"]
    assert sorted(a.inputs["dimensions"]["DBInstanceIdentifier"] for a in lags) == [
        "analytics-dev-replica-1",
        "analytics-dev-replica-2",
    ]
    assert {a.inputs["threshold"] for a in lags} == {120}
    hosts = seen["hosts"]
    assert len(hosts) == 2 and hosts[1].startswith("analytics-dev-replica-2.")
    # ssh mode: replica 2's tunnel listens on 5434, and its client connects there.
    assert f"-L 5434:{hosts[1]}:5432" in seen["tunnels"][1]
    assert "port=5434" in seen["clients"][1] and "sslmode=require" in seen["clients"][1]


def test_without_replicas_the_replica_outputs_are_none() -> None:
    seen: dict[str, Any] = {}

    def program() -> pulumi.Output:
        product = BastionDatabase(
            "analytics",
            BastionDatabaseArgs(
                vpc_id=LAB_VPC_ID, profile=Profile.DEV, ssh_allowed_cidrs=["198.51.100.0/24"]
            ),
        )
        seen["hosts"] = product.db_replica_hosts
        return product.db_host

    run_program(program)
    assert seen["hosts"] is None
