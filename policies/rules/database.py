"""Guardrails for the RDS instance itself.

Its parameter and subnet groups are judged in ``database_groups.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import Severity

from .declaring import (
    ADVISORY,
    ResourceCheck,
    RuleSet,
    judge,
    origin,
    policy_knob,
    require_flag,
    shown,
    stack_key,
    string_list,
    string_lists_by_name,
)
from .facts import performance_insights_offered
from .resource_types import RDS_INSTANCE
from .unknowns import UNKNOWN, as_int, as_list

rules = RuleSet("database")
DATABASE = (RDS_INSTANCE,)
COSTS_MONEY = " Costs money; advisory in dev, mandatory in prod."


def is_read_replica(props: Mapping[str, Any]) -> bool:
    """A read replica is a database too: judged like its source for being private,
    encrypted and monitored. Only what RDS itself rules out for a replica is
    left to its source: a final snapshot ("Can't be specified when deleting a
    read replica", DeleteDBInstance FinalDBSnapshotIdentifier), its own key
    (same Region "always encrypted with the same KMS key as the source",
    CreateDBInstanceReadReplica KmsKeyId), automated backups (RDS creates a
    replica without them; the source's hold the data) and a master password."""
    return props.get("replicateSourceDb") not in (None, "")


def engine_of(props: Mapping[str, Any]) -> Any:
    engine = props.get("engine")
    return engine.lower() if isinstance(engine, str) else engine


@rules.resource(
    name="rds-no-public-access",
    description="RDS instances are not publicly accessible.",
    severity=Severity.CRITICAL,
    fix="Keep publicly_accessible=False on the database; reach it through the bastion's tunnel.",
    types=DATABASE,
)
def no_public_access(check: ResourceCheck) -> None:
    value = check.props.get("publiclyAccessible")
    judge(
        check.report,
        value,
        what=f"publiclyAccessible ({origin(None)})",
        claim="the database stays private",
        known="Set publiclyAccessible to the literal false.",
        problem=lambda v: (
            f"publiclyAccessible is true ({origin(None)}): RDS would give the database a "
            "public DNS name and address."
            if v is True
            else None
        ),
    )


@rules.resource(
    name="rds-storage-encrypted",
    description="RDS storage is encrypted at rest (optionally with a given KMS key).",
    severity=Severity.HIGH,
    fix=(
        "Keep storage_encrypted=True (it can only be chosen when the instance is created); "
        "with a required key, set kms_key_id to it."
    ),
    types=DATABASE,
    config={
        "kmsKeyId": {
            "type": "string",
            "description": "KMS key the storage must use; empty accepts any key.",
            "default": "",
        }
    },
)
def storage_encrypted(check: ResourceCheck) -> None:
    require_flag(
        check,
        "storageEncrypted",
        key=None,
        claim="the database's storage is encrypted",
        why="its data, snapshots and backups would be stored in the clear",
    )
    wanted = check.config.get("kmsKeyId") or ""
    if not wanted or is_read_replica(check.props):
        return  # a replica has its source's key
    judge(
        check.report,
        check.props.get("kmsKeyId"),
        what="kmsKeyId",
        claim=f"the storage uses the required key {wanted}",
        known=f"Set kmsKeyId={wanted} as a literal.",
        problem=lambda actual: (
            f"kmsKeyId is {actual!r}, not the key "
            f"{policy_knob('rds-storage-encrypted', 'kmsKeyId')} requires ({wanted})."
            if actual != wanted
            else None
        ),
    )


@rules.resource(
    name="rds-backup-retention",
    description="Automated backups are kept for at least the configured number of days.",
    severity=Severity.MEDIUM,
    fix=(
        "Raise the database's backupRetentionPeriod (1-35 days), or lower "
        f"{policy_knob('rds-backup-retention', 'minimumDays')}."
    ),
    types=DATABASE,
    config={
        "minimumDays": {
            "type": "integer",
            "minimum": 1,
            "maximum": 35,
            "description": "Fewest days of automated backups.",
            "default": 7,
        },
        "backupWindow": {
            "type": "string",
            "description": "Required window (hh24:mi-hh24:mi, UTC); empty accepts any.",
            "default": "",
        },
    },
)
def backup_retention(check: ResourceCheck) -> None:
    if is_read_replica(check.props):
        return
    minimum = as_int(check.config.get("minimumDays")) or 1
    key = stack_key("backupRetentionDays")
    wanted = f"{policy_knob('rds-backup-retention', 'minimumDays')} wants at least {minimum} days"

    def problem(days: Any) -> str | None:
        if days is None:
            return (
                f"backupRetentionPeriod is not set ({origin(key)}), so AWS's default applies "
                f"(1 day, or none for some creation paths); {wanted}."
            )
        if days < minimum:
            what = "disables automated backups" if days == 0 else f"keeps backups {days} day(s)"
            return f"backupRetentionPeriod={days} ({origin(key)}) {what}; {wanted}."
        return None

    judge(
        check.report,
        as_int(check.props.get("backupRetentionPeriod")),
        what=f"backupRetentionPeriod ({origin(key)})",
        claim=f"backups are kept at least {minimum} days",
        known=f"Set backupRetentionPeriod to a literal of at least {minimum}.",
        problem=problem,
    )
    window = check.config.get("backupWindow") or ""
    actual = check.props.get("backupWindow")
    if window and actual != window:
        check.report(
            f"backupWindow is {actual!r} ({origin(None)}); "
            f"{policy_knob('rds-backup-retention', 'backupWindow')} requires {window}."
        )


@rules.resource(
    name="rds-deletion-protection",
    description="RDS instances have deletion protection." + COSTS_MONEY,
    severity=Severity.MEDIUM,
    fix=(
        "Set the database's deletionProtection to true; turn it off deliberately before a "
        "planned teardown."
    ),
    types=DATABASE,
)
def deletion_protection(check: ResourceCheck) -> None:
    require_flag(
        check,
        "deletionProtection",
        key=stack_key("dbDeletionProtection"),
        claim="the database cannot be deleted by accident",
        why="one mistaken `pulumi destroy` or replacement deletes the database",
    )


@rules.resource(
    name="rds-final-snapshot",
    url="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html",
    description="Deleting an RDS instance takes a final snapshot." + COSTS_MONEY,
    severity=Severity.MEDIUM,
    fix=("Set the database's skipFinalSnapshot to false and name its finalSnapshotIdentifier."),
    types=DATABASE,
)
def final_snapshot(check: ResourceCheck) -> None:
    if is_read_replica(check.props):
        return
    key = stack_key("dbSkipFinalSnapshot")
    skip = check.props.get("skipFinalSnapshot")
    judge(
        check.report,
        skip,
        what=f"skipFinalSnapshot ({origin(key)})",
        claim="a final snapshot is taken when the database is deleted",
        known="Set skipFinalSnapshot to the literal false.",
        problem=lambda v: (
            f"skipFinalSnapshot is true ({origin(key)}): deleting the database would lose "
            "its data for good."
            if v is True
            else None
        ),
    )
    identifier = check.props.get("finalSnapshotIdentifier")
    if skip is not True and skip is not UNKNOWN and identifier in (None, ""):
        check.report(
            f"No finalSnapshotIdentifier is set ({origin(None)}), so deleting the database "
            "would fail: RDS needs a name for the final snapshot."
        )


@rules.resource(
    name="rds-multi-az",
    description="RDS instances run Multi-AZ." + COSTS_MONEY,
    severity=Severity.MEDIUM,
    fix="Set the database's multiAz to true.",
    types=DATABASE,
)
def multi_az(check: ResourceCheck) -> None:
    require_flag(
        check,
        "multiAz",
        key=stack_key("dbMultiAz"),
        claim="the database has a standby in a second availability zone",
        why="a zone outage or maintenance stops the database instead of failing over",
    )


@rules.resource(
    name="rds-auto-minor-version-upgrade",
    description="RDS instances take minor engine upgrades automatically.",
    severity=Severity.MEDIUM,
    fix="Keep auto_minor_version_upgrade=True (or unset); RDS applies them in the maintenance "
    "window.",
    types=DATABASE,
)
def minor_upgrades(check: ResourceCheck) -> None:
    require_flag(
        check,
        "autoMinorVersionUpgrade",
        key=None,
        claim="security patches are applied",
        why="minor versions carry the engine's security fixes",
        unset_ok=True,
    )


@rules.resource(
    name="rds-copy-tags-to-snapshot",
    description="RDS snapshots inherit the instance's tags.",
    severity=Severity.LOW,
    fix="Keep copy_tags_to_snapshot=True on the database.",
    types=DATABASE,
)
def copy_tags(check: ResourceCheck) -> None:
    require_flag(
        check,
        "copyTagsToSnapshot",
        key=None,
        claim="snapshots carry the database's tags",
        why="snapshots lose their owner and escape tag-based policies",
    )


@rules.resource(
    name="rds-log-exports",
    description="RDS instances export the engine's logs to CloudWatch Logs.",
    severity=Severity.MEDIUM,
    fix=(
        "List the engine's log types in enabled_cloudwatch_logs_exports, or change "
        f"{policy_knob('rds-log-exports', 'requiredLogExports')}."
    ),
    types=DATABASE,
    config={
        "requiredLogExports": string_lists_by_name(
            "Log types each engine must export.",
            {
                "postgres": ["postgresql", "upgrade"],
                "mysql": ["error", "slowquery"],
                "mariadb": ["error"],
            },
        )
    },
)
def log_exports(check: ResourceCheck) -> None:
    engine = engine_of(check.props)
    exports = as_list(check.props.get("enabledCloudwatchLogsExports"))
    required_by_engine = check.config.get("requiredLogExports") or {}
    required = list(required_by_engine.get(engine, [])) if isinstance(engine, str) else []
    knob = policy_knob("rds-log-exports", "requiredLogExports")

    def problem(exported: Any) -> str | None:
        if not exported:
            return (
                f"No logs are exported to CloudWatch ({origin(None)}), so nobody can audit the "
                f"database; {knob} wants {', '.join(required) or 'its log types'} for {engine}."
            )
        missing = [log for log in required if log not in exported]
        if missing:
            return (
                f"enabledCloudwatchLogsExports lacks {', '.join(missing)} ({origin(None)}), "
                f"which {knob} requires for {engine}."
            )
        return None

    unknown = engine is UNKNOWN or exports is UNKNOWN or UNKNOWN in exports  # type: ignore[operator]
    judge(
        check.report,
        UNKNOWN if unknown else exports,
        what="enabledCloudwatchLogsExports",
        claim="the database's logs reach CloudWatch",
        known="Set the engine and the exported log types as literals.",
        problem=problem,
    )


@rules.resource(
    name="rds-iam-authentication",
    description="RDS instances accept IAM database authentication.",
    severity=Severity.LOW,
    fix="Set the database's iamDatabaseAuthenticationEnabled to true.",
    types=DATABASE,
    level=ADVISORY,
)
def iam_authentication(check: ResourceCheck) -> None:
    require_flag(
        check,
        "iamDatabaseAuthenticationEnabled",
        key=stack_key("dbIamAuthentication"),
        claim="IAM authentication is on",
        why="people must share the master password instead of short-lived IAM tokens",
    )


@rules.resource(
    name="rds-performance-insights",
    url="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PerfInsights.html",
    description="RDS instances have Performance Insights on.",
    severity=Severity.LOW,
    fix=(
        "Set the database's performanceInsightsEnabled to true (7 days of history are free); "
        "with requireKmsKey, give it a customer-managed key."
    ),
    types=DATABASE,
    level=ADVISORY,
    config={
        "requireKmsKey": {
            "type": "boolean",
            "description": "Require a customer-managed KMS key for Performance Insights.",
            "default": False,
        }
    },
)
def performance_insights(check: ResourceCheck) -> None:
    offered = performance_insights_offered(
        check.props.get("engine"), check.props.get("instanceClass")
    )
    if offered is False:
        return  # RDS does not offer it there: nothing to advise
    require_flag(
        check,
        "performanceInsightsEnabled",
        key=stack_key("dbPerformanceInsights"),
        claim="Performance Insights is on",
        why="slow queries and waits cannot be traced back after the fact",
    )
    if (
        check.config.get("requireKmsKey")
        and check.props.get("performanceInsightsEnabled") is True
        and check.props.get("performanceInsightsKmsKeyId") in (None, "")
    ):
        check.report(
            f"Performance Insights data is encrypted with the AWS-managed key ({origin(None)}); "
            f"{policy_knob('rds-performance-insights', 'requireKmsKey')} asks for a "
            "customer-managed one."
        )


@rules.resource(
    name="rds-enhanced-monitoring",
    description="RDS instances have enhanced (OS-level) monitoring on.",
    severity=Severity.LOW,
    fix=(
        "Set the database's monitoringInterval to 1, 5, 10, 15, 30 or 60 seconds, with a "
        "monitoringRoleArn RDS may assume."
    ),
    types=DATABASE,
    level=ADVISORY,
    config={
        "maximumIntervalSeconds": {
            "type": "integer",
            "enum": [1, 5, 10, 15, 30, 60],
            "description": "Coarsest accepted monitoring interval.",
            "default": 60,
        }
    },
)
def enhanced_monitoring(check: ResourceCheck) -> None:
    key = stack_key("dbEnhancedMonitoringInterval")
    maximum = as_int(check.config.get("maximumIntervalSeconds")) or 60

    def problem(interval: Any) -> str | None:
        if not interval:
            return (
                f"Enhanced monitoring is off: monitoringInterval is {shown(interval)} "
                f"({origin(key)}), so the OS's memory, swap and disk figures are not kept."
            )
        if interval > maximum:
            return (
                f"monitoringInterval={interval}s ({origin(key)}) is coarser than the "
                f"{maximum}s {policy_knob('rds-enhanced-monitoring', 'maximumIntervalSeconds')} "
                "allows."
            )
        return None

    judge(
        check.report,
        as_int(check.props.get("monitoringInterval")),
        what=f"monitoringInterval ({origin(key)})",
        claim="enhanced monitoring is on",
        known="Set monitoringInterval to a literal.",
        problem=problem,
    )


@rules.resource(
    name="rds-ca-certificate",
    url="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL-certificate-rotation.html",
    description="RDS instances use a current certificate authority.",
    severity=Severity.MEDIUM,
    fix=(
        "Leave ca_cert_identifier unset (RDS's current default) or set it to one of "
        f"{policy_knob('rds-ca-certificate', 'allowedCaCertificates')}."
    ),
    types=DATABASE,
    config={
        "allowedCaCertificates": string_list(
            "Accepted caCertIdentifier values.",
            ["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"],
        )
    },
)
def ca_certificate(check: ResourceCheck) -> None:
    allowed = list(check.config.get("allowedCaCertificates") or [])
    judge(
        check.report,
        check.props.get("caCertIdentifier"),
        what="caCertIdentifier",
        claim="the server certificate comes from a current CA",
        known="Set caCertIdentifier as a literal or leave it unset.",
        problem=lambda value: (
            f"caCertIdentifier {value!r} ({origin(None)}) is not a current RDS CA: expired or "
            "expiring CAs break TLS clients. "
            f"{policy_knob('rds-ca-certificate', 'allowedCaCertificates')} accepts "
            f"{', '.join(allowed)}."
            if value not in (None, "") and value not in allowed
            else None
        ),
    )


def version_tuple(text: str) -> tuple[int, ...] | None:
    parts: list[int] = []
    for piece in text.strip().split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts) or None


@rules.resource(
    name="rds-engine-version",
    url="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_UpgradeDBInstance.Upgrading.html",
    description="RDS engine versions are at least the team's minimum.",
    severity=Severity.MEDIUM,
    fix=(
        "Raise the database's engineVersion (or leave it unset for the engine's default), or "
        f"change {policy_knob('rds-engine-version', 'minimumVersions')}."
    ),
    types=DATABASE,
    config={
        "minimumVersions": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Oldest accepted version per engine.",
            "default": {"postgres": "14", "mysql": "8.0", "mariadb": "10.6"},
        }
    },
)
def engine_version(check: ResourceCheck) -> None:
    key = stack_key("dbEngineVersion")
    engine = engine_of(check.props)
    version = check.props.get("engineVersion")
    minimums = check.config.get("minimumVersions") or {}
    minimum = minimums.get(engine) if isinstance(engine, str) else None

    def problem(_: Any) -> str | None:
        if not minimum or version in (None, ""):
            return None  # RDS picks its current default when no version is given
        have, need = version_tuple(str(version)), version_tuple(str(minimum))
        if have is None or need is None:
            return f"engineVersion {version!r} ({origin(key)}) cannot be read as a version."
        width = max(len(have), len(need))
        if have + (0,) * (width - len(have)) < need + (0,) * (width - len(need)):
            return (
                f"{engine} {version} ({origin(key)}) is older than {minimum}, the oldest "
                f"{policy_knob('rds-engine-version', 'minimumVersions')} accepts; older "
                "versions lack security fixes."
            )
        return None

    judge(
        check.report,
        UNKNOWN if UNKNOWN in (engine, version) else version,
        what=f"engine/engineVersion ({origin(key)})",
        claim="the engine version is supported and patched",
        known="Set the engine and engineVersion as literals.",
        problem=problem,
    )


@rules.resource(
    name="rds-vpc-security-groups",
    description=(
        "RDS instances use their own VPC security groups (no default group, no EC2-Classic)."
    ),
    severity=Severity.HIGH,
    fix="Attach the database's own security group in vpc_security_group_ids and nothing else.",
    types=DATABASE,
)
def vpc_security_groups(check: ResourceCheck) -> None:
    judge(
        check.report,
        check.props.get("securityGroupNames"),
        what="securityGroupNames",
        claim="no EC2-Classic DB security group is used",
        known="Remove securityGroupNames and use vpcSecurityGroupIds.",
        problem=lambda names: (
            f"securityGroupNames names EC2-Classic DB security groups ({origin(None)})."
            if isinstance(names, list) and names
            else None
        ),
    )
    groups = check.props.get("vpcSecurityGroupIds")
    # An unknown list will hold some groups; which ones is the network rules' business.
    if groups is not UNKNOWN and not groups:
        check.report(
            f"vpcSecurityGroupIds is empty ({origin(None)}), so RDS attaches the VPC's default "
            "security group, which admits everything from its own members."
        )
