"""The parameter group entries that ``dbBlueGreenUpdate`` and ``dbParameters`` add
to the product's own (TLS forced, logging, max_connections: bastion_db/database.py).

Blue/green on PostgreSQL: a deployment that upgrades the major replicates
logically (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/blue-green-deployments-replication-type.html),
which needs ``rds.logical_replication=1`` in the source's custom parameter group;
without it RDS fails the deployment ("Blue/Green Deployments require a DB
instance with logical replication enabled", AWS re:Post Knowledge Center,
https://repost.aws/knowledge-center/rds-postgresql-blue-green-deployment-error).
The parameter is static ("Set the rds.logical_replication static parameter to 1
... Reboot the DB instance", RDS User Guide, PostgreSQL.Concepts.General.FeatureSupport.html),
so it is sent ``pending-reboot`` and takes effect at the next reboot, which the
stack never does (docs/operations.md says when to reboot). Turning it on also
raises WAL volume (same page), the price of having major upgrades through
blue/green at all.

MySQL needs nothing added: blue/green replicates from the binary log, which RDS
writes whenever automated backups are on (``BinLogDiskUsage``,
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html), and
the settings refuse blue/green without backups.
"""

from __future__ import annotations

import pulumi_aws as aws

from bastion_db.checks.model import DatabaseSettings

LOGICAL_REPLICATION = ("rds.logical_replication", "1")


def operation_parameters(db: DatabaseSettings) -> list[aws.rds.ParameterGroupParameterArgs]:
    """What blue/green needs, then the team's own parameters, in config order."""
    entries: list[aws.rds.ParameterGroupParameterArgs] = []
    if db.blue_green_update and db.engine.name == "postgres":
        entries.append(
            aws.rds.ParameterGroupParameterArgs(
                name=LOGICAL_REPLICATION[0],
                value=LOGICAL_REPLICATION[1],
                apply_method="pending-reboot",
            )
        )
    entries.extend(
        aws.rds.ParameterGroupParameterArgs(
            name=parameter.name, value=parameter.value, apply_method=parameter.apply_method
        )
        for parameter in db.parameters
    )
    return entries
