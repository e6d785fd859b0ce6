"""BastionDatabase: the whole product, a bastion and a private database, from a VPC id.

Pulumi's component analyzer reads this module (see bastion_db/args.py): no
postponed annotations here either, and every output is documented.
"""

from collections.abc import Callable, Collection
from dataclasses import replace
from typing import Any

import pulumi

from bastion_db.args import DEFAULTS, BastionDatabaseArgs
from bastion_db.bastion import Bastion, BastionArgs
from bastion_db.checks.arguments import ArgumentsReader, argument_name
from bastion_db.checks.errors import ArgumentName, ConfigError
from bastion_db.checks.every_error import STAND_INS, check_every_error
from bastion_db.checks.load import load_settings
from bastion_db.checks.model import StackSettings
from bastion_db.checks.pieces import DATABASE_OPTIONS, MONITORING_OPTIONS, SettingName
from bastion_db.database import Database, DatabaseArgs
from bastion_db.database_access import DatabaseAccess, DatabaseAccessArgs
from bastion_db.database_events import DatabaseEvents, DatabaseEventsArgs
from bastion_db.database_keys import DatabaseKeys, DatabaseKeysArgs
from bastion_db.monitoring import DatabaseMonitoring, DatabaseMonitoringArgs
from bastion_db.monitoring.replicas import ReplicaAlarms, ReplicaAlarmsArgs
from bastion_db.network import ExistingNetwork, ExistingNetworkArgs
from bastion_db.operator_access import OperatorAccess, OperatorAccessArgs
from bastion_db.outputs import connection_outputs
from bastion_db.security_groups import SecurityGroups, SecurityGroupsArgs
from bastion_db.session_preferences import SessionPreferences, SessionPreferencesArgs
from bastion_db.ssh_key import SshKey, SshKeyArgs
from bastion_db.ssm_endpoints import SsmEndpoints, SsmEndpointsArgs

TYPE = "bastion-db:index:BastionDatabase"
ARGUMENT_STAND_INS = {argument_name(key): value for key, value in STAND_INS.items()}


def settings_from_args(name: str, args: BastionDatabaseArgs) -> StackSettings:
    """The checked settings the arguments ask for, or every ConfigError they
    make at once (bastion_db.checks.every_error), each naming the argument, the
    value and what is accepted; nothing is registered before."""

    def check(unset: frozenset[str]) -> StackSettings:
        kept = {key: value for key, value in args.items() if key not in unset}
        kept.update({key: ARGUMENT_STAND_INS[key] for key in unset if key in ARGUMENT_STAND_INS})
        reader = ArgumentsReader(kept, DEFAULTS)
        profile = reader.string("profile") or "prod"
        region = reader.string("region") or pulumi.Config("aws").get("region")
        if region is None:
            raise ConfigError(reader.full_key("region"), None, "an AWS region, or aws:region set")
        return load_settings(
            reader,
            project=name,
            stack=reader.string("environment") or profile,
            aws_region=region,
            stack_key=reader.full_key("environment"),
        )

    return check_every_error(check, lambda key: key if isinstance(key, ArgumentName) else None)


def piece_options(
    args: BastionDatabaseArgs, accepted: Collection[str], profile: str
) -> dict[str, Any]:
    """A piece's options: the arguments it reads, the profile resolved."""
    options = {key: value for key, value in args.items() if key in accepted}
    return {**options, "profile": profile}


class BastionDatabase(pulumi.ComponentResource):
    """A bastion host and a private RDS database (PostgreSQL or MySQL) in an existing
    VPC, hardened by default, with CloudWatch alarms, a dashboard and RDS event
    notifications. Bad arguments are refused before any resource is created."""

    bastion_instance_id: pulumi.Output[str]
    """Id of the bastion's EC2 instance."""
    bastion_public_dns: pulumi.Output[str] | None
    """Public DNS name of the bastion (ssh mode)."""
    bastion_subnet_id: pulumi.Output[str]
    """The subnet the bastion runs in."""
    bastion_network_path: pulumi.Output[str]
    """How the bastion reaches the internet or Systems Manager."""
    db_host: pulumi.Output[str]
    """The database's private address, reachable from the bastion."""
    db_port: pulumi.Output[int]
    """The database's port."""
    db_name: pulumi.Output[str]
    """The initial database."""
    db_master_username: pulumi.Output[str]
    """The master user."""
    db_resource_id: pulumi.Output[str]
    """The instance's resource id (db-...), as IAM policies name it."""
    db_master_password: pulumi.Output[str] | None
    """The generated master password (random password mode); secret."""
    db_connection_uri: pulumi.Output[str] | None
    """A connection URI through the tunnel, with the password (random mode); secret."""
    db_master_secret_arn: pulumi.Output[str] | None
    """The Secrets Manager secret RDS keeps the master password in (secrets-manager mode)."""
    db_master_password_command: pulumi.Output[str] | None
    """Prints the current master password from Secrets Manager (secrets-manager mode)."""
    db_iam_username: pulumi.Output[str] | None
    """The database user that signs in with IAM."""
    db_iam_connect_policy_arn: pulumi.Output[str] | None
    """The IAM policy that allows signing in as db_iam_username."""
    db_auth_token_command: pulumi.Output[str] | None
    """Prints a fresh IAM authentication token."""
    db_iam_client_command: pulumi.Output[str] | None
    """Signs in through the tunnel with an IAM token."""
    db_client_command: pulumi.Output[str]
    """The engine's client, pointed at the local end of the tunnel, TLS required."""
    ssh_tunnel_command: pulumi.Output[str] | None
    """Opens the SSH tunnel to the database (ssh mode)."""
    ssh_private_key: pulumi.Output[str] | None
    """The generated private key, OpenSSH format (ssh mode without your own key); secret."""
    write_ssh_key_command: pulumi.Output[str] | None
    """Writes the generated private key to a file only you can read (a stack program's)."""
    ssm_port_forward_command: pulumi.Output[str] | None
    """Forwards a local port to the database through Session Manager (ssm mode)."""
    ssm_shell_command: pulumi.Output[str] | None
    """A logged shell on the bastion with the component's session document (ssm mode)."""
    ssm_session_log_group: pulumi.Output[str] | None
    """The log group shell sessions are logged to (ssm mode)."""
    ssm_operator_policy_arn: pulumi.Output[str] | None
    """The IAM policy that lets an operator open sessions on this bastion (ssm mode)."""
    db_replica_hosts: pulumi.Output[list[str]] | None
    """Each read replica's private address, replica 1 first (db_read_replicas)."""
    db_replica_tunnel_commands: pulumi.Output[list[str]] | None
    """Opens a tunnel to each read replica through the bastion, on the local ports right
    after the database's (replica 1 on db_port + 1)."""
    db_replica_client_commands: pulumi.Output[list[str]] | None
    """The engine's client through each replica's tunnel, TLS required."""
    alarm_topic_arn: pulumi.Output[str]
    """The SNS topic alarms and RDS events go to."""
    dashboard_url: pulumi.Output[str]
    """The CloudWatch dashboard."""
    connection: pulumi.Output[dict[str, Any]]
    """The facts every connection command is built from (engine, mode, region, host, port,
    database name, master user, bastion instance id and host): what tools such as
    `verify` build their own commands from. Holds no secret."""

    def __init__(
        self,
        name: str,
        args: BastionDatabaseArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        keep_stack_program_urns: bool = False,
        setting_name: Callable[[str], str] | None = None,
    ) -> None:
        """``setting_name``: how warnings spell a setting; the stack program
        passes its stack keys' spelling, the default is the argument's."""
        # Checked first: a bad argument registers nothing, not even this component.
        settings = settings_from_args(name, args)
        if setting_name is not None:
            settings = replace(
                settings, monitoring=replace(settings.monitoring, setting_name=setting_name)
            )
        super().__init__(TYPE, name, None, opts)
        self.settings = settings
        outputs = build(
            self, name, args, settings, keep_stack_program_urns, setting_name or argument_name
        )
        # The stack outputs' names, in the order the stack program exports them.
        self.output_names = list(outputs)
        # Every declared output is an attribute; those this configuration has
        # none of (the SSH tunnel in ssm mode...) are None, as annotated.
        for attribute in type(self).__annotations__:
            setattr(self, attribute, None)
        for key, value in outputs.items():
            setattr(self, argument_name(key), pulumi.Output.from_input(value))
        self.register_outputs({argument_name(key): value for key, value in outputs.items()})


def build(
    parent: pulumi.Resource,
    name: str,
    args: BastionDatabaseArgs,
    config: StackSettings,
    keep_stack_program_urns: bool,
    setting_name: SettingName,
) -> dict[str, Any]:
    """The pieces, wired together; returns the connection outputs by stack output name."""

    def named(piece: str) -> str:
        # '<component>-<piece>', so two of these in one program never collide;
        # the stack program keeps the names its stacks already have.
        return piece if keep_stack_program_urns else f"{name}-{piece}"

    def child(piece: str) -> pulumi.ResourceOptions:
        # A stack made by the stack program before it used this component has
        # the pieces at the top level: the alias adopts each one, and with it
        # its own children, so nothing is replaced or deleted.
        aliases = (
            [pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)] if keep_stack_program_urns else None
        )
        return pulumi.ResourceOptions(parent=parent, aliases=aliases)

    prefix = config.name_prefix
    db = config.database
    session = config.access.session
    network = ExistingNetwork(
        named("network"),
        ExistingNetworkArgs(
            vpc_id=config.network.vpc_id,
            public_subnet_ids=args.get("public_subnet_ids") or [],
            private_subnet_ids=args.get("private_subnet_ids") or [],
            public_subnet_tags=args.get("public_subnet_tags") or [],
            private_subnet_tags=args.get("private_subnet_tags") or [],
            access_mode=config.access.mode,
            ssm_vpc_endpoints=session.vpc_endpoints if session else "none",
            setting_name=setting_name,
            region=config.region,
            name_prefix=prefix,
        ),
        child("network"),
    )
    ssh_key = (
        SshKey(
            named("ssh-key"),
            SshKeyArgs(
                f"{prefix}-bastion", config.access.key_algorithm, config.access.ssh_public_key
            ),
            child("ssh-key"),
        )
        if config.access.mode == "ssh"
        else None
    )
    groups = SecurityGroups(
        named("security-groups"),
        SecurityGroupsArgs(
            vpc_id=network.vpc_id,
            access_mode=config.access.mode,
            ssh_allowed_cidrs=[str(cidr) for cidr in config.access.ssh_allowed_cidrs],
            # Checked above with the profile (never in prod); here it only lets them through.
            allow_ssh_from_anywhere=True,
            database_port=db.port,
            name_prefix=prefix,
        ),
        child("security-groups"),
    )
    if session is not None and session.vpc_endpoints == "create":
        SsmEndpoints(
            named("ssm-endpoints"),
            SsmEndpointsArgs(
                network.vpc_id,
                network.endpoint_subnet_ids,
                groups.bastion.id,
                network.bastion_route_table_id,
                config.region,
                prefix,
            ),
            child("ssm-endpoints"),
        )
    preferences = (
        SessionPreferences(
            named("session-preferences"),
            SessionPreferencesArgs(session, config.region, prefix),
            child("session-preferences"),
        )
        if session is not None
        else None
    )
    bastion = Bastion(
        named("bastion"),
        BastionArgs(
            subnet_id=network.bastion_subnet_id,
            access_mode=config.access.mode,
            security_group_id=groups.bastion.id,
            instance_type=config.bastion.instance_type,
            root_volume_gib=config.bastion.root_volume_gib,
            client_packages=db.engine.client_packages(db.major_version),
            ami_id=config.bastion.ami_id,
            key_name=ssh_key.key_name if ssh_key else None,
            name=f"{prefix}-bastion",
            session_log_group_arn=preferences.log_group_arn if preferences else None,
            region=config.region,
        ),
        child("bastion"),
    )
    operators = (
        OperatorAccess(
            named("operator-access"),
            OperatorAccessArgs(
                bastion.instance.arn, preferences.shell_document_names, config.region, prefix
            ),
            child("operator-access"),
        )
        if preferences is not None
        else None
    )
    keys = DatabaseKeys(
        named("database-keys"),
        DatabaseKeysArgs(prefix, db.keys, keep_storage_key=db.backups_outlive_instance),
        child("database-keys"),
    )
    database = Database(
        named("database"),
        DatabaseArgs(
            subnet_ids=network.private_subnet_ids,
            db_subnet_group_name=args.get("db_subnet_group_name") or None,
            security_group_ids=[groups.database.id, *(args.get("db_security_group_ids") or [])],
            identifier=prefix,
            region=config.region,
            options=piece_options(args, DATABASE_OPTIONS, config.profile),
            storage_kms_key_arn=keys.storage_key_arn,
            performance_insights_kms_key_arn=keys.performance_insights_key_arn,
            master_secret_kms_key_arn=keys.master_secret_key_arn,
        ),
        child("database"),
    )
    access = (
        DatabaseAccess(
            named("database-access"),
            DatabaseAccessArgs(database.resource_id, db.iam_username, config.region, prefix),
            child("database-access"),
        )
        if db.iam_username
        else None
    )
    monitoring = DatabaseMonitoring(
        named("monitoring"),
        DatabaseMonitoringArgs(
            db_instance_identifier=database.instance.identifier,
            bastion_instance_id=bastion.instance_id,
            options=piece_options(args, MONITORING_OPTIONS, config.profile),
            region=config.region,
            name_prefix=prefix,
            setting_name=config.monitoring.setting_name,
        ),
        child("monitoring"),
    )
    # The replicas' outputs, so the alarms and the subscription wait for them.
    replica_identifiers = [replica.identifier for replica in database.replicas]
    if replica_identifiers:
        ReplicaAlarms(
            named("replica-alarms"),
            ReplicaAlarmsArgs(
                monitoring.topic_arn, replica_identifiers, monitoring.plans, config.monitoring
            ),
            child("replica-alarms"),
        )
    DatabaseEvents(
        named("database-events"),
        DatabaseEventsArgs(
            topic_arn=monitoring.topic_arn,
            db_instance_identifier=database.instance.identifier,
            parameter_group_name=database.parameter_group_name,
            replica_identifiers=replica_identifiers,
        ),
        child("database-events"),
    )
    return connection_outputs(
        config, bastion, database, ssh_key, monitoring, access, network, preferences, operators
    )
