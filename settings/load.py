"""Turns stack configuration into :class:`StackSettings`, or one clear
:class:`ConfigError`, before the program registers a single resource."""

from __future__ import annotations

import re
from typing import Literal, cast, get_args

from settings import validate
from settings.engines import ENGINES, EngineSpec
from settings.errors import ConfigError
from settings.instance_classes import ALLOWED_INSTANCE_CLASSES
from settings.model import (
    AccessMode,
    AccessSettings,
    BastionSettings,
    DatabaseSettings,
    KeyAlgorithm,
    NetworkSettings,
    PasswordMode,
    Profile,
    StackSettings,
    SubnetSelection,
)
from settings.monitoring import parse_monitoring
from settings.reader import ConfigReader

# Bastion instance types: small burstable ones, with the CPU architecture the
# AMI lookup must match.
BASTION_INSTANCE_TYPES: dict[str, str] = {
    **{f"t3.{size}": "x86_64" for size in ("nano", "micro", "small", "medium")},
    **{f"t3a.{size}": "x86_64" for size in ("nano", "micro", "small", "medium")},
    **{f"t4g.{size}": "arm64" for size in ("nano", "micro", "small", "medium")},
}
DEFAULT_BASTION_INSTANCE_TYPE = "t3.micro"

# Names RDS keeps for itself and refuses as a master user name.
RESERVED_USERNAMES = frozenset({"rdsadmin", "rdsrepladmin", "rds_superuser", "rds_replication"})
IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


# Defaults are the hardened values; a cheap stack opts out in its stack file.
# They must equal the defaults Pulumi.yaml declares (a test holds them together).
DEFAULT_BACKUP_RETENTION_DAYS = 14
DEFAULT_ENHANCED_MONITORING_INTERVAL = 60
# What the prod profile never gives up, whatever its stack file says.
PROD_MIN_BACKUP_RETENTION_DAYS = 7
PROFILES: tuple[str, ...] = get_args(Profile)


def load_settings(
    reader: ConfigReader, *, project: str, stack: str, aws_region: str | None
) -> StackSettings:
    """Reads and validates every setting of the stack; raises ConfigError on the first bad one."""
    key = reader.full_key
    environment = validate.matching(
        "stack name", stack, validate.NAME, "lower-case letters, digits and dashes"
    )
    profile = cast(Profile, validate.one_of(key("profile"), _profile(reader, stack), PROFILES))
    project_name = reader.string("projectName", project) or project
    validate.matching(
        key("projectName"), project_name, validate.NAME, "lower-case letters, digits and dashes"
    )
    if len(f"{project_name}-{environment}") > 40:
        raise ConfigError(
            key("projectName"),
            project_name,
            "a name short enough that '<projectName>-<stack>' has at most 40 characters",
        )
    if aws_region is None:
        raise ConfigError("aws:region", None, "an AWS region, e.g. us-east-1")
    region = validate.matching(
        "aws:region", aws_region, validate.REGION, "an AWS region, e.g. us-east-1"
    )

    return StackSettings(
        project=project_name,
        environment=environment,
        profile=profile,
        region=region,
        network=_network(reader),
        access=_access(reader, profile),
        bastion=_bastion(reader),
        database=_database(reader, profile),
        monitoring=parse_monitoring(reader, profile),
    )


def _profile(reader: ConfigReader, stack: str) -> str:
    configured = reader.string("profile")
    if configured is not None:
        return configured
    if stack in PROFILES:
        return stack
    raise ConfigError(
        reader.full_key("profile"),
        None,
        f"'dev' or 'prod' (stack '{stack}' is neither, so its stack file must say which)",
    )


def _network(reader: ConfigReader) -> NetworkSettings:
    key = reader.full_key
    vpc_id = validate.matching(
        key("vpcId"),
        reader.required_string("vpcId", "the id of an existing VPC, e.g. vpc-0123456789abcdef0"),
        validate.VPC_ID,
        "a VPC id like vpc-0123456789abcdef0",
    )

    def subnet_ids(name: str) -> tuple[str, ...]:
        return tuple(
            validate.matching(
                key(name), value, validate.SUBNET_ID, "subnet ids like subnet-0123abcd"
            )
            for value in reader.string_list(name)
        )

    public_ids, private_ids = subnet_ids("publicSubnetIds"), subnet_ids("privateSubnetIds")
    overlap = set(public_ids) & set(private_ids)
    if overlap:
        raise ConfigError(
            key("privateSubnetIds"), sorted(overlap), "subnets that are not also listed as public"
        )
    return NetworkSettings(
        vpc_id=vpc_id,
        subnets=SubnetSelection(
            public_subnet_ids=public_ids,
            private_subnet_ids=private_ids,
            public_subnet_tags=_tag_filters(reader, "publicSubnetTags"),
            private_subnet_tags=_tag_filters(reader, "privateSubnetTags"),
        ),
    )


def _tag_filters(reader: ConfigReader, name: str) -> tuple[tuple[str, str], ...]:
    """Tag filters written as "Key=Value" items (Pulumi.yaml can only type lists)."""
    filters = []
    for item in reader.string_list(name):
        tag, sep, value = item.partition("=")
        if not sep or not tag.strip() or not value.strip():
            raise ConfigError(reader.full_key(name), item, 'tag filters like "Tier=private"')
        filters.append((tag.strip(), value.strip()))
    return tuple(sorted(filters))


def _access(reader: ConfigReader, profile: str) -> AccessSettings:
    key = reader.full_key
    mode = cast(
        AccessMode,
        validate.one_of(
            key("accessMode"), reader.string("accessMode", "ssh") or "ssh", ("ssh", "ssm")
        ),
    )
    raw_cidrs = reader.string_list("sshAllowedCidrs")
    if mode == "ssm" and raw_cidrs:
        raise ConfigError(
            key("sshAllowedCidrs"),
            raw_cidrs,
            "no value in accessMode 'ssm' (Session Manager needs no inbound SSH at all)",
        )
    if mode == "ssh" and not raw_cidrs:
        raise ConfigError(
            key("sshAllowedCidrs"),
            None,
            "at least one CIDR allowed to SSH to the bastion, e.g. your office or VPN "
            "range 203.0.113.0/24 (or accessMode 'ssm')",
        )
    cidrs = tuple(validate.cidr(key("sshAllowedCidrs"), value) for value in raw_cidrs)
    open_to_all = [str(c) for c in cidrs if validate.is_whole_internet(c)]
    if open_to_all:
        if profile == "prod":
            raise ConfigError(
                key("sshAllowedCidrs"),
                open_to_all,
                "named CIDRs only: a prod bastion is never open to the whole internet",
            )
        if not reader.boolean("allowSshFromAnywhere", False):
            raise ConfigError(
                key("sshAllowedCidrs"),
                open_to_all,
                "named CIDRs; SSH from the whole internet needs "
                f"{key('allowSshFromAnywhere')}: true (never in prod)",
            )
    algorithm = cast(
        KeyAlgorithm,
        validate.one_of(
            key("sshKeyAlgorithm"),
            (reader.string("sshKeyAlgorithm", "ED25519") or "").upper(),
            ("ED25519", "RSA"),
        ),
    )
    public_key = reader.string("sshPublicKey")
    if public_key is not None:
        if mode == "ssm":
            raise ConfigError(key("sshPublicKey"), "(a key)", "no value in accessMode 'ssm'")
        public_key = validate.ssh_public_key(key("sshPublicKey"), public_key)
    return AccessSettings(
        mode=mode, ssh_allowed_cidrs=cidrs, key_algorithm=algorithm, ssh_public_key=public_key
    )


def _bastion(reader: ConfigReader) -> BastionSettings:
    key = reader.full_key
    instance_type = validate.one_of(
        key("bastionInstanceType"),
        reader.string("bastionInstanceType", DEFAULT_BASTION_INSTANCE_TYPE) or "",
        sorted(BASTION_INSTANCE_TYPES),
    )
    root_gib = validate.in_range(
        key("bastionRootVolumeGib"), reader.integer("bastionRootVolumeGib", 8) or 0, 8, 100, "GiB"
    )
    architecture: Literal["x86_64", "arm64"] = (
        "arm64" if BASTION_INSTANCE_TYPES[instance_type] == "arm64" else "x86_64"
    )
    return BastionSettings(
        instance_type=instance_type, architecture=architecture, root_volume_gib=root_gib
    )


def _engine_version(key: str, engine: EngineSpec, value: str | None) -> tuple[str, str]:
    """Returns (major, version to ask RDS for)."""
    if value is None:
        return engine.default_major_version, engine.default_major_version
    accepted = (
        f"a {engine.name} version of a supported major ("
        + ", ".join(engine.supported_majors)
        + "), e.g. "
        + engine.default_major_version
    )
    for major in engine.supported_majors:
        if value == major or (
            value.startswith(major + ".") and value[len(major) + 1 :].replace(".", "").isdigit()
        ):
            return major, value
    raise ConfigError(key, value, accepted)


def _database(reader: ConfigReader, profile: str) -> DatabaseSettings:
    key = reader.full_key
    engine = ENGINES[
        validate.one_of(
            key("dbEngine"), reader.string("dbEngine", "postgres") or "", tuple(ENGINES)
        )
    ]
    major, version = _engine_version(
        key("dbEngineVersion"), engine, reader.string("dbEngineVersion")
    )
    instance_class = validate.one_of(
        key("dbInstanceClass"),
        reader.string("dbInstanceClass", "db.t4g.micro") or "",
        sorted(ALLOWED_INSTANCE_CLASSES),
    )
    storage = validate.in_range(
        key("dbAllocatedStorageGib"),
        reader.integer("dbAllocatedStorageGib", 20) or 0,
        20,
        65536,
        "GiB",
    )
    # 0 (Pulumi.yaml's default) means "not set" for these three.
    max_storage = reader.integer("dbMaxAllocatedStorageGib", None) or None
    if max_storage is not None:
        validate.in_range(key("dbMaxAllocatedStorageGib"), max_storage, storage + 1, 65536, "GiB")

    database_name = reader.string("dbName", engine.default_database_name) or ""
    if not IDENTIFIER.fullmatch(database_name) or len(database_name) > 63:
        raise ConfigError(
            key("dbName"), database_name, "a letter followed by letters, digits or _ (at most 63)"
        )
    username = (
        reader.string("dbUsername", "postgres_admin" if engine.name == "postgres" else "db_admin")
        or ""
    )
    if (
        not IDENTIFIER.fullmatch(username)
        or len(username) > engine.max_username_length
        or username.lower() in RESERVED_USERNAMES
    ):
        raise ConfigError(
            key("dbUsername"),
            username,
            f"a letter followed by letters, digits or _ (at most {engine.max_username_length} "
            f"for {engine.name}), not one of RDS's reserved names",
        )
    port = validate.in_range(
        key("dbPort"), reader.integer("dbPort", None) or engine.default_port, 1150, 65535
    )
    password_mode = cast(
        PasswordMode,
        validate.one_of(
            key("dbPasswordMode"),
            reader.string("dbPasswordMode", "random") or "",
            ("random", "secrets-manager"),
        ),
    )
    max_connections = reader.integer("dbMaxConnections", None) or None
    if max_connections is not None:
        validate.in_range(key("dbMaxConnections"), max_connections, 10, 100000)

    retention = validate.in_range(
        key("backupRetentionDays"),
        reader.integer("backupRetentionDays", DEFAULT_BACKUP_RETENTION_DAYS) or 0,
        0,
        35,
        "days",
    )
    if profile == "prod" and retention < PROD_MIN_BACKUP_RETENTION_DAYS:
        raise ConfigError(
            key("backupRetentionDays"),
            retention,
            f"at least {PROD_MIN_BACKUP_RETENTION_DAYS} days in the prod profile",
        )
    interval = (
        reader.integer("dbEnhancedMonitoringInterval", DEFAULT_ENHANCED_MONITORING_INTERVAL) or 0
    )
    if interval not in (0, 1, 5, 10, 15, 30, 60):
        raise ConfigError(
            key("dbEnhancedMonitoringInterval"), interval, "one of 0, 1, 5, 10, 15, 30, 60 seconds"
        )

    return DatabaseSettings(
        engine=engine,
        major_version=major,
        engine_version=version,
        instance_class=instance_class,
        allocated_storage_gib=storage,
        max_allocated_storage_gib=max_storage,
        database_name=database_name,
        master_username=username,
        port=port,
        password_mode=password_mode,
        max_connections=max_connections,
        backup_retention_days=retention,
        multi_az=reader.boolean("dbMultiAz", True),
        deletion_protection=reader.boolean("dbDeletionProtection", True),
        skip_final_snapshot=reader.boolean("dbSkipFinalSnapshot", False),
        iam_authentication=reader.boolean("dbIamAuthentication", True),
        performance_insights=reader.boolean("dbPerformanceInsights", False),
        enhanced_monitoring_interval=interval,
        # Not configurable: prod's database is always protected from deletion.
        protect=profile == "prod",
    )
