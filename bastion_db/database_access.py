"""The IAM policy that lets its holders sign in to this database as one named
database user with IAM authentication, and nothing else.

``rds-db:connect`` is granted on one database account of one instance:
``arn:<partition>:rds-db:<region>:<account>:dbuser:<DbiResourceId>/<db-user-name>``,
where the resource id is the instance's ``DbiResourceId``, "unique to an AWS
Region and never changes"
(https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html),
until a blue/green switchover (``dbBlueGreenUpdate``) puts a new instance, with
a new id, under the same name; the policy follows later in the same ``up``
(docs/operations.md).
Attach the policy to the roles or permission sets that should get in; the
database user itself is created once, in SQL (README, "IAM database
authentication").
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


def db_user_arn(partition: str, region: str, account_id: str, resource_id: str, user: str) -> str:
    return f"arn:{partition}:rds-db:{region}:{account_id}:dbuser:{resource_id}/{user}"


def connect_policy(resource_arn: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ConnectAsOneDatabaseUser",
                    "Effect": "Allow",
                    "Action": "rds-db:connect",
                    "Resource": resource_arn,
                }
            ],
        },
        indent=2,
    )


@dataclass
class DatabaseAccessArgs:
    """Which database user, on which instance."""

    # The instance's DbiResourceId (db-...), known once it exists
    resource_id: pulumi.Input[str]
    username: str
    region: str
    # Names the policy, e.g. "bastion-db-prod"
    name_prefix: str


class DatabaseAccess(pulumi.ComponentResource):
    """A customer-managed IAM policy allowing ``rds-db:connect`` as one user."""

    policy_arn: pulumi.Output[str]
    # The one resource the policy grants on
    db_user_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: DatabaseAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("bastiondb:database:DatabaseAccess", name, None, opts)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        identity = aws.get_caller_identity_output(opts=invoke)
        self.db_user_arn = pulumi.Output.all(
            identity.arn, identity.account_id, args.resource_id
        ).apply(
            lambda values: db_user_arn(
                values[0].split(":")[1], args.region, values[1], values[2], args.username
            )
        )
        policy = aws.iam.Policy(
            f"{name}-connect-policy",
            name_prefix=f"{args.name_prefix}-db-connect-",
            description=(
                f"Sign in to RDS instance {args.name_prefix} as database user "
                f"{args.username} with IAM authentication"
            ),
            policy=self.db_user_arn.apply(connect_policy),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.policy_arn = policy.arn
        self.register_outputs({"policyArn": policy.arn, "dbUserArn": self.db_user_arn})
