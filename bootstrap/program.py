"""The state-bucket program: configuration, one provider, one component, exports."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from bastion_db.checks.model import resource_tags
from bootstrap.account_settings import AccountSettings, AccountSettingsArgs
from bootstrap.state_bucket import StateBucket, StateBucketArgs
from bootstrap.state_config import PROJECT, load_state_backend_config
from settings.reader import ConfigReader

# The product the bucket belongs to: its Project tag, as on the main stacks.
PROJECT_TAG = "bastion-db"


def define_state_backend() -> StateBucket:
    """Declares the state bucket; validates all configuration before any resource."""
    config = load_state_backend_config(
        ConfigReader(pulumi.Config(PROJECT).get, PROJECT),
        ConfigReader(pulumi.Config("aws").get, "aws"),
        pulumi.get_stack(),
    )

    provider = aws.Provider(
        "aws",
        aws.ProviderArgs(
            region=config.region,
            # The product's tag set, once on the provider as the main program does.
            default_tags=aws.ProviderDefaultTagsArgs(
                tags=resource_tags(PROJECT_TAG, config.environment)
            ),
        ),
    )

    state = StateBucket(
        "state",
        StateBucketArgs(
            bucket_name=config.bucket_name,
            noncurrent_version_days=config.noncurrent_version_days,
        ),
        opts=pulumi.ResourceOptions(providers=[provider]),
    )

    AccountSettings(
        "account",
        AccountSettingsArgs(
            ebs_encryption_by_default=config.manage_ebs_encryption_by_default,
            s3_public_access_block=config.manage_s3_account_public_access_block,
        ),
        opts=pulumi.ResourceOptions(providers=[provider]),
    )

    pulumi.export("bucketName", state.bucket_name)
    pulumi.export("backendUrl", state.backend_url)
    pulumi.export("loginCommand", state.login_command)
    return state
