"""What every rule shares: reading values that may be unknown at preview, a
resource's effective tags, the one model of a security-group permission, a
view of the whole stack that follows property dependencies, and the two
factories that give every rule the same shape of metadata.

Only ``pulumi_policy`` and the standard library may be imported here: the
pack runs in its own folder as ``python -m pulumi.policy``.
"""

from __future__ import annotations

import ipaddress
import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, cast

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

# The SDK's own preview-time markers. Its default is to turn any read of an
# unknown into an *advisory* note; every rule here reads through ``plain`` so
# it can decide for itself and fail closed where an unknown could hide a hole.
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

MANDATORY: Final = EnforcementLevel.MANDATORY
ADVISORY: Final = EnforcementLevel.ADVISORY
REMEDIATE: Final = EnforcementLevel.REMEDIATE

# Resource types this product makes (and the older spellings of the same
# things that a rule must not let slip through).
EC2_INSTANCE: Final = "aws:ec2/instance:Instance"
EC2_EIP: Final = "aws:ec2/eip:Eip"
EBS_VOLUME: Final = "aws:ebs/volume:Volume"
KEY_PAIR: Final = "aws:ec2/keyPair:KeyPair"
SECURITY_GROUP: Final = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE_LEGACY: Final = "aws:ec2/securityGroupRule:SecurityGroupRule"
SG_INGRESS_RULE: Final = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_EGRESS_RULE: Final = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SG_RULE_TYPES: Final = (SG_RULE_LEGACY, SG_INGRESS_RULE, SG_EGRESS_RULE)
RDS_INSTANCE: Final = "aws:rds/instance:Instance"
RDS_SUBNET_GROUP: Final = "aws:rds/subnetGroup:SubnetGroup"
RDS_PARAMETER_GROUP: Final = "aws:rds/parameterGroup:ParameterGroup"
TLS_PRIVATE_KEY: Final = "tls:index/privateKey:PrivateKey"
METRIC_ALARM: Final = "aws:cloudwatch/metricAlarm:MetricAlarm"
SNS_TOPIC: Final = "aws:sns/topic:Topic"
AWS_PROVIDER: Final = "pulumi:providers:aws"
# The state bucket of bootstrap/ and its one-resource-per-setting companions;
# each companion names its bucket in its ``bucket`` input. The V2 spellings are
# pulumi-aws's deprecated aliases of the same resources.
S3_BUCKET_TYPES: Final = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
S3_VERSIONING_TYPES: Final = (
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
)
S3_ENCRYPTION_TYPES: Final = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
S3_PUBLIC_ACCESS_BLOCK: Final = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
S3_BUCKET_POLICY: Final = "aws:s3/bucketPolicy:BucketPolicy"
NETWORK_COMPONENT: Final = "bastiondb:network:ExistingNetwork"

# Engines' listening ports when the instance does not set one.
DEFAULT_DB_PORTS: Final[Mapping[str, int]] = {"postgres": 5432, "mysql": 3306, "mariadb": 3306}


# --- values that are unknown at preview ------------------------------------


class Unknown:
    """Stands for a value the engine will only know after the update runs."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Final = Unknown()

_SENTINELS: Final = frozenset(
    {
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_STRING_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN


def plain(value: Any) -> Any:
    """The SDK's (proxied) value as plain dicts and lists, with every unknown
    replaced by :data:`UNKNOWN` instead of raising on access."""
    if isinstance(value, str):
        return UNKNOWN if value in _SENTINELS else value
    if isinstance(value, Mapping):
        result: dict[str, Any] = {}
        for key in value:
            try:
                item = value[key]
            except UnknownValueError:
                result[str(key)] = UNKNOWN
                continue
            result[str(key)] = plain(item)
        return result
    if isinstance(value, Sequence) and not isinstance(value, bytes):
        items: list[Any] = []
        for index in range(len(value)):
            try:
                item = value[index]
            except UnknownValueError:
                items.append(UNKNOWN)
                continue
            items.append(plain(item))
        return items
    return value


def contains_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


def as_int(value: Any) -> int | Unknown | None:
    """Numbers cross the wire as floats (and sometimes as strings)."""
    if value is None or value is UNKNOWN:
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(float(value.strip()))
        except ValueError:
            return None
    return None


def as_list(value: Any) -> list[Any] | Unknown:
    if value is UNKNOWN:
        return UNKNOWN
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def unknown_refusal(what: str, claim: str, fix: str) -> str:
    """The message of a mandatory rule that met an unknown it cannot accept."""
    return (
        f"{what} is unknown at preview (it is computed from another resource's output), so "
        f"this preview cannot show that {claim}. The guardrail refuses what it cannot verify "
        f"rather than let a possible exposure through. {fix}"
    )


# --- tags ----------------------------------------------------------------


def provider_default_tags(provider_props: Mapping[str, Any] | None) -> dict[str, Any] | Unknown:
    """``defaultTags.tags`` of an AWS provider; the engine keeps a provider's
    object-valued inputs as JSON text, mocks may keep them as objects."""
    if not provider_props:
        return {}
    default_tags = provider_props.get("defaultTags")
    if default_tags is None:
        return {}
    if default_tags is UNKNOWN:
        return UNKNOWN
    if isinstance(default_tags, str):
        try:
            default_tags = json.loads(default_tags)
        except ValueError:
            return {}
    if not isinstance(default_tags, dict):
        return {}
    tags = default_tags.get("tags")
    if tags is UNKNOWN:
        return UNKNOWN
    return dict(tags) if isinstance(tags, dict) else {}


def effective_tags(
    props: Mapping[str, Any], provider_props: Mapping[str, Any] | None
) -> dict[str, Any] | Unknown:
    """The tags AWS will put on the resource: the provider's default tags,
    overridden by the resource's own, plus ``tagsAll`` when outputs have it."""
    defaults = provider_default_tags(provider_props)
    own = props.get("tags")
    tags_all = props.get("tagsAll")
    if own is UNKNOWN or isinstance(defaults, Unknown):
        if isinstance(tags_all, dict):
            return dict(tags_all)
        return UNKNOWN
    merged: dict[str, Any] = dict(defaults)
    if isinstance(own, dict):
        merged.update(own)
    if isinstance(tags_all, dict):
        merged.update(tags_all)
    return merged


# --- security-group permissions ---------------------------------------------

_PROTOCOL_NAMES: Final[Mapping[str, str]] = {
    "-1": "all",
    "all": "all",
    "6": "tcp",
    "tcp": "tcp",
    "17": "udp",
    "udp": "udp",
    "1": "icmp",
    "icmp": "icmp",
    "58": "icmpv6",
    "icmpv6": "icmpv6",
}


def normalize_protocol(value: Any) -> str | Unknown:
    if value is UNKNOWN:
        return UNKNOWN
    if value is None:
        return "all"
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value))
    text = str(value).strip().lower()
    return _PROTOCOL_NAMES.get(text, text)


def is_world(cidr: str) -> bool:
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return False


def cidr_within(cidr: str, allowed: Iterable[str]) -> bool:
    """Is every address of ``cidr`` inside one of the ``allowed`` networks?"""
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    for entry in allowed:
        try:
            outer = ipaddress.ip_network(str(entry), strict=False)
        except ValueError:
            continue
        if network.version == outer.version and network.subnet_of(outer):  # type: ignore[arg-type]
            return True
    return False


@dataclass(frozen=True)
class Permission:
    """One ingress or egress permission, however it was written: an inline
    ``ingress``/``egress`` block, ``aws:ec2/securityGroupRule`` or one of the
    ``aws:vpc/securityGroup*Rule`` resources."""

    direction: str
    # The resource that declares it and a human label for messages
    origin_urn: str
    label: str
    # The group it belongs to: the declaring group itself for inline blocks,
    # otherwise the rule's ``securityGroupId`` value
    inline_group_urn: str | None
    group_value: Any
    protocol: str | Unknown
    from_port: int | Unknown | None
    to_port: int | Unknown | None
    cidrs: tuple[Any, ...]
    source_groups: tuple[Any, ...]
    self_source: Any
    prefix_lists: tuple[Any, ...]
    description: Any
    # Property of the declaring resource that names the peer group
    source_group_property: str | None = None

    def port_range(self) -> tuple[int, int] | Unknown:
        if self.protocol is UNKNOWN:
            return UNKNOWN
        if self.protocol == "all":
            return (0, 65535)
        if self.protocol not in ("tcp", "udp"):
            return (-1, -1)
        if self.from_port is UNKNOWN or self.to_port is UNKNOWN:
            return UNKNOWN
        low = self.from_port if isinstance(self.from_port, int) else None
        high = self.to_port if isinstance(self.to_port, int) else None
        if low is None and high is None:
            return (0, 65535)
        low = 0 if low is None or low < 0 else low
        high = 65535 if high is None or high < 0 else high
        return (low, high)

    def covers(self, port: int, protocol: str = "tcp") -> bool | Unknown:
        """Does this permission let ``protocol``/``port`` through?"""
        if self.protocol is UNKNOWN:
            return UNKNOWN
        if self.protocol not in ("all", protocol):
            return False
        span = self.port_range()
        if span is UNKNOWN:
            return UNKNOWN
        low, high = span  # type: ignore[misc]
        return bool(low <= port <= high)

    def opens_all_ports(self) -> bool | Unknown:
        span = self.port_range()
        if span is UNKNOWN:
            return UNKNOWN
        return self.protocol == "all" or span == (0, 65535)

    def describe_ports(self) -> str:
        if self.protocol is UNKNOWN:
            return "an unknown protocol"
        if self.protocol == "all":
            return "all traffic"
        span = self.port_range()
        if span is UNKNOWN:
            return f"{self.protocol} on unknown ports"
        low, high = span  # type: ignore[misc]
        if self.protocol not in ("tcp", "udp"):
            return str(self.protocol)
        return f"{self.protocol}/{low}" if low == high else f"{self.protocol}/{low}-{high}"

    def world_cidrs(self) -> list[str]:
        return [c for c in self.cidrs if isinstance(c, str) and is_world(c)]

    def has_unknown_source(self) -> bool:
        return (
            any(c is UNKNOWN for c in self.cidrs)
            or any(g is UNKNOWN for g in self.source_groups)
            or self.self_source is UNKNOWN
            or any(p is UNKNOWN for p in self.prefix_lists)
        )


def _seq(value: Any) -> tuple[Any, ...]:
    items = as_list(value)
    if items is UNKNOWN:
        return (UNKNOWN,)
    return tuple(item for item in items if item not in (None, ""))  # type: ignore[union-attr]


def permissions_of(
    resource_type: str, urn: str, name: str, props: Mapping[str, Any]
) -> list[Permission]:
    """Every permission a resource declares (none for unrelated types)."""
    found: list[Permission] = []
    if resource_type == SECURITY_GROUP:
        for direction in ("ingress", "egress"):
            blocks = props.get(direction)
            if blocks is UNKNOWN:
                found.append(
                    Permission(
                        direction=direction,
                        origin_urn=urn,
                        label=f"the {direction} rules of security group '{name}'",
                        inline_group_urn=urn,
                        group_value=None,
                        protocol=UNKNOWN,
                        from_port=UNKNOWN,
                        to_port=UNKNOWN,
                        cidrs=(UNKNOWN,),
                        source_groups=(),
                        self_source=None,
                        prefix_lists=(),
                        description=UNKNOWN,
                    )
                )
                continue
            for index, block in enumerate(as_list(blocks)):  # type: ignore[arg-type]
                if block is UNKNOWN or not isinstance(block, dict):
                    block = {k: UNKNOWN for k in ("protocol", "fromPort", "toPort", "cidrBlocks")}
                found.append(
                    Permission(
                        direction=direction,
                        origin_urn=urn,
                        label=f"inline {direction} rule #{index} of security group '{name}'",
                        inline_group_urn=urn,
                        group_value=None,
                        protocol=normalize_protocol(block.get("protocol")),
                        from_port=as_int(block.get("fromPort")),
                        to_port=as_int(block.get("toPort")),
                        cidrs=_seq(block.get("cidrBlocks")) + _seq(block.get("ipv6CidrBlocks")),
                        source_groups=_seq(block.get("securityGroups")),
                        self_source=block.get("self"),
                        prefix_lists=_seq(block.get("prefixListIds")),
                        description=block.get("description"),
                        source_group_property=None,
                    )
                )
    elif resource_type == SG_RULE_LEGACY:
        rule_type = props.get("type")
        if rule_type is UNKNOWN:
            rule_type = "ingress"  # an unknown direction is judged as the riskier one
        found.append(
            Permission(
                direction=str(rule_type),
                origin_urn=urn,
                label=f"security group rule '{name}'",
                inline_group_urn=None,
                group_value=props.get("securityGroupId"),
                protocol=normalize_protocol(props.get("protocol")),
                from_port=as_int(props.get("fromPort")),
                to_port=as_int(props.get("toPort")),
                cidrs=_seq(props.get("cidrBlocks")) + _seq(props.get("ipv6CidrBlocks")),
                source_groups=_seq(props.get("sourceSecurityGroupId")),
                self_source=props.get("self"),
                prefix_lists=_seq(props.get("prefixListIds")),
                description=props.get("description"),
                source_group_property="sourceSecurityGroupId",
            )
        )
    elif resource_type in (SG_INGRESS_RULE, SG_EGRESS_RULE):
        direction = "ingress" if resource_type == SG_INGRESS_RULE else "egress"
        found.append(
            Permission(
                direction=direction,
                origin_urn=urn,
                label=f"security group {direction} rule '{name}'",
                inline_group_urn=None,
                group_value=props.get("securityGroupId"),
                protocol=normalize_protocol(props.get("ipProtocol")),
                from_port=as_int(props.get("fromPort")),
                to_port=as_int(props.get("toPort")),
                cidrs=_seq(props.get("cidrIpv4")) + _seq(props.get("cidrIpv6")),
                source_groups=_seq(props.get("referencedSecurityGroupId")),
                self_source=None,
                prefix_lists=_seq(props.get("prefixListId")),
                description=props.get("description"),
                source_group_property="referencedSecurityGroupId",
            )
        )
    return found


# --- the whole stack ------------------------------------------------------


@dataclass
class Node:
    """One resource of the stack with its properties made plain."""

    urn: str
    type: str
    name: str
    props: dict[str, Any]
    provider_props: dict[str, Any]
    parent: Node | None = None
    # property name -> URNs of the resources its value came from
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)

    def tags(self) -> dict[str, Any] | Unknown:
        return effective_tags(self.props, self.provider_props)

    def ancestors(self) -> Iterable[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


@dataclass(frozen=True)
class Resolution:
    """What a reference-valued property (a group id, a subnet group name...) points at."""

    nodes: tuple[Node, ...]
    # Known values that match no resource of the stack (an existing, external thing)
    external: tuple[str, ...]
    # Some element is unknown and no property dependency tells where it comes from
    unresolved: bool


class StackView:
    """The stack as the rules need it: resources by URN and type, and
    references followed through property dependencies first (they work while
    ids are still unknown), then through known ids and names."""

    def __init__(self, resources: Sequence[PolicyResource]) -> None:
        self.nodes: list[Node] = []
        self.by_urn: dict[str, Node] = {}
        for resource in resources:
            provider = resource.provider
            node = Node(
                urn=resource.urn,
                type=resource.resource_type,
                name=resource.name,
                props=plain(resource.props),
                provider_props=plain(provider.props) if provider is not None else {},
            )
            node.property_dependencies = {
                key: [dep.urn for dep in deps]
                for key, deps in resource.property_dependencies.items()
            }
            self.nodes.append(node)
            self.by_urn[node.urn] = node
        for resource in resources:
            if resource.parent is not None and resource.parent.urn in self.by_urn:
                self.by_urn[resource.urn].parent = self.by_urn[resource.parent.urn]
        self._position = {node.urn: index for index, node in enumerate(self.nodes)}
        self._by_type: dict[str, list[Node]] = {}
        for node in self.nodes:
            self._by_type.setdefault(node.type, []).append(node)
        # (types, property) -> value -> nodes, built on first use; keeps
        # reference lookups linear in the stack's size, not quadratic
        self._by_value: dict[tuple[tuple[str, ...], str], dict[Any, list[Node]]] = {}

    def of_type(self, *types: str) -> list[Node]:
        if len(types) == 1:
            return list(self._by_type.get(types[0], ()))
        return [node for node in self.nodes if node.type in types]

    def _with_value(self, types: tuple[str, ...], key: str, value: Any) -> list[Node]:
        index = self._by_value.get((types, key))
        if index is None:
            index = {}
            for node in self.of_type(*types):
                found = node.props.get(key)
                try:
                    index.setdefault(found, []).append(node)
                except TypeError:  # an unhashable value (a list, a map) names no resource
                    continue
            self._by_value[(types, key)] = index
        try:
            return index.get(value, [])
        except TypeError:
            return []

    def resolve(
        self,
        node: Node,
        prop: str,
        target_types: Sequence[str],
        match_keys: Sequence[str] = ("id",),
    ) -> Resolution:
        value = node.props.get(prop)
        items = as_list(value)
        via_dependencies = tuple(
            self.by_urn[urn]
            for urn in node.property_dependencies.get(prop, [])
            if urn in self.by_urn and self.by_urn[urn].type in target_types
        )
        if items is UNKNOWN:
            return Resolution(via_dependencies, (), not via_dependencies)
        matched: list[Node] = list(via_dependencies)
        external: list[str] = []
        unresolved = False
        types = tuple(target_types)
        for item in items:  # type: ignore[union-attr]
            if item is None or item == "":
                continue
            if item is UNKNOWN:
                unresolved = unresolved or not via_dependencies
                continue
            hits: list[Node] = []
            for key in match_keys:
                hits.extend(n for n in self._with_value(types, key, item) if n not in hits)
            hits.sort(key=lambda node: self._position[node.urn])
            if hits:
                matched.extend(h for h in hits if h not in matched)
            elif not via_dependencies:
                external.append(str(item))
        return Resolution(tuple(matched), tuple(external), unresolved)

    def group_of(self, permission: Permission) -> Resolution:
        """The security group(s) a permission is attached to."""
        if permission.inline_group_urn is not None:
            return Resolution((self.by_urn[permission.inline_group_urn],), (), False)
        origin = self.by_urn[permission.origin_urn]
        return self.resolve(origin, "securityGroupId", (SECURITY_GROUP,))

    def source_groups_of(self, permission: Permission) -> Resolution:
        """The peer security group(s) a permission admits traffic from."""
        if not permission.source_groups:
            return Resolution((), (), False)
        if permission.source_group_property is None:
            # Inline ``securityGroups`` carry no property dependency of their own.
            nodes: list[Node] = []
            external: list[str] = []
            unresolved = False
            for value in permission.source_groups:
                if value is UNKNOWN:
                    unresolved = True
                    continue
                hits = [
                    n
                    for n in self.of_type(SECURITY_GROUP)
                    if value in (n.props.get("id"), n.props.get("name"))
                ]
                nodes.extend(hits)
                if not hits:
                    external.append(str(value))
            return Resolution(tuple(nodes), tuple(external), unresolved)
        origin = self.by_urn[permission.origin_urn]
        return self.resolve(origin, permission.source_group_property, (SECURITY_GROUP,))

    def permissions(self, direction: str | None = None) -> list[Permission]:
        found: list[Permission] = []
        for node in self.nodes:
            for permission in permissions_of(node.type, node.urn, node.name, node.props):
                if direction is None or permission.direction == direction:
                    found.append(permission)
        return found

    def private_subnets(self) -> tuple[set[str], bool]:
        """Private subnet ids the program looked up, and whether they are all known."""
        found: set[str] = set()
        complete = True
        networks = self.of_type(NETWORK_COMPONENT)
        if not networks:
            return found, False
        for network in networks:
            ids = as_list(network.props.get("privateSubnetIds"))
            if ids is UNKNOWN:
                complete = False
                continue
            for subnet_id in ids:  # type: ignore[union-attr]
                if subnet_id is UNKNOWN:
                    complete = False
                elif isinstance(subnet_id, str):
                    found.add(subnet_id)
        return found, complete


def is_bastion(node: Node, tag_key: str, tag_value: str) -> bool | Unknown:
    tags = node.tags()
    if tags is UNKNOWN:
        return UNKNOWN
    value = tags.get(tag_key)  # type: ignore[union-attr]
    if value is UNKNOWN:
        return UNKNOWN
    return value == tag_value


@dataclass(frozen=True)
class BastionGroups:
    """The security groups attached to the instances tagged as bastions."""

    nodes: tuple[Node, ...]
    external_ids: tuple[str, ...]

    def contains(self, resolution: Resolution) -> bool:
        """Do the resolved groups all belong to the bastion?"""
        if resolution.unresolved or (not resolution.nodes and not resolution.external):
            return False
        return all(node in self.nodes for node in resolution.nodes) and all(
            value in self.external_ids for value in resolution.external
        )


def bastion_groups(view: StackView, tag_key: str, tag_value: str) -> BastionGroups:
    nodes: list[Node] = []
    external: list[str] = []
    for instance in view.of_type(EC2_INSTANCE):
        if is_bastion(instance, tag_key, tag_value) is not True:
            continue
        resolution = view.resolve(instance, "vpcSecurityGroupIds", (SECURITY_GROUP,))
        nodes.extend(n for n in resolution.nodes if n not in nodes)
        external.extend(resolution.external)
    return BastionGroups(tuple(nodes), tuple(external))


# --- the rule factories ----------------------------------------------------


def config_schema(properties: Mapping[str, Mapping[str, Any]]) -> PolicyConfigSchema:
    return PolicyConfigSchema(properties={k: dict(v) for k, v in properties.items()})


def _defaults(schema: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Any]:
    if not schema:
        return {}
    return {key: spec["default"] for key, spec in schema.items() if "default" in spec}


@dataclass
class ResourceCheck:
    """What a resource rule's check sees: plain properties and a way to report."""

    type: str
    urn: str
    name: str
    # Read-only: every rule run on the same resource in one call shares them.
    props: Mapping[str, Any]
    provider_props: Mapping[str, Any]
    config: dict[str, Any]
    report: Callable[[str], None]


@dataclass
class StackCheck:
    """What a stack rule's check sees."""

    view: StackView
    config: dict[str, Any]
    report: Callable[[str, str | None], None]


class _LastConverted(threading.local):
    """The plain form of the last SDK value converted on this thread. Within
    one ``Analyze`` call every rule gets the very same properties object, so
    the rules that apply to a resource share one conversion."""

    value: Any = None
    result: Any = None

    def plain(self, value: Any) -> Any:
        if value is not self.value:
            # Holding `value` keeps the identity check meaningful.
            self.value, self.result = value, plain(value)
        return self.result


_last_props = _LastConverted()
_last_provider_props = _LastConverted()


class ResourceRule(ResourceValidationPolicy):
    """A resource rule that says which resource types it can report on
    (``None``: it decides from the properties). Its check runs only for those
    types, so the pack's analysis cache may skip it for any other."""

    def __init__(self, *, resource_types: frozenset[str] | None, **policy: Any) -> None:
        super().__init__(**policy)
        self.resource_types = resource_types


def resource_rule(
    *,
    name: str,
    description: str,
    severity: Severity,
    remediation_steps: str,
    types: Sequence[str],
    check: Callable[[ResourceCheck], None],
    level: EnforcementLevel = MANDATORY,
    config: Mapping[str, Mapping[str, Any]] | None = None,
    remediate: Callable[[ResourceValidationArgs, dict[str, Any]], Mapping[str, Any] | None]
    | None = None,
    applies: Callable[[str, Mapping[str, Any]], bool] | None = None,
) -> ResourceRule:
    """A rule on one resource at a time (``Analyze``, over its inputs)."""
    defaults = _defaults(config)
    wanted = frozenset(types)

    def selected(args: ResourceValidationArgs) -> bool:
        if applies is not None:
            return applies(args.resource_type, args.props)
        return args.resource_type in wanted

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if not selected(args):
            return
        provider = args.provider
        check(
            ResourceCheck(
                type=args.resource_type,
                urn=args.urn,
                name=args.name,
                props=_last_props.plain(args.props),
                provider_props=_last_provider_props.plain(provider.props)
                if provider is not None
                else {},
                config={**defaults, **plain(args.get_config())},
                report=lambda message: report_violation(message, None),
            )
        )

    remediate_fn = None
    if remediate is not None:
        fix = remediate

        def remediate_fn(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
            if not selected(args):
                return None
            return fix(args, {**defaults, **plain(args.get_config())})

    return ResourceRule(
        resource_types=wanted if applies is None else None,
        name=name,
        description=description,
        validate=validate,
        # The SDK also accepts a plain (non-awaitable) result; its annotation does not say so.
        remediate=cast(Any, remediate_fn),
        enforcement_level=level,
        config_schema=config_schema(config) if config else None,
        severity=severity,
        remediation_steps=remediation_steps,
    )


_last_view: tuple[tuple[Any, ...], StackView] | None = None


def stack_view(resources: Sequence[PolicyResource]) -> StackView:
    """The view of the stack being analyzed, built once per AnalyzeStack call.

    The SDK hands every stack rule its own PolicyResource objects, but (with
    the pack's analysis cache) the same property objects within one call; a
    view is reused only while every one of them is the very same object, so a
    new call, or a run without the cache, always gets a fresh view."""
    global _last_view
    props = tuple(resource.props for resource in resources)
    cached = _last_view
    if (
        cached is not None
        and len(cached[0]) == len(props)
        and all(a is b for a, b in zip(cached[0], props, strict=True))
    ):
        return cached[1]
    view = StackView(resources)
    # Holding the property objects keeps their identities from being reused.
    _last_view = (props, view)
    return view


def stack_rule(
    *,
    name: str,
    description: str,
    severity: Severity,
    remediation_steps: str,
    check: Callable[[StackCheck], None],
    level: EnforcementLevel = MANDATORY,
    config: Mapping[str, Mapping[str, Any]] | None = None,
) -> StackValidationPolicy:
    """A rule over the whole stack (``AnalyzeStack``, over outputs, with
    parents, dependencies and property dependencies)."""
    defaults = _defaults(config)

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        check(
            StackCheck(
                view=stack_view(args.resources),
                config={**defaults, **plain(args.get_config())},
                report=report_violation,
            )
        )

    return StackValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=level,
        config_schema=config_schema(config) if config else None,
        severity=severity,
        remediation_steps=remediation_steps,
    )


def string_list_schema(description: str, default: Sequence[str]) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "string"},
        "description": description,
        "default": list(default),
    }
