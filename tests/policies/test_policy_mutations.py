"""The mutation suite: from the program's compliant stack (or bootstrap/'s state
bucket), one insecure change at a time, analyzed with each environment's
shipped policy config; the rule meant for it must answer at exactly the level
that environment promises. And per rule, a value unknown at preview: refused
at that level where it could hide an exposure (never the SDK's quiet advisory
downgrade), accepted where it cannot."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from preflight.analyzer import AnalysisReport, PolicyPackAnalyzer
from tests.policies.mutations import (
    ENVIRONMENTS,
    MUTATIONS,
    PASSES,
    REMEDIATED,
    UNKNOWN_CASES,
    Mutation,
    UnknownCase,
)
from tests.policies.program_stacks import (
    compliant_stack,
    policy_config,
    state_bucket_stack,
)

Case = Mutation | UnknownCase


@dataclass(frozen=True)
class Answer:
    """How the intended rule answered one case in one environment."""

    # The levels of its violations, "remediated" for a rewrite, or "passes"
    levels: tuple[str, ...]
    findings: tuple[str, ...]
    # Every rule that reported or rewrote something, for the failure message
    rules: tuple[str, ...]
    sdk_notes: tuple[str, ...]


def answer(report: AnalysisReport, rule: str) -> Answer:
    found = report.for_policy(rule)
    levels = sorted({v.enforcement_level for v in found})
    if report.remediated_by(rule):
        levels.append(REMEDIATED)
    rules = {v.policy_name for v in report.violations} | {
        r.policy_name for r in report.remediations
    }
    return Answer(
        levels=tuple(levels) or (PASSES,),
        findings=tuple(v.finding for v in found),
        rules=tuple(sorted(rules)),
        # The SDK's own answer to an unknown read ("can't run policy ... during
        # preview", always advisory) must never be what answers.
        sdk_notes=tuple(v.message for v in report.violations if "can't run policy" in v.message),
    )


def key(case: Case, env: str) -> str:
    return f"{type(case).__name__}:{case.id}:{env}"


@pytest.fixture(scope="module")
def answers(pack: PolicyPackAnalyzer) -> Iterator[dict[str, Answer]]:
    found: dict[str, Answer] = {}
    cases: list[Case] = [*MUTATIONS, *UNKNOWN_CASES]
    for env in ENVIRONMENTS:
        pack.configure_from(policy_config(env))
        for case in cases:
            stack = case.base()
            case.apply(stack)
            found[key(case, env)] = answer(pack.analyze(stack.resources()), case.rule)
    yield found


def test_every_rule_has_a_mutation_and_an_unknown_case(pack: PolicyPackAnalyzer) -> None:
    names = {policy.name for policy in pack.info().policies}
    assert names == {m.rule for m in MUTATIONS}, "a rule without a mutation, or one of no rule"
    assert names == {case.rule for case in UNKNOWN_CASES}
    assert len({m.id for m in MUTATIONS}) == len(MUTATIONS)
    assert len({(c.rule, c.id) for c in UNKNOWN_CASES}) == len(UNKNOWN_CASES)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_untouched_stacks_have_no_finding_at_all(pack: PolicyPackAnalyzer, env: str) -> None:
    pack.configure_from(policy_config(env))
    for stack in (compliant_stack(), state_bucket_stack()):
        report = pack.analyze(stack.resources())
        assert [(v.policy_name, v.finding) for v in report.violations] == []
        assert report.remediations == ()


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.id)
def test_mutation_answered_at_its_level(
    mutation: Mutation, env: str, answers: dict[str, Answer]
) -> None:
    found = answers[key(mutation, env)]
    assert found.levels == (mutation.levels[env],), (
        f"{mutation.what} in {env}: {mutation.rule} answered {found.levels}; "
        f"rules that reported: {found.rules}"
    )


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("case", UNKNOWN_CASES, ids=lambda c: f"{c.rule}:{c.id}")
def test_unknown_value(case: UnknownCase, env: str, answers: dict[str, Answer]) -> None:
    found = answers[key(case, env)]
    assert found.sdk_notes == ()
    assert found.levels == (case.expected[env],), f"{case.what} in {env}: {found.findings}"
    for finding in found.findings:
        assert "unknown at preview" in finding and "cannot verify" in finding, finding
