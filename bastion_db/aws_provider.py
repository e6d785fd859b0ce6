"""The explicit AWS provider every resource of the stack goes through."""

from __future__ import annotations

import pulumi_aws as aws

from bastion_db.checks.model import StackSettings


def tagged_aws_provider(settings: StackSettings) -> aws.Provider:
    """A provider for the stack's region whose default tags reach every taggable
    resource, so Project/Environment/ManagedBy are set once and cannot be forgotten."""
    return aws.Provider(
        "aws",
        region=settings.region,
        default_tags=aws.ProviderDefaultTagsArgs(tags=settings.tags),
    )
