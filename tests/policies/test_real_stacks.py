"""The real dev and prod stacks, run under mocks from their stack files and
analyzed by the pack with their own policy configs: no mandatory violation,
and the findings each one is expected to have."""

from __future__ import annotations

import pytest

from offline.runner import ProgramRun
from preflight.analyzer import AnalysisReport
from tests.policies.pack_runs import analyzed


@pytest.fixture(scope="module")
def dev_report(dev_run: ProgramRun) -> AnalysisReport:
    return analyzed(dev_run)


@pytest.fixture(scope="module")
def prod_report(prod_run: ProgramRun) -> AnalysisReport:
    return analyzed(prod_run)


def test_prod_stack_has_no_finding_at_all(prod_report: AnalysisReport) -> None:
    assert [(v.policy_name, v.finding) for v in prod_report.violations] == []


def test_dev_stack_has_no_mandatory_finding(dev_report: AnalysisReport) -> None:
    assert [(v.policy_name, v.finding) for v in dev_report.mandatory] == []


def test_dev_stack_is_told_what_its_cheapness_costs(dev_report: AnalysisReport) -> None:
    # dev turns these off on purpose; the pack still says so, as advice.
    advisory = {v.policy_name for v in dev_report.violations if v.enforcement_level == "advisory"}
    assert {"rds-multi-az", "rds-deletion-protection", "rds-final-snapshot"} <= advisory
