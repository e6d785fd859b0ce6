"""The stack's outputs: what the lab exported, plus the commands to connect."""

from __future__ import annotations

import json
from urllib.parse import quote

import pulumi

from components.bastion import Bastion
from components.database import Database
from components.monitoring import DatabaseMonitoring
from components.ssh_key import SshKey
from settings import StackSettings

BASTION_USER = "ec2-user"


def key_file_name(settings: StackSettings) -> str:
    return f"{settings.name_prefix}-bastion.pem"


def write_key_command(settings: StackSettings) -> str:
    """Writes the private key to a file only its owner can read, never world-readable
    even for a moment (umask before the redirect, then read-only)."""
    path = key_file_name(settings)
    return (
        f"(umask 077; pulumi stack output sshPrivateKey --show-secrets > {path}) "
        f"&& chmod 0400 {path}"
    )


def client_command(settings: StackSettings) -> str:
    """The engine's client, pointed at the local end of the tunnel, TLS required."""
    db = settings.database
    if db.engine.name == "postgres":
        return (
            f'psql "host=localhost port={db.port} dbname={db.database_name} '
            f'user={db.master_username} sslmode=require"'
        )
    # --ssl-mode=REQUIRED: the client refuses to talk without TLS, as the server does
    # (require_secure_transport); MySQL's client, mysql 5.7.11 and later.
    return (
        f"mysql --ssl-mode=REQUIRED -h 127.0.0.1 -P {db.port} -u {db.master_username} "
        f"-p {db.database_name}"
    )


def ssm_port_forward_command(settings: StackSettings, instance_id: str, db_host: str) -> str:
    """Session Manager forwards a local port to the database through the bastion,
    with no inbound rule and no SSH key."""
    port = str(settings.database.port)
    parameters = json.dumps(
        {"host": [db_host], "portNumber": [port], "localPortNumber": [port]},
        separators=(",", ":"),
    )
    return (
        f"aws ssm start-session --region {settings.region} --target {instance_id} "
        f"--document-name AWS-StartPortForwardingSessionToRemoteHost --parameters '{parameters}'"
    )


def connection_uri(settings: StackSettings, password: str) -> str:
    db = settings.database
    credentials = f"{quote(db.master_username, safe='')}:{quote(password, safe='')}"
    if db.engine.name == "postgres":
        return f"postgresql://{credentials}@localhost:{db.port}/{db.database_name}?sslmode=require"
    return f"mysql://{credentials}@127.0.0.1:{db.port}/{db.database_name}?ssl-mode=REQUIRED"


def export_outputs(
    settings: StackSettings,
    bastion: Bastion,
    database: Database,
    ssh_key: SshKey | None,
    monitoring: DatabaseMonitoring,
) -> None:
    db = settings.database
    pulumi.export("project", settings.project)
    pulumi.export("environment", settings.environment)
    pulumi.export("bastionPublicDns", bastion.public_dns)
    pulumi.export("bastionInstanceId", bastion.instance_id)
    pulumi.export("dbHost", database.address)
    pulumi.export("dbPort", database.port)
    pulumi.export("dbName", db.database_name)
    pulumi.export("dbMasterUsername", database.master_username)
    if database.master_password is not None:
        pulumi.export("dbMasterPassword", database.master_password)
        pulumi.export(
            "dbConnectionUri",
            pulumi.Output.secret(
                database.master_password.apply(lambda pw: connection_uri(settings, pw))
            ),
        )
    if database.master_secret_arn is not None:
        pulumi.export("dbMasterSecretArn", database.master_secret_arn)

    if settings.access.mode == "ssh":
        # With the user's own key, ssh finds it where it always does (agent,
        # ~/.ssh); only a generated key is written to a file (writeSshKeyCommand).
        identity = "" if settings.access.ssh_public_key else f"-i {key_file_name(settings)} "
        tunnel = pulumi.Output.format(
            "ssh {0}-N -f -L {1}:{2}:{1} {3}@{4}",
            identity,
            db.port,
            database.address,
            BASTION_USER,
            bastion.public_dns,
        )
        pulumi.export("sshTunnelCommand", tunnel)
        if ssh_key is not None and ssh_key.private_key_openssh is not None:
            pulumi.export("sshPrivateKey", ssh_key.private_key_openssh)
            pulumi.export("writeSshKeyCommand", write_key_command(settings))
    else:
        pulumi.export(
            "ssmPortForwardCommand",
            pulumi.Output.all(bastion.instance_id, database.address).apply(
                lambda values: ssm_port_forward_command(settings, values[0], values[1])
            ),
        )
    pulumi.export("dbClientCommand", client_command(settings))
    pulumi.export("alarmTopicArn", monitoring.topic_arn)
    pulumi.export("dashboardUrl", monitoring.dashboard_url)
