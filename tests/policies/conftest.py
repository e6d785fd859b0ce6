"""Fixtures of the policy suites: a running pack (from the test process's pool,
reconfigured per analysis), driven over the analyzer gRPC protocol exactly as
``pulumi preview --policy-pack`` drives it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import pytest

from offline.snapshot import ResourceSnapshot
from preflight.analyzer import AnalysisReport, PolicyPackAnalyzer
from tests.policies.answer_reuse import AnswerReusingAnalyzer
from tests.policies.pack_pool import PACKS
from tests.policies.program_stacks import PACK_DIR, PROJECT, STACK, fixture_config

Analyze = Callable[..., AnalysisReport]


@pytest.fixture(scope="session", autouse=True)
def stop_shared_packs() -> Iterator[None]:
    yield
    PACKS.close()


@pytest.fixture
def pack() -> PolicyPackAnalyzer:
    """The prod stack's pack; a test configures it before it analyzes. The
    suites analyze near-copies of one stack, so the client reuses what the
    pack answered under the same configuration (see answer_reuse)."""
    return PACKS.pack_for(AnswerReusingAnalyzer, PACK_DIR, project=PROJECT, stack=STACK)


@pytest.fixture
def analyze(pack: PolicyPackAnalyzer) -> Analyze:
    """Configures the pack (prod.json plus the fixture's SSH network unless a
    config is given) and analyzes the resources."""

    def run(
        resources: Sequence[ResourceSnapshot], config: Mapping[str, Any] | None = None
    ) -> AnalysisReport:
        pack.configure_from(dict(config) if config is not None else fixture_config())
        return pack.analyze(resources)

    return run
