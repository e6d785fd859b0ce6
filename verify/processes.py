"""Ending the processes a tunnel left, and telling when they are gone.

"Gone" means exited, zombies included. The backgrounded (`-f`) ssh is not
verify's child but init's, as is the Session Manager plugin once aws has
exited, and the init of a container may reap only now and then, or never (a
container started without --init): `kill(pid, 0)` succeeds on a zombie, so it
alone would wait out the whole grace period for a process long gone. On Linux
/proc/PID/stat says which state a process is in (proc(5)); elsewhere (macOS)
kill is all there is, and the system's init reaps at once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

# Linux's process table; macOS has none.
_PROC = Path("/proc")

# Processes end within milliseconds of being told to: poll often, as a
# check costs a system call or two, rather than sleep a fixed time.
_POLL = 0.01


def end_process(pid: int, grace: float = 5.0) -> None:
    """SIGTERM, then SIGKILL if it lingers; a process already gone is fine."""
    _end(os.kill, pid, running, grace)


def end_group(group: int, grace: float = 5.0) -> None:
    """SIGTERM to the whole group, then SIGKILL to what lingers."""
    _end(os.killpg, group, group_running, grace)


def _end(
    send: Callable[[int, int], None], target: int, alive: Callable[[int], bool], grace: float
) -> None:
    try:
        send(target, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while alive(target):
        if time.monotonic() >= deadline:
            with contextlib.suppress(ProcessLookupError):
                send(target, signal.SIGKILL)
            return
        time.sleep(_POLL)


def running(pid: int) -> bool:
    """Whether ``pid`` has not exited yet."""
    if not _exists(os.kill, pid):
        return False
    fields = _stat(pid)
    if fields is None:
        # Reaped in between, where there is a /proc; without one kill is all we know.
        return not _PROC.is_dir()
    return fields[0] != "Z"


def group_running(group: int) -> bool:
    """Whether a member of process group ``group`` has not exited yet."""
    if not _exists(os.killpg, group):
        return False
    if not _PROC.is_dir():
        return True
    for entry in _PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and fields[2] == str(group) and fields[0] != "Z":
                return True
    return False


def _exists(send: Callable[[int, int], None], target: int) -> bool:
    """Whether signal 0 (no signal, only the check) reaches ``target``: a
    zombie's pid still does; someone else's process exists too."""
    try:
        send(target, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat's fields after the command name (state, ppid, pgrp, ...),
    or None when there is no such file. The name may hold spaces and
    parentheses, so the fields start after the last ")"."""
    try:
        return (_PROC / str(pid) / "stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
