"""The typed, validated settings a stack runs with. Components receive these,
never ``pulumi.Config``."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal

from bastion_db.checks.engines import EngineSpec
from bastion_db.checks.monitoring import MonitoringSettings
from bastion_db.checks.parameters import DatabaseParameter

AccessMode = Literal["ssh", "ssm"]
KeyAlgorithm = Literal["ED25519", "RSA"]
PasswordMode = Literal["random", "secrets-manager"]
Profile = Literal["dev", "prod"]
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class SubnetSelection:
    """How to pick the existing subnets; explicit ids win over tags, tags over routes."""

    public_subnet_ids: tuple[str, ...] = ()
    private_subnet_ids: tuple[str, ...] = ()
    public_subnet_tags: tuple[tuple[str, str], ...] = ()
    private_subnet_tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class NetworkSettings:
    vpc_id: str
    subnets: SubnetSelection


# How the Session Manager agent on a bastion in a private subnet reaches the
# service: "none" creates no endpoint, so the subnet needs a NAT route;
# "create": the stack makes the interface endpoints; "existing": the VPC has them.
SsmVpcEndpoints = Literal["none", "create", "existing"]


@dataclass(frozen=True)
class SessionSettings:
    """Session Manager mode: how the agent gets out, and how sessions are bounded and kept."""

    vpc_endpoints: SsmVpcEndpoints
    # Session preferences (session document inputs idleSessionTimeout, maxSessionDuration)
    idle_timeout_minutes: int
    max_session_minutes: int
    # Retention of the CloudWatch log group shell sessions are logged to
    log_retention_days: int
    # Also own the account's default preferences, SSM-SessionManagerRunShell
    manage_session_preferences: bool


@dataclass(frozen=True)
class AccessSettings:
    mode: AccessMode
    # Who may open an SSH connection to the bastion (empty in ssm mode)
    ssh_allowed_cidrs: tuple[IpNetwork, ...]
    key_algorithm: KeyAlgorithm
    # The user's own OpenSSH public key; when set no private key is generated
    ssh_public_key: str | None
    # Session Manager settings; None in ssh mode
    session: SessionSettings | None = None


@dataclass(frozen=True)
class BastionSettings:
    instance_type: str
    architecture: Literal["x86_64", "arm64"]
    root_volume_gib: int
    # A pinned image (bastionAmiId); None keeps the image the bastion was created with
    ami_id: str | None


@dataclass(frozen=True)
class SnapshotRestore:
    """Create the database from a DB snapshot (its name, or a shared one's ARN)."""

    snapshot: str


@dataclass(frozen=True)
class PointInTimeRestore:
    """Create the database from another instance's backups at a point in time."""

    # The source: an instance identifier, its resource id or its kept backups' ARN
    source: str
    source_kind: Literal["identifier", "resource-id", "automated-backups-arn"]
    # RFC 3339 UTC; None restores to the latest restorable time
    restore_time: str | None


# None: an empty database
RestoreSource = SnapshotRestore | PointInTimeRestore | None


@dataclass(frozen=True)
class DatabaseKeySettings:
    """Which data a customer-managed KMS key of the stack encrypts (else AWS managed keys)."""

    storage: bool = False
    performance_insights: bool = False
    master_secret: bool = False

    @property
    def any(self) -> bool:
        return self.storage or self.performance_insights or self.master_secret


@dataclass(frozen=True)
class DatabaseSettings:
    engine: EngineSpec
    major_version: str
    # What RDS is asked for: a major ("16") lets automatic minor upgrades run,
    # a full version ("16.3") pins the instance and turns them off
    engine_version: str
    auto_minor_version_upgrade: bool
    # A deliberate opt-in: RDS refuses a major upgrade without it
    allow_major_version_upgrade: bool
    instance_class: str
    allocated_storage_gib: int
    max_allocated_storage_gib: int | None
    database_name: str
    master_username: str
    port: int
    password_mode: PasswordMode
    # Days between rotations of the RDS-managed master secret (secrets-manager mode)
    password_rotation_days: int
    max_connections: int | None
    backup_retention_days: int
    # UTC windows as RDS takes them: "hh24:mi-hh24:mi" and "ddd:hh24:mi-ddd:hh24:mi"
    backup_window: str
    maintenance_window: str
    # Class, storage, Multi-AZ and version changes now, not in the next maintenance window
    apply_immediately: bool
    multi_az: bool
    deletion_protection: bool
    skip_final_snapshot: bool
    iam_authentication: bool
    performance_insights: bool
    performance_insights_retention_days: int
    database_insights_mode: Literal["standard", "advanced"]
    enhanced_monitoring_interval: int
    # Retention of the log groups RDS exports to (/aws/rds/instance/<id>/<log>)
    log_retention_days: int
    # Pulumi `protect`: the engine refuses to delete the instance at all
    protect: bool
    # Where the data comes from when the instance is created (a first-create choice)
    restore: RestoreSource = None
    # The database user that signs in with IAM (None when IAM authentication is off)
    iam_username: str | None = None
    keys: DatabaseKeySettings = DatabaseKeySettings()
    # Instance changes go through an RDS Blue/Green Deployment (docs/operations.md)
    blue_green_update: bool = False
    # Same-Region read replicas, <identifier>-replica-<n>
    read_replicas: int = 0
    # The team's own parameters (dbParameters), checked, with their apply method
    parameters: tuple[DatabaseParameter, ...] = ()

    @property
    def backups_outlive_instance(self) -> bool:
        """Whether deleting the instance leaves its data behind: a final snapshot,
        or the automated backups a protected instance keeps
        (components/database.py: ``delete_automated_backups=not protect``)."""
        return not self.skip_final_snapshot or (self.protect and self.backup_retention_days > 0)


@dataclass(frozen=True)
class StackSettings:
    project: str
    # The stack name, as the Environment tag says it (e.g. "team_lab")
    environment: str
    # Prefix of physical names, e.g. "bastion-db-team-lab" (settings/load.py)
    name_prefix: str
    profile: Profile
    region: str
    network: NetworkSettings
    access: AccessSettings
    bastion: BastionSettings
    database: DatabaseSettings
    monitoring: MonitoringSettings

    @property
    def tags(self) -> dict[str, str]:
        """Tags every taggable resource carries (through the provider's default tags)."""
        return resource_tags(self.project, self.environment)


def resource_tags(project: str, environment: str) -> dict[str, str]:
    """The product's tag set, the same for every project of it (bootstrap/ too)."""
    return {"Project": project, "Environment": environment, "ManagedBy": "pulumi"}
