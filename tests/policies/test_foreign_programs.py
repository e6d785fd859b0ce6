"""The pack on a program this repository did not write (foreign_program.py:
raw pulumi_aws resources, every way of writing a security-group rule), over
the analyzer protocol, at the levels of the prod policy config; once as a
preview sees it (ids of new resources unknown) and once with every value
known, as after `up`, `pulumi policy analyze --file` and audit policy groups
see it. Compliant: clean. Broken: caught with mandatory findings. No finding
names this repository's stack keys or policy config files."""

from __future__ import annotations

from typing import Any

import pytest

from offline.fake_aws import lab_world
from offline.runner import run_program
from offline.snapshot import UNKNOWN
from preflight.analyzer import AnalysisReport
from tests.policies import foreign_program
from tests.policies.pack_pool import PACKS
from tests.policies.program_stacks import PACK_DIR, policy_config

PROJECT = "analytics"
MODES = ("preview", "known")


def _config() -> dict[str, Any]:
    """prod's policy config; the team's own image is on the AMI allow-list
    (the rule's knob for a program that pins its image)."""
    config = policy_config("prod")
    config["ec2-ami-owner-allowed"] = {"allowedAmiIds": ["ami-0123456789abcdef0"]}
    return config


def _analyzed(broken: bool, mode: str) -> AnalysisReport:
    run = run_program(
        lambda: foreign_program.define(broken),
        project=PROJECT,
        stack="prod",
        config={},
        world=lab_world(),
        preview=mode == "preview",
    )
    subnet_group = run.one("aws:rds/subnetGroup:SubnetGroup")
    # A preview really leaves the new subnets' ids unknown; after `up` all are known.
    assert (UNKNOWN in subnet_group.inputs["subnetIds"]) == (mode == "preview")
    return PACKS.analyze(
        PACK_DIR,
        run.resources,
        _config(),
        project=PROJECT,
        stack="prod",
        dry_run=mode == "preview",
    )


@pytest.fixture(scope="module", params=MODES)
def reports(request: pytest.FixtureRequest) -> dict[str, AnalysisReport]:
    return {
        "compliant": _analyzed(False, request.param),
        "broken": _analyzed(True, request.param),
    }


def _no_repository_names(report: AnalysisReport) -> None:
    for violation in report.violations:
        text = violation.message + violation.remediation_steps
        assert "bastion-db:" not in text and "policies/config/" not in text, text
        assert "Pulumi.prod.yaml" not in text, text


def test_the_compliant_program_is_clean_at_prod_levels(
    reports: dict[str, AnalysisReport],
) -> None:
    report = reports["compliant"]
    assert [(v.policy_name, v.finding) for v in report.violations] == []
    assert report.remediations == ()


def test_the_broken_program_is_caught_with_mandatory_findings(
    reports: dict[str, AnalysisReport],
) -> None:
    report = reports["broken"]
    mandatory = {v.policy_name for v in report.mandatory}
    assert {
        "rds-no-public-access",
        "rds-storage-encrypted",
        "sg-no-public-ingress",
        "sg-ssh-bastion-only",
    } <= mandatory
    public = next(iter(report.for_policy("rds-no-public-access")))
    # The resource's own property and value, since the stack declares no key.
    assert "publiclyAccessible is true (as the program sets it)" in public.finding
    _no_repository_names(report)


def test_the_database_behind_an_inline_rule_on_its_own_port_is_accepted(
    reports: dict[str, AnalysisReport],
) -> None:
    """6432 is on no list: the database declares it, and the inline rule's
    peer (unknown at preview) is the bastion's group by its dependency."""
    assert foreign_program.DB_PORT == 6432
    assert reports["compliant"].for_policy("sg-ingress-port-allow-list") == ()
    assert reports["compliant"].for_policy("sg-db-port-bastion-only") == ()
