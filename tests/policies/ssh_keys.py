"""OpenSSH public key lines of a chosen algorithm and size, for the key-strength rules."""

from __future__ import annotations

import base64


def _ssh_string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def _mpint(value: int) -> bytes:
    raw = value.to_bytes((value.bit_length() + 8) // 8, "big")  # leading zero keeps it positive
    return _ssh_string(raw)


def openssh_rsa(bits: int) -> str:
    """An OpenSSH RSA public key line whose modulus has exactly ``bits`` bits."""
    modulus = (1 << (bits - 1)) | 0xF1  # top bit set, odd
    blob = _ssh_string(b"ssh-rsa") + _mpint(65537) + _mpint(modulus)
    return f"ssh-rsa {base64.b64encode(blob).decode()} user@example"


def openssh_dss() -> str:
    blob = _ssh_string(b"ssh-dss") + b"".join(_mpint(n) for n in (0xFFF1, 0xF1, 0xF3, 0xF5))
    return f"ssh-dss {base64.b64encode(blob).decode()} user@example"


def openssh_ed25519() -> str:
    blob = _ssh_string(b"ssh-ed25519") + _ssh_string(bytes(range(32)))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} user@example"
