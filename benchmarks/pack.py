"""The policy pack's analysis of a stack, timed with and without its start-up."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.timing import Phases, Timings
from offline.snapshot import ResourceSnapshot
from preflight.analyzer import AnalysisReport, PolicyPackAnalyzer


@dataclass(frozen=True)
class PackFigures:
    # Configure + analyze on a pack that is already running
    analysis: Timings
    # A fresh pack each run: its start-up, then configure + analyze, and both together
    start: Timings
    analysis_after_start: Timings
    with_start: Timings
    # One analysis call by call: Remediate and Analyze per resource, then AnalyzeStack
    calls: Mapping[str, float]
    report: AnalysisReport
    # How many policies of each kind ("resource", "stack") the pack has
    policy_kinds: Mapping[str, int]
    # The same policies validating nothing, start-up + configure + analyze
    floor_with_start: Timings | None = None


@dataclass(frozen=True)
class PackSetup:
    pack_dir: Path
    project: str
    stack: str
    stack_config: Mapping[str, str]
    policy_config: Path | None

    def analyzer(self) -> PolicyPackAnalyzer:
        return PolicyPackAnalyzer(
            self.pack_dir,
            project=self.project,
            stack=self.stack,
            stack_config=self.stack_config,
        )


def _configure_and_analyze(
    pack: PolicyPackAnalyzer, setup: PackSetup, snapshots: Sequence[ResourceSnapshot]
) -> tuple[float, AnalysisReport]:
    start = time.perf_counter()
    pack.configure_from(setup.policy_config)
    report = pack.analyze(snapshots)
    return time.perf_counter() - start, report


def _calls(pack: PolicyPackAnalyzer, snapshots: Sequence[ResourceSnapshot]) -> dict[str, float]:
    by_urn = {s.urn: s for s in snapshots}
    phases = Phases()
    with phases(f"Remediate x{len(snapshots)}"):
        for snapshot in snapshots:
            pack.remediate(snapshot, by_urn)
    with phases(f"Analyze x{len(snapshots)}"):
        for snapshot in snapshots:
            pack.analyze_resource(snapshot, by_urn)
    with phases("AnalyzeStack x1"):
        pack.analyze_stack(snapshots)
    return phases.seconds


def _fresh_run(setup: PackSetup, snapshots: Sequence[ResourceSnapshot]) -> tuple[float, float]:
    """A pack started for this run: (its start-up, then configure + analyze)."""
    fresh = setup.analyzer()
    try:
        start = time.perf_counter()
        fresh.start()
        started = time.perf_counter() - start
        seconds, _ = _configure_and_analyze(fresh, setup, snapshots)
        return started, seconds
    finally:
        fresh.close()


def time_pack(
    setup: PackSetup,
    snapshots: Sequence[ResourceSnapshot],
    runs: int,
    floor: PackSetup | None = None,
) -> PackFigures:
    """``floor``: the same policies validating nothing (benchmarks.floor_pack),
    started fresh in turns with the real pack, so both see the same machine."""
    analysis = []
    report: AnalysisReport | None = None
    with setup.analyzer() as pack:
        for _ in range(runs):
            seconds, report = _configure_and_analyze(pack, setup, snapshots)
            analysis.append(seconds)
        calls = _calls(pack, snapshots)
        kinds = Counter(policy.policy_type for policy in pack.info().policies)
    starts, after_start, floor_runs = [], [], []
    for _ in range(runs):
        started, seconds = _fresh_run(setup, snapshots)
        starts.append(started)
        after_start.append(seconds)
        if floor is not None:
            floor_runs.append(sum(_fresh_run(floor, snapshots)))
    if report is None:
        raise ValueError("runs must be at least 1")
    return PackFigures(
        analysis=Timings(tuple(analysis)),
        start=Timings(tuple(starts)),
        analysis_after_start=Timings(tuple(after_start)),
        with_start=Timings(tuple(s + a for s, a in zip(starts, after_start, strict=True))),
        calls=calls,
        report=report,
        policy_kinds=dict(kinds),
        floor_with_start=Timings(tuple(floor_runs)) if floor_runs else None,
    )
