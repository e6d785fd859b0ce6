"""The benchmark's "program imports alone" times the services a run loaded,
not every service pulumi_aws names."""

from __future__ import annotations

from benchmarks.program_imports import loaded_services


def test_only_services_that_imported_their_own_modules_count() -> None:
    modules = [
        "pulumi",
        "pulumi_aws",
        # named by pulumi_aws/__init__.py, never loaded
        "pulumi_aws.s3",
        "pulumi_aws.get_region",
        # loaded: the service imported its modules
        "pulumi_aws.ec2",
        "pulumi_aws.ec2._inputs",
        "pulumi_aws.ec2.security_group",
        "pulumi_aws.rds.instance",
    ]
    assert loaded_services(modules) == ["ec2", "rds"]
