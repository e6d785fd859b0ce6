"""dbBlueGreenUpdate, dbReadReplicas and dbParameters: every combination RDS or the
provider refuses is refused before anything is registered, naming both keys;
what is accepted is checked on the resources the program registers."""

from __future__ import annotations

import json

import pytest

from bastion_db.checks.operations import check_identifiers
from offline.fake_aws import lab_world
from offline.runner import ProgramRun
from settings import ConfigError, ConfigReader
from tests.conftest import RunStack
from tests.program.test_settings import settings_for
from tests.program.types import DB_INSTANCE, DB_PARAMETER_GROUP

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
EVENTS = "aws:rds/eventSubscription:EventSubscription"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
MYSQL = {"dbEngine": "mysql", "dbEngineVersion": "8.4", "dbPort": "3306"}


def refusal(stack: str = "dev", **overrides: str) -> str:
    with pytest.raises(ConfigError) as raised:
        settings_for(stack, **overrides)
    return str(raised.value)


def params(*items: str) -> str:
    return json.dumps(list(items))


# (stack, overrides, words the message must contain: both keys, the values, the way out)
COMBINATIONS = [
    (
        "dev",
        {"dbBlueGreenUpdate": "true", "dbPasswordMode": "secrets-manager"},
        [
            "bastion-db:dbBlueGreenUpdate",
            "bastion-db:dbPasswordMode",
            "'secrets-manager'",
            "Secrets Manager",
            "random",
        ],
    ),
    (
        "prod",
        {"dbBlueGreenUpdate": "true"},
        [
            "bastion-db:dbBlueGreenUpdate",
            "bastion-db:dbPasswordMode",
            "'secrets-manager'",
            "prod keeps secrets-manager",
        ],
    ),
    (
        "dev",
        {"dbReadReplicas": "2", "dbPasswordMode": "secrets-manager"},
        ["bastion-db:dbReadReplicas", "got 2", "bastion-db:dbPasswordMode", "random"],
    ),
    (
        "prod",
        {"dbReadReplicas": "1"},
        ["bastion-db:dbReadReplicas", "bastion-db:dbPasswordMode", "prod keeps secrets-manager"],
    ),
    (
        "dev",
        {"dbBlueGreenUpdate": "true", "dbReadReplicas": "1"},
        ["bastion-db:dbBlueGreenUpdate", "bastion-db:dbReadReplicas is 1", "read replicas"],
    ),
    (
        "dev",
        {"dbBlueGreenUpdate": "true", "backupRetentionDays": "0"},
        [
            "bastion-db:dbBlueGreenUpdate",
            "bastion-db:backupRetentionDays is 0",
            "automated backups",
        ],
    ),
    (
        "dev",
        {"dbReadReplicas": "3", "backupRetentionDays": "0"},
        ["bastion-db:dbReadReplicas", "got 3", "bastion-db:backupRetentionDays is 0"],
    ),
]


@pytest.mark.parametrize(("stack", "overrides", "words"), COMBINATIONS)
def test_a_combination_rds_refuses_names_both_keys(
    stack: str, overrides: dict[str, str], words: list[str]
) -> None:
    message = refusal(stack, **overrides)
    for word in words:
        assert word in message, message


@pytest.mark.parametrize("value", ["16", "-1"])
def test_at_most_fifteen_replicas(value: str) -> None:
    message = refusal(dbReadReplicas=value)
    assert "bastion-db:dbReadReplicas" in message and "0 to 15" in message


def test_a_replica_count_must_be_a_whole_number() -> None:
    assert "a whole number" in refusal(dbReadReplicas="two")


def reader_of(values: dict[str, str]) -> ConfigReader:
    return ConfigReader(lambda key: values.get(key), "bastion-db")


def test_blue_green_refuses_an_identifier_rds_cannot_name_a_deployment_after() -> None:
    # The deployment takes the instance's name: at most 60 characters
    # (BlueGreenDeploymentName), while an instance identifier may have 63.
    identifier = "a" * 61
    with pytest.raises(ConfigError) as raised:
        check_identifiers(reader_of({}), identifier, True, 0)
    assert "bastion-db:dbBlueGreenUpdate" in str(raised.value)
    assert "at most 60" in str(raised.value)
    check_identifiers(reader_of({}), "a" * 60, True, 0)  # 60 is fine


def test_replica_identifiers_stay_within_rds_limit() -> None:
    with pytest.raises(ConfigError, match=r"dbReadReplicas.*at most 63"):
        check_identifiers(reader_of({}), "a" * 53, False, 10)  # ...-replica-10: 64
    check_identifiers(reader_of({}), "a" * 53, False, 9)  # ...-replica-9: 63


# (overrides, words the message must contain)
PARAMETER_REFUSALS = [
    ({"dbParameters": params("work_mem")}, ['a parameter name, "=", and a value']),
    ({"dbParameters": params("work_mem=1", "WORK_MEM=2")}, ["listed twice"]),
    ({"dbParameters": params("wrok_mem=64")}, ["PostgreSQL 16", "pg-configurator", "work_mem"]),
    ({"dbParameters": params("rds.force_ssl=0")}, ["rds.force_ssl=1", "TLS"]),
    ({"dbParameters": params("log_statement=none")}, ["log_statement=ddl", "policy pack"]),
    ({"dbParameters": params("max_connections=500")}, ["dbMaxConnections"]),
    ({"dbParameters": params("ssl=0")}, ["ssl on"]),
    ({"dbParameters": params("ssl_min_protocol_version=TLSv1.1")}, ["TLSv1.2"]),
    ({"dbParameters": params("password_encryption=md5")}, ["scram-sha-256"]),
    (
        {"dbBlueGreenUpdate": "true", "dbParameters": params("rds.logical_replication=0")},
        ["dbBlueGreenUpdate sets rds.logical_replication=1"],
    ),
    (
        {"dbReadReplicas": "2", "dbParameters": params("max_wal_senders=2")},
        ["max_wal_senders above 2"],
    ),
    ({**MYSQL, "dbParameters": params("log_output=TABLE")}, ["log_output FILE"]),
    ({**MYSQL, "dbParameters": params("require_secure_transport=0")}, ["TLS"]),
    ({**MYSQL, "dbParameters": params("slow_query_log=0")}, ["slow_query_log=1"]),
    (
        {**MYSQL, "dbParameters": params("lower_case_table_names=1")},
        ["when the database is created"],
    ),
    ({**MYSQL, "dbParameters": params("read_only=0")}, ["per instance"]),
    (
        {**MYSQL, "dbReadReplicas": "1", "dbParameters": params("binlog_format=OFF")},
        ["binlog_format ROW", "dbReadReplicas"],
    ),
    (
        {**MYSQL, "dbBlueGreenUpdate": "true", "dbParameters": params("event_scheduler=ON")},
        ["event_scheduler OFF with dbBlueGreenUpdate"],
    ),
    (
        {**MYSQL, "dbParameters": params("innodb_bufer_pool_size=1")},
        ["hand-kept list", "innodb_buffer_pool_size"],
    ),
]


@pytest.mark.parametrize(("overrides", "words"), PARAMETER_REFUSALS)
def test_a_parameter_that_is_unknown_or_undoes_a_guarantee_is_refused_with_the_reason(
    overrides: dict[str, str], words: list[str]
) -> None:
    message = refusal(**overrides)
    assert message.startswith("config key 'bastion-db:dbParameters': got '"), message
    for word in words:
        assert word in message, message


def test_a_refusal_registers_nothing(run_stack: RunStack, registered_types: list[str]) -> None:
    with pytest.raises(ConfigError, match="bastion-db:dbReadReplicas"):
        run_stack("prod", world=lab_world(), dbReadReplicas="1")
    assert registered_types == ["pulumi:pulumi:Stack"]


def group_parameters(run: ProgramRun) -> dict[str, tuple[str, str]]:
    return {
        p["name"]: (p["value"], p["applyMethod"])
        for p in run.one(DB_PARAMETER_GROUP).inputs["parameters"]
    }


def test_parameters_get_the_apply_method_their_kind_needs(run_stack: RunStack) -> None:
    run = run_stack(
        "dev",
        dbParameters=params(
            "Work_Mem=65536",
            "shared_buffers={DBInstanceClassMemory/32768}",
            "rds.log_retention_period=1440",
        ),
    )
    parameters = group_parameters(run)
    assert parameters["work_mem"] == ("65536", "immediate")  # names lower-cased, dynamic
    assert parameters["shared_buffers"] == ("{DBInstanceClassMemory/32768}", "pending-reboot")
    assert parameters["rds.log_retention_period"] == ("1440", "immediate")
    assert parameters["rds.force_ssl"] == ("1", "immediate")  # the product's stay

    mysql = group_parameters(
        run_stack(
            "dev",
            **MYSQL,
            dbParameters=params("innodb_buffer_pool_size=1073741824", "performance_schema=1"),
        )
    )
    assert mysql["innodb_buffer_pool_size"] == ("1073741824", "immediate")
    assert mysql["performance_schema"] == ("1", "pending-reboot")
    assert mysql["require_secure_transport"] == ("1", "immediate")


def test_blue_green_on_postgres_turns_logical_replication_on_for_major_upgrades(
    run_stack: RunStack,
) -> None:
    run = run_stack("prod", dbBlueGreenUpdate="true", dbPasswordMode="random")
    database = run.one(DB_INSTANCE).inputs
    assert database["blueGreenUpdate"] == {"enabled": True}
    assert database["backupRetentionPeriod"] > 0
    assert group_parameters(run)["rds.logical_replication"] == ("1", "pending-reboot")

    mysql = run_stack("dev", dbBlueGreenUpdate="true", **MYSQL)
    assert mysql.one(DB_INSTANCE).inputs["blueGreenUpdate"] == {"enabled": True}
    assert "rds.logical_replication" not in group_parameters(mysql)


def test_the_keys_off_register_nothing_new(dev_run: ProgramRun) -> None:
    assert "blueGreenUpdate" not in dev_run.one(DB_INSTANCE).inputs
    assert len(dev_run.of_type(DB_INSTANCE)) == 1
    assert not [a for a in dev_run.of_type(ALARM) if a.inputs["metricName"] == "ReplicaLag"]
    assert not any("dbReplica" in key for key in dev_run.outputs)


@pytest.fixture(scope="module")
def replicas_run(run_stack: RunStack) -> ProgramRun:
    return run_stack("prod", dbReadReplicas="2", dbPasswordMode="random")


def test_each_replica_is_private_encrypted_and_in_the_databases_groups(
    replicas_run: ProgramRun,
) -> None:
    primary = replicas_run.named("database-instance")
    replicas = [r for r in replicas_run.of_type(DB_INSTANCE) if r.name != primary.name]
    assert [r.name for r in replicas] == ["database-replica-1", "database-replica-2"]
    group = replicas_run.one(DB_PARAMETER_GROUP)
    for number, replica in enumerate(replicas, start=1):
        inputs = replica.inputs
        assert inputs["identifier"] == f"bastion-db-prod-replica-{number}"
        assert inputs["replicateSourceDb"] == "bastion-db-prod"
        assert replica.property_dependencies["replicateSourceDb"] == (primary.urn,)
        assert inputs["publiclyAccessible"] is False and inputs["storageEncrypted"] is True
        assert inputs["vpcSecurityGroupIds"] == primary.inputs["vpcSecurityGroupIds"]
        assert replica.property_dependencies["parameterGroupName"] == (group.urn,)
        assert inputs["skipFinalSnapshot"] is True
        # Prod's choices follow the primary; a replica is not Pulumi-protected.
        assert inputs["multiAz"] is True and inputs["deletionProtection"] is True
        assert inputs["monitoringInterval"] == primary.inputs["monitoringInterval"]
        assert inputs["engine"] == "postgres" and inputs["port"] == 5432
        # What RDS or the provider refuses on a same-Region replica is never sent.
        for refused in (
            "username",
            "password",
            "dbName",
            "manageMasterUserPassword",
            "kmsKeyId",
            "dbSubnetGroupName",
            "finalSnapshotIdentifier",
            "databaseInsightsMode",
            "blueGreenUpdate",
            "backupRetentionPeriod",
            "snapshotIdentifier",
        ):
            assert refused not in inputs, refused
        assert replica.parent == replicas_run.named("database").urn
    groups = {g.inputs["name"] for g in replicas_run.of_type(LOG_GROUP)}
    assert "/aws/rds/instance/bastion-db-prod-replica-2/postgresql" in groups


def test_each_replica_has_its_own_alarms_and_events(replicas_run: ProgramRun) -> None:
    by_replica: dict[str, dict[str, dict]] = {}
    for alarm in replicas_run.of_type(ALARM):
        target = (alarm.inputs.get("dimensions") or {}).get("DBInstanceIdentifier", "")
        by_replica.setdefault(target, {})[alarm.inputs["metricName"]] = alarm.inputs
    primary_metrics = set(by_replica["bastion-db-prod"])
    for number in (1, 2):
        metrics = by_replica[f"bastion-db-prod-replica-{number}"]
        assert set(metrics) == primary_metrics | {"ReplicaLag"}
        lag = metrics["ReplicaLag"]
        assert (lag["statistic"], lag["comparisonOperator"], lag["threshold"]) == (
            "Maximum",
            "GreaterThanThreshold",
            300,
        )
        assert lag["alarmActions"] and lag["okActions"]
    subscription = next(
        s for s in replicas_run.of_type(EVENTS) if s.name == "database-events-replicas"
    )
    assert subscription.inputs["sourceIds"] == [
        "bastion-db-prod-replica-1",
        "bastion-db-prod-replica-2",
    ]
    assert "read replica" in subscription.inputs["eventCategories"]


def test_the_lag_threshold_is_a_monitoring_key(run_stack: RunStack) -> None:
    run = run_stack("dev", dbReadReplicas="1", alarmReplicaLagSeconds="60")
    lag = next(a for a in run.of_type(ALARM) if a.inputs["metricName"] == "ReplicaLag")
    assert lag.inputs["threshold"] == 60
    assert "bastion-db:alarmReplicaLagSeconds" in refusal(alarmReplicaLagSeconds="0")


def test_outputs_give_each_replicas_host_and_a_way_in_through_the_bastion(
    replicas_run: ProgramRun, run_stack: RunStack
) -> None:
    outputs = replicas_run.outputs
    hosts = outputs["dbReplicaHosts"]
    assert len(hosts) == 2 and hosts[0].startswith("bastion-db-prod-replica-1.")
    # prod is ssm mode: Session Manager forwards the replica's port to 5433, 5434.
    tunnel = outputs["dbReplicaTunnelCommands"][1]
    assert "AWS-StartPortForwardingSessionToRemoteHost" in tunnel
    assert f'"host":["{hosts[1]}"]' in tunnel and '"localPortNumber":["5434"]' in tunnel
    assert outputs["dbReplicaClientCommands"][0] == (
        'psql "host=localhost port=5433 dbname=postgres user=postgres_admin sslmode=require"'
    )
    ssh = run_stack("dev", dbReadReplicas="1").outputs["dbReplicaTunnelCommands"][0]
    assert f"-L 5433:{hosts[0].replace('prod', 'dev')}:5432 ec2-user@" in ssh


def test_the_last_replicas_tunnel_port_must_be_a_port() -> None:
    # Replica n's tunnel listens on dbPort + n (bastion_db/outputs.py).
    message = refusal(dbPort="65534", dbReadReplicas="2")
    assert "bastion-db:dbPort" in message and "at most 65533" in message
    settings_for("dev", dbPort="65533", dbReadReplicas="2")
