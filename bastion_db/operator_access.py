"""The IAM policy an operator needs to reach the database through this bastion, and no more."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

PORT_FORWARD_DOCUMENT = "AWS-StartPortForwardingSessionToRemoteHost"


def operator_policy(
    partition: str,
    region: str,
    account_id: str,
    instance_arn: str,
    shell_documents: Sequence[str],
) -> str:
    """Start a session on this bastion only, with AWS's port forwarding document
    or the stack's shell documents; end or resume one's own sessions only.

    ``ssm:SessionDocumentAccessCheck``: without it a ``start-session`` that names no
    document is not checked against the documents listed here
    (https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-sessiondocumentaccesscheck.html).
    A session's id starts with its owner's name: ``${aws:username}`` for an IAM
    user, ``${aws:userid}`` (role id and session name) for an assumed role or a
    federated user, so both are listed; a variable a caller lacks matches nothing
    (https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-restrict-access-examples.html,
    https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-getting-started-restrict-access.html).
    AWS-owned documents have no account in their ARN."""
    documents = [f"arn:{partition}:ssm:{region}::document/{PORT_FORWARD_DOCUMENT}"] + [
        f"arn:{partition}:ssm:{region}:{account_id}:document/{name}" for name in shell_documents
    ]
    own_sessions = [
        f"arn:{partition}:ssm:{region}:{account_id}:session/${{aws:username}}-*",
        f"arn:{partition}:ssm:{region}:{account_id}:session/${{aws:userid}}-*",
    ]
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "StartSessionsOnThisBastionOnly",
                    "Effect": "Allow",
                    "Action": "ssm:StartSession",
                    "Resource": [instance_arn, *documents],
                    "Condition": {"BoolIfExists": {"ssm:SessionDocumentAccessCheck": "true"}},
                },
                {
                    "Sid": "EndOrResumeOwnSessionsOnly",
                    "Effect": "Allow",
                    "Action": ["ssm:TerminateSession", "ssm:ResumeSession"],
                    "Resource": own_sessions,
                },
            ],
        },
        indent=2,
    )


@dataclass
class OperatorAccessArgs:
    """Which bastion, and which shell documents."""

    instance_arn: pulumi.Input[str]
    shell_document_names: Sequence[pulumi.Input[str]]
    region: str
    # Name prefix, e.g. "bastion-db-prod"
    name_prefix: str


class OperatorAccess(pulumi.ComponentResource):
    """A managed policy to attach to the people (roles, permission sets) who may connect."""

    policy_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: OperatorAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("bastiondb:access:OperatorAccess", name, None, opts)
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        document = pulumi.Output.all(
            identity.arn, identity.account_id, args.instance_arn, *args.shell_document_names
        ).apply(
            lambda v: operator_policy(
                str(v[0]).split(":")[1], args.region, str(v[1]), str(v[2]), [str(n) for n in v[3:]]
            )
        )
        policy = aws.iam.Policy(
            f"{name}-policy",
            name_prefix=f"{args.name_prefix}-operator-",
            description="Session Manager port forwarding and shell on this bastion only",
            policy=document,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.policy_arn = policy.arn
        self.register_outputs({"policyArn": policy.arn})
