"""`python -m verify`: after `pulumi up`, proves from here that the database
is reachable only through the bastion, and then only with TLS.

Exit codes: 0 every step passed or was skipped, 1 a step failed, 2 bad input
(the outputs or the options), 130 interrupted by Ctrl-C, 143 by SIGTERM (as a
shell reports a command those signals ended). The tunnel verify opened is
closed in every case.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TextIO

from verify.clients import Client, detect_flavour
from verify.direct import probe_direct
from verify.report import STEP_NO_TLS, STEP_TLS, StepResult, Table
from verify.stack_outputs import BadInput, StackOutputs, parse_outputs
from verify.steps import iam_sign_in, master_password, no_tls_refused, tls_sign_in
from verify.tunnel import tunnel_for

EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


_STOPPING = (signal.SIGINT, signal.SIGTERM)


class Interrupted(Exception):
    """SIGTERM, handled as Ctrl-C is: stop, close the tunnel, say so."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m verify",
        description=(
            "Proves a deployed stack's access path: the database refuses a direct "
            "connection, the printed tunnel opens, the client signs in through it "
            "with TLS and not without, and (IAM authentication on) a token works. "
            "Reads `pulumi stack output --json --show-secrets` from stdin or --outputs."
        ),
        epilog=(
            "Exit codes: 0 passed, 1 a step failed, 2 bad input, 130 interrupted (Ctrl-C), "
            "143 stopped (SIGTERM)."
        ),
    )
    parser.add_argument("--outputs", type=Path, help="a file holding the outputs' JSON")
    parser.add_argument(
        "--local-port",
        type=_port,
        help="the tunnel's local port, instead of the printed one (when that one is taken)",
    )
    parser.add_argument(
        "--iam-user",
        help="the database user for the IAM token sign-in (step 5), instead of dbIamUsername",
    )
    parser.add_argument(
        "--direct-wait",
        type=_seconds,
        default=5.0,
        help="seconds to wait for a direct connection to the database (default 5)",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=30.0,
        help="seconds each other step may take (default 30)",
    )
    return parser


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (0-600]")
    return value


def _read_outputs(path: Path | None, stdin: TextIO) -> StackOutputs:
    if path is not None:
        try:
            text = path.read_text()
        except OSError as error:
            raise BadInput(f"--outputs {path}: {error.strerror}") from None
    elif stdin.isatty():
        raise BadInput(
            "no outputs: pipe in `pulumi stack output --json --show-secrets`, or pass --outputs"
        )
    else:
        text = stdin.read()
    return parse_outputs(text)


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None) -> int:
    arguments = _parser().parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _raise_interrupted)
    try:
        return _main(arguments, stdin or sys.stdin)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _main(arguments: argparse.Namespace, stdin: TextIO) -> int:
    try:
        outputs = _read_outputs(arguments.outputs, stdin)
    except BadInput as error:
        print(f"verify: bad input: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (KeyboardInterrupt, Interrupted) as stop:
        # While waiting for the outputs: nothing was opened yet.
        print("verify: interrupted", file=sys.stderr)
        return EXIT_TERMINATED if isinstance(stop, Interrupted) else EXIT_INTERRUPTED
    workdir = Path(tempfile.mkdtemp(prefix="verify-"))
    try:
        return _verify(outputs, arguments, workdir)
    except BadInput as error:
        print(f"verify: bad input: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _raise_interrupted(number: int, frame: FrameType | None) -> None:
    raise Interrupted


def _verify(outputs: StackOutputs, arguments: argparse.Namespace, workdir: Path) -> int:
    # Built before anything runs, so a malformed command is bad input (exit 2).
    tunnel = tunnel_for(outputs, workdir, arguments.local_port)
    table = Table()
    table.header(
        f"verify: {outputs.engine} at {outputs.db_host}:{outputs.db_port}, "
        f"through {outputs.mode} (local port {tunnel.local_port})"
    )
    try:
        table.add(probe_direct(outputs.db_host, outputs.db_port, arguments.direct_wait))
        opened = tunnel.open(arguments.timeout)
        table.add(opened)
        if opened.verdict != "PASS":
            table.skip_rest("no tunnel")
        else:
            _sign_ins(table, outputs, arguments, workdir, tunnel.local_port)
    except (KeyboardInterrupt, Interrupted) as stop:
        table.interrupted = True
        table.skip_rest("interrupted")
        print("verify: interrupted; closing the tunnel", file=sys.stderr)
        return EXIT_TERMINATED if isinstance(stop, Interrupted) else EXIT_INTERRUPTED
    finally:
        # A second Ctrl-C (or SIGTERM) must not leave the tunnel open either.
        handlers = {number: signal.signal(number, signal.SIG_IGN) for number in _STOPPING}
        try:
            tunnel.close()
        finally:
            for number, handler in handlers.items():
                signal.signal(number, handler)
        print(table.summary())
    return EXIT_FAILED if table.failed else EXIT_PASSED


def _sign_ins(
    table: Table,
    outputs: StackOutputs,
    arguments: argparse.Namespace,
    workdir: Path,
    local_port: int,
) -> None:
    flavour, about = detect_flavour(outputs)
    if flavour is None:
        table.add(StepResult(STEP_TLS, "FAIL", about))
        table.skip_rest("no database client")
        return
    client = Client(flavour, outputs, local_port, workdir, arguments.timeout)
    password, problem = master_password(outputs, arguments.timeout)
    if password is None:
        table.add(StepResult(STEP_TLS, "FAIL", f"no master password: {problem}"))
        table.add(StepResult(STEP_NO_TLS, "SKIP", "no master password"))
    else:
        signed_in = tls_sign_in(client, password)
        table.add(signed_in)
        if signed_in.verdict == "PASS":
            table.add(no_tls_refused(client, password))
        else:
            # A refusal then would prove nothing: it might be the same fault.
            table.add(StepResult(STEP_NO_TLS, "SKIP", "the sign-in with TLS did not work"))
    table.add(iam_sign_in(client, arguments.iam_user, arguments.timeout))
