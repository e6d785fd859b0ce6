"""The shared packs the policy suites analyze with change nothing but the time:
a pack reconfigured after other configurations answers exactly as a pack
started for that one configuration, and a pack is only shared by analyses
that would have started it the same way."""

from __future__ import annotations

from typing import Any

from preflight.analyzer import PolicyPackAnalyzer
from tests.policies.answer_reuse import AnswerReusingAnalyzer
from tests.policies.pack_pool import LaunchKey, PackPool, launch_key
from tests.policies.program_stacks import PACK_DIR, PROJECT, compliant_stack, policy_config

RULE = "sg-ssh-bastion-only"


def test_a_reconfigured_pack_keeps_nothing_of_the_configuration_before() -> None:
    """What a pack of the pool answers after other configurations is what a
    pack started for that configuration answers."""
    stack = compliant_stack()
    stack.set("ssh_rule", cidrIpv4="198.51.100.0/24")
    resources = stack.resources()
    shipped = policy_config("dev")
    # The other network allowed, the rule's level raised, and every other
    # rule off: if any of it stayed, the next answer would differ.
    permissive: dict[str, Any] = {name: "disabled" for name in shipped}
    permissive[RULE] = {
        "enforcementLevel": "mandatory",
        "allowedCidrs": ["198.51.100.0/24"],
    }
    pool = PackPool()
    try:
        # The first answer is a fresh pack's, for the shipped configuration.
        answers = [
            pool.analyze(PACK_DIR, resources, config, project=PROJECT, stack="dev")
            for config in (shipped, permissive, shipped, permissive)
        ]
        assert pool.started == 1
        # A pack that stopped is replaced, never handed out; the new one's
        # first answer is a fresh pack's, for the permissive configuration.
        shared = pool.pack_for(AnswerReusingAnalyzer, PACK_DIR, project=PROJECT, stack="dev")
        shared.close()
        again = pool.pack_for(AnswerReusingAnalyzer, PACK_DIR, project=PROJECT, stack="dev")
        assert again is not shared and again.running and pool.started == 2
        again.configure_from(permissive)
        allowed_fresh = again.analyze(resources)
    finally:
        pool.close()
    assert not again.running
    refused_fresh = answers[0]
    assert refused_fresh.for_policy(RULE) and not allowed_fresh.for_policy(RULE)
    assert answers == [refused_fresh, allowed_fresh, refused_fresh, allowed_fresh]


def test_only_packs_started_alike_are_shared() -> None:
    def key(**options: Any) -> LaunchKey:
        return launch_key(PolicyPackAnalyzer(PACK_DIR, project=PROJECT, **options))

    dev = key(stack="dev")
    assert key(stack="dev") == dev
    # Each of these reaches the pack before any Configure, so each needs its own.
    others = [
        key(stack="prod"),
        key(stack="dev", stack_config={"bastion-db:dbPort": "6432"}),
        key(stack="dev", dry_run=False),
        key(stack="dev", organization="other"),
        key(stack="dev", stack_tags={"team": "db"}),
        key(stack="dev", secret_config_keys=["bastion-db:dbPassword"]),
    ]
    assert len({dev, *others}) == 1 + len(others)
