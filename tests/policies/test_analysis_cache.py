"""The pack's per-call conversion cache changes speed, never findings."""

from __future__ import annotations

import pytest

from offline.runner import ProgramRun
from tests.policies.pack_runs import analyzed


def findings(run: ProgramRun) -> list[tuple[str, str | None, str, str]]:
    report = analyzed(run)
    return sorted((v.policy_name, v.urn, v.enforcement_level, v.message) for v in report.violations)


def test_cache_gives_the_same_findings_as_the_sdk_alone(
    dev_run: ProgramRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached = findings(dev_run)
    monkeypatch.setenv("BASTION_DB_POLICY_NO_CACHE", "1")
    uncached = findings(dev_run)
    assert cached == uncached
    assert cached  # dev has advisory findings, so the comparison means something
