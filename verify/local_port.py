"""The local end of the tunnel: is anything listening there?"""

from __future__ import annotations

import socket

# Both loopback addresses: `localhost` (psql's host) may resolve to either, and
# ssh -L binds both, so a local server on either one would answer in the
# tunnel's place.
LOOPBACK = ("127.0.0.1", "::1")


def answering(port: int, timeout: float = 0.5) -> list[str]:
    """The loopback addresses on which something accepts a connection on ``port``."""
    found = []
    for address in LOOPBACK:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        try:
            with socket.socket(family, socket.SOCK_STREAM) as sock:
                sock.settimeout(timeout)
                sock.connect((address, port))
        except OSError:
            continue
        found.append(address)
    return found
