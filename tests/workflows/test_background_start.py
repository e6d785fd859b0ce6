"""A suite started with SIGINT ignored (a background job of a script) still
starts its children as a terminal would, so the packs they start stop on the
SIGINT the CLI sends and the Ctrl-C tests can interrupt what they run."""

from __future__ import annotations

import signal
import subprocess
import sys

from tests.conftest import PROJECT_DIR

# What the suite's conftest does at start-up, then what a test's child sees.
CHILD = """
import subprocess
import tests.conftest as conftest
conftest.pytest_configure(None)
probe = subprocess.run(["grep", "SigIgn", "/proc/self/status"], capture_output=True, text=True)
print(probe.stdout)
"""


def _ignored_signals(status_line: str) -> int:
    return int(status_line.split()[1], 16)


def test_children_of_a_suite_started_with_sigint_ignored_hear_sigint() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        # As bash starts an asynchronous command when job control is off.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    assert done.returncode == 0, done.stderr
    sigint_bit = 1 << (signal.SIGINT - 1)
    assert _ignored_signals(done.stdout) & sigint_bit == 0


def test_the_check_sees_an_ignored_sigint() -> None:
    """The probe itself: without the conftest's start-up, the child inherits it."""
    done = subprocess.run(
        ["grep", "SigIgn", "/proc/self/status"],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    assert _ignored_signals(done.stdout) & (1 << (signal.SIGINT - 1))
