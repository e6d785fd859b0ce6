"""What CloudWatch metrics cannot say reaches the alarm topic too: RDS events of
the instance and its parameter group (Security Hub RDS.20/RDS.21), and a
burstable class running out of CPU credits."""

from __future__ import annotations

import json

from offline.runner import ProgramRun
from tests.conftest import RunStack
from tests.program.types import DB_INSTANCE, DB_PARAMETER_GROUP

SUBSCRIPTION = "aws:rds/eventSubscription:EventSubscription"
TOPIC = "aws:sns/topic:Topic"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def test_instance_and_parameter_group_events_go_to_the_alarm_topic(prod_run: ProgramRun) -> None:
    topic = prod_run.one(TOPIC)
    subscriptions = {s.inputs["sourceType"]: s for s in prod_run.of_type(SUBSCRIPTION)}
    assert sorted(subscriptions) == ["db-instance", "db-parameter-group"]
    instance = subscriptions["db-instance"]
    assert instance.inputs["sourceIds"] == ["bastion-db-prod"]
    assert instance.property_dependencies["sourceIds"] == (prod_run.one(DB_INSTANCE).urn,)
    assert set(instance.inputs["eventCategories"]) >= {
        "failure",
        "failover",
        "low storage",
        "maintenance",
        "configuration change",
    }
    groups = subscriptions["db-parameter-group"]
    assert groups.property_dependencies["sourceIds"] == (prod_run.one(DB_PARAMETER_GROUP).urn,)
    assert groups.inputs["eventCategories"] == ["configuration change"]
    for subscription in subscriptions.values():
        assert subscription.property_dependencies["snsTopic"] == (topic.urn,)
        assert subscription.inputs["enabled"] is True


def test_the_topic_key_lets_rds_events_and_alarms_publish_for_this_account_only(
    prod_run: ProgramRun,
) -> None:
    key = next(k for k in prod_run.of_type("aws:kms/key:Key") if k.name == "monitoring-alarms-key")
    statements = json.loads(key.inputs["policy"])["Statement"]
    services = {
        s["Principal"]["Service"]: s for s in statements if "Service" in s.get("Principal", {})
    }
    assert sorted(services) == ["cloudwatch.amazonaws.com", "events.rds.amazonaws.com"]
    for statement in services.values():
        assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_the_monitoring_role_trusts_rds_for_this_account_only(prod_run: ProgramRun) -> None:
    role = prod_run.named("database-monitoring-role")
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "monitoring.rds.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_a_burstable_class_gets_a_cpu_credit_alarm_and_others_do_not(
    prod_run: ProgramRun, run_stack: RunStack
) -> None:
    credits = [a for a in prod_run.of_type(ALARM) if a.inputs["metricName"] == "CPUCreditBalance"]
    assert len(credits) == 1  # prod runs db.t4g.medium
    alarm = credits[0].inputs
    assert (alarm["comparisonOperator"], alarm["threshold"], alarm["statistic"]) == (
        "LessThanThreshold",
        10,
        "Minimum",
    )
    assert alarm["dimensions"] == {"DBInstanceIdentifier": "bastion-db-prod"}
    assert alarm["alarmActions"] == alarm["okActions"] == [prod_run.one(TOPIC).outputs["arn"]]
    steady = run_stack("prod", dbInstanceClass="db.m7g.large")
    assert not [a for a in steady.of_type(ALARM) if a.inputs["metricName"] == "CPUCreditBalance"]
