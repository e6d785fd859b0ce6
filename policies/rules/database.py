"""Guardrails for the RDS database, its subnet group and its parameter group."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pulumi_policy import Policy, Severity

from .common import (
    ADVISORY,
    RDS_INSTANCE,
    RDS_PARAMETER_GROUP,
    RDS_SUBNET_GROUP,
    UNKNOWN,
    ResourceCheck,
    StackCheck,
    as_int,
    as_list,
    resource_rule,
    stack_rule,
    string_list_schema,
    unknown_refusal,
)

# What makes each engine refuse unencrypted connections (parameter, accepted values).
TLS_PARAMETERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "postgres": ("rds.force_ssl", ("1",)),
    "mysql": ("require_secure_transport", ("1", "on", "true")),
    "mariadb": ("require_secure_transport", ("1", "on", "true")),
}


def _engine(props: Mapping[str, Any]) -> Any:
    engine = props.get("engine")
    return engine.lower() if isinstance(engine, str) else engine


def _require_true(check: ResourceCheck, prop: str, claim: str, fix: str) -> None:
    value = check.props.get(prop)
    if value is UNKNOWN:
        check.report(unknown_refusal(prop, claim, fix))
    elif value is not True:
        shown = "not set" if value is None else json.dumps(value)
        check.report(f"{prop} is {shown}. {fix}")


# --- resource rules ---------------------------------------------------------------


def _no_public_access(check: ResourceCheck) -> None:
    value = check.props.get("publiclyAccessible")
    if value is UNKNOWN:
        check.report(
            unknown_refusal(
                "publiclyAccessible",
                "the database stays private",
                "Set publiclyAccessible to the literal false.",
            )
        )
    elif value is True:
        check.report(
            "publiclyAccessible is true: RDS would give the database a public DNS name and "
            "address. Set publiclyAccessible=false and reach it through the bastion."
        )


def _storage_encrypted(check: ResourceCheck) -> None:
    if check.props.get("replicateSourceDb") not in (None, ""):
        return  # a replica inherits its source's encryption
    _require_true(
        check,
        "storageEncrypted",
        "the database's storage is encrypted",
        "Set storageEncrypted=true (it can only be chosen when the instance is created).",
    )
    wanted = check.config.get("kmsKeyId") or ""
    if wanted:
        actual = check.props.get("kmsKeyId")
        if actual is UNKNOWN:
            check.report(
                unknown_refusal(
                    "kmsKeyId",
                    f"the storage uses the required key {wanted}",
                    f"Set kmsKeyId={wanted}.",
                )
            )
        elif actual != wanted:
            check.report(f"kmsKeyId is {actual!r}; the storage must be encrypted with {wanted}.")


def _backup_retention(check: ResourceCheck) -> None:
    minimum = as_int(check.config.get("minimumDays")) or 1
    days = as_int(check.props.get("backupRetentionPeriod"))
    if days is UNKNOWN:
        check.report(
            unknown_refusal(
                "backupRetentionPeriod",
                f"backups are kept at least {minimum} days",
                f"Set backupRetentionPeriod to a literal of at least {minimum}.",
            )
        )
    elif days is None:
        check.report(
            f"backupRetentionPeriod is not set, so AWS's default applies (1 day, or none at all "
            f"for some creation paths). Set backupRetentionPeriod to at least {minimum} days."
        )
    elif days < minimum:  # type: ignore[operator]
        what = "disables automated backups" if days == 0 else f"keeps backups {days} day(s)"
        check.report(f"backupRetentionPeriod={days} {what}; keep them at least {minimum} days.")
    window = check.config.get("backupWindow") or ""
    if window:
        actual = check.props.get("backupWindow")
        if actual != window:
            check.report(f"backupWindow is {actual!r}; the team's backup window is {window}.")


def _deletion_protection(check: ResourceCheck) -> None:
    _require_true(
        check,
        "deletionProtection",
        "the database cannot be deleted by accident",
        "Set deletionProtection=true; turn it off deliberately before a planned teardown.",
    )


def _final_snapshot(check: ResourceCheck) -> None:
    skip = check.props.get("skipFinalSnapshot")
    if skip is UNKNOWN:
        check.report(
            unknown_refusal(
                "skipFinalSnapshot",
                "a final snapshot is taken when the database is deleted",
                "Set skipFinalSnapshot to the literal false.",
            )
        )
        return
    if skip is True:
        check.report(
            "skipFinalSnapshot is true: deleting the database would lose its data for good. "
            "Set skipFinalSnapshot=false and give a finalSnapshotIdentifier."
        )
        return
    identifier = check.props.get("finalSnapshotIdentifier")
    if identifier in (None, ""):
        check.report(
            "No finalSnapshotIdentifier is set, so deleting the database would fail (RDS needs a "
            "name for the final snapshot). Set finalSnapshotIdentifier."
        )


def _multi_az(check: ResourceCheck) -> None:
    _require_true(
        check,
        "multiAz",
        "the database has a standby in a second availability zone",
        "Set multiAz=true so a zone outage or maintenance fails over instead of stopping it.",
    )


def _minor_upgrades(check: ResourceCheck) -> None:
    value = check.props.get("autoMinorVersionUpgrade")
    if value is UNKNOWN:
        check.report(
            unknown_refusal(
                "autoMinorVersionUpgrade",
                "security patches are applied",
                "Set autoMinorVersionUpgrade to the literal true.",
            )
        )
    elif value is False:
        check.report(
            "autoMinorVersionUpgrade is false: minor versions carry security fixes. "
            "Set autoMinorVersionUpgrade=true (it is applied in the maintenance window)."
        )


def _copy_tags(check: ResourceCheck) -> None:
    _require_true(
        check,
        "copyTagsToSnapshot",
        "snapshots carry the database's tags",
        "Set copyTagsToSnapshot=true so snapshots stay attributable and under tag-based policies.",
    )


def _log_exports(check: ResourceCheck) -> None:
    engine = _engine(check.props)
    exports = as_list(check.props.get("enabledCloudwatchLogsExports"))
    if engine is UNKNOWN or exports is UNKNOWN or UNKNOWN in exports:  # type: ignore[operator]
        check.report(
            unknown_refusal(
                "enabledCloudwatchLogsExports",
                "the database's logs reach CloudWatch",
                "Set the engine and the exported log types as literals.",
            )
        )
        return
    required_by_engine = check.config.get("requiredLogExports") or {}
    required = list(required_by_engine.get(engine, [])) if isinstance(engine, str) else []
    if not exports:
        check.report(
            "No logs are exported to CloudWatch, so nobody can audit the database. Set "
            "enabledCloudwatchLogsExports "
            f"(for {engine}: {', '.join(required) or 'its log types'})."
        )
        return
    missing = [log for log in required if log not in exports]  # type: ignore[operator]
    if missing:
        check.report(
            f"enabledCloudwatchLogsExports lacks {', '.join(missing)} (required for {engine}). "
            "Add them."
        )


def _iam_authentication(check: ResourceCheck) -> None:
    _require_true(
        check,
        "iamDatabaseAuthenticationEnabled",
        "IAM authentication is on",
        "Set iamDatabaseAuthenticationEnabled=true so people can log in with short-lived IAM "
        "tokens instead of a shared password.",
    )


def _performance_insights(check: ResourceCheck) -> None:
    _require_true(
        check,
        "performanceInsightsEnabled",
        "Performance Insights is on",
        "Set performanceInsightsEnabled=true (7 days of history are free).",
    )
    if (
        check.config.get("requireKmsKey")
        and check.props.get("performanceInsightsEnabled") is True
        and check.props.get("performanceInsightsKmsKeyId") in (None, "")
    ):
        check.report(
            "Performance Insights data is encrypted with the AWS-managed key; set "
            "performanceInsightsKmsKeyId to a customer-managed KMS key."
        )


def _enhanced_monitoring(check: ResourceCheck) -> None:
    interval = as_int(check.props.get("monitoringInterval"))
    maximum = as_int(check.config.get("maximumIntervalSeconds")) or 60
    if interval is UNKNOWN:
        check.report(
            unknown_refusal(
                "monitoringInterval",
                "enhanced monitoring is on",
                "Set monitoringInterval to a literal.",
            )
        )
    elif not interval:
        check.report(
            "Enhanced monitoring is off (monitoringInterval is 0 or not set). Set "
            f"monitoringInterval to 1-{maximum} seconds and give a monitoringRoleArn."
        )
    elif interval > maximum:  # type: ignore[operator]
        check.report(
            f"monitoringInterval={interval}s is coarser than the {maximum}s the team needs."
        )


def _ca_certificate(check: ResourceCheck) -> None:
    value = check.props.get("caCertIdentifier")
    allowed = list(check.config.get("allowedCaCertificates") or [])
    if value is UNKNOWN:
        check.report(
            unknown_refusal(
                "caCertIdentifier",
                "the server certificate comes from a current CA",
                f"Set caCertIdentifier to one of {', '.join(allowed)} or leave it unset.",
            )
        )
    elif value not in (None, "") and value not in allowed:
        check.report(
            f"caCertIdentifier {value!r} is not a current RDS CA (expired or expiring CAs break "
            f"TLS clients). Use one of {', '.join(allowed)}."
        )


def _version_tuple(text: str) -> tuple[int, ...] | None:
    parts: list[int] = []
    for piece in text.strip().split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts) or None


def _engine_version(check: ResourceCheck) -> None:
    engine = _engine(check.props)
    version = check.props.get("engineVersion")
    if engine is UNKNOWN or version is UNKNOWN:
        check.report(
            unknown_refusal(
                "engine/engineVersion",
                "the engine version is supported and patched",
                "Set the engine and engineVersion as literals.",
            )
        )
        return
    minimums = check.config.get("minimumVersions") or {}
    minimum = minimums.get(engine) if isinstance(engine, str) else None
    if not minimum or version in (None, ""):
        return  # RDS picks its current default when no version is given
    have, need = _version_tuple(str(version)), _version_tuple(str(minimum))
    if have is None or need is None:
        check.report(
            f"engineVersion {version!r} cannot be read as a version; use e.g. '{minimum}'."
        )
        return
    width = max(len(have), len(need))
    if have + (0,) * (width - len(have)) < need + (0,) * (width - len(need)):
        check.report(
            f"{engine} {version} is older than {minimum}, the oldest version the team accepts "
            f"(older versions lack security fixes). Upgrade engineVersion to {minimum} or newer."
        )


def _vpc_security_groups(check: ResourceCheck) -> None:
    classic = check.props.get("securityGroupNames")
    if classic is UNKNOWN or (isinstance(classic, list) and classic):
        check.report(
            "securityGroupNames names EC2-Classic DB security groups; use vpcSecurityGroupIds."
            if classic is not UNKNOWN
            else unknown_refusal(
                "securityGroupNames",
                "no EC2-Classic DB security group is used",
                "Remove securityGroupNames and use vpcSecurityGroupIds.",
            )
        )
    groups = check.props.get("vpcSecurityGroupIds")
    if groups is UNKNOWN:
        return  # some groups will be attached; which ones is the network rules' business
    if not groups:
        check.report(
            "vpcSecurityGroupIds is empty, so RDS attaches the VPC's default security group, "
            "which admits everything from its own members. Attach the database's own group."
        )


def _postgres_query_logging(check: ResourceCheck) -> None:
    family = check.props.get("family")
    if family is UNKNOWN:
        check.report(
            unknown_refusal(
                "family", "the group's logging parameters apply", "Set family as a literal."
            )
        )
        return
    if not isinstance(family, str) or not family.startswith("postgres"):
        return
    parameters = as_list(check.props.get("parameters"))
    if parameters is UNKNOWN:
        check.report(
            unknown_refusal(
                "parameters", "query logging is configured", "Give the parameters as literals."
            )
        )
        return
    names = {p.get("name") for p in parameters if isinstance(p, dict)}  # type: ignore[union-attr]
    missing = [name for name in check.config.get("requiredParameters") or [] if name not in names]
    if missing:
        check.report(
            f"The parameter group does not set {', '.join(missing)}, so slow or risky statements "
            "are not logged. Add them (for example log_statement=ddl, "
            "log_min_duration_statement=1000)."
        )


# --- stack rules ----------------------------------------------------------------------


def _tls_enforced(check: StackCheck) -> None:
    view = check.view
    for instance in view.of_type(RDS_INSTANCE):
        engine = _engine(instance.props)
        if engine is UNKNOWN:
            check.report(
                unknown_refusal(
                    f"The engine of database '{instance.name}'",
                    "its connections are forced onto TLS",
                    "Set engine as a literal.",
                ),
                instance.urn,
            )
            continue
        if engine not in TLS_PARAMETERS:
            continue
        parameter, accepted = TLS_PARAMETERS[engine]
        groups = view.resolve(
            instance, "parameterGroupName", (RDS_PARAMETER_GROUP,), ("id", "name")
        )
        if groups.unresolved:
            check.report(
                unknown_refusal(
                    f"The parameter group of database '{instance.name}'",
                    f"it sets {parameter}",
                    "Pass the parameter group resource's name so the dependency is recorded.",
                ),
                instance.urn,
            )
            continue
        if groups.external:
            check.report(
                f"Database '{instance.name}' uses parameter group {', '.join(groups.external)}, "
                f"which this stack does not manage, so {parameter} cannot be checked. Use a "
                f"parameter group of this stack that sets {parameter}={accepted[0]}.",
                instance.urn,
            )
        if not groups.nodes and not groups.external:
            check.report(
                f"Database '{instance.name}' uses the engine's default parameter group, which "
                f"accepts unencrypted connections. Attach a parameter group that sets "
                f"{parameter}={accepted[0]}.",
                instance.urn,
            )
        for group in groups.nodes:
            parameters = as_list(group.props.get("parameters"))
            if parameters is UNKNOWN:
                check.report(
                    unknown_refusal(
                        f"The parameters of group '{group.name}'",
                        f"{parameter} is on",
                        "Give the parameters as literals.",
                    ),
                    group.urn,
                )
                continue
            values = [
                p.get("value")
                for p in parameters  # type: ignore[union-attr]
                if isinstance(p, dict) and p.get("name") == parameter
            ]
            if any(v is UNKNOWN for v in values):
                check.report(
                    unknown_refusal(
                        f"{parameter} in group '{group.name}'",
                        "TLS is forced",
                        f"Set {parameter}={accepted[0]} as a literal.",
                    ),
                    group.urn,
                )
            elif not any(str(v).strip().lower() in accepted for v in values):
                shown = values[0] if values else "not set"
                check.report(
                    f"Database '{instance.name}' accepts unencrypted connections: {parameter} is "
                    f"{shown!s} in parameter group '{group.name}'. Set {parameter}={accepted[0]}.",
                    group.urn,
                )


def _subnet_group_private(check: StackCheck) -> None:
    view = check.view
    private, complete = view.private_subnets()
    for instance in view.of_type(RDS_INSTANCE):
        groups = view.resolve(instance, "dbSubnetGroupName", (RDS_SUBNET_GROUP,), ("id", "name"))
        if groups.unresolved:
            check.report(
                unknown_refusal(
                    f"The subnet group of database '{instance.name}'",
                    "it sits in private subnets",
                    "Pass the subnet group resource's name so the dependency is recorded.",
                ),
                instance.urn,
            )
        elif groups.external:
            check.report(
                f"Database '{instance.name}' uses subnet group {', '.join(groups.external)}, which "
                "this stack does not manage, so its subnets cannot be checked. Use a subnet group "
                "built from the private subnets the program looked up.",
                instance.urn,
            )
        elif not groups.nodes:
            check.report(
                f"Database '{instance.name}' has no subnet group, so RDS places it in the default "
                "VPC. Give it a subnet group of the private subnets.",
                instance.urn,
            )
    for group in view.of_type(RDS_SUBNET_GROUP):
        subnet_ids = as_list(group.props.get("subnetIds"))
        if subnet_ids is UNKNOWN or UNKNOWN in subnet_ids:  # type: ignore[operator]
            check.report(
                unknown_refusal(
                    f"The subnets of subnet group '{group.name}'",
                    "they are all private",
                    "Build the subnet group from the looked-up private subnet ids.",
                ),
                group.urn,
            )
            continue
        if not private and not complete:
            check.report(
                f"Subnet group '{group.name}' cannot be checked: the stack has no "
                "ExistingNetwork component whose privateSubnetIds say which subnets are private.",
                group.urn,
            )
            continue
        strays = [s for s in subnet_ids if s not in private]  # type: ignore[union-attr]
        if strays and not complete:
            check.report(
                unknown_refusal(
                    "The private subnet ids the program looked up",
                    f"subnet group '{group.name}' holds only private subnets",
                    "Look the subnets up during preview.",
                ),
                group.urn,
            )
        elif strays:
            check.report(
                f"Subnet group '{group.name}' holds {', '.join(map(str, strays))}, which "
                f"{'is' if len(strays) == 1 else 'are'} not among the private subnets the "
                f"program looked up ({', '.join(sorted(private)) or 'none'}). A database in a "
                "public subnet is one route away from the internet; use only private subnets.",
                group.urn,
            )


def policies() -> list[Policy]:
    hardening_note = " Costs money; advisory in dev, mandatory in prod."
    return [
        resource_rule(
            name="rds-no-public-access",
            description="RDS instances are not publicly accessible.",
            severity=Severity.CRITICAL,
            remediation_steps="Set publiclyAccessible=false; connect through the bastion.",
            types=(RDS_INSTANCE,),
            check=_no_public_access,
        ),
        resource_rule(
            name="rds-storage-encrypted",
            description="RDS storage is encrypted at rest (optionally with a given KMS key).",
            severity=Severity.HIGH,
            remediation_steps="Set storageEncrypted=true (and kmsKeyId if a key is required).",
            types=(RDS_INSTANCE,),
            check=_storage_encrypted,
            config={
                "kmsKeyId": {
                    "type": "string",
                    "description": "KMS key the storage must use; empty accepts any key.",
                    "default": "",
                }
            },
        ),
        resource_rule(
            name="rds-backup-retention",
            description="Automated backups are kept for at least the configured number of days.",
            severity=Severity.MEDIUM,
            remediation_steps="Set backupRetentionPeriod to at least minimumDays (at most 35).",
            types=(RDS_INSTANCE,),
            check=_backup_retention,
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
        ),
        resource_rule(
            name="rds-deletion-protection",
            description="RDS instances have deletion protection." + hardening_note,
            severity=Severity.MEDIUM,
            remediation_steps="Set deletionProtection=true.",
            types=(RDS_INSTANCE,),
            check=_deletion_protection,
        ),
        resource_rule(
            name="rds-final-snapshot",
            description="Deleting an RDS instance takes a final snapshot." + hardening_note,
            severity=Severity.MEDIUM,
            remediation_steps="Set skipFinalSnapshot=false and a finalSnapshotIdentifier.",
            types=(RDS_INSTANCE,),
            check=_final_snapshot,
        ),
        resource_rule(
            name="rds-multi-az",
            description="RDS instances run Multi-AZ." + hardening_note,
            severity=Severity.MEDIUM,
            remediation_steps="Set multiAz=true.",
            types=(RDS_INSTANCE,),
            check=_multi_az,
        ),
        resource_rule(
            name="rds-auto-minor-version-upgrade",
            description="RDS instances take minor engine upgrades automatically.",
            severity=Severity.MEDIUM,
            remediation_steps="Set autoMinorVersionUpgrade=true (or leave it unset).",
            types=(RDS_INSTANCE,),
            check=_minor_upgrades,
        ),
        resource_rule(
            name="rds-copy-tags-to-snapshot",
            description="RDS snapshots inherit the instance's tags.",
            severity=Severity.LOW,
            remediation_steps="Set copyTagsToSnapshot=true.",
            types=(RDS_INSTANCE,),
            check=_copy_tags,
        ),
        resource_rule(
            name="rds-log-exports",
            description="RDS instances export the engine's logs to CloudWatch Logs.",
            severity=Severity.MEDIUM,
            remediation_steps="List the engine's log types in enabledCloudwatchLogsExports.",
            types=(RDS_INSTANCE,),
            check=_log_exports,
            config={
                "requiredLogExports": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "Log types each engine must export.",
                    "default": {
                        "postgres": ["postgresql"],
                        "mysql": ["error"],
                        "mariadb": ["error"],
                    },
                }
            },
        ),
        resource_rule(
            name="rds-iam-authentication",
            description="RDS instances accept IAM database authentication.",
            severity=Severity.LOW,
            remediation_steps="Set iamDatabaseAuthenticationEnabled=true.",
            types=(RDS_INSTANCE,),
            check=_iam_authentication,
            level=ADVISORY,
        ),
        resource_rule(
            name="rds-performance-insights",
            description="RDS instances have Performance Insights on.",
            severity=Severity.LOW,
            remediation_steps="Set performanceInsightsEnabled=true (and a KMS key if required).",
            types=(RDS_INSTANCE,),
            check=_performance_insights,
            level=ADVISORY,
            config={
                "requireKmsKey": {
                    "type": "boolean",
                    "description": "Require a customer-managed KMS key for Performance Insights.",
                    "default": False,
                }
            },
        ),
        resource_rule(
            name="rds-enhanced-monitoring",
            description="RDS instances have enhanced (OS-level) monitoring on.",
            severity=Severity.LOW,
            remediation_steps="Set monitoringInterval (seconds) and monitoringRoleArn.",
            types=(RDS_INSTANCE,),
            check=_enhanced_monitoring,
            level=ADVISORY,
            config={
                "maximumIntervalSeconds": {
                    "type": "integer",
                    "enum": [1, 5, 10, 15, 30, 60],
                    "description": "Coarsest accepted monitoring interval.",
                    "default": 60,
                }
            },
        ),
        resource_rule(
            name="rds-ca-certificate",
            description="RDS instances use a current certificate authority.",
            severity=Severity.MEDIUM,
            remediation_steps="Set caCertIdentifier to a current CA or leave it unset.",
            types=(RDS_INSTANCE,),
            check=_ca_certificate,
            config={
                "allowedCaCertificates": string_list_schema(
                    "Accepted caCertIdentifier values.",
                    ["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"],
                )
            },
        ),
        resource_rule(
            name="rds-engine-version",
            description="RDS engine versions are at least the team's minimum.",
            severity=Severity.MEDIUM,
            remediation_steps="Raise engineVersion to the configured minimum or newer.",
            types=(RDS_INSTANCE,),
            check=_engine_version,
            config={
                "minimumVersions": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "Oldest accepted version per engine.",
                    "default": {"postgres": "14", "mysql": "8.0", "mariadb": "10.6"},
                }
            },
        ),
        resource_rule(
            name="rds-vpc-security-groups",
            description=(
                "RDS instances use their own VPC security groups "
                "(no default group, no EC2-Classic)."
            ),
            severity=Severity.HIGH,
            remediation_steps="Set vpcSecurityGroupIds to the database's own group.",
            types=(RDS_INSTANCE,),
            check=_vpc_security_groups,
        ),
        resource_rule(
            name="rds-postgres-query-logging",
            description="PostgreSQL parameter groups turn on statement logging.",
            severity=Severity.LOW,
            remediation_steps="Set log_statement (e.g. ddl) and log_min_duration_statement.",
            types=(RDS_PARAMETER_GROUP,),
            check=_postgres_query_logging,
            level=ADVISORY,
            config={
                "requiredParameters": string_list_schema(
                    "Parameters a PostgreSQL parameter group must set.",
                    ["log_statement", "log_min_duration_statement"],
                )
            },
        ),
        stack_rule(
            name="rds-tls-enforced",
            description="Every database's parameter group forces TLS on client connections.",
            severity=Severity.HIGH,
            remediation_steps=(
                "Attach a parameter group of this stack that sets rds.force_ssl=1 (PostgreSQL) or "
                "require_secure_transport=1 (MySQL/MariaDB)."
            ),
            check=_tls_enforced,
        ),
        stack_rule(
            name="rds-subnet-group-private",
            description="Database subnet groups hold only the private subnets that were looked up.",
            severity=Severity.CRITICAL,
            remediation_steps=(
                "Build the subnet group from ExistingNetwork.privateSubnetIds and nothing else."
            ),
            check=_subnet_group_private,
        ),
    ]
