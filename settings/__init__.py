"""Stack configuration, read and validated in one place.

Components receive :class:`StackSettings`; only :func:`from_pulumi` touches
``pulumi.Config``.
"""

from __future__ import annotations

import pulumi

from settings.errors import ConfigError
from settings.load import load_settings
from settings.model import StackSettings
from settings.reader import ConfigReader

__all__ = ["ConfigError", "ConfigReader", "StackSettings", "from_pulumi", "load_settings"]


def from_pulumi() -> StackSettings:
    """Settings of the stack being deployed, from the engine's configuration."""
    project = pulumi.get_project()
    return load_settings(
        ConfigReader(pulumi.Config(project).get, project),
        project=project,
        stack=pulumi.get_stack(),
        aws_region=pulumi.Config("aws").get("region"),
    )
