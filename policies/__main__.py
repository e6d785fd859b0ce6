"""The policy pack the Pulumi CLI runs (``python -m pulumi.policy . `` in this folder).

It only assembles the pack; every rule lives in ``rules/``, one module per concern.
"""

from analysis_cache import install as install_analysis_cache
from pulumi_policy import EnforcementLevel, PolicyPack
from rules import all_policies

# The SDK converts each resource once per policy; convert it once per call.
install_analysis_cache()

PolicyPack(
    name="bastion-db-guardrails",
    description=(
        "Guardrails for an SSH bastion and a private RDS database in an existing VPC: "
        "nothing public but the bastion, SSH only from allowed networks, the database port "
        "only from the bastion, everything encrypted and tagged."
    ),
    # Every rule states its own level; this is only the fallback.
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=all_policies(),
)
