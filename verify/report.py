"""The table of results: one line per step, printed as each step ends."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Literal, TextIO

Verdict = Literal["PASS", "FAIL", "SKIP"]

# The steps, in the order they run; a name is the table's first column.
STEP_DIRECT = "direct connection refused"
STEP_TUNNEL = "tunnel opens"
STEP_TLS = "client signs in with TLS"
STEP_NO_TLS = "sign-in without TLS refused"
STEP_IAM = "IAM token sign-in"
STEPS = (STEP_DIRECT, STEP_TUNNEL, STEP_TLS, STEP_NO_TLS, STEP_IAM)

_WIDTH = max(len(step) for step in STEPS)


@dataclass(frozen=True)
class StepResult:
    step: str
    verdict: Verdict
    # Why: what was tried and what came back, in one line.
    detail: str


class Table:
    """Prints each result as it comes, so a slow or interrupted run still
    shows what it proved so far."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stdout
        self.results: list[StepResult] = []
        self.interrupted = False

    def header(self, title: str) -> None:
        print(title, file=self._stream)
        print(f"{'#':<2} {'step':<{_WIDTH}}  result  detail", file=self._stream, flush=True)

    def add(self, result: StepResult) -> None:
        self.results.append(result)
        number = STEPS.index(result.step) + 1
        detail = " ".join(result.detail.split())
        line = f"{number:<2} {result.step:<{_WIDTH}}  {result.verdict:<6}  {detail}"
        print(line, file=self._stream, flush=True)

    def skip_rest(self, why: str) -> None:
        done = {result.step for result in self.results}
        for step in STEPS:
            if step not in done:
                self.add(StepResult(step, "SKIP", why))

    @property
    def failed(self) -> bool:
        return any(result.verdict == "FAIL" for result in self.results)

    def summary(self) -> str:
        counts = {
            verdict: sum(r.verdict == verdict for r in self.results)
            for verdict in ("PASS", "FAIL", "SKIP")
        }
        verdict = "INTERRUPTED" if self.interrupted else "FAIL" if self.failed else "PASS"
        return (
            f"verify: {verdict} ({counts['PASS']} passed, {counts['FAIL']} failed, "
            f"{counts['SKIP']} skipped)"
        )
