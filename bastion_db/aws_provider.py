"""The explicit AWS provider every resource of the stack goes through."""

from __future__ import annotations

import pulumi_aws as aws

from bastion_db.checks.model import resource_tags


def tagged_aws_provider(region: str, project: str, environment: str) -> aws.Provider:
    """A provider for the region whose default tags reach every taggable
    resource, so Project/Environment/ManagedBy are set once and cannot be
    forgotten (the policy pack's required-tags rule asks for them). Plain
    values: the stack program and any program built on the package use it."""
    return aws.Provider(
        "aws",
        region=region,
        default_tags=aws.ProviderDefaultTagsArgs(tags=resource_tags(project, environment)),
    )
