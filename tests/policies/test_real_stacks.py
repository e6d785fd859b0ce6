"""The real dev and prod stacks, run under mocks from their stack files and
analyzed by the pack with their own policy configs: no mandatory violation,
the findings each one is expected to have, and each finding naming the stack
key the user would edit."""

from __future__ import annotations

import json

import pytest

from offline.runner import ProgramRun
from preflight.analyzer import AnalysisReport
from tests.conftest import RunStack
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


def test_dev_is_told_what_its_cheapness_costs_and_which_key_buys_it_back(
    dev_report: AnalysisReport,
) -> None:
    # dev turns these off on purpose in Pulumi.dev.yaml; the pack still says
    # so, as advice, naming the key that turns each back on.
    keys = {
        "rds-multi-az": "bastion-db:dbMultiAz",
        "rds-deletion-protection": "bastion-db:dbDeletionProtection",
        "rds-final-snapshot": "bastion-db:dbSkipFinalSnapshot",
        "rds-enhanced-monitoring": "bastion-db:dbEnhancedMonitoringInterval",
    }
    advisory = {
        v.policy_name: v for v in dev_report.violations if v.enforcement_level == "advisory"
    }
    assert set(keys) <= set(advisory)
    for rule, key in keys.items():
        assert key in advisory[rule].finding, advisory[rule].finding
        assert key in advisory[rule].remediation_steps


def test_a_users_own_ssh_network_is_refused_until_the_policy_config_allows_it(
    run_stack: RunStack,
) -> None:
    """The README's first edit: sshAllowedCidrs set to the user's own network.
    The message names the stack key and the policy config file and knob."""
    run = run_stack("dev", sshAllowedCidrs=json.dumps(["198.51.100.0/24"]))
    (violation,) = analyzed(run).for_policy("sg-ssh-bastion-only")
    assert violation.enforcement_level == "mandatory"
    assert "198.51.100.0/24 (stack key bastion-db:sshAllowedCidrs)" in violation.finding
    assert "sg-ssh-bastion-only.allowedCidrs in policies/config/dev.json" in violation.finding
    assert "policies/config/dev.json" in violation.remediation_steps
