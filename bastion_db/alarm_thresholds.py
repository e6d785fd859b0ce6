"""Alarm thresholds sized from the database instance, as pure functions.

Nothing here talks to Pulumi: the monitoring component calls these with plain
values from the settings, so every number an alarm carries can be checked in a
unit test and seen in a preview.

Two lines need the instance class's memory (settings/instance_classes.py): the
freeable-memory alarm's and, unless ``max_connections`` is set explicitly, the
connections alarm's. Where the memory is not known they are None, and the
alarm is left out (bastion_db/monitoring/alarms.py says which and how to size it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, get_args

from bastion_db.checks import instance_classes
from bastion_db.checks.monitoring import MonitoringSettings

Engine = Literal["postgres", "mysql"]
ENGINES: tuple[str, ...] = get_args(Engine)

# RDS's default parameter groups:
#   PostgreSQL  max_connections = LEAST({DBInstanceClassMemory/9531392}, 5000)
#   MySQL       max_connections = {DBInstanceClassMemory/12582880}
POSTGRES_BYTES_PER_CONNECTION = 9_531_392
POSTGRES_MAX_CONNECTIONS_CAP = 5_000
MYSQL_BYTES_PER_CONNECTION = 12_582_880

# RDS storage autoscaling grows the volume once free space is at or below 10 %
# of the allocated storage (for at least five minutes, at most every six hours).
AUTOSCALING_TRIGGER_PERCENT = 10
# With autoscaling on, an alarm at the same level as the trigger would send an
# e-mail for every healthy growth step. Its job is instead to catch growth that
# did not happen (the ceiling was reached, the six-hour cooldown blocked a
# second step, the modification failed), so it waits for half the configured
# share.
AUTOSCALING_THRESHOLD_FACTOR = 0.5


def _check_engine(engine: str) -> Engine:
    if engine == "postgres":
        return "postgres"
    if engine == "mysql":
        return "mysql"
    raise ValueError(f"unsupported engine {engine!r}; expected one of {', '.join(ENGINES)}")


def default_max_connections(engine: str, instance_class: str) -> int | None:
    """The engine's default ``max_connections`` on this class (RDS's formula);
    None when the class's memory is not known."""
    checked = _check_engine(engine)
    memory = instance_classes.estimated_db_instance_class_memory(instance_class)
    if memory is None:
        return None
    if checked == "postgres":
        return min(memory // POSTGRES_BYTES_PER_CONNECTION, POSTGRES_MAX_CONNECTIONS_CAP)
    return memory // MYSQL_BYTES_PER_CONNECTION


def max_connections(engine: str, instance_class: str, override: int | None) -> int | None:
    """The limit the server really enforces: the parameter group's value if it sets one,
    else the engine's formula (None when the class's memory is not known)."""
    if override is not None:
        if override < 1:
            raise ValueError(f"max_connections override must be positive, got {override}")
        return override
    return default_max_connections(engine, instance_class)


def connections_threshold(limit: int, percent: float) -> int:
    """Alarm when connections exceed this count (``percent`` of ``limit``, rounded down).

    Rounding down makes the alarm fire at or just before the configured share,
    never after it.
    """
    return math.floor(limit * percent / 100)


def freeable_memory_threshold_bytes(
    instance_class: str, percent: float, explicit_mib: int | None = None
) -> int | None:
    """Alarm when freeable memory falls below ``explicit_mib`` if given, else below
    ``percent`` of the class's memory; None when neither is known."""
    if explicit_mib is not None:
        return explicit_mib * instance_classes.MIB
    memory = instance_classes.memory_bytes(instance_class)
    return None if memory is None else int(memory * percent / 100)


def storage_autoscaling_enabled(allocated_gib: int, max_allocated_gib: int | None) -> bool:
    """RDS autoscaling is on when a ceiling above the allocated storage is set."""
    if max_allocated_gib is None or max_allocated_gib == 0:
        return False
    if max_allocated_gib < allocated_gib:
        raise ValueError(
            f"max allocated storage {max_allocated_gib} GiB is below the allocated "
            f"{allocated_gib} GiB"
        )
    return max_allocated_gib > allocated_gib


def free_storage_threshold_bytes(
    allocated_gib: int, max_allocated_gib: int | None, percent: float
) -> int:
    """Alarm when free storage falls below this many bytes.

    Without autoscaling the volume never changes size, so the line is simply
    ``percent`` of the allocated storage.

    With autoscaling the volume only grows, from ``allocated_gib`` up to
    ``max_allocated_gib``, but an alarm threshold is a fixed number of bytes. It
    is based on the initial allocation, the smallest the volume will ever be,
    so it never exceeds ``percent`` of the current size and a large, healthy,
    grown volume cannot look full. It is not based on the ceiling: while the
    volume is still small, free space is far below any share of the ceiling
    and the alarm would never clear. And it is halved
    (:data:`AUTOSCALING_THRESHOLD_FACTOR`) so that it sits below RDS's own 10 %
    trigger and only speaks when autoscaling failed to keep up.
    """
    if allocated_gib < 1:
        raise ValueError(f"allocated storage must be positive, got {allocated_gib} GiB")
    share = percent / 100
    if storage_autoscaling_enabled(allocated_gib, max_allocated_gib):
        share *= AUTOSCALING_THRESHOLD_FACTOR
    return int(allocated_gib * instance_classes.GIB * share)


def latency_threshold_seconds(milliseconds: int) -> float:
    """RDS publishes ReadLatency/WriteLatency in seconds."""
    return milliseconds / 1000


@dataclass(frozen=True)
class DatabaseThresholds:
    """Every database alarm's line, in the metric's own unit.

    None for a line that needs the class's memory when it is not known: that
    alarm is left out.
    """

    cpu_percent: float
    freeable_memory_bytes: int | None
    free_storage_bytes: int
    # The limit the connections alarm is measured against, and the alarm line
    max_connections: int | None
    connections: int | None
    read_latency_seconds: float
    write_latency_seconds: float
    storage_autoscaling: bool
    # A T class runs on CPU credits (bastion_db/checks/instance_classes.py)
    burstable: bool = False
    # The class the lines were sized for, named when one is left out
    instance_class: str = ""


def database_thresholds(
    *,
    engine: str,
    instance_class: str,
    allocated_storage_gib: int,
    max_allocated_storage_gib: int | None,
    max_connections_override: int | None,
    settings: MonitoringSettings,
) -> DatabaseThresholds:
    limit = max_connections(engine, instance_class, max_connections_override)
    return DatabaseThresholds(
        cpu_percent=settings.cpu_percent,
        freeable_memory_bytes=freeable_memory_threshold_bytes(
            instance_class, settings.freeable_memory_percent, settings.freeable_memory_mib
        ),
        free_storage_bytes=free_storage_threshold_bytes(
            allocated_storage_gib, max_allocated_storage_gib, settings.free_storage_percent
        ),
        max_connections=limit,
        connections=(
            None if limit is None else connections_threshold(limit, settings.connections_percent)
        ),
        read_latency_seconds=latency_threshold_seconds(settings.read_latency_ms),
        write_latency_seconds=latency_threshold_seconds(settings.write_latency_ms),
        storage_autoscaling=storage_autoscaling_enabled(
            allocated_storage_gib, max_allocated_storage_gib
        ),
        burstable=instance_classes.spec(instance_class).burstable,
        instance_class=instance_class,
    )
