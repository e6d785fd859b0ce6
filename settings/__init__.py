"""Stack configuration, read and validated in one place.

Components receive :class:`StackSettings`; only :func:`from_pulumi` touches
``pulumi.Config``. ``Pulumi.yaml``'s ``config:`` block (:mod:`settings.schema`)
declares every key, its type and its default.
"""

from __future__ import annotations

from typing import Any

import pulumi

from bastion_db.checks.errors import ConfigError
from bastion_db.checks.load import load_settings
from bastion_db.checks.model import StackSettings
from settings.check import check_config
from settings.package_args import package_args
from settings.reader import ConfigReader
from settings.schema import ConfigSchema, ProjectFileError, project_schema

__all__ = [
    "ConfigError",
    "ConfigReader",
    "ConfigSchema",
    "ProjectFileError",
    "StackSettings",
    "engine_config",
    "from_pulumi",
    "load_settings",
]


def from_pulumi() -> tuple[StackSettings, dict[str, Any]]:
    """Settings of the stack being deployed, from the engine's configuration,
    and the same as the package's arguments (settings.package_args)."""
    project = pulumi.get_project()
    schema = project_schema()
    check_config(schema, engine_config(), project, pulumi.runtime.is_config_secret)
    reader = ConfigReader(pulumi.Config(project).get, project, schema)
    checked = load_settings(
        reader,
        project=project,
        stack=pulumi.get_stack(),
        aws_region=pulumi.Config("aws").get("region"),
    )
    return checked, package_args(reader, schema, checked)


def engine_config() -> dict[str, str]:
    """Every configuration key the engine handed this run, with its value.

    Under ``pulumi up`` the language host passes the configuration in the
    ``PULUMI_CONFIG`` environment variable, and the SDK's runner loads it into
    ``pulumi.runtime.config.CONFIG`` with ``set_all_config``
    (pulumi/pulumi, ``sdk/python/cmd/pulumi-language-python-exec``); the SDK's
    mocks and the Automation API call ``set_all_config`` themselves, leaving the
    variable unset. ``pulumi.Config`` reads the same two places, so reading both
    sees exactly the keys the program can.
    """
    configured = {**pulumi.runtime.get_config_env(), **pulumi.runtime.config.CONFIG.get()}
    return {str(key): str(value) for key, value in configured.items()}
