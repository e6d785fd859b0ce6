"""Security Hub controls on the database that the first rules did not cover:
its admin user name (RDS.25), its port (RDS.23), its master secret
(SecretsManager.1/4) and its event subscriptions (RDS.20/21).

Each control's page: https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html
and .../secretsmanager-controls.html (anchors #rds-25, #secretsmanager-4...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pulumi_policy import Severity

from .database import engine_of, is_read_replica
from .declaring import (
    ADVISORY,
    ResourceCheck,
    RuleSet,
    StackCheck,
    judge,
    origin,
    policy_knob,
    require_flag,
    stack_key,
    string_lists_by_name,
)
from .resource_types import (
    DEFAULT_DB_PORTS,
    RDS_EVENT_SUBSCRIPTION,
    RDS_INSTANCE,
    RDS_PARAMETER_GROUP,
    SECRET_ROTATION,
)
from .stack_view import Node, StackView
from .unknowns import UNKNOWN, as_int, as_list, unknown_refusal

rules = RuleSet("database")
DATABASE = (RDS_INSTANCE,)

# The master user names RDS's console and the engines' own installs start
# with (RDS.25 fails on them; AWS Config's rds-instance-default-admin-check
# names 'postgres' and 'admin' as the defaults:
# https://docs.aws.amazon.com/config/latest/developerguide/rds-instance-default-admin-check.html).
DEFAULT_ADMIN_NAMES = {
    "postgres": ["postgres", "admin", "root"],
    "mysql": ["admin", "root"],
    "mariadb": ["admin", "root"],
}


@rules.resource(
    name="rds-custom-admin-username",
    description="RDS master user names are not the engine's default (admin, postgres, root). "
    "Security Hub RDS.25.",
    severity=Severity.MEDIUM,
    fix=(
        "Set the database's username to a name of your own (it is chosen when the database is "
        "created: changing it replaces the instance)."
    ),
    types=DATABASE,
    config={
        "defaultUsernames": string_lists_by_name(
            "Master user names refused per engine (compared without case).", DEFAULT_ADMIN_NAMES
        )
    },
)
def custom_admin_username(check: ResourceCheck) -> None:
    engine = engine_of(check.props)
    username = check.props.get("username")
    refused = check.config.get("defaultUsernames") or {}
    key = stack_key("dbUsername")

    def problem(name: Any) -> str | None:
        if name in (None, ""):
            return None  # a restore or a replica takes the source's user
        names = [str(n).lower() for n in refused.get(engine, [])]
        if str(name).lower() in names:
            return (
                f"The master user is {name!r} ({origin(key)}), a default {engine} name that "
                "every scanner tries first: half of the credential is public."
            )
        return None

    judge(
        check.report,
        UNKNOWN if UNKNOWN in (engine, username) else username,
        what=f"username ({origin(key)})",
        claim="the master user is not a default name",
        known="Set the engine and username as literals.",
        problem=problem,
    )


@rules.resource(
    name="rds-non-default-port",
    description="RDS instances listen on a port other than the engine's default. Security Hub "
    "RDS.23; advice: it only slows scanners, the security groups are what close the port.",
    severity=Severity.LOW,
    fix="Set the database's port to one from 1150 to 65535 other than the engine's default.",
    types=DATABASE,
    level=ADVISORY,
)
def non_default_port(check: ResourceCheck) -> None:
    engine = engine_of(check.props)
    key = stack_key("dbPort")

    def problem(port: Any) -> str | None:
        default = DEFAULT_DB_PORTS.get(engine) if isinstance(engine, str) else None
        if default is None:
            return None
        if port in (None, 0, default):
            return (
                f"The database listens on {engine}'s default port {default} ({origin(key)}), "
                "the port every scan for the engine tries."
            )
        return None

    port = as_int(check.props.get("port"))
    judge(
        check.report,
        UNKNOWN if UNKNOWN in (engine, port) else port,
        what=f"port ({origin(key)})",
        claim="the database is off the engine's default port",
        known="Set port as a literal.",
        problem=problem,
    )


# Where RDS refuses a master password managed in Secrets Manager, a static
# one is the only choice: on the source of a read replica (every engine but
# RDS for SQL Server), and on an instance in a blue/green deployment. RDS User
# Guide, "Limitations for Secrets Manager integration with Amazon RDS"
# (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations),
# and "Limitations and considerations for Amazon RDS blue/green deployments"
# (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/blue-green-deployments-considerations.html:
# "Blue/green deployments don't support managing master user passwords with
# AWS Secrets Manager").
WHERE_RDS_REFUSES = (
    "RDS refuses a managed master password only on the source of a read replica (but for "
    "SQL Server) and with blueGreenUpdate.enabled, and neither applies here"
)
# A replica's replicateSourceDb names its source by identifier (same region),
# or by ARN (with dbSubnetGroupName, or across regions): the provider's
# aws.rds.Instance reference, replicateSourceDb.
REPLICA_SOURCE_KEYS = ("identifier", "arn")


@dataclass(frozen=True)
class ReplicaSources:
    """The instances of the stack a read replica of the stack names as its
    source (by known value, or by recorded dependency while unknown), and the
    replicas whose source nothing tells at preview."""

    nodes: tuple[Node, ...]
    unresolved: tuple[Node, ...]


def replica_sources(view: StackView) -> ReplicaSources:
    sources: list[Node] = []
    unresolved: list[Node] = []
    for replica in view.of_type(RDS_INSTANCE):
        if not is_read_replica(replica.props):
            continue
        named = view.resolve(replica, "replicateSourceDb", DATABASE, REPLICA_SOURCE_KEYS)
        sources.extend(node for node in named.nodes if node not in sources)
        if named.unresolved:
            unresolved.append(replica)
    return ReplicaSources(tuple(sources), tuple(unresolved))


def _blue_green(instance: Node) -> bool:
    block = instance.props.get("blueGreenUpdate")
    return isinstance(block, dict) and block.get("enabled") is True


def _managed_password_refused(instance: Node, sources: ReplicaSources) -> bool:
    """Does RDS refuse a managed master password on ``instance``? An unknown
    engine or flag does not count: the rule then asks for the managed one."""
    if _blue_green(instance):
        return True
    engine = engine_of(instance.props)
    return (
        instance in sources.nodes and isinstance(engine, str) and not engine.startswith("sqlserver")
    )


def _unproven_exemption(instance: Node, sources: ReplicaSources) -> tuple[str, str] | None:
    """What, unknown at preview, could make ``instance`` a place RDS refuses
    a managed master password; and how to make it known."""
    block = instance.props.get("blueGreenUpdate")
    if block is UNKNOWN or (isinstance(block, dict) and block.get("enabled") is UNKNOWN):
        return (
            f"blueGreenUpdate.enabled of database '{instance.name}'",
            "Set blueGreenUpdate.enabled as a literal.",
        )
    if sources.unresolved:
        return (
            f"The source of read replica '{sources.unresolved[0].name}' (replicateSourceDb)",
            "Pass the source instance's identifier or arn output, so that the dependency is "
            "recorded.",
        )
    return None


@rules.stack(
    name="rds-managed-master-password",
    description="The master password is generated, kept and rotated by RDS in Secrets Manager "
    "(manageMasterUserPassword). Security Hub SecretsManager.1 for the master secret. Not "
    "asked where RDS refuses it: a read replica's source in the stack (but for SQL Server), "
    "an instance with blueGreenUpdate.enabled; a replica has no master password of its own.",
    severity=Severity.MEDIUM,
    fix=(
        "Set the database's manageMasterUserPassword to true and give it no password; RDS "
        "then keeps the password in Secrets Manager and rotates it."
    ),
)
def managed_master_password(check: StackCheck) -> None:
    view = check.view
    sources = replica_sources(view)
    for instance in view.of_type(RDS_INSTANCE):
        if is_read_replica(instance.props):
            continue  # a replica has no master password of its own
        if _managed_password_refused(instance, sources):
            continue
        unproven = _unproven_exemption(instance, sources)
        if unproven and instance.props.get("manageMasterUserPassword") is not True:
            what, known = unproven
            check.report(
                unknown_refusal(
                    what,
                    f"database '{instance.name}' is where RDS refuses a managed master password "
                    "(a read replica's source, or an instance with blue/green deployments)",
                    known,
                ),
                instance.urn,
            )
            continue
        require_flag(
            check.resource(instance),
            "manageMasterUserPassword",
            key=stack_key("dbPasswordMode"),
            claim="the master password is kept and rotated by Secrets Manager",
            why=(
                "the master password is a static value in the stack's state that nothing "
                f"rotates ({WHERE_RDS_REFUSES})"
            ),
        )


# "rate(10 days)", "rate(1 day)", "rate(4 hours)" (Secrets Manager schedule
# expressions: https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html)
_RATE = re.compile(r"^rate\((\d+)\s+(hour|hours|day|days)\)$")


def _rotation_days(rules_block: Any) -> float | Any | None:
    """Days between rotations the rules say, None when they say none; UNKNOWN."""
    if rules_block is UNKNOWN:
        return UNKNOWN
    if not isinstance(rules_block, dict):
        return None
    days = rules_block.get("automaticallyAfterDays")
    expression = rules_block.get("scheduleExpression")
    if UNKNOWN in (days, expression):
        return UNKNOWN
    if isinstance(days, int | float) and days > 0:
        return float(days)
    if isinstance(expression, str):
        rate = _RATE.match(expression.strip())
        if rate:
            amount, unit = int(rate.group(1)), rate.group(2)
            return amount / 24 if unit.startswith("hour") else float(amount)
        if expression.strip().startswith("cron("):
            return 0.0  # a cron schedule runs at least as often as its calendar says
    return None


@rules.resource(
    name="secret-rotation-schedule",
    description="Secrets rotate at least every configured number of days. Security Hub "
    "SecretsManager.1 (maximumAllowedRotationFrequency) and SecretsManager.4.",
    severity=Severity.MEDIUM,
    fix=(
        "Rotate the secret more often (the rotation's schedule), or raise "
        f"{policy_knob('secret-rotation-schedule', 'maximumDays')}."
    ),
    types=(SECRET_ROTATION,),
    config={
        "maximumDays": {
            "type": "integer",
            "minimum": 1,
            "maximum": 365,
            "description": "Most days between two rotations (Security Hub's SecretsManager.4 "
            "default is 90).",
            "default": 90,
        }
    },
)
def rotation_schedule(check: ResourceCheck) -> None:
    maximum = as_int(check.config.get("maximumDays")) or 90
    key = stack_key("dbPasswordRotationDays")

    def problem(days: Any) -> str | None:
        if days is None:
            return (
                f"The rotation has no schedule ({origin(key)}): rotationRules sets neither "
                "automaticallyAfterDays nor a rate or cron scheduleExpression."
            )
        if days > maximum:
            return (
                f"The secret rotates every {days:g} days ({origin(key)}); "
                f"{policy_knob('secret-rotation-schedule', 'maximumDays')} allows at most "
                f"{maximum}."
            )
        return None

    judge(
        check.report,
        _rotation_days(check.props.get("rotationRules")),
        what=f"rotationRules ({origin(key)})",
        claim=f"the secret rotates at least every {maximum} days",
        known="Set rotationRules from literals or stack keys.",
        problem=problem,
    )


# --- RDS.20 / RDS.21: event subscriptions -------------------------------------------

# What each control asks a subscription to carry, per source type
# (https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html#rds-20 and #rds-21).
REQUIRED_EVENT_CATEGORIES = {
    "db-instance": ["maintenance", "configuration change", "failure"],
    "db-parameter-group": ["configuration change"],
}


def _subscription_covers(
    view: StackView, subscription: Node, source_type: str, source: Node, categories: list[str]
) -> bool | Any:
    """Does ``subscription`` send ``categories`` of ``source``'s events?
    UNKNOWN when it cannot tell."""
    props = subscription.props
    if props.get("sourceType") is UNKNOWN or props.get("enabled") is UNKNOWN:
        return UNKNOWN
    if props.get("sourceType") != source_type or props.get("enabled") is False:
        return False
    chosen = as_list(props.get("eventCategories"))
    if chosen is UNKNOWN or UNKNOWN in chosen:  # type: ignore[operator]
        return UNKNOWN
    # No categories means every category (CreateEventSubscription's EventCategories).
    if chosen and not set(categories) <= {str(c).lower() for c in chosen}:  # type: ignore[union-attr]
        return False
    ids = as_list(props.get("sourceIds"))
    if ids is UNKNOWN:
        return UNKNOWN
    if not ids:
        return True  # no ids: every source of the type in the account and region
    target_types = (RDS_INSTANCE,) if source_type == "db-instance" else (RDS_PARAMETER_GROUP,)
    keys = ("identifier", "id") if source_type == "db-instance" else ("name", "id")
    named = view.resolve(subscription, "sourceIds", target_types, keys)
    if source in named.nodes:
        return True
    return UNKNOWN if named.unresolved else False


@rules.stack(
    name="rds-event-subscriptions",
    description="An enabled RDS event subscription sends each database's maintenance, "
    "configuration-change and failure events, and its parameter group's configuration "
    "changes. Security Hub RDS.20 and RDS.21.",
    severity=Severity.LOW,
    fix=(
        "Add an aws.rds.EventSubscription with source_type=db-instance (and one with "
        "db-parameter-group) to the alarm topic, naming the database (or no source ids), with "
        "those event categories or none (all); or change "
        f"{policy_knob('rds-event-subscriptions', 'requiredCategories')}."
    ),
    config={
        "requiredCategories": string_lists_by_name(
            "Event categories a subscription must carry, per RDS source type.",
            REQUIRED_EVENT_CATEGORIES,
        )
    },
)
def event_subscriptions(check: StackCheck) -> None:
    view = check.view
    required = check.config.get("requiredCategories") or {}
    subscriptions = view.of_type(RDS_EVENT_SUBSCRIPTION)
    for instance in view.of_type(RDS_INSTANCE):
        sources = [("db-instance", instance)]
        groups = view.resolve(
            instance, "parameterGroupName", (RDS_PARAMETER_GROUP,), ("id", "name")
        )
        sources += [("db-parameter-group", group) for group in groups.nodes]
        for source_type, source in sources:
            categories = [str(c).lower() for c in required.get(source_type, [])]
            if not categories:
                continue
            answers = [
                _subscription_covers(view, s, source_type, source, categories)
                for s in subscriptions
            ]
            if True in answers:
                continue
            what = "database" if source_type == "db-instance" else "parameter group"
            if UNKNOWN in answers:
                check.report(
                    unknown_refusal(
                        f"What the event subscriptions send for {what} '{source.name}'",
                        f"its {', '.join(categories)} events reach someone",
                        "Give sourceType, eventCategories and sourceIds as literals or outputs "
                        "of this stack's resources.",
                    ),
                    source.urn,
                )
                continue
            check.report(
                f"No enabled RDS event subscription of source type {source_type} sends "
                f"{what} '{source.name}''s {', '.join(categories)} events ({origin(None)}; "
                f"{policy_knob('rds-event-subscriptions', 'requiredCategories')} asks for "
                "them), so a failure, a forced maintenance or a changed parameter reaches "
                "nobody.",
                source.urn,
            )
