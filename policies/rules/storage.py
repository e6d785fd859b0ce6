"""Guardrails for S3 buckets, written for the bucket that keeps Pulumi's state
(``bootstrap/``): versioned, encrypted, closed to the public, TLS only.

pulumi-aws 7 configures a bucket through companion resources (versioning,
encryption, public access block, policy), each naming its bucket in its
``bucket`` input. So these are stack rules: each bucket is judged by the
companions that point at it, found through the ``bucket`` property dependency
first (the bucket's id is unknown until it exists) and through known ids and
names otherwise. The bucket's own deprecated inline settings are computed
outputs: unknown for a new bucket at preview and, once deployed, whatever AWS
said when the bucket was last read (often before its companions ran). So they
count only where no companion resource manages that setting.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import Severity

from .declaring import RuleSet, StackCheck, origin, policy_knob, string_list
from .resource_types import (
    S3_BUCKET_POLICY,
    S3_BUCKET_TYPES,
    S3_ENCRYPTION_TYPES,
    S3_PUBLIC_ACCESS_BLOCK,
    S3_VERSIONING_TYPES,
)
from .stack_view import Node, StackView
from .unknowns import UNKNOWN, Unknown, as_list, unknown_refusal

rules = RuleSet("storage")

PUBLIC_ACCESS_FLAGS = (
    "blockPublicAcls",
    "blockPublicPolicy",
    "ignorePublicAcls",
    "restrictPublicBuckets",
)
DEFAULT_ALGORITHMS = ("aws:kms", "aws:kms:dsse", "AES256")
# Condition operators under which aws:SecureTransport=false denies plain HTTP
# (BoolIfExists also denies when the key is absent).
SECURE_TRANSPORT_OPERATORS = ("bool", "boolifexists")


@dataclass(frozen=True)
class Companions:
    """The resources of some types that configure each bucket of the stack."""

    by_bucket: dict[str, list[Node]]
    # Companions whose bucket is unknown and untraceable: any bucket's, maybe
    untraced: list[Node]

    def of(self, bucket: Node) -> list[Node]:
        return self.by_bucket.get(bucket.urn, [])


def _companions(view: StackView, types: Sequence[str]) -> Companions:
    by_bucket: dict[str, list[Node]] = {}
    untraced: list[Node] = []
    for node in view.of_type(*types):
        # A bucket's id is its name, so a known value matches either.
        target = view.resolve(node, "bucket", S3_BUCKET_TYPES, ("id", "bucket"))
        if target.unresolved:
            untraced.append(node)
        for bucket in target.nodes:
            by_bucket.setdefault(bucket.urn, []).append(node)
    return Companions(by_bucket, untraced)


def _label(bucket: Node) -> str:
    name = bucket.props.get("bucket")
    return (
        f"bucket '{bucket.name}' ({name})" if isinstance(name, str) else f"bucket '{bucket.name}'"
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _report_absent(
    check: StackCheck,
    bucket: Node,
    companions: Companions,
    setting: str,
    claim: str,
    absent: str,
) -> None:
    """No companion manages the setting: refuse if an untraceable one might."""
    if companions.untraced:
        names = ", ".join(f"'{node.name}'" for node in companions.untraced)
        check.report(
            f"{_sentence(_label(bucket))}: "
            + unknown_refusal(
                f"The bucket that {names} configure{'s' if len(companions.untraced) == 1 else ''}",
                claim,
                f"Pass the bucket resource's id to the {setting} resource's bucket input so the "
                "dependency is recorded.",
            ),
            bucket.urn,
        )
    else:
        check.report(f"{_sentence(_label(bucket))} ({origin(None)}) {absent}", bucket.urn)


def _buckets(check: StackCheck) -> list[Node]:
    return check.view.of_type(*S3_BUCKET_TYPES)


def _inline(bucket: Node, prop: str) -> Any:
    """A deprecated inline setting of the bucket. It is a computed output, so
    a new bucket shows it unknown at preview even when the program never set
    it: unknown counts as not set (the rule then fails, it does not pass)."""
    value = bucket.props.get(prop)
    return None if value is UNKNOWN or value == "" else value


# --- versioning ------------------------------------------------------------------


@rules.stack(
    name="s3-bucket-versioning",
    description="S3 buckets are versioned, so overwritten or deleted state can be restored.",
    severity=Severity.HIGH,
    fix="Add an aws.s3.BucketVersioning for the bucket with status 'Enabled', as bootstrap/ does.",
)
def versioning(check: StackCheck) -> None:
    companions = _companions(check.view, S3_VERSIONING_TYPES)
    for bucket in _buckets(check):
        subject = _label(bucket)
        managers = companions.of(bucket)
        for manager in managers:
            configuration = manager.props.get("versioningConfiguration")
            status = (
                configuration.get("status") if isinstance(configuration, dict) else configuration
            )
            if status is UNKNOWN:
                check.report(
                    unknown_refusal(
                        f"The versioning status in '{manager.name}'",
                        f"{subject} keeps old versions",
                        "Set versioningConfiguration.status='Enabled' as a literal.",
                    ),
                    manager.urn,
                )
            elif status != "Enabled":
                check.report(
                    f"{_sentence(subject)} is not versioned ({origin(None)}): '{manager.name}' "
                    "sets the status "
                    f"to {status!r}, so an overwritten or deleted object (a stack's state) is "
                    "gone for good.",
                    manager.urn,
                )
        if managers:
            continue
        inline = _inline(bucket, "versioning")
        if not (isinstance(inline, dict) and inline.get("enabled") is True):
            _report_absent(
                check,
                bucket,
                companions,
                "BucketVersioning",
                "the bucket keeps old versions",
                "is not versioned, so an overwritten or deleted object (a stack's state) is "
                "gone for good.",
            )


# --- encryption ----------------------------------------------------------------------


def _encryption_problem(rules: list[Any] | Unknown, allowed: list[str], where: str) -> str | None:
    """Why the rules do not encrypt new objects by default (a refusal where
    an unknown decides), or None."""
    if isinstance(rules, Unknown):
        return unknown_refusal(
            f"The rules of {where}", "new objects are encrypted", "Give the rules as literals."
        )
    algorithms: list[Any] = []
    for rule in rules:
        default = rule.get("applyServerSideEncryptionByDefault") if isinstance(rule, dict) else rule
        if default is UNKNOWN:
            algorithms.append(UNKNOWN)
        elif isinstance(default, dict):
            algorithms.append(default.get("sseAlgorithm"))
    if UNKNOWN in algorithms:
        return unknown_refusal(
            f"The sseAlgorithm of {where}",
            "new objects are encrypted",
            "Set sseAlgorithm as a literal.",
        )
    if not algorithms:
        return f"{where} sets no default encryption (applyServerSideEncryptionByDefault)"
    wrong = [a for a in algorithms if a not in allowed]
    if wrong:
        return f"{where} uses sseAlgorithm {', '.join(map(repr, wrong))}"
    return None


@rules.stack(
    name="s3-bucket-encryption",
    description="S3 buckets encrypt new objects by default (SSE-KMS or SSE-S3).",
    severity=Severity.HIGH,
    fix="Add an aws.s3.BucketServerSideEncryptionConfiguration whose default sseAlgorithm is "
    "aws:kms, as bootstrap/ does.",
    config={
        "allowedAlgorithms": string_list(
            "Accepted default sseAlgorithm values.", DEFAULT_ALGORITHMS
        )
    },
)
def encryption(check: StackCheck) -> None:
    allowed = [str(a) for a in check.config.get("allowedAlgorithms") or []]
    accepted = (
        f"{policy_knob('s3-bucket-encryption', 'allowedAlgorithms')} accepts {' or '.join(allowed)}"
    )
    companions = _companions(check.view, S3_ENCRYPTION_TYPES)
    for bucket in _buckets(check):
        subject = _sentence(_label(bucket))
        managers = companions.of(bucket)
        for manager in managers:
            problem = _encryption_problem(
                as_list(manager.props.get("rules")), allowed, f"'{manager.name}'"
            )
            if problem:
                check.report(f"{subject}: {problem}; {accepted}.", manager.urn)
        if managers:
            continue
        inline = _inline(bucket, "serverSideEncryptionConfiguration")
        if inline is None:
            _report_absent(
                check,
                bucket,
                companions,
                "BucketServerSideEncryptionConfiguration",
                "new objects are encrypted",
                "has no server-side encryption configuration, so new objects are stored as "
                f"they arrive; {accepted}.",
            )
            continue
        # The inline block holds one ``rule`` (older providers: a list of ``rules``).
        rules = inline.get("rule", inline.get("rules")) if isinstance(inline, dict) else None
        problem = _encryption_problem(as_list(rules), allowed, "its inline configuration")
        if problem:
            check.report(f"{subject}: {problem}; {accepted}.", bucket.urn)


# --- public access -----------------------------------------------------------------------


@rules.stack(
    name="s3-bucket-public-access-block",
    description="S3 buckets block all public access (all four public access block flags).",
    severity=Severity.CRITICAL,
    fix="Add an aws.s3.BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, "
    "ignorePublicAcls and restrictPublicBuckets true.",
)
def public_access_block(check: StackCheck) -> None:
    companions = _companions(check.view, (S3_PUBLIC_ACCESS_BLOCK,))
    for bucket in _buckets(check):
        subject = _label(bucket)
        blocks = companions.of(bucket)
        if not blocks:
            _report_absent(
                check,
                bucket,
                companions,
                "BucketPublicAccessBlock",
                "public access is blocked",
                "has no public access block, so one policy or ACL mistake makes it public.",
            )
        for block in blocks:
            unknown = [f for f in PUBLIC_ACCESS_FLAGS if block.props.get(f) is UNKNOWN]
            off = [
                f
                for f in PUBLIC_ACCESS_FLAGS
                if f not in unknown and block.props.get(f) is not True
            ]
            if unknown:
                check.report(
                    unknown_refusal(
                        f"{', '.join(unknown)} of '{block.name}'",
                        f"all public access to {subject} is blocked",
                        "Set all four flags to the literal true.",
                    ),
                    block.urn,
                )
            if off:
                check.report(
                    f"{_sentence(subject)} ({origin(None)}): '{block.name}' leaves "
                    f"{', '.join(off)} off (unset "
                    "is false), so a public policy or ACL would take effect.",
                    block.urn,
                )


# --- TLS only ---------------------------------------------------------------------------


def _items(value: Any) -> list[Any]:
    """Policy fields take one value or a list of them."""
    return value if isinstance(value, list) else [value]


def _everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    return isinstance(principal, dict) and "*" in _items(principal.get("AWS"))


def _all_s3_actions(action: Any) -> bool:
    return any(isinstance(a, str) and a.lower() in ("s3:*", "*") for a in _items(action))


def _on_insecure_transport(condition: Any) -> bool:
    if not isinstance(condition, dict):
        return False
    for operator, keys in condition.items():
        if str(operator).lower() not in SECURE_TRANSPORT_OPERATORS or not isinstance(keys, dict):
            continue
        for key, value in keys.items():
            # Condition keys are case-insensitive.
            if str(key).lower() == "aws:securetransport" and any(
                str(v).lower() == "false" for v in _items(value)
            ):
                return True
    return False


def _covers_objects(resource: Any, bucket: Node) -> bool:
    """Does the statement reach the bucket's objects, where state files live?"""
    name = bucket.props.get("bucket")
    arn = bucket.props.get("arn")
    for entry in _items(resource):
        if entry == "*":
            return True
        if not isinstance(entry, str) or not entry.endswith("/*"):
            continue
        scope = entry[: -len("/*")]
        if isinstance(arn, str) and scope == arn:
            return True
        # Any partition's ARN of the bucket's name.
        if isinstance(name, str) and scope.startswith("arn:") and scope.endswith(f":s3:::{name}"):
            return True
        if not isinstance(arn, str) and not isinstance(name, str):
            return True  # nothing to compare with; the statement is scoped to some objects
    return False


def _denies_insecure_transport(document: Any, bucket: Node) -> bool:
    if not isinstance(document, dict):
        return False
    return any(
        isinstance(statement, dict)
        and statement.get("Effect") == "Deny"
        and _everyone(statement.get("Principal"))
        and _all_s3_actions(statement.get("Action"))
        and _covers_objects(statement.get("Resource"), bucket)
        and _on_insecure_transport(statement.get("Condition"))
        for statement in _items(document.get("Statement"))
    )


def _policy_document(value: Any) -> Any:
    """A policy arrives as JSON text (or, from some SDKs, as the object itself)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


@rules.stack(
    name="s3-bucket-tls-only",
    description="S3 bucket policies deny every request made without TLS.",
    severity=Severity.HIGH,
    fix="Add a bucket policy statement: Effect Deny, Principal '*', Action 's3:*', Resource the "
    "bucket's ARN and '<ARN>/*', Condition Bool aws:SecureTransport 'false' (bootstrap/ "
    "writes it).",
)
def tls_only(check: StackCheck) -> None:
    companions = _companions(check.view, (S3_BUCKET_POLICY,))
    for bucket in _buckets(check):
        subject = _label(bucket)
        # A bucket has one policy; with several writers the last one wins, so
        # every document that may end up on it must deny plain HTTP.
        documents: list[tuple[Node, str, Any]] = [
            (policy, f"bucket policy '{policy.name}'", policy.props.get("policy"))
            for policy in companions.of(bucket)
        ]
        if not documents and _inline(bucket, "policy") is not None:
            documents.append((bucket, "its inline policy", bucket.props.get("policy")))
        if not documents:
            _report_absent(
                check,
                bucket,
                companions,
                "BucketPolicy",
                "requests without TLS are refused",
                "has no bucket policy, so S3 also answers plain HTTP requests.",
            )
        for owner, where, text in documents:
            if text is UNKNOWN:
                check.report(
                    unknown_refusal(
                        f"The document of {where}",
                        f"{subject} refuses requests without TLS",
                        "Build the policy from values known at preview: the bucket's name from "
                        "config and the partition from aws.get_partition, not the bucket's arn "
                        "output.",
                    ),
                    owner.urn,
                )
                continue
            document = _policy_document(text)
            if document is None:
                check.report(
                    f"{_sentence(subject)} ({origin(None)}): {where} is not valid JSON.", owner.urn
                )
            elif not _denies_insecure_transport(document, bucket):
                check.report(
                    f"{_sentence(subject)} ({origin(None)}): {where} does not deny requests made "
                    "without TLS "
                    f"(aws:SecureTransport=false) on all of the bucket's objects.",
                    owner.urn,
                )
