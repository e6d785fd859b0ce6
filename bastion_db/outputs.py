"""The stack's outputs: what the lab exported, plus the commands to connect."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any
from urllib.parse import quote

import pulumi

from bastion_db.bastion import Bastion
from bastion_db.checks.model import StackSettings
from bastion_db.connection import (
    BASTION_USER,
    MYSQL_LOCAL_HOST,
    POSTGRES_LOCAL_HOST,
    Connection,
    Engine,
    auth_token,
    client,
    client_for,
    mysql_target,
    printed,
    ssh_tunnel,
    ssm_port_forward,
)
from bastion_db.database import Database
from bastion_db.database_access import DatabaseAccess
from bastion_db.monitoring import DatabaseMonitoring
from bastion_db.network import ExistingNetwork
from bastion_db.operator_access import OperatorAccess
from bastion_db.session_preferences import SessionPreferences
from bastion_db.ssh_key import SshKey


def key_file_name(settings: StackSettings) -> str:
    return f"{settings.name_prefix}-bastion.pem"


def write_key_command(settings: StackSettings) -> str:
    """Writes the private key to a file only its owner can read, never world-readable
    even for a moment (umask before the redirect, then read-only). A file left by
    an earlier run is removed first: being 0400, it cannot be written over."""
    path = key_file_name(settings)
    return (
        f"rm -f {path} && (umask 077; pulumi stack output sshPrivateKey --show-secrets > {path}) "
        f"&& chmod 0400 {path}"
    )


def iam_client_command(connection: Connection, token_command: str) -> str:
    """Signs in through the tunnel with a fresh IAM token as the password. MySQL's
    client sends it only with the cleartext plugin, which is why TLS is required
    (UsingWithRDS.IAMDBAuth.Connecting.AWSCLI.html)."""
    user = str(connection.iam_username)
    if connection.engine == "postgres":
        return f'PGPASSWORD="$({token_command})" ' + printed(client(connection, user))
    command = printed(
        [
            "mysql",
            "--ssl-mode=REQUIRED",
            "--enable-cleartext-plugin",
            *mysql_target(connection, user),
        ]
    )
    return f'{command} --password="$({token_command})" {connection.database_name}'


def read_master_password_command(region: str, secret_arn: str) -> str:
    """Prints the master password RDS keeps in Secrets Manager, as it is now:
    after a rotation the old one stops working, so read it, never copy it."""
    return (
        f"aws secretsmanager get-secret-value --region {region} --secret-id {secret_arn} "
        "--query SecretString --output text | jq -r .password"
    )


def ssm_shell_command(region: str, instance_id: str, document: str) -> str:
    """A shell on the bastion with the stack's own session document: bounded and
    logged whatever the account's default preferences say."""
    return (
        f"aws ssm start-session --region {region} --target {instance_id} --document-name {document}"
    )


def connection_uri(settings: StackSettings, user: str, password: str, database_name: str) -> str:
    db = settings.database
    credentials = f"{quote(user, safe='')}:{quote(password, safe='')}"
    if db.engine.name == "postgres":
        return (
            f"postgresql://{credentials}@{POSTGRES_LOCAL_HOST}:{db.port}/{database_name}"
            "?sslmode=require"
        )
    return f"mysql://{credentials}@{MYSQL_LOCAL_HOST}:{db.port}/{database_name}?ssl-mode=REQUIRED"


def engine_of(settings: StackSettings) -> Engine:
    return "postgres" if settings.database.engine.name == "postgres" else "mysql"


def connection_facts(
    settings: StackSettings,
    host: str,
    database_name: str,
    master_username: str,
    bastion_instance_id: str,
    bastion_host: str | None,
    iam: bool,
) -> Connection:
    db = settings.database
    ssh = settings.access.mode == "ssh"
    # With the user's own key, ssh finds it where it always does (agent,
    # ~/.ssh); only a generated key is written to a file (writeSshKeyCommand).
    generated_key = ssh and not settings.access.ssh_public_key
    return Connection(
        engine=engine_of(settings),
        mode="ssh" if ssh else "ssm",
        region=settings.region,
        host=host,
        port=db.port,
        database_name=database_name,
        master_username=master_username,
        bastion_instance_id=bastion_instance_id,
        bastion_host=bastion_host if ssh else None,
        bastion_user=BASTION_USER if ssh else None,
        key_file=key_file_name(settings) if generated_key else None,
        iam_username=str(db.iam_username) if iam else None,
    )


def replica_local_port(port: int, number: int) -> int:
    """Replica ``number``'s local tunnel port: the ports right after the primary's,
    so a tunnel to the primary and one to each replica can be open at once (the
    checks keep the last one a port: bastion_db/checks/database.py)."""
    return port + number


def replica_commands(connection: Connection, host: str, number: int) -> tuple[str, str]:
    """The tunnel to read replica ``number`` (at ``host``) through the bastion, and
    the client through that tunnel. A replica has the primary's users and
    databases (replication copies them), so only the host and local port differ."""
    replica = replace(connection, host=host)
    local = replica_local_port(connection.port, number)
    tunnel = (
        ssh_tunnel(replica, local) if connection.mode == "ssh" else ssm_port_forward(replica, local)
    )
    return printed(tunnel), printed(client(replica, local_port=local))


def _replica_commands(number: int, values: list[Any]) -> tuple[str, str]:
    return replica_commands(values[0], values[1], number)


def replica_outputs(connection: pulumi.Output[Connection], database: Database) -> dict[str, Any]:
    """Each read replica's host, tunnel and client command, lists in replica order
    (element 0 is replica 1); nothing without replicas."""
    if not database.replicas:
        return {}
    hosts = [replica.address for replica in database.replicas]
    commands = [
        pulumi.Output.all(connection, host).apply(functools.partial(_replica_commands, number))
        for number, host in enumerate(hosts, start=1)
    ]
    return {
        "dbReplicaHosts": pulumi.Output.all(*hosts),
        "dbReplicaTunnelCommands": pulumi.Output.all(*(c.apply(lambda t: t[0]) for c in commands)),
        "dbReplicaClientCommands": pulumi.Output.all(*(c.apply(lambda t: t[1]) for c in commands)),
    }


def connection_outputs(
    settings: StackSettings,
    bastion: Bastion,
    database: Database,
    ssh_key: SshKey | None,
    monitoring: DatabaseMonitoring,
    access: DatabaseAccess | None = None,
    network: ExistingNetwork | None = None,
    preferences: SessionPreferences | None = None,
    operators: OperatorAccess | None = None,
) -> dict[str, Any]:
    """What a user connects with, by stack output name; the component sets each
    as an attribute (snake case) and the stack program exports them."""
    db = settings.database
    outputs: dict[str, Any] = {}
    export = outputs.__setitem__
    ssh = settings.access.mode == "ssh"
    # The facts every connection command is built from, exported as they are.
    connection = pulumi.Output.all(
        database.address,
        database.database_name,
        database.master_username,
        bastion.instance_id,
        bastion.public_dns if ssh else None,
    ).apply(lambda v: connection_facts(settings, v[0], v[1], v[2], v[3], v[4], access is not None))
    export("connection", connection.apply(lambda c: c.to_output()))
    if settings.access.mode == "ssh":
        # ssm mode: the bastion has no public address, hence no public name.
        export("bastionPublicDns", bastion.public_dns)
    export("bastionInstanceId", bastion.instance_id)
    if network is not None:
        export("bastionSubnetId", network.bastion_subnet_id)
        export("bastionNetworkPath", network.ssm_path)
    export("dbHost", database.address)
    export("dbPort", database.port)
    export("dbName", database.database_name)
    export("dbMasterUsername", database.master_username)
    export("dbResourceId", database.resource_id)
    if database.master_password is not None:
        export("dbMasterPassword", database.master_password)
        export(
            "dbConnectionUri",
            pulumi.Output.secret(
                pulumi.Output.all(
                    database.master_username, database.master_password, database.database_name
                ).apply(lambda v: connection_uri(settings, v[0], v[1], v[2]))
            ),
        )
    if database.master_secret_arn is not None:
        # Secrets Manager mode: no password in the stack at all; whoever needs it
        # reads the current one from the secret (and needs secretsmanager:GetSecretValue).
        export("dbMasterSecretArn", database.master_secret_arn)
        export(
            "dbMasterPasswordCommand",
            database.master_secret_arn.apply(
                lambda arn: read_master_password_command(settings.region, arn)
            ),
        )
    if access is not None:
        export("dbIamUsername", db.iam_username)
        export("dbIamConnectPolicyArn", access.policy_arn)
        export("dbAuthTokenCommand", connection.apply(lambda c: printed(auth_token(c))))
        export(
            "dbIamClientCommand",
            connection.apply(lambda c: iam_client_command(c, printed(auth_token(c)))),
        )

    if ssh:
        export("sshTunnelCommand", connection.apply(lambda c: printed(ssh_tunnel(c))))
        if ssh_key is not None and ssh_key.private_key_openssh is not None:
            export("sshPrivateKey", ssh_key.private_key_openssh)
            export("writeSshKeyCommand", write_key_command(settings))
    else:
        export("ssmPortForwardCommand", connection.apply(lambda c: printed(ssm_port_forward(c))))
        if preferences is not None:
            export(
                "ssmShellCommand",
                pulumi.Output.all(bastion.instance_id, preferences.shell_document_name).apply(
                    lambda v: ssm_shell_command(settings.region, v[0], v[1])
                ),
            )
            export("ssmSessionLogGroup", preferences.log_group_name)
        if operators is not None:
            export("ssmOperatorPolicyArn", operators.policy_arn)
    # From the facts a preview knows already, so `pulumi preview` shows it.
    engine = engine_of(settings)
    export(
        "dbClientCommand",
        pulumi.Output.all(database.master_username, database.database_name).apply(
            lambda v: printed(client_for(engine, db.port, v[1], v[0]))
        ),
    )
    outputs.update(replica_outputs(connection, database))
    export("alarmTopicArn", monitoring.topic_arn)
    export("dashboardUrl", monitoring.dashboard_url)
    return outputs
