"""Writes the URNs a run of the stack program registers, per recorded case.

Run once before a change that moves resources (``python -m
tests.upgrade.record_urns``): tests/upgrade/test_urns_kept.py then holds every
later run to them, so an existing stack sees no replace and no delete.
"""

from __future__ import annotations

import json
from pathlib import Path

from offline.fake_aws import lab_world
from offline.program import load_program
from offline.runner import run_program
from tests.conftest import PROJECT_DIR, stack_config

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
    program = load_program(PROJECT_DIR)
    recorded = {}
    for case, (stack, overrides) in CASES.items():
        run = run_program(
            program,
            project="bastion-db",
            stack=stack,
            config=stack_config(stack, **overrides),
            world=lab_world(),
        )
        recorded[case] = sorted(resource.urn for resource in run.resources)
    return recorded


if __name__ == "__main__":
    FIXTURE.write_text(json.dumps(record(), indent=1) + "\n")
