"""Account-wide settings the bootstrap project may own: EBS encryption by
default (Security Hub EC2.7) and the account's S3 public access block (S3.1).

Only a stack that declares the setting can be judged: whether some other
stack or the console already turned it on is not in any stack's resources,
so the rules judge the resources when they are there and say nothing
otherwise (COVERAGE.md says so)."""

from __future__ import annotations

from pulumi_policy import Severity

from .declaring import ResourceCheck, RuleSet, require_flag
from .resource_types import EBS_ENCRYPTION_BY_DEFAULT, S3_ACCOUNT_PUBLIC_ACCESS_BLOCK

rules = RuleSet("account")
ACCOUNT_FLAGS = (
    "blockPublicAcls",
    "blockPublicPolicy",
    "ignorePublicAcls",
    "restrictPublicBuckets",
)


@rules.resource(
    name="ebs-encryption-by-default",
    description="A declared account setting for EBS encryption by default turns it on. "
    "Security Hub EC2.7.",
    severity=Severity.MEDIUM,
    fix="Set enabled=True on aws.ebs.EncryptionByDefault (the bootstrap project's option).",
    types=(EBS_ENCRYPTION_BY_DEFAULT,),
)
def ebs_encryption_by_default(check: ResourceCheck) -> None:
    require_flag(
        check,
        "enabled",
        key=None,
        claim="new EBS volumes in the region are encrypted",
        why="a new volume or snapshot copy made without the flag is stored in the clear",
        unset_ok=True,  # the provider's default is enabled=true
    )


@rules.resource(
    name="s3-account-public-access-block",
    description="A declared account-wide S3 public access block sets all four flags. "
    "Security Hub S3.1.",
    severity=Severity.HIGH,
    fix="Set block_public_acls, block_public_policy, ignore_public_acls and "
    "restrict_public_buckets to True on aws.s3.AccountPublicAccessBlock.",
    types=(S3_ACCOUNT_PUBLIC_ACCESS_BLOCK,),
)
def account_public_access_block(check: ResourceCheck) -> None:
    for flag in ACCOUNT_FLAGS:
        require_flag(
            check,
            flag,
            key=None,
            claim="no bucket of the account can be made public",
            why="a bucket of the account could be opened to the internet by an ACL or policy",
        )
