"""Turns stack configuration into :class:`StackSettings`, or one clear
:class:`ConfigError`, before the program registers a single resource."""

from __future__ import annotations

from typing import Literal, cast, get_args

from bastion_db import aws_facts
from bastion_db.checks import validate
from bastion_db.checks.access import parse_access
from bastion_db.checks.database import parse_database
from bastion_db.checks.errors import ConfigError
from bastion_db.checks.model import (
    BastionSettings,
    NetworkSettings,
    Profile,
    StackSettings,
    SubnetSelection,
)
from bastion_db.checks.monitoring import parse_monitoring
from bastion_db.checks.operations import check_identifiers
from bastion_db.checks.reader import ConfigReader

# Bastion instance types: small burstable ones, with the CPU architecture the
# AMI lookup must match.
BASTION_INSTANCE_TYPES: dict[str, str] = {
    **{f"t3.{size}": "x86_64" for size in ("nano", "micro", "small", "medium")},
    **{f"t3a.{size}": "x86_64" for size in ("nano", "micro", "small", "medium")},
    **{f"t4g.{size}": "arm64" for size in ("nano", "micro", "small", "medium")},
}

# '<projectName>-<stack>' starts every physical name. The tightest limit on it
# is the IAM role name prefix: the provider allows 38 characters
# (terraform-provider-aws internal/service/iam/role.go: roleNamePrefixMaxLen =
# roleNameMaxLen 64 - id.UniqueIDSuffixLength 26), and the longest prefix made
# from it is '<name prefix>-bastion-' (bastion_db/bastion.py, and the
# database's '-rds-mon-' role, as long).
IAM_ROLE_NAME_PREFIX_MAX = 38
LONGEST_ROLE_PREFIX_SUFFIX = len("-bastion-")
MAX_NAME_PREFIX = IAM_ROLE_NAME_PREFIX_MAX - LONGEST_ROLE_PREFIX_SUFFIX

PROFILES: tuple[str, ...] = get_args(Profile)

# CreateDocument, Name: "You can't use the following strings as document name
# prefixes. These are reserved by AWS for use as document name prefixes: aws,
# amazon, amzn, AWSEC2, AWSConfigRemediation, AWSSupport"
# (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateDocument.html).
# In ssm mode the stack names its Session document '<name prefix>-shell'.
SSM_RESERVED_DOCUMENT_PREFIXES = ("aws", "amazon", "amzn")


def load_settings(
    reader: ConfigReader,
    *,
    project: str,
    stack: str,
    aws_region: str | None,
    stack_key: str = "stack name",
) -> StackSettings:
    """Reads and validates every setting of the stack; raises ConfigError on the first bad one.

    ``stack`` is the environment part of every name: the stack's name, or
    through the package the argument ``stack_key`` names.
    """
    key = reader.full_key
    environment = validate.matching(
        stack_key, stack, validate.STACK_NAME, validate.STACK_NAME_ACCEPTED
    )
    profile = cast(Profile, validate.one_of(key("profile"), _profile(reader, stack), PROFILES))
    project_name = reader.string("projectName", project) or project
    validate.matching(key("projectName"), project_name, validate.NAME, validate.NAME_ACCEPTED)
    name_prefix, prefix_key, prefix_value = _name_prefix(reader, project_name, stack)
    region = _region(aws_region)
    network = parse_network(reader)
    access = parse_access(reader, profile)
    if access.mode == "ssm" and name_prefix.startswith(SSM_RESERVED_DOCUMENT_PREFIXES):
        raise ConfigError(
            prefix_key,
            prefix_value,
            f"a name prefix ('{name_prefix}' now) that starts with none of "
            f"{', '.join(SSM_RESERVED_DOCUMENT_PREFIXES)}: SSM keeps those for its own "
            "document names, and Session Manager mode creates '<name prefix>-shell'",
        )

    settings = StackSettings(
        project=project_name,
        environment=environment,
        name_prefix=name_prefix,
        profile=profile,
        region=region,
        network=network,
        access=access,
        bastion=parse_bastion(reader, region),
        database=parse_database(reader, profile, region),
        monitoring=parse_monitoring(reader, profile),
    )
    database = settings.database
    check_identifiers(
        reader, settings.name_prefix, database.blue_green_update, database.read_replicas
    )
    return settings


def _name_prefix(reader: ConfigReader, project_name: str, stack: str) -> tuple[str, str, str]:
    """The prefix of every physical name, the key that sets it and that key's
    value: namePrefix, else '<projectName>-<the stack name as a name part>'
    (stack team_lab: bastion-db-team-lab)."""
    key = reader.full_key
    configured = reader.string("namePrefix")
    if configured:
        name_prefix = validate.matching(
            key("namePrefix"), configured, validate.NAME, validate.NAME_ACCEPTED
        )
        prefix_key, value, what = key("namePrefix"), configured, "it"
    else:
        part = validate.name_part(stack)
        if not part:
            raise ConfigError(
                key("namePrefix"),
                None,
                f"a physical-name prefix ({validate.NAME_ACCEPTED}), since the stack name "
                f"{stack!r} has no letter or digit to make one of",
            )
        name_prefix = f"{project_name}-{part}"
        prefix_key, value = key("projectName"), project_name
        what = f"'<projectName>-<stack>' ({name_prefix})"
    if len(name_prefix) > MAX_NAME_PREFIX:
        raise ConfigError(
            prefix_key,
            value,
            f"a name short enough that {what} has at most {MAX_NAME_PREFIX} characters "
            f"(here {len(name_prefix)}): IAM role name prefixes built from it may have at "
            f"most {IAM_ROLE_NAME_PREFIX_MAX}; or set {key('namePrefix')}",
        )
    if name_prefix.startswith("sg-"):
        # EC2 refuses security group names starting with sg- (CreateSecurityGroup,
        # GroupName), and the groups are named '<name prefix>-...'.
        raise ConfigError(
            prefix_key, value, "a name that does not start with 'sg-' (EC2 keeps it for group ids)"
        )
    return name_prefix, prefix_key, value


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


def parse_network(reader: ConfigReader) -> NetworkSettings:
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


def _region(aws_region: str | None) -> str:
    """A region AWS has (aws_facts, from cfn-lint's region list)."""
    regions = aws_facts.regions()
    if aws_region is None or aws_region not in regions:
        raise ConfigError("aws:region", aws_region, "an AWS region: " + ", ".join(sorted(regions)))
    return aws_region


def parse_bastion(reader: ConfigReader, region: str) -> BastionSettings:
    key = reader.full_key
    offered = set(BASTION_INSTANCE_TYPES)
    if aws_facts.has_offerings(region):  # none recorded for the isolated partitions
        offered &= aws_facts.ec2_instance_types(region)
    instance_type = validate.one_of(
        key("bastionInstanceType"),
        reader.string("bastionInstanceType") or "",
        sorted(offered),
    )
    root_gib = validate.in_range(
        key("bastionRootVolumeGib"), reader.integer("bastionRootVolumeGib") or 0, 8, 100, "GiB"
    )
    architecture: Literal["x86_64", "arm64"] = (
        "arm64" if BASTION_INSTANCE_TYPES[instance_type] == "arm64" else "x86_64"
    )
    ami_id = reader.string("bastionAmiId")
    if ami_id is not None:
        validate.matching(
            key("bastionAmiId"), ami_id, validate.AMI_ID, "an image id like ami-0123456789abcdef0"
        )
    return BastionSettings(
        instance_type=instance_type,
        architecture=architecture,
        root_volume_gib=root_gib,
        ami_id=ami_id,
    )
