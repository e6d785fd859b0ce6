"""How verify ends what a tunnel left running, and tells when it is gone:
without waiting out the grace period for a process that has exited but that
no one has reaped yet (a backgrounded ssh belongs to init, which in a
container may reap late or never)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from verify import processes
from verify.processes import end_group, end_process, group_running, running

# Well above what ending a process takes: only a process that ignores
# SIGTERM is still there when it is over (and is then killed).
GRACE = 5.0


def exited_unreaped(process: subprocess.Popen[bytes]) -> None:
    """Waits for ``process`` to exit, leaving it a zombie (WNOWAIT)."""
    os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)


@pytest.fixture
def zombie() -> Iterator[subprocess.Popen[bytes]]:
    """A child in its own process group that has exited and is not reaped."""
    process = subprocess.Popen(["true"], start_new_session=True)
    exited_unreaped(process)
    try:
        yield process
    finally:
        process.wait(GRACE)


def test_a_zombie_is_not_running(zombie: subprocess.Popen[bytes]) -> None:
    # kill(pid, 0) still succeeds on it: that alone is not proof of life.
    os.kill(zombie.pid, 0)
    assert not running(zombie.pid)
    assert not group_running(zombie.pid)


def test_ending_a_process_that_exited_unreaped_does_not_wait_the_grace(
    zombie: subprocess.Popen[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Waiting means polling: a poll here would be waiting for a process gone.
    def no_waiting(seconds: float) -> None:
        raise AssertionError(f"waited {seconds} s for a process that had exited")

    clock = SimpleNamespace(monotonic=time.monotonic, sleep=no_waiting)
    monkeypatch.setattr(processes, "time", clock)
    end_process(zombie.pid, grace=GRACE)
    end_group(zombie.pid, grace=GRACE)


def test_a_process_that_ends_on_sigterm_is_ended_by_it() -> None:
    process = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        assert running(process.pid) and group_running(process.pid)
        end_process(process.pid, grace=GRACE)
        # Ended by SIGTERM, not by the SIGKILL that follows the grace.
        assert process.wait(GRACE) == -signal.SIGTERM
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(GRACE)


def test_a_process_that_ignores_sigterm_is_killed_after_the_grace() -> None:
    ignores = "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    ignores += "print('ready', flush=True); time.sleep(60)"
    process = subprocess.Popen(
        [sys.executable, "-c", ignores], stdout=subprocess.PIPE, start_new_session=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline() == b"ready\n"
        end_group(process.pid, grace=0.2)
        assert process.wait(GRACE) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(GRACE)
