"""Running packs shared by the tests of one test process.

A pack process is started with its folder, interpreter and the stack's
environment (project, stack, organization, preview flag and stack config:
what the CLI gives it), and told the stack's tags and secret keys once, by
``ConfigureStack``. Everything a test varies after that, its policy config,
travels in ``Configure``, and the SDK's ``Configure`` replaces the whole
configuration (``test_pack_pool.py`` shows a reconfigured pack answers as a
fresh one). So a pack started the same way is reused, reconfigured before each
analysis, instead of paying a process start (imports of pulumi, grpc and the
rules) per analysis.

The pool lives in one process (an xdist worker has its own), and its packs
are stopped at the end of the session (tests/policies/conftest.py), or at
the latest when the process exits.
"""

from __future__ import annotations

import atexit
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from offline.snapshot import ResourceSnapshot
from preflight.analyzer import AnalysisReport, PolicyPackAnalyzer
from tests.policies.answer_reuse import AnswerReusingAnalyzer

LaunchKey = tuple[Any, ...]
Analyzer = TypeVar("Analyzer", bound=PolicyPackAnalyzer)
# The environment a pack inherits from the test process, which pytest changes
# for every test (the test's name); nothing in a pack reads it.
PER_TEST_VARIABLES = frozenset({"PYTEST_CURRENT_TEST"})


def launch_key(analyzer: PolicyPackAnalyzer) -> LaunchKey:
    """Everything that reaches the pack before its first ``Configure``: the
    command, folder and environment it is started with, and what
    ``ConfigureStack`` tells it; and the client class that drives it."""
    command = analyzer.command
    return (
        type(analyzer),
        command.argv,
        str(command.cwd),
        tuple(sorted((k, v) for k, v in command.env.items() if k not in PER_TEST_VARIABLES)),
        analyzer.secret_config_keys,
        tuple(sorted(analyzer.stack_tags.items())),
    )


class PackPool:
    """Running packs keyed by :func:`launch_key`."""

    def __init__(self) -> None:
        self._packs: dict[LaunchKey, PolicyPackAnalyzer] = {}
        self.started = 0

    def pack(self, pack_dir: str | Path, **options: Any) -> PolicyPackAnalyzer:
        """A running pack started as ``PolicyPackAnalyzer(pack_dir, **options)``
        would start it; the caller configures it before analyzing."""
        return self.pack_for(PolicyPackAnalyzer, pack_dir, **options)

    def pack_for(self, client: type[Analyzer], pack_dir: str | Path, **options: Any) -> Analyzer:
        """:meth:`pack`, driven by another client class."""
        wanted = client(pack_dir, **options)
        key = launch_key(wanted)
        running = self._packs.get(key)
        if running is not None and running.running:
            assert isinstance(running, client)
            return running
        if running is not None:
            running.close()
        wanted.start()
        self.started += 1
        self._packs[key] = wanted
        return wanted

    def analyze(
        self,
        pack_dir: str | Path,
        snapshots: Iterable[ResourceSnapshot],
        policy_config: str | Path | Mapping[str, Any] | None = None,
        **options: Any,
    ) -> AnalysisReport:
        """What :func:`preflight.analyzer.analyze_stack_with_pack` answers,
        on a pack from the pool, whose client reuses what the pack answered
        under the same configuration (see answer_reuse)."""
        pack = self.pack_for(AnswerReusingAnalyzer, pack_dir, **options)
        pack.configure_from(policy_config)
        return pack.analyze(snapshots)

    def close(self) -> None:
        packs, self._packs = list(self._packs.values()), {}
        for pack in packs:
            pack.close()


PACKS = PackPool()
atexit.register(PACKS.close)
