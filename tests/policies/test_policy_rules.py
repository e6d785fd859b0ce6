"""Each rule passes the compliant stack, and does what it must with a value
that is unknown at preview: refuse it at its own level where the unknown could
hide an exposure (never the SDK's quiet advisory downgrade), accept it where
it cannot. The failing case of every rule is in test_policy_mutations.py."""

from __future__ import annotations

import pytest

from preflight.analyzer import AnalysisReport, PolicyPackAnalyzer
from preflight.policy_config import PolicyConfig
from tests.policies.conftest import Analyze
from tests.policies.mutations import MUTATIONS, UNKNOWN_CASES, UnknownCase
from tests.policies.stack_fixture import compliant_stack, fixture_config, state_bucket_stack

RULES = sorted({m.rule for m in MUTATIONS})


@pytest.fixture(scope="module")
def configured(pack: PolicyPackAnalyzer) -> dict[str, PolicyConfig]:
    return pack.configure_from(fixture_config())


@pytest.fixture(scope="module")
def compliant_report(
    pack: PolicyPackAnalyzer, configured: dict[str, PolicyConfig]
) -> AnalysisReport:
    return pack.analyze(compliant_stack().resources())


def reported_level(configured: dict[str, PolicyConfig], rule: str) -> str:
    """The level a violation of ``rule`` carries: the SDK reports a failed
    remediation (or a stack policy set to remediate) as mandatory."""
    level = configured[rule].enforcement_level
    return "mandatory" if level == "remediate" else str(level)


def test_every_rule_has_a_failing_and_an_unknown_case(pack: PolicyPackAnalyzer) -> None:
    names = {policy.name for policy in pack.info().policies}
    assert names == set(RULES), "a rule without a mutation, or a mutation of no rule"
    assert names == {case.rule for case in UNKNOWN_CASES}


def test_the_compliant_stack_has_no_finding_at_all(compliant_report: AnalysisReport) -> None:
    assert compliant_report.violations == ()
    assert compliant_report.remediations == ()


def test_the_state_bucket_stack_has_no_finding_at_all(
    pack: PolicyPackAnalyzer, configured: dict[str, PolicyConfig]
) -> None:
    report = pack.analyze(state_bucket_stack().resources())
    assert [(v.policy_name, v.finding) for v in report.violations] == []
    assert report.remediations == ()


@pytest.mark.parametrize("rule", RULES)
def test_rule_passes_the_compliant_stack(rule: str, compliant_report: AnalysisReport) -> None:
    assert compliant_report.for_policy(rule) == ()


@pytest.mark.parametrize("case", UNKNOWN_CASES, ids=lambda c: f"{c.rule}:{c.id}")
def test_unknown_value(
    case: UnknownCase, analyze: Analyze, configured: dict[str, PolicyConfig]
) -> None:
    stack = case.base()
    case.apply(stack)
    report = analyze(stack.resources())
    found = report.for_policy(case.rule)
    # The SDK's own handling of an unknown ("can't run policy ... during
    # preview", always advisory) must never be what answers.
    assert not [v for v in report.violations if "can't run policy" in v.message]
    if case.refused:
        assert found, f"{case.rule} let an unknown through: {case.what}"
        for violation in found:
            assert "unknown at preview" in violation.finding
            assert "cannot verify" in violation.finding
            assert violation.enforcement_level == reported_level(configured, case.rule)
    else:
        assert found == (), [v.finding for v in found]
        assert report.remediated_by(case.rule) == ()
