"""Guardrails for CloudWatch log groups: kept for a set time (Security Hub
CloudWatch.16) and encrypted with a KMS key; and every log the database
exports lands in a group this stack manages, since the group RDS would make
by itself keeps logs forever and uses no key of yours."""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from .database import engine_of
from .declaring import (
    ResourceCheck,
    RuleSet,
    StackCheck,
    judge,
    origin,
    policy_knob,
    stack_key,
)
from .resource_types import LOG_GROUP, RDS_INSTANCE
from .unknowns import UNKNOWN, as_int, as_list, unknown_refusal

rules = RuleSet("logs")
RETENTION_KEY = "dbLogRetentionDays"


@rules.resource(
    name="cloudwatch-log-group-retention",
    description="Log groups keep their logs for a set time of at least the configured days "
    "(never-expiring groups are refused). Security Hub CloudWatch.16.",
    severity=Severity.MEDIUM,
    fix=(
        "Set the log group's retentionInDays to a CloudWatch Logs retention value, or change "
        f"{policy_knob('cloudwatch-log-group-retention', 'minimumDays')}."
    ),
    types=(LOG_GROUP,),
    config={
        "minimumDays": {
            "type": "integer",
            "minimum": 1,
            "description": "Fewest days a log group keeps logs (CloudWatch.16's default: 365).",
            "default": 365,
        }
    },
)
def log_retention(check: ResourceCheck) -> None:
    minimum = as_int(check.config.get("minimumDays")) or 365
    key = stack_key(RETENTION_KEY)
    knob = policy_knob("cloudwatch-log-group-retention", "minimumDays")

    def problem(days: Any) -> str | None:
        if not days:
            return (
                f"Log group '{check.name}' never expires its logs ({origin(key)}): they are "
                f"billed forever and no time is set; {knob} wants at least {minimum} days."
            )
        if days < minimum:
            return (
                f"Log group '{check.name}' keeps logs {days} days ({origin(key)}); {knob} "
                f"wants at least {minimum}."
            )
        return None

    judge(
        check.report,
        as_int(check.props.get("retentionInDays")),
        what=f"retentionInDays ({origin(key)})",
        claim=f"the logs are kept at least {minimum} days",
        known="Set retentionInDays as a literal.",
        problem=problem,
    )


@rules.resource(
    name="cloudwatch-log-group-encrypted",
    url="https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html",
    description="Log groups are encrypted with a KMS key.",
    severity=Severity.MEDIUM,
    fix="Set kms_key_id to a key whose policy lets logs.<region>.amazonaws.com use it for "
    "this log group, as the program's database log groups do.",
    types=(LOG_GROUP,),
)
def log_encryption(check: ResourceCheck) -> None:
    # An unknown key id is a key being created: the group will be encrypted.
    if check.props.get("kmsKeyId") in (None, ""):
        check.report(
            f"Log group '{check.name}' has no kmsKeyId ({origin(None)}): the database's logs "
            "(statements, errors, user names) are encrypted only with a key AWS holds."
        )


def _log_group_name(identifier: str, log_type: str) -> str:
    # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html
    return f"/aws/rds/instance/{identifier}/{log_type}"


@rules.stack(
    name="rds-log-groups-managed",
    description="Every log type a database exports goes to a log group this stack manages "
    "(so its retention and key are set).",
    severity=Severity.MEDIUM,
    fix="Create /aws/rds/instance/<identifier>/<log type> for every exported log type before "
    "the database, as the program's DatabaseLogGroups component does.",
)
def log_groups_managed(check: StackCheck) -> None:
    view = check.view
    names = {g.props.get("name") for g in view.of_type(LOG_GROUP)}
    unknown_names = UNKNOWN in names
    for instance in view.of_type(RDS_INSTANCE):
        identifier = instance.props.get("identifier")
        exports = as_list(instance.props.get("enabledCloudwatchLogsExports"))
        if UNKNOWN in (identifier, exports) or UNKNOWN in exports:  # type: ignore[operator]
            check.report(
                unknown_refusal(
                    f"The identifier or exported logs of database '{instance.name}'",
                    "each exported log has a managed group",
                    "Set identifier and enabledCloudwatchLogsExports as literals.",
                ),
                instance.urn,
            )
            continue
        missing = [
            log
            for log in exports  # type: ignore[union-attr]
            if _log_group_name(str(identifier), str(log)) not in names
        ]
        if not missing:
            continue
        if unknown_names:
            check.report(
                unknown_refusal(
                    "The name of a log group",
                    f"database '{instance.name}''s logs land in managed groups",
                    "Name the log groups with literals.",
                ),
                instance.urn,
            )
            continue
        check.report(
            f"Database '{instance.name}' ({engine_of(instance.props)}) exports "
            f"{', '.join(missing)} to log groups this stack does not manage ({origin(None)}): "
            "RDS creates them itself, never expiring and without your key.",
            instance.urn,
        )
