"""The mutation suite: from a compliant stack (the prod-like one, or the state
bucket's), one insecure change at a time; each must be caught by the rule
meant for it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from preflight.analyzer import PolicyPackAnalyzer
from tests.policies.mutations import MUTATIONS, Mutation
from tests.policies.stack_fixture import fixture_config


@dataclass(frozen=True)
class Outcome:
    killed: bool
    # How the intended rule answered: its violation levels, or "remediated"
    answers: tuple[str, ...]
    # Every rule that reported or remediated something
    rules: tuple[str, ...]


@pytest.fixture(scope="module")
def outcomes(pack: PolicyPackAnalyzer) -> dict[str, Outcome]:
    pack.configure_from(fixture_config())
    results = {}
    for mutation in MUTATIONS:
        stack = mutation.base()
        mutation.apply(stack)
        report = pack.analyze(stack.resources())
        answers = tuple(sorted({v.enforcement_level for v in report.for_policy(mutation.rule)}))
        if report.remediated_by(mutation.rule):
            answers += ("remediated",)
        rules = {v.policy_name for v in report.violations}
        rules |= {r.policy_name for r in report.remediations}
        results[mutation.id] = Outcome(bool(answers), answers, tuple(sorted(rules)))
    return results


def test_there_are_enough_mutations() -> None:
    assert len(MUTATIONS) >= 30
    assert len({m.id for m in MUTATIONS}) == len(MUTATIONS)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.id)
def test_mutation_is_caught_by_its_rule(mutation: Mutation, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[mutation.id]
    assert outcome.killed, (
        f"{mutation.what}: {mutation.rule} said nothing; rules that did: {outcome.rules}"
    )


def test_kill_rate(outcomes: dict[str, Outcome], capsys: pytest.CaptureFixture[str]) -> None:
    killed = sum(1 for outcome in outcomes.values() if outcome.killed)
    rate = killed / len(outcomes)
    with capsys.disabled():
        print(f"\nmutation suite: {killed}/{len(outcomes)} killed ({rate:.0%})")
        for mutation in MUTATIONS:
            outcome = outcomes[mutation.id]
            mark = "killed" if outcome.killed else "SURVIVED"
            print(f"  {mark:8} {mutation.id:34} {mutation.rule:34} {'/'.join(outcome.answers)}")
    assert rate == 1.0
