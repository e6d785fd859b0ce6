"""The processes a test run started, found from the run itself, never by
looking through the machine's process table: another run's tunnels and
servers are neither counted nor ended.

The run becomes a child subreaper (prctl(2), PR_SET_CHILD_SUBREAPER): a
process its children leave behind when they exit, as `ssh -f` does when it
backgrounds the tunnel (daemon(3) forks and the parent exits), is re-parented
to the run instead of to init. So everything the run started stays its
descendant, and /proc/PID/task/TID/children (proc(5)) lists each level.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from verify.processes import end_process

# <linux/prctl.h>
_PR_SET_CHILD_SUBREAPER = 36

# What a tunnel and the bastion's side of it run as (comm, proc(5)); sshd
# names a session's process sshd-session from OpenSSH 9.8.
TUNNEL_NAMES = frozenset({"ssh"})
SSH_NAMES = frozenset({"ssh", "sshd", "sshd-session"})


def become_subreaper(on: bool = True) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(error)}")


@dataclass(frozen=True)
class Process:
    pid: int
    parent: int
    # The command's name (comm), which a zombie keeps, unlike its command line.
    name: str
    # R, S, D, Z...: a Z has exited and waits for its parent to reap it.
    state: str

    @property
    def exited(self) -> bool:
        return self.state == "Z"

    def in_network_namespace(self, namespace_inodes: set[int]) -> bool:
        """Whether it runs in one of these network namespaces (a zombie runs in none)."""
        try:
            return os.stat(f"/proc/{self.pid}/ns/net").st_ino in namespace_inodes
        except OSError:
            return False


def _process(pid: int) -> Process | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The name is in parentheses and may hold spaces and parentheses itself.
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    state, parent = stat[stat.rindex(")") + 1 :].split()[:2]
    return Process(pid, int(parent), name, state)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    # Each thread has its own children: a child belongs to the thread that made it.
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                found += [int(child) for child in (task / "children").read_text().split()]
    return found


def descendants(root: int | None = None) -> list[Process]:
    """Every process below ``root`` (this one by default), children first."""
    found: list[Process] = []
    pending = [os.getpid() if root is None else root]
    while pending:
        for child in _children(pending.pop(0)):
            process = _process(child)
            if process is not None:
                found.append(process)
                pending.append(child)
    return found


def reap(names: Iterable[str]) -> None:
    """Reaps this process's exited children with these names: tunnels and
    bastion sessions that were re-parented here. Only those, so that no
    subprocess.Popen of this run loses its exit status to us."""
    wanted = set(names)
    me = os.getpid()
    for process in descendants():
        if process.parent == me and process.exited and process.name in wanted:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(process.pid, os.WNOHANG)


def tunnels_left() -> list[Process]:
    """The ssh processes this run started, directly or through verify, that
    are still running."""
    reap(TUNNEL_NAMES)
    return [
        process for process in descendants() if process.name in TUNNEL_NAMES and not process.exited
    ]


def end_in_namespaces(namespace_inodes: set[int], grace: float = 10.0) -> None:
    """Ends what this run started that still runs in these network namespaces
    (a tunnel, a bastion session, a verify left behind when killed)."""
    for process in descendants():
        if process.in_network_namespace(namespace_inodes):
            end_process(process.pid, grace)
    reap(SSH_NAMES)
