"""``database-alarms``: every RDS instance has its CPU, memory, storage and
connection alarms, pointing at it, able to tell someone, comparing the right
way; one finding per missing or broken metric, naming the database and the
metric. Driven through the analyzer protocol, on the fixture and on the
program's real prod stack."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from offline.runner import ProgramRun
from offline.snapshot import UNKNOWN
from preflight.analyzer import Violation
from tests.policies.conftest import Analyze
from tests.policies.stack_fixture import (
    DATABASE_ALARMS,
    DELETE,
    PACK_DIR,
    FixtureStack,
    compliant_stack,
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
    for key in DATABASE_ALARMS:
        alarm = stack[key]
        stack.add(
            f"{key}_replica",
            alarm.type,
            f"{alarm.name}-replica",
            {**alarm.inputs, "dimensions": {"DBInstanceIdentifier": REPLICA_ID}},
            parent="monitoring",
            deps={"alarmActions": ["topic"], "okActions": ["topic"], "dimensions": ["replica"]},
        )


def test_the_full_stack_passes(analyze: Analyze) -> None:
    assert findings(analyze, compliant_stack()) == ()


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
    for key in DATABASE_ALARMS:
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
    for key in [*DATABASE_ALARMS, *(f"{k}_replica" for k in DATABASE_ALARMS)]:
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
    (violation,) = findings(analyze, compliant_stack(), requiredMetrics=[*REQUIRED, "ReadLatency"])
    assert "has no ReadLatency alarm" in violation.finding


# --- the program's own stack ------------------------------------------------------


def analyze_real(analyze: Analyze, run: ProgramRun) -> tuple[Violation, ...]:
    config = json.loads((PACK_DIR / "config" / f"{run.stack}.json").read_text())
    return analyze(run.resources, config).for_policy(RULE)


def test_the_real_prod_stack_watches_its_database(analyze: Analyze, prod_run: ProgramRun) -> None:
    assert analyze_real(analyze, prod_run) == ()


def test_the_real_prod_stack_without_its_storage_alarm_fails(
    analyze: Analyze, prod_run: ProgramRun
) -> None:
    without = [r for r in prod_run.resources if r.name != "monitoring-db-free-storage"]
    assert len(without) == len(prod_run.resources) - 1
    (violation,) = analyze_real(analyze, replace(prod_run, resources=without))
    assert violation.enforcement_level == "mandatory"
    assert "has no FreeStorageSpace alarm" in violation.finding


def test_the_real_prod_stack_in_preview_is_matched_by_dependency(
    analyze: Analyze, prod_run: ProgramRun
) -> None:
    # What a first preview sends: the identifiers are not known yet.
    previewed = []
    for resource in prod_run.resources:
        if resource.type == "aws:rds/instance:Instance":
            resource = replace(resource, outputs={**resource.outputs, "identifier": UNKNOWN})
        elif "DBInstanceIdentifier" in (resource.outputs.get("dimensions") or {}):
            dimensions = {"DBInstanceIdentifier": UNKNOWN}
            resource = replace(resource, outputs={**resource.outputs, "dimensions": dimensions})
        previewed.append(resource)
    assert analyze_real(analyze, replace(prod_run, resources=previewed)) == ()
