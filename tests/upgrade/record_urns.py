"""Writes the URNs a run of the stack program registers, per recorded case.

Run once on the commit before a change that moves resources (``python -m
tests.upgrade.record_urns``): tests/upgrade/test_urns_kept.py then holds every
later run to them, so an existing stack sees no replace and no delete.
"""

from __future__ import annotations

import json
from pathlib import Path

FIXTURE = Path(__file__).with_name("recorded_urns.json")

# Each stack file, and the options that add the resources neither of them has.
CASES: dict[str, tuple[str, dict[str, str]]] = {
    "dev": ("dev", {}),
    "prod": ("prod", {}),
    "prod-endpoints-keys-preferences": (
        "prod",
        {
            "ssmVpcEndpoints": "create",
            "ssmManageSessionPreferences": "true",
            "dbStorageKmsKey": "customer-managed",
            "dbPerformanceInsightsKmsKey": "customer-managed",
            "dbMasterSecretKmsKey": "customer-managed",
        },
    ),
}


def record() -> dict[str, list[str]]:
    """The URNs the engine would give each resource, per case (the stack
    resource itself left out)."""
    from tests.upgrade.test_urns_kept import engine_urns, run_recording_aliases

    recorded = {}
    for case, (stack, overrides) in CASES.items():
        registrations = run_recording_aliases(stack, overrides)
        engine = engine_urns(registrations, stack, "bastion-db")
        recorded[case] = sorted(
            urn for urn in engine.values() if "::pulumi:pulumi:Stack::" not in urn
        )
    return recorded


if __name__ == "__main__":
    FIXTURE.write_text(json.dumps(record(), indent=1) + "\n")
