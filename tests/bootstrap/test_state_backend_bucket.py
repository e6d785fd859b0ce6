"""The state-bucket project, run to completion under the Pulumi SDK's mocks.

Each test runs the real program (`bootstrap.program.define_state_backend`) in a
fresh event loop with a monitor that records every RegisterResource request the
SDK sends: type, name, parent, protect, provider, dependencies and inputs. The
assertions read those recordings after every outstanding RPC has finished, so
they see what the engine would have seen.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime
import pytest
import yaml
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.stack import Stack, run_pulumi_func

from bastion_db.checks.errors import ConfigError
from bootstrap.program import define_state_backend
from bootstrap.state_bucket import tls_only_policy
from bootstrap.state_config import (
    NONCURRENT_VERSION_DAYS_DEFAULT,
    NONCURRENT_VERSION_DAYS_MAX,
    NONCURRENT_VERSION_DAYS_MIN,
    PROJECT,
    check_bucket_name,
)
from offline.fake_aws import FakeAws as SharedFakeAws
from offline.fake_aws import lab_world
from offline.stack_config import load_stack_config

BOOTSTRAP_DIR = Path(__file__).resolve().parents[2] / "bootstrap"
BUCKET = "acme-bastion-db-state"
GOOD_CONFIG = {
    "aws:region": "eu-central-1",
    f"{PROJECT}:bucketName": BUCKET,
    f"{PROJECT}:noncurrentVersionDays": "30",
}

BUCKET_TYPE = "aws:s3/bucket:Bucket"
COMPONENT_TYPE = "bastiondb:state:StateBucket"


@dataclass
class Registration:
    """One RegisterResource request, as the SDK sent it."""

    type: str
    name: str
    urn: str
    parent: str
    protect: bool
    provider: str
    dependencies: list[str]
    inputs: dict[str, Any]


class RecordingMonitor(MockMonitor):
    """The SDK's mock monitor, keeping a copy of every registration request."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        # The base class already ensured this thread has an event loop.
        inputs = rpc.deserialize_properties(request.object)
        self.registrations.append(
            Registration(
                type=request.type,
                name=request.name,
                urn=response.urn,
                parent=request.parent,
                protect=request.protect,
                provider=request.provider,
                dependencies=list(request.dependencies),
                inputs=dict(inputs),
            )
        )
        return response


class FakeAws(pulumi.runtime.Mocks):
    """Answers like AWS would where the program reads an answer: a bucket's id and ARN."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        if args.typ == BUCKET_TYPE:
            name = args.inputs["bucket"]
            return name, {**args.inputs, "bucket": name, "arn": f"arn:aws:s3:::{name}"}
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:  # type: ignore[override]
        # Lookups (the partition) are answered by the shared fake AWS world.
        return SharedFakeAws(lab_world()).call(args)


@dataclass
class ProgramRun:
    registrations: list[Registration]
    outputs: dict[str, Any] = field(default_factory=dict)

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def one(self, type_: str) -> Registration:
        found = self.of_type(type_)
        assert len(found) == 1, f"expected one {type_}, got {[r.name for r in found]}"
        return found[0]


@pytest.fixture
def event_loop_for_pulumi() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield loop
    loop.close()
    asyncio.set_event_loop(None)


def run_program(
    loop: asyncio.AbstractEventLoop,
    config: dict[str, str],
    monitor: RecordingMonitor | None = None,
    stack: str = "state",
) -> ProgramRun:
    """Runs the program to completion under mocks; raises what the program raised."""
    pulumi.runtime.settings.reset_options(project=PROJECT, stack=stack)
    pulumi.runtime.set_all_config(config)
    monitor = monitor or RecordingMonitor(FakeAws())
    pulumi.runtime.set_mocks(
        monitor.mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor
    )
    run = ProgramRun(monitor.registrations)

    async def program() -> None:
        define_state_backend()
        # What pulumi.export handed to the stack, resolved.
        root = pulumi.runtime.settings.get_root_resource()
        assert isinstance(root, Stack)
        for name, value in root.outputs.items():
            run.outputs[name] = await pulumi.Output.from_input(value).future()

    # run_pulumi_func waits for every outstanding RPC before it returns.
    loop.run_until_complete(run_pulumi_func(program))
    return run


@pytest.fixture
def deployed(event_loop_for_pulumi: asyncio.AbstractEventLoop) -> ProgramRun:
    return run_program(event_loop_for_pulumi, GOOD_CONFIG)


def settings_of(run: ProgramRun, type_: str) -> dict[str, Any]:
    """Inputs of the one resource of ``type_``, checked to configure the state bucket."""
    registration = run.one(type_)
    assert registration.inputs["bucket"] == BUCKET
    return registration.inputs


def test_bucket_is_named_from_config_protected_and_never_force_destroyed(
    deployed: ProgramRun,
) -> None:
    bucket = deployed.one(BUCKET_TYPE)
    assert bucket.inputs["bucket"] == BUCKET
    assert bucket.protect is True
    assert bucket.inputs.get("forceDestroy") is False


def test_every_resource_of_the_bucket_is_protected(deployed: ProgramRun) -> None:
    component = deployed.one(COMPONENT_TYPE)
    children = [r for r in deployed.registrations if r.parent == component.urn]
    assert len(children) == 7
    assert [r.name for r in children if not r.protect] == []


def test_versioning_is_enabled(deployed: ProgramRun) -> None:
    inputs = settings_of(deployed, "aws:s3/bucketVersioning:BucketVersioning")
    assert inputs["versioningConfiguration"]["status"] == "Enabled"


def test_default_encryption_is_sse_kms_with_the_aws_managed_key(deployed: ProgramRun) -> None:
    inputs = settings_of(
        deployed,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )
    [rule] = inputs["rules"]
    by_default = rule["applyServerSideEncryptionByDefault"]
    assert by_default["sseAlgorithm"] == "aws:kms"
    assert "kmsMasterKeyId" not in by_default  # absent means the aws/s3 managed key
    assert rule["bucketKeyEnabled"] is True


def test_all_public_access_is_blocked_and_acls_are_off(deployed: ProgramRun) -> None:
    blocks = settings_of(deployed, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert {flag: blocks.get(flag) for flag in flags} == dict.fromkeys(flags, True)
    ownership = settings_of(deployed, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership["rule"]["objectOwnership"] == "BucketOwnerEnforced"


def test_bucket_policy_denies_every_request_without_tls(deployed: ProgramRun) -> None:
    policy = json.loads(settings_of(deployed, "aws:s3/bucketPolicy:BucketPolicy")["policy"])
    arn = f"arn:aws:s3:::{BUCKET}"
    [no_tls] = [
        s
        for s in policy["Statement"]
        if s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
    ]
    assert no_tls["Effect"] == "Deny"
    assert no_tls["Principal"] == "*"
    assert no_tls["Action"] == "s3:*"
    assert sorted(no_tls["Resource"]) == [arn, f"{arn}/*"]
    assert [s for s in policy["Statement"] if s["Effect"] != "Deny"] == []


def test_bucket_policy_also_denies_tls_older_than_1_2() -> None:
    policy = json.loads(tls_only_policy("arn:aws:s3:::b"))
    [old_tls] = [s for s in policy["Statement"] if "NumericLessThan" in s.get("Condition", {})]
    assert old_tls["Effect"] == "Deny"
    assert old_tls["Condition"]["NumericLessThan"] == {"s3:TlsVersion": 1.2}


def test_bucket_policy_is_written_after_the_public_access_block(deployed: ProgramRun) -> None:
    policy = deployed.one("aws:s3/bucketPolicy:BucketPolicy")
    block = deployed.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert block.urn in policy.dependencies


def test_lifecycle_expires_old_versions_after_configured_days(deployed: ProgramRun) -> None:
    lifecycle = deployed.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    [rule] = settings_of(
        deployed, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
    )["rules"]
    assert rule["status"] == "Enabled"
    assert rule.get("filter") == {}  # the whole bucket, not a prefix of it
    assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == 30
    assert rule["expiration"] == {"expiredObjectDeleteMarker": True}
    assert rule["abortIncompleteMultipartUpload"]["daysAfterInitiation"] > 0
    versioning = deployed.one("aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.urn in lifecycle.dependencies


def test_every_aws_resource_uses_the_tagged_provider(deployed: ProgramRun) -> None:
    provider = deployed.one("pulumi:providers:aws")
    assert provider.inputs["region"] == "eu-central-1"
    assert json.loads(provider.inputs["defaultTags"]) == {
        "tags": {"Project": "bastion-db", "Environment": "state", "ManagedBy": "pulumi"}
    }
    aws_resources = [r for r in deployed.registrations if r.type.startswith("aws:")]
    assert aws_resources
    # A provider reference is "<urn>::<id>", and URNs contain "::" themselves.
    assert {r.provider.rsplit("::", 1)[0] for r in aws_resources} == {provider.urn}


def test_outputs_name_the_bucket_and_the_login_command(deployed: ProgramRun) -> None:
    assert deployed.outputs == {
        "bucketName": BUCKET,
        "backendUrl": f"s3://{BUCKET}",
        "loginCommand": f"pulumi login s3://{BUCKET}",
    }


def test_noncurrent_version_days_default_when_unset(
    event_loop_for_pulumi: asyncio.AbstractEventLoop,
) -> None:
    config = {k: v for k, v in GOOD_CONFIG.items() if not k.endswith("noncurrentVersionDays")}
    run = run_program(event_loop_for_pulumi, config)
    [rule] = run.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs[
        "rules"
    ]
    assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == NONCURRENT_VERSION_DAYS_DEFAULT


@pytest.mark.parametrize(
    ("key", "value", "expected_in_message"),
    [
        (f"{PROJECT}:bucketName", None, "not set"),
        (f"{PROJECT}:bucketName", "Upper-Case", "lowercase"),
        (f"{PROJECT}:bucketName", "ab", "3 to 63"),
        (f"{PROJECT}:bucketName", "x" * 64, "3 to 63"),
        (f"{PROJECT}:bucketName", "dotted.bucket.name", "no dots"),
        (f"{PROJECT}:bucketName", "-leading-hyphen", "starting and ending"),
        (f"{PROJECT}:bucketName", "xn--punycode", "xn--"),
        (f"{PROJECT}:bucketName", "my-access-point-s3alias", "-s3alias"),
        (f"{PROJECT}:noncurrentVersionDays", str(NONCURRENT_VERSION_DAYS_MIN - 1), "days from"),
        (f"{PROJECT}:noncurrentVersionDays", str(NONCURRENT_VERSION_DAYS_MAX + 1), "days from"),
        (f"{PROJECT}:noncurrentVersionDays", "ninety", "whole number"),
        ("aws:region", None, "AWS region"),
        ("aws:region", "Frankfurt", "AWS region"),
    ],
)
def test_bad_config_fails_before_any_resource_is_registered(
    event_loop_for_pulumi: asyncio.AbstractEventLoop,
    key: str,
    value: str | None,
    expected_in_message: str,
) -> None:
    config = {k: v for k, v in GOOD_CONFIG.items() if k != key}
    if value is not None:
        config[key] = value
    monitor = RecordingMonitor(FakeAws())
    with pytest.raises(ConfigError) as raised:
        run_program(event_loop_for_pulumi, config, monitor)
    assert raised.value.key == key
    assert expected_in_message in str(raised.value)
    # The run went to completion (every RPC awaited) and only the stack itself exists.
    assert [r.type for r in monitor.registrations] == ["pulumi:pulumi:Stack"]


@pytest.mark.parametrize(
    "name", ["abc", "a-b-c", "0123456789", "bastion-db-pulumi-state", "a" * 63]
)
def test_valid_bucket_names_pass(name: str) -> None:
    assert check_bucket_name("k", name) == name


def test_example_stack_file_is_a_valid_configuration(
    event_loop_for_pulumi: asyncio.AbstractEventLoop,
) -> None:
    # As the CLI hands it over: booleans as "true"/"false", not Python's "True".
    config = load_stack_config(BOOTSTRAP_DIR, "state").values
    run = run_program(event_loop_for_pulumi, config)
    assert run.outputs["loginCommand"] == f"pulumi login s3://{config[f'{PROJECT}:bucketName']}"


def test_project_file_declares_the_namespace_the_program_reads() -> None:
    project = yaml.safe_load((BOOTSTRAP_DIR / "Pulumi.yaml").read_text())
    assert project["name"] == PROJECT
    assert project["runtime"]["options"]["virtualenv"] == "../.venv"
    declared = project["config"]
    assert declared["bucketName"]["type"] == "string"
    assert declared["noncurrentVersionDays"]["type"] == "integer"
    assert declared["noncurrentVersionDays"]["default"] == NONCURRENT_VERSION_DAYS_DEFAULT
