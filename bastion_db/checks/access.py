"""How people reach the bastion: SSH from named networks, or Session Manager."""

from __future__ import annotations

from typing import cast

from bastion_db.checks import validate
from bastion_db.checks.database import LOG_RETENTION_DAYS
from bastion_db.checks.errors import ConfigError
from bastion_db.checks.model import (
    AccessMode,
    AccessSettings,
    KeyAlgorithm,
    SessionSettings,
    SsmVpcEndpoints,
)
from bastion_db.checks.reader import ConfigReader

SSM_VPC_ENDPOINTS: tuple[SsmVpcEndpoints, ...] = ("none", "create", "existing")
# Session document schema, inputs idleSessionTimeout (1-60 minutes) and
# maxSessionDuration (1-1440 minutes):
# https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-schema.html
# (the API's Session.MaxSessionDuration pattern allows 1 to 1440 as well,
# https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_Session.html).
IDLE_TIMEOUT_MINUTES = (1, 60)
MAX_SESSION_MINUTES = (1, 1440)


def parse_access(reader: ConfigReader, profile: str) -> AccessSettings:
    key = reader.full_key
    mode = cast(
        AccessMode,
        validate.one_of(key("accessMode"), reader.string("accessMode") or "", ("ssh", "ssm")),
    )
    raw_cidrs = reader.string_list("sshAllowedCidrs")
    if mode == "ssm" and raw_cidrs:
        raise ConfigError(
            key("sshAllowedCidrs"),
            raw_cidrs,
            "no value in accessMode 'ssm' (Session Manager needs no inbound SSH at all)",
        )
    if mode == "ssh" and not raw_cidrs:
        raise ConfigError(
            key("sshAllowedCidrs"),
            None,
            "at least one CIDR allowed to SSH to the bastion, e.g. your office or VPN "
            "range 203.0.113.0/24 (or accessMode 'ssm')",
        )
    cidrs = tuple(validate.cidr(key("sshAllowedCidrs"), value) for value in raw_cidrs)
    open_to_all = [str(c) for c in cidrs if validate.is_whole_internet(c)]
    if open_to_all:
        if profile == "prod":
            raise ConfigError(
                key("sshAllowedCidrs"),
                open_to_all,
                "named CIDRs only: a prod bastion is never open to the whole internet",
            )
        if not reader.boolean("allowSshFromAnywhere"):
            raise ConfigError(
                key("sshAllowedCidrs"),
                open_to_all,
                "named CIDRs; SSH from the whole internet needs "
                f"{key('allowSshFromAnywhere')}: true (never in prod)",
            )
    algorithm = cast(
        KeyAlgorithm,
        validate.one_of(
            key("sshKeyAlgorithm"),
            (reader.string("sshKeyAlgorithm") or "").upper(),
            ("ED25519", "RSA"),
        ),
    )
    public_key = reader.string("sshPublicKey")
    if public_key is not None:
        if mode == "ssm":
            raise ConfigError(key("sshPublicKey"), "(a key)", "no value in accessMode 'ssm'")
        public_key = validate.ssh_public_key(key("sshPublicKey"), public_key)
    return AccessSettings(
        mode=mode,
        ssh_allowed_cidrs=cidrs,
        key_algorithm=algorithm,
        ssh_public_key=public_key,
        session=_session(reader) if mode == "ssm" else _no_session(reader),
    )


def _session(reader: ConfigReader) -> SessionSettings:
    key = reader.full_key
    endpoints = cast(
        SsmVpcEndpoints,
        validate.one_of(
            key("ssmVpcEndpoints"), reader.string("ssmVpcEndpoints") or "", SSM_VPC_ENDPOINTS
        ),
    )
    idle = validate.in_range(
        key("ssmIdleTimeoutMinutes"),
        reader.integer("ssmIdleTimeoutMinutes") or 0,
        *IDLE_TIMEOUT_MINUTES,
        "minutes",
    )
    longest = validate.in_range(
        key("ssmMaxSessionMinutes"),
        reader.integer("ssmMaxSessionMinutes") or 0,
        *MAX_SESSION_MINUTES,
        "minutes",
    )
    if longest < idle:
        raise ConfigError(
            key("ssmMaxSessionMinutes"),
            longest,
            f"at least {key('ssmIdleTimeoutMinutes')} ({idle}): a session may sit idle "
            "no longer than it may last",
        )
    retention = reader.integer("ssmSessionLogRetentionDays") or 0
    if retention not in LOG_RETENTION_DAYS:
        raise ConfigError(
            key("ssmSessionLogRetentionDays"),
            retention,
            "a CloudWatch Logs retention period: " + ", ".join(map(str, LOG_RETENTION_DAYS)),
        )
    return SessionSettings(
        vpc_endpoints=endpoints,
        idle_timeout_minutes=idle,
        max_session_minutes=longest,
        log_retention_days=retention,
        manage_session_preferences=reader.boolean("ssmManageSessionPreferences"),
    )


def _no_session(reader: ConfigReader) -> SessionSettings | None:
    """In ssh mode the bastion sits in a public subnet: endpoints for it would
    cost money and do nothing, so asking for them is a mistake worth naming."""
    endpoints = reader.string("ssmVpcEndpoints")
    if endpoints not in (None, "none"):
        raise ConfigError(
            reader.full_key("ssmVpcEndpoints"),
            endpoints,
            "'none' in accessMode 'ssh' (the bastion has a public address there)",
        )
    return None
