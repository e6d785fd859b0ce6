"""The hardware the alarms are sized from: a class's memory, where it is known.

Expected figures are the RDS hardware table's ("Hardware specifications for DB
instance classes",
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Summary.html).
"""

from __future__ import annotations

import pytest

from bastion_db import aws_facts
from bastion_db.checks.instance_classes import (
    GIB,
    db_instance_class_memory_estimate,
    estimated_db_instance_class_memory,
    memory_bytes,
    spec,
)


@pytest.mark.parametrize(
    ("instance_class", "expected_gib"),
    [
        # The table the product used to keep by hand, one class per type
        ("db.t3.micro", 1),
        ("db.t4g.micro", 1),
        ("db.t4g.medium", 4),
        ("db.t3.2xlarge", 32),
        ("db.m6g.large", 8),
        ("db.m7g.xlarge", 16),
        ("db.m6i.4xlarge", 64),
        ("db.r6g.large", 16),
        ("db.r7g.4xlarge", 128),
        # The classes the old table refused
        ("db.m5.large", 8),
        ("db.r6i.large", 16),
        ("db.m7i.large", 8),
        # Sizes past 4xlarge and the largest memory types
        ("db.r6i.24xlarge", 768),
        ("db.x2g.large", 32),
        ("db.x2iedn.32xlarge", 4096),
    ],
)
def test_memory_matches_the_aws_hardware_table(instance_class: str, expected_gib: int) -> None:
    assert memory_bytes(instance_class) == expected_gib * GIB


@pytest.mark.parametrize(
    "instance_class",
    [
        "db.r4.large",  # 15.25 GiB: no whole ratio, left out on purpose
        "db.m9g.large",  # a type RDS offers that documented.json does not list yet
        "db.m5.metal",  # a size whose vCPUs its name does not give
        "db.x9.huge",
    ],
)
def test_memory_of_a_class_the_derivation_does_not_cover_is_unknown_not_guessed(
    instance_class: str,
) -> None:
    assert memory_bytes(instance_class) is None
    assert estimated_db_instance_class_memory(instance_class) is None


def test_only_db_t_classes_are_burstable() -> None:
    assert spec("db.t4g.micro").burstable and spec("db.t3.large").burstable
    assert not spec("db.m5.large").burstable and not spec("db.m9g.large").burstable


def test_every_type_rds_offers_is_either_sized_or_knowingly_unsized() -> None:
    """Exactly the types documented.json lists as unknown have no memory: a type
    it sizes always gets one (its sizes parse), and nothing else is guessed."""
    knowingly_unsized = {"db.r4", "db.m8a", "db.r8a", "db.m9g"}
    offered = {
        c
        for engine in aws_facts.ENGINES
        for major in aws_facts.major_versions(engine)
        for c in aws_facts.orderable_instance_classes(engine, major)
    }
    unsized_types = {
        c.rpartition(".")[0] for c in offered if aws_facts.instance_class_memory_gib(c) is None
    }
    assert unsized_types == knowingly_unsized


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
    memory_gib: int, per_connection: int, observed: int
) -> None:
    estimate = db_instance_class_memory_estimate(memory_gib * GIB)
    assert estimate < memory_gib * GIB
    estimated_connections = estimate // per_connection
    # Never above the real limit (an alarm line above it could never fire) ...
    assert estimated_connections <= observed
    # ... and close enough that the alarm still means "near the limit".
    assert estimated_connections >= observed * 0.9
