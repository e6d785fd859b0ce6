"""One model of a security-group permission, however the program wrote it.

An inline ``ingress``/``egress`` block, an ``aws:ec2/securityGroupRule`` and
the ``aws:vpc/securityGroup*Rule`` resources say the same things with
different property names; each way is a :class:`_Spelling` of those names, and
one constructor reads any of them into a :class:`Permission`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from .resource_types import SECURITY_GROUP, SG_EGRESS_RULE, SG_INGRESS_RULE, SG_RULE_LEGACY
from .unknowns import UNKNOWN, Unknown, as_int, as_list

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
    """One ingress or egress permission."""

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
    # Property of the declaring resource that names the peer group (its
    # property dependency says which group); None for inline blocks
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


@dataclass(frozen=True)
class _Spelling:
    """The property names one way of writing a permission uses."""

    protocol: str
    cidrs: tuple[str, str]
    source_group: str
    prefix_lists: str
    self_source: str | None
    # Whether the peer group's property carries its own property dependency
    # (a rule resource's does; a block nested in a group's list does not)
    traced: bool


_INLINE: Final = _Spelling(
    "protocol", ("cidrBlocks", "ipv6CidrBlocks"), "securityGroups", "prefixListIds", "self", False
)
_LEGACY_RULE: Final = _Spelling(
    "protocol",
    ("cidrBlocks", "ipv6CidrBlocks"),
    "sourceSecurityGroupId",
    "prefixListIds",
    "self",
    True,
)
_VPC_RULE: Final = _Spelling(
    "ipProtocol", ("cidrIpv4", "cidrIpv6"), "referencedSecurityGroupId", "prefixListId", None, True
)


def _seq(value: Any) -> tuple[Any, ...]:
    items = as_list(value)
    if items is UNKNOWN:
        return (UNKNOWN,)
    return tuple(item for item in items if item not in (None, ""))  # type: ignore[union-attr]


def _permission(
    spelling: _Spelling,
    block: Mapping[str, Any],
    *,
    direction: str,
    urn: str,
    label: str,
    inline_group_urn: str | None = None,
) -> Permission:
    """The one constructor: ``block`` read with ``spelling``'s names."""
    low, high = spelling.cidrs
    return Permission(
        direction=direction,
        origin_urn=urn,
        label=label,
        inline_group_urn=inline_group_urn,
        group_value=None if inline_group_urn else block.get("securityGroupId"),
        protocol=normalize_protocol(block.get(spelling.protocol)),
        from_port=as_int(block.get("fromPort")),
        to_port=as_int(block.get("toPort")),
        cidrs=_seq(block.get(low)) + _seq(block.get(high)),
        source_groups=_seq(block.get(spelling.source_group)),
        self_source=block.get(spelling.self_source) if spelling.self_source else None,
        prefix_lists=_seq(block.get(spelling.prefix_lists)),
        description=block.get("description"),
        source_group_property=spelling.source_group if spelling.traced else None,
    )


# Stands for an inline block whose contents are unknown: it may open anything.
_UNKNOWN_BLOCK: Final[Mapping[str, Any]] = {
    "protocol": UNKNOWN,
    "fromPort": UNKNOWN,
    "toPort": UNKNOWN,
    "cidrBlocks": UNKNOWN,
}


def permissions_of(
    resource_type: str, urn: str, name: str, props: Mapping[str, Any]
) -> list[Permission]:
    """Every permission a resource declares (none for unrelated types)."""
    if resource_type == SECURITY_GROUP:
        found: list[Permission] = []
        for direction in ("ingress", "egress"):
            blocks = props.get(direction)
            if blocks is UNKNOWN:
                found.append(
                    _permission(
                        _INLINE,
                        {**_UNKNOWN_BLOCK, "description": UNKNOWN},
                        direction=direction,
                        urn=urn,
                        label=f"the {direction} rules of security group '{name}'",
                        inline_group_urn=urn,
                    )
                )
                continue
            for index, block in enumerate(as_list(blocks)):  # type: ignore[arg-type]
                found.append(
                    _permission(
                        _INLINE,
                        block if isinstance(block, dict) else _UNKNOWN_BLOCK,
                        direction=direction,
                        urn=urn,
                        label=f"inline {direction} rule #{index} of security group '{name}'",
                        inline_group_urn=urn,
                    )
                )
        return found
    if resource_type == SG_RULE_LEGACY:
        rule_type = props.get("type")
        # An unknown direction is judged as the riskier one.
        direction = "ingress" if rule_type is UNKNOWN else str(rule_type)
        return [
            _permission(
                _LEGACY_RULE,
                props,
                direction=direction,
                urn=urn,
                label=f"security group rule '{name}'",
            )
        ]
    if resource_type in (SG_INGRESS_RULE, SG_EGRESS_RULE):
        direction = "ingress" if resource_type == SG_INGRESS_RULE else "egress"
        return [
            _permission(
                _VPC_RULE,
                props,
                direction=direction,
                urn=urn,
                label=f"security group {direction} rule '{name}'",
            )
        ]
    return []
