"""Alarm lines computed from the instance: class x engine, autoscaling, overrides."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bastion_db.alarm_thresholds import (
    DatabaseThresholds,
    connections_threshold,
    database_thresholds,
    default_max_connections,
    free_storage_threshold_bytes,
    freeable_memory_threshold_bytes,
    latency_threshold_seconds,
    max_connections,
    storage_autoscaling_enabled,
)
from tests.monitoring.profiles import PROFILES as DEFAULTS

GIB = 1024**3


@pytest.mark.parametrize(
    ("engine", "instance_class", "expected"),
    [
        # (1 GiB - 256 MiB - 3 %) // 9531392 and // 12582880
        ("postgres", "db.t4g.micro", 81),
        ("mysql", "db.t4g.micro", 61),
        ("postgres", "db.t3.small", 190),
        ("mysql", "db.t3.small", 144),
        ("postgres", "db.m6g.large", 846),
        ("mysql", "db.m6g.large", 640),
        ("postgres", "db.r6g.xlarge", 3468),
        ("mysql", "db.r6g.xlarge", 2627),
        # PostgreSQL's formula is capped at 5000; MySQL's is not
        ("postgres", "db.r7g.4xlarge", 5000),
        ("mysql", "db.r7g.4xlarge", 10573),
    ],
)
def test_default_max_connections_follows_each_engines_formula(
    engine: str, instance_class: str, expected: int
) -> None:
    assert default_max_connections(engine, instance_class) == expected


def test_parameter_group_override_replaces_the_formula() -> None:
    assert max_connections("postgres", "db.t4g.micro", 500) == 500
    assert max_connections("mysql", "db.r7g.4xlarge", 150) == 150
    assert max_connections("postgres", "db.t4g.micro", None) == 81


def test_nonsense_override_and_engine_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        max_connections("postgres", "db.t4g.micro", 0)
    with pytest.raises(ValueError, match="unsupported engine 'oracle'"):
        default_max_connections("oracle", "db.t4g.micro")


@pytest.mark.parametrize(
    ("limit", "percent", "expected"),
    [(81, 90, 72), (100, 90, 90), (640, 90, 576), (81, 95, 76), (5000, 92.5, 4625)],
)
def test_connections_line_is_the_share_of_the_limit_rounded_down(
    limit: int, percent: float, expected: int
) -> None:
    assert connections_threshold(limit, percent) == expected


def test_freeable_memory_line_is_a_share_of_the_class_memory() -> None:
    assert freeable_memory_threshold_bytes("db.m6g.large", 25) == 2 * GIB
    assert freeable_memory_threshold_bytes("db.r6g.large", 25) == 4 * GIB
    assert freeable_memory_threshold_bytes("db.t4g.micro", 10) == int(GIB * 0.1)


def test_free_storage_line_without_autoscaling_is_a_share_of_the_allocation() -> None:
    assert free_storage_threshold_bytes(20, None, 10) == 2 * GIB
    assert free_storage_threshold_bytes(100, None, 15) == 15 * GIB
    # A ceiling equal to the allocation (or 0, RDS's "off") is no autoscaling
    assert free_storage_threshold_bytes(100, 100, 10) == 10 * GIB
    assert free_storage_threshold_bytes(100, 0, 10) == 10 * GIB


def test_free_storage_line_with_autoscaling_sits_below_the_rds_trigger() -> None:
    # Based on the initial allocation (never the ceiling) and halved, so a healthy
    # growth step at 10 % free does not alarm.
    assert free_storage_threshold_bytes(100, 500, 10) == 5 * GIB
    assert free_storage_threshold_bytes(20, 1000, 10) == 1 * GIB
    assert free_storage_threshold_bytes(100, 500, 10) < 100 * GIB * 0.10


def test_autoscaling_detection_and_impossible_ceiling() -> None:
    assert storage_autoscaling_enabled(20, 100)
    assert not storage_autoscaling_enabled(20, None)
    assert not storage_autoscaling_enabled(20, 20)
    with pytest.raises(ValueError, match="below the allocated"):
        storage_autoscaling_enabled(100, 50)


def test_latency_bounds_are_converted_to_the_metrics_seconds() -> None:
    assert latency_threshold_seconds(20) == pytest.approx(0.02)
    assert latency_threshold_seconds(50) == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("engine", "instance_class", "profile", "storage", "max_storage", "override", "expected"),
    [
        (
            "postgres",
            "db.t4g.micro",
            "dev",
            20,
            None,
            None,
            DatabaseThresholds(95, int(GIB * 0.1), 2 * GIB, 81, 76, 0.05, 0.05, False, True),
        ),
        (
            "mysql",
            "db.t4g.micro",
            "dev",
            20,
            None,
            None,
            DatabaseThresholds(95, int(GIB * 0.1), 2 * GIB, 61, 57, 0.05, 0.05, False, True),
        ),
        (
            "postgres",
            "db.m6g.large",
            "prod",
            100,
            500,
            None,
            DatabaseThresholds(90, 2 * GIB, 5 * GIB, 846, 761, 0.02, 0.02, True),
        ),
        (
            "mysql",
            "db.m6g.large",
            "prod",
            100,
            None,
            None,
            DatabaseThresholds(90, 2 * GIB, 10 * GIB, 640, 576, 0.02, 0.02, False),
        ),
        (
            "mysql",
            "db.r6g.xlarge",
            "prod",
            200,
            1000,
            1000,
            DatabaseThresholds(90, 8 * GIB, 10 * GIB, 1000, 900, 0.02, 0.02, True),
        ),
    ],
)
def test_database_thresholds_per_class_engine_and_profile(
    engine: str,
    instance_class: str,
    profile: str,
    storage: int,
    max_storage: int | None,
    override: int | None,
    expected: DatabaseThresholds,
) -> None:
    settings = DEFAULTS[profile]
    assert database_thresholds(
        engine=engine,
        instance_class=instance_class,
        allocated_storage_gib=storage,
        max_allocated_storage_gib=max_storage,
        max_connections_override=override,
        settings=settings,
    ) == replace(expected, instance_class=instance_class)


def test_configured_percentages_drive_the_lines() -> None:
    settings = replace(
        DEFAULTS["prod"],
        cpu_percent=75,
        freeable_memory_percent=50,
        free_storage_percent=20,
        connections_percent=50,
        read_latency_ms=5,
        write_latency_ms=40,
    )
    thresholds = database_thresholds(
        engine="postgres",
        instance_class="db.r6g.large",
        allocated_storage_gib=50,
        max_allocated_storage_gib=None,
        max_connections_override=None,
        settings=settings,
    )
    assert thresholds.cpu_percent == 75
    assert thresholds.freeable_memory_bytes == 8 * GIB
    assert thresholds.free_storage_bytes == 10 * GIB
    assert thresholds.max_connections is not None
    assert thresholds.connections == thresholds.max_connections // 2
    assert thresholds.read_latency_seconds == pytest.approx(0.005)
    assert thresholds.write_latency_seconds == pytest.approx(0.04)


@pytest.mark.parametrize(
    ("engine", "instance_class", "memory_line", "limit"),
    [
        # The classes the old hand table refused; 25 % of 8 / 16 / 8 GiB
        ("postgres", "db.m5.large", 2 * GIB, 846),
        ("postgres", "db.r6i.large", 4 * GIB, 1720),
        ("mysql", "db.m7i.large", 2 * GIB, 640),
    ],
)
def test_classes_outside_the_old_table_get_sized_alarms(
    engine: str, instance_class: str, memory_line: int, limit: int
) -> None:
    thresholds = database_thresholds(
        engine=engine,
        instance_class=instance_class,
        allocated_storage_gib=100,
        max_allocated_storage_gib=None,
        max_connections_override=None,
        settings=DEFAULTS["prod"],
    )
    assert thresholds.freeable_memory_bytes == memory_line
    assert thresholds.max_connections == limit
    assert thresholds.connections == connections_threshold(limit, 90)


def test_unknown_memory_leaves_the_memory_lines_unset_unless_given_explicitly() -> None:
    def lines(override: int | None, mib: int | None) -> tuple[int | None, int | None]:
        thresholds = database_thresholds(
            engine="postgres",
            instance_class="db.m9g.large",
            allocated_storage_gib=100,
            max_allocated_storage_gib=None,
            max_connections_override=override,
            settings=replace(DEFAULTS["prod"], freeable_memory_mib=mib),
        )
        return thresholds.freeable_memory_bytes, thresholds.connections

    assert lines(None, None) == (None, None)
    assert lines(1000, 1536) == (1536 * 1024**2, 900)
    assert default_max_connections("mysql", "db.m9g.large") is None
    assert freeable_memory_threshold_bytes("db.m9g.large", 25) is None


def test_an_explicit_freeable_memory_line_wins_over_the_share() -> None:
    assert freeable_memory_threshold_bytes("db.r6i.large", 25, explicit_mib=512) == 512 * 1024**2
