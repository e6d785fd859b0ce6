"""Stack configuration, read and validated in one place.

Components receive :class:`StackSettings`; only :func:`from_pulumi` touches
``pulumi.Config``. ``Pulumi.yaml``'s ``config:`` block (:mod:`settings.schema`)
declares every key, its type and its default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi

from bastion_db.checks.errors import ConfigError, ConfigErrors
from bastion_db.checks.every_error import STAND_INS, check_every_error
from bastion_db.checks.load import load_settings
from bastion_db.checks.model import StackSettings
from settings.check import check_config
from settings.package_args import package_args
from settings.reader import ConfigReader
from settings.schema import ConfigSchema, ProjectFileError, project_schema

__all__ = [
    "STAND_INS",
    "ConfigError",
    "ConfigErrors",
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
    and the same as the package's arguments (settings.package_args); every
    configuration error at once (bastion_db.checks.every_error) when any."""
    project = pulumi.get_project()
    schema = project_schema()
    configured = engine_config()
    read = pulumi.Config(project).get
    prefix = f"{project}:"

    def lookup(unset: frozenset[str]) -> Callable[[str], str | None]:
        # A refused key reads as unset, so as its default; one without a
        # default reads as a well-formed stand-in, only to look for more errors.
        return lambda key: STAND_INS.get(key) if key in unset else read(key)

    def check(unset: frozenset[str]) -> StackSettings:
        kept = {
            key: value
            for key, value in configured.items()
            if not (key.startswith(prefix) and key[len(prefix) :] in unset)
        }
        kept.update({prefix + key: STAND_INS[key] for key in unset if key in STAND_INS})
        check_config(schema, kept, project, pulumi.runtime.is_config_secret)
        return load_settings(
            ConfigReader(lookup(unset), project, schema),
            project=project,
            stack=pulumi.get_stack(),
            aws_region=pulumi.Config("aws").get("region"),
        )

    checked = check_every_error(
        check, lambda key: key[len(prefix) :] if key.startswith(prefix) else None
    )
    return checked, package_args(ConfigReader(read, project, schema), schema, checked)


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
