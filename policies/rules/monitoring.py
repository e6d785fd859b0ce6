"""Guardrails for the monitoring resources: CloudWatch alarms and SNS topics.

SLOT: the stack rule "every database has its alarms" lands here with the
monitoring issue (a ``stack_rule`` that walks ``RDS_INSTANCE`` nodes and the
``METRIC_ALARM`` nodes whose ``dimensions.DBInstanceIdentifier`` or property
dependencies point at each one). Add it to ``policies()`` below and to
``COVERAGE.md``; the test modules under ``tests/policies`` show the three
cases every rule gets.
"""

from __future__ import annotations

from pulumi_policy import Policy, Severity

from .common import (
    METRIC_ALARM,
    SNS_TOPIC,
    UNKNOWN,
    ResourceCheck,
    resource_rule,
    unknown_refusal,
)


def _alarm_actions(check: ResourceCheck) -> None:
    enabled = check.props.get("actionsEnabled")
    if enabled is UNKNOWN:
        check.report(
            unknown_refusal(
                "actionsEnabled",
                "the alarm notifies anyone",
                "Set actionsEnabled=true as a literal.",
            )
        )
    elif enabled is False:
        check.report("actionsEnabled is false: the alarm fires silently. Set actionsEnabled=true.")
    actions = check.props.get("alarmActions")
    if actions is UNKNOWN:
        return  # actions will be there (e.g. a topic's ARN being created)
    if not actions:
        check.report(
            "The alarm has no alarmActions, so nobody hears about it. "
            "Send it to the stack's SNS topic."
        )


def _topic_encrypted(check: ResourceCheck) -> None:
    key = check.props.get("kmsMasterKeyId")
    if key in (None, ""):
        check.report(
            "The SNS topic is not encrypted at rest. Set kmsMasterKeyId to a KMS key whose policy "
            "lets cloudwatch.amazonaws.com use it (the AWS-managed alias/aws/sns does not)."
        )
    # An unknown key id is a key being created: the topic will be encrypted.


def policies() -> list[Policy]:
    return [
        resource_rule(
            name="cloudwatch-alarm-actions",
            description="CloudWatch alarms have actions enabled and somewhere to send them.",
            severity=Severity.MEDIUM,
            remediation_steps="Set actionsEnabled=true and alarmActions=[<SNS topic ARN>].",
            types=(METRIC_ALARM,),
            check=_alarm_actions,
        ),
        resource_rule(
            name="sns-topic-encrypted",
            description="SNS topics are encrypted at rest with KMS.",
            severity=Severity.MEDIUM,
            remediation_steps="Set kmsMasterKeyId to a customer-managed key CloudWatch may use.",
            types=(SNS_TOPIC,),
            check=_topic_encrypted,
        ),
    ]
