"""The stack's outputs: what the lab exported, plus the commands to connect."""

from __future__ import annotations

import json
from urllib.parse import quote

import pulumi

from components.bastion import Bastion
from components.database import Database
from components.database_access import DatabaseAccess, auth_token_command
from components.monitoring import DatabaseMonitoring
from components.network import ExistingNetwork
from components.operator_access import OperatorAccess
from components.session_preferences import SessionPreferences
from components.ssh_key import SshKey
from settings import StackSettings

BASTION_USER = "ec2-user"


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


def client_command(settings: StackSettings, user: str, database_name: str) -> str:
    """The engine's client, pointed at the local end of the tunnel, TLS required."""
    db = settings.database
    if db.engine.name == "postgres":
        return (
            f'psql "host=localhost port={db.port} dbname={database_name} '
            f'user={user} sslmode=require"'
        )
    # --ssl-mode=REQUIRED: the client refuses to talk without TLS, as the server does
    # (require_secure_transport); MySQL's client, mysql 5.7.11 and later.
    return f"mysql --ssl-mode=REQUIRED -h 127.0.0.1 -P {db.port} -u {user} -p {database_name}"


def iam_client_command(settings: StackSettings, token_command: str, database_name: str) -> str:
    """Signs in through the tunnel with a fresh IAM token as the password. MySQL's
    client sends it only with the cleartext plugin, which is why TLS is required
    (UsingWithRDS.IAMDBAuth.Connecting.AWSCLI.html)."""
    db = settings.database
    user = db.iam_username
    if db.engine.name == "postgres":
        return f'PGPASSWORD="$({token_command})" ' + client_command(
            settings, str(user), database_name
        )
    return (
        f"mysql --ssl-mode=REQUIRED --enable-cleartext-plugin -h 127.0.0.1 -P {db.port} "
        f'-u {user} --password="$({token_command})" {database_name}'
    )


def read_master_password_command(region: str, secret_arn: str) -> str:
    """Prints the master password RDS keeps in Secrets Manager, as it is now:
    after a rotation the old one stops working, so read it, never copy it."""
    return (
        f"aws secretsmanager get-secret-value --region {region} --secret-id {secret_arn} "
        "--query SecretString --output text | jq -r .password"
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
        return f"postgresql://{credentials}@localhost:{db.port}/{database_name}?sslmode=require"
    return f"mysql://{credentials}@127.0.0.1:{db.port}/{database_name}?ssl-mode=REQUIRED"


def export_outputs(
    settings: StackSettings,
    bastion: Bastion,
    database: Database,
    ssh_key: SshKey | None,
    monitoring: DatabaseMonitoring,
    access: DatabaseAccess | None = None,
    network: ExistingNetwork | None = None,
    preferences: SessionPreferences | None = None,
    operators: OperatorAccess | None = None,
) -> None:
    db = settings.database
    pulumi.export("project", settings.project)
    pulumi.export("environment", settings.environment)
    # Derived from the stack name unless set: shown, so two stacks whose names
    # make the same prefix (lab.v2, lab-v2) are noticed before they collide.
    pulumi.export("namePrefix", settings.name_prefix)
    if settings.access.mode == "ssh":
        # ssm mode: the bastion has no public address, hence no public name.
        pulumi.export("bastionPublicDns", bastion.public_dns)
    pulumi.export("bastionInstanceId", bastion.instance_id)
    if network is not None:
        pulumi.export("bastionSubnetId", network.bastion_subnet_id)
        pulumi.export("bastionNetworkPath", network.ssm_path)
    pulumi.export("dbHost", database.address)
    pulumi.export("dbPort", database.port)
    pulumi.export("dbName", database.database_name)
    pulumi.export("dbMasterUsername", database.master_username)
    pulumi.export("dbResourceId", database.resource_id)
    if database.master_password is not None:
        pulumi.export("dbMasterPassword", database.master_password)
        pulumi.export(
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
        pulumi.export("dbMasterSecretArn", database.master_secret_arn)
        pulumi.export(
            "dbMasterPasswordCommand",
            database.master_secret_arn.apply(
                lambda arn: read_master_password_command(settings.region, arn)
            ),
        )
    if access is not None:
        token = pulumi.Output.all(database.address, database.port).apply(
            lambda v: auth_token_command(settings.region, v[0], v[1], str(db.iam_username))
        )
        pulumi.export("dbIamUsername", db.iam_username)
        pulumi.export("dbIamConnectPolicyArn", access.policy_arn)
        pulumi.export("dbAuthTokenCommand", token)
        pulumi.export(
            "dbIamClientCommand",
            pulumi.Output.all(token, database.database_name).apply(
                lambda v: iam_client_command(settings, v[0], v[1])
            ),
        )

    if settings.access.mode == "ssh":
        # With the user's own key, ssh finds it where it always does (agent,
        # ~/.ssh); only a generated key is written to a file (writeSshKeyCommand).
        identity = "" if settings.access.ssh_public_key else f"-i {key_file_name(settings)} "
        tunnel = pulumi.Output.format(
            # ExitOnForwardFailure: with the local port taken, ssh would go to the
            # background anyway and the client would reach whatever holds the port.
            "ssh {0}-N -f -o ExitOnForwardFailure=yes -L {1}:{2}:{1} {3}@{4}",
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
        if preferences is not None:
            pulumi.export(
                "ssmShellCommand",
                pulumi.Output.all(bastion.instance_id, preferences.shell_document_name).apply(
                    lambda v: ssm_shell_command(settings.region, v[0], v[1])
                ),
            )
            pulumi.export("ssmSessionLogGroup", preferences.log_group_name)
        if operators is not None:
            pulumi.export("ssmOperatorPolicyArn", operators.policy_arn)
    pulumi.export(
        "dbClientCommand",
        pulumi.Output.all(database.master_username, database.database_name).apply(
            lambda v: client_command(settings, v[0], v[1])
        ),
    )
    pulumi.export("alarmTopicArn", monitoring.topic_arn)
    pulumi.export("dashboardUrl", monitoring.dashboard_url)
