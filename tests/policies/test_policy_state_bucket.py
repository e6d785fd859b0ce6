"""The S3 rules, on the bucket bootstrap/ makes for Pulumi's state: each bucket
is judged by the companion resources that point at it (versioning, encryption,
public access block, policy), followed through the ``bucket`` property
dependency, and the real bootstrap program's stack passes them all."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from offline.snapshot import UNKNOWN
from preflight.analyzer import AnalysisReport
from tests.policies.conftest import Analyze
from tests.policies.program_stacks import (
    PACK_DIR,
    FixtureStack,
    fixture_config,
    state_bucket_run,
    state_bucket_stack,
)

S3_RULES = (
    "s3-bucket-versioning",
    "s3-bucket-encryption",
    "s3-bucket-public-access-block",
    "s3-bucket-tls-only",
)
COMPANIONS = ("bucket_versioning", "bucket_encryption", "bucket_public_access", "bucket_policy")


def s3_findings(report: AnalysisReport) -> list[tuple[str, str]]:
    return sorted(
        (v.policy_name, v.urn or "") for v in report.violations if v.policy_name in S3_RULES
    )


def with_policy(stack: FixtureStack, document: dict[str, Any]) -> None:
    stack.set("bucket_policy", policy=json.dumps(document))


def tls_only_policy(stack: FixtureStack) -> dict[str, Any]:
    """The one statement of the program's bucket policy that denies plain HTTP."""
    document: dict[str, Any] = json.loads(stack["bucket_policy"].inputs["policy"])
    statements = [s for s in document["Statement"] if "aws:SecureTransport" in json.dumps(s)]
    return {**document, "Statement": statements}


def test_a_bare_bucket_fails_every_rule_once(analyze: Analyze) -> None:
    stack = state_bucket_stack()
    for key in COMPANIONS:
        stack.remove(key)
    report = analyze(stack.resources())
    assert s3_findings(report) == sorted((rule, stack.urn("bucket")) for rule in S3_RULES)


def test_companions_found_by_the_bucket_name_alone(analyze: Analyze) -> None:
    """No property dependency (the bucket given by name): the known name matches."""
    stack = state_bucket_stack()
    for key in COMPANIONS:
        stack.set_untraced(key, "bucket", stack["bucket"].outputs["bucket"])
    assert s3_findings(analyze(stack.resources())) == []


def test_a_companion_of_another_bucket_does_not_count(analyze: Analyze) -> None:
    stack = state_bucket_stack()
    stack.set_untraced("bucket_public_access", "bucket", "someone-elses-bucket")
    report = analyze(stack.resources())
    assert s3_findings(report) == [("s3-bucket-public-access-block", stack.urn("bucket"))]


def test_a_preview_of_a_new_bucket_is_judged_by_its_companions(analyze: Analyze) -> None:
    """A new bucket's deprecated inline settings are computed outputs, unknown
    at preview; the companions decide, and their bucket ids are unknown too."""
    stack = state_bucket_stack()
    stack.set_outputs(
        "bucket",
        id=UNKNOWN,
        arn=UNKNOWN,
        versioning=UNKNOWN,
        serverSideEncryptionConfiguration=UNKNOWN,
        policy=UNKNOWN,
    )
    for key in COMPANIONS:
        stack.set(key, bucket=UNKNOWN)
    assert s3_findings(analyze(stack.resources())) == []


def test_a_deployed_bucket_is_not_judged_by_its_stale_inline_settings(analyze: Analyze) -> None:
    """What AWS reported on the bucket when it was created (versioning off,
    default SSE-S3) does not outvote the companion resources."""
    stack = state_bucket_stack()
    stack.set_outputs(
        "bucket",
        versioning={"enabled": False, "mfaDelete": False},
        serverSideEncryptionConfiguration={
            "rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
        },
    )
    assert s3_findings(analyze(stack.resources())) == []


def test_inline_settings_count_where_no_companion_manages_them(analyze: Analyze) -> None:
    stack = state_bucket_stack()
    policy = tls_only_policy(stack)
    for key in ("bucket_versioning", "bucket_encryption", "bucket_policy"):
        stack.remove(key)
    stack.set(
        "bucket",
        versioning={"enabled": True},
        serverSideEncryptionConfiguration={
            "rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
        },
        policy=json.dumps(policy),
    )
    assert s3_findings(analyze(stack.resources())) == []
    stack.set("bucket", versioning={"enabled": False})
    assert s3_findings(analyze(stack.resources())) == [
        ("s3-bucket-versioning", stack.urn("bucket"))
    ]


def test_the_v2_type_is_a_bucket_too(analyze: Analyze) -> None:
    stack = state_bucket_stack()
    stack.snapshots["bucket"] = replace(stack["bucket"], type="aws:s3/bucketV2:BucketV2")
    stack.remove("bucket_versioning")
    report = analyze(stack.resources())
    assert s3_findings(report) == [("s3-bucket-versioning", stack.urn("bucket"))]


def test_the_allowed_algorithms_are_a_knob(analyze: Analyze) -> None:
    stack = state_bucket_stack()
    stack.set(
        "bucket_encryption",
        rules=[{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}],
    )
    assert s3_findings(analyze(stack.resources())) == []
    config = {**fixture_config(), "s3-bucket-encryption": {"allowedAlgorithms": ["aws:kms"]}}
    (violation,) = analyze(stack.resources(), config).for_policy("s3-bucket-encryption")
    assert violation.urn == stack.urn("bucket_encryption")
    assert "uses sseAlgorithm 'AES256'" in violation.finding


def _statement(stack: FixtureStack, changes: dict[str, Any]) -> dict[str, Any]:
    """The TLS-only policy with its statement's fields changed (None removes one);
    ``{bucket}`` and ``{arn}`` in a value are the real bucket's name and ARN."""
    bucket = stack["bucket"].outputs
    document = tls_only_policy(stack)
    statement = document["Statement"][0]
    for key, value in changes.items():
        if value is None:
            del statement[key]
        else:
            text = json.dumps(value).replace("{bucket}", bucket["bucket"])
            statement[key] = json.loads(text.replace("{arn}", bucket["arn"]))
    return document


@pytest.mark.parametrize(
    "changes",
    [
        {"Principal": {"AWS": "*"}},
        {"Principal": {"AWS": ["*"]}, "Action": ["s3:*"]},
        {"Action": "*", "Resource": "*"},
        {"Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}},
        {"Condition": {"Bool": {"aws:securetransport": False}}},
        {"Resource": ["arn:aws-cn:s3:::{bucket}/*"]},
    ],
    ids=["aws-star", "lists", "everything", "bool-if-exists", "boolean-false", "partition"],
)
def test_ways_of_writing_the_tls_deny(analyze: Analyze, changes: dict[str, Any]) -> None:
    stack = state_bucket_stack()
    with_policy(stack, _statement(stack, changes))
    assert s3_findings(analyze(stack.resources())) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"Action": "s3:GetObject"},
        {"Principal": {"AWS": "arn:aws:iam::123456789012:root"}},
        {"Condition": {"Bool": {"aws:SecureTransport": "true"}}},
        {"Resource": ["{arn}", "arn:aws:s3:::another-bucket/*"]},
        {"Effect": "Allow"},
    ],
    ids=["one-action", "one-principal", "denies-tls", "other-objects", "allows"],
)
def test_policies_that_do_not_refuse_plain_http(analyze: Analyze, changes: dict[str, Any]) -> None:
    stack = state_bucket_stack()
    with_policy(stack, _statement(stack, changes))
    report = analyze(stack.resources())
    assert s3_findings(report) == [("s3-bucket-tls-only", stack.urn("bucket_policy"))]


def test_a_policy_without_statements_fails(analyze: Analyze) -> None:
    stack = state_bucket_stack()
    with_policy(stack, {"Version": "2012-10-17", "Statement": []})
    report = analyze(stack.resources())
    assert s3_findings(report) == [("s3-bucket-tls-only", stack.urn("bucket_policy"))]


def test_a_policy_that_is_not_json_fails(analyze: Analyze) -> None:
    stack = state_bucket_stack()
    stack.set("bucket_policy", policy="{not json")
    (violation,) = analyze(stack.resources()).for_policy("s3-bucket-tls-only")
    assert "not valid JSON" in violation.finding


# --- the real bootstrap program, with each shipped policy config -------------------


@pytest.mark.parametrize("policy_config", [None, "dev.json", "prod.json"])
def test_the_real_state_bucket_passes_the_whole_pack(
    analyze: Analyze, policy_config: str | None
) -> None:
    config = json.loads((PACK_DIR / "config" / policy_config).read_text()) if policy_config else {}
    report = analyze(state_bucket_run().resources, config)
    assert [(v.policy_name, v.finding) for v in report.violations] == []
    assert report.remediations == ()
