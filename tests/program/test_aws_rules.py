"""What AWS or the provider would refuse is refused first, by the settings, with
the key the user edits, the bad value and what RDS, EC2 or IAM accept.

Each case names the rule's source beside it; the sources are cited in full
beside the code that encodes them (settings/).
"""

from __future__ import annotations

import base64
import datetime
import struct

import pytest

from bastion_db import aws_facts
from bastion_db.checks import validate
from bastion_db.checks.load import load_settings
from bastion_db.checks.model import StackSettings
from bastion_db.checks.reserved_names import POSTGRES_RESERVED_KEYWORDS, is_reserved_username
from settings import ConfigError
from settings.reader import ConfigReader
from tests.conftest import stack_config
from tests.program.test_settings import settings_for


def _ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _public_key(key_type: str, *fields: bytes) -> str:
    blob = _ssh_string(key_type.encode()) + b"".join(_ssh_string(f) for f in fields)
    return f"{key_type} {base64.b64encode(blob).decode()} someone@laptop"


def _rsa_key(bits: int) -> str:
    modulus = (1 << (bits - 1)) | 1
    return _public_key("ssh-rsa", b"\x01\x00\x01", b"\x00" + modulus.to_bytes(bits // 8, "big"))


ED25519 = _public_key("ssh-ed25519", b"\x11" * 32)
ECDSA = _public_key("ecdsa-sha2-nistp256", b"nistp256", b"\x04" + b"\x22" * 64)


def refused(stack: str = "dev", **overrides: str) -> str:
    with pytest.raises(ConfigError) as raised:
        settings_for(stack, **overrides)
    return str(raised.value)


def newest_pinnable(engine: str, major: str) -> str:
    """The newest full version RDS offers for new instances of a major."""
    deprecated = aws_facts.deprecated_engine_versions(engine)
    return [
        v
        for v in aws_facts.engine_versions(engine)
        if aws_facts.major_of(engine, v) == major and v != major and v not in deprecated
    ][-1]


# --- RDS storage (USER_PIOPS.Autoscaling: the ceiling is at least 10 % above) --------


def test_autoscaling_ceiling_must_be_ten_percent_above_allocated_storage() -> None:
    message = refused(dbAllocatedStorageGib="20", dbMaxAllocatedStorageGib="21")
    assert "bastion-db:dbMaxAllocatedStorageGib" in message
    assert "21" in message and "22 to 65536" in message
    assert settings_for(dbMaxAllocatedStorageGib="22").database.max_allocated_storage_gib == 22
    assert "55 to 65536" in refused(dbAllocatedStorageGib="50", dbMaxAllocatedStorageGib="54")


# --- Performance Insights and Database Insights per engine and class --------------------


def test_performance_insights_is_refused_where_rds_does_not_offer_it() -> None:
    message = refused(
        dbEngine="mysql", dbInstanceClass="db.t4g.micro", dbPerformanceInsights="true"
    )
    assert "bastion-db:dbPerformanceInsights" in message
    assert "mysql on db.t4g.micro" in message
    assert settings_for(
        dbEngine="mysql", dbInstanceClass="db.t4g.medium", dbPerformanceInsights="true"
    ).database.performance_insights


def test_advanced_database_insights_needs_performance_insights_kept_465_days() -> None:
    assert "dbPerformanceInsights" in refused(dbDatabaseInsightsMode="advanced")
    db = settings_for(
        "prod", dbDatabaseInsightsMode="advanced", dbPerformanceInsights="true"
    ).database
    assert db.database_insights_mode == "advanced"
    assert db.performance_insights_retention_days == 465
    assert settings_for("prod").database.performance_insights_retention_days == 7
    assert "'standard', 'advanced'" in refused(dbDatabaseInsightsMode="premium")


# --- EC2 ImportKeyPair: RSA and ED25519 only ------------------------------------------------


def test_ecdsa_public_keys_are_refused_since_ec2_cannot_import_them() -> None:
    message = refused(sshPublicKey=ECDSA)
    assert "bastion-db:sshPublicKey" in message and "no ECDSA" in message
    assert settings_for(sshPublicKey=ED25519).access.ssh_public_key == " ".join(ED25519.split()[:2])


def test_rsa_keys_must_be_a_length_ec2_imports_and_the_pack_accepts() -> None:
    assert "4096 bits" in refused(sshPublicKey=_rsa_key(3072))
    assert "4096 bits" in refused(sshPublicKey=_rsa_key(2048))
    assert settings_for(sshPublicKey=_rsa_key(4096)).access.ssh_public_key


# --- Master user and database names per engine ------------------------------------------


@pytest.mark.parametrize("name", ["admin", "rdsadmin", "rds_superuser", "pg_monitor", "user"])
def test_postgres_refuses_the_names_rds_or_postgresql_reserve(name: str) -> None:
    message = refused(dbUsername=name)
    assert "bastion-db:dbUsername" in message and repr(name) in message
    assert "e.g. postgres_admin" in message


def test_admin_is_a_fine_master_user_for_mysql_but_rdsadmin_is_not() -> None:
    assert settings_for(dbEngine="mysql", dbUsername="admin").database.master_username == "admin"
    assert "rdsadmin" in refused(dbEngine="mysql", dbUsername="rdsadmin")


def test_master_user_length_follows_the_engine() -> None:
    assert "at most 16 for mysql" in refused(dbEngine="mysql", dbUsername="a" * 17)
    assert settings_for(dbUsername="a" * 16).database.master_username == "a" * 16
    assert "at most 16 for postgres" in refused(dbUsername="a" * 17)


def test_database_name_may_not_be_a_reserved_word() -> None:
    assert "bastion-db:dbName" in refused(dbName="select")
    assert "at most 64 for mysql" in refused(dbEngine="mysql", dbName="d" * 65)


def test_postgres_reserved_words_equal_the_postgresql_parsers_own_list() -> None:
    """pglast ships the keyword list of PostgreSQL's own parser (kwlist.h)."""
    keywords = pytest.importorskip("pglast.keywords")
    assert frozenset(keywords.RESERVED_KEYWORDS) == POSTGRES_RESERVED_KEYWORDS
    assert is_reserved_username("postgres", "Analyse")
    assert not is_reserved_username("postgres", "postgres")


# --- Names built from <projectName>-<stack> ------------------------------------------------


def test_name_prefix_fits_the_iam_role_name_prefix_limit() -> None:
    # 'bastion-db-dev' + '-bastion-' is fine; 26 characters + 'dev' is not.
    message = refused(projectName="a" * 26)
    assert "bastion-db:projectName" in message
    assert "at most 29" in message and "(here 30)" in message
    assert settings_for(projectName="a" * 25).name_prefix == "a" * 25 + "-dev"


def test_a_prefix_ec2_would_take_for_a_group_id_is_refused() -> None:
    assert "sg-" in refused(projectName="sg")


@pytest.mark.parametrize("name", ["bad--name", "Bad", "bad-", "9lives"])
def test_project_names_rds_would_refuse_as_an_identifier_are_refused(name: str) -> None:
    assert "single dashes" in refused(projectName=name)


def refused_stack(stack: str, **overrides: str) -> str:
    with pytest.raises(ConfigError) as raised:
        settings_of_stack(stack, **overrides)
    return str(raised.value)


def settings_of_stack(stack: str, **overrides: str) -> StackSettings:
    """dev's stack file under another stack name (the CLI's names, any of them)."""
    values = stack_config("dev", **overrides)
    return load_settings(
        ConfigReader(lambda key: values.get(f"bastion-db:{key}"), "bastion-db"),
        project="bastion-db",
        stack=stack,
        aws_region=values.get("aws:region"),
    )


@pytest.mark.parametrize(
    ("stack", "prefix"),
    [
        ("dev", "bastion-db-dev"),
        ("team_lab", "bastion-db-team-lab"),
        ("lab.v2", "bastion-db-lab-v2"),
        ("Team__Lab.", "bastion-db-team-lab"),
        ("2024", "bastion-db-2024"),
    ],
)
def test_every_stack_name_the_cli_accepts_makes_a_valid_prefix(stack: str, prefix: str) -> None:
    settings = settings_of_stack(stack)
    assert settings.name_prefix == prefix
    # The RDS identifier's rule, the strictest of the names the prefix starts.
    assert validate.NAME.fullmatch(settings.name_prefix)
    # The tag keeps the name as the user wrote it.
    assert settings.environment == stack
    assert settings.tags["Environment"] == stack


def test_the_prefix_can_be_set_instead() -> None:
    assert settings_of_stack("lab.v2", namePrefix="lab2").name_prefix == "lab2"
    message = refused_stack("lab.v2", namePrefix="Lab_2")
    assert "bastion-db:namePrefix" in message and "'Lab_2'" in message
    assert "single dashes" in message


def test_a_stack_name_without_a_letter_or_digit_asks_for_a_prefix() -> None:
    message = refused_stack("_.")
    assert "bastion-db:namePrefix" in message and "'_.'" in message
    assert settings_of_stack("_.", namePrefix="lab").name_prefix == "lab"


def test_a_stack_name_the_cli_refuses_is_refused() -> None:
    message = refused_stack("team/lab")
    assert "stack name" in message and "underscores and periods" in message


def test_a_long_stack_name_is_refused_naming_both_keys() -> None:
    message = refused_stack("a_very_long_stack_name")
    assert "bastion-db:projectName" in message and "(here 33)" in message
    assert "bastion-db:namePrefix" in message


def test_session_manager_mode_refuses_a_prefix_ssm_keeps_for_its_documents() -> None:
    ssm = {"accessMode": "ssm", "sshAllowedCidrs": "[]"}
    message = refused(projectName="aws-lab", **ssm)
    assert "bastion-db:projectName" in message and "aws, amazon, amzn" in message
    assert settings_for(projectName="aws-lab").name_prefix == "aws-lab-dev"
    assert settings_for(namePrefix="lab-dev", **ssm).name_prefix == "lab-dev"


# --- Region and the bastion's instance type -------------------------------------------------


def test_region_must_be_one_aws_has() -> None:
    message = refused(**{"aws:region": "us-east-9"})
    assert "aws:region" in message and "'us-east-9'" in message and "eu-west-1" in message
    assert settings_for(**{"aws:region": "eu-west-1"}).region == "eu-west-1"


def test_bastion_type_must_be_offered_in_the_region() -> None:
    assert "t3.micro" in refused(bastionInstanceType="t3.nonexistent")
    assert "t3.micro" in aws_facts.ec2_instance_types("us-east-1")


def test_a_pinned_bastion_image_must_look_like_an_ami_id() -> None:
    assert "ami-0123456789abcdef0" in refused(bastionAmiId="al2023")
    pinned = settings_for(bastionAmiId="ami-0123456789abcdef0").bastion
    assert pinned.ami_id == "ami-0123456789abcdef0"
    assert settings_for().bastion.ami_id is None


# --- Engine versions (aws_facts) and the version policy ----------------------------------


def test_a_major_keeps_automatic_minor_upgrades_and_a_full_version_pins() -> None:
    major = settings_for(dbEngineVersion="16").database
    assert (major.engine_version, major.auto_minor_version_upgrade) == ("16", True)
    full = newest_pinnable("postgres", "16")
    pinned = settings_for(dbEngineVersion=full).database
    assert (pinned.engine_version, pinned.major_version) == (full, "16")
    assert pinned.auto_minor_version_upgrade is False


def test_postgres_18_is_accepted_because_rds_offers_it() -> None:
    assert "18" in aws_facts.major_versions("postgres")
    db = settings_for(dbEngineVersion="18").database
    assert (db.major_version, db.engine.family_for(db.major_version)) == ("18", "postgres18")


def test_versions_rds_does_not_offer_are_refused_with_the_offered_majors() -> None:
    message = refused(dbEngineVersion="9.6")
    assert "bastion-db:dbEngineVersion" in message and "16" in message and "18" in message
    assert "'16.x'" in refused(dbEngineVersion="16.x")


def test_mysql_defaults_to_a_major_in_standard_support() -> None:
    db = settings_for(dbEngine="mysql").database
    assert db.major_version == "8.4" and db.engine_version == "8.4"
    ends = aws_facts.end_of_standard_support("mysql", "8.4")
    assert ends is None or ends > datetime.date.today()


def test_a_major_past_standard_support_needs_an_explicit_yes_to_extended_support() -> None:
    message = refused(dbEngine="mysql", dbEngineVersion="8.0")
    assert "2026-07-31" in message and "bastion-db:dbAllowExtendedSupport" in message
    accepted = settings_for(dbEngine="mysql", dbEngineVersion="8.0", dbAllowExtendedSupport="true")
    assert accepted.database.major_version == "8.0"


# --- DB instance classes: any class RDS offers (DescribeOrderableDBInstanceOptions and
# the Price List, through cfn-lint's data: aws_facts/refresh.py) ------------------------

LIST_POSTGRES_16 = "(list them: python -m bastion_db.aws_facts.list_classes postgres 16 us-east-1)"


@pytest.mark.parametrize(
    ("engine", "version"), [("postgres", "16"), ("postgres", "17"), ("mysql", "8.4")]
)
@pytest.mark.parametrize(
    "instance_class", ["db.m5.large", "db.r6i.large", "db.m7i.large", "db.m9g.large"]
)
def test_any_class_rds_offers_is_accepted(engine: str, version: str, instance_class: str) -> None:
    # db.m9g.large: offered, though bastion-db does not know its memory (its
    # memory alarms are left out with a warning, tests/monitoring).
    accepted = settings_for(
        dbEngine=engine, dbEngineVersion=version, dbInstanceClass=instance_class
    )
    assert accepted.database.instance_class == instance_class


def test_a_class_rds_offers_for_another_engine_version_only_is_refused_exactly() -> None:
    # db.r4 is orderable for MySQL 5.7, never for PostgreSQL 16.
    assert "db.r4.large" in aws_facts.orderable_instance_classes("mysql", "5.7", "us-east-1")
    assert "db.r4.large" not in aws_facts.orderable_instance_classes("postgres", "16")
    assert refused(dbInstanceClass="db.r4.large") == (
        "config key 'bastion-db:dbInstanceClass': got 'db.r4.large'; expected a class RDS "
        f"offers for postgres 16 in us-east-1; RDS does not offer it there {LIST_POSTGRES_16}"
    )


def test_a_class_rds_does_not_offer_in_the_region_is_refused_exactly() -> None:
    # RDS prices db.m7i for PostgreSQL in us-east-1 but not in Cape Town.
    assert "db.m7i.large" not in aws_facts.orderable_instance_classes(
        "postgres", "16", "af-south-1"
    )
    assert refused(**{"aws:region": "af-south-1", "dbInstanceClass": "db.m7i.large"}) == (
        "config key 'bastion-db:dbInstanceClass': got 'db.m7i.large'; expected a class RDS "
        "offers for postgres 16 in af-south-1; RDS does not offer it there "
        "(list them: python -m bastion_db.aws_facts.list_classes postgres 16 af-south-1)"
    )


def test_a_class_rds_never_offers_for_these_engines_is_refused_without_a_guess() -> None:
    assert refused(dbInstanceClass="db.x1e.32xlarge") == (
        "config key 'bastion-db:dbInstanceClass': got 'db.x1e.32xlarge'; expected a class RDS "
        f"offers for postgres 16 in us-east-1 {LIST_POSTGRES_16}"
    )


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("db.m5.larg", "db.m5.large"),
        ("db.t4g.mirco", "db.t4g.micro"),
        ("r6i.large", "db.r6i.large"),
    ],
)
def test_a_typo_gets_a_did_you_mean(typo: str, meant: str) -> None:
    assert refused(dbInstanceClass=typo) == (
        f"config key 'bastion-db:dbInstanceClass': got '{typo}'; expected a class RDS offers "
        f"for postgres 16 in us-east-1: did you mean '{meant}'? {LIST_POSTGRES_16}"
    )


def test_the_refusal_stays_short() -> None:
    # The old refusal listed every allowed class (about 500 characters).
    assert len(refused(dbInstanceClass="db.m5.larg")) < 250


# --- Windows (CreateDBInstance: 30 minutes at least, no overlap) ---------------------------


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("dbBackupWindow", "3:00-3:30", "hh24:mi-hh24:mi"),
        ("dbBackupWindow", "03:00-03:20", "at least 30 minutes"),
        ("dbMaintenanceWindow", "sunday:04:00-sunday:05:00", "ddd:hh24:mi-ddd:hh24:mi"),
        ("dbMaintenanceWindow", "sun:04:00-sun:04:29", "at least 30 minutes"),
        ("dbMaintenanceWindow", "mon:03:15-mon:03:45", "does not overlap"),
    ],
)
def test_bad_windows_are_refused(key: str, value: str, expected: str) -> None:
    message = refused(**{key: value})
    assert f"bastion-db:{key}" in message and expected in message


def test_windows_may_cross_midnight_and_are_stored_lower_case() -> None:
    assert settings_for(dbBackupWindow="23:45-00:15").database.backup_window == "23:45-00:15"
    db = settings_for(dbMaintenanceWindow="Sat:23:00-Sun:01:00").database
    assert db.maintenance_window == "sat:23:00-sun:01:00"
    assert "does not overlap" in refused(
        dbBackupWindow="23:45-00:15", dbMaintenanceWindow="sat:23:00-sat:23:50"
    )


# --- CloudWatch Logs retention (PutRetentionPolicy's values) -------------------------------


def test_log_retention_must_be_a_period_cloudwatch_logs_offers() -> None:
    message = refused(dbLogRetentionDays="10")
    assert "bastion-db:dbLogRetentionDays" in message and "14" in message
    assert settings_for(dbLogRetentionDays="731").database.log_retention_days == 731
