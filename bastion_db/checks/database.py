"""The database keys (``db*``, ``backupRetentionDays``), checked against what
RDS itself accepts for the chosen engine, version, class and region.

Each rule cites the AWS or provider source it comes from; facts that change
with AWS's catalogue (versions, orderable classes, Performance Insights
support) come from :mod:`aws_facts`.
"""

from __future__ import annotations

import datetime
import difflib
import re
from typing import Literal, cast

from bastion_db import aws_facts
from bastion_db.aws_facts.list_classes import command_for
from bastion_db.checks import validate, windows
from bastion_db.checks.credentials import parse_password_mode, parse_rotation_days
from bastion_db.checks.database_keys import parse_database_keys
from bastion_db.checks.engine_version import resolve_engine_version
from bastion_db.checks.engines import ENGINES, EngineSpec
from bastion_db.checks.errors import ConfigError
from bastion_db.checks.iam_auth import parse_iam_username
from bastion_db.checks.model import DatabaseSettings
from bastion_db.checks.operations import parse_operations
from bastion_db.checks.reader import ConfigReader
from bastion_db.checks.reserved_names import (
    is_reserved_username,
    rds_reserved_usernames,
    reserved_words,
)
from bastion_db.checks.restore import parse_restore

# CreateDBInstance, DBName and MasterUsername: a letter, then letters, digits
# or underscores (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html).
IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

# gp3 storage for RDS for PostgreSQL and MySQL: 20 GiB to 64 TiB
# (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#gp3-storage).
MIN_STORAGE_GIB, MAX_STORAGE_GIB = 20, 65536
# Storage autoscaling: the maximum storage threshold must be at least 10 % above
# the allocated storage (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html).
AUTOSCALING_HEADROOM_PERCENT = 10
# CreateDBInstance, Port: 1150-65535 for RDS for MySQL and PostgreSQL.
MIN_PORT, MAX_PORT = 1150, 65535
# CreateDBInstance, BackupRetentionPeriod: 0 to 35 days.
MAX_BACKUP_RETENTION_DAYS = 35
# CreateDBInstance, MonitoringInterval.
MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)
# CloudWatch Logs PutRetentionPolicy, retentionInDays: the only values it takes
# (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html).
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
# Performance Insights' free tier keeps 7 days; Database Insights' advanced mode
# needs more (aws_facts.database_insights_advanced_min_retention_days).
DEFAULT_INSIGHTS_RETENTION_DAYS = 7

# What the prod profile never gives up, whatever its stack file says.
PROD_MIN_BACKUP_RETENTION_DAYS = 7


def parse_database(
    reader: ConfigReader, profile: str, region: str, today: datetime.date | None = None
) -> DatabaseSettings:
    key = reader.full_key
    engine = ENGINES[
        validate.one_of(key("dbEngine"), reader.string("dbEngine") or "", tuple(ENGINES))
    ]
    version = resolve_engine_version(
        key("dbEngineVersion"),
        engine,
        reader.string("dbEngineVersion"),
        extended_support_key=key("dbAllowExtendedSupport"),
        extended_support=reader.boolean("dbAllowExtendedSupport"),
        today=today or datetime.date.today(),
    )
    instance_class = _instance_class(reader, engine, version.major, region)
    storage, max_storage = _storage(reader)
    performance_insights = reader.boolean("dbPerformanceInsights")
    if performance_insights and not aws_facts.performance_insights_supported(
        engine.name, instance_class
    ):
        raise ConfigError(
            key("dbPerformanceInsights"),
            True,
            f"false: RDS does not offer Performance Insights for {engine.name} on "
            f"{instance_class} (choose a larger {key('dbInstanceClass')} to turn it on)",
        )
    insights_mode = cast(
        Literal["standard", "advanced"],
        validate.one_of(
            key("dbDatabaseInsightsMode"),
            reader.string("dbDatabaseInsightsMode") or "",
            aws_facts.database_insights_modes(),
        ),
    )
    if insights_mode == "advanced" and not performance_insights:
        raise ConfigError(
            key("dbDatabaseInsightsMode"),
            insights_mode,
            f"'standard', or {key('dbPerformanceInsights')}: true (advanced mode reads "
            "Performance Insights data kept for "
            f"{aws_facts.database_insights_advanced_min_retention_days()} days)",
        )

    retention = validate.in_range(
        key("backupRetentionDays"),
        reader.integer("backupRetentionDays") or 0,
        0,
        MAX_BACKUP_RETENTION_DAYS,
        "days",
    )
    if profile == "prod" and retention < PROD_MIN_BACKUP_RETENTION_DAYS:
        raise ConfigError(
            key("backupRetentionDays"),
            retention,
            f"at least {PROD_MIN_BACKUP_RETENTION_DAYS} days in the prod profile",
        )
    interval = reader.integer("dbEnhancedMonitoringInterval") or 0
    if interval not in MONITORING_INTERVALS:
        raise ConfigError(
            key("dbEnhancedMonitoringInterval"),
            interval,
            "one of " + ", ".join(map(str, MONITORING_INTERVALS)) + " seconds",
        )
    backup_window, maintenance_window = windows.windows(
        key("dbBackupWindow"),
        reader.string("dbBackupWindow") or "",
        key("dbMaintenanceWindow"),
        reader.string("dbMaintenanceWindow") or "",
    )
    log_retention = reader.integer("dbLogRetentionDays") or 0
    if log_retention not in LOG_RETENTION_DAYS:
        raise ConfigError(
            key("dbLogRetentionDays"),
            log_retention,
            "one of CloudWatch Logs' retention periods: "
            + ", ".join(map(str, LOG_RETENTION_DAYS))
            + " days",
        )
    max_connections = reader.integer("dbMaxConnections") or None
    if max_connections is not None:
        validate.in_range(key("dbMaxConnections"), max_connections, 10, 100000)
    master_username = _master_username(reader, engine)
    iam_authentication = reader.boolean("dbIamAuthentication")
    password_mode = parse_password_mode(reader, profile)
    restore = parse_restore(reader)
    operations = parse_operations(
        reader,
        engine=engine,
        major_version=version.major,
        password_mode=password_mode,
        backup_retention_days=retention,
    )
    port = validate.in_range(
        key("dbPort"), reader.integer("dbPort") or engine.default_port, MIN_PORT, MAX_PORT
    )
    if port + operations.read_replicas > MAX_PORT:
        # Replica n's tunnel listens on port + n (bastion_db/outputs.py).
        raise ConfigError(
            key("dbPort"),
            port,
            f"a port at most {MAX_PORT - operations.read_replicas} with "
            f"{key('dbReadReplicas')} {operations.read_replicas}: each replica's tunnel "
            "listens on the next local port",
        )

    return DatabaseSettings(
        engine=engine,
        major_version=version.major,
        engine_version=version.requested,
        auto_minor_version_upgrade=version.auto_minor_version_upgrade,
        allow_major_version_upgrade=reader.boolean("dbAllowMajorVersionUpgrade"),
        instance_class=instance_class,
        allocated_storage_gib=storage,
        max_allocated_storage_gib=max_storage,
        database_name=_database_name(reader, engine),
        master_username=master_username,
        port=port,
        password_mode=password_mode,
        password_rotation_days=parse_rotation_days(reader, profile),
        max_connections=max_connections,
        backup_retention_days=retention,
        backup_window=backup_window,
        maintenance_window=maintenance_window,
        apply_immediately=reader.boolean("dbApplyImmediately"),
        multi_az=reader.boolean("dbMultiAz"),
        deletion_protection=reader.boolean("dbDeletionProtection"),
        skip_final_snapshot=reader.boolean("dbSkipFinalSnapshot"),
        iam_authentication=iam_authentication,
        performance_insights=performance_insights,
        performance_insights_retention_days=aws_facts.database_insights_advanced_min_retention_days()
        if insights_mode == "advanced"
        else DEFAULT_INSIGHTS_RETENTION_DAYS,
        database_insights_mode=insights_mode,
        enhanced_monitoring_interval=interval,
        log_retention_days=log_retention,
        # Not configurable: prod's database is always protected from deletion.
        protect=profile == "prod",
        restore=restore,
        iam_username=parse_iam_username(reader, engine, master_username, iam_authentication),
        keys=parse_database_keys(
            reader,
            password_mode=password_mode,
            performance_insights=performance_insights,
            restoring=restore is not None,
        ),
        blue_green_update=operations.blue_green_update,
        read_replicas=operations.read_replicas,
        parameters=operations.parameters,
    )


# A suggestion only for what reads like a typo of an offered class
# ("db.m5.larg", "m5.large"), not for any other real class that is not offered.
CLASS_SUGGESTION_CUTOFF = 0.85


def _instance_class(reader: ConfigReader, engine: EngineSpec, major: str, region: str) -> str:
    """Any class RDS offers for the engine's major version in the region.

    The alarms do not limit the choice: a class whose memory the product does
    not know still deploys, without the alarms sized from memory (the
    monitoring component says which and how to size them). Regions the facts
    carry no offerings for (the isolated partitions) are checked against the
    version's classes alone.
    """
    key = reader.full_key("dbInstanceClass")
    value = reader.string("dbInstanceClass") or ""
    scope = region if aws_facts.has_offerings(region) else None
    offered = aws_facts.orderable_instance_classes(engine.name, major, scope)
    if value in offered:
        return value
    where = f" in {scope}" if scope else ""
    raise ConfigError(
        key,
        value,
        f"a class RDS offers for {engine.name} {major}{where}{_class_hint(value, offered)} "
        f"(list them: {command_for(engine.name, major, scope)})",
    )


def _class_hint(value: str, offered: frozenset[str]) -> str:
    """What follows "a class RDS offers for ...": that RDS has this class but not
    here, or the offered class a typo most likely meant, or nothing."""
    if any(
        value in aws_facts.orderable_instance_classes(engine, major)
        for engine in aws_facts.ENGINES
        for major in aws_facts.major_versions(engine)
    ):
        return "; RDS does not offer it there"
    if not value.startswith("db.") and f"db.{value}" in offered:
        return f": did you mean 'db.{value}'?"
    close = difflib.get_close_matches(value, sorted(offered), n=1, cutoff=CLASS_SUGGESTION_CUTOFF)
    return f": did you mean '{close[0]}'?" if close else ""


def _storage(reader: ConfigReader) -> tuple[int, int | None]:
    key = reader.full_key
    storage = validate.in_range(
        key("dbAllocatedStorageGib"),
        reader.integer("dbAllocatedStorageGib") or 0,
        MIN_STORAGE_GIB,
        MAX_STORAGE_GIB,
        "GiB",
    )
    # 0 (Pulumi.yaml's default) turns storage autoscaling off.
    max_storage = reader.integer("dbMaxAllocatedStorageGib") or None
    if max_storage is not None:
        # Whole GiB, rounded up, in integers: 50 * 1.1 is 55.000000000000007 in floats.
        lowest = -(-storage * (100 + AUTOSCALING_HEADROOM_PERCENT) // 100)
        if storage == MAX_STORAGE_GIB:
            raise ConfigError(
                key("dbMaxAllocatedStorageGib"),
                max_storage,
                f"0: storage is already at RDS's maximum of {MAX_STORAGE_GIB} GiB",
            )
        validate.in_range(
            key("dbMaxAllocatedStorageGib"), max_storage, lowest, MAX_STORAGE_GIB, "GiB"
        )
    return storage, max_storage


def _database_name(reader: ConfigReader, engine: EngineSpec) -> str:
    name = reader.string("dbName", engine.default_database_name) or ""
    longest = engine.max_database_name_length
    if (
        not IDENTIFIER.fullmatch(name)
        or len(name) > longest
        or name.lower() in reserved_words(engine.name)
    ):
        raise ConfigError(
            reader.full_key("dbName"),
            name,
            f"a letter followed by letters, digits or _ (at most {longest} for {engine.name}), "
            f"not a word {engine.name} reserves",
        )
    return name


def _master_username(reader: ConfigReader, engine: EngineSpec) -> str:
    username = reader.string("dbUsername", engine.default_username) or ""
    longest = engine.max_username_length
    if not IDENTIFIER.fullmatch(username) or len(username) > longest:
        raise ConfigError(
            reader.full_key("dbUsername"),
            username,
            f"a letter followed by letters, digits or _ (at most {longest} for {engine.name})",
        )
    if is_reserved_username(engine.name, username):
        raise ConfigError(
            reader.full_key("dbUsername"),
            username,
            f"a name RDS does not reserve on {engine.name} (not "
            + ", ".join(sorted(rds_reserved_usernames(engine.name)))
            + (", a pg_ name or a reserved SQL key word" if engine.name == "postgres" else "")
            + f"), e.g. {engine.default_username}",
        )
    return username
