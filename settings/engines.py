"""What the product knows about each database engine: the one source of truth
for ports, versions, parameter group families, log exports and client tools."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EngineSpec:
    """The facts about one RDS engine that the program and its docs rely on."""

    # RDS `engine` value
    name: str
    default_port: int
    # Major versions the product supports, newest last; the first element of each
    # pair is what users write in config, the second the parameter group family.
    major_versions: tuple[tuple[str, str], ...]
    default_major_version: str
    default_database_name: str
    # Longest master user name RDS accepts for this engine
    max_username_length: int
    log_exports: tuple[str, ...]
    # Parameter that makes the server refuse connections without TLS
    force_tls_parameter: tuple[str, str]
    # Extra parameters that make the exported logs worth having
    logging_parameters: tuple[tuple[str, str], ...]
    # Amazon Linux 2023 package that provides the command-line client
    client_package: str
    client_command: str

    def family_for(self, major_version: str) -> str:
        return dict(self.major_versions)[major_version]

    @property
    def supported_majors(self) -> tuple[str, ...]:
        return tuple(major for major, _ in self.major_versions)


POSTGRES = EngineSpec(
    name="postgres",
    default_port=5432,
    major_versions=(
        ("14", "postgres14"),
        ("15", "postgres15"),
        ("16", "postgres16"),
        ("17", "postgres17"),
    ),
    default_major_version="16",
    default_database_name="postgres",
    max_username_length=63,
    log_exports=("postgresql", "upgrade"),
    force_tls_parameter=("rds.force_ssl", "1"),
    logging_parameters=(
        ("log_statement", "ddl"),
        ("log_min_duration_statement", "1000"),
        ("log_connections", "1"),
    ),
    client_package="postgresql16",
    client_command="psql",
)

MYSQL = EngineSpec(
    name="mysql",
    default_port=3306,
    major_versions=(("8.0", "mysql8.0"), ("8.4", "mysql8.4")),
    default_major_version="8.0",
    default_database_name="appdb",
    max_username_length=16,
    log_exports=("error", "slowquery"),
    force_tls_parameter=("require_secure_transport", "1"),
    logging_parameters=(("slow_query_log", "1"), ("long_query_time", "1")),
    client_package="mariadb105",
    client_command="mysql",
)

ENGINES: dict[str, EngineSpec] = {spec.name: spec for spec in (POSTGRES, MYSQL)}
