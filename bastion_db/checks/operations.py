"""``dbBlueGreenUpdate``, ``dbReadReplicas`` and ``dbParameters``: checked together,
because RDS refuses some of their combinations with the other database keys.

Every refusal names both keys, the values, and what is accepted. The
limitations, each with its source:

- Secrets Manager: "Blue/green deployments don't support managing master user
  passwords with AWS Secrets Manager" (general limitations,
  https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/blue-green-deployments-considerations.html),
  and managing the master password with Secrets Manager isn't supported for
  "creating a read replica when the source DB ... manages credentials with
  Secrets Manager", for every engine but SQL Server
  (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations).
  Prod's password mode stays secrets-manager by default, so a prod stack opts
  into either feature only together with ``dbPasswordMode: random``.
- Automated backups: a replica's source "must have automatic backups enabled,
  that is, its backup retention period must be greater than 0"
  (CreateDBInstanceReadReplica, SourceDBInstanceIdentifier,
  https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html);
  blue/green needs them too (the provider's ``backup_retention_period``: "Must
  be greater than 0 if the database ... will use RDS Blue/Green deployments",
  pulumi_aws ``rds.Instance``).
- At most 15 read replicas per MySQL or PostgreSQL source (same
  SourceDBInstanceIdentifier text: "Each DB instance can have up to 15 read
  replicas", with lower limits for Db2, Oracle and SQL Server only).
- Blue/green with replicas: the provider's blue/green updates "cannot be used
  with DB Instances with replicas" (terraform-provider-aws
  ``website/docs/r/db_instance.html.markdown``, "Low-Downtime Updates"); the
  replica resources would be left on the deleted old instance
  (hashicorp/terraform-provider-aws#33702).
- The deployment's name: the provider names it after the instance identifier
  (``internal/service/rds/blue_green.go``, ``createBlueGreenInput``), and
  ``BlueGreenDeploymentName`` takes 1 to 60 characters matching
  ``[a-zA-Z](?:-?[a-zA-Z0-9]+)*`` (the RDS API model, botocore
  ``rds/2014-10-31/service-2.json``), while an instance identifier may have 63.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bastion_db.checks.engines import EngineSpec
from bastion_db.checks.errors import ConfigError
from bastion_db.checks.model import PasswordMode
from bastion_db.checks.parameters import DatabaseParameter, ParameterContext, parse_parameters
from bastion_db.checks.reader import ConfigReader

MAX_READ_REPLICAS = 15
BLUE_GREEN_NAME_MAX = 60
BLUE_GREEN_NAME = re.compile(r"^[a-zA-Z](?:-?[a-zA-Z0-9]+)*$")
# CreateDBInstance, DBInstanceIdentifier: 1 to 63 letters, digits or hyphens.
INSTANCE_IDENTIFIER_MAX = 63


def replica_identifier(identifier: str, number: int) -> str:
    """The instance identifier of read replica ``number`` (from 1)."""
    return f"{identifier}-replica-{number}"


@dataclass(frozen=True)
class Operations:
    blue_green_update: bool
    read_replicas: int
    parameters: tuple[DatabaseParameter, ...]


def parse_operations(
    reader: ConfigReader,
    *,
    engine: EngineSpec,
    major_version: str,
    password_mode: PasswordMode,
    backup_retention_days: int,
) -> Operations:
    key = reader.full_key
    blue_green = reader.boolean("dbBlueGreenUpdate")
    replicas = reader.integer("dbReadReplicas") or 0
    if not 0 <= replicas <= MAX_READ_REPLICAS:
        raise ConfigError(
            key("dbReadReplicas"),
            replicas,
            f"0 to {MAX_READ_REPLICAS} (RDS allows at most {MAX_READ_REPLICAS} read replicas "
            f"of a {engine.name} instance)",
        )
    password = key("dbPasswordMode")
    backups = key("backupRetentionDays")
    if blue_green and password_mode == "secrets-manager":
        raise ConfigError(
            key("dbBlueGreenUpdate"),
            True,
            f"false while {password} is 'secrets-manager': RDS Blue/Green Deployments do not "
            f"support a master password managed in Secrets Manager. Set {password}: random "
            "to use blue/green updates (prod keeps secrets-manager unless its stack file "
            "says random)",
        )
    if replicas and password_mode == "secrets-manager":
        raise ConfigError(
            key("dbReadReplicas"),
            replicas,
            f"0 while {password} is 'secrets-manager': RDS refuses to create a read replica of "
            f"an instance whose master password Secrets Manager manages. Set {password}: "
            "random to use read replicas (prod keeps secrets-manager unless its stack file "
            "says random)",
        )
    if blue_green and replicas:
        raise ConfigError(
            key("dbBlueGreenUpdate"),
            True,
            f"false while {key('dbReadReplicas')} is {replicas}: the provider's blue/green "
            "updates do not handle an instance with read replicas (choose one: "
            f"{key('dbReadReplicas')}: 0, or {key('dbBlueGreenUpdate')}: false)",
        )
    for name, value, off, needs in (
        ("dbBlueGreenUpdate", blue_green, "false", "blue/green deployments"),
        ("dbReadReplicas", replicas, "0", "read replicas"),
    ):
        if value and backup_retention_days == 0:
            raise ConfigError(
                key(name),
                value,
                f"{off} while {backups} is 0: {needs} need "
                f"automated backups (set {backups} to 1 or more)",
            )
    parameters = parse_parameters(
        key("dbParameters"),
        reader.string_list("dbParameters"),
        ParameterContext(engine, major_version, blue_green, replicas),
    )
    return Operations(blue_green, replicas, parameters)


def check_identifiers(
    reader: ConfigReader, identifier: str, blue_green_update: bool, read_replicas: int
) -> None:
    """The names RDS must accept for the deployment and the replicas, checked
    with the identifier the stack gives the database (``<projectName>-<stack>``)."""
    key = reader.full_key
    if blue_green_update and (
        len(identifier) > BLUE_GREEN_NAME_MAX or not BLUE_GREEN_NAME.fullmatch(identifier)
    ):
        raise ConfigError(
            key("dbBlueGreenUpdate"),
            True,
            f"false, or a shorter '<projectName>-<stack>' ({identifier!r}): the blue/green "
            f"deployment is named after the instance, and RDS takes at most "
            f"{BLUE_GREEN_NAME_MAX} letters, digits and single hyphens",
        )
    if read_replicas:
        longest = replica_identifier(identifier, read_replicas)
        if len(longest) > INSTANCE_IDENTIFIER_MAX:
            raise ConfigError(
                key("dbReadReplicas"),
                read_replicas,
                f"0, or a shorter '<projectName>-<stack>': replica identifiers such as "
                f"{longest!r} may have at most {INSTANCE_IDENTIFIER_MAX} characters",
            )
