"""Small validators shared by the settings loader. Each returns the clean value
or raises :class:`ConfigError` naming the key, the value and what is accepted."""

from __future__ import annotations

import base64
import ipaddress
import re
import struct

from bastion_db.checks.errors import ConfigError
from bastion_db.checks.model import IpNetwork

VPC_ID = re.compile(r"^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
AMI_ID = re.compile(r"^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
SUBNET_ID = re.compile(r"^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
REGION = re.compile(r"^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d$")
# What the Pulumi CLI accepts as a stack name: letters, digits, hyphens,
# underscores and periods, 1 to 100 of them (pulumi/pulumi, the diy backend's
# validateStackName, pkg/backend/diy/backend.go, and the service's rule in
# pkg/backend/httpstate validation.go: `^[A-Za-z0-9_.-]{1,100}$`). The stack
# name itself only goes into the Environment tag, whose values EC2 allows
# these characters in; physical names take NAME_PART of it.
STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
STACK_NAME_ACCEPTED = (
    "letters, digits, hyphens, underscores and periods, at most 100 (as the Pulumi CLI)"
)
# The physical-name prefix starts every physical name, the RDS instance
# identifier first: a letter, then letters, digits and hyphens, never two
# hyphens in a row nor one at the end (CreateDBInstance, DBInstanceIdentifier:
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html).
# Lower case, since RDS stores identifiers lower-cased. A name of this form
# also meets the looser rules of the other names built from it: security
# group names, IAM role name prefixes, SSM document names, KMS alias names,
# SNS topic names and CloudWatch log group names all allow lower-case
# letters, digits and hyphens (their limits on length and reserved starts are
# checked in settings/load.py).
NAME = re.compile(r"^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*[a-z0-9]$")
NAME_ACCEPTED = "lower-case letters, digits and single dashes, starting with a letter"


def name_part(stack: str) -> str:
    """The stack name as a part of NAME: lower-cased, every run of other
    characters (`_`, `.`, `-`) one hyphen, none at either end; '' when the
    name has no letter or digit. A name already of NAME's form is unchanged,
    so the physical names of existing stacks stay what they were."""
    return re.sub(r"[^a-z0-9]+", "-", stack.lower()).strip("-")


# Key types EC2 imports: RSA (of 1024, 2048 or 4096 bits) and ED25519, nothing
# else (ImportKeyPair: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ImportKeyPair.html;
# lengths: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/create-key-pairs.html).
# The policy pack wants RSA of at least 3072 bits, which leaves 4096.
EC2_RSA_BITS = (1024, 2048, 4096)
MIN_RSA_BITS = 3072


def matching(key: str, value: str, pattern: re.Pattern[str], accepted: str) -> str:
    if not pattern.fullmatch(value):
        raise ConfigError(key, value, accepted)
    return value


def in_range(key: str, value: int, low: int, high: int, unit: str = "") -> int:
    if not low <= value <= high:
        suffix = f" {unit}" if unit else ""
        raise ConfigError(key, value, f"a whole number from {low} to {high}{suffix}")
    return value


def one_of(key: str, value: str, choices: tuple[str, ...] | list[str]) -> str:
    if value not in choices:
        raise ConfigError(key, value, "one of " + ", ".join(repr(c) for c in choices))
    return value


def cidr(key: str, value: str) -> IpNetwork:
    """A network in CIDR form; a bare address means that one host (/32 or /128)."""
    try:
        return ipaddress.ip_network(value, strict=True)
    except ValueError:
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ConfigError(
                key, value, "an IPv4 or IPv6 network in CIDR form, e.g. 203.0.113.0/24"
            ) from None
        raise ConfigError(
            key, value, f"a network address without host bits, e.g. {network.with_prefixlen}"
        ) from None


def is_whole_internet(network: IpNetwork) -> bool:
    return network.prefixlen == 0


def ssh_public_key(key: str, value: str) -> str:
    """An OpenSSH public key line that EC2 imports and the policy pack accepts."""
    parts = value.split()
    accepted = (
        "an OpenSSH public key line that EC2 can import: ssh-ed25519, or ssh-rsa of "
        f"{max(EC2_RSA_BITS)} bits (EC2 takes no ECDSA or DSA keys)"
    )
    if len(parts) < 2:
        raise ConfigError(key, _shorten(value), accepted)
    key_type, body = parts[0], parts[1]
    if key_type not in ("ssh-ed25519", "ssh-rsa"):
        raise ConfigError(key, _shorten(value), accepted)
    try:
        blob = base64.b64decode(body, validate=True)
        fields = _ssh_wire_fields(blob)
    except (ValueError, struct.error):
        raise ConfigError(key, _shorten(value), accepted) from None
    if not fields or fields[0] != key_type.encode():
        raise ConfigError(key, _shorten(value), accepted)
    if key_type == "ssh-rsa":
        modulus = fields[2] if len(fields) > 2 else b""
        bits = int.from_bytes(modulus, "big").bit_length()
        if bits < MIN_RSA_BITS or bits not in EC2_RSA_BITS:
            raise ConfigError(key, f"ssh-rsa key of {bits} bits", accepted)
    return " ".join(parts[:2])


def _ssh_wire_fields(blob: bytes) -> list[bytes]:
    """Splits the SSH wire format (length-prefixed strings) of a public key."""
    fields = []
    offset = 0
    while offset < len(blob):
        (length,) = struct.unpack(">I", blob[offset : offset + 4])
        offset += 4
        if offset + length > len(blob):
            raise ValueError("truncated key")
        fields.append(blob[offset : offset + length])
        offset += length
    return fields


def _shorten(value: str) -> str:
    return value if len(value) <= 40 else value[:37] + "..."
