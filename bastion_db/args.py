"""The arguments of :class:`bastion_db.BastionDatabase`, field by field.

Pulumi's component analyzer (``pulumi.provider.experimental``, an API the SDK
marks experimental) reads this module to build the package's schema for every
language, so it keeps to what the analyzer reads: no postponed annotations, no
Literal or tuple, only str, int, bool, list, Optional and str-valued Enums,
and a docstring under every field. Every argument is plain (known before the
program runs): the checks refuse a bad value before any resource exists.

Each argument is its stack key in snake case (``dbInstanceClass`` is
``db_instance_class``); :data:`DEFAULTS` are the hardened defaults
``Pulumi.yaml`` declares for those keys (tests/package holds them equal).
"""

from enum import StrEnum
from typing import Any, Required, TypedDict


class AccessMode(StrEnum):
    """How people reach the database through the bastion."""

    SSH = "ssh"
    """A key pair and inbound SSH from ssh_allowed_cidrs."""
    SSM = "ssm"
    """Session Manager: no inbound rule, no key, the bastion in a private subnet."""


class Profile(StrEnum):
    """The guarantees the stack keeps."""

    DEV = "dev"
    """Cheap and disposable settings are allowed."""
    PROD = "prod"
    """Deletion protection, pulumi protect, at least 7 days of backups, no SSH from anywhere."""


class SshKeyAlgorithm(StrEnum):
    """The algorithm of a generated key pair."""

    ED25519 = "ED25519"
    """An Ed25519 key."""
    RSA = "RSA"
    """A 4096-bit RSA key."""


class SsmVpcEndpoints(StrEnum):
    """How the Session Manager agent on a private bastion reaches the service."""

    NONE = "none"
    """Through a NAT gateway (the private subnet needs a 0.0.0.0/0 route to one)."""
    CREATE = "create"
    """Interface endpoints for ssm, ssmmessages and ec2messages are created (billed hourly)."""
    EXISTING = "existing"
    """The VPC already has those endpoints, with private DNS."""


class DbEngine(StrEnum):
    """The database engine."""

    POSTGRES = "postgres"
    """RDS for PostgreSQL."""
    MYSQL = "mysql"
    """RDS for MySQL."""


class DbPasswordMode(StrEnum):
    """Where the master password comes from."""

    RANDOM = "random"
    """A generated password, a secret output."""
    SECRETS_MANAGER = "secrets-manager"
    """RDS generates, keeps and rotates it in Secrets Manager."""


class KmsKeyChoice(StrEnum):
    """Which KMS key encrypts a kind of data."""

    AWS_MANAGED = "aws-managed"
    """The AWS managed key of the service."""
    CUSTOMER_MANAGED = "customer-managed"
    """A customer-managed key the component creates, with rotation on."""


class DatabaseInsightsMode(StrEnum):
    """CloudWatch Database Insights mode."""

    STANDARD = "standard"
    """The free standard mode."""
    ADVANCED = "advanced"
    """The advanced mode (needs Performance Insights kept at least 15 months)."""


class BastionDatabaseArgs(TypedDict, total=False):
    """A bastion host and a private RDS database in an existing VPC."""

    vpc_id: Required[str]
    """Id of the existing VPC to build in, e.g. vpc-0123456789abcdef0."""
    region: str | None
    """AWS region; unset, the aws:region of the program's configuration."""
    profile: Profile | None
    """dev or prod (the default): prod protects the database and refuses weaker settings."""
    project_name: str | None
    """First part of every physical name, '<project_name>-<environment>'; unset, the
    component's name. The whole prefix may have at most 29 characters."""
    environment: str | None
    """Second part of every physical name; unset, the profile."""
    name_prefix: str | None
    """The prefix of every physical name instead of '<project_name>-<environment>' (lower-case
    letters, digits and single dashes, starting with a letter, at most 29 characters)."""
    public_subnet_ids: list[str] | None
    """Explicit public subnet ids, instead of the routing-based lookup."""
    private_subnet_ids: list[str] | None
    """Explicit private subnet ids in at least two zones, instead of the lookup."""
    public_subnet_tags: list[str] | None
    """Tag filters 'Key=Value' that pick the public subnets instead of routing."""
    private_subnet_tags: list[str] | None
    """Tag filters 'Key=Value' that pick the private subnets instead of routing."""
    access_mode: AccessMode | None
    """ssh (the default) or ssm (Session Manager, no inbound rule)."""
    ssh_allowed_cidrs: list[str] | None
    """Networks allowed to SSH to the bastion (ssh mode: at least one)."""
    allow_ssh_from_anywhere: bool | None
    """Explicit opt-in for 0.0.0.0/0 or ::/0 in ssh_allowed_cidrs; refused in prod."""
    ssh_key_algorithm: SshKeyAlgorithm | None
    """ED25519 (the default) or RSA for a generated key pair."""
    ssh_public_key: str | None
    """Your own OpenSSH public key (ssh-ed25519, or ssh-rsa of 4096 bits); set, no
    private key is generated."""
    ssm_vpc_endpoints: SsmVpcEndpoints | None
    """In ssm mode, how the agent reaches Systems Manager: none (the default), create or
    existing."""
    ssm_idle_timeout_minutes: int | None
    """In ssm mode, an idle session ends after this many minutes (1-60; 20 by default)."""
    ssm_max_session_minutes: int | None
    """In ssm mode, a session ends after this many minutes (1-1440; 60 by default)."""
    ssm_session_log_retention_days: int | None
    """In ssm mode, days the session log group keeps sessions (365 by default)."""
    ssm_manage_session_preferences: bool | None
    """In ssm mode, also own the account's default session preferences
    (SSM-SessionManagerRunShell); false by default."""
    bastion_instance_type: str | None
    """A small burstable type (t3, t3a, t4g; nano to medium); t3.micro by default."""
    bastion_root_volume_gib: int | None
    """Size of the encrypted gp3 root volume, 8 (the default) to 100 GiB."""
    bastion_ami_id: str | None
    """Pin the bastion's image; unset, the newest Amazon Linux 2023 when the bastion is
    created, kept afterwards. Changing it replaces the bastion."""
    db_engine: DbEngine | None
    """postgres (the default) or mysql."""
    db_engine_version: str | None
    """A major (e.g. 16) with automatic minor upgrades, or a full version (e.g. 16.4),
    which pins it; unset, postgres 16 or mysql 8.4."""
    db_allow_major_version_upgrade: bool | None
    """Let a new major in db_engine_version upgrade the database in place."""
    db_allow_extended_support: bool | None
    """Accept a major past its end of standard support (RDS bills Extended Support)."""
    db_instance_class: str | None
    """An RDS instance class offered for the engine, version and region; db.t4g.micro by
    default."""
    db_allocated_storage_gib: int | None
    """gp3 storage, 20 (the default) to 65536 GiB."""
    db_max_allocated_storage_gib: int | None
    """Storage autoscaling ceiling, at least 10 % above the allocated storage; 0 (the
    default) turns autoscaling off."""
    db_name: str | None
    """Initial database; unset, postgres or appdb."""
    db_username: str | None
    """Master user, at most 16 letters, digits or _; unset, postgres_admin or db_admin."""
    db_port: int | None
    """Listener port, 1150 to 65535; unset or 0, the engine's (5432 or 3306)."""
    db_password_mode: DbPasswordMode | None
    """random or secrets-manager; unset, secrets-manager in prod and random in dev."""
    db_password_rotation_days: int | None
    """Days between rotations of the master secret (secrets-manager mode), 1 to 1000,
    at most 90 in prod; 7 by default."""
    db_master_secret_kms_key: KmsKeyChoice | None
    """The key that encrypts the master secret (secrets-manager mode)."""
    db_max_connections: int | None
    """The engine's max_connections; unset or 0, RDS's formula for the class."""
    db_parameters: list[str] | None
    """The team's own engine parameters, 'name=value' each, checked against the engine
    and major (docs/operations.md); static ones apply at the next reboot."""
    db_blue_green_update: bool | None
    """Change the instance through an RDS Blue/Green Deployment (a second copy, then a
    switchover); needs db_password_mode random and no read replicas."""
    db_read_replicas: int | None
    """Same-Region read replicas, 0 (the default) to 15; needs db_password_mode random and
    backups."""
    backup_retention_days: int | None
    """Days of automated backups, 0 to 35 (at least 7 in prod); 14 by default."""
    db_backup_window: str | None
    """Daily backup window in UTC, hh24:mi-hh24:mi; 03:00-03:30 by default."""
    db_maintenance_window: str | None
    """Weekly maintenance window in UTC, ddd:hh24:mi-ddd:hh24:mi; sun:04:00-sun:04:30 by
    default."""
    db_apply_immediately: bool | None
    """Apply class, storage and version changes now rather than in the maintenance window."""
    db_multi_az: bool | None
    """A standby in a second zone; true by default (required in prod)."""
    db_deletion_protection: bool | None
    """RDS refuses to delete the instance; true by default (required in prod)."""
    db_skip_final_snapshot: bool | None
    """Delete without a final snapshot; false by default (refused in prod)."""
    db_iam_authentication: bool | None
    """IAM database authentication; true by default."""
    db_iam_username: str | None
    """The database user that signs in with IAM; unset, app_iam when IAM authentication
    is on."""
    db_storage_kms_key: KmsKeyChoice | None
    """The key that encrypts storage, snapshots and backups."""
    db_performance_insights_kms_key: KmsKeyChoice | None
    """The key that encrypts Performance Insights data."""
    db_restore_from_snapshot: str | None
    """Create the database from this DB snapshot (name or ARN); a first-create choice."""
    db_restore_from_instance: str | None
    """Create the database from this instance's backups at a point in time."""
    db_restore_time: str | None
    """With db_restore_from_instance, the RFC 3339 UTC time to restore to; unset, the
    latest restorable time."""
    db_performance_insights: bool | None
    """Performance Insights, where RDS offers it for the class; false by default."""
    db_database_insights_mode: DatabaseInsightsMode | None
    """standard (the default) or advanced CloudWatch Database Insights."""
    db_log_retention_days: int | None
    """Days the exported database logs are kept (a CloudWatch Logs retention); 365 by
    default."""
    db_enhanced_monitoring_interval: int | None
    """Enhanced Monitoring interval in seconds: 0 (off), 1, 5, 10, 15, 30 or 60 (the
    default)."""
    db_subnet_group_name: str | None
    """Bring your own: an existing DB subnet group for the database, instead of one
    made from the private subnets."""
    db_security_group_ids: list[str] | None
    """Bring your own: security groups attached to the database besides its own (which
    admits the bastion), e.g. one your application servers may reach."""
    alarm_emails: list[str] | None
    """Addresses the alarm topic mails (each confirms its subscription)."""
    alarm_cpu_percent: int | None
    """Database CPU alarm threshold, percent; 90 by default."""
    alarm_freeable_memory_percent: int | None
    """Freeable memory alarm, percent of the class's memory; 25 by default."""
    alarm_freeable_memory_mib: int | None
    """Freeable memory alarm in MiB instead; 0 (the default) sizes it from the class's memory.
    Set it for a class whose memory bastion-db does not know."""
    alarm_free_storage_percent: int | None
    """Free storage alarm, percent of the allocated storage; 10 by default."""
    alarm_connections_percent: int | None
    """Connections alarm, percent of max_connections; 90 by default."""
    alarm_read_latency_ms: int | None
    """Read latency alarm, milliseconds; 20 by default."""
    alarm_write_latency_ms: int | None
    """Write latency alarm, milliseconds; 20 by default."""
    alarm_bastion_cpu_percent: int | None
    """Bastion CPU alarm threshold, percent; 80 by default."""
    alarm_evaluation_periods: int | None
    """Minutes a metric must stay past its threshold before an alarm fires; 5 by default."""
    alarm_replica_lag_seconds: int | None
    """A read replica more than this many seconds behind its source, for
    alarm_evaluation_periods minutes, raises an alarm; 300 by default."""


# What an unset argument means: the hardened values of Pulumi.yaml, except the
# profile (prod: a package user who wants dev's allowances says so).
DEFAULTS: dict[str, Any] = {
    "profile": "prod",
    "public_subnet_ids": [],
    "private_subnet_ids": [],
    "public_subnet_tags": [],
    "private_subnet_tags": [],
    "access_mode": "ssh",
    "ssh_allowed_cidrs": [],
    "allow_ssh_from_anywhere": False,
    "ssh_key_algorithm": "ED25519",
    "ssm_vpc_endpoints": "none",
    "ssm_idle_timeout_minutes": 20,
    "ssm_max_session_minutes": 60,
    "ssm_session_log_retention_days": 365,
    "ssm_manage_session_preferences": False,
    "bastion_instance_type": "t3.micro",
    "bastion_root_volume_gib": 8,
    "db_engine": "postgres",
    "db_allow_major_version_upgrade": False,
    "db_allow_extended_support": False,
    "db_instance_class": "db.t4g.micro",
    "db_allocated_storage_gib": 20,
    "db_max_allocated_storage_gib": 0,
    "db_port": 0,
    "db_password_rotation_days": 7,
    "db_master_secret_kms_key": "aws-managed",
    "db_max_connections": 0,
    "db_parameters": [],
    "db_blue_green_update": False,
    "db_read_replicas": 0,
    "backup_retention_days": 14,
    "db_backup_window": "03:00-03:30",
    "db_maintenance_window": "sun:04:00-sun:04:30",
    "db_apply_immediately": False,
    "db_multi_az": True,
    "db_deletion_protection": True,
    "db_skip_final_snapshot": False,
    "db_iam_authentication": True,
    "db_storage_kms_key": "aws-managed",
    "db_performance_insights_kms_key": "aws-managed",
    "db_performance_insights": False,
    "db_database_insights_mode": "standard",
    "db_log_retention_days": 365,
    "db_enhanced_monitoring_interval": 60,
    "alarm_emails": [],
    "alarm_cpu_percent": 90,
    "alarm_freeable_memory_percent": 25,
    "alarm_freeable_memory_mib": 0,
    "alarm_free_storage_percent": 10,
    "alarm_connections_percent": 90,
    "alarm_read_latency_ms": 20,
    "alarm_write_latency_ms": 20,
    "alarm_bastion_cpu_percent": 80,
    "alarm_evaluation_periods": 5,
    "alarm_replica_lag_seconds": 300,
}
