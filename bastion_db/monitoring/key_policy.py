"""The policy of the KMS key that encrypts the alarm topic."""

from __future__ import annotations

from bastion_db.key_policies import key_policy


def alarm_key_policy(partition: str, account_id: str) -> str:
    """Key policy: the account administers the key; CloudWatch may use it to publish.

    CloudWatch alarms cannot publish to a topic encrypted with the AWS managed
    key ``alias/aws/sns``: that key's policy does not let the CloudWatch service
    call kms:GenerateDataKey/kms:Decrypt and cannot be edited, so the actions
    fail silently. A customer managed key with this policy is what AWS documents.
    """
    return key_policy(
        partition,
        account_id,
        {
            "Sid": "CloudWatchAlarmsPublishToEncryptedTopic",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            # Only on this account's behalf (aws:SourceAccount, the confused-deputy
            # guard SNS documents for service principals of encrypted topics).
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        },
        {
            # RDS event notifications (bastion_db/database_events.py) publish to the
            # same encrypted topic: "Enable compatibility between event sources from
            # AWS services and encrypted topics",
            # https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
            "Sid": "RdsEventsPublishToEncryptedTopic",
            "Effect": "Allow",
            "Principal": {"Service": "events.rds.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        },
    )
