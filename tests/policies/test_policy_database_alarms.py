"""``database-alarms``: every RDS instance has its CPU, memory, storage and
connection alarms, pointing at it, able to tell someone, comparing the right
way; one finding per missing or broken metric, naming the database and the
metric. Driven through the analyzer protocol, on the program's own stack."""

from __future__ import annotations

import pytest

from offline.snapshot import UNKNOWN
from preflight.analyzer import Violation
from tests.policies.conftest import Analyze
from tests.policies.program_stacks import (
    DELETE,
    FixtureStack,
    compliant_stack,
    database_alarms,
    fixture_config,
)

RULE = "database-alarms"
REQUIRED = ("CPUUtilization", "FreeableMemory", "FreeStorageSpace", "DatabaseConnections")
REPLICA_ID = "bastion-db-prod-replica"


def findings(analyze: Analyze, stack: FixtureStack, **knobs: object) -> tuple[Violation, ...]:
    config = fixture_config()
    if knobs:
        config[RULE] = {"enforcementLevel": config[RULE], **knobs}
    return analyze(stack.resources(), config).for_policy(RULE)


def with_replica(stack: FixtureStack) -> None:
    """A second database with its own, complete set of alarms."""
    stack.add(
        "replica",
        "aws:rds/instance:Instance",
        "database-replica",
        {**stack["db"].inputs, "identifier": REPLICA_ID},
        parent="database",
    )
    for key in database_alarms(stack):
        alarm = stack[key]
        stack.add(
            f"{key}_replica",
            alarm.type,
            f"{alarm.name}-replica",
            {**alarm.inputs, "dimensions": {"DBInstanceIdentifier": REPLICA_ID}},
            parent="monitoring",
            deps={"alarmActions": ["topic"], "okActions": ["topic"], "dimensions": ["replica"]},
        )


def test_a_removed_storage_alarm_is_one_finding_naming_database_and_metric(
    analyze: Analyze,
) -> None:
    stack = compliant_stack()
    stack.remove("alarm_storage")
    (violation,) = findings(analyze, stack)
    assert violation.urn == stack.urn("db")
    assert violation.enforcement_level == "mandatory"
    assert "'database-instance' (bastion-db-prod) has no FreeStorageSpace alarm" in (
        violation.finding
    )


def test_a_database_without_alarms_gets_one_finding_per_metric(analyze: Analyze) -> None:
    stack = compliant_stack()
    for key in database_alarms(stack):
        stack.remove(key)
    found = findings(analyze, stack)
    assert [metric for metric in REQUIRED for v in found if f"no {metric} alarm" in v.finding] == (
        list(REQUIRED)
    )
    assert len(found) == len(REQUIRED)


@pytest.mark.parametrize(
    ("key", "change", "expected"),
    [
        ("alarm_memory", {"alarmActions": []}, "has no alarmActions"),
        ("alarm_connections", {"actionsEnabled": False}, "actionsEnabled is false"),
        ("alarm_storage", {"okActions": DELETE}, "has no okActions"),
        (
            "alarm",
            {"comparisonOperator": "LessThanThreshold"},
            "LessThanThreshold fires when CPUUtilization falls",
        ),
        (
            "alarm_storage",
            {"comparisonOperator": "GreaterThanOrEqualToThreshold"},
            "fires when FreeStorageSpace rises",
        ),
    ],
)
def test_a_broken_alarm_is_reported_on_the_alarm(
    analyze: Analyze, key: str, change: dict[str, object], expected: str
) -> None:
    stack = compliant_stack()
    stack.set(key, **change)
    (violation,) = findings(analyze, stack)
    assert violation.urn == stack.urn(key)
    metric = stack[key].inputs["metricName"]
    assert f"(bastion-db-prod): its {metric} alarm" in violation.finding
    assert expected in violation.finding


def test_unset_actions_enabled_is_the_provider_default_true(analyze: Analyze) -> None:
    stack = compliant_stack()
    stack.set("alarm", actionsEnabled=DELETE)
    assert findings(analyze, stack) == ()


def test_an_alarm_on_another_database_does_not_count(analyze: Analyze) -> None:
    stack = compliant_stack()
    with_replica(stack)
    assert findings(analyze, stack) == ()
    # The CPU alarm keeps its dependency on the first database but names the
    # replica: the known identifiers decide, and the first database has none.
    stack.set("alarm", dimensions={"DBInstanceIdentifier": REPLICA_ID})
    (violation,) = findings(analyze, stack)
    assert violation.urn == stack.urn("db")
    assert "(bastion-db-prod) has no CPUUtilization alarm" in violation.finding


def test_each_database_is_judged_on_its_own(analyze: Analyze) -> None:
    stack = compliant_stack()
    with_replica(stack)
    stack.remove("alarm_connections_replica")
    (violation,) = findings(analyze, stack)
    assert violation.urn == stack.urn("replica")
    assert f"({REPLICA_ID}) has no DatabaseConnections alarm" in violation.finding


def test_unknown_identifiers_are_matched_by_the_property_dependency(analyze: Analyze) -> None:
    stack = compliant_stack()
    with_replica(stack)
    for key in ("db", "replica"):
        stack.set(key, identifier=UNKNOWN)
    for key in database_alarms(stack):
        stack.set(key, dimensions={"DBInstanceIdentifier": UNKNOWN})
    assert findings(analyze, stack) == ()
    # Without the dependency nothing says which database the alarm watches.
    stack.drop_dependency("alarm_memory_replica", "dimensions")
    (violation,) = findings(analyze, stack)
    assert violation.urn == stack.urn("replica")
    assert "unknown at preview" in violation.finding
    assert "has a FreeableMemory alarm" in violation.finding


def test_a_known_identifier_is_not_trusted_to_match_an_unknown_one(analyze: Analyze) -> None:
    stack = compliant_stack()
    stack.set("db", identifier=UNKNOWN)
    stack.drop_dependency("alarm", "dimensions")
    (violation,) = findings(analyze, stack)
    assert violation.urn == stack.urn("db")
    assert "unknown at preview" in violation.finding
    assert "has a CPUUtilization alarm" in violation.finding


def test_the_required_metrics_are_a_knob(analyze: Analyze) -> None:
    stack = compliant_stack()
    stack.remove("alarm_storage")
    assert findings(analyze, stack, requiredMetrics=["CPUUtilization"]) == ()
    (violation,) = findings(
        analyze, compliant_stack(), requiredMetrics=[*REQUIRED, "DiskQueueDepth"]
    )
    assert "has no DiskQueueDepth alarm" in violation.finding
