"""The database's CloudWatch log groups, made by the stack before RDS makes them.

RDS publishes each exported log to ``/aws/rds/instance/<identifier>/<log>``
and creates that group itself when it is missing: never expiring, untagged,
encrypted only with the service's default key, and left behind by
``pulumi destroy`` (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html).
Creating the groups first, with the instance depending on them, lets the
stack choose their retention, tags and KMS key, and delete them with the stack.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from bastion_db.key_policies import key_policy


def log_group_name(identifier: str, log: str) -> str:
    return f"/aws/rds/instance/{identifier}/{log}"


def logs_key_policy(partition: str, region: str, account_id: str, identifier: str) -> str:
    """The key policy of this database's log groups."""
    return log_groups_key_policy(partition, region, account_id, f"/aws/rds/instance/{identifier}/*")


def log_groups_key_policy(
    partition: str, region: str, account_id: str, group_name_pattern: str
) -> str:
    """The account administers the key; CloudWatch Logs in this region may use it
    for the groups matching ``group_name_pattern`` only (the encryption context
    names the group,
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html)."""
    groups = f"arn:{partition}:logs:{region}:{account_id}:log-group:{group_name_pattern}"
    return key_policy(
        partition,
        account_id,
        {
            "Sid": "CloudWatchLogsEncryptsTheseLogGroups",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{region}.amazonaws.com"},
            "Action": [
                "kms:Encrypt*",
                "kms:Decrypt*",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:Describe*",
            ],
            "Resource": "*",
            "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": groups}},
        },
    )


@dataclass
class DatabaseLogGroupsArgs:
    """Which logs the database exports and how long they are kept."""

    # RDS instance identifier, e.g. "bastion-db-dev"
    identifier: str
    # The engine's exported logs, e.g. ("postgresql", "upgrade")
    logs: tuple[str, ...]
    retention_days: int
    region: str


class DatabaseLogGroups(pulumi.ComponentResource):
    """One encrypted log group per exported log, and the KMS key that encrypts them."""

    groups: list[aws.cloudwatch.LogGroup]
    kms_key_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: DatabaseLogGroupsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("bastiondb:database:DatabaseLogGroups", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the CloudWatch log groups of RDS instance {args.identifier}",
            enable_key_rotation=True,
            policy=identity.apply(
                lambda who: logs_key_policy(
                    who.arn.split(":")[1], args.region, who.account_id, args.identifier
                )
            ),
            opts=child,
        )
        self.kms_key_arn = key.arn
        # Logical names follow the log, never its position: dropping one export
        # must not rename (and so replace) the others.
        self.groups = [
            aws.cloudwatch.LogGroup(
                f"{name}-{log}",
                name=log_group_name(args.identifier, log),
                retention_in_days=args.retention_days,
                kms_key_id=key.arn,
                opts=child,
            )
            for log in args.logs
        ]
        self.register_outputs(
            {"logGroupNames": [group.name for group in self.groups], "kmsKeyArn": key.arn}
        )
