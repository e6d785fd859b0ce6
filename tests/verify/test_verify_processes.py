"""How verify ends what a tunnel left running, and tells when it is gone:
without waiting for a process that has exited but that no one has reaped yet
(a backgrounded ssh left to init, which in a container may reap late or
never), and from what it started, so that it adopts and reaps the orphans
its tunnels leave."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest

from tests.conftest import PROJECT_DIR
from verify import processes
from verify.processes import end_group, end_process, group_running, running

# Well above what ending a process takes: only a bounded wait, never a budget.
GRACE = 5.0


@pytest.fixture
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any wait for a process to end fails the test: it was gone already."""

    def waited(seconds: float) -> None:
        raise AssertionError(f"waited {seconds}s for a process that had exited")

    monkeypatch.setattr(processes.time, "sleep", waited)


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


def test_ending_a_process_that_exited_unreaped_does_not_wait(
    zombie: subprocess.Popen[bytes], no_waiting: None
) -> None:
    end_process(zombie.pid, grace=GRACE)
    end_group(zombie.pid, grace=GRACE)
    assert not running(zombie.pid)


def test_a_process_that_ends_on_sigterm_is_ended_by_it() -> None:
    process = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        assert running(process.pid) and group_running(process.pid)
        end_process(process.pid, grace=GRACE)
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


# As `python -m verify` starts: orphans adopted. The child backgrounds a
# sleep the way `ssh -f` backgrounds a tunnel (its parent exits), then ends it.
ORPHAN_OF_VERIFY = textwrap.dedent(
    """
    import os, subprocess, sys
    from verify.processes import adopt_orphans, end_process, reap, running

    adopt_orphans()
    backgrounded = subprocess.run(
        ["sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $!"], capture_output=True, text=True
    )
    orphan = int(backgrounded.stdout)
    with open(f"/proc/{orphan}/stat") as stat:
        parent = int(stat.read().rpartition(")")[2].split()[1])
    print(parent == os.getpid(), flush=True)
    end_process(orphan)
    reap(orphan)
    print(running(orphan), os.path.exists(f"/proc/{orphan}"))
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="child subreapers are Linux's")
def test_verify_adopts_the_orphan_a_tunnel_leaves_and_reaps_it() -> None:
    finished = subprocess.run(
        [sys.executable, "-c", ORPHAN_OF_VERIFY],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    found, ended = finished.stdout.splitlines()
    adopted = found
    # verify's own child, not init's: ended by its pid and reaped by verify,
    # so no zombie is left for an init that may never reap it.
    assert adopted == "True"
    assert ended == "False False"
