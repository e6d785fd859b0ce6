"""Account-wide guardrails the state project may own, on request: EBS
encryption by default in its region (Security Hub EC2.7,
https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-7)
and the account's S3 public access block (S3.1,
https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-1).

Each is one setting per account (and region, for EBS): a stack that owns it
keeps it on, and ``retain_on_delete`` keeps it on when the stack is destroyed,
since deleting the resource would turn the guardrail off for the whole account.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass
class AccountSettingsArgs:
    """Which account-wide settings this stack owns."""

    ebs_encryption_by_default: bool
    s3_public_access_block: bool


class AccountSettings(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: AccountSettingsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("bastiondb:bootstrap:AccountSettings", name, None, opts)
        kept = pulumi.ResourceOptions(parent=self, retain_on_delete=True)
        if args.ebs_encryption_by_default:
            aws.ebs.EncryptionByDefault(
                f"{name}-ebs-encryption-by-default", enabled=True, opts=kept
            )
        if args.s3_public_access_block:
            aws.s3.AccountPublicAccessBlock(
                f"{name}-s3-public-access-block",
                block_public_acls=True,
                block_public_policy=True,
                ignore_public_acls=True,
                restrict_public_buckets=True,
                opts=kept,
            )
        self.register_outputs({})
