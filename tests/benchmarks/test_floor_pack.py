"""The benchmark's SDK floor is a fair one: the pack's own policies, of the
same kinds and levels, taking the same policy config, and doing no work."""

from __future__ import annotations

from pathlib import Path

from benchmarks.floor_pack import make_floor_pack
from offline.runner import ProgramRun
from preflight.analyzer import PolicyPackAnalyzer
from tests.conftest import PROJECT_DIR

PACK_DIR = PROJECT_DIR / "policies"
DEV_POLICY_CONFIG = PACK_DIR / "config" / "dev.json"


def _served(pack_dir: Path, run: ProgramRun) -> tuple[list[tuple[str, str, str]], int]:
    """Each policy's (name, kind, level) and how many violations the dev stack gets."""
    with PolicyPackAnalyzer(pack_dir, stack="dev") as pack:
        pack.configure_from(DEV_POLICY_CONFIG)
        policies = [
            (policy.name, policy.policy_type, policy.enforcement_level)
            for policy in pack.info().policies
        ]
        return policies, len(pack.analyze(run.resources).violations)


def test_the_floor_serves_the_packs_policies_and_finds_nothing(
    tmp_path: Path, dev_run: ProgramRun
) -> None:
    real_policies, real_found = _served(PACK_DIR, dev_run)
    floor_policies, floor_found = _served(make_floor_pack(PACK_DIR, tmp_path), dev_run)
    assert floor_policies == real_policies
    # The dev stack has advisory findings, so "nothing" means the rules did not run.
    assert real_found > 0
    assert floor_found == 0
