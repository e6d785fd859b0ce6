"""The alarms of the stack, planned as plain data before any resource exists.

:func:`plan_alarms` is a pure function of the thresholds (sized from the
database's settings) and the monitoring settings, so tests and the preview
show the same numbers AWS will evaluate.

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

An alarm whose line needs the class's memory, when that is not known, is left
out rather than set to a guess; :func:`left_out_alarms` says which and which key
sizes it, and the component shows that as a warning at every preview and update.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bastion_db.alarm_thresholds import DatabaseThresholds
from bastion_db.checks.monitoring import MonitoringSettings

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
# A burstable (T) class earns CPU credits at its baseline and spends them above
# it; RDS publishes CPUCreditBalance every 5 minutes for T classes. Below about
# ten credits (ten vCPU-minutes at full speed) the instance is about to run on
# surplus credits, which RDS bills in unlimited mode, the default for db.t3 and
# db.t4g ("DB instance class types: burstable performance",
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Types.html;
# CPU credit metrics: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html).
CPU_CREDIT_PERIOD_SECONDS = 300
CPU_CREDIT_EVALUATION_PERIODS = 3
CPU_CREDIT_FLOOR = 10

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


# The policy pack's database-alarms rule asks for these metrics' alarms, so a
# warning about a left-out one says the pack will report it too.
_PACK_NOTE = "Until then the policy pack's database-alarms rule reports it as missing."


def left_out_alarms(
    thresholds: DatabaseThresholds, setting_name: Callable[[str], str]
) -> tuple[str, ...]:
    """Why each alarm :func:`plan_alarms` leaves out is missing, and how to add it;
    ``setting_name`` spells a setting as the caller sets it (stack key or argument)."""
    name = setting_name
    notes: list[str] = []
    unknown = (
        f"bastion-db does not know the memory of {thresholds.instance_class} "
        "(aws_facts/data/documented.json, instance_class_memory)"
    )
    if thresholds.freeable_memory_bytes is None:
        notes.append(
            "Alarm 'db-freeable-memory' (FreeableMemory) is left out: "
            f"{unknown}, so {name('alarmFreeableMemoryPercent')} has nothing to take a share "
            f"of. Set {name('alarmFreeableMemoryMib')} to the line in MiB (e.g. 25 % of the "
            "class's memory in the RDS hardware table) to add it. " + _PACK_NOTE
        )
    if thresholds.connections is None:
        notes.append(
            "Alarm 'db-connections' (DatabaseConnections) is left out: the engine's default "
            f"max_connections follows from memory and {unknown}. Set {name('dbMaxConnections')} "
            "(max_connections in the parameter group) to add it at "
            f"{name('alarmConnectionsPercent')} of that. " + _PACK_NOTE
        )
    return tuple(notes)


def database_alarm(
    key: str,
    metric: str,
    comparison: str,
    threshold: float,
    description: str,
    *,
    evaluation_periods: int,
    statistic: str | None = "Average",
    extended_statistic: str | None = None,
    period: int = DATABASE_PERIOD_SECONDS,
    notify_on_insufficient_data: bool = False,
) -> AlarmPlan:
    """An alarm on one of a database instance's RDS metrics: every period of
    the window must breach, and missing data keeps the alarm as it is."""
    return AlarmPlan(
        key=key,
        target="database",
        namespace=RDS_NAMESPACE,
        metric_name=metric,
        statistic=statistic,
        extended_statistic=extended_statistic,
        comparison_operator=comparison,
        threshold=threshold,
        period=period,
        evaluation_periods=evaluation_periods,
        datapoints_to_alarm=evaluation_periods,
        treat_missing_data="missing",
        description=description,
        notify_on_insufficient_data=notify_on_insufficient_data,
        evaluate_low_sample_count_percentiles="ignore" if extended_statistic else None,
    )


def plan_alarms(
    thresholds: DatabaseThresholds, settings: MonitoringSettings
) -> tuple[AlarmPlan, ...]:
    """Every alarm of the stack, database first, in a stable order; those whose
    line is not known are left out (:func:`left_out_alarms`)."""
    periods = settings.evaluation_periods
    memory_periods = periods * MEMORY_WINDOW_FACTOR
    window = f"{periods} consecutive one-minute periods"

    database = functools.partial(database_alarm, evaluation_periods=periods)

    storage_note = (
        " Storage autoscaling is on and grows the volume at 10 % free, so this means "
        "growth did not keep up: check the maximum allocated storage."
        if thresholds.storage_autoscaling
        else " Grow the allocated storage or archive old data."
    )
    credits = (
        (
            database(
                "db-cpu-credits",
                "CPUCreditBalance",
                "LessThanThreshold",
                CPU_CREDIT_FLOOR,
                f"Database CPU credit balance below {CPU_CREDIT_FLOOR} for "
                f"{CPU_CREDIT_EVALUATION_PERIODS * CPU_CREDIT_PERIOD_SECONDS // 60} minutes: "
                "the burstable class has spent what it earns; sustained CPU is now billed as "
                "surplus credits (unlimited mode) or throttled. Move to a larger or a "
                "non-burstable class.",
                statistic="Minimum",
                evaluation_periods=CPU_CREDIT_EVALUATION_PERIODS,
                period=CPU_CREDIT_PERIOD_SECONDS,
            ),
        )
        if thresholds.burstable
        else ()
    )
    memory = (
        (
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
        )
        if thresholds.freeable_memory_bytes is not None
        else ()
    )
    connections = (
        (
            database(
                "db-connections",
                "DatabaseConnections",
                "GreaterThanThreshold",
                thresholds.connections,
                f"Database connections above {thresholds.connections} (of max_connections "
                f"{thresholds.max_connections}) for {window}: new clients will soon be refused; "
                "look for connection leaks or add pooling.",
            ),
        )
        if thresholds.connections is not None
        else ()
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
        *memory,
        database(
            "db-free-storage",
            "FreeStorageSpace",
            "LessThanThreshold",
            thresholds.free_storage_bytes,
            f"Database free storage below {_gib(thresholds.free_storage_bytes)} for {window}: "
            "a full volume stops all writes." + storage_note,
            statistic="Minimum",
        ),
        *connections,
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
        *credits,
    )
