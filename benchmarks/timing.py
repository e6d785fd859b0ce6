"""Wall-clock measurements: repeated runs summarised as median, min and max."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from preflight import interrupt


@dataclass(frozen=True)
class Timings:
    """The wall times of repeated runs of one thing, in seconds."""

    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def minimum(self) -> float:
        return min(self.seconds)

    @property
    def maximum(self) -> float:
        return max(self.seconds)

    def summary(self) -> str:
        return (
            f"median {self.median:.3f} s (min {self.minimum:.3f}, max {self.maximum:.3f}, "
            f"{len(self.seconds)} runs)"
        )


def measure(action: Callable[[], object], runs: int) -> Timings:
    """Times ``runs`` calls of ``action``."""
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
    return Timings(tuple(seconds))


class CommandFailed(RuntimeError):
    """A timed command exited with a code it should not have."""


def run_command(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    ok_codes: Sequence[int] = (0,),
) -> subprocess.CompletedProcess[str]:
    """Runs a command to completion, capturing its output (so printing to a
    terminal never counts in its time); fails on an unexpected exit code. In a
    process group of its own, which a Ctrl-C of the benchmark ends
    (:mod:`preflight.interrupt`)."""
    with interrupt.starting_child():
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=None if env is None else dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        interrupt.end_on_interrupt(process.pid)
    with process:
        stdout, stderr = process.communicate()
    interrupt.forget(process.pid)
    completed = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    if completed.returncode not in ok_codes:
        raise CommandFailed(
            f"{' '.join(argv)} exited with {completed.returncode}:\n{completed.stderr[-2000:]}"
        )
    return completed


def time_command(
    argv: Sequence[str],
    runs: int,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    ok_codes: Sequence[int] = (0,),
) -> tuple[Timings, subprocess.CompletedProcess[str]]:
    """Times ``runs`` runs of a whole command; returns the timings and the last run."""
    seconds = []
    last: subprocess.CompletedProcess[str] | None = None
    for _ in range(max(runs, 1)):
        start = time.perf_counter()
        last = run_command(argv, cwd=cwd, env=env, ok_codes=ok_codes)
        seconds.append(time.perf_counter() - start)
    assert last is not None
    return Timings(tuple(seconds)), last


class Phases:
    """Consecutive named phases of one run: ``with phases("name"): ...``."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def __call__(self, name: str) -> _Phase:
        return _Phase(self, name)

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


class _Phase:
    def __init__(self, phases: Phases, name: str) -> None:
        self._phases = phases
        self._name = name
        self._start = 0.0

    def __enter__(self) -> None:
        self._start = time.perf_counter()

    def __exit__(self, *exc_info: object) -> None:
        elapsed = time.perf_counter() - self._start
        self._phases.seconds[self._name] = self._phases.seconds.get(self._name, 0.0) + elapsed
