"""The checks of a piece used alone (the database without a bastion, the
monitoring of a database...): its options are BastionDatabase's arguments of
the same names, read through :class:`ArgumentsReader` by the same checks, so a
piece refuses what the whole product refuses, naming the argument."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields, replace
from typing import Any, cast, get_args

import pulumi

from bastion_db import aws_facts
from bastion_db.args import DEFAULTS, BastionDatabaseArgs
from bastion_db.checks import validate
from bastion_db.checks.arguments import ArgumentsReader
from bastion_db.checks.database import parse_database
from bastion_db.checks.errors import ArgumentName, ConfigError
from bastion_db.checks.load import parse_bastion, parse_network
from bastion_db.checks.model import (
    BastionSettings,
    DatabaseSettings,
    IpNetwork,
    KeyAlgorithm,
    NetworkSettings,
    Profile,
)
from bastion_db.checks.monitoring import MonitoringSettings, parse_monitoring

# How a message spells a setting named by its stack key: the argument's name
# for the package, 'bastion-db:<key>' for the stack program.
SettingName = Callable[[str], str]

ARGUMENTS: tuple[str, ...] = tuple(BastionDatabaseArgs.__annotations__)
# Arguments that are resources of your own, handed to the piece as its inputs.
BRING_YOUR_OWN = ("db_subnet_group_name", "db_security_group_ids")
# The database's options: every other db_* argument, the backups and the profile.
DATABASE_OPTIONS: tuple[str, ...] = (
    "profile",
    "backup_retention_days",
    *(name for name in ARGUMENTS if name.startswith("db_") and name not in BRING_YOUR_OWN),
)


# The monitoring's options: the alarm_* arguments and the database's.
MONITORING_OPTIONS: tuple[str, ...] = (
    *DATABASE_OPTIONS,
    *(name for name in ARGUMENTS if name.startswith("alarm_")),
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


def network_settings(args: Any) -> NetworkSettings:
    """An ExistingNetworkArgs (a dataclass) checked as the arguments of the same names."""
    values = {
        field.name: getattr(args, field.name) for field in fields(args) if field.name in ARGUMENTS
    }
    # A tuple is as good as a list here (the reader takes lists, as config gives them).
    listed = {name: list(v) if isinstance(v, tuple) else v for name, v in values.items()}
    return parse_network(ArgumentsReader(listed, DEFAULTS))


def bastion_settings(
    instance_type: str, root_volume_gib: int, ami_id: str | None, region: str
) -> BastionSettings:
    """The Bastion's own fields, checked as the bastion_* arguments."""
    names = {
        "bastionInstanceType": "instance_type",
        "bastionRootVolumeGib": "root_volume_gib",
        "bastionAmiId": "ami_id",
    }
    values = {"instance_type": instance_type, "root_volume_gib": root_volume_gib, "ami_id": ami_id}
    return parse_bastion(ArgumentsReader(values, {}, names), region)


def ssh_networks(cidrs: Iterable[str], allow_anywhere: bool) -> tuple[IpNetwork, ...]:
    """ssh_allowed_cidrs as the checks take them: the whole internet only when
    allow_ssh_from_anywhere says so."""
    key = ArgumentName("ssh_allowed_cidrs")
    networks = tuple(validate.cidr(key, str(cidr)) for cidr in cidrs)
    open_to_all = [str(n) for n in networks if validate.is_whole_internet(n)]
    if open_to_all and not allow_anywhere:
        raise ConfigError(
            key, open_to_all, "named CIDRs; the whole internet needs allow_ssh_from_anywhere=True"
        )
    return networks


def key_algorithm(algorithm: str) -> KeyAlgorithm:
    key = ArgumentName("algorithm")
    return cast(KeyAlgorithm, validate.one_of(key, algorithm.upper(), get_args(KeyAlgorithm)))


def monitoring_settings(
    options: Mapping[str, Any], region: str, setting_name: SettingName
) -> tuple[DatabaseSettings, MonitoringSettings]:
    """The database the alarms are sized for, and the alarms' own settings;
    their warnings spell settings with ``setting_name``."""
    reader = options_reader(options, MONITORING_OPTIONS)
    profile = profile_of(reader)
    monitoring = replace(parse_monitoring(reader, profile), setting_name=setting_name)
    return parse_database(reader, profile, region), monitoring
