"""A bastion host and a private database in an existing VPC.

Reads like a table of contents: settings, one line per component, exports.
Pulumi runs this file as ``__main__``; tests call :func:`main` directly.
"""

from __future__ import annotations

import pulumi

import settings
from components.aws_provider import tagged_aws_provider
from components.bastion import Bastion, BastionArgs
from components.database import Database, DatabaseArgs
from components.database_access import DatabaseAccess, DatabaseAccessArgs
from components.database_events import DatabaseEvents, DatabaseEventsArgs
from components.database_keys import DatabaseKeys, DatabaseKeysArgs
from components.monitoring import DatabaseMonitoring, DatabaseMonitoringArgs
from components.network import ExistingNetwork, ExistingNetworkArgs
from components.operator_access import OperatorAccess, OperatorAccessArgs
from components.outputs import export_outputs
from components.security_groups import SecurityGroups, SecurityGroupsArgs
from components.session_preferences import SessionPreferences, SessionPreferencesArgs
from components.ssh_key import SshKey, SshKeyArgs
from components.ssm_endpoints import SsmEndpoints, SsmEndpointsArgs


def main() -> None:
    config = settings.from_pulumi()
    aws_only = pulumi.ResourceOptions(providers=[tagged_aws_provider(config)])
    prefix = config.name_prefix
    db = config.database

    session = config.access.session
    network = ExistingNetwork(
        "network",
        ExistingNetworkArgs(
            config.network.vpc_id,
            config.network.subnets,
            config.access.mode,
            session.vpc_endpoints if session else "none",
            config.region,
            prefix,
        ),
        aws_only,
    )
    ssh_key = (
        SshKey(
            "ssh-key",
            SshKeyArgs(
                f"{prefix}-bastion", config.access.key_algorithm, config.access.ssh_public_key
            ),
            aws_only,
        )
        if config.access.mode == "ssh"
        else None
    )
    groups = SecurityGroups(
        "security-groups",
        SecurityGroupsArgs(
            network.vpc_id,
            config.access.mode,
            config.access.ssh_allowed_cidrs,
            db.port,
            prefix,
        ),
        aws_only,
    )
    if session is not None and session.vpc_endpoints == "create":
        SsmEndpoints(
            "ssm-endpoints",
            SsmEndpointsArgs(
                network.vpc_id,
                network.endpoint_subnet_ids,
                groups.bastion.id,
                network.bastion_route_table_id,
                config.region,
                prefix,
            ),
            aws_only,
        )
    preferences = (
        SessionPreferences(
            "session-preferences", SessionPreferencesArgs(session, config.region, prefix), aws_only
        )
        if session is not None
        else None
    )
    bastion = Bastion(
        "bastion",
        BastionArgs(
            subnet_id=network.bastion_subnet_id,
            access_mode=config.access.mode,
            security_group_id=groups.bastion.id,
            instance_type=config.bastion.instance_type,
            architecture=config.bastion.architecture,
            root_volume_gib=config.bastion.root_volume_gib,
            client_packages=db.engine.client_packages(db.major_version),
            ami_id=config.bastion.ami_id,
            key_name=ssh_key.key_name if ssh_key else None,
            name=f"{prefix}-bastion",
            session_log_group_arn=preferences.log_group_arn if preferences else None,
        ),
        aws_only,
    )
    operators = (
        OperatorAccess(
            "operator-access",
            OperatorAccessArgs(
                bastion.instance.arn, preferences.shell_document_names, config.region, prefix
            ),
            aws_only,
        )
        if preferences is not None
        else None
    )
    keys = DatabaseKeys(
        "database-keys",
        DatabaseKeysArgs(prefix, db.keys, keep_storage_key=db.backups_outlive_instance),
        aws_only,
    )
    database = Database(
        "database",
        DatabaseArgs(
            network.private_subnet_ids,
            groups.database.id,
            db,
            identifier=prefix,
            region=config.region,
            storage_kms_key_arn=keys.storage_key_arn,
            performance_insights_kms_key_arn=keys.performance_insights_key_arn,
            master_secret_kms_key_arn=keys.master_secret_key_arn,
        ),
        aws_only,
    )
    access = (
        DatabaseAccess(
            "database-access",
            DatabaseAccessArgs(database.resource_id, db.iam_username, config.region, prefix),
            aws_only,
        )
        if db.iam_username
        else None
    )
    monitoring = DatabaseMonitoring(
        "monitoring",
        DatabaseMonitoringArgs(
            db_instance_identifier=database.instance.identifier,
            bastion_instance_id=bastion.instance_id,
            database=db,
            settings=config.monitoring,
            region=config.region,
            name_prefix=prefix,
        ),
        aws_only,
    )
    DatabaseEvents(
        "database-events",
        DatabaseEventsArgs(
            topic_arn=monitoring.topic_arn,
            db_instance_identifier=database.instance.identifier,
            parameter_group_name=database.parameter_group_name,
        ),
        aws_only,
    )
    export_outputs(
        config, bastion, database, ssh_key, monitoring, access, network, preferences, operators
    )


if __name__ == "__main__":
    main()
