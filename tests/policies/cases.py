"""The shapes of the policy suites' cases: a change to a compliant stack, the
rule meant to answer it and the level it must answer at in each environment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.policies.program_stacks import FixtureStack, compliant_stack

Change = Callable[[FixtureStack], None]
ENVIRONMENTS = ("dev", "prod")
# What the intended rule answers: a violation at a level, a rewrite, or nothing.
MANDATORY = "mandatory"
ADVISORY = "advisory"
REMEDIATED = "remediated"
PASSES = "passes"


@dataclass(frozen=True)
class Levels:
    """The intended rule's answer in each environment."""

    dev: str
    prod: str

    def __getitem__(self, env: str) -> str:
        answer: str = getattr(self, env)
        return answer


EVERYWHERE = Levels(MANDATORY, MANDATORY)
ADVICE = Levels(ADVISORY, ADVISORY)
# Hardening that costs money, and the database alarms: advice in dev only.
COSTLY = Levels(ADVISORY, MANDATORY)
REWRITTEN = Levels(REMEDIATED, REMEDIATED)
NOTHING = Levels(PASSES, PASSES)


@dataclass(frozen=True)
class Mutation:
    id: str
    rule: str
    what: str
    apply: Change
    levels: Levels = EVERYWHERE
    # The stack the change is made to: the bastion-db stack, or (for the
    # state bucket's rules) the bootstrap project's
    base: Callable[[], FixtureStack] = compliant_stack


@dataclass(frozen=True)
class UnknownCase:
    id: str
    rule: str
    what: str
    apply: Change
    # True: the rule must refuse (report at ``levels``, saying the value is
    # unknown); False: the unknown cannot hide anything and must pass.
    refused: bool
    levels: Levels = EVERYWHERE
    base: Callable[[], FixtureStack] = compliant_stack

    @property
    def expected(self) -> Levels:
        return self.levels if self.refused else NOTHING
