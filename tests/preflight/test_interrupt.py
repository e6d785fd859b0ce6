"""Ctrl-C and SIGTERM at the moments a user hits them: during set-up, while
the program runs, while the policy pack analyzes. Each time the command exits
130 (Ctrl-C) or 143 (SIGTERM), prints one line and no traceback, and leaves
none of the processes it started running.

The processes are found by what the test started: the command's descendants
(/proc/PID/task/TID/children), listed just before the signal, since the ones
a signal orphans no longer say whose they were."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import PROJECT_DIR
from tests.policies.pack_runs import write_pack
from tests.preflight.repo_copy import copy_repository
from verify.processes import running

pytestmark = pytest.mark.skipif(
    not Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists(),
    reason="finds the command's processes through Linux's /proc/PID/task/TID/children",
)

# Far above what each moment takes to come; only a broken run waits it out.
PATIENCE = 120.0
STOPS = {
    signal.SIGINT: (130, "Ctrl-C"),
    signal.SIGTERM: (143, "SIGTERM"),
}


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A copy: its set-up lock is its own, so holding it stalls no one else.
    return copy_repository(tmp_path_factory.mktemp("interrupt") / "repo")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        # A process that has just ended takes its /proc entry with it.
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _started(pid: int) -> str | None:
    """The process's start time (stat field 22): a pid reused later differs."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[19]
    except (OSError, IndexError):
        return None


def descendants(pid: int) -> dict[int, tuple[str | None, str]]:
    """pid -> (start time, command line) of every process under ``pid``."""
    found: dict[int, tuple[str | None, str]] = {}
    todo = [pid]
    while todo:
        for child in _children(todo.pop()):
            if child not in found:
                try:
                    line = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
                except OSError:
                    continue
                found[child] = (_started(child), line.decode(errors="replace"))
                todo.append(child)
    return found


def survivors(processes: dict[int, tuple[str | None, str]]) -> list[str]:
    return [
        line
        for pid, (started, line) in processes.items()
        if started is not None and _started(pid) == started and running(pid)
    ]


def interrupt_when(
    command: list[str],
    cwd: Path,
    ready: Callable[[dict[int, tuple[str | None, str]]], bool],
    number: signal.Signals,
    env: dict[str, str] | None = None,
) -> None:
    """Runs ``command``; once ``ready(its processes)``, sends ``number`` as a
    user would (Ctrl-C: to the terminal's foreground group; SIGTERM: `kill
    PID`), then checks the exit code, the one line, and that nothing is left."""
    environment = dict(env or os.environ)
    # The test is the outermost caller here, not a script that ran pytest.
    environment.pop("BASTION_DB_INTERRUPT_OWNER", None)
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + PATIENCE
        while not ready(seen := descendants(process.pid)):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, f"never ready: {seen}"
            time.sleep(0.01)
        seen = descendants(process.pid)
        if number == signal.SIGINT:
            os.killpg(process.pid, number)
        else:
            process.send_signal(number)
        output, errors = process.communicate(timeout=PATIENCE)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    code, said = STOPS[number]
    name = Path(command[1]).stem
    assert process.returncode == code, errors
    assert errors == f"{name}: interrupted ({said}); stopped what it had started\n"
    assert output == ""
    assert survivors(seen) == []


def _with(part: str) -> Callable[[dict[int, tuple[str | None, str]]], bool]:
    return lambda processes: any(part in line for _, line in processes.values())


@pytest.fixture
def setup_locked(repository: Path) -> Iterator[None]:
    """Another set-up holds the lock: the command waits in its set-up."""
    # With nothing to sync (an earlier command here synced), set-up takes no
    # lock; without its stamp it has work again, as after a new uv.lock.
    (repository / ".setup.synced").unlink(missing_ok=True)
    with (repository / ".setup.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.mark.parametrize("number", list(STOPS), ids=["ctrl-c", "sigterm"])
@pytest.mark.parametrize("script", ["preflight.sh", "setup.sh"])
@pytest.mark.usefixtures("setup_locked")
def test_during_set_up(repository: Path, script: str, number: signal.Signals) -> None:
    command = ["bash", str(repository / "scripts" / script)]
    if script == "preflight.sh":
        command.append("dev")
    interrupt_when(command, repository, _with("fcntl.flock"), number)


@pytest.mark.parametrize("number", list(STOPS), ids=["ctrl-c", "sigterm"])
@pytest.mark.parametrize(
    "stack", [["dev"], ["state", "--project-dir", "bootstrap"]], ids=["program", "bootstrap"]
)
def test_while_the_program_runs(repository: Path, stack: list[str], number: signal.Signals) -> None:
    # The pack starts first, then the program runs while it boots.
    command = ["bash", str(repository / "scripts" / "preflight.sh"), *stack]
    interrupt_when(command, repository, _with("pulumi.policy"), number)


@pytest.mark.parametrize("number", list(STOPS), ids=["ctrl-c", "sigterm"])
def test_while_the_pack_analyzes(repository: Path, tmp_path: Path, number: signal.Signals) -> None:
    # A pack that, once asked about a resource, starts a process of its own
    # and takes its time: both must go.
    marker = tmp_path / "analyzing"
    pack = write_pack(
        tmp_path / "slow",
        "import os, subprocess, time\n"
        "from pulumi_policy import PolicyPack, ResourceValidationPolicy\n"
        "def slow(args, report):\n"
        "    subprocess.Popen(['sleep', '600'])\n"
        "    open(os.environ['SLOW_PACK_MARKER'], 'a').close()\n"
        "    time.sleep(600)\n"
        "PolicyPack('slow', [ResourceValidationPolicy('slow', 'Takes its time.', slow)])\n",
    )
    command = ["bash", str(repository / "scripts" / "preflight.sh"), "dev"]
    command += ["--policy-pack", str(pack)]
    env = {**os.environ, "SLOW_PACK_MARKER": str(marker)}
    interrupt_when(command, repository, lambda _: marker.exists(), number, env)


ADOPTING = """
import os, subprocess, sys
from preflight import interrupt
interrupt.install("preflight")
# A child that starts a process of its own and ends at once, leaving it behind.
child = ["sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $!"]
left = int(subprocess.run(child, capture_output=True, check=True).stdout)
os.kill(left, 9)
try:
    os.waitpid(left, 0)  # only a process's own children can be waited for
except ChildProcessError:
    sys.exit("not adopted")
"""


def test_what_a_child_leaves_behind_is_the_commands_own_to_end() -> None:
    # So ending a pack's group on Ctrl-C reaps what the pack started right away,
    # rather than waiting on init to reap its zombie (or, where none does, the grace).
    done = subprocess.run(
        [sys.executable, "-c", ADOPTING], cwd=PROJECT_DIR, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
