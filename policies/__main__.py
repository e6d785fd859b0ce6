"""The policy pack the Pulumi CLI runs (``python -m pulumi.policy . `` in this folder).

It only assembles the pack; every rule lives in ``rules/``, one module per concern.
"""

import gc

from pulumi_policy import EnforcementLevel, PolicyPack
from rules import all_policies

policies = all_policies()

# The pack is a server for one preview: thousands of calls, each making many
# short-lived objects. By default the cyclic garbage collector runs every 700
# allocations and its older generations walk everything the imports created.
# Freezing those objects and collecting less often took about a third off the
# pack's own work on a 1,000-resource stack; reference counting still frees
# nearly everything at once, and cycles are still collected.
gc.freeze()
gc.set_threshold(10_000, 10, 10)

PolicyPack(
    name="bastion-db-guardrails",
    description=(
        "Guardrails for an SSH bastion and a private RDS database in an existing VPC: "
        "nothing public but the bastion, SSH only from allowed networks, the database port "
        "only from the bastion, everything encrypted and tagged."
    ),
    # Every rule states its own level; this is only the fallback.
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=policies,
    display_name="Bastion and private RDS guardrails",
    provider="aws",
    tags=["aws", "rds", "ec2", "security-hub", "fsbp", "cis"],
)
