"""Serves a list of policies as this pack: its name, description, tags and
fallback level, and the garbage-collector settings a long analysis wants.

``__main__.py`` serves the rules; the benchmark serves the same policies with
validations that do nothing, to measure what the SDK itself costs per policy.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence

from pulumi_policy import EnforcementLevel, Policy, PolicyPack

NAME = "bastion-db-guardrails"


def serve(policies: Sequence[Policy]) -> None:
    # The pack is a server for one preview: thousands of calls, each making
    # many short-lived objects. By default the cyclic garbage collector runs
    # every 700 allocations, and its older generations walk every object the
    # imports created. Frozen, those are never walked again; collected less
    # often, the calls' own garbage is still freed by reference counting at
    # once, and cycles are still collected. (scripts/bench.sh measures it.)
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    PolicyPack(
        name=NAME,
        description=(
            "Guardrails for an SSH bastion and a private RDS database in an existing VPC: "
            "nothing public but the bastion, SSH only from allowed networks, the database port "
            "only from the bastion, everything encrypted and tagged."
        ),
        # Every rule states its own level; this is only the fallback.
        enforcement_level=EnforcementLevel.MANDATORY,
        policies=list(policies),
        display_name="Bastion and private RDS guardrails",
        provider="aws",
        tags=["aws", "rds", "ec2", "security-hub", "fsbp", "cis"],
    )
