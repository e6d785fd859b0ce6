"""The S3 bucket behind Pulumi's self-managed ("DIY") state backend.

Pulumi keeps every stack's checkpoint, its update history and, while an update
runs, the stack's lock file under ``.pulumi/`` in this bucket. So the bucket
gets what the lab gave its Terraform state bucket, in pulumi-aws 7's
one-resource-per-setting style:

- versioning, so a damaged or deleted checkpoint can be restored;
- default encryption with SSE-KMS under the AWS managed key ``aws/s3`` (why:
  every read of a state file shows up in CloudTrail as a KMS call, there is no
  key to own or rotate, and the key policy of ``aws/s3`` already lets the
  account's S3 callers use it, so the backend's four S3 permissions stay
  enough; the S3 Bucket Key keeps the KMS request count down);
- all four public access blocks, and ACLs switched off (BucketOwnerEnforced);
- a bucket policy that refuses any request not made over TLS 1.2 or later;
- a lifecycle rule that expires old versions after N days, removes the delete
  markers left behind (each update writes and deletes a lock file) and aborts
  abandoned multipart uploads.

Every resource is protected: the bucket because it holds all state, its
settings because deleting one through Pulumi would quietly undo it (deleting
the versioning resource suspends versioning). A change that needs one of them
gone fails loudly instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from pulumi_aws.s3 import (
    BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs as AbortUploadsArgs,
)
from pulumi_aws.s3 import (
    BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs as ExpireOldVersionsArgs,
)
from pulumi_aws.s3 import (
    BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs as EncryptByDefaultArgs,  # noqa: E501
)

# An upload left incomplete never becomes state; a week outlasts any upload
# that is still going.
ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS = 7
# TLS versions older than this are refused, not only plain HTTP.
MINIMUM_TLS_VERSION = 1.2


@dataclass
class StateBucketArgs:
    """What the state bucket is made from."""

    # Globally unique bucket name; the backend URL is s3://<bucket_name>.
    bucket_name: pulumi.Input[str]
    # Days a replaced or deleted state object stays recoverable before S3 removes it.
    noncurrent_version_days: pulumi.Input[int]


def tls_only_policy(bucket_arn: str) -> str:
    """The bucket policy: deny every S3 action over plain HTTP or outdated TLS."""
    targets = [bucket_arn, f"{bucket_arn}/*"]
    statements = [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": targets,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "DenyOutdatedTls",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": targets,
            "Condition": {"NumericLessThan": {"s3:TlsVersion": MINIMUM_TLS_VERSION}},
        },
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2)


class StateBucket(pulumi.ComponentResource):
    """An S3 bucket fit to hold Pulumi state, with its protective settings."""

    bucket_name: pulumi.Output[str]
    backend_url: pulumi.Output[str]
    login_command: pulumi.Output[str]

    def __init__(
        self, name: str, args: StateBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("bastiondb:state:StateBucket", name, None, opts)
        guarded = pulumi.ResourceOptions(parent=self, protect=True)

        bucket = aws.s3.Bucket(
            name,
            aws.s3.BucketArgs(bucket=args.bucket_name, force_destroy=False),
            opts=guarded,
        )

        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            aws.s3.BucketVersioningInitArgs(
                bucket=bucket.id,
                versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                    status="Enabled",
                ),
            ),
            opts=guarded,
        )

        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            aws.s3.BucketServerSideEncryptionConfigurationInitArgs(
                bucket=bucket.id,
                rules=[
                    aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                        apply_server_side_encryption_by_default=EncryptByDefaultArgs(
                            # No key id: S3 uses the AWS managed key aws/s3.
                            sse_algorithm="aws:kms",
                        ),
                        bucket_key_enabled=True,
                    )
                ],
            ),
            opts=guarded,
        )

        public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            aws.s3.BucketPublicAccessBlockArgs(
                bucket=bucket.id,
                block_public_acls=True,
                block_public_policy=True,
                ignore_public_acls=True,
                restrict_public_buckets=True,
            ),
            opts=guarded,
        )

        aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            aws.s3.BucketOwnershipControlsArgs(
                bucket=bucket.id,
                rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            ),
            opts=guarded,
        )

        # The ARN from the configured name, not bucket.arn: that is only known
        # after creation, and the policy pack refuses a policy it cannot read
        # at preview (it could hide a missing TLS rule).
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self))
        known_arn = pulumi.Output.all(partition.partition, args.bucket_name).apply(
            lambda parts: f"arn:{parts[0]}:s3:::{parts[1]}"
        )
        aws.s3.BucketPolicy(
            f"{name}-tls-only",
            aws.s3.BucketPolicyArgs(bucket=bucket.id, policy=known_arn.apply(tls_only_policy)),
            # S3 rejects a policy write that races the public access block
            # write on the same bucket ("conflicting conditional operation").
            opts=pulumi.ResourceOptions.merge(
                guarded, pulumi.ResourceOptions(depends_on=[public_access_block])
            ),
        )

        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            aws.s3.BucketLifecycleConfigurationArgs(
                bucket=bucket.id,
                rules=[
                    aws.s3.BucketLifecycleConfigurationRuleArgs(
                        id="expire-old-state-versions",
                        status="Enabled",
                        # An empty filter is the whole bucket.
                        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(),
                        noncurrent_version_expiration=ExpireOldVersionsArgs(
                            noncurrent_days=args.noncurrent_version_days,
                        ),
                        expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                            expired_object_delete_marker=True,
                        ),
                        abort_incomplete_multipart_upload=AbortUploadsArgs(
                            days_after_initiation=ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS,
                        ),
                    )
                ],
            ),
            # Noncurrent-version rules only mean something once versioning is on.
            opts=pulumi.ResourceOptions.merge(
                guarded, pulumi.ResourceOptions(depends_on=[versioning])
            ),
        )

        self.bucket_name = bucket.bucket
        self.backend_url = bucket.bucket.apply(lambda bucket_name: f"s3://{bucket_name}")
        self.login_command = self.backend_url.apply(lambda url: f"pulumi login {url}")
        self.register_outputs(
            {
                "bucketName": self.bucket_name,
                "backendUrl": self.backend_url,
                "loginCommand": self.login_command,
            }
        )
