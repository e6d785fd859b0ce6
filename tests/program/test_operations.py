"""Running the database for years: restore, the master secret and its rotation,
IAM database authentication, customer-managed keys.

The refusals are fed through the real settings loader and their messages read;
the shapes are asserted on what the real program registers against the fake
AWS world (tests/conftest.py).
"""

from __future__ import annotations

import datetime
import json

import pytest

from bastion_db.checks.model import PointInTimeRestore, SnapshotRestore
from bastion_db.checks.restore import parse_restore
from offline.fake_aws import lab_world
from offline.runner import ProgramRun
from offline.snapshot import SecretValue
from settings import ConfigError, ConfigReader
from tests.conftest import RunStack
from tests.program.test_settings import settings_for
from tests.program.types import DB_INSTANCE, PASSWORD

KMS_KEY = "aws:kms/key:Key"
KMS_ALIAS = "aws:kms/alias:Alias"
IAM_POLICY = "aws:iam/policy:Policy"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"

# aws_db_instance arguments the provider replaces the instance for (ForceNew in
# terraform-provider-aws internal/service/rds/instance.go; /work/wt/research-rules.md),
# as the engine names them.
REPLACE_ONLY_INPUTS = (
    "availabilityZone",
    "backupTarget",
    "characterSetName",
    "customIamInstanceProfile",
    "dbName",
    "engine",
    "kmsKeyId",
    "ncharCharacterSetName",
    "restoreToPointInTime",
    "s3Import",
    "snapshotIdentifier",
    "storageEncrypted",
    "timezone",
    "username",
)

# Well in the past on any clock the tests may run on (the settings refuse the future).
PAST = "2024-11-30T23:45:00Z"


def reader_of(values: dict[str, str]) -> ConfigReader:
    return ConfigReader(values.get, "bastion-db")


def refused(stack: str = "dev", **overrides: str) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        settings_for(stack, **overrides)
    return raised.value


def replace_only(run: ProgramRun) -> dict[str, object]:
    inputs = run.one(DB_INSTANCE).inputs
    return {name: inputs.get(name) for name in REPLACE_ONLY_INPUTS}


# --- restore: settings ----------------------------------------------------------------


def from_instance(source: str = "bastion-db-prod", time: str = "latest") -> dict[str, str]:
    return {"dbRestoreFromInstance": source, "dbRestoreTime": time}


BAD_RESTORES = [
    # (overrides, the key named, words the message must contain)
    (
        {"dbRestoreFromSnapshot": "snap-1", "dbRestoreFromInstance": "bastion-db-prod"},
        "dbRestoreFromInstance",
        "not both",
    ),
    ({"dbRestoreFromSnapshot": "1-starts-with-a-digit"}, "dbRestoreFromSnapshot", "a letter"),
    ({"dbRestoreFromSnapshot": "two--hyphens"}, "dbRestoreFromSnapshot", "single hyphens"),
    ({"dbRestoreFromSnapshot": "ends-with-"}, "dbRestoreFromSnapshot", "255"),
    ({"dbRestoreFromSnapshot": "a" * 256}, "dbRestoreFromSnapshot", "at most 255"),
    (
        {"dbRestoreFromSnapshot": "arn:aws:rds:us-east-1:12345:snapshot:x"},
        "dbRestoreFromSnapshot",
        "shared snapshot's ARN",
    ),
    (
        {"dbRestoreFromSnapshot": "snap-1", "dbRestoreTime": PAST},
        "dbRestoreTime",
        "dbRestoreFromInstance instead",
    ),
    ({"dbRestoreTime": PAST}, "dbRestoreTime", "names the instance to restore"),
    ({"dbRestoreFromInstance": "bastion-db-prod"}, "dbRestoreTime", "'latest' or a UTC"),
    (from_instance("a" * 64), "dbRestoreFromInstance", "at most 63"),
    (from_instance("db_underscore"), "dbRestoreFromInstance", "resource id"),
    (from_instance(time="yesterday"), "dbRestoreTime", "2026-11-30T23:45:00Z"),
    (from_instance(time="2026-11-30T23:45:00"), "dbRestoreTime", "in UTC"),
    (from_instance(time="2026-11-30T23:45:00+02:00"), "dbRestoreTime", "in UTC"),
    (from_instance(time="2026-11-30"), "dbRestoreTime", "in UTC"),
    (from_instance(time="2999-01-01T00:00:00Z"), "dbRestoreTime", "only to the past"),
    (
        {"dbRestoreFromSnapshot": "snap-1", "dbStorageKmsKey": "customer-managed"},
        "dbStorageKmsKey",
        "copy-db-snapshot --kms-key-id",
    ),
]


@pytest.mark.parametrize("overrides, key, words", BAD_RESTORES)
def test_each_bad_restore_is_refused_naming_its_key(
    overrides: dict[str, str], key: str, words: str
) -> None:
    error = refused(**overrides)
    assert error.key == f"bastion-db:{key}"
    assert words in str(error)


def test_every_restore_form_rds_accepts_is_read() -> None:
    snapshots = [
        "bastion-db-prod-before-upgrade",
        "rds:bastion-db-prod-2026-11-30-03-05",
        "arn:aws:rds:us-east-1:123456789012:snapshot:shared-copy",
        "arn:aws-us-gov:rds:us-gov-west-1:123456789012:snapshot:rds:gov-2026-11-30-03-05",
    ]
    for snapshot in snapshots:
        restore = settings_for(dbRestoreFromSnapshot=snapshot).database.restore
        assert restore == SnapshotRestore(snapshot)
    sources = {
        "bastion-db-prod": "identifier",
        "db-ABCDEFGHIJKLMNOPQRSTUVWXY0": "resource-id",
        "arn:aws:rds:us-east-1:123456789012:auto-backup:ab-L2IJCEXJP7XQ7HOJ4SIEXAMPLE": (
            "automated-backups-arn"
        ),
    }
    for source, kind in sources.items():
        restore = settings_for(
            dbRestoreFromInstance=source, dbRestoreTime="LATEST"
        ).database.restore
        assert restore == PointInTimeRestore(source, kind, None)  # type: ignore[arg-type]


def test_a_restore_time_is_normalised_to_rfc3339_utc() -> None:
    now = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    for written in ("2026-11-30T23:45:00Z", "2026-11-30T23:45:00+00:00", "2026-11-30 23:45:00Z"):
        values = {"dbRestoreFromInstance": "bastion-db-prod", "dbRestoreTime": written}
        if " " in written:  # a date and a time, but not as RFC 3339 writes them
            with pytest.raises(ConfigError):
                parse_restore(reader_of(values), now)
            continue
        restore = parse_restore(reader_of(values), now)
        assert isinstance(restore, PointInTimeRestore)
        assert restore.restore_time == "2026-11-30T23:45:00Z"


# --- restore: what is registered --------------------------------------------------------


def test_a_snapshot_restore_sends_no_names_and_ignores_later_restore_edits(
    run_stack: RunStack,
) -> None:
    run = run_stack("dev", dbRestoreFromSnapshot="rds:bastion-db-prod-2026-11-30-03-05")
    database = run.one(DB_INSTANCE)
    assert database.inputs["snapshotIdentifier"] == "rds:bastion-db-prod-2026-11-30-03-05"
    assert "restoreToPointInTime" not in database.inputs
    # The source's names stay: sending ours could only plan a replacement.
    assert "username" not in database.inputs and "dbName" not in database.inputs
    assert {"snapshotIdentifier", "restoreToPointInTime"} <= set(database.ignore_changes)
    # The stack still sets its own password, network and parameters on the copy.
    assert isinstance(database.inputs["password"], SecretValue)
    assert database.inputs["vpcSecurityGroupIds"] and database.inputs["parameterGroupName"]
    # Outputs and commands name what RDS reports for the restored instance.
    names = lab_world().restore_source_names
    assert (run.outputs["dbMasterUsername"], run.outputs["dbName"]) == names
    assert f"user={names[0]}" in run.outputs["dbClientCommand"]
    assert run.outputs["dbConnectionUri"].value.startswith(f"postgresql://{names[0]}:")


def test_a_point_in_time_restore_names_its_source_and_time(run_stack: RunStack) -> None:
    at_time = run_stack("dev", dbRestoreFromInstance="bastion-db-prod", dbRestoreTime=PAST)
    block = at_time.one(DB_INSTANCE).inputs["restoreToPointInTime"]
    assert block == {"sourceDbInstanceIdentifier": "bastion-db-prod", "restoreTime": PAST}
    arn = "arn:aws:rds:us-east-1:123456789012:auto-backup:ab-L2IJCEXJP7XQ7HOJ4SIEXAMPLE"
    latest = run_stack("dev", dbRestoreFromInstance=arn, dbRestoreTime="latest")
    assert latest.one(DB_INSTANCE).inputs["restoreToPointInTime"] == {
        "sourceDbInstanceAutomatedBackupsArn": arn,
        "useLatestRestorableTime": True,
    }
    by_id = run_stack("dev", dbRestoreFromInstance="db-ABC123", dbRestoreTime="latest")
    assert by_id.one(DB_INSTANCE).inputs["restoreToPointInTime"]["sourceDbiResourceId"] == (
        "db-ABC123"
    )
    for run in (at_time, latest, by_id):
        database = run.one(DB_INSTANCE)
        assert "username" not in database.inputs and "dbName" not in database.inputs
        assert "snapshotIdentifier" not in database.inputs


def test_the_restore_inputs_are_ignored_on_every_stack_so_adding_them_later_does_nothing(
    dev_run: ProgramRun, run_stack: RunStack
) -> None:
    """An existing stack that gains restore keys keeps its database: the engine
    keeps the stored (absent) values of the ignored inputs, and the names the
    program stops sending are Optional+Computed, so nothing replace-only changes."""
    fresh = dev_run.one(DB_INSTANCE)
    assert {"snapshotIdentifier", "restoreToPointInTime"} <= set(fresh.ignore_changes)
    later = run_stack("dev", dbRestoreFromSnapshot="bastion-db-prod-copy").one(DB_INSTANCE)
    assert later.urn == fresh.urn
    assert later.inputs["identifier"] == fresh.inputs["identifier"]


# --- credentials -----------------------------------------------------------------------


def test_prod_defaults_to_the_rds_managed_secret_and_dev_to_a_generated_password(
    prod_run: ProgramRun, dev_run: ProgramRun
) -> None:
    prod = prod_run.one(DB_INSTANCE).inputs
    assert prod["manageMasterUserPassword"] is True and "password" not in prod
    assert prod_run.of_type(PASSWORD) == []
    for gone in ("dbMasterPassword", "dbConnectionUri"):
        assert gone not in prod_run.outputs
    arn = prod_run.outputs["dbMasterSecretArn"]
    assert arn.startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!")
    assert prod_run.outputs["dbMasterPasswordCommand"] == (
        f"aws secretsmanager get-secret-value --region us-east-1 --secret-id {arn} "
        "--query SecretString --output text | jq -r .password"
    )
    dev = dev_run.one(DB_INSTANCE).inputs
    assert isinstance(dev["password"], SecretValue) and "manageMasterUserPassword" not in dev
    assert dev_run.of_type(SECRET_ROTATION) == []
    assert "dbMasterPasswordCommand" not in dev_run.outputs


def test_the_managed_secret_rotates_on_the_configured_schedule(
    prod_run: ProgramRun, run_stack: RunStack
) -> None:
    rotation = prod_run.one(SECRET_ROTATION)
    assert rotation.inputs["rotationRules"] == {"automaticallyAfterDays": 7}
    assert rotation.inputs["secretId"] == prod_run.outputs["dbMasterSecretArn"]
    assert rotation.property_dependencies["secretId"] == (prod_run.one(DB_INSTANCE).urn,)
    assert rotation.inputs["rotateImmediately"] is False
    assert "rotationLambdaArn" not in rotation.inputs  # RDS's managed rotation, no Lambda
    monthly = run_stack("prod", dbPasswordRotationDays="30").one(SECRET_ROTATION)
    assert monthly.inputs["rotationRules"] == {"automaticallyAfterDays": 30}
    dev = run_stack("dev", dbPasswordMode="secrets-manager", dbPasswordRotationDays="365")
    assert dev.one(SECRET_ROTATION).inputs["rotationRules"] == {"automaticallyAfterDays": 365}


@pytest.mark.parametrize(
    "stack, days, words",
    [
        ("prod", "91", "at most 90 days in the prod profile"),
        ("dev", "0", "1 to 1000"),
        ("dev", "1001", "1 to 1000"),
        ("dev", "weekly", "whole number"),
    ],
)
def test_rotation_schedules_aws_or_prod_would_refuse_are_refused(
    stack: str, days: str, words: str
) -> None:
    error = refused(stack, dbPasswordRotationDays=days)
    assert error.key == "bastion-db:dbPasswordRotationDays" and words in str(error)


def test_switching_prod_from_a_generated_password_to_the_managed_secret_is_in_place(
    run_stack: RunStack, prod_run: ProgramRun
) -> None:
    before = run_stack("prod", dbPasswordMode="random")
    after = prod_run
    assert before.one(DB_INSTANCE).urn == after.one(DB_INSTANCE).urn
    # Only arguments the provider modifies in place differ (password,
    # manage_master_user_password: ModifyDBInstance); nothing replace-only does.
    assert replace_only(before) == replace_only(after)
    changed = {
        key
        for key in set(before.one(DB_INSTANCE).inputs) | set(after.one(DB_INSTANCE).inputs)
        if before.one(DB_INSTANCE).inputs.get(key) != after.one(DB_INSTANCE).inputs.get(key)
    }
    assert changed == {"password", "manageMasterUserPassword"}


# --- IAM database authentication --------------------------------------------------------


def test_the_connect_policy_allows_one_user_on_this_instance_only(prod_run: ProgramRun) -> None:
    policy = next(p for p in prod_run.of_type(IAM_POLICY) if p.name.endswith("-connect-policy"))
    database = prod_run.one(DB_INSTANCE)
    resource_id = database.outputs["resourceId"]
    assert resource_id.startswith("db-")
    document = json.loads(policy.inputs["policy"])
    assert document["Statement"] == [
        {
            "Sid": "ConnectAsOneDatabaseUser",
            "Effect": "Allow",
            "Action": "rds-db:connect",
            "Resource": f"arn:aws:rds-db:us-east-1:123456789012:dbuser:{resource_id}/app_iam",
        }
    ]
    assert policy.property_dependencies["policy"] == (database.urn,)
    assert policy.inputs["namePrefix"] == "bastion-db-prod-db-connect-"
    outputs = prod_run.outputs
    assert outputs["dbIamUsername"] == "app_iam"
    assert outputs["dbIamConnectPolicyArn"] == policy.outputs["arn"]
    host = outputs["dbHost"]
    token = (
        f"aws rds generate-db-auth-token --region us-east-1 --hostname {host} "
        "--port 5432 --username app_iam"
    )
    assert outputs["dbAuthTokenCommand"] == token
    assert outputs["dbIamClientCommand"] == (
        f'PGPASSWORD="$({token})" psql "host=localhost port=5432 dbname=postgres '
        'user=app_iam sslmode=require"'
    )


def test_mysql_iam_sign_in_uses_the_cleartext_plugin_over_tls(run_stack: RunStack) -> None:
    outputs = run_stack("dev", dbEngine="mysql", dbIamUsername="reporting").outputs
    assert outputs["dbIamUsername"] == "reporting"
    command = outputs["dbIamClientCommand"]
    assert command.startswith("mysql --ssl-mode=REQUIRED --enable-cleartext-plugin ")
    assert "-u reporting " in command and "--username reporting" in command


def test_no_policy_without_iam_authentication(run_stack_once: RunStack) -> None:
    run = run_stack_once("dev", dbIamAuthentication="false")
    assert run.of_type(IAM_POLICY) == []
    assert "dbAuthTokenCommand" not in run.outputs


@pytest.mark.parametrize(
    "overrides, words",
    [
        ({"dbIamUsername": "App_IAM"}, "lower-case"),
        ({"dbIamUsername": "1app"}, "a letter first"),
        ({"dbIamUsername": "a" * 64}, "at most 63 for postgres"),
        ({"dbEngine": "mysql", "dbIamUsername": "a" * 33}, "at most 32 for mysql"),
        ({"dbIamUsername": "rds_iam"}, "do not reserve"),
        ({"dbIamUsername": "pg_monitor"}, "do not reserve"),
        ({"dbIamUsername": "postgres_admin"}, "other than the master user"),
        ({"dbIamAuthentication": "false", "dbIamUsername": "app_iam"}, "is false"),
    ],
)
def test_bad_iam_user_names_are_refused(overrides: dict[str, str], words: str) -> None:
    error = refused(**overrides)
    assert error.key == "bastion-db:dbIamUsername" and words in str(error)


# --- customer-managed keys ---------------------------------------------------------------


def test_no_database_key_unless_asked(prod_run: ProgramRun) -> None:
    keys = [k.name for k in prod_run.of_type(KMS_KEY)]
    assert not any(name.startswith("database-keys-") for name in keys)
    database = prod_run.one(DB_INSTANCE).inputs
    for key in ("kmsKeyId", "performanceInsightsKmsKeyId", "masterUserSecretKmsKeyId"):
        assert key not in database


def test_each_use_gets_its_own_rotating_account_only_key(run_stack_once: RunStack) -> None:
    run = run_stack_once(
        "prod",
        dbStorageKmsKey="customer-managed",
        dbPerformanceInsightsKmsKey="customer-managed",
        dbMasterSecretKmsKey="customer-managed",
    )
    keys = {k.name: k for k in run.of_type(KMS_KEY) if k.name.startswith("database-keys-")}
    assert sorted(keys) == [
        "database-keys-master-secret",
        "database-keys-performance-insights",
        "database-keys-storage",
    ]
    for key in keys.values():
        assert key.inputs["enableKeyRotation"] is True
        assert key.inputs["deletionWindowInDays"] == 30
        statements = json.loads(key.inputs["policy"])["Statement"]
        principals = [s["Principal"] for s in statements]
        assert principals == [{"AWS": "arn:aws:iam::123456789012:root"}]  # nobody else
        assert all(s["Effect"] == "Allow" for s in statements)
    aliases = sorted(a.inputs.get("name", "") for a in run.of_type(KMS_ALIAS))
    assert "alias/bastion-db-prod-storage" in aliases
    database = run.one(DB_INSTANCE)
    wiring = {
        "kmsKeyId": "database-keys-storage",
        "performanceInsightsKmsKeyId": "database-keys-performance-insights",
        "masterUserSecretKmsKeyId": "database-keys-master-secret",
    }
    for argument, key_name in wiring.items():
        assert database.inputs[argument] == keys[key_name].outputs["arn"]
        assert database.property_dependencies[argument] == (keys[key_name].urn,)
    assert database.inputs["storageEncrypted"] is True


def test_turning_the_storage_key_on_later_is_a_replacement_the_stack_cannot_carry_out(
    prod_run: ProgramRun, run_stack: RunStack
) -> None:
    """What a user sees: kmsKeyId is replace-only, so `pulumi preview` plans a
    replace of database-instance. Prod's instance is protected (the engine stops
    there). Elsewhere the replacement is created first (the program overrides
    the bridge's delete-first choice for an explicitly named instance) under the
    same fixed identifier, so RDS refuses to create it (DBInstanceAlreadyExists)
    and the old one stays."""
    later = run_stack("prod", dbStorageKmsKey="customer-managed")
    changed = {
        key for key, value in replace_only(later).items() if replace_only(prod_run)[key] != value
    }
    assert changed == {"kmsKeyId"}
    database = later.one(DB_INSTANCE)
    assert database.protect is True
    assert database.inputs["identifier"] == prod_run.one(DB_INSTANCE).inputs["identifier"]


def test_no_stack_ever_deletes_its_database_before_a_replacement(
    dev_run: ProgramRun, prod_run: ProgramRun
) -> None:
    """dev has no deletion protection and skips the final snapshot: a
    delete-first replacement there would lose the data for good."""
    for run in (dev_run, prod_run):
        database = run.one(DB_INSTANCE)
        assert database.delete_before_replace is False
        assert database.inputs["identifier"] == f"bastion-db-{run.stack}"


@pytest.mark.parametrize(
    "overrides, key, words",
    [
        ({"dbStorageKmsKey": "mine"}, "dbStorageKmsKey", "'aws-managed', 'customer-managed'"),
        (
            {"dbPerformanceInsightsKmsKey": "customer-managed"},
            "dbPerformanceInsightsKmsKey",
            "dbPerformanceInsights is true",
        ),
        (
            {"dbMasterSecretKmsKey": "customer-managed"},
            "dbMasterSecretKmsKey",
            "'secrets-manager'",
        ),
    ],
)
def test_keys_for_data_the_stack_does_not_have_are_refused(
    overrides: dict[str, str], key: str, words: str
) -> None:
    error = refused("dev", **overrides)
    assert error.key == f"bastion-db:{key}" and words in str(error)
