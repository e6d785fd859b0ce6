"""Ctrl-C and SIGTERM for a one-shot command (the preflight, the benchmark):
end the process groups it started, print one line, exit 130 or 143.

The handler does all of it and leaves with ``os._exit``, rather than raising
KeyboardInterrupt into whatever the program was doing: an exception there
would unwind through half-finished imports (a module that lost its attributes
reads later as a configuration error), asyncio's loop and the threads that
read a pack's output, each with its own traceback. Nothing the program holds
needs an orderly goodbye: its children are ended here, and the only file it
writes (``--export``) is one that the next run writes again.

The children must be in process groups of their own (``start_new_session``):
a Ctrl-C at a terminal then reaches only this process, which decides, and
ending a group also ends what the child started (a Node pack's workers).

When a script started this command (scripts/interrupt.sh), the script prints
the line and this process stays quiet: the outermost script sets
BASTION_DB_INTERRUPT_OWNER to its own pid, which is not this one.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from types import FrameType

from verify.processes import adopt_orphans, end_group

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it
EXIT_TERMINATED = 143  # 128 + SIGTERM
OWNER_VARIABLE = "BASTION_DB_INTERRUPT_OWNER"
# Long enough for a pack to stop on SIGTERM on a busy machine; the ones that
# do not are killed.
GRACE_SECONDS = 5.0

_SIGNALS = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM"}
_groups: set[int] = set()
_command = ""
# While a child is being started: the signal that came meanwhile, if any.
_deferring = False
_pending: int | None = None


def install(command: str) -> None:
    """From now on Ctrl-C and SIGTERM stop ``command`` as the module says."""
    global _command
    _command = command
    # What a child started and left behind when it ended (a pack's own
    # subprocess) is reparented to this command, not to init: ending the
    # child's group then reaps it here at once, instead of waiting until init
    # gets round to its zombie (seconds; never, in a container without an
    # init), which kept a Ctrl-C waiting out the grace.
    adopt_orphans()
    for number in _SIGNALS:
        signal.signal(number, _stop)


@contextlib.contextmanager
def starting_child() -> Iterator[None]:
    """Around starting a child and :func:`end_on_interrupt`: a signal that
    comes in between waits for the child to be known, and then ends it too.
    (Blocking the signals instead would block them in the child as well.)"""
    global _deferring
    _deferring = True
    try:
        yield
    finally:
        _deferring = False
        if _pending is not None:
            _stop(_pending, None)


def end_on_interrupt(group: int) -> None:
    """Ends process group ``group`` (a child started with
    ``start_new_session``) if this command is interrupted."""
    _groups.add(group)


def forget(group: int) -> None:
    """``group`` has been ended by its owner."""
    _groups.discard(group)


def _stop(number: int, frame: FrameType | None) -> None:
    global _pending
    if _deferring:
        _pending = number
        return
    # A second Ctrl-C must not cut the clean-up short.
    for each in _SIGNALS:
        signal.signal(each, signal.SIG_IGN)
    for group in list(_groups):
        end_group(group, GRACE_SECONDS)
    owner = os.environ.get(OWNER_VARIABLE)
    if owner is None or owner == str(os.getpid()):
        line = f"{_command}: interrupted ({_SIGNALS[signal.Signals(number)]}); "
        line += "stopped what it had started\n"
        # os.write, not print: the signal may have come in the middle of a
        # print, and sys.stderr's buffer does not take a call from within one.
        os.write(sys.stderr.fileno(), line.encode())
    os._exit(EXIT_INTERRUPTED if number == signal.SIGINT else EXIT_TERMINATED)
