"""The two IAM facts the components share: how an AWS service is trusted to
assume a role, and how an AWS managed policy is named in this partition."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws


def service_assume_role_policy(service: str, source_account: str | None = None) -> str:
    """A trust policy letting ``service`` (e.g. ``ec2.amazonaws.com``) assume the role;
    with ``source_account``, only when it acts for this account (the confused-deputy
    guard, https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html)."""
    statement: dict[str, object] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if source_account is not None:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": source_account}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def aws_managed_policy_arn(policy: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    """The ARN of an AWS managed policy (``AmazonSSMManagedInstanceCore``,
    ``service-role/...``) in the partition the parent's provider works in."""
    partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=parent))
    return partition.partition.apply(lambda name: f"arn:{name}:iam::aws:policy/{policy}")
