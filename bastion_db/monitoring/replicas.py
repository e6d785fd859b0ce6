"""Alarms on each read replica (``dbReadReplicas``): the primary's database alarms,
judged on the replica (same class, storage and parameter group, so the same
thresholds), plus how far it lags behind.

``ReplicaLag`` (namespace AWS/RDS, dimension DBInstanceIdentifier = the replica,
seconds) is "the amount of time a read replica DB instance lags behind the
source DB instance", for MySQL and PostgreSQL replicas
(https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html).
Two properties shape the alarm:

- RDS reports -1 while replication is not running or its lag cannot be told
  (USER_ReadRepl.html, "Monitoring replication lag"); a ``Maximum`` above the
  threshold never matches -1, so broken replication is reported by the replica
  events ("read replica" category, bastion_db/database_events.py), not here.
- On PostgreSQL the value is the time since the last replayed transaction, so a
  replica of an idle primary shows growing "lag" with nothing behind (same
  page). A quiet dev stack may see this alarm; docs/operations.md says so.

AWS recommends no threshold (the CloudWatch recommended alarms page names
none for ReplicaLag): ``alarmReplicaLagSeconds``, 300 s by default, is the
product's choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pulumi
import pulumi_aws as aws

from bastion_db.checks.monitoring import MonitoringSettings
from bastion_db.monitoring.alarms import AlarmPlan, database_alarm
from bastion_db.monitoring.metric_alarm import metric_alarm


def plan_replica_alarms(
    number: int, database_plans: Sequence[AlarmPlan], settings: MonitoringSettings
) -> tuple[AlarmPlan, ...]:
    """Replica ``number``'s alarms: its lag first, then the primary's database alarms."""
    periods = settings.evaluation_periods
    lag = settings.replica_lag_seconds
    label = f"Read replica {number}"
    lag_plan = database_alarm(
        f"replica-{number}-lag",
        "ReplicaLag",
        "GreaterThanThreshold",
        lag,
        (
            f"{label} more than {lag} s behind its source for {periods} consecutive one-minute "
            "periods: reads from it are stale. Look for long transactions or heavy writes on "
            "the source, or a replica class too small to keep up."
        ),
        statistic="Maximum",
        evaluation_periods=periods,
    )
    copies = tuple(
        replace(
            plan, key=f"replica-{number}-{plan.key}", description=f"{label}: {plan.description}"
        )
        for plan in database_plans
        if plan.target == "database"
    )
    return (lag_plan, *copies)


@dataclass
class ReplicaAlarmsArgs:
    """Which replicas, judged how, told to whom."""

    topic_arn: pulumi.Input[str]
    # Replica identifiers in number order (the DBInstanceIdentifier dimension);
    # pass the instances' outputs so the alarms depend on them
    replica_identifiers: Sequence[pulumi.Input[str]]
    # The primary's planned alarms (DatabaseMonitoring.plans)
    database_plans: Sequence[AlarmPlan]
    settings: MonitoringSettings


class ReplicaAlarms(pulumi.ComponentResource):
    """CloudWatch alarms on every read replica, on the stack's alarm topic."""

    alarms: dict[str, aws.cloudwatch.MetricAlarm]

    def __init__(
        self, name: str, args: ReplicaAlarmsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("bastiondb:monitoring:ReplicaAlarms", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.alarms = {}
        for number, identifier in enumerate(args.replica_identifiers, start=1):
            for plan in plan_replica_alarms(number, args.database_plans, args.settings):
                self.alarms[plan.key] = metric_alarm(
                    f"{name}-{plan.key}", plan, identifier, args.topic_arn, child
                )
        self.register_outputs({"alarmNames": {k: a.name for k, a in self.alarms.items()}})
