"""Watching the database and the bastion: alarms, who hears about them, a dashboard.

The alarms are planned by :func:`plan_alarms`, a pure function of the settings
and the instance's size, and only then turned into resources, so tests and the
preview show the same numbers AWS will evaluate.

Missing data is decided per alarm (``treat_missing_data``):

* Database alarms use ``missing``. RDS publishes these metrics every minute
  while the instance runs; when it is stopped, failed or gone they stop, and a
  window with no data at all puts the alarm in INSUFFICIENT_DATA. A stopped
  database therefore never reads as OK (``notBreaching`` or ``ignore`` would
  let it), and a short gap (a reboot, a failover) is judged on the points that
  did arrive. The CPU alarm also notifies on INSUFFICIENT_DATA, so "the
  database stopped reporting" arrives once, not six times.
* The bastion's status-check alarm uses ``breaching``: the question it answers
  is "can people reach the bastion", and a stopped or terminated bastion
  cannot be reached.
* The bastion's CPU alarm uses ``missing``: a stopped bastion uses no CPU, and
  the status-check alarm already reports that it is down.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

from components.alarm_thresholds import DatabaseThresholds, database_thresholds
from settings.monitoring import MonitoringSettings

RDS_NAMESPACE = "AWS/RDS"
EC2_NAMESPACE = "AWS/EC2"
RDS_DIMENSION = "DBInstanceIdentifier"
EC2_DIMENSION = "InstanceId"

# RDS publishes its CloudWatch metrics every minute.
DATABASE_PERIOD_SECONDS = 60
# Freeable memory dips briefly during normal work (sorts, vacuum, backups), so
# it is watched three times as long as the other database metrics (15 minutes
# with prod's 5 periods).
MEMORY_WINDOW_FACTOR = 3
# Status checks are published every minute even under basic monitoring; two
# failed minutes in a row rule out a single lost probe.
BASTION_STATUS_PERIOD_SECONDS = 60
BASTION_STATUS_EVALUATION_PERIODS = 2
# Five-minute periods work with basic and detailed EC2 monitoring alike; a
# bastion busy for 15 minutes is either misused or compromised.
BASTION_CPU_PERIOD_SECONDS = 300
BASTION_CPU_EVALUATION_PERIODS = 3

TreatMissingData = Literal["missing", "breaching", "notBreaching", "ignore"]
Target = Literal["database", "bastion"]


@dataclass(frozen=True)
class AlarmPlan:
    """One CloudWatch metric alarm, before it becomes a resource."""

    # Stable key: part of the resource name and of the component's outputs
    key: str
    target: Target
    namespace: str
    metric_name: str
    # Exactly one of statistic / extended_statistic is set
    statistic: str | None
    extended_statistic: str | None
    comparison_operator: str
    threshold: float
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing_data: TreatMissingData
    description: str
    # Also notify when the alarm has no data to judge (the target stopped reporting)
    notify_on_insufficient_data: bool = False
    # For percentile alarms: whether too few samples may change the state
    evaluate_low_sample_count_percentiles: str | None = None

    @property
    def dimension_name(self) -> str:
        return RDS_DIMENSION if self.target == "database" else EC2_DIMENSION


def _gib(value: int) -> str:
    return f"{value / 1024**3:.2f} GiB"


def _pct(value: float) -> str:
    return f"{value:g} %"


def plan_alarms(
    thresholds: DatabaseThresholds, settings: MonitoringSettings
) -> tuple[AlarmPlan, ...]:
    """Every alarm of the stack, database first, in a stable order."""
    periods = settings.evaluation_periods
    memory_periods = periods * MEMORY_WINDOW_FACTOR
    window = f"{periods} consecutive one-minute periods"

    def database(
        key: str,
        metric: str,
        comparison: str,
        threshold: float,
        description: str,
        *,
        statistic: str | None = "Average",
        extended_statistic: str | None = None,
        evaluation_periods: int = periods,
        notify_on_insufficient_data: bool = False,
    ) -> AlarmPlan:
        return AlarmPlan(
            key=key,
            target="database",
            namespace=RDS_NAMESPACE,
            metric_name=metric,
            statistic=statistic,
            extended_statistic=extended_statistic,
            comparison_operator=comparison,
            threshold=threshold,
            period=DATABASE_PERIOD_SECONDS,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=evaluation_periods,
            treat_missing_data="missing",
            description=description,
            notify_on_insufficient_data=notify_on_insufficient_data,
            evaluate_low_sample_count_percentiles="ignore" if extended_statistic else None,
        )

    storage_note = (
        " Storage autoscaling is on and grows the volume at 10 % free, so this means "
        "growth did not keep up: check the maximum allocated storage."
        if thresholds.storage_autoscaling
        else " Grow the allocated storage or archive old data."
    )
    return (
        database(
            "db-cpu",
            "CPUUtilization",
            "GreaterThanThreshold",
            thresholds.cpu_percent,
            f"Database CPU above {_pct(thresholds.cpu_percent)} for {window}: the instance "
            "is overloaded; look for expensive queries or move to a larger class. Also "
            "notifies when the database stops reporting (stopped, failed or deleted).",
            notify_on_insufficient_data=True,
        ),
        database(
            "db-freeable-memory",
            "FreeableMemory",
            "LessThanThreshold",
            thresholds.freeable_memory_bytes,
            f"Database freeable memory below {_gib(thresholds.freeable_memory_bytes)} for "
            f"{memory_periods} consecutive one-minute periods: the working set no longer "
            "fits; expect swapping and slow queries.",
            evaluation_periods=memory_periods,
        ),
        database(
            "db-free-storage",
            "FreeStorageSpace",
            "LessThanThreshold",
            thresholds.free_storage_bytes,
            f"Database free storage below {_gib(thresholds.free_storage_bytes)} for {window}: "
            "a full volume stops all writes." + storage_note,
            statistic="Minimum",
        ),
        database(
            "db-connections",
            "DatabaseConnections",
            "GreaterThanThreshold",
            thresholds.connections,
            f"Database connections above {thresholds.connections} (of max_connections "
            f"{thresholds.max_connections}) for {window}: new clients will soon be refused; "
            "look for connection leaks or add pooling.",
        ),
        database(
            "db-read-latency",
            "ReadLatency",
            "GreaterThanThreshold",
            thresholds.read_latency_seconds,
            f"Database p90 read latency above {thresholds.read_latency_seconds * 1000:g} ms "
            f"for {window}: storage cannot keep up with reads.",
            statistic=None,
            extended_statistic="p90",
        ),
        database(
            "db-write-latency",
            "WriteLatency",
            "GreaterThanThreshold",
            thresholds.write_latency_seconds,
            f"Database p90 write latency above {thresholds.write_latency_seconds * 1000:g} ms "
            f"for {window}: storage cannot keep up with writes.",
            statistic=None,
            extended_statistic="p90",
        ),
        AlarmPlan(
            key="bastion-status-check",
            target="bastion",
            namespace=EC2_NAMESPACE,
            metric_name="StatusCheckFailed",
            statistic="Maximum",
            extended_statistic=None,
            comparison_operator="GreaterThanOrEqualToThreshold",
            threshold=1,
            period=BASTION_STATUS_PERIOD_SECONDS,
            evaluation_periods=BASTION_STATUS_EVALUATION_PERIODS,
            datapoints_to_alarm=BASTION_STATUS_EVALUATION_PERIODS,
            treat_missing_data="breaching",
            description=(
                "Bastion status checks failing (or the bastion is not reporting at all) for "
                f"{BASTION_STATUS_EVALUATION_PERIODS} minutes: nobody can reach the database "
                "through it; reboot or replace the instance."
            ),
        ),
        AlarmPlan(
            key="bastion-cpu",
            target="bastion",
            namespace=EC2_NAMESPACE,
            metric_name="CPUUtilization",
            statistic="Average",
            extended_statistic=None,
            comparison_operator="GreaterThanThreshold",
            threshold=settings.bastion_cpu_percent,
            period=BASTION_CPU_PERIOD_SECONDS,
            evaluation_periods=BASTION_CPU_EVALUATION_PERIODS,
            datapoints_to_alarm=BASTION_CPU_EVALUATION_PERIODS,
            treat_missing_data="missing",
            description=(
                f"Bastion CPU above {_pct(settings.bastion_cpu_percent)} for "
                f"{BASTION_CPU_EVALUATION_PERIODS * BASTION_CPU_PERIOD_SECONDS // 60} minutes: "
                "a jump host should be idle; find out what runs on it."
            ),
        ),
    )


def physical_name_for(name: str) -> str:
    """A name CloudWatch dashboards and KMS aliases accept: letters, digits, '-'
    and '_' (at most 255)."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")
    if not cleaned:
        raise ValueError(f"cannot derive a dashboard name from {name!r}")
    return cleaned[:255]


def dashboard_url(region: str, dashboard_name: str) -> str:
    return (
        f"https://{region}.console.aws.amazon.com/cloudwatch/home"
        f"?region={region}#dashboards:name={dashboard_name}"
    )


def dashboard_body(
    *,
    region: str,
    db_instance_identifier: str,
    bastion_instance_id: str,
    thresholds: DatabaseThresholds,
    alarm_arns: Sequence[str],
) -> dict[str, Any]:
    """The dashboard's JSON document (as a dict) for the real instance ids."""
    db = (RDS_NAMESPACE, RDS_DIMENSION, db_instance_identifier)
    bastion = (EC2_NAMESPACE, EC2_DIMENSION, bastion_instance_id)

    def metric(
        source: tuple[str, str, str], name: str, label: str, stat: str = "Average"
    ) -> list[Any]:
        namespace, dimension, value = source
        return [namespace, name, dimension, value, {"label": label, "stat": stat}]

    def line(label: str, value: float) -> dict[str, Any]:
        return {"label": label, "value": value}

    def graph(
        title: str,
        metrics: list[list[Any]],
        lines: list[dict[str, Any]] | None = None,
        period: int = DATABASE_PERIOD_SECONDS,
    ) -> dict[str, Any]:
        properties: dict[str, Any] = {
            "title": title,
            "view": "timeSeries",
            "stacked": False,
            "region": region,
            "period": period,
            "metrics": metrics,
            "yAxis": {"left": {"min": 0}},
        }
        if lines:
            properties["annotations"] = {"horizontal": lines}
        return {"type": "metric", "width": 12, "height": 6, "properties": properties}

    t = thresholds
    graphs = [
        graph(
            f"Database CPU (%) - {db_instance_identifier}",
            [metric(db, "CPUUtilization", "CPU")],
            [line("alarm", t.cpu_percent)],
        ),
        graph(
            "Database connections",
            [metric(db, "DatabaseConnections", "connections")],
            [line("max_connections", t.max_connections), line("alarm", t.connections)],
        ),
        graph(
            "Database freeable memory (bytes)",
            [metric(db, "FreeableMemory", "freeable memory")],
            [line("alarm", t.freeable_memory_bytes)],
        ),
        graph(
            "Database free storage (bytes)",
            [metric(db, "FreeStorageSpace", "free storage", "Minimum")],
            [line("alarm", t.free_storage_bytes)],
        ),
        graph(
            "Database read/write IOPS",
            [metric(db, "ReadIOPS", "read IOPS"), metric(db, "WriteIOPS", "write IOPS")],
        ),
        graph(
            "Database read/write latency p90 (seconds)",
            [
                metric(db, "ReadLatency", "read p90", "p90"),
                metric(db, "WriteLatency", "write p90", "p90"),
            ],
            [
                line("read alarm", t.read_latency_seconds),
                line("write alarm", t.write_latency_seconds),
            ],
        ),
        graph(
            f"Bastion status checks - {bastion_instance_id}",
            [
                metric(bastion, "StatusCheckFailed", "any check failed", "Maximum"),
                metric(bastion, "StatusCheckFailed_Instance", "instance check", "Maximum"),
                metric(bastion, "StatusCheckFailed_System", "system check", "Maximum"),
            ],
            [line("alarm", 1)],
        ),
        graph(
            "Bastion CPU (%)",
            [metric(bastion, "CPUUtilization", "CPU")],
            period=BASTION_CPU_PERIOD_SECONDS,
        ),
    ]
    widgets: list[dict[str, Any]] = [
        {
            "type": "alarm",
            "x": 0,
            "y": 0,
            "width": 24,
            "height": 3,
            "properties": {"title": "Alarms", "alarms": list(alarm_arns)},
        }
    ]
    for index, widget in enumerate(graphs):
        widgets.append({**widget, "x": (index % 2) * 12, "y": 3 + (index // 2) * 6})
    return {"widgets": widgets}


def alarm_key_policy(partition: str, account_id: str) -> str:
    """Key policy: the account administers the key; CloudWatch may use it to publish.

    CloudWatch alarms cannot publish to a topic encrypted with the AWS managed
    key ``alias/aws/sns``: that key's policy does not let the CloudWatch service
    call kms:GenerateDataKey/kms:Decrypt and cannot be edited, so the actions
    fail silently. A customer managed key with this policy is what AWS documents.
    """
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountAdministersKey",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "CloudWatchAlarmsPublishToEncryptedTopic",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                },
            ],
        },
        indent=2,
    )


def subscription_suffix(address: str) -> str:
    """A short, stable name part per address: removing one recipient must not
    rename (and so replace) the others' subscriptions."""
    return hashlib.sha256(address.lower().encode()).hexdigest()[:8]


@dataclass
class DatabaseMonitoringArgs:
    """What the monitoring component watches and how it is told to judge it."""

    # The RDS instance's identifier (the `DBInstanceIdentifier` dimension);
    # pass the instance's output so the alarms depend on it
    db_instance_identifier: pulumi.Input[str]
    # "postgres" or "mysql": picks the max_connections formula
    engine: str
    # An allowed RDS instance class (settings/instance_classes.py), e.g. "db.t4g.micro"
    instance_class: str
    # Storage allocated at creation, in GiB
    allocated_storage_gib: int
    # Storage autoscaling ceiling in GiB; None (or equal to the allocation) means off
    max_allocated_storage_gib: int | None
    # The parameter group's max_connections, when the stack sets one; None means
    # the engine's default formula applies
    max_connections_override: int | None
    # The bastion's EC2 instance id (the `InstanceId` dimension)
    bastion_instance_id: pulumi.Input[str]
    # Thresholds, evaluation window and e-mail recipients
    settings: MonitoringSettings
    # Region the metrics live in; used by the dashboard and its console URL
    region: str
    # Dashboard name. Dashboards are shared by every stack in the account and
    # region, so the default is "<project>-<stack>-<component name>".
    dashboard_name: str | None = None
    # Extra tags for the taggable children; the provider's default tags already
    # cover Project/Environment/ManagedBy
    tags: Mapping[str, str] | None = None


class DatabaseMonitoring(pulumi.ComponentResource):
    """CloudWatch alarms on the database and the bastion, an encrypted SNS topic
    that e-mails them, and a dashboard of the same metrics."""

    topic_arn: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]
    dashboard_name: pulumi.Output[str]
    dashboard_url: pulumi.Output[str]
    alarm_names: dict[str, pulumi.Output[str]]
    alarm_arns: dict[str, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        args: DatabaseMonitoringArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("bastiondb:monitoring:DatabaseMonitoring", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags) if args.tags else None
        # Account-wide names (dashboard, key alias) must differ between stacks.
        base = physical_name_for(f"{pulumi.get_project()}-{pulumi.get_stack()}-{name}")

        self.thresholds = database_thresholds(
            engine=args.engine,
            instance_class=args.instance_class,
            allocated_storage_gib=args.allocated_storage_gib,
            max_allocated_storage_gib=args.max_allocated_storage_gib,
            max_connections_override=args.max_connections_override,
            settings=args.settings,
        )
        self.plans = plan_alarms(self.thresholds, args.settings)

        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        key = aws.kms.Key(
            f"{name}-alarms-key",
            aws.kms.KeyArgs(
                description=f"Encrypts the alarm topic of {base}; usable by CloudWatch alarms",
                enable_key_rotation=True,
                policy=identity.apply(
                    lambda who: alarm_key_policy(who.arn.split(":")[1], who.account_id)
                ),
                tags=tags,
            ),
            child,
        )
        aws.kms.Alias(
            f"{name}-alarms-key-alias",
            aws.kms.AliasArgs(target_key_id=key.key_id, name_prefix=f"alias/{base}-alarms-"),
            child,
        )
        topic = aws.sns.Topic(
            f"{name}-alarms",
            aws.sns.TopicArgs(
                display_name=f"{base} alarms"[:100],
                kms_master_key_id=key.arn,
                tags=tags,
            ),
            child,
        )
        for address in args.settings.alarm_emails:
            aws.sns.TopicSubscription(
                f"{name}-email-{subscription_suffix(address)}",
                aws.sns.TopicSubscriptionArgs(topic=topic.arn, protocol="email", endpoint=address),
                child,
            )

        dimension_values: dict[Target, pulumi.Input[str]] = {
            "database": args.db_instance_identifier,
            "bastion": args.bastion_instance_id,
        }
        self.alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}
        for plan in self.plans:
            self.alarms[plan.key] = aws.cloudwatch.MetricAlarm(
                f"{name}-{plan.key}",
                aws.cloudwatch.MetricAlarmArgs(
                    alarm_description=plan.description,
                    namespace=plan.namespace,
                    metric_name=plan.metric_name,
                    dimensions={plan.dimension_name: dimension_values[plan.target]},
                    statistic=plan.statistic,
                    extended_statistic=plan.extended_statistic,
                    evaluate_low_sample_count_percentiles=(
                        plan.evaluate_low_sample_count_percentiles
                    ),
                    comparison_operator=plan.comparison_operator,
                    threshold=plan.threshold,
                    period=plan.period,
                    evaluation_periods=plan.evaluation_periods,
                    datapoints_to_alarm=plan.datapoints_to_alarm,
                    treat_missing_data=plan.treat_missing_data,
                    actions_enabled=True,
                    alarm_actions=[topic.arn],
                    ok_actions=[topic.arn],
                    insufficient_data_actions=(
                        [topic.arn] if plan.notify_on_insufficient_data else None
                    ),
                    tags=tags,
                ),
                child,
            )

        board_name = args.dashboard_name or base
        arns = [alarm.arn for alarm in self.alarms.values()]
        region = args.region
        thresholds = self.thresholds
        body = pulumi.Output.all(
            args.db_instance_identifier, args.bastion_instance_id, *arns
        ).apply(
            lambda values: json.dumps(
                dashboard_body(
                    region=region,
                    db_instance_identifier=values[0],
                    bastion_instance_id=values[1],
                    thresholds=thresholds,
                    alarm_arns=values[2:],
                ),
                indent=2,
            )
        )
        dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            aws.cloudwatch.DashboardArgs(dashboard_name=board_name, dashboard_body=body),
            child,
        )

        self.topic_arn = topic.arn
        self.kms_key_arn = key.arn
        self.dashboard_name = dashboard.dashboard_name
        self.dashboard_url = dashboard.dashboard_name.apply(
            lambda board: dashboard_url(region, board)
        )
        self.alarm_names = {key_: alarm.name for key_, alarm in self.alarms.items()}
        self.alarm_arns = {key_: alarm.arn for key_, alarm in self.alarms.items()}
        self.register_outputs(
            {
                "topicArn": self.topic_arn,
                "kmsKeyArn": self.kms_key_arn,
                "dashboardName": self.dashboard_name,
                "dashboardUrl": self.dashboard_url,
                "alarmNames": self.alarm_names,
                "alarmArns": self.alarm_arns,
            }
        )
