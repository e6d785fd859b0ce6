"""The stack outputs `verify` needs, read from `pulumi stack output --json
--show-secrets` and checked before anything runs."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Any, Literal

from verify.conninfo import parse_conninfo

Engine = Literal["postgres", "mysql"]
AccessMode = Literal["ssh", "ssm"]

# What `pulumi stack output --json` prints for a secret without --show-secrets.
SECRET_PLACEHOLDER = "[secret]"


class BadInput(Exception):
    """The outputs cannot be verified as given: what is wrong and what to do."""


@dataclass(frozen=True)
class StackOutputs:
    engine: Engine
    mode: AccessMode
    db_host: str
    db_port: int
    db_name: str
    master_username: str
    # None when RDS manages the password in Secrets Manager (dbMasterSecretArn).
    master_password: str | None
    master_secret_arn: str | None
    # The printed commands, word-split as a POSIX shell would split them.
    client_command: list[str]
    tunnel_command: list[str]
    ssh_private_key: str | None
    # The database user for IAM sign-ins; None when IAM authentication is off.
    iam_username: str | None
    # The printed `aws rds generate-db-auth-token ...`, for iam_username.
    auth_token_command: list[str] | None
    # The region the printed aws commands name, if any does.
    region: str | None


def parse_outputs(text: str) -> StackOutputs:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadInput(
            f"the outputs are not JSON ({error.msg}, line {error.lineno}); "
            "pipe in `pulumi stack output --json --show-secrets`"
        ) from None
    if not isinstance(raw, dict):
        raise BadInput(
            "the outputs are not a JSON object of output names; "
            "pipe in `pulumi stack output --json --show-secrets`"
        )
    return _from_mapping(raw)


def _from_mapping(raw: dict[str, Any]) -> StackOutputs:
    client_command = _command(raw, "dbClientCommand")
    engine = _engine_of(client_command)
    if engine == "postgres":
        _check_conninfo(client_command)
    if "sshTunnelCommand" in raw:
        mode: AccessMode = "ssh"
        tunnel_command = _command(raw, "sshTunnelCommand")
        if tunnel_command[0] != "ssh":
            raise BadInput(f"sshTunnelCommand does not run ssh: {raw['sshTunnelCommand']!r}")
    elif "ssmPortForwardCommand" in raw:
        mode = "ssm"
        tunnel_command = _command(raw, "ssmPortForwardCommand")
        if tunnel_command[:3] != ["aws", "ssm", "start-session"]:
            raise BadInput(
                "ssmPortForwardCommand does not run `aws ssm start-session`: "
                f"{raw['ssmPortForwardCommand']!r}"
            )
    else:
        raise BadInput(
            "the outputs have neither sshTunnelCommand (accessMode ssh) nor "
            "ssmPortForwardCommand (accessMode ssm); are these this project's outputs?"
        )
    auth_token_command = None
    if "dbAuthTokenCommand" in raw:
        auth_token_command = _command(raw, "dbAuthTokenCommand")
        if auth_token_command[:3] != ["aws", "rds", "generate-db-auth-token"]:
            raise BadInput(
                "dbAuthTokenCommand does not run `aws rds generate-db-auth-token`: "
                f"{raw['dbAuthTokenCommand']!r}"
            )
    password = _optional_text(raw, "dbMasterPassword")
    if password is None and "dbMasterSecretArn" not in raw:
        raise BadInput("the outputs have neither dbMasterPassword nor dbMasterSecretArn")
    return StackOutputs(
        engine=engine,
        mode=mode,
        db_host=_text(raw, "dbHost"),
        db_port=_port(raw, "dbPort"),
        db_name=_text(raw, "dbName"),
        master_username=_text(raw, "dbMasterUsername"),
        master_password=password,
        master_secret_arn=_optional_text(raw, "dbMasterSecretArn"),
        client_command=client_command,
        tunnel_command=tunnel_command,
        ssh_private_key=_optional_text(raw, "sshPrivateKey"),
        iam_username=_optional_text(raw, "dbIamUsername"),
        auth_token_command=auth_token_command,
        region=_region_of(
            tunnel_command,
            auth_token_command or [],
            _command(raw, "dbMasterPasswordCommand") if "dbMasterPasswordCommand" in raw else [],
        ),
    )


def _text(raw: dict[str, Any], key: str) -> str:
    if key not in raw:
        raise BadInput(f"the outputs have no {key}; are these this project's outputs?")
    value = raw[key]
    if not isinstance(value, str) or not value:
        raise BadInput(f"output {key} is {value!r}; expected a non-empty string")
    if value == SECRET_PLACEHOLDER:
        raise BadInput(
            f"output {key} is hidden ({SECRET_PLACEHOLDER}); "
            "run `pulumi stack output --json --show-secrets`"
        )
    return value


def _optional_text(raw: dict[str, Any], key: str) -> str | None:
    return _text(raw, key) if key in raw else None


def _port(raw: dict[str, Any], key: str) -> int:
    if key not in raw:
        raise BadInput(f"the outputs have no {key}; are these this project's outputs?")
    value = raw[key]
    # The CLI prints numbers as numbers; accept digits in a string as well.
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise BadInput(f"output {key} is {value!r}; expected a port number, 1-65535")
    return value


def _command(raw: dict[str, Any], key: str) -> list[str]:
    text = _text(raw, key)
    try:
        words = shlex.split(text)
    except ValueError as error:
        raise BadInput(f"output {key} is not a shell command ({error}): {text!r}") from None
    if not words:
        raise BadInput(f"output {key} is empty")
    return words


def _engine_of(client_command: list[str]) -> Engine:
    program = client_command[0].rsplit("/", 1)[-1]
    if program == "psql":
        return "postgres"
    if program in ("mysql", "mariadb"):
        return "mysql"
    raise BadInput(
        f"dbClientCommand runs {client_command[0]!r}; expected psql (PostgreSQL) or mysql (MySQL)"
    )


def _check_conninfo(client_command: list[str]) -> None:
    for word in client_command[1:]:
        if "=" in word and not word.startswith("-"):
            try:
                parse_conninfo(word)
            except ValueError as error:
                raise BadInput(f"dbClientCommand: {error}") from None


def _region_of(*commands: list[str]) -> str | None:
    """The first `--region R` of the printed aws commands (ssm, token, secret)."""
    for command in commands:
        for index, word in enumerate(command[:-1]):
            if word == "--region":
                return command[index + 1]
    return None
