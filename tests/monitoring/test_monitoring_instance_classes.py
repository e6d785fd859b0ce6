"""The instance class table: the allow-list and the hardware the alarms are sized from."""

from __future__ import annotations

import pytest

from settings import instance_classes
from settings.instance_classes import (
    ALLOWED_INSTANCE_CLASSES,
    GIB,
    INSTANCE_CLASSES,
    UnknownInstanceClassError,
    estimated_db_instance_class_memory,
    memory_bytes,
    vcpus,
)


@pytest.mark.parametrize(
    ("instance_class", "expected_gib", "expected_vcpus"),
    [
        ("db.t3.micro", 1, 2),
        ("db.t4g.micro", 1, 2),
        ("db.t4g.medium", 4, 2),
        ("db.t3.2xlarge", 32, 8),
        ("db.m6g.large", 8, 2),
        ("db.m7g.xlarge", 16, 4),
        ("db.m6i.4xlarge", 64, 16),
        ("db.r6g.large", 16, 2),
        ("db.r7g.4xlarge", 128, 16),
    ],
)
def test_memory_and_vcpus_match_the_aws_hardware_table(
    instance_class: str, expected_gib: int, expected_vcpus: int
) -> None:
    assert memory_bytes(instance_class) == expected_gib * 1024**3
    assert vcpus(instance_class) == expected_vcpus


def test_allow_list_is_exactly_the_table_and_leaves_out_old_generations() -> None:
    assert frozenset(INSTANCE_CLASSES) == ALLOWED_INSTANCE_CLASSES
    assert len(ALLOWED_INSTANCE_CLASSES) == 2 * 6 + 5 * 4
    for old in ("db.t2.micro", "db.m5.large", "db.r5.large", "db.m4.large"):
        assert old not in ALLOWED_INSTANCE_CLASSES


def test_each_size_step_doubles_memory_within_a_family() -> None:
    families: dict[str, list[int]] = {}
    for name, spec in INSTANCE_CLASSES.items():
        families.setdefault(name.split(".")[1], []).append(spec.memory_gib)
    for family, sizes in families.items():
        assert sizes == [sizes[0] * 2**step for step in range(len(sizes))], family


def test_unknown_class_is_refused_with_the_allowed_list() -> None:
    with pytest.raises(UnknownInstanceClassError) as error:
        memory_bytes("db.x9.huge")
    assert "db.x9.huge" in str(error.value)
    assert "db.t4g.micro" in str(error.value)


# `SHOW max_connections` on default parameter groups, as reported by users:
# (memory GiB, bytes per connection of the engine's formula, observed default)
OBSERVED_DEFAULTS = [
    (1, 12_582_880, 66),  # MySQL db.t2.micro
    (2, 9_531_392, 198),  # PostgreSQL db.t2.small
    (4, 9_531_392, 413),  # PostgreSQL db.t2.medium
    (8, 9_531_392, 856),  # PostgreSQL db.t2.large / db.m4.large
]


@pytest.mark.parametrize(("memory_gib", "per_connection", "observed"), OBSERVED_DEFAULTS)
def test_estimated_db_instance_class_memory_stays_just_below_what_rds_uses(
    memory_gib: int, per_connection: int, observed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        instance_classes,
        "INSTANCE_CLASSES",
        {"db.test.size": instance_classes.InstanceClassSpec(2, memory_gib, False)},
    )
    estimate = estimated_db_instance_class_memory("db.test.size")
    assert estimate < memory_gib * GIB
    estimated_connections = estimate // per_connection
    # Never above the real limit (an alarm line above it could never fire) ...
    assert estimated_connections <= observed
    # ... and close enough that the alarm still means "near the limit".
    assert estimated_connections >= observed * 0.9
