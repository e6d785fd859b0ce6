"""Guardrails for the monitoring resources: CloudWatch alarms and SNS topics,
and the stack rule that every database is watched."""

from __future__ import annotations

from pulumi_policy import Severity

from .declaring import ResourceCheck, RuleSet, StackCheck, judge, origin, policy_knob, string_list
from .resource_types import METRIC_ALARM, RDS_INSTANCE, SNS_TOPIC
from .stack_view import Node
from .unknowns import UNKNOWN, Unknown, as_list, unknown_refusal

rules = RuleSet("monitoring")

RDS_NAMESPACE = "AWS/RDS"
RDS_DIMENSION = "DBInstanceIdentifier"
# What the lecture says to watch on RDS.
DEFAULT_DATABASE_METRICS = (
    "CPUUtilization",
    "FreeableMemory",
    "FreeStorageSpace",
    "DatabaseConnections",
)
# Which way each metric goes bad: an alarm comparing the other way never fires
# when it matters. Metrics not listed here are not checked for direction.
RISING_METRICS = frozenset(
    {"CPUUtilization", "DatabaseConnections", "ReadLatency", "WriteLatency", "DiskQueueDepth"}
)
FALLING_METRICS = frozenset({"FreeableMemory", "FreeStorageSpace"})
# Anomaly detection's two-sided band fires on a rise as well.
BAND_OPERATOR = "LessThanLowerOrGreaterThanUpperThreshold"


@rules.resource(
    name="cloudwatch-alarm-actions",
    description="CloudWatch alarms have actions enabled and somewhere to send them.",
    severity=Severity.MEDIUM,
    fix="Set actions_enabled=True and alarm_actions=[<the stack's SNS topic ARN>], as the "
    "program's monitoring component does.",
    types=(METRIC_ALARM,),
)
def alarm_actions(check: ResourceCheck) -> None:
    judge(
        check.report,
        check.props.get("actionsEnabled"),
        what="actionsEnabled",
        claim="the alarm notifies anyone",
        known="Set actionsEnabled=true as a literal.",
        problem=lambda enabled: (
            f"actionsEnabled is false ({origin(None)}): the alarm fires silently."
            if enabled is False
            else None
        ),
    )
    actions = check.props.get("alarmActions")
    if actions is UNKNOWN:
        return  # actions will be there (e.g. a topic's ARN being created)
    if not actions:
        check.report(f"The alarm has no alarmActions ({origin(None)}), so nobody hears about it.")


@rules.resource(
    name="sns-topic-encrypted",
    description="SNS topics are encrypted at rest with KMS.",
    severity=Severity.MEDIUM,
    fix="Set kms_master_key_id to a customer-managed KMS key whose policy lets "
    "cloudwatch.amazonaws.com use it (the AWS-managed alias/aws/sns does not).",
    types=(SNS_TOPIC,),
)
def topic_encrypted(check: ResourceCheck) -> None:
    key = check.props.get("kmsMasterKeyId")
    if key in (None, ""):
        check.report(
            f"The SNS topic is not encrypted at rest ({origin(None)}): the alarm messages it "
            "carries, with the database's names, are stored in the clear."
        )
    # An unknown key id is a key being created: the topic will be encrypted.


# --- every database is watched ------------------------------------------------------


def _watches(alarm: Node, instance: Node) -> bool | Unknown:
    """Does ``alarm`` watch an RDS metric of ``instance``? Known values decide;
    while either identifier is unknown, the alarm's ``dimensions`` property
    dependency on the instance does (that is what a preview has)."""
    namespace = alarm.props.get("namespace")
    if namespace is not UNKNOWN and namespace != RDS_NAMESPACE:
        return False
    dimensions = alarm.props.get("dimensions")
    if isinstance(dimensions, dict):
        if RDS_DIMENSION not in dimensions:
            return False
        watched = dimensions[RDS_DIMENSION]
    elif dimensions is UNKNOWN:
        watched = UNKNOWN
    else:
        return False
    identifier = instance.props.get("identifier")
    if namespace == RDS_NAMESPACE and isinstance(watched, str) and isinstance(identifier, str):
        return watched == identifier
    if instance.urn in alarm.property_dependencies.get("dimensions", []):
        return True
    return UNKNOWN


def _actions(alarm: Node, prop: str, event: str) -> str | None:
    """What is wrong with one of the alarm's action lists, if anything."""
    actions = as_list(alarm.props.get(prop))
    if isinstance(actions, Unknown):
        return unknown_refusal(
            prop,
            f"someone hears that the alarm {event}",
            f"Set {prop} to a list of the topic's ARN (the ARN itself may be unknown).",
        )
    if not [a for a in actions if a not in (None, "")]:
        return f"it has no {prop}, so nobody hears that it {event}"
    return None


def _comparison(alarm: Node, metric: str) -> str | None:
    operator = alarm.props.get("comparisonOperator")
    if operator is UNKNOWN:
        return unknown_refusal(
            "comparisonOperator",
            f"it fires when {metric} goes bad",
            "Set comparisonOperator as a literal.",
        )
    if not isinstance(operator, str):
        return "it has no comparisonOperator"
    if metric in RISING_METRICS and not (
        operator.startswith("GreaterThan") or operator == BAND_OPERATOR
    ):
        return (
            f"its comparisonOperator {operator} fires when {metric} falls; {metric} goes bad "
            "when it rises, so use GreaterThanThreshold"
        )
    if metric in FALLING_METRICS and not operator.startswith("LessThan"):
        return (
            f"its comparisonOperator {operator} fires when {metric} rises; {metric} goes bad "
            "when it falls, so use LessThanThreshold"
        )
    return None


def _alarm_defects(alarm: Node, metric: str) -> list[str]:
    defects: list[str] = []
    enabled = alarm.props.get("actionsEnabled")
    if enabled is UNKNOWN:
        defects.append(
            unknown_refusal(
                "actionsEnabled", "it notifies anyone", "Set actionsEnabled=true as a literal."
            )
        )
    elif enabled is False:
        defects.append("actionsEnabled is false, so it fires silently")
    # An unset actionsEnabled is the provider's default: true.
    for prop, event in (("alarmActions", "fired"), ("okActions", "recovered")):
        problem = _actions(alarm, prop, event)
        if problem:
            defects.append(problem)
    problem = _comparison(alarm, metric)
    if problem:
        defects.append(problem)
    return defects


def _database_label(instance: Node) -> str:
    identifier = instance.props.get("identifier")
    if isinstance(identifier, str) and identifier:
        return f"Database '{instance.name}' ({identifier})"
    return f"Database '{instance.name}'"


@rules.stack(
    name="database-alarms",
    description="Every RDS instance has CPU, memory, storage and connection alarms pointing at it, "
    "each enabled, comparing the right way, with alarm and OK actions.",
    severity=Severity.MEDIUM,
    fix=(
        "Add a CloudWatch metric alarm per required metric in namespace AWS/RDS with "
        "dimensions.DBInstanceIdentifier set from the instance's identifier output, "
        "actions_enabled=True and alarm_actions/ok_actions set to the stack's SNS topic, as the "
        "program's monitoring component does; or change "
        f"{policy_knob('database-alarms', 'requiredMetrics')}."
    ),
    config={
        "requiredMetrics": string_list(
            "AWS/RDS metrics every database must have an alarm on.",
            DEFAULT_DATABASE_METRICS,
        )
    },
)
def database_alarms(check: StackCheck) -> None:
    required = [str(m) for m in check.config.get("requiredMetrics") or []]
    alarms = check.view.of_type(METRIC_ALARM)
    for instance in check.view.of_type(RDS_INSTANCE):
        label = _database_label(instance)
        watching = [(alarm, _watches(alarm, instance)) for alarm in alarms]
        for metric in required:
            sure: list[Node] = []
            unsure: list[Node] = []
            for alarm, watches in watching:
                name = alarm.props.get("metricName")
                if watches is True and name == metric:
                    sure.append(alarm)
                elif watches is not False and name in (metric, UNKNOWN):
                    unsure.append(alarm)
            defects = [(alarm, _alarm_defects(alarm, metric)) for alarm in sure]
            if any(not problems for _, problems in defects):
                continue
            if defects:
                alarm, problems = defects[0]
                check.report(
                    f"{label}: its {metric} alarm '{alarm.name}' ({origin(None)}) does not do "
                    "its job: " + "; ".join(problems) + ".",
                    alarm.urn,
                )
            elif unsure:
                check.report(
                    f"{label}: "
                    + unknown_refusal(
                        f"What alarm '{unsure[0].name}' watches (its metric or its "
                        "DBInstanceIdentifier dimension)",
                        f"the database has a {metric} alarm",
                        "Pass the instance's identifier output into the alarm's dimensions so "
                        "the dependency is recorded, and give metricName as a literal.",
                    ),
                    instance.urn,
                )
            else:
                check.report(
                    f"{label} has no {metric} alarm in namespace {RDS_NAMESPACE} with "
                    f"{RDS_DIMENSION} set to it ({origin(None)}; "
                    f"{policy_knob('database-alarms', 'requiredMetrics')} asks for one), so "
                    "nobody is told when it goes bad.",
                    instance.urn,
                )
