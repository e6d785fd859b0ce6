"""Turns stack configuration into :class:`StackSettings`, or one clear
:class:`ConfigError`, before the program registers a single resource."""

from __future__ import annotations

from typing import Literal, cast, get_args

import aws_facts
from settings import validate
from settings.access import parse_access
from settings.database import parse_database
from settings.errors import ConfigError
from settings.model import (
    BastionSettings,
    NetworkSettings,
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

# '<projectName>-<stack>' starts every physical name. The tightest limit on it
# is the IAM role name prefix: the provider allows 38 characters
# (terraform-provider-aws internal/service/iam/role.go: roleNamePrefixMaxLen =
# roleNameMaxLen 64 - id.UniqueIDSuffixLength 26), and the longest prefix made
# from it is '<name prefix>-bastion-' (components/bastion.py, and the
# database's '-rds-mon-' role, as long).
IAM_ROLE_NAME_PREFIX_MAX = 38
LONGEST_ROLE_PREFIX_SUFFIX = len("-bastion-")
MAX_NAME_PREFIX = IAM_ROLE_NAME_PREFIX_MAX - LONGEST_ROLE_PREFIX_SUFFIX

PROFILES: tuple[str, ...] = get_args(Profile)

# CreateDocument, Name: "You can't use the following strings as document name
# prefixes. These are reserved by AWS for use as document name prefixes: aws,
# amazon, amzn, AWSEC2, AWSConfigRemediation, AWSSupport"
# (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateDocument.html).
# In ssm mode the stack names its Session document '<projectName>-<stack>-shell'.
RESERVED_DOCUMENT_PREFIXES = ("aws", "amazon", "amzn")


def load_settings(
    reader: ConfigReader, *, project: str, stack: str, aws_region: str | None
) -> StackSettings:
    """Reads and validates every setting of the stack; raises ConfigError on the first bad one."""
    key = reader.full_key
    environment = validate.matching("stack name", stack, validate.NAME, validate.NAME_ACCEPTED)
    profile = cast(Profile, validate.one_of(key("profile"), _profile(reader, stack), PROFILES))
    project_name = reader.string("projectName", project) or project
    validate.matching(key("projectName"), project_name, validate.NAME, validate.NAME_ACCEPTED)
    if len(f"{project_name}-{environment}") > MAX_NAME_PREFIX:
        raise ConfigError(
            key("projectName"),
            project_name,
            f"a name short enough that '<projectName>-<stack>' has at most {MAX_NAME_PREFIX} "
            f"characters (here {len(project_name) + 1 + len(environment)}): IAM role name "
            f"prefixes built from it may have at most {IAM_ROLE_NAME_PREFIX_MAX}",
        )
    if f"{project_name}-".startswith("sg-"):
        # EC2 refuses security group names starting with sg- (CreateSecurityGroup,
        # GroupName), and the groups are named '<projectName>-<stack>-...'.
        raise ConfigError(
            key("projectName"), project_name, "a name other than 'sg' (EC2 keeps sg- for group ids)"
        )
    region = _region(aws_region)
    access = parse_access(reader, profile)
    if access.mode == "ssm" and project_name.startswith(RESERVED_DOCUMENT_PREFIXES):
        raise ConfigError(
            key("projectName"),
            project_name,
            "a name not starting with " + ", ".join(RESERVED_DOCUMENT_PREFIXES) + " in "
            "accessMode 'ssm': AWS reserves them for Systems Manager document names, and "
            "the stack's Session document is named '<projectName>-<stack>-shell'",
        )

    return StackSettings(
        project=project_name,
        environment=environment,
        profile=profile,
        region=region,
        network=_network(reader),
        access=access,
        bastion=_bastion(reader, region),
        database=parse_database(reader, profile, region),
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


def _region(aws_region: str | None) -> str:
    """A region AWS has (aws_facts, from cfn-lint's region list)."""
    regions = aws_facts.regions()
    if aws_region is None or aws_region not in regions:
        raise ConfigError("aws:region", aws_region, "an AWS region: " + ", ".join(sorted(regions)))
    return aws_region


def _bastion(reader: ConfigReader, region: str) -> BastionSettings:
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
