"""The pack knows read replicas: a replica is judged like the primary (private,
encrypted, monitored, in private subnets), and spared only what RDS rules out
for a replica (a final snapshot, its own key, automated backups, a password)."""

from __future__ import annotations

import pytest

from offline.fake_aws import lab_world
from offline.program import load_program
from offline.runner import run_program
from preflight.analyzer import AnalysisReport
from tests.conftest import PROJECT_DIR, stack_config
from tests.policies.pack_pool import PACKS
from tests.policies.program_stacks import PACK_DIR, FixtureStack

REPLICA = "database-replica-1"
OVERRIDES = {"dbReadReplicas": "1"}


@pytest.fixture(scope="module")
def replica_stack() -> FixtureStack:
    run = run_program(
        load_program(PROJECT_DIR),
        project="bastion-db",
        stack="dev",
        config=stack_config("dev", **OVERRIDES),
        world=lab_world(),
    )
    return FixtureStack.from_run(run)


def analyzed(stack: FixtureStack) -> AnalysisReport:
    return PACKS.analyze(
        PACK_DIR,
        stack.resources(),
        PACK_DIR / "config" / "dev.json",
        project="bastion-db",
        stack="dev",
        stack_config=stack_config("dev", **OVERRIDES),
    )


def findings_on(report: AnalysisReport, urn: str) -> dict[str, str]:
    return {v.policy_name: v.finding for v in report.violations if v.urn == urn}


def test_the_programs_replica_passes_what_the_primary_passes(replica_stack: FixtureStack) -> None:
    report = analyzed(replica_stack)
    assert [(v.policy_name, v.finding) for v in report.mandatory] == []
    on_replica = findings_on(report, replica_stack.urn(REPLICA))
    for spared in (
        "rds-final-snapshot",
        "rds-backup-retention",
        "rds-managed-master-password",
        "rds-subnet-group-private",
        "rds-storage-encrypted",
        "rds-no-public-access",
    ):
        assert spared not in on_replica, on_replica[spared]
    # What dev's primary is told (advisory), its replica is told too.
    on_primary = findings_on(report, replica_stack.urn("db"))
    assert {"rds-multi-az", "rds-deletion-protection"} <= set(on_primary) & set(on_replica)


def test_a_public_replica_is_refused(replica_stack: FixtureStack) -> None:
    stack = FixtureStack(dict(replica_stack.snapshots))
    stack.set(REPLICA, publiclyAccessible=True)
    assert "rds-no-public-access" in findings_on(analyzed(stack), stack.urn(REPLICA))


def test_a_replica_must_say_its_storage_is_encrypted(replica_stack: FixtureStack) -> None:
    stack = FixtureStack(dict(replica_stack.snapshots))
    stack.set(REPLICA, storageEncrypted=False)
    finding = findings_on(analyzed(stack), stack.urn(REPLICA))["rds-storage-encrypted"]
    assert "storageEncrypted" in finding


def test_a_replica_without_its_own_alarms_is_reported(replica_stack: FixtureStack) -> None:
    stack = FixtureStack(dict(replica_stack.snapshots))
    for key in list(stack.snapshots):
        if key.startswith("replica-alarms-replica-1-"):
            stack.remove(key)
    report = analyzed(stack)
    alarms = [v.finding for v in report.violations if v.policy_name == "database-alarms"]
    assert alarms and all("bastion-db-dev-replica-1" in f for f in alarms), alarms
    assert any("CPUUtilization" in f for f in alarms)


def test_a_replica_whose_source_is_unknown_cannot_be_placed(replica_stack: FixtureStack) -> None:
    stack = FixtureStack(dict(replica_stack.snapshots))
    stack.set(REPLICA, replicateSourceDb="some-other-db")
    stack.drop_dependency(REPLICA, "replicateSourceDb")
    finding = findings_on(analyzed(stack), stack.urn(REPLICA))["rds-subnet-group-private"]
    assert "source database of replica" in finding
