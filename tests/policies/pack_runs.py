"""Running packs in tests: a real stack's program run analyzed by the pack with
the stack's own config, and a throwaway pack written to a folder."""

from __future__ import annotations

from pathlib import Path

from offline.runner import ProgramRun
from preflight.analyzer import AnalysisReport, analyze_stack_with_pack
from tests.conftest import stack_config
from tests.policies.pack_pool import PACKS
from tests.policies.program_stacks import PACK_DIR


def analyzed(run: ProgramRun, pack_dir: Path = PACK_DIR) -> AnalysisReport:
    """The run analyzed by the pack in ``pack_dir`` with the repository's
    policy config for the run's stack. The repository's pack comes from the
    test process's pool; any other folder (a copy installed on its own) is
    started for this analysis alone, so no pack outlives the folder."""
    analyze = PACKS.analyze if pack_dir == PACK_DIR else analyze_stack_with_pack
    return analyze(
        pack_dir,
        run.resources,
        PACK_DIR / "config" / f"{run.stack}.json",
        project=run.project,
        stack=run.stack,
        stack_config=stack_config(run.stack),
    )


def write_pack(folder: Path, main: str) -> Path:
    """A minimal Python policy pack in ``folder`` whose ``__main__.py`` is ``main``."""
    folder.mkdir()
    (folder / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.1.0\n")
    (folder / "__main__.py").write_text(main)
    return folder
