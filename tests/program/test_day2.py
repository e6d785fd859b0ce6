"""The shape a stack needs to live for years: upgrades that do not replace what
holds data or sessions, windows someone chose, teardowns that can be repeated,
and the database's log groups owned by the stack."""

from __future__ import annotations

import json
import re

from offline.runner import ProgramRun
from tests.conftest import RunStack
from tests.program.types import DB_INSTANCE, DB_PARAMETER_GROUP, INSTANCE

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
KMS_KEY = "aws:kms/key:Key"
RANDOM_ID = "random:index/randomId:RandomId"
# RDS final snapshot names: a letter, then letters, digits and single hyphens, at most
# 255, no hyphen at the end (CreateDBInstance, FinalDBSnapshotIdentifier rules as in
# DeleteDBInstance: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBInstance.html).
SNAPSHOT_NAME = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,254}$")


def test_rds_log_groups_are_made_first_with_retention_and_a_key(
    dev_run: ProgramRun, prod_run: ProgramRun
) -> None:
    for run, stack, retention in ((dev_run, "dev", 14), (prod_run, "prod", 365)):
        groups = {
            g.inputs["name"]: g
            for g in run.of_type(LOG_GROUP)
            if g.inputs["name"].startswith("/aws/rds/")
        }
        assert sorted(groups) == [
            f"/aws/rds/instance/bastion-db-{stack}/postgresql",
            f"/aws/rds/instance/bastion-db-{stack}/upgrade",
        ]
        key = next(k for k in run.of_type(KMS_KEY) if k.name == "database-logs-key")
        assert key.inputs["enableKeyRotation"] is True
        for group in groups.values():
            assert group.inputs["retentionInDays"] == retention
            assert group.property_dependencies["kmsKeyId"] == (key.urn,)
            assert group.outputs["tagsAll"]["Environment"] == stack
        database = run.one(DB_INSTANCE)
        assert {g.urn for g in groups.values()} <= set(database.dependencies)


def test_the_logs_key_admits_cloudwatch_logs_for_this_database_only(dev_run: ProgramRun) -> None:
    key = next(k for k in dev_run.of_type(KMS_KEY) if k.name == "database-logs-key")
    statements = json.loads(key.inputs["policy"])["Statement"]
    logs = next(s for s in statements if s["Principal"].get("Service"))
    assert logs["Principal"]["Service"] == "logs.us-east-1.amazonaws.com"
    assert logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] == (
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/rds/instance/bastion-db-dev/*"
    )


def test_final_snapshot_name_is_drawn_once_per_instance_life(prod_run: ProgramRun) -> None:
    """A destroy deletes the random suffix with the instance, so the next create of
    the stack draws a new one: the second teardown does not reuse a snapshot name."""
    database = prod_run.one(DB_INSTANCE)
    name = database.inputs["finalSnapshotIdentifier"]
    suffix = prod_run.one(RANDOM_ID)
    assert name == f"bastion-db-prod-final-{suffix.outputs['hex']}"
    assert SNAPSHOT_NAME.fullmatch(name)
    assert database.property_dependencies["finalSnapshotIdentifier"] == (suffix.urn,)
    assert "keepers" not in suffix.inputs  # nothing but a new instance's life redraws it
    assert suffix.parent == prod_run.named("database").urn


def test_a_major_upgrade_is_an_in_place_change_with_a_new_parameter_group(
    run_stack: RunStack,
) -> None:
    before = run_stack("prod", dbEngineVersion="16")
    after = run_stack("prod", dbEngineVersion="17", dbAllowMajorVersionUpgrade="true")
    old_db, new_db = before.one(DB_INSTANCE), after.one(DB_INSTANCE)
    assert old_db.urn == new_db.urn and old_db.inputs["identifier"] == new_db.inputs["identifier"]
    assert old_db.inputs["allowMajorVersionUpgrade"] is False
    assert (new_db.inputs["engineVersion"], new_db.inputs["allowMajorVersionUpgrade"]) == (
        "17",
        True,
    )
    old_pg, new_pg = before.one(DB_PARAMETER_GROUP), after.one(DB_PARAMETER_GROUP)
    assert (old_pg.inputs["family"], new_pg.inputs["family"]) == ("postgres16", "postgres17")
    # The family is replace-only, so the group is created anew under a fresh name
    # before the old one goes: a name prefix, never a fixed name.
    assert "name" not in new_pg.inputs and new_pg.inputs["namePrefix"] == "bastion-db-prod-"
    assert new_db.property_dependencies["parameterGroupName"] == (new_pg.urn,)
    # The bastion's client follows, by a stop and start of the same instance.
    assert old_db.inputs["identifier"] == "bastion-db-prod"
    assert "for p in postgresql17 " in after.one(INSTANCE).inputs["userData"]
    assert after.one(INSTANCE).inputs["userDataReplaceOnChange"] is False


def test_prod_keeps_its_automated_backups_when_the_instance_goes(
    dev_run: ProgramRun, prod_run: ProgramRun
) -> None:
    assert prod_run.one(DB_INSTANCE).inputs["deleteAutomatedBackups"] is False
    assert dev_run.one(DB_INSTANCE).inputs["deleteAutomatedBackups"] is True


def test_windows_and_apply_immediately_are_chosen(
    dev_run: ProgramRun, prod_run: ProgramRun
) -> None:
    for run, immediately in ((dev_run, True), (prod_run, False)):
        db = run.one(DB_INSTANCE).inputs
        assert db["backupWindow"] == "03:00-03:30"
        assert db["maintenanceWindow"] == "sun:04:00-sun:04:30"
        assert db["applyImmediately"] is immediately


def test_performance_and_database_insights(prod_run: ProgramRun, dev_run: ProgramRun) -> None:
    prod = prod_run.one(DB_INSTANCE).inputs
    assert prod["performanceInsightsEnabled"] is True
    assert prod["performanceInsightsRetentionPeriod"] == 7
    assert prod["databaseInsightsMode"] == "standard"
    dev = dev_run.one(DB_INSTANCE).inputs
    assert dev["performanceInsightsEnabled"] is False
    assert "performanceInsightsRetentionPeriod" not in dev


def test_a_pinned_version_turns_automatic_minor_upgrades_off(
    run_stack: RunStack, dev_run: ProgramRun
) -> None:
    from tests.program.test_aws_rules import newest_pinnable

    full = newest_pinnable("postgres", "16")
    db = run_stack("dev", dbEngineVersion=full).one(DB_INSTANCE).inputs
    assert (db["engineVersion"], db["autoMinorVersionUpgrade"]) == (full, False)
    default = dev_run.one(DB_INSTANCE).inputs
    assert (default["engineVersion"], default["autoMinorVersionUpgrade"]) == ("16", True)


def test_a_new_image_release_does_not_replace_the_bastion(
    dev_run: ProgramRun, run_stack: RunStack
) -> None:
    bastion = dev_run.one(INSTANCE)
    assert bastion.ignore_changes == ("ami",)
    pinned = run_stack("dev", bastionAmiId="ami-0123456789abcdef0").one(INSTANCE)
    assert pinned.inputs["ami"] == "ami-0123456789abcdef0"
    assert pinned.ignore_changes == ()
    assert pinned.urn == bastion.urn


def test_mysql_client_and_uri_require_tls(run_stack_once: RunStack) -> None:
    outputs = run_stack_once("dev", dbEngine="mysql").outputs
    assert outputs["dbClientCommand"].startswith("mysql --ssl-mode=REQUIRED ")
    assert outputs["dbConnectionUri"].value.endswith("?ssl-mode=REQUIRED")


def test_own_public_key_tunnel_names_no_key_file(run_stack: RunStack) -> None:
    from tests.program.test_aws_rules import ED25519

    outputs = run_stack("dev", sshPublicKey=ED25519).outputs
    assert outputs["sshTunnelCommand"].startswith("ssh -N -f -o ExitOnForwardFailure=yes -L 5432:")
    assert "writeSshKeyCommand" not in outputs


# CreateSecurityGroup GroupDescription and the rules' Description: up to 255 of
# a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*
# (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html).
EC2_DESCRIPTION = re.compile(r"^[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{0,255}$")


def test_security_group_descriptions_use_the_characters_ec2_accepts(
    dev_run: ProgramRun, prod_run: ProgramRun
) -> None:
    described = [
        r
        for run in (dev_run, prod_run)
        for r in run.resources
        if r.type.startswith(("aws:ec2/securityGroup", "aws:vpc/securityGroup"))
    ]
    assert len(described) >= 5
    for resource in described:
        assert EC2_DESCRIPTION.fullmatch(resource.inputs["description"]), resource.name
