"""Why each subnet of the VPC was found public or private, which rule chose it,
and which part of the stack takes it: the structured reasons behind
:func:`bastion_db.network.classify_subnets`, and the plan a reader sees.

Pure: no Pulumi, no AWS calls. The facts about AWS routing it encodes:

- A subnet is public when its route table has a direct route to an internet
  gateway, private when it has none (Amazon VPC User Guide, "Subnets for your
  VPC", Subnet types:
  https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html).
- Its route table is the one explicitly associated with it, else the VPC's main
  route table; DescribeRouteTables returns no subnet id for that implicit
  association (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRouteTables.html).
- IPv4 and IPv6 are routed separately: 0.0.0.0/0 does not cover IPv6, ``::/0``
  does (User Guide, "Subnet route tables"), so ``::/0`` to an internet gateway
  makes a subnet public as well; ``::/0`` to an egress-only internet gateway
  lets traffic out and none in (User Guide, "Enable outbound IPv6 traffic using
  an egress-only internet gateway"), so it stays private.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from bastion_db.checks.model import SubnetSelection

# What the routes say of a subnet: "public" (a default route to an internet
# gateway), "private-nat" (the IPv4 default route leads to a NAT gateway),
# "private-isolated" (no default route at all) or "private-other" (a default
# route to anything else: a transit gateway, an egress-only internet gateway, a
# NAT instance, a firewall endpoint...).
Routing = Literal["public", "private-nat", "private-isolated", "private-other"]
# How the subnet's route table applies to it: associated with it by id, or the
# VPC's main table by default; "none" only when the lookup found no main table.
Association = Literal["explicit", "main", "none"]
Side = Literal["public", "private"]
# Which rule put a subnet on a side: its routes, a tag filter or an explicit id.
Rule = Literal["routes", "tags", "ids"]

# The provider's route fields (getRouteTable's ``routes``), each with the kind
# of target it names. ``gatewayId`` holds an internet or a virtual private
# gateway, told apart by the id's prefix; ``instanceId`` comes before
# ``networkInterfaceId``, which a route to an instance also carries.
_TARGET_FIELDS = (
    ("gatewayId", "gateway"),
    ("natGatewayId", "nat-gateway"),
    ("egressOnlyGatewayId", "egress-only-internet-gateway"),
    ("transitGatewayId", "transit-gateway"),
    ("vpcPeeringConnectionId", "vpc-peering-connection"),
    ("vpcEndpointId", "vpc-endpoint"),
    ("instanceId", "instance"),
    ("networkInterfaceId", "network-interface"),
    ("carrierGatewayId", "carrier-gateway"),
    ("localGatewayId", "local-gateway"),
    ("coreNetworkArn", "core-network"),
    ("odbNetworkArn", "odb-network"),
)
_GATEWAY_PREFIXES = {"igw-": "internet-gateway", "vgw-": "virtual-private-gateway"}
# The project's configuration namespace: the keys a user edits to choose subnets.
_KEY_PREFIX = "bastion-db"


@dataclass(frozen=True)
class DefaultRoute:
    """A route for every address of one family, and where it sends them."""

    # "0.0.0.0/0" or "::/0"
    destination: str
    # "internet-gateway", "nat-gateway", "egress-only-internet-gateway", ...
    target_kind: str
    target_id: str

    def as_json(self) -> dict[str, str]:
        return {
            "destination": self.destination,
            "targetKind": self.target_kind,
            "targetId": self.target_id,
        }


def default_route_of(route: Mapping[str, Any]) -> DefaultRoute | None:
    """The route as a :class:`DefaultRoute` when its destination is 0.0.0.0/0 or
    ::/0 and it has a target, else None (a narrower route decides nothing here)."""
    given = route.get("cidrBlock") or route.get("ipv6CidrBlock") or ""
    if not given:
        return None
    network = ipaddress.ip_network(given, strict=False)
    if network.prefixlen != 0:
        return None
    for field, kind in _TARGET_FIELDS:
        target = str(route.get(field) or "")
        if target:
            if field == "gatewayId":
                kind = next((k for p, k in _GATEWAY_PREFIXES.items() if target.startswith(p)), kind)
            return DefaultRoute(str(network), kind, target)
    return None


def default_routes_of(routes: Iterable[Mapping[str, Any]]) -> tuple[DefaultRoute, ...]:
    """A route table's default routes, IPv4 first, in the table's order."""
    found = [d for d in map(default_route_of, routes) if d is not None]
    return tuple(sorted(found, key=lambda d: ":" in d.destination))


def routing_of(default_routes: Sequence[DefaultRoute]) -> tuple[Routing, DefaultRoute | None]:
    """What the routes make of a subnet, and the route that decided it.

    An internet gateway on either family makes it public: anything there given a
    public address is reachable. Only an IPv4 default route counts as NAT: a NAT
    gateway takes IPv4 traffic only
    (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html)."""
    internet = next((d for d in default_routes if d.target_kind == "internet-gateway"), None)
    if internet is not None:
        return "public", internet
    ipv4 = next((d for d in default_routes if d.destination == "0.0.0.0/0"), None)
    if ipv4 is not None and ipv4.target_kind == "nat-gateway":
        return "private-nat", ipv4
    if default_routes:
        return "private-other", ipv4 or default_routes[0]
    return "private-isolated", None


@dataclass(frozen=True)
class SubnetChoice:
    """One side a subnet was put on, and the rule that put it there."""

    side: Side
    rule: Rule
    # The tag filter that matched (rule "tags"), as key-value pairs
    tags: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str | None:
        """The stack configuration key that made the choice (None: the routes did)."""
        if self.rule == "routes":
            return None
        suffix = "SubnetIds" if self.rule == "ids" else "SubnetTags"
        return f"{_KEY_PREFIX}:{self.side}{suffix}"

    def as_json(self) -> dict[str, Any]:
        return {
            "side": self.side,
            "by": self.rule,
            "key": self.key,
            "tags": dict(self.tags) if self.rule == "tags" else None,
        }


@dataclass(frozen=True)
class SubnetFinding:
    """One subnet of the VPC: what its routes make of it, and where it was put."""

    subnet_id: str
    availability_zone: str
    cidr_block: str
    routing: Routing
    route_table_id: str | None
    association: Association
    # The route that decided ``routing``; None when there is no default route
    default_route: DefaultRoute | None
    # The sides it was chosen for; none means it was left out
    chosen: tuple[SubnetChoice, ...] = ()

    def as_json(self, taken_by: Sequence[str]) -> dict[str, Any]:
        return {
            "id": self.subnet_id,
            "availabilityZone": self.availability_zone,
            "cidrBlock": self.cidr_block,
            "routing": self.routing,
            "routeTable": {"id": self.route_table_id, "association": self.association}
            if self.route_table_id
            else None,
            "defaultRoute": self.default_route.as_json() if self.default_route else None,
            "chosenAs": [choice.as_json() for choice in self.chosen],
            "takenBy": list(taken_by),
        }


def side_rules(selection: SubnetSelection) -> dict[Side, SubnetChoice]:
    """The rule that fills each side: explicit ids win over tags, tags over routes."""
    rules: dict[Side, SubnetChoice] = {}
    sides: tuple[tuple[Side, tuple[str, ...], tuple[tuple[str, str], ...]], ...] = (
        ("public", selection.public_subnet_ids, selection.public_subnet_tags),
        ("private", selection.private_subnet_ids, selection.private_subnet_tags),
    )
    for side, ids, tags in sides:
        if ids:
            rules[side] = SubnetChoice(side, "ids")
        elif tags:
            rules[side] = SubnetChoice(side, "tags", tags)
        else:
            rules[side] = SubnetChoice(side, "routes")
    return rules


def rechosen(
    findings: Sequence[SubnetFinding], side: Side, picked: Sequence[str], choice: SubnetChoice
) -> tuple[SubnetFinding, ...]:
    """The findings once ``side`` holds exactly ``picked``, chosen by ``choice``
    (tags or ids), in place of what the routes put there."""
    result = []
    for finding in findings:
        kept = tuple(c for c in finding.chosen if c.side != side)
        if finding.subnet_id in picked:
            kept = tuple(sorted((*kept, choice), key=lambda c: c.side != "public"))
        result.append(replace(finding, chosen=kept))
    return tuple(result)


# What takes a subnet, in the plan's words.
DATABASE, BASTION, ENDPOINTS = "databaseSubnetGroup", "bastion", "ssmEndpoints"


def subnet_plan(
    vpc_id: str,
    findings: Sequence[SubnetFinding],
    *,
    rules: Mapping[Side, SubnetChoice],
    database_subnet_ids: Sequence[str],
    bastion_subnet_id: str,
    bastion_path: str,
    endpoint_subnet_ids: Sequence[str] | None,
) -> dict[str, Any]:
    """The plan as JSON-ready data: every subnet with its reasons, then what the
    database's subnet group, the bastion and (when the stack makes them) the
    Session Manager endpoints take. The shape is documented in docs/preflight.md."""

    def taken_by(subnet_id: str) -> list[str]:
        users = [
            (DATABASE, subnet_id in database_subnet_ids),
            (BASTION, subnet_id == bastion_subnet_id),
            (ENDPOINTS, subnet_id in (endpoint_subnet_ids or ())),
        ]
        return [name for name, takes in users if takes]

    return {
        "vpcId": vpc_id,
        "selection": {side: rules[side].as_json() for side in ("public", "private")},
        "subnets": [finding.as_json(taken_by(finding.subnet_id)) for finding in findings],
        DATABASE: list(database_subnet_ids),
        BASTION: {"subnetId": bastion_subnet_id, "path": bastion_path},
        ENDPOINTS: list(endpoint_subnet_ids) if endpoint_subnet_ids is not None else None,
    }
