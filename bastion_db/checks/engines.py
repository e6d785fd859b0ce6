"""What the product knows about each database engine: ports, defaults, parameter
group families, log exports and client tools.

Which versions RDS offers is not written here: it comes from :mod:`aws_facts`
(AWS-generated data, refreshed from cfn-lint), so a new major such as
PostgreSQL 18 is accepted as soon as the facts are refreshed.
"""

from __future__ import annotations

from dataclasses import dataclass

from bastion_db import aws_facts


@dataclass(frozen=True)
class EngineSpec:
    """The facts about one RDS engine that the program and its docs rely on."""

    # RDS `engine` value
    name: str
    default_port: int
    # The major a stack gets when dbEngineVersion is empty. Changing it would ask
    # every stack that relies on it for a major upgrade, so it moves only with a
    # release note (see the README's "Engine versions").
    default_major_version: str
    default_database_name: str
    default_username: str
    # Longest master user name RDS accepts for this engine (CreateDBInstance,
    # MasterUsername: "1 to 16 letters, numbers, or underscores", for every engine:
    # https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html;
    # the PostgreSQL guide says the same, Appendix.PostgreSQL.CommonDBATasks.Roles.html)
    max_username_length: int
    # Longest initial database name (CreateDBInstance, DBName: 63 / 64)
    max_database_name_length: int
    log_exports: tuple[str, ...]
    # Parameter that makes the server refuse connections without TLS
    force_tls_parameter: tuple[str, str]
    # Extra parameters that make the exported logs worth having
    logging_parameters: tuple[tuple[str, str], ...]
    client_command: str

    def family_for(self, major_version: str) -> str:
        """The DB parameter group family of a major: RDS names them engine + major
        (``postgres16``, ``mysql8.4``; DescribeDBEngineVersions, DBParameterGroupFamily)."""
        return f"{self.name}{major_version}"

    def client_packages(self, major_version: str) -> tuple[str, ...]:
        """Amazon Linux 2023 packages that give the bastion this engine's client,
        best first. AL2023 packages PostgreSQL clients per major (postgresql15,
        postgresql16, postgresql17, ...); where it has none for the server's
        major, the nearest newer client is the right one (psql speaks to older
        servers), else the nearest older. MySQL's client comes from MariaDB's
        package, which speaks MySQL 8's protocol and TLS."""
        if self.name != "postgres":
            return ("mariadb105",)
        major = int(major_version)
        majors = sorted(int(m) for m in aws_facts.major_versions(self.name))
        newer = [f"postgresql{m}" for m in majors if m > major]
        older = [f"postgresql{m}" for m in reversed(majors) if m < major]
        return (f"postgresql{major}", *newer, *older)


POSTGRES = EngineSpec(
    name="postgres",
    default_port=5432,
    default_major_version="16",
    default_database_name="postgres",
    default_username="postgres_admin",
    max_username_length=16,
    max_database_name_length=63,
    log_exports=("postgresql", "upgrade"),
    force_tls_parameter=("rds.force_ssl", "1"),
    logging_parameters=(
        ("log_statement", "ddl"),
        ("log_min_duration_statement", "1000"),
        ("log_connections", "1"),
    ),
    client_command="psql",
)

MYSQL = EngineSpec(
    name="mysql",
    default_port=3306,
    # 8.0 left standard support on 2026-07-31 (RDS for MySQL release calendar):
    # a new 8.0 instance would start in paid Extended Support.
    default_major_version="8.4",
    default_database_name="appdb",
    default_username="db_admin",
    max_username_length=16,
    max_database_name_length=64,
    log_exports=("error", "slowquery"),
    force_tls_parameter=("require_secure_transport", "1"),
    logging_parameters=(("slow_query_log", "1"), ("long_query_time", "1")),
    client_command="mysql",
)

ENGINES: dict[str, EngineSpec] = {spec.name: spec for spec in (POSTGRES, MYSQL)}
