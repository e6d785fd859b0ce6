"""The private RDS database, its subnet group, TLS-only parameters and password.

A restore (``bastion_db/checks/restore.py``) is a first-create choice. The provider
replaces the instance when ``snapshot_identifier`` or
``restore_to_point_in_time`` changes (``ForceNew``), so both are always in
``ignore_changes``: Pulumi uses them when it creates the instance and keeps
the stored value on every later ``up`` ("Ignored properties will still be used
from the program when there is no previous value in the state, most
importantly when creating the resource":
https://www.pulumi.com/docs/iac/concepts/options/ignorechanges/). Adding,
editing or removing the restore keys of a stack whose database exists
therefore does nothing.

A restored instance takes its master user and database name from the source:
the provider sends no ``username`` to RestoreDBInstanceFromDBSnapshot, skips
``db_name`` for MySQL and PostgreSQL there, and reads both back from RDS into
state (terraform-provider-aws ``internal/service/rds/instance.go``,
``resourceInstanceCreate`` and ``resourceInstanceRead``). Both are
``ForceNew`` and ``Optional+Computed``, so the program sends neither for a
restore: a value differing from the source's would plan a replacement on the
next ``up``, while an absent one keeps what RDS reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from bastion_db.checks import validate
from bastion_db.checks.errors import ArgumentName, ConfigError
from bastion_db.checks.model import (
    IpNetwork,
    PointInTimeRestore,
    RestoreSource,
    SnapshotRestore,
)
from bastion_db.checks.operations import check_identifiers
from bastion_db.checks.pieces import (
    DATABASE_OPTIONS,
    database_settings,
    name_argument,
    options_reader,
    region_of,
)
from bastion_db.database_logs import DatabaseLogGroups, DatabaseLogGroupsArgs
from bastion_db.database_parameters import operation_parameters
from bastion_db.database_replicas import ReplicaArgs, read_replicas
from bastion_db.iam import aws_managed_policy_arn, service_assume_role_policy
from bastion_db.security_groups import ingress_from_network

# RDS refuses '/', '@', '"' and spaces in a master password.
PASSWORD_SPECIALS = "!#$%&*()-_=+[]{}<>:?"
PASSWORD_LENGTH = 32
ENHANCED_MONITORING_POLICY = "service-role/AmazonRDSEnhancedMonitoringRole"


# Inputs whose change would replace a restored or restoring instance; see the
# module docstring.
RESTORE_INPUTS = ("snapshotIdentifier", "restoreToPointInTime")


def snapshot_identifier(restore: RestoreSource) -> str | None:
    return restore.snapshot if isinstance(restore, SnapshotRestore) else None


def point_in_time(restore: RestoreSource) -> aws.rds.InstanceRestoreToPointInTimeArgs | None:
    """The restore_to_point_in_time block: one of the provider's three ways of
    naming the source, and a time or the latest restorable time."""
    if not isinstance(restore, PointInTimeRestore):
        return None
    kind = restore.source_kind
    return aws.rds.InstanceRestoreToPointInTimeArgs(
        source_db_instance_identifier=restore.source if kind == "identifier" else None,
        source_dbi_resource_id=restore.source if kind == "resource-id" else None,
        source_db_instance_automated_backups_arn=restore.source
        if kind == "automated-backups-arn"
        else None,
        restore_time=restore.restore_time,
        use_latest_restorable_time=True if restore.restore_time is None else None,
    )


@dataclass
class DatabaseArgs:
    """The private database alone: an RDS instance in subnets of an existing VPC.

    Plain values and Inputs only. ``options`` takes BastionDatabase's database
    arguments by the same names (``db_engine``, ``db_instance_class``,
    ``backup_retention_days``, ``profile``...): unset, the same hardened
    defaults; wrong, the same checks refuse it, naming it, before any resource.
    """

    # Private subnets in at least two availability zones; or db_subnet_group_name
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    # Bring your own: an existing DB subnet group, instead of subnet_ids
    db_subnet_group_name: pulumi.Input[str] | None = None
    # Bring your own: the security groups of the instance. Unset, one is made in
    # vpc_id that admits the database port from allowed_cidrs only.
    security_group_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    vpc_id: pulumi.Input[str] | None = None
    allowed_cidrs: Sequence[str] = ()
    # RDS instance identifier, also the prefix of its companions' names;
    # unset, the component's name
    identifier: str | None = None
    # Unset, the program's aws:region (the log groups' KMS key admits its CloudWatch Logs)
    region: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    # Customer-managed keys (bastion_db/database_keys.py); None: the AWS managed key
    storage_kms_key_arn: pulumi.Input[str] | None = None
    performance_insights_kms_key_arn: pulumi.Input[str] | None = None
    master_secret_kms_key_arn: pulumi.Input[str] | None = None


class Database(pulumi.ComponentResource):
    """An encrypted, private RDS instance reachable only through the bastion.

    Its logical names never change with settings: renaming the instance
    resource would make Pulumi replace it, and a replaced database is an
    empty one.
    """

    instance: aws.rds.Instance
    parameter_group_name: pulumi.Output[str]
    address: pulumi.Output[str]
    port: pulumi.Output[int]
    # What RDS reports: for a restore, the source's
    master_username: pulumi.Output[str]
    database_name: pulumi.Output[str]
    # The DbiResourceId (db-...): IAM database authentication and Performance
    # Insights name the instance by it; it never changes for the instance's life,
    # except at a blue/green switchover (dbBlueGreenUpdate; docs/operations.md)
    resource_id: pulumi.Output[str]
    # Read replicas (dbReadReplicas), in number order
    replicas: list[aws.rds.Instance]
    arn: pulumi.Output[str]
    # Secret; None when Secrets Manager owns the password
    master_password: pulumi.Output[str] | None
    # ARN of the Secrets Manager secret and the KMS key encrypting it; None when
    # the password is generated here
    master_secret_arn: pulumi.Output[str] | None
    master_secret_kms_key_id: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        # Checked first: a bad argument registers nothing.
        region = region_of(args.region)
        db = database_settings(args.options, region)
        identifier = name_argument("identifier", args.identifier or name)
        check_identifiers(
            options_reader(args.options, DATABASE_OPTIONS),
            identifier,
            db.blue_green_update,
            db.read_replicas,
        )
        if args.subnet_ids is None and args.db_subnet_group_name is None:
            raise ConfigError(
                ArgumentName("subnet_ids"), None, "private subnet ids, or db_subnet_group_name"
            )
        if args.security_group_ids is None and args.vpc_id is None:
            raise ConfigError(
                ArgumentName("vpc_id"), None, "the VPC's id, or security_group_ids of your own"
            )
        allowed = [
            validate.cidr(ArgumentName("allowed_cidrs"), cidr) for cidr in args.allowed_cidrs
        ]
        super().__init__("bastiondb:database:Database", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        engine = db.engine

        subnet_group_name = args.db_subnet_group_name
        if subnet_group_name is None:
            subnet_group_name = aws.rds.SubnetGroup(
                f"{name}-subnets",
                name_prefix=f"{identifier}-",
                description="Private subnets of the database",
                subnet_ids=args.subnet_ids,
                opts=child,
            ).name
        security_group_ids = args.security_group_ids
        if security_group_ids is None:
            security_group_ids = [
                self._security_group(name, identifier, args.vpc_id, db.port, allowed)
            ]

        parameters = [
            aws.rds.ParameterGroupParameterArgs(
                name=engine.force_tls_parameter[0], value=engine.force_tls_parameter[1]
            ),
            *(
                aws.rds.ParameterGroupParameterArgs(name=param, value=value)
                for param, value in engine.logging_parameters
            ),
        ]
        if db.max_connections is not None:
            parameters.append(
                aws.rds.ParameterGroupParameterArgs(
                    name="max_connections",
                    value=str(db.max_connections),
                    apply_method="pending-reboot",
                )
            )
        parameters.extend(operation_parameters(db))
        parameter_group = aws.rds.ParameterGroup(
            f"{name}-parameters",
            name_prefix=f"{identifier}-",
            family=engine.family_for(db.major_version),
            description=f"{engine.name} {db.major_version}: TLS required, useful logs",
            parameters=parameters,
            # name_prefix lets a new family (a major upgrade) get its new group
            # before the old one is deleted.
            opts=child,
        )

        password: random.RandomPassword | None = None
        if db.password_mode == "random":
            password = random.RandomPassword(
                f"{name}-master-password",
                length=PASSWORD_LENGTH,
                special=True,
                override_special=PASSWORD_SPECIALS,
                opts=child,
            )

        log_groups = DatabaseLogGroups(
            f"{name}-logs",
            DatabaseLogGroupsArgs(
                identifier=identifier,
                logs=engine.log_exports,
                retention_days=db.log_retention_days,
                region=region,
            ),
            opts=child,
        )
        # RDS refuses a final snapshot name it has used before, and every deletion
        # takes one: a suffix drawn once per instance's life keeps the second
        # create-and-destroy of the stack from failing with DBSnapshotAlreadyExists.
        snapshot_suffix = random.RandomId(
            f"{name}-final-snapshot-suffix", byte_length=4, opts=child
        )

        monitoring_role_arn: pulumi.Output[str] | None = None
        if db.enhanced_monitoring_interval > 0:
            monitoring_role_arn = self._enhanced_monitoring_role(name, identifier)

        restoring = db.restore is not None
        self.instance = aws.rds.Instance(
            f"{name}-instance",
            snapshot_identifier=snapshot_identifier(db.restore),
            restore_to_point_in_time=point_in_time(db.restore),
            identifier=identifier,
            engine=engine.name,
            engine_version=db.engine_version,
            auto_minor_version_upgrade=db.auto_minor_version_upgrade,
            allow_major_version_upgrade=db.allow_major_version_upgrade,
            apply_immediately=db.apply_immediately,
            backup_window=db.backup_window,
            maintenance_window=db.maintenance_window,
            instance_class=db.instance_class,
            allocated_storage=db.allocated_storage_gib,
            max_allocated_storage=db.max_allocated_storage_gib,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=args.storage_kms_key_arn,
            db_name=None if restoring else db.database_name,
            username=None if restoring else db.master_username,
            password=password.result if password else None,
            manage_master_user_password=True if password is None else None,
            master_user_secret_kms_key_id=args.master_secret_kms_key_arn,
            port=db.port,
            db_subnet_group_name=subnet_group_name,
            parameter_group_name=parameter_group.name,
            vpc_security_group_ids=security_group_ids,
            publicly_accessible=False,
            multi_az=db.multi_az,
            backup_retention_period=db.backup_retention_days,
            deletion_protection=db.deletion_protection,
            skip_final_snapshot=db.skip_final_snapshot,
            final_snapshot_identifier=None
            if db.skip_final_snapshot
            else pulumi.Output.concat(identifier, "-final-", snapshot_suffix.hex),
            copy_tags_to_snapshot=True,
            # The provider deletes automated backups with the instance unless told
            # not to; a protected (prod) database keeps them until they expire.
            delete_automated_backups=not db.protect,
            enabled_cloudwatch_logs_exports=list(engine.log_exports),
            iam_database_authentication_enabled=db.iam_authentication,
            performance_insights_enabled=db.performance_insights,
            performance_insights_retention_period=db.performance_insights_retention_days
            if db.performance_insights
            else None,
            performance_insights_kms_key_id=args.performance_insights_kms_key_arn,
            database_insights_mode=db.database_insights_mode,
            monitoring_interval=db.enhanced_monitoring_interval,
            monitoring_role_arn=monitoring_role_arn,
            blue_green_update=aws.rds.InstanceBlueGreenUpdateArgs(enabled=True)
            if db.blue_green_update
            else None,
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=db.protect,
                depends_on=log_groups.groups,
                ignore_changes=list(RESTORE_INPUTS),
                # Never delete first. The bridge asks for delete-before-replace
                # when an auto-nameable property (identifier) is set by the
                # program (pulumi-terraform-bridge nameRequiresDeleteBeforeReplace,
                # pulumi/pulumi-terraform#465); the engine lets a program override
                # that either way (pkg/resource/deploy/step_generator.go). Created
                # first, a replacement takes the same identifier, so RDS refuses it
                # (DBInstanceAlreadyExists) before the database is touched.
                delete_before_replace=False,
            ),
        )

        self.settings = db
        self.identifier = identifier
        self.replicas = read_replicas(
            name,
            ReplicaArgs(
                source=self.instance,
                settings=db,
                identifier=identifier,
                region=region,
                security_group_ids=security_group_ids,
                parameter_group_name=parameter_group.name,
                monitoring_role_arn=monitoring_role_arn,
                performance_insights_kms_key_arn=args.performance_insights_kms_key_arn,
            ),
            parent=self,
        )
        self.parameter_group_name = parameter_group.name
        self.address = self.instance.address
        self.port = self.instance.port
        self.master_username = self.instance.username
        self.database_name = self.instance.db_name
        self.resource_id = self.instance.resource_id
        self.arn = self.instance.arn
        self.master_password = pulumi.Output.secret(password.result) if password else None
        self.master_secret_arn = None
        self.master_secret_kms_key_id = None
        if password is None:
            secret = self.instance.master_user_secrets.apply(
                lambda secrets: secrets[0] if secrets else None
            )
            self.master_secret_arn = secret.apply(lambda s: (s.secret_arn or "") if s else "")
            self.master_secret_kms_key_id = secret.apply(
                lambda s: (s.kms_key_id or "") if s else ""
            )
            self._master_secret_rotation(name, self.master_secret_arn, db.password_rotation_days)
        self.register_outputs(
            {
                "address": self.address,
                "port": self.port,
                "identifier": self.instance.identifier,
                "resourceId": self.resource_id,
                "subnetGroupName": subnet_group_name,
                "parameterGroupName": parameter_group.name,
            }
        )

    def _master_secret_rotation(self, name: str, secret_arn: pulumi.Output[str], days: int) -> None:
        """The schedule of the secret RDS manages. No Lambda function: Secrets
        Manager's managed rotation, which RDS runs (rotate-secrets_managed.html).
        Not rotated at creation (the password RDS just made is new), as in
        terraform-aws-modules/terraform-aws-rds's examples/complete-postgres.
        Kept on delete: the secret belongs to RDS, which deletes it with the
        instance or when it stops managing the password, so the stack never
        asks Secrets Manager to cancel the rotation of a secret it does not own."""
        aws.secretsmanager.SecretRotation(
            f"{name}-master-secret-rotation",
            secret_id=secret_arn,
            rotation_rules=aws.secretsmanager.SecretRotationRotationRulesArgs(
                automatically_after_days=days
            ),
            rotate_immediately=False,
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),
        )

    def _security_group(
        self, name: str, identifier: str, vpc_id: Any, port: int, allowed: list[IpNetwork]
    ) -> pulumi.Output[str]:
        """The instance's own group, used alone: the port from the named networks
        only, no egress (the AWS provider drops the default allow-all egress of a
        group it creates without inline rules)."""
        child = pulumi.ResourceOptions(parent=self)
        group = aws.ec2.SecurityGroup(
            f"{name}-security-group",
            name_prefix=f"{identifier}-database-",
            description="Database: its port from the named networks only, no egress",
            vpc_id=vpc_id,
            opts=child,
        )
        for network in allowed:
            ingress_from_network(
                f"{name}-from", group.id, network, port, f"Database port from {network}", child
            )
        return group.id

    def _enhanced_monitoring_role(self, name: str, identifier: str) -> pulumi.Output[str]:
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-monitoring-role",
            name_prefix=f"{identifier}-rds-mon-",
            description="Lets RDS publish enhanced monitoring metrics",
            # RDS's enhanced monitoring honours aws:SourceAccount in the role's trust
            # (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html)
            assume_role_policy=aws.get_caller_identity_output(
                opts=pulumi.InvokeOutputOptions(parent=self)
            ).account_id.apply(
                lambda account: service_assume_role_policy("monitoring.rds.amazonaws.com", account)
            ),
            opts=child,
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-monitoring-policy",
            role=role.name,
            policy_arn=aws_managed_policy_arn(ENHANCED_MONITORING_POLICY, self),
            opts=child,
        )
        # RDS checks the role's permissions when the instance is created.
        return pulumi.Output.all(role.arn, attachment.id).apply(lambda values: values[0])
