"""A real stack's program run, analyzed by the pack with the stack's own config."""

from __future__ import annotations

from offline.runner import ProgramRun
from preflight.analyzer import AnalysisReport, analyze_stack_with_pack
from tests.conftest import stack_config
from tests.policies.stack_fixture import PACK_DIR


def analyzed(run: ProgramRun) -> AnalysisReport:
    return analyze_stack_with_pack(
        PACK_DIR,
        run.resources,
        PACK_DIR / "config" / f"{run.stack}.json",
        project=run.project,
        stack=run.stack,
        stack_config=stack_config(run.stack),
    )
