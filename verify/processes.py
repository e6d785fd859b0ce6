"""Ending the processes a tunnel left, and telling when they are gone, from
what verify started: the pid ssh's control socket names, or the process
group of the command verify ran. The machine's other processes are never
looked through.

"Gone" means exited, zombies included. The backgrounded (`-f`) ssh and the
Session Manager plugin once aws has exited are orphans: on Linux verify
adopts them (``adopt_orphans``: it is their child subreaper, prctl(2)), so
it reaps them itself and a gone process is soon no process at all. Adopted
or not, `kill(pid, 0)` succeeds on a zombie, which init may reap only now and
then, or never (a container started without --init): /proc/PID/stat, for
that one pid, says whether it is one (proc(5)). Elsewhere (macOS) kill is
all there is, and the system's init reaps at once.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Linux's process table; macOS has none.
_PROC = Path("/proc")

# Processes end within milliseconds of being told to: poll often, as a
# check costs a system call or two, rather than sleep a fixed time.
_POLL = 0.01

# <linux/prctl.h>
_PR_SET_CHILD_SUBREAPER = 36


def adopt_orphans() -> None:
    """Makes this process the parent of the orphans its children leave (the
    backgrounded ssh, the plugin aws started), rather than init; Linux only.
    Where it is refused, ending a group waits out the grace for a member whose
    zombie init does not reap, then goes on: slower, never wrong."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


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
    """Whether ``pid`` has not exited yet. An exited child of ours is left
    for its owner to reap (a subprocess.Popen wants its exit status)."""
    if _exited_child(pid):
        return False
    if not _exists(os.kill, pid):
        return False
    fields = _stat(pid)
    if fields is None:
        # Reaped in between, where there is a /proc; without one kill is all we know.
        return not _PROC.is_dir()
    return fields[0] != "Z"


def group_running(group: int) -> bool:
    """Whether a member of process group ``group`` has not exited yet. Its
    exited members are this process's children (verify started the group,
    and adopts its orphans), so they are reaped here, and whatever signal 0
    still reaches afterwards is alive."""
    while _reap(-group):
        pass
    return _exists(os.killpg, group)


def _exited_child(pid: int) -> bool:
    """Whether ``pid`` is a child of ours that has exited, not reaping it."""
    try:
        found = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return False
    return found is not None


def reap(pid: int) -> None:
    """Reaps ``pid`` if it is an exited child of ours: an orphan verify
    adopted and ended, which no one else will wait for."""
    _reap(pid)


def _reap(target: int) -> bool:
    """Reaps one exited child of ours: ``target`` is a pid, or minus a process
    group. False when none has exited, or none is ours."""
    try:
        pid, _ = os.waitpid(target, os.WNOHANG)
    except ChildProcessError:
        return False
    return pid != 0


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
    """This one process's /proc/PID/stat fields after the command name (state, ppid, pgrp, ...),
    or None when there is no such file. The name may hold spaces and
    parentheses, so the fields start after the last ")"."""
    try:
        return (_PROC / str(pid) / "stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
