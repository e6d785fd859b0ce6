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
from tests.policies.program_stacks import KNOWN_GAPS


@pytest.fixture(scope="module")
def dev_report(dev_run: ProgramRun) -> AnalysisReport:
    return analyzed(dev_run)


@pytest.fixture(scope="module")
def prod_report(prod_run: ProgramRun) -> AnalysisReport:
    return analyzed(prod_run)


def test_prod_stack_has_no_finding_but_the_known_gaps(prod_report: AnalysisReport) -> None:
    assert [
        (v.policy_name, v.finding)
        for v in prod_report.violations
        if v.policy_name not in KNOWN_GAPS or v.enforcement_level != "advisory"
    ] == []


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
        # The fix is the pack's metadata, the same for every program: it names
        # the resource's property, never this project's key.
        assert "bastion-db:" not in advisory[rule].remediation_steps


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
    assert "sg-ssh-bastion-only.allowedCidrs" in violation.remediation_steps


def test_no_performance_insights_advice_where_rds_does_not_offer_it(
    run_stack: RunStack,
) -> None:
    """MySQL on db.t4g.micro has no Performance Insights (aws_facts, from AWS's
    table): the settings refuse turning it on, so the pack must not advise it."""
    mysql_micro = analyzed(run_stack("dev", dbEngine="mysql"))
    assert "rds-performance-insights" not in {v.policy_name for v in mysql_micro.violations}
    postgres_micro = analyzed(run_stack("dev"))
    assert "rds-performance-insights" in {v.policy_name for v in postgres_micro.violations}


def test_a_bastion_that_keeps_its_image_is_not_refused_when_a_newer_one_is_out(
    prod_run: ProgramRun,
) -> None:
    """After a new Amazon Linux release the lookup finds a newer image while the
    bastion (ignoreChanges: ami) keeps the one it was created with, as the engine
    shows the pack on the next preview."""
    from dataclasses import replace

    bastion = next(r for r in prod_run.resources if r.type == "aws:ec2/instance:Instance")
    assert bastion.ignore_changes == ("ami",)
    old_image = {"ami": "ami-00000000000000001"}
    older = replace(
        bastion,
        inputs={**bastion.inputs, **old_image},
        outputs={**bastion.outputs, **old_image},
    )
    kept = [older if r.urn == bastion.urn else r for r in prod_run.resources]
    found = analyzed(replace(prod_run, resources=kept)).violations
    assert [v.policy_name for v in found if v.policy_name not in KNOWN_GAPS] == []
    pinned = replace(older, ignore_changes=())
    swapped = [pinned if r.urn == bastion.urn else r for r in prod_run.resources]
    refused = analyzed(replace(prod_run, resources=swapped)).mandatory
    assert "ec2-ami-owner-allowed" in {v.policy_name for v in refused}
