"""Finds the public and private subnets of an existing VPC from its id alone."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from settings.model import SubnetSelection


class NetworkLookupError(pulumi.RunError):
    """The existing VPC cannot host the stack; the message says what is missing."""


@dataclass(frozen=True)
class SubnetFacts:
    id: str
    availability_zone: str
    cidr_block: str
    map_public_ip_on_launch: bool


@dataclass(frozen=True)
class RouteTableFacts:
    id: str
    main: bool
    associated_subnet_ids: tuple[str, ...]
    # True when a default route (0.0.0.0/0 or ::/0) leads to an internet gateway
    routes_to_internet_gateway: bool


@dataclass(frozen=True)
class SubnetLayout:
    public: tuple[SubnetFacts, ...]
    private: tuple[SubnetFacts, ...]


def is_internet_gateway_default_route(route: Mapping[str, Any]) -> bool:
    gateway = route.get("gatewayId") or ""
    destination = route.get("cidrBlock") or route.get("ipv6CidrBlock") or ""
    if not gateway.startswith("igw-") or not destination:
        return False
    return ipaddress.ip_network(destination, strict=False).prefixlen == 0


def classify_subnets(
    subnets: Sequence[SubnetFacts], route_tables: Sequence[RouteTableFacts]
) -> SubnetLayout:
    """Public = its route table (explicit, else the VPC's main one) sends the
    default route to an internet gateway; everything else is private.

    Routing decides, not ``mapPublicIpOnLaunch``: a subnet that routes to an
    internet gateway exposes anything given a public address, so it is never
    a home for the database, whatever its launch setting says.
    """
    explicit = {
        subnet_id: table for table in route_tables for subnet_id in table.associated_subnet_ids
    }
    main = next((table for table in route_tables if table.main), None)
    public: list[SubnetFacts] = []
    private: list[SubnetFacts] = []
    for subnet in sorted(subnets, key=lambda s: (s.availability_zone, s.id)):
        table = explicit.get(subnet.id, main)
        is_public = table is not None and table.routes_to_internet_gateway
        (public if is_public else private).append(subnet)
    return SubnetLayout(public=tuple(public), private=tuple(private))


def check_layout(vpc_id: str, layout: SubnetLayout) -> SubnetLayout:
    """The stack needs one public subnet for the bastion and private subnets in
    two availability zones, which an RDS subnet group requires."""
    if not layout.public:
        raise NetworkLookupError(
            f"VPC {vpc_id} has no public subnet (one whose route table sends 0.0.0.0/0 to an "
            "internet gateway) for the bastion; set bastion-db:publicSubnetIds or "
            "bastion-db:publicSubnetTags to choose one"
        )
    zones = sorted({s.availability_zone for s in layout.private})
    if len(zones) < 2:
        found = ", ".join(f"{s.id} ({s.availability_zone})" for s in layout.private) or "none"
        raise NetworkLookupError(
            f"VPC {vpc_id} needs private subnets in at least two availability zones for the "
            f"database's subnet group; found: {found}. Add a private subnet in another zone, or "
            "set bastion-db:privateSubnetIds / bastion-db:privateSubnetTags"
        )
    return layout


@dataclass
class ExistingNetworkArgs:
    """Which existing VPC to build in and, optionally, how to pick its subnets."""

    # Id of the VPC that already exists (made by the lab's CloudFormation stack, say)
    vpc_id: str
    # Explicit subnet ids or tag filters that override the routing-based rule
    selection: SubnetSelection


class ExistingNetwork(pulumi.ComponentResource):
    """The VPC and its subnets, looked up rather than created.

    Exposes ``public_subnet_ids`` and ``private_subnet_ids`` (sorted by zone),
    and registers them as outputs so the policy pack can check that the
    database's subnet group uses exactly the private ones.
    """

    vpc_id: pulumi.Output[str]
    vpc_cidr: pulumi.Output[str]
    public_subnet_ids: pulumi.Output[list[str]]
    private_subnet_ids: pulumi.Output[list[str]]

    def __init__(
        self, name: str, args: ExistingNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("bastiondb:network:ExistingNetwork", name, None, opts)
        invoke_opts = pulumi.InvokeOutputOptions(parent=self)
        vpc_id = args.vpc_id

        matching_vpcs = aws.ec2.get_vpcs_output(
            filters=[aws.ec2.GetVpcsFilterArgs(name="vpc-id", values=[vpc_id])], opts=invoke_opts
        )

        def vpc_exists(ids: list[str]) -> str:
            if vpc_id not in ids:
                raise NetworkLookupError(
                    f"VPC {vpc_id} does not exist in this account and region; check "
                    "bastion-db:vpcId and aws:region"
                )
            return vpc_id

        existing_vpc_id = matching_vpcs.ids.apply(vpc_exists)
        vpc = aws.ec2.get_vpc_output(id=existing_vpc_id, opts=invoke_opts)

        def subnets_with_tags(tags: tuple[tuple[str, str], ...]) -> pulumi.Output[list[str]]:
            return aws.ec2.get_subnets_output(
                filters=existing_vpc_id.apply(
                    lambda vpc: [aws.ec2.GetSubnetsFilterArgs(name="vpc-id", values=[vpc])]
                ),
                tags=dict(tags) or None,
                opts=invoke_opts,
            ).ids

        all_subnet_ids = subnets_with_tags(())
        route_table_ids = aws.ec2.get_route_tables_output(
            vpc_id=existing_vpc_id, opts=invoke_opts
        ).ids

        def describe(subnet_ids: list[str], table_ids: list[str]) -> pulumi.Output[SubnetLayout]:
            subnets = [
                aws.ec2.get_subnet_output(id=subnet_id, opts=invoke_opts).apply(_subnet_facts)
                for subnet_id in subnet_ids
            ]
            tables = [
                aws.ec2.get_route_table_output(route_table_id=table_id, opts=invoke_opts).apply(
                    _route_table_facts
                )
                for table_id in table_ids
            ]
            return pulumi.Output.all(pulumi.Output.all(*subnets), pulumi.Output.all(*tables)).apply(
                lambda found: classify_subnets(found[0], found[1])
            )

        def describe_all(ids: list[Any]) -> pulumi.Output[SubnetLayout]:
            return describe(ids[0], ids[1])

        routed_layout: pulumi.Output[SubnetLayout] = pulumi.Output.all(
            all_subnet_ids, route_table_ids
        ).apply(describe_all)
        selected = _apply_overrides(
            routed_layout, args.selection, subnets_with_tags, all_subnet_ids
        ).apply(lambda layout: check_layout(vpc_id, layout))

        self.vpc_id = existing_vpc_id
        self.vpc_cidr = vpc.cidr_block
        self.public_subnet_ids = selected.apply(lambda layout: [s.id for s in layout.public])
        self.private_subnet_ids = selected.apply(lambda layout: [s.id for s in layout.private])
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "vpcCidr": self.vpc_cidr,
                "publicSubnetIds": self.public_subnet_ids,
                "privateSubnetIds": self.private_subnet_ids,
            }
        )


def _apply_overrides(
    routed: pulumi.Output[SubnetLayout],
    selection: SubnetSelection,
    subnets_with_tags: Any,
    all_subnet_ids: pulumi.Output[list[str]],
) -> pulumi.Output[SubnetLayout]:
    """Explicit ids, then tag filters, replace what routing found, per side."""

    def pick(
        ids: tuple[str, ...], tags: tuple[tuple[str, str], ...]
    ) -> pulumi.Output[list[str]] | None:
        if ids:
            return pulumi.Output.from_input(list(ids))
        if tags:
            return subnets_with_tags(tags)
        return None

    public_pick = pick(selection.public_subnet_ids, selection.public_subnet_tags)
    private_pick = pick(selection.private_subnet_ids, selection.private_subnet_tags)
    if public_pick is None and private_pick is None:
        return routed

    def choose(values: list[Any]) -> SubnetLayout:
        layout: SubnetLayout = values[0]
        known: list[str] = values[1]
        every = {s.id: s for s in (*layout.public, *layout.private)}
        public_ids, private_ids = values[2], values[3]
        for chosen in (public_ids or []) + (private_ids or []):
            if chosen not in known:
                raise NetworkLookupError(
                    f"subnet {chosen} is not in the VPC; check bastion-db:publicSubnetIds, "
                    "privateSubnetIds and the subnet tag filters"
                )
        return SubnetLayout(
            public=tuple(every[i] for i in public_ids) if public_ids is not None else layout.public,
            private=tuple(every[i] for i in private_ids)
            if private_ids is not None
            else layout.private,
        )

    return pulumi.Output.all(routed, all_subnet_ids, public_pick, private_pick).apply(choose)


def _subnet_facts(subnet: aws.ec2.GetSubnetResult) -> SubnetFacts:
    return SubnetFacts(
        id=subnet.id,
        availability_zone=subnet.availability_zone,
        cidr_block=subnet.cidr_block,
        map_public_ip_on_launch=bool(subnet.map_public_ip_on_launch),
    )


def _route_table_facts(table: aws.ec2.GetRouteTableResult) -> RouteTableFacts:
    return RouteTableFacts(
        id=table.route_table_id,
        main=any(association.main for association in table.associations),
        associated_subnet_ids=tuple(
            association.subnet_id
            for association in table.associations
            if association.subnet_id and not association.main
        ),
        routes_to_internet_gateway=any(
            is_internet_gateway_default_route(
                {
                    "gatewayId": route.gateway_id,
                    "cidrBlock": route.cidr_block,
                    "ipv6CidrBlock": route.ipv6_cidr_block,
                }
            )
            for route in table.routes
        ),
    )
