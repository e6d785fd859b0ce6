"""Calls into pulumi_aws that the type checker must refuse, each silenced by
an ignore naming the error it expects. mypy runs with warn_unused_ignores
(pyproject.toml), so were it ever to stop checking calls into these services
(a followed module dropped from pyproject.toml's list, pulumi_aws skipped
whole, a stub that makes them Any), an ignore would go unused and `mypy`
fails on this file, naming the line. The calls are never made: nothing
imports this module."""

import pulumi_aws as aws


def _refused_calls() -> None:
    aws.ec2.SecurityGroup("sg", no_such_argument=1)  # type: ignore[call-overload]
    aws.rds.Instance("db", allocated_storage="twenty")  # type: ignore[call-overload]
