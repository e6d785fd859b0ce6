"""The mutation suite's shortcuts change nothing but the time: a sample of its
cases, rewrites included, analyzed resource by resource (the calls reuse
concerns) by a plain client and by the reusing one, gives the same reports;
and a stack policy analyzed alone answers as it does among all the others."""

from __future__ import annotations

from tests.policies.answer_reuse import AnswerReusingAnalyzer, alone
from tests.policies.cases import REMEDIATED, Mutation, UnknownCase
from tests.policies.mutations import MUTATIONS, UNKNOWN_CASES
from tests.policies.pack_pool import PACKS
from tests.policies.program_stacks import PACK_DIR, PROJECT, policy_config

# Every twentieth case of each kind, and every rewrite: about fifteen analyses.
SAMPLE: list[Mutation | UnknownCase] = [
    *MUTATIONS[::20],
    *UNKNOWN_CASES[::20],
    *(m for m in MUTATIONS if REMEDIATED in (m.levels.dev, m.levels.prod)),
]


def test_reused_answers_give_the_reports_the_pack_gives() -> None:
    # prod: the environment where most rules refuse.
    env = "prod"
    reports = []
    reusing = PACKS.pack_for(AnswerReusingAnalyzer, PACK_DIR, project=PROJECT, stack=env)
    reused_before = reusing.reused
    for pack in (PACKS.pack(PACK_DIR, project=PROJECT, stack=env), reusing):
        found = []
        for case in SAMPLE:
            stack = case.base()
            case.apply(stack)
            # Configured before each analysis, as the suites' fixtures do: the
            # same configuration sent again keeps the answers.
            pack.configure_from(policy_config(env))
            found.append(pack.analyze_resources(stack.resources()))
        reports.append(found)
    assert type(reusing) is AnswerReusingAnalyzer and reusing.reused > reused_before
    plain, reused = reports
    assert any(report.remediations for report in plain)
    assert any(report.violations for report in plain)
    assert reused == plain


def test_a_new_configuration_is_never_answered_from_the_old_one() -> None:
    (case,) = (m for m in MUTATIONS if m.id == "ssh-from-other-network")
    stack = case.base()
    case.apply(stack)
    pack = PACKS.pack_for(AnswerReusingAnalyzer, PACK_DIR, project=PROJECT, stack="dev")
    pack.configure_from(policy_config("dev"))
    refused = pack.analyze(stack.resources()).for_policy(case.rule)
    config = policy_config("dev")
    config[case.rule] = "disabled"
    pack.configure_from(config)
    assert refused and pack.analyze(stack.resources()).for_policy(case.rule) == ()


def test_a_stack_policy_alone_answers_as_among_all_the_others() -> None:
    env = "prod"
    pack = PACKS.pack(PACK_DIR, project=PROJECT, stack=env)
    shipped = pack.configure_from(policy_config(env))
    stack_rules = {p.name for p in pack.info().policies if p.policy_type == "stack"}
    # The first mutation of each stack policy.
    sample = {m.rule: m for m in reversed(MUTATIONS) if m.rule in stack_rules}
    assert set(sample) == stack_rules
    stacks = {}
    for rule, case in sample.items():
        stack = case.base()
        case.apply(stack)
        stacks[rule] = stack.resources()
    among_all = {
        rule: [v for v in pack.analyze_stack(stacks[rule]) if v.policy_name == rule]
        for rule in sample
    }
    assert all(among_all.values()), "each first mutation should be found, to compare"
    for rule in sample:
        pack.configure(alone(shipped, rule))
        assert pack.analyze_stack(stacks[rule]) == among_all[rule], sample[rule].id
