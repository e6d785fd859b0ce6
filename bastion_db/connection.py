"""How to reach the database, as facts: the engine, the endpoint, the users,
the access mode and the bastion. The stack exports them as one output
(`connection`), and every connection command is built from them here, both
the ones the stack prints and the ones `verify` runs. Nothing is printed
and then parsed back.

Pure: no Pulumi, so `verify` imports it on a laptop without the program's
dependencies at work.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Engine = Literal["postgres", "mysql"]
AccessMode = Literal["ssh", "ssm"]

# The user Amazon Linux's AMIs sign in with (EC2 User Guide, default user names:
# ec2-user for AL2023 and Amazon Linux 2),
# https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/managing-users.html
BASTION_USER = "ec2-user"
# The AWS-owned Session Manager document that forwards a local port to a host
# the instance reaches, https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-sessions-start.html
SSM_FORWARD_DOCUMENT = "AWS-StartPortForwardingSessionToRemoteHost"
# What the client on the laptop connects to: the local end of the tunnel. psql
# takes a name; MySQL's client reads `localhost` as its Unix socket, so an
# address.
POSTGRES_LOCAL_HOST = "localhost"
MYSQL_LOCAL_HOST = "127.0.0.1"


@dataclass(frozen=True)
class Connection:
    """What the stack knows about reaching its database; no secret in it."""

    engine: Engine
    mode: AccessMode
    region: str
    # The instance's endpoint address and listener port.
    host: str
    port: int
    database_name: str
    master_username: str
    bastion_instance_id: str
    # ssh mode: the bastion's public DNS name and the user to sign in as.
    bastion_host: str | None = None
    bastion_user: str | None = None
    # ssh mode with a generated key: the file writeSshKeyCommand writes it to.
    key_file: str | None = None
    # The database user for IAM sign-ins; None when IAM authentication is off.
    iam_username: str | None = None

    def to_output(self) -> dict[str, str | int]:
        """The stack output's value: camelCase keys, absent facts left out."""
        return {
            key: value
            for key, value in (
                ("engine", self.engine),
                ("accessMode", self.mode),
                ("region", self.region),
                ("host", self.host),
                ("port", self.port),
                ("databaseName", self.database_name),
                ("masterUsername", self.master_username),
                ("bastionInstanceId", self.bastion_instance_id),
                ("bastionHost", self.bastion_host),
                ("bastionUser", self.bastion_user),
                ("keyFile", self.key_file),
                ("iamUsername", self.iam_username),
            )
            if value is not None
        }

    @staticmethod
    def from_output(raw: Mapping[str, Any]) -> Connection:
        """The facts back from the output's value; ValueError naming the key
        that is missing or wrong, and what is accepted."""
        engine = _choice(raw, "engine", ("postgres", "mysql"))
        mode = _choice(raw, "accessMode", ("ssh", "ssm"))
        ssh = mode == "ssh"
        return Connection(
            engine=engine,  # type: ignore[arg-type]
            mode=mode,  # type: ignore[arg-type]
            region=_text(raw, "region"),
            host=_text(raw, "host"),
            port=_port(raw, "port"),
            database_name=_text(raw, "databaseName"),
            master_username=_text(raw, "masterUsername"),
            bastion_instance_id=_text(raw, "bastionInstanceId"),
            bastion_host=_text(raw, "bastionHost") if ssh else None,
            bastion_user=_text(raw, "bastionUser") if ssh else None,
            key_file=_text(raw, "keyFile") if "keyFile" in raw else None,
            iam_username=_text(raw, "iamUsername") if "iamUsername" in raw else None,
        )


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"connection.{key} is {value!r}; expected a non-empty string")
    return value


def _choice(raw: Mapping[str, Any], key: str, accepted: tuple[str, ...]) -> str:
    value = raw.get(key)
    if value not in accepted:
        raise ValueError(f"connection.{key} is {value!r}; expected one of {', '.join(accepted)}")
    return str(value)


def _port(raw: Mapping[str, Any], key: str) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise ValueError(f"connection.{key} is {value!r}; expected a port number, 1-65535")
    return value


def ssh_tunnel(connection: Connection, local_port: int | None = None) -> list[str]:
    """`ssh -N -f ... -L local:host:port user@bastion`. ExitOnForwardFailure:
    with the local port taken, ssh would go to the background anyway and the
    client would reach whatever holds the port."""
    identity = ["-i", connection.key_file] if connection.key_file else []
    local = connection.port if local_port is None else local_port
    return [
        "ssh",
        *identity,
        "-N",
        "-f",
        "-o",
        "ExitOnForwardFailure=yes",
        "-L",
        f"{local}:{connection.host}:{connection.port}",
        f"{connection.bastion_user}@{connection.bastion_host}",
    ]


def ssm_port_forward(connection: Connection, local_port: int | None = None) -> list[str]:
    """Session Manager forwards a local port to the database through the
    bastion, with no inbound rule and no SSH key. The document's parameters:
    host, portNumber, localPortNumber (each a list of strings)."""
    local = connection.port if local_port is None else local_port
    parameters = json.dumps(
        {
            "host": [connection.host],
            "portNumber": [str(connection.port)],
            "localPortNumber": [str(local)],
        },
        separators=(",", ":"),
    )
    return [
        "aws",
        "ssm",
        "start-session",
        "--region",
        connection.region,
        "--target",
        connection.bastion_instance_id,
        "--document-name",
        SSM_FORWARD_DOCUMENT,
        "--parameters",
        parameters,
    ]


def psql_conninfo(
    connection: Connection, user: str, local_port: int | None = None, sslmode: str = "require"
) -> str:
    """libpq's key=value connection string for the local end of the tunnel."""
    local = connection.port if local_port is None else local_port
    return _conninfo(local, connection.database_name, user, sslmode)


def _conninfo(port: int, database_name: str, user: str, sslmode: str) -> str:
    return (
        f"host={POSTGRES_LOCAL_HOST} port={port} dbname={database_name} "
        f"user={user} sslmode={sslmode}"
    )


def client(
    connection: Connection, user: str | None = None, local_port: int | None = None
) -> list[str]:
    """The engine's client, pointed at the local end of the tunnel, TLS required.
    ``local_port``: where the tunnel listens, the database's port unless given."""
    user = connection.master_username if user is None else user
    local = connection.port if local_port is None else local_port
    return client_for(connection.engine, local, connection.database_name, user)


def client_for(engine: Engine, port: int, database_name: str, user: str) -> list[str]:
    """``client`` from only the facts it needs, which a preview already knows
    (the endpoint it does not). MySQL's client: --ssl-mode=REQUIRED (mysql
    5.7.11 and later) refuses to talk without TLS, as the server does; -p prompts."""
    if engine == "postgres":
        return ["psql", _conninfo(port, database_name, user, "require")]
    return [
        "mysql",
        "--ssl-mode=REQUIRED",
        "-h",
        MYSQL_LOCAL_HOST,
        "-P",
        str(port),
        "-u",
        user,
        "-p",
        database_name,
    ]


def mysql_target(connection: Connection, user: str, local_port: int | None = None) -> list[str]:
    """MySQL's client options for the local end of the tunnel, and the user."""
    local = connection.port if local_port is None else local_port
    return ["-h", MYSQL_LOCAL_HOST, "-P", str(local), "-u", user]


def auth_token(connection: Connection, user: str | None = None) -> list[str]:
    """Mints a 15-minute token for the IAM user. The token signs the instance's
    own host name and port, so it is the RDS endpoint here even when the client
    then connects to the local end of a tunnel,
    https://docs.aws.amazon.com/cli/latest/reference/rds/generate-db-auth-token.html"""
    user = connection.iam_username if user is None else user
    return [
        "aws",
        "rds",
        "generate-db-auth-token",
        "--region",
        connection.region,
        "--hostname",
        connection.host,
        "--port",
        str(connection.port),
        "--username",
        str(user),
    ]


# A word the shell reads as itself when double-quoted: spaces, but no
# expansion ($, `), no escapes (\) and no double quote.
_DOUBLE_QUOTABLE = re.compile(r'[^$`\\"]*')


def printed(words: Sequence[str]) -> str:
    """A command as the stack prints it, for a user to paste into a shell:
    bare words bare, a connection string in double quotes, JSON in single."""
    shown = []
    for word in words:
        if shlex.quote(word) == word:
            shown.append(word)
        elif _DOUBLE_QUOTABLE.fullmatch(word) and "'" not in word:
            shown.append(f'"{word}"')
        else:
            shown.append(shlex.quote(word))
    return " ".join(shown)
