"""One CloudWatch alarm from its plan (bastion_db.monitoring.alarms): the one
place a plan becomes a MetricAlarm, for the database's alarms and its replicas'."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from bastion_db.monitoring.alarms import AlarmPlan


def metric_alarm(
    resource_name: str,
    plan: AlarmPlan,
    dimension_value: pulumi.Input[str],
    topic_arn: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
    tags: Mapping[str, str] | None = None,
) -> aws.cloudwatch.MetricAlarm:
    """The alarm ``plan`` describes on ``dimension_value`` (an instance), sending
    alarm and OK to ``topic_arn`` (and no data, when the plan says so)."""
    return aws.cloudwatch.MetricAlarm(
        resource_name,
        aws.cloudwatch.MetricAlarmArgs(
            alarm_description=plan.description,
            namespace=plan.namespace,
            metric_name=plan.metric_name,
            dimensions={plan.dimension_name: dimension_value},
            statistic=plan.statistic,
            extended_statistic=plan.extended_statistic,
            evaluate_low_sample_count_percentiles=plan.evaluate_low_sample_count_percentiles,
            comparison_operator=plan.comparison_operator,
            threshold=plan.threshold,
            period=plan.period,
            evaluation_periods=plan.evaluation_periods,
            datapoints_to_alarm=plan.datapoints_to_alarm,
            treat_missing_data=plan.treat_missing_data,
            actions_enabled=True,
            alarm_actions=[topic_arn],
            ok_actions=[topic_arn],
            insufficient_data_actions=[topic_arn] if plan.notify_on_insufficient_data else None,
            tags=tags,
        ),
        opts,
    )
