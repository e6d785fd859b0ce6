"""The synthetic stack: renamed copies whose references stay inside their own copy."""

from __future__ import annotations

import pytest

from benchmarks.synthetic import (
    copy_of,
    dangling,
    references,
    renamed_urn,
    stable_order,
    synthetic_stack,
)
from offline.runner import ProgramRun
from offline.snapshot import ResourceSnapshot, SecretValue

ROOT = "urn:pulumi:dev::bastion-db::pulumi:pulumi:Stack::bastion-db-dev"
PROVIDER = "urn:pulumi:dev::bastion-db::pulumi:pulumi:Stack$pulumi:providers:aws::aws"
GROUPS = "urn:pulumi:dev::bastion-db::pulumi:pulumi:Stack$bastiondb:network:SecurityGroups::sgs"
GROUP = (
    "urn:pulumi:dev::bastion-db::bastiondb:network:SecurityGroups"
    "$aws:ec2/securityGroup:SecurityGroup::sgs-db"
)
RULE = (
    "urn:pulumi:dev::bastion-db::bastiondb:network:SecurityGroups"
    "$aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::sgs-db-in"
)


def base_stack() -> list[ResourceSnapshot]:
    """A provider, a component, a group and a rule on it, in registration order."""
    provider_ref = f"{PROVIDER}::provider-0123456789"
    return [
        ResourceSnapshot(
            PROVIDER,
            "pulumi:providers:aws",
            "aws",
            True,
            {},
            {},
            parent=ROOT,
            id="provider-0123456789",
        ),
        ResourceSnapshot(
            GROUPS, "bastiondb:network:SecurityGroups", "sgs", False, {}, {}, parent=ROOT
        ),
        ResourceSnapshot(
            GROUP,
            "aws:ec2/securityGroup:SecurityGroup",
            "sgs-db",
            True,
            inputs={"vpcId": "vpc-0a1b2c3d4e5f60718"},
            outputs={
                "id": "sg-27d4374f98ab",
                "arn": "arn:aws:ec2:::security-group/sg-27d4374f98ab",
            },
            parent=GROUPS,
            provider=provider_ref,
            id="sg-27d4374f98ab",
        ),
        ResourceSnapshot(
            RULE,
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "sgs-db-in",
            True,
            inputs={"securityGroupId": "sg-27d4374f98ab", "note": SecretValue("none")},
            outputs={"securityGroupId": "sg-27d4374f98ab", "missing": "none"},
            parent=GROUPS,
            dependencies=(GROUP,),
            property_dependencies={"securityGroupId": (GROUP,), "fromPort": ()},
            provider=provider_ref,
            id="none",
        ),
    ]


def test_a_copy_renames_every_urn_and_every_reference_to_its_own_resources() -> None:
    provider, groups, group, rule = copy_of(base_stack(), 3)

    assert group.urn == GROUP + "-c3"
    assert group.name == "sgs-db-c3"
    assert group.parent == GROUPS + "-c3"
    assert group.provider == f"{PROVIDER}-c3::provider-0123456789-c3"
    assert provider.id == "provider-0123456789-c3"
    assert rule.dependencies == (GROUP + "-c3",)
    assert rule.property_dependencies == {"securityGroupId": (GROUP + "-c3",), "fromPort": ()}
    # The stack's root is shared by every copy, as it would be in one big stack.
    assert groups.parent == ROOT


def test_a_copy_renames_ids_inside_values_but_not_shared_or_short_ones() -> None:
    _, _, group, rule = copy_of(base_stack(), 3)

    assert group.outputs["arn"] == "arn:aws:ec2:::security-group/sg-27d4374f98ab-c3"
    assert rule.inputs["securityGroupId"] == group.id == "sg-27d4374f98ab-c3"
    # The existing VPC is outside the stack; "none" is too short to tell from a word.
    assert group.inputs["vpcId"] == "vpc-0a1b2c3d4e5f60718"
    assert rule.outputs["missing"] == "none"
    assert rule.id == "none"
    assert rule.inputs["note"] == SecretValue("none")


def test_copy_zero_is_the_base_stack_untouched() -> None:
    base = base_stack()
    assert copy_of(base, 0) == base


def test_renamed_urn_only_changes_the_name() -> None:
    assert renamed_urn(RULE, "-c1") == RULE + "-c1"
    with pytest.raises(ValueError):
        renamed_urn("not-a-urn", "-c1")


def test_synthetic_stack_has_the_size_asked_for_and_no_dangling_reference() -> None:
    stack = synthetic_stack(base_stack(), 10)

    assert len(stack) == 10
    assert len({s.urn for s in stack}) == 10
    assert stack[:4] == stable_order(base_stack())
    assert dangling(stack, outside={ROOT}) == []


def test_the_order_is_a_dependency_order_that_does_not_depend_on_registration() -> None:
    provider, groups, group, rule = base_stack()
    # The SDK registers resources as their inputs resolve, in no fixed order;
    # whatever the order, the synthetic stack is the same.
    orders = [
        [provider, groups, group, rule],
        [rule, group, groups, provider],
        [groups, rule, provider, group],
    ]
    stacks = [synthetic_stack(order, 7) for order in orders]
    assert stacks[0] == stacks[1] == stacks[2]
    urns = [s.urn for s in stable_order(orders[1])]
    assert urns.index(GROUP) < urns.index(RULE)
    assert urns.index(GROUPS) < urns.index(GROUP)
    assert urns.index(PROVIDER) < urns.index(GROUP)
    for stack in stacks:
        assert dangling(stack, outside={ROOT}) == []


def test_dangling_names_references_to_resources_that_are_missing() -> None:
    provider, groups, _group, rule = copy_of(base_stack(), 2)
    assert dangling([provider, groups, rule], outside={ROOT}) == [GROUP + "-c2"]


def test_synthetic_dev_stack_keeps_each_copy_pointing_at_itself(dev_run: ProgramRun) -> None:
    base = dev_run.resources
    base_urns = {s.urn for s in base}
    outside = {u for s in base for u in references(s)} - base_urns
    stack = synthetic_stack(base, 1000)

    assert len(stack) == 1000
    assert len({s.urn for s in stack}) == 1000
    for index, snapshot in enumerate(stack):
        copy_index = index // len(base)
        own = {u + (f"-c{copy_index}" if copy_index else "") for u in base_urns}
        assert snapshot.urn in own
        assert references(snapshot) - outside <= own, snapshot.urn
