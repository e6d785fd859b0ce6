"""Thresholds and database settings per stack as the real stack files set
them: prod runs on the defaults (AWS's recommended alarms, declared in
Pulumi.yaml), dev loosens them in Pulumi.dev.yaml. Read from the files, so the
tests follow the stacks."""

from __future__ import annotations

from typing import Any

from bastion_db.checks.model import DatabaseSettings
from bastion_db.checks.monitoring import MonitoringSettings, parse_monitoring
from settings import load_settings
from settings.package_args import package_args
from settings.reader import ConfigReader
from settings.schema import project_schema
from tests.conftest import stack_config


def stack_thresholds(stack: str) -> MonitoringSettings:
    values = stack_config(stack)
    return parse_monitoring(
        ConfigReader(lambda key: values.get(f"bastion-db:{key}"), "bastion-db"), stack
    )


PROFILES = {"dev": stack_thresholds("dev"), "prod": stack_thresholds("prod")}


def stack_database(stack: str) -> DatabaseSettings:
    values = stack_config(stack)
    return load_settings(
        ConfigReader(lambda key: values.get(f"bastion-db:{key}"), "bastion-db"),
        project="bastion-db",
        stack=stack,
        aws_region=values.get("aws:region"),
    ).database


DATABASES = {"dev": stack_database("dev"), "prod": stack_database("prod")}


def stack_arguments(stack: str) -> dict[str, Any]:
    """The stack file as BastionDatabase's arguments, as the stack program hands them."""
    values = stack_config(stack)
    reader = ConfigReader(lambda key: values.get(f"bastion-db:{key}"), "bastion-db")
    checked = load_settings(
        reader, project="bastion-db", stack=stack, aws_region=values.get("aws:region")
    )
    return package_args(reader, project_schema(), checked)


STACK_ARGUMENTS = {"dev": stack_arguments("dev"), "prod": stack_arguments("prod")}
