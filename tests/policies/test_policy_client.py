"""The analyzer client: it starts and always stops the pack, reads its metadata,
speaks the engine's wire format (secrets, unknowns, remediations) and reports
a broken pack with what the pack said."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from offline.snapshot import SecretValue
from preflight.analyzer import PolicyPackAnalyzer, PolicyPackError
from tests.policies.conftest import Analyze
from tests.policies.mutations import SECRET_USER_DATA
from tests.policies.pack_runs import write_pack
from tests.policies.program_stacks import (
    PACK_DIR,
    PACK_VERSION,
    compliant_stack,
    fixture_config,
)


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_pack_runs_only_inside_the_block() -> None:
    with PolicyPackAnalyzer(PACK_DIR, python=sys.executable) as analyzer:
        pid = analyzer.pid
        assert pid is not None and analyzer.running
    assert not analyzer.running
    assert gone(pid)


def test_the_pack_is_stopped_when_the_block_fails() -> None:
    pid = None
    with pytest.raises(RuntimeError), PolicyPackAnalyzer(PACK_DIR) as analyzer:
        pid = analyzer.pid
        raise RuntimeError("boom")
    assert pid is not None and gone(pid)


def test_metadata_comes_from_the_pack_and_its_yaml(pack: PolicyPackAnalyzer) -> None:
    info = pack.info()
    assert info.name == "bastion-db-guardrails"
    # PulumiPolicy.yaml wins over the SDK's 0.0.1, as in the CLI
    assert info.version == PACK_VERSION != "0.0.1"
    assert info.supports_config
    assert len(info.policies) >= 39
    assert pack.plugin_version() == "1.21.0"
    for policy in info.policies:
        assert policy.description and policy.remediation_steps, policy.name
        assert policy.severity in ("low", "medium", "high", "critical"), policy.name
        assert policy.policy_type in ("resource", "stack"), policy.name
        for key, schema in policy.config_schema.items():
            assert "default" in schema and "description" in schema, (policy.name, key)
    levels = {p.name: p.enforcement_level for p in info.policies}
    assert levels["ec2-imdsv2"] == levels["required-tags"] == "remediate"
    assert levels["rds-no-public-access"] == "mandatory"


def test_a_violation_carries_what_a_report_needs(analyze: Analyze) -> None:
    stack = compliant_stack()
    stack.set("db", publiclyAccessible=True)
    (violation,) = analyze(stack.resources()).for_policy("rds-no-public-access")
    assert violation.urn == stack.urn("db")
    assert violation.policy_pack == "bastion-db-guardrails"
    assert violation.policy_pack_version == PACK_VERSION
    assert violation.severity == "critical"
    assert violation.is_mandatory
    assert violation.message.startswith(violation.description + "\n")
    assert violation.finding.startswith("publiclyAccessible is true")
    assert "bastion" in violation.remediation_steps


def test_stack_violations_name_the_resource_at_fault(analyze: Analyze) -> None:
    stack = compliant_stack()
    stack.set("ssh_rule", cidrIpv4="0.0.0.0/0")
    found = analyze(stack.resources()).for_policy("sg-ssh-bastion-only")
    assert {v.urn for v in found} == {stack.urn("ssh_rule")}


def test_secrets_reach_the_pack_in_the_secret_envelope(analyze: Analyze) -> None:
    stack = compliant_stack()
    stack.set("instance", userData=SECRET_USER_DATA)
    found = analyze(stack.resources()).for_policy("ec2-user-data-no-secrets")
    assert found and "an AWS access key id" in found[0].finding


def test_a_remediation_returns_the_new_inputs_and_keeps_secrets(analyze: Analyze) -> None:
    stack = compliant_stack()
    stack.set(
        "instance",
        metadataOptions={"httpTokens": "optional", "httpPutResponseHopLimit": 1},
        userData=SecretValue("#!/bin/bash\necho hello\n"),
    )
    report = analyze(stack.resources())
    (remediation,) = report.remediated_by("ec2-imdsv2")
    assert remediation.urn == stack.urn("instance")
    assert remediation.properties is not None
    assert remediation.properties["metadataOptions"] == {
        "httpTokens": "required",
        "httpPutResponseHopLimit": 1,
    }
    assert remediation.properties["userData"] == SecretValue("#!/bin/bash\necho hello\n")
    assert remediation.properties["instanceType"] == "t3.micro"
    # Analyze saw the remediated inputs, as the engine's second pass does.
    assert report.for_policy("ec2-imdsv2") == ()


def test_missing_tags_are_added_from_the_stack_and_project(analyze: Analyze) -> None:
    stack = compliant_stack()
    stack.set("provider", defaultTags='{"tags": {"ManagedBy": "pulumi"}}')
    report = analyze(stack.resources())
    remediation = next(r for r in report.remediated_by("required-tags") if r.urn == stack.urn("db"))
    assert remediation.properties is not None
    assert remediation.properties["tags"] == {"Project": "bastion-db", "Environment": "prod"}
    assert report.for_policy("required-tags") == ()


def test_a_pack_that_fails_to_start_is_reported_with_its_output(tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "broken", "raise SystemExit('the pack cannot load its rules')\n")
    analyzer = PolicyPackAnalyzer(folder, python=sys.executable, startup_timeout=20)
    with pytest.raises(PolicyPackError) as caught, analyzer:
        pass
    assert "failed to start" in str(caught.value)
    assert "the pack cannot load its rules" in str(caught.value)
    assert not analyzer.running


def test_a_pack_whose_port_refuses_connections_is_reported(tmp_path: Path) -> None:
    # Prints a port that nothing listens on, then stays alive.
    folder = write_pack(
        tmp_path / "deaf",
        "import socket, time\n"
        "probe = socket.socket()\n"
        "probe.bind(('127.0.0.1', 0))\n"
        "print(probe.getsockname()[1], flush=True)\n"
        "probe.close()\n"
        "time.sleep(60)\n",
    )
    # Printing the port may take long on a loaded machine, and only that long is
    # waited; the handshake's wait is spent in full (nothing will answer), so it
    # is short.
    analyzer = PolicyPackAnalyzer(
        folder, python=sys.executable, startup_timeout=30, handshake_timeout=1
    )
    with pytest.raises(PolicyPackError, match="did not answer on port"), analyzer:
        pass
    assert not analyzer.running


def test_a_folder_without_pulumipolicy_yaml_is_not_a_pack(tmp_path: Path) -> None:
    with pytest.raises(PolicyPackError, match=r"no PulumiPolicy\.yaml"):
        PolicyPackAnalyzer(tmp_path)


def test_what_the_pack_logs_is_kept(tmp_path: Path) -> None:
    folder = write_pack(
        tmp_path / "chatty",
        "import sys\n"
        "import pulumi\n"
        "from pulumi_policy import PolicyPack, ResourceValidationPolicy\n"
        "print('loading rules', file=sys.stderr)\n"
        "def check(args, report):\n"
        "    pulumi.log.warn(f'looked at {args.urn}')\n"
        "PolicyPack('chatty', [ResourceValidationPolicy('look', 'Looks.', check)])\n",
    )
    stack = compliant_stack()
    with PolicyPackAnalyzer(folder, python=sys.executable) as analyzer:
        analyzer.configure_from(None)
        report = analyzer.analyze([stack["db"]])
    assert report.violations == ()
    assert "loading rules" in analyzer.logs
    assert f"warning: looked at {stack.urn('db')}" in analyzer.logs


def test_calls_outside_the_block_are_refused() -> None:
    analyzer = PolicyPackAnalyzer(PACK_DIR)
    with pytest.raises(PolicyPackError, match="not running"):
        analyzer.configure_from(fixture_config())
