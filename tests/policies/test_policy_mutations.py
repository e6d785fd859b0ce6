"""The mutation suite: from the program's compliant stack (or bootstrap/'s state
bucket), one insecure change at a time, analyzed with each environment's
shipped policy config; the rule meant for it must answer at exactly the level
that environment promises. And per rule, a value unknown at preview: refused
at that level where it could hide an exposure (never the SDK's quiet advisory
downgrade), accepted where it cannot."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import yaml

from offline.snapshot import ResourceSnapshot
from preflight.analyzer import AnalysisReport, PolicyPackAnalyzer
from tests.conftest import PROJECT_DIR
from tests.policies.answer_reuse import AnswerReusingAnalyzer, alone
from tests.policies.cases import ENVIRONMENTS, PASSES, REMEDIATED, Mutation, UnknownCase
from tests.policies.mutations import MUTATIONS, UNKNOWN_CASES
from tests.policies.pack_pool import PACKS
from tests.policies.program_stacks import (
    KNOWN_GAPS,
    PACK_DIR,
    PROJECT,
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
    # The fix (remediation steps) shown under each finding
    fixes: tuple[str, ...]
    sdk_notes: tuple[str, ...]


def answer(report: AnalysisReport, rule: str) -> Answer:
    found = report.for_policy(rule)
    levels = sorted({v.enforcement_level for v in found})
    if report.remediated_by(rule):
        levels.append(REMEDIATED)
    return Answer(
        levels=tuple(levels) or (PASSES,),
        findings=tuple(v.finding for v in found),
        fixes=tuple(v.remediation_steps for v in found),
        # The SDK's own answer to an unknown read ("can't run policy ... during
        # preview", always advisory) must never be what answers.
        sdk_notes=tuple(v.message for v in report.violations if "can't run policy" in v.message),
    )


def key(case: Case, env: str) -> str:
    return f"{type(case).__name__}:{case.id}:{env}"


@pytest.fixture(scope="module")
def answers() -> Iterator[dict[str, Answer]]:
    """Every case in every environment, each analyzed by a pack started for
    that stack (pack_pool's) with that stack's policy config, with the calls
    of the preview that run the case's rule: ``Remediate`` and ``Analyze``
    of every resource for a resource policy (what a case left as it was is
    answered once: see answer_reuse), ``AnalyzeStack`` for a stack policy. Neither kind sees the
    other's calls, so the rule answers as in the whole preview; this halves
    the suite's time.

    A stack policy's mutation is analyzed with the other policies disabled:
    the SDK gives each stack policy its own copy of the resources and its own
    config, so no other policy can change its answer (``test_answer_reuse.py``
    shows it on a sample), and the pack's time goes to that policy alone. Its
    unknown cases keep every policy on: they also check that no policy at all
    gives the SDK's own answer to the unknown."""
    found: dict[str, Answer] = {}
    cases: list[Case] = [*MUTATIONS, *UNKNOWN_CASES]
    # The same stacks for both environments: a change does not depend on it.
    stacks = {case: case_resources(case) for case in cases}
    for env in ENVIRONMENTS:
        pack = PACKS.pack_for(AnswerReusingAnalyzer, PACK_DIR, project=PROJECT, stack=env)
        shipped = pack.configure_from(policy_config(env))
        kinds = {policy.name: policy.policy_type for policy in pack.info().policies}
        isolated = [c for c in MUTATIONS if kinds[c.rule] == "stack"]
        for case in cases:
            if case in isolated:
                continue
            resources = stacks[case]
            if kinds[case.rule] == "stack":
                report = AnalysisReport(tuple(pack.analyze_stack(resources)), ())
            else:
                report = pack.analyze_resources(resources)
            found[key(case, env)] = answer(report, case.rule)
        for rule in sorted({case.rule for case in isolated}):
            pack.configure(alone(shipped, rule))
            for case in (c for c in isolated if c.rule == rule):
                violations = pack.analyze_stack(stacks[case])
                found[key(case, env)] = answer(AnalysisReport(tuple(violations), ()), rule)
    yield found


def case_resources(case: Case) -> list[ResourceSnapshot]:
    """The case's stack: its base with its change made."""
    stack = case.base()
    case.apply(stack)
    return stack.resources()


def reporting_rules(case: Case, env: str) -> tuple[str, ...]:
    """Every rule that reports or rewrites something on the case's stack in
    ``env``, all policies on (for a failure message)."""
    pack = PACKS.pack(PACK_DIR, project=PROJECT, stack=env)
    pack.configure_from(policy_config(env))
    report = pack.analyze(case_resources(case))
    reported = {v.policy_name for v in report.violations}
    return tuple(sorted(reported | {r.policy_name for r in report.remediations}))


def test_every_rule_has_a_mutation_and_an_unknown_case(pack: PolicyPackAnalyzer) -> None:
    names = {policy.name for policy in pack.info().policies}
    assert names == {m.rule for m in MUTATIONS}, "a rule without a mutation, or one of no rule"
    assert names == {case.rule for case in UNKNOWN_CASES}
    assert len({m.id for m in MUTATIONS}) == len(MUTATIONS)
    assert len({(c.rule, c.id) for c in UNKNOWN_CASES}) == len(UNKNOWN_CASES)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_untouched_stacks_have_no_finding_but_the_known_gaps(
    pack: PolicyPackAnalyzer, env: str
) -> None:
    pack.configure_from(policy_config(env))
    for stack in (compliant_stack(), state_bucket_stack()):
        report = pack.analyze(stack.resources())
        unexpected = [
            (v.policy_name, v.finding)
            for v in report.violations
            if v.policy_name not in KNOWN_GAPS or v.enforcement_level != "advisory"
        ]
        assert unexpected == []
        assert report.remediations == ()
    found = pack.analyze(compliant_stack().resources())
    counts = {rule: len(found.for_policy(rule)) for rule in KNOWN_GAPS}
    assert counts == KNOWN_GAPS, "a gap closed: drop it from KNOWN_GAPS and raise its level"


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.id)
def test_mutation_answered_at_its_level(
    mutation: Mutation, env: str, answers: dict[str, Answer]
) -> None:
    found = answers[key(mutation, env)]
    # The message (evaluated only on failure) analyzes the stack again with
    # every policy on, to name every rule that reported.
    assert found.levels == (mutation.levels[env],), (
        f"{mutation.what} in {env}: {mutation.rule} answered {found.levels}; "
        f"rules that reported: {reporting_rules(mutation, env)}"
    )


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("case", UNKNOWN_CASES, ids=lambda c: f"{c.rule}:{c.id}")
def test_unknown_value(case: UnknownCase, env: str, answers: dict[str, Answer]) -> None:
    found = answers[key(case, env)]
    assert found.sdk_notes == ()
    assert found.levels == (case.expected[env],), f"{case.what} in {env}: {found.findings}"
    for finding in found.findings:
        assert "unknown at preview" in finding and "cannot verify" in finding, finding


# What a finding names as the place to change: a stack key, the policy config,
# or that no stack key sets it (the program's hard-wired hardening).
STACK_KEY = re.compile(rf"\b{PROJECT}:([A-Za-z]+)\b")
NO_STACK_KEY = "no stack key sets it"


def declared_stack_keys() -> set[str]:
    project = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())
    return set(project["config"])


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_findings_say_where_to_change_it_and_fixes_say_how(
    env: str, answers: dict[str, Answer]
) -> None:
    keys = declared_stack_keys()
    config_file = f"policies/config/{env}.json"
    seen = 0
    cases: list[Case] = [*MUTATIONS, *UNKNOWN_CASES]
    for case in cases:
        found = answers[key(case, env)]
        for finding, fix in zip(found.findings, found.fixes, strict=True):
            seen += 1
            named = set(STACK_KEY.findall(finding)) | set(STACK_KEY.findall(fix))
            assert named <= keys, f"{case.id}: names undeclared stack keys {named - keys}"
            # A refusal of an unknown says how to make the value known instead.
            refusal = "unknown at preview" in finding
            assert named or refusal or NO_STACK_KEY in finding or config_file in finding, (
                f"{case.id} in {env}: the finding names no stack key or policy config: {finding}"
            )
            assert "<stack>" not in fix and "<stack>" not in finding, (fix, finding)
            # The fix line says how; it never repeats the finding, nor the finding the fix.
            assert fix and fix not in finding and finding not in fix, (case.id, finding)
    assert seen > len(MUTATIONS)


def test_a_knob_in_the_policy_config_is_named_with_its_file(answers: dict[str, Answer]) -> None:
    (finding,) = answers["Mutation:ssh-from-other-network:dev"].findings
    assert f"{PROJECT}:sshAllowedCidrs" in finding
    assert "sg-ssh-bastion-only.allowedCidrs in policies/config/dev.json" in finding
    assert (PACK_DIR / "config" / "dev.json").exists()


def test_a_static_master_password_finding_says_where_rds_would_take_it(
    answers: dict[str, Answer],
) -> None:
    """The rule asks for a managed master password everywhere but where RDS
    refuses one; its finding says so, so that a user with a replica or a
    blue/green deployment knows why it is not asked of them."""
    (finding,) = answers["Mutation:static-master-password:prod"].findings
    assert "manageMasterUserPassword is false" in finding
    assert "source of a read replica" in finding and "blueGreenUpdate.enabled" in finding
