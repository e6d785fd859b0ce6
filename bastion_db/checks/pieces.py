"""The checks of a piece used alone (the database without a bastion, the
monitoring of a database...): its options are BastionDatabase's arguments of
the same names, read through :class:`ArgumentsReader` by the same checks, so a
piece refuses what the whole product refuses, naming the argument."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast, get_args

import pulumi

from bastion_db import aws_facts
from bastion_db.args import DEFAULTS, BastionDatabaseArgs
from bastion_db.checks import validate
from bastion_db.checks.arguments import ArgumentsReader
from bastion_db.checks.database import parse_database
from bastion_db.checks.errors import ArgumentName, ConfigError
from bastion_db.checks.model import DatabaseSettings, Profile

ARGUMENTS: tuple[str, ...] = tuple(BastionDatabaseArgs.__annotations__)
# Arguments that are resources of your own, handed to the piece as its inputs.
BRING_YOUR_OWN = ("db_subnet_group_name", "db_security_group_ids")
# The database's options: every other db_* argument, the backups and the profile.
DATABASE_OPTIONS: tuple[str, ...] = (
    "profile",
    "backup_retention_days",
    *(name for name in ARGUMENTS if name.startswith("db_") and name not in BRING_YOUR_OWN),
)


def options_reader(options: Mapping[str, Any], accepted: Iterable[str]) -> ArgumentsReader:
    """A reader of ``options``; a name the piece does not take is refused, not ignored."""
    allowed = set(accepted)
    for name in options:
        if name not in allowed:
            raise ConfigError(
                ArgumentName(name),
                options[name],
                "an option of this piece: " + ", ".join(sorted(allowed)),
            )
    return ArgumentsReader(options, DEFAULTS)


def profile_of(reader: ArgumentsReader) -> Profile:
    profiles = get_args(Profile)
    value = reader.string("profile") or "prod"
    return cast(Profile, validate.one_of(reader.full_key("profile"), value, profiles))


def region_of(region: str | None) -> str:
    """The ``region`` argument, else the program's aws:region; one AWS has."""
    chosen = region or pulumi.Config("aws").get("region")
    regions = aws_facts.regions()
    if chosen not in regions:
        raise ConfigError(
            ArgumentName("region"),
            chosen,
            "an AWS region (or aws:region set): " + ", ".join(sorted(regions)),
        )
    return chosen


def name_argument(argument: str, value: str) -> str:
    """A physical name's prefix, by the same rule as the stack's names."""
    return validate.matching(ArgumentName(argument), value, validate.NAME, validate.NAME_ACCEPTED)


def database_settings(options: Mapping[str, Any], region: str) -> DatabaseSettings:
    reader = options_reader(options, DATABASE_OPTIONS)
    return parse_database(reader, profile_of(reader), region)
