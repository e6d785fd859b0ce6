"""``dbParameters``: the team's own engine parameters, a list of ``name=value``.

Each name is checked against the engine and major before anything is
registered, each gets the apply method RDS needs, and a parameter that would
undo a guarantee of the product is refused with the reason.

- PostgreSQL: upstream's settings of the major (aws_facts, generated from
  pg-configurator), plus the few ``rds.*`` parameters kept by hand below.
- MySQL: no maintained machine-readable list of MySQL 8.0/8.4 system variables
  was found (no PyPI package; the server here is MariaDB), so the names below
  are kept by hand from the MySQL 8.4 Reference Manual; any other name is
  refused, naming the list, rather than sent unchecked. RDS's only full list
  needs an AWS account (DescribeEngineDefaultParameters).

Apply method (ModifyDBParameterGroup, Parameters: "You can use the immediate
value with dynamic parameters only. You can use the pending-reboot value for
both dynamic and static parameters",
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBParameterGroup.html):
``immediate`` only where the parameter is known to be dynamic, else
``pending-reboot``, which RDS always accepts. A static change takes effect at
the next reboot, which the stack never does (docs/operations.md).

The provider keys its parameter set on the lower-cased name
(terraform-provider-aws ``internal/service/rds/parameter_group.go``,
``parameterHash``), so names are lower-cased here and compared that way.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from bastion_db import aws_facts
from bastion_db.checks.engines import EngineSpec
from bastion_db.checks.errors import ConfigError

ApplyMethod = Literal["immediate", "pending-reboot"]

# Parameter names RDS uses: letters, digits, '_', '.', '-' (rds.force_ssl, gtid-mode).
NAME = re.compile(r"^[a-z][a-z0-9_.\-]*$")

# rds.* parameters of RDS for PostgreSQL (not in upstream's list): name -> dynamic?
# rds.logical_replication is static ("Set the rds.logical_replication static
# parameter to 1 ... Reboot the DB instance", PostgreSQL.Concepts.General.FeatureSupport.html,
# RDS User Guide as of 2023-06; the current replication page still names it:
# blue-green-deployments-replication-type.html). rds.log_retention_period is
# Dynamic (Appendix.PostgreSQL.CommonDBATasks.Parameters.html).
RDS_POSTGRES_PARAMETERS: dict[str, bool] = {
    "rds.logical_replication": False,
    "rds.log_retention_period": True,
}

# MySQL 8.4 system variables the product accepts in dbParameters: name -> dynamic?
# "Dynamic System Variables" (https://dev.mysql.com/doc/refman/8.4/en/dynamic-system-variables.html)
# and the variable's entry in "Server System Variables"
# (https://dev.mysql.com/doc/refman/8.4/en/server-system-variables.html) and
# "InnoDB Startup Options and System Variables"
# (https://dev.mysql.com/doc/refman/8.4/en/innodb-parameters.html). To add
# one, read its "Dynamic" row there.
MYSQL_PARAMETERS: dict[str, bool] = {
    "binlog_format": True,
    "character_set_server": True,
    "collation_server": True,
    "event_scheduler": True,
    "general_log": True,
    "innodb_buffer_pool_instances": False,
    "innodb_buffer_pool_size": True,
    "innodb_flush_log_at_trx_commit": True,
    "innodb_io_capacity": True,
    "innodb_io_capacity_max": True,
    "innodb_lock_wait_timeout": True,
    "innodb_print_all_deadlocks": True,
    "innodb_read_io_threads": False,
    "innodb_write_io_threads": False,
    "interactive_timeout": True,
    "local_infile": True,
    "lock_wait_timeout": True,
    "log_bin_trust_function_creators": True,
    "log_queries_not_using_indexes": True,
    "max_allowed_packet": True,
    "max_connect_errors": True,
    "max_execution_time": True,
    "max_heap_table_size": True,
    "net_read_timeout": True,
    "net_write_timeout": True,
    "performance_schema": False,
    "sql_mode": True,
    "sync_binlog": True,
    "table_open_cache": True,
    "time_zone": True,
    "tmp_table_size": True,
    "transaction_isolation": True,
    "wait_timeout": True,
}

OFF_VALUES = frozenset({"0", "off", "false"})


@dataclass(frozen=True)
class DatabaseParameter:
    """One entry of the stack's parameter group, as the provider takes it."""

    name: str
    value: str
    apply_method: ApplyMethod


@dataclass(frozen=True)
class ParameterContext:
    """What else the stack is configured with, which some parameters would break."""

    engine: EngineSpec
    major_version: str
    blue_green_update: bool
    read_replicas: int


def parse_parameters(
    key: str, items: list[str], context: ParameterContext
) -> tuple[DatabaseParameter, ...]:
    """The checked parameters, in the order given; ConfigError on the first bad one."""
    seen: set[str] = set()
    parameters = []
    for item in items:
        name, sep, value = item.partition("=")
        name, value = name.strip().lower(), value.strip()
        if not sep or not NAME.fullmatch(name) or not value:
            raise ConfigError(
                key,
                item,
                'items like "work_mem=65536": a parameter name, "=", and a value',
            )
        if name in seen:
            raise ConfigError(key, item, f"each parameter once ({name} is listed twice)")
        seen.add(name)
        _refuse_what_undoes_a_guarantee(key, item, name, value, context)
        parameters.append(DatabaseParameter(name, value, _apply_method(key, item, name, context)))
    return tuple(parameters)


def product_owned(context: ParameterContext) -> dict[str, str]:
    """Names the stack sets itself, and why a team may not set them too."""
    engine = context.engine
    tls = engine.force_tls_parameter[0]
    owned = {
        tls: f"the stack sets {tls}={engine.force_tls_parameter[1]}: every connection uses TLS",
        "max_connections": "set it with the dbMaxConnections key, which also sizes the "
        "connections alarm",
    }
    for name, value in engine.logging_parameters:
        owned[name] = (
            f"the stack sets {name}={value}: the logs the policy pack requires and the "
            "exported logs depend on it"
        )
    if context.blue_green_update and engine.name == "postgres":
        owned["rds.logical_replication"] = (
            "dbBlueGreenUpdate sets rds.logical_replication=1: a blue/green major upgrade "
            "replicates logically"
        )
    return owned


def _refuse_what_undoes_a_guarantee(
    key: str, item: str, name: str, value: str, context: ParameterContext
) -> None:
    owned = product_owned(context)
    if name in owned:
        raise ConfigError(key, item, f"no {name} here: {owned[name]}")
    reason = _weakening(name, value.lower(), context)
    if reason is not None:
        raise ConfigError(key, item, reason)


def _weakening(name: str, value: str, context: ParameterContext) -> str | None:
    """Why this value would undo a guarantee, or None."""
    replicating = context.blue_green_update or context.read_replicas > 0
    if context.engine.name == "postgres":
        if name == "ssl" and value in OFF_VALUES:
            # PostgreSQL.Concepts.General.SSL.html: rds.force_ssl needs the server's SSL on.
            return "no ssl=0: the stack forces TLS (rds.force_ssl=1), which needs ssl on"
        if name == "ssl_min_protocol_version" and value in ("tlsv1", "tlsv1.1"):
            # Upstream's enum is TLSv1, TLSv1.1, TLSv1.2, TLSv1.3; RDS's default is TLSv1.2
            # (PostgreSQL.Concepts.General.SSL.html).
            return "ssl_min_protocol_version TLSv1.2 or TLSv1.3: older TLS is not accepted"
        if name == "password_encryption" and value == "md5":
            return "password_encryption scram-sha-256 (the default): md5 hashes are weaker"
        if name == "max_wal_senders" and replicating and _below(value, context.read_replicas + 1):
            # USER_PostgreSQL.Replication.ReadReplicas.html (2023): max_wal_senders
            # must exceed the number of replicas, or replication stops.
            return (
                f"max_wal_senders above {context.read_replicas} (dbReadReplicas) with "
                "dbBlueGreenUpdate or dbReadReplicas: each replica and a blue/green green "
                "needs a WAL sender"
            )
        return None
    if name == "log_output" and value != "file":
        # RDS publishes MySQL's slow and general logs to CloudWatch Logs only with
        # log_output=FILE (USER_LogAccess.MySQLDB.PublishtoCloudWatchLogs.html).
        return "log_output FILE: the exported slow query log needs it"
    if name == "lower_case_table_names":
        # Can't be changed in a group attached to a MySQL 8.0 instance, and must be
        # the same on replicas (MySQL.KnownIssuesAndLimitations.html).
        return "no lower_case_table_names: it is fixed when the database is created"
    if name == "read_only":
        # The replicas share the primary's group: 1 stops writes on the primary,
        # 0 makes MySQL replicas writable (USER_MySQL.Replication.ReadReplicas.html).
        return "no read_only: RDS sets it per instance (on for replicas, off for the primary)"
    if name == "binlog_format" and value == "off" and replicating:
        # OFF turns binary logging off (USER_LogAccess.MySQL.BinaryFormat.html), which
        # MySQL replicas and blue/green replicate from.
        return "binlog_format ROW, STATEMENT or MIXED with dbBlueGreenUpdate or dbReadReplicas"
    if name == "event_scheduler" and value in ("on", "1") and context.blue_green_update:
        # "The Event Scheduler (event_scheduler parameter) must be disabled on the green
        # environment when you create a blue/green deployment" (blue-green-deployments-
        # considerations.html), and the green gets this same group.
        return "event_scheduler OFF with dbBlueGreenUpdate: RDS refuses a green with it on"
    return None


def _below(value: str, floor: int) -> bool:
    try:
        return int(value) < floor
    except ValueError:
        return False  # a formula such as {DBInstanceClassMemory/...}: RDS's to judge


def _apply_method(key: str, item: str, name: str, context: ParameterContext) -> ApplyMethod:
    engine, major = context.engine.name, context.major_version
    if engine == "postgres":
        if name in RDS_POSTGRES_PARAMETERS:
            return "immediate" if RDS_POSTGRES_PARAMETERS[name] else "pending-reboot"
        settings = aws_facts.postgres_settings(major) or {}
        if name in settings:
            # postmaster: takes effect at server start only, RDS's "static"
            return "pending-reboot" if settings[name] == "postmaster" else "immediate"
        known = sorted(set(settings) | set(RDS_POSTGRES_PARAMETERS))
        source = f"PostgreSQL {major}'s settings ({aws_facts.postgres_settings_source()})"
    else:
        if name in MYSQL_PARAMETERS:
            return "immediate" if MYSQL_PARAMETERS[name] else "pending-reboot"
        known = sorted(MYSQL_PARAMETERS)
        source = (
            "the MySQL parameters the product checks (a hand-kept list, "
            "bastion_db/checks/parameters.py: " + ", ".join(known) + ")"
        )
    close = difflib.get_close_matches(name, known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise ConfigError(key, item, f"a parameter name from {source}{hint}")
