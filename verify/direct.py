"""Step 1: the database endpoint must not accept a TCP connection from here."""

from __future__ import annotations

import errno
import socket
import threading

from verify.report import STEP_DIRECT, StepResult


def probe_direct(host: str, port: int, wait: float) -> StepResult:
    """PASS when no address of ``host`` accepts a connection on ``port`` within
    ``wait`` seconds (refused, unreachable, silently dropped, or not even
    resolvable from here); FAIL when one does."""
    addresses, resolve_error = _resolve(host, port, wait)
    if resolve_error is not None:
        return StepResult(STEP_DIRECT, "PASS", f"{host} does not resolve here ({resolve_error})")
    outcomes = []
    for address in addresses:
        accepted, outcome = _connect(address, port, wait)
        named = host if address == host else f"{host} ({address})"
        if accepted:
            return StepResult(
                STEP_DIRECT,
                "FAIL",
                f"{named} port {port} accepted a TCP connection directly from "
                "here; it must be reachable only through the bastion (security group, "
                "publiclyAccessible, routes)",
            )
        outcomes.append(outcome if address == host else f"{address}: {outcome}")
    return StepResult(
        STEP_DIRECT, "PASS", f"{host} port {port} not reachable: " + "; ".join(outcomes)
    )


def _resolve(host: str, port: int, wait: float) -> tuple[list[str], str | None]:
    """getaddrinfo has no timeout of its own: run it aside and stop waiting."""
    found: list[str] = []
    problem: list[str] = []

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as error:
            problem.append(str(error))
            return
        for info in infos:
            address = str(info[4][0])
            if address not in found:
                found.append(address)

    worker = threading.Thread(target=lookup, daemon=True)
    worker.start()
    worker.join(wait)
    if worker.is_alive():
        return [], f"no answer from DNS within {wait:g}s"
    if problem:
        return [], problem[0]
    return found, None


def _connect(address: str, port: int, wait: float) -> tuple[bool, str]:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(wait)
        try:
            sock.connect((address, port))
        except TimeoutError:
            return False, f"no answer within {wait:g}s"
        except OSError as error:
            name = errno.errorcode.get(error.errno or 0, "error")
            return False, f"{name} ({error.strerror})"
    return True, "accepted"
