"""bastion-ssm-no-inbound over the analyzer protocol: the real prod stack (ssm
mode) passes, a public address or any inbound rule fails, what preview cannot
know is refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from offline.snapshot import UNKNOWN
from tests.conftest import RunStack
from tests.policies.conftest import Analyze
from tests.policies.program_stacks import FixtureStack

RULE = "bastion-ssm-no-inbound"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


@pytest.fixture(scope="module")
def ssm_stack(run_stack: RunStack) -> Callable[[], FixtureStack]:
    """A fresh copy, per test, of what the prod stack file (accessMode ssm) registers."""
    run = run_stack("prod")
    return lambda: FixtureStack.from_run(run)


def findings(analyze: Analyze, stack: FixtureStack) -> list[str]:
    report = analyze(stack.resources())
    mine = [v for v in report.violations if v.policy_name == RULE]
    assert all(v.is_mandatory for v in mine)
    return [v.finding for v in mine]


def test_the_prod_stack_passes(analyze: Analyze, ssm_stack: Callable[[], FixtureStack]) -> None:
    stack = ssm_stack()
    assert stack["bastion"].outputs["accessMode"] == "ssm"
    assert findings(analyze, stack) == []


@pytest.mark.parametrize("value", [True, None])
def test_a_public_address_fails(
    analyze: Analyze, ssm_stack: Callable[[], FixtureStack], value: object
) -> None:
    stack = ssm_stack()
    stack.set("instance", associatePublicIpAddress=value)
    [finding] = findings(analyze, stack)
    assert "associatePublicIpAddress" in finding and "must be false" in finding
    assert "bastion-db:accessMode" in finding


def test_any_inbound_rule_into_the_bastion_fails(
    analyze: Analyze, ssm_stack: Callable[[], FixtureStack]
) -> None:
    stack = ssm_stack()
    stack.add(
        "https_in",
        INGRESS,
        "security-groups-bastion-https-in",
        {
            "securityGroupId": stack.id("bastion_sg"),
            "cidrIpv4": "10.0.0.0/16",
            "ipProtocol": "tcp",
            "fromPort": 443,
            "toPort": 443,
            "description": "HTTPS from the VPC",
        },
        parent="groups",
        deps={"securityGroupId": ["bastion_sg"]},
    )
    [finding] = findings(analyze, stack)
    assert "security-groups-bastion-https-in" in finding
    assert "Session Manager needs no inbound rule" in finding


def test_a_group_from_outside_the_stack_fails(
    analyze: Analyze, ssm_stack: Callable[[], FixtureStack]
) -> None:
    stack = ssm_stack()
    stack.set_untraced("instance", "vpcSecurityGroupIds", ["sg-0123456789abcdef0"])
    messages = findings(analyze, stack)
    assert any("sg-0123456789abcdef0" in m and "cannot be checked" in m for m in messages)


def test_an_unknown_address_is_refused(
    analyze: Analyze, ssm_stack: Callable[[], FixtureStack]
) -> None:
    stack = ssm_stack()
    stack.set("instance", associatePublicIpAddress=UNKNOWN)
    [finding] = findings(analyze, stack)
    assert "unknown at preview" in finding and "associatePublicIpAddress" in finding


def test_unknown_groups_followed_by_their_dependency_pass(
    analyze: Analyze, ssm_stack: Callable[[], FixtureStack]
) -> None:
    # The group id is unknown at preview of a new stack, but the property
    # dependency names the group: nothing is hidden.
    stack = ssm_stack()
    stack.set("instance", vpcSecurityGroupIds=[UNKNOWN])
    assert findings(analyze, stack) == []
    stack.drop_dependency("instance", "vpcSecurityGroupIds")
    [finding] = findings(analyze, stack)
    assert "security groups" in finding and "unknown at preview" in finding


def test_ssh_mode_is_not_held_to_it(
    analyze: Analyze, ssm_stack: Callable[[], FixtureStack]
) -> None:
    stack = ssm_stack()
    stack.set_outputs("bastion", accessMode="ssh")
    stack.set("instance", associatePublicIpAddress=True)
    assert findings(analyze, stack) == []
