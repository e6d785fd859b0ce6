"""The stack outputs `verify` needs, read from `pulumi stack output --json
--show-secrets` and checked before anything runs: the `connection` output's
facts, from which verify builds each command as the stack built the printed
ones (bastion_db/connection.py), and the secrets, which it keeps apart."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bastion_db.connection import AccessMode, Connection, Engine

# What `pulumi stack output --json` prints for a secret without --show-secrets.
SECRET_PLACEHOLDER = "[secret]"


class BadInput(Exception):
    """The outputs cannot be verified as given: what is wrong and what to do."""


@dataclass(frozen=True)
class StackOutputs:
    connection: Connection
    # None when RDS manages the password in Secrets Manager (dbMasterSecretArn).
    master_password: str | None
    master_secret_arn: str | None
    ssh_private_key: str | None

    @property
    def engine(self) -> Engine:
        return self.connection.engine

    @property
    def mode(self) -> AccessMode:
        return self.connection.mode

    @property
    def db_host(self) -> str:
        return self.connection.host

    @property
    def db_port(self) -> int:
        return self.connection.port

    @property
    def master_username(self) -> str:
        return self.connection.master_username

    @property
    def iam_username(self) -> str | None:
        """The database user for IAM sign-ins; None when IAM authentication is off."""
        return self.connection.iam_username

    @property
    def region(self) -> str:
        return self.connection.region


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
    facts = raw.get("connection")
    if not isinstance(facts, dict):
        raise BadInput(
            f"the outputs have no connection object (got {facts!r}); are these this "
            "project's outputs? A stack deployed before it had one gets it at the next `pulumi up`"
        )
    try:
        connection = Connection.from_output(facts)
    except ValueError as error:
        raise BadInput(str(error)) from None
    password = _optional_text(raw, "dbMasterPassword")
    if password is None and "dbMasterSecretArn" not in raw:
        raise BadInput("the outputs have neither dbMasterPassword nor dbMasterSecretArn")
    return StackOutputs(
        connection=connection,
        master_password=password,
        master_secret_arn=_optional_text(raw, "dbMasterSecretArn"),
        ssh_private_key=_optional_text(raw, "sshPrivateKey"),
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
