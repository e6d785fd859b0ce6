"""Guardrails for SSH keys: the generated TLS key and the EC2 key pair."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import Severity

from .declaring import (
    ResourceCheck,
    RuleSet,
    StackCheck,
    origin,
    policy_knob,
    stack_key,
    string_list,
)
from .resource_types import KEY_PAIR, TLS_PRIVATE_KEY
from .unknowns import UNKNOWN, as_int, unknown_refusal

rules = RuleSet("keys")
ALGORITHM_KEY = "sshKeyAlgorithm"
STRONG = "ED25519 or RSA 4096"

# The TLS provider's defaults when the program leaves them out.
TLS_DEFAULT_RSA_BITS = 2048
TLS_DEFAULT_ECDSA_CURVE = "P224"

KEY_STRENGTH_CONFIG = {
    "minimumRsaBits": {
        "type": "integer",
        "minimum": 2048,
        "description": "Smallest accepted RSA modulus.",
        "default": 3072,
    },
    "allowedEcdsaCurves": string_list("Accepted ECDSA curves.", ["P256", "P384", "P521"]),
}


@dataclass(frozen=True)
class KeyFacts:
    algorithm: str
    rsa_bits: int | None = None
    curve: str | None = None


def key_problems(facts: KeyFacts, config: dict[str, Any], subject: str, rule: str) -> list[str]:
    """Why a key of this algorithm and size is not accepted (empty if it is);
    ``rule`` owns the knobs that set the limits."""
    minimum = as_int(config.get("minimumRsaBits")) or 3072
    curves = [str(c) for c in config.get("allowedEcdsaCurves") or []]
    algorithm = facts.algorithm.upper()
    if algorithm == "RSA":
        if facts.rsa_bits is None or facts.rsa_bits < minimum:  # type: ignore[operator]
            return [
                f"{subject} is RSA with {facts.rsa_bits} bits; "
                f"{policy_knob(rule, 'minimumRsaBits')} asks for at least {minimum} "
                "(NIST deprecates 2048-bit RSA after 2030)."
            ]
        return []
    if algorithm in ("DSA", "SSH-DSS"):
        return [f"{subject} is DSA, which OpenSSH no longer accepts and which is broken."]
    if algorithm == "ECDSA":
        if facts.curve not in curves:
            return [
                f"{subject} is ECDSA on curve {facts.curve}, not one of "
                f"{policy_knob(rule, 'allowedEcdsaCurves')} ({', '.join(curves)})."
            ]
        return []
    if algorithm in ("ED25519", "SK-ED25519", "SK-ECDSA"):
        return []
    return [f"{subject} uses algorithm {facts.algorithm}, which is not accepted."]


def tls_key_facts(props: Mapping[str, Any]) -> KeyFacts | str:
    """The key's algorithm and size, or the name of the property that is unknown."""
    algorithm = props.get("algorithm")
    if algorithm is UNKNOWN:
        return "algorithm"
    algorithm = str(algorithm or "")
    if algorithm.upper() == "RSA":
        bits = props.get("rsaBits")
        if bits is UNKNOWN:
            return "rsaBits"
        value = as_int(bits)
        return KeyFacts("RSA", rsa_bits=TLS_DEFAULT_RSA_BITS if value is None else int(value))  # type: ignore[arg-type]
    if algorithm.upper() == "ECDSA":
        curve = props.get("ecdsaCurve")
        if curve is UNKNOWN:
            return "ecdsaCurve"
        return KeyFacts("ECDSA", curve=str(curve or TLS_DEFAULT_ECDSA_CURVE).upper())
    return KeyFacts(algorithm)


def _read_string(blob: bytes, offset: int) -> tuple[bytes, int]:
    if offset + 4 > len(blob):
        raise ValueError("truncated key")
    length = int.from_bytes(blob[offset : offset + 4], "big")
    end = offset + 4 + length
    if end > len(blob):
        raise ValueError("truncated key")
    return blob[offset + 4 : end], end


def openssh_key_facts(text: str) -> KeyFacts | None:
    """Algorithm and size of an OpenSSH public key line (``ssh-rsa AAAA... comment``)."""
    fields = text.strip().split()
    if len(fields) < 2:
        return None
    try:
        blob = base64.b64decode(fields[1], validate=True)
        kind, offset = _read_string(blob, 0)
        name = kind.decode("ascii")
        if name != fields[0]:
            return None
        if name == "ssh-rsa":
            _exponent, offset = _read_string(blob, offset)
            modulus, _ = _read_string(blob, offset)
            return KeyFacts("RSA", rsa_bits=int.from_bytes(modulus, "big").bit_length())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if name == "ssh-dss":
        return KeyFacts("DSA")
    if name.startswith("ecdsa-sha2-nistp"):
        return KeyFacts("ECDSA", curve="P" + name.removeprefix("ecdsa-sha2-nistp"))
    if name == "ssh-ed25519":
        return KeyFacts("ED25519")
    if name.startswith("sk-ssh-ed25519"):
        return KeyFacts("SK-ED25519")
    if name.startswith("sk-ecdsa"):
        return KeyFacts("SK-ECDSA")
    return KeyFacts(name)


@rules.resource(
    name="tls-key-strength",
    url="https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-key-pairs.html",
    description=(
        "Generated private keys are ED25519, ECDSA P-256+ or RSA of at least 3072 bits; never DSA."
    ),
    severity=Severity.HIGH,
    fix=f"Generate the key as {STRONG}.",
    types=(TLS_PRIVATE_KEY,),
    config=dict(KEY_STRENGTH_CONFIG),
)
def tls_key_strength(check: ResourceCheck) -> None:
    facts = tls_key_facts(check.props)
    if isinstance(facts, str):
        check.report(
            unknown_refusal(facts, "the key is strong enough", f"Set {facts} as a literal.")
        )
        return
    subject = f"Private key '{check.name}' ({origin(stack_key(ALGORITHM_KEY))})"
    for problem in key_problems(facts, check.config, subject, "tls-key-strength"):
        check.report(problem)


@rules.stack(
    name="ec2-key-pair-strength",
    url="https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-key-pairs.html",
    description="EC2 key pairs hold strong public keys (judged by the key that made them).",
    severity=Severity.HIGH,
    fix=(f"Give the key pair an {STRONG} public key (generated, or your own)."),
    config=dict(KEY_STRENGTH_CONFIG),
)
def key_pair_strength(check: StackCheck) -> None:
    view = check.view
    rule = "ec2-key-pair-strength"
    for pair in view.of_type(KEY_PAIR):
        sources = view.resolve(pair, "publicKey", (TLS_PRIVATE_KEY,), ("publicKeyOpenssh",))
        public_key = pair.props.get("publicKey")
        judged = False
        for key in sources.nodes:
            judged = True
            facts = tls_key_facts(key.props)
            if isinstance(facts, str):
                check.report(
                    unknown_refusal(
                        f"{facts} of private key '{key.name}'",
                        f"key pair '{pair.name}' is strong enough",
                        f"Set {facts} as a literal.",
                    ),
                    pair.urn,
                )
                continue
            subject = (
                f"Key pair '{pair.name}' (from '{key.name}', {origin(stack_key(ALGORITHM_KEY))})"
            )
            for problem in key_problems(facts, check.config, subject, rule):
                check.report(problem, pair.urn)
        if isinstance(public_key, str):
            facts_or_none = openssh_key_facts(public_key)
            if facts_or_none is not None:
                judged = True
                subject = f"Key pair '{pair.name}' ({origin(stack_key('sshPublicKey'))})"
                for problem in key_problems(facts_or_none, check.config, subject, rule):
                    check.report(problem, pair.urn)
        if judged:
            continue
        if public_key is UNKNOWN:
            check.report(
                unknown_refusal(
                    f"The public key of key pair '{pair.name}'",
                    "the key is strong enough",
                    "Generate it with tls.PrivateKey in this stack (so the dependency is recorded) "
                    "or give the OpenSSH public key as a literal.",
                ),
                pair.urn,
            )
        else:
            check.report(
                f"The public key of key pair '{pair.name}' ({origin(stack_key('sshPublicKey'))}) "
                "is not an OpenSSH public key this check can read, so its strength cannot be "
                "shown.",
                pair.urn,
            )
