"""Finds the public and private subnets of an existing VPC from its id alone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pulumi
import pulumi_aws as aws

from bastion_db.checks.arguments import argument_name
from bastion_db.checks.model import AccessMode, SsmVpcEndpoints, SubnetSelection
from bastion_db.checks.pieces import SettingName, network_settings
from bastion_db.network_reasons import (
    Association,
    DefaultRoute,
    Side,
    SubnetChoice,
    SubnetFinding,
    default_route_of,
    default_routes_of,
    rechosen,
    routing_of,
    side_rules,
    subnet_plan,
)
from bastion_db.ssm_endpoints import GATEWAY_SERVICES, INTERFACE_SERVICES
from bastion_db.vpc_endpoint_lookup import (
    Found,
    gateway_conflict,
    interface_conflicts,
    provider_lookup,
    refusal,
)


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
    # Its routes to 0.0.0.0/0 and ::/0, IPv4 first: the only ones that decide
    default_routes: tuple[DefaultRoute, ...] = ()

    @property
    def routes_to_internet_gateway(self) -> bool:
        return any(d.target_kind == "internet-gateway" for d in self.default_routes)

    @property
    def nat_gateway_id(self) -> str | None:
        """The NAT gateway the IPv4 default route leads to, if it does."""
        routing, route = routing_of(self.default_routes)
        return route.target_id if routing == "private-nat" and route else None


@dataclass(frozen=True)
class SubnetLayout:
    public: tuple[SubnetFacts, ...]
    private: tuple[SubnetFacts, ...]
    # subnet id -> the NAT gateway its default route leads to (private subnets only)
    nat_gateways: tuple[tuple[str, str], ...] = ()
    # Every subnet of the VPC, by zone then id, with the reasons it is where it is
    findings: tuple[SubnetFinding, ...] = ()
    # subnet id -> the route table it uses (its explicit one, else the main one)
    route_tables: tuple[tuple[str, str], ...] = ()

    def nat_gateway_of(self, subnet_id: str) -> str | None:
        return dict(self.nat_gateways).get(subnet_id)

    def route_table_of(self, subnet_id: str) -> str:
        return dict(self.route_tables).get(subnet_id, "")


def nat_gateway_of_default_route(route: Mapping[str, Any]) -> str | None:
    """The NAT gateway an IPv4 default route (0.0.0.0/0) leads to, else None.

    A NAT gateway takes IPv4 traffic only (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html);
    the Systems Manager endpoints the agent calls are IPv4 names by default."""
    found = default_route_of(route)
    if found is None or found.target_kind != "nat-gateway" or found.destination != "0.0.0.0/0":
        return None
    return found.target_id


def classify_subnets(
    subnets: Sequence[SubnetFacts], route_tables: Sequence[RouteTableFacts]
) -> SubnetLayout:
    """Public = its route table (explicit, else the VPC's main one) sends a
    default route to an internet gateway; everything else is private. Each
    subnet's finding records the table and the route that decided.

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
    nat_gateways: list[tuple[str, str]] = []
    findings: list[SubnetFinding] = []
    tables: list[tuple[str, str]] = []
    for subnet in sorted(subnets, key=lambda s: (s.availability_zone, s.id)):
        table = explicit.get(subnet.id, main)
        if table is not None:
            tables.append((subnet.id, table.id))
        routing, route = routing_of(table.default_routes if table else ())
        is_public = routing == "public"
        (public if is_public else private).append(subnet)
        if routing == "private-nat" and route is not None:
            nat_gateways.append((subnet.id, route.target_id))
        association: Association = (
            "explicit" if subnet.id in explicit else ("main" if table else "none")
        )
        findings.append(
            SubnetFinding(
                subnet.id,
                subnet.availability_zone,
                subnet.cidr_block,
                routing,
                table.id if table else None,
                association,
                route,
                (SubnetChoice("public" if is_public else "private", "routes"),),
            )
        )
    return SubnetLayout(
        public=tuple(public),
        private=tuple(private),
        nat_gateways=tuple(nat_gateways),
        findings=tuple(findings),
        route_tables=tuple(tables),
    )


def select_subnets(
    layout: SubnetLayout,
    known_ids: Sequence[str],
    picks: Mapping[Side, tuple[SubnetChoice, Sequence[str]]],
    setting_name: SettingName = argument_name,
) -> SubnetLayout:
    """The layout once explicit ids or tag filters replace what routing found on
    a side; the subnets no side holds any more are left out (no choice)."""
    for _, chosen in picks.values():
        for subnet_id in chosen:
            if subnet_id not in known_ids:
                raise NetworkLookupError(
                    f"subnet {subnet_id} is not in the VPC; check "
                    f"{setting_name('publicSubnetIds')}, {setting_name('privateSubnetIds')} "
                    "and the subnet tag filters"
                )
    every = {s.id: s for s in (*layout.public, *layout.private)}
    findings = layout.findings
    sides = {"public": layout.public, "private": layout.private}
    for side, (choice, chosen) in picks.items():
        sides[side] = tuple(every[i] for i in chosen)
        findings = rechosen(findings, side, chosen, choice)
    return replace(layout, public=sides["public"], private=sides["private"], findings=findings)


def check_layout(
    vpc_id: str,
    layout: SubnetLayout,
    *,
    needs_public: bool = True,
    setting_name: SettingName = argument_name,
) -> SubnetLayout:
    """The stack needs one public subnet for the bastion (ssh mode) and private
    subnets in two availability zones, which an RDS subnet group requires.
    A refusal lists what the routes made of every subnet, so the user sees why."""
    if needs_public and not layout.public:
        raise NetworkLookupError(
            f"VPC {vpc_id} has no public subnet (one whose route table sends 0.0.0.0/0 or ::/0 "
            f"to an internet gateway) for the bastion; found: {_found(layout)}. Set "
            f"{setting_name('publicSubnetIds')} or {setting_name('publicSubnetTags')} "
            "to choose one"
        )
    zones = sorted({s.availability_zone for s in layout.private})
    if len(zones) < 2:
        found = ", ".join(f"{s.id} ({s.availability_zone})" for s in layout.private) or "none"
        raise NetworkLookupError(
            f"VPC {vpc_id} needs private subnets in at least two availability zones for the "
            f"database's subnet group; found: {found}. Add a private subnet in another zone, or "
            f"set {setting_name('privateSubnetIds')} / {setting_name('privateSubnetTags')}"
        )
    return layout


def _found(layout: SubnetLayout) -> str:
    """Each subnet with what its routes make of it: ``subnet-1 (us-east-1a, private-nat)``."""
    described = [f"{f.subnet_id} ({f.availability_zone}, {f.routing})" for f in layout.findings]
    return ", ".join(described) or "no subnet"


@dataclass(frozen=True)
class BastionPlacement:
    """Where the bastion goes and how its Session Manager agent gets out."""

    subnet_id: str
    # ssh mode: a public address in a public subnet; ssm mode: none
    public_address: bool
    # "internet-gateway" (ssh mode), "nat-gateway", "vpc-endpoints" (the stack's) or
    # "existing-vpc-endpoints": the path the agent's HTTPS takes to Systems Manager
    ssm_path: str
    # One line for the preview: which subnet, and why
    summary: str
    # The route table the bastion's subnet uses (an S3 gateway endpoint's route goes there)
    route_table_id: str = ""


def place_bastion(
    vpc_id: str,
    layout: SubnetLayout,
    mode: AccessMode,
    endpoints: SsmVpcEndpoints,
    setting_name: SettingName = argument_name,
) -> BastionPlacement:
    """ssh mode: the first public subnet. ssm mode: a private subnet the agent can
    get out of, or a clear error naming the keys that would make one.

    The agent opens HTTPS connections to ssm, ssmmessages and ec2messages itself
    (https://docs.aws.amazon.com/systems-manager/latest/userguide/setup-create-vpc.html):
    through a NAT gateway, or through interface endpoints in the VPC. Without either,
    the instance never registers and no session can start."""
    if mode == "ssh":
        subnet = layout.public[0].id
        return BastionPlacement(
            subnet,
            True,
            "internet-gateway",
            f"bastion in public subnet {subnet} (SSH)",
            layout.route_table_of(subnet),
        )
    if endpoints != "none":
        subnet = layout.private[0].id
        path = "vpc-endpoints" if endpoints == "create" else "existing-vpc-endpoints"
        whose = "the stack's" if endpoints == "create" else "the VPC's existing"
        return BastionPlacement(
            subnet,
            False,
            path,
            f"bastion in private subnet {subnet}, no public address; Session Manager "
            f"through {whose} interface endpoints",
            layout.route_table_of(subnet),
        )
    for candidate in layout.private:
        nat = layout.nat_gateway_of(candidate.id)
        if nat:
            return BastionPlacement(
                candidate.id,
                False,
                "nat-gateway",
                f"bastion in private subnet {candidate.id}, no public address; Session "
                f"Manager through NAT gateway {nat}",
                layout.route_table_of(candidate.id),
            )
    found = ", ".join(s.id for s in layout.private) or "none"
    endpoints_name = setting_name("ssmVpcEndpoints")
    raise NetworkLookupError(
        f"{setting_name('accessMode')} 'ssm' puts the bastion in a private subnet of VPC "
        f"{vpc_id} with no public address, and its Session Manager agent must reach ssm, "
        "ssmmessages and ec2messages over HTTPS: no private subnet routes 0.0.0.0/0 to a NAT "
        f"gateway (private subnets: {found}) and {endpoints_name} is 'none'. Set {endpoints_name} "
        "to 'create' (the stack makes the endpoints) or 'existing' (the VPC has them), or "
        "add a NAT gateway route to a private subnet"
    )


def one_subnet_per_zone(subnets: Sequence[SubnetFacts]) -> list[str]:
    """An interface endpoint takes at most one subnet per availability zone
    (https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html):
    the first of each zone, in the layout's order."""
    chosen: dict[str, str] = {}
    for subnet in subnets:
        chosen.setdefault(subnet.availability_zone, subnet.id)
    return list(chosen.values())


def check_private_dns(
    vpc_id: str,
    dns_support: bool,
    dns_hostnames: bool,
    setting_name: SettingName = argument_name,
) -> None:
    """Private DNS on an interface endpoint needs both VPC DNS attributes on
    (https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html,
    "enableDnsHostnames and enableDnsSupport")."""
    off = [
        name
        for name, on in (("enableDnsSupport", dns_support), ("enableDnsHostnames", dns_hostnames))
        if not on
    ]
    if off:
        raise NetworkLookupError(
            f"VPC {vpc_id} has {' and '.join(off)} off, so the Session Manager endpoints' "
            "private DNS names would not resolve; turn them on (aws ec2 modify-vpc-attribute) "
            f"or set {setting_name('ssmVpcEndpoints')} to 'none' with a NAT gateway route"
        )


@dataclass
class ExistingNetworkArgs:
    """Which existing VPC to build in and, optionally, how to pick its subnets.

    Plain values, named and checked as BastionDatabase's arguments of the same
    names: a bad one is refused, by name, before the component is registered."""

    # Id of the VPC that already exists (made by the lab's CloudFormation stack, say)
    vpc_id: str
    # Explicit subnet ids, or tag filters "Key=Value", that override the routing-based rule
    public_subnet_ids: Sequence[str] = ()
    private_subnet_ids: Sequence[str] = ()
    public_subnet_tags: Sequence[str] = ()
    private_subnet_tags: Sequence[str] = ()
    # Where the bastion may go depends on how people reach it
    access_mode: AccessMode = "ssh"
    ssm_vpc_endpoints: SsmVpcEndpoints = "none"
    # How a lookup error spells a setting: the argument by default; the stack
    # program's stack keys through BastionDatabase
    setting_name: SettingName = argument_name
    # The stack's region: names the endpoint services looked up in "create" mode
    # (empty: the provider's)
    region: str = ""
    # The stack's name prefix: its own endpoints (Name tag "<prefix>-<service>") are no conflict
    name_prefix: str = ""


class ExistingNetwork(pulumi.ComponentResource):
    """The VPC and its subnets, looked up rather than created.

    Exposes ``public_subnet_ids`` and ``private_subnet_ids`` (sorted by zone),
    and registers them as outputs so the policy pack can check that the
    database's subnet group uses exactly the private ones. ``subnetPlan``
    explains the choice: every subnet of the VPC, public or private and why,
    and which of them the database, the bastion and the endpoints take.
    """

    vpc_id: pulumi.Output[str]
    vpc_cidr: pulumi.Output[str]
    public_subnet_ids: pulumi.Output[list[str]]
    private_subnet_ids: pulumi.Output[list[str]]
    bastion_subnet_id: pulumi.Output[str]
    bastion_public_address: pulumi.Output[bool]
    ssm_path: pulumi.Output[str]
    # One private subnet per zone, for interface endpoints
    endpoint_subnet_ids: pulumi.Output[list[str]]
    # Each subnet found, its reasons and its takers (network_reasons.subnet_plan)
    subnet_plan: pulumi.Output[dict[str, Any]]
    # The route table of the bastion's subnet, for the S3 gateway endpoint
    bastion_route_table_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: ExistingNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        selection = network_settings(args).subnets
        name_of = args.setting_name
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
                    f"{name_of('vpcId')} and aws:region"
                )
            return vpc_id

        existing_vpc_id = matching_vpcs.ids.apply(vpc_exists)
        gateways = self._refuse_endpoint_conflicts(args)
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
            routed_layout, selection, subnets_with_tags, all_subnet_ids, name_of
        ).apply(
            lambda layout: check_layout(
                vpc_id, layout, needs_public=args.access_mode == "ssh", setting_name=name_of
            )
        )

        def placed(values: list[Any]) -> BastionPlacement:
            layout, dns_support, dns_hostnames = values
            if args.ssm_vpc_endpoints == "create":
                check_private_dns(vpc_id, bool(dns_support), bool(dns_hostnames), name_of)
            placement = place_bastion(
                vpc_id, layout, args.access_mode, args.ssm_vpc_endpoints, name_of
            )
            problems = [
                line
                for found in gateways
                if (
                    line := gateway_conflict(
                        found.service, placement.route_table_id, found, args.name_prefix
                    )
                )
            ]
            if problems:
                raise refusal(vpc_id, problems, name_of("ssmVpcEndpoints"))
            # The preview prints it: which path this network gives the bastion.
            pulumi.log.info(placement.summary, resource=self)
            return placement

        placement = pulumi.Output.all(
            selected, vpc.enable_dns_support, vpc.enable_dns_hostnames
        ).apply(placed)

        self.vpc_id = existing_vpc_id
        self.vpc_cidr = vpc.cidr_block
        self.public_subnet_ids = selected.apply(lambda layout: [s.id for s in layout.public])
        self.private_subnet_ids = selected.apply(lambda layout: [s.id for s in layout.private])
        self.bastion_subnet_id = placement.apply(lambda p: p.subnet_id)
        self.bastion_public_address = placement.apply(lambda p: p.public_address)
        self.ssm_path = placement.apply(lambda p: p.ssm_path)
        self.endpoint_subnet_ids = selected.apply(
            lambda layout: one_subnet_per_zone(layout.private)
        )

        def planned(values: list[Any]) -> dict[str, Any]:
            layout, placement = values
            return subnet_plan(
                vpc_id,
                layout.findings,
                rules=side_rules(selection),
                database_subnet_ids=[s.id for s in layout.private],
                bastion_subnet_id=placement.subnet_id,
                bastion_path=placement.ssm_path,
                endpoint_subnet_ids=one_subnet_per_zone(layout.private)
                if args.ssm_vpc_endpoints == "create"
                else None,
            )

        # Every subnet, why it is public or private, and what takes it: recorded
        # with the component (state, `pulumi stack export`, the preflight's report).
        self.subnet_plan = pulumi.Output.all(selected, placement).apply(planned)
        self.bastion_route_table_id = placement.apply(lambda p: p.route_table_id)
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "vpcCidr": self.vpc_cidr,
                "publicSubnetIds": self.public_subnet_ids,
                "privateSubnetIds": self.private_subnet_ids,
                "bastionSubnetId": self.bastion_subnet_id,
                "ssmPath": self.ssm_path,
                "subnetPlan": self.subnet_plan,
            }
        )

    def _refuse_endpoint_conflicts(self, args: ExistingNetworkArgs) -> list[Found]:
        """In "create" mode, refuses at once, before the program registers
        anything, an interface endpoint the VPC already has with private DNS;
        returns what it found of the gateway endpoints, whose conflict depends
        on the bastion's route table (checked once the placement is known)."""
        if args.access_mode != "ssm" or args.ssm_vpc_endpoints != "create":
            return []
        invoke = pulumi.InvokeOptions(parent=self)
        partition = aws.get_partition(opts=invoke)
        region = args.region or aws.get_region(opts=invoke).region
        lookup = provider_lookup(
            args.vpc_id, f"{partition.reverse_dns_prefix}.{region}", parent=self
        )
        problems = interface_conflicts(args.vpc_id, INTERFACE_SERVICES, lookup, args.name_prefix)
        if problems:
            raise refusal(args.vpc_id, problems, args.setting_name("ssmVpcEndpoints"))
        return [lookup(service, "Gateway") for service in GATEWAY_SERVICES]


def _apply_overrides(
    routed: pulumi.Output[SubnetLayout],
    selection: SubnetSelection,
    subnets_with_tags: Any,
    all_subnet_ids: pulumi.Output[list[str]],
    setting_name: SettingName,
) -> pulumi.Output[SubnetLayout]:
    """Explicit ids, then tag filters, replace what routing found, per side."""

    picks: dict[Side, tuple[SubnetChoice, pulumi.Output[list[str]]]] = {}
    for side, rule in side_rules(selection).items():
        if rule.rule == "ids":
            ids = selection.public_subnet_ids if side == "public" else selection.private_subnet_ids
            picks[side] = rule, pulumi.Output.from_input(list(ids))
        elif rule.rule == "tags":
            picks[side] = rule, subnets_with_tags(rule.tags)
    if not picks:
        return routed
    sides = list(picks)

    def choose(values: list[Any]) -> SubnetLayout:
        layout, known, *chosen = values
        return select_subnets(
            layout,
            known,
            {side: (picks[side][0], ids) for side, ids in zip(sides, chosen, strict=True)},
            setting_name,
        )

    return pulumi.Output.all(routed, all_subnet_ids, *(picks[side][1] for side in sides)).apply(
        choose
    )


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
        default_routes=default_routes_of(
            {
                "cidrBlock": route.cidr_block,
                "ipv6CidrBlock": route.ipv6_cidr_block,
                "gatewayId": route.gateway_id,
                "natGatewayId": route.nat_gateway_id,
                "egressOnlyGatewayId": route.egress_only_gateway_id,
                "transitGatewayId": route.transit_gateway_id,
                "vpcPeeringConnectionId": route.vpc_peering_connection_id,
                "vpcEndpointId": route.vpc_endpoint_id,
                "instanceId": route.instance_id,
                "networkInterfaceId": route.network_interface_id,
                "carrierGatewayId": route.carrier_gateway_id,
                "localGatewayId": route.local_gateway_id,
                "coreNetworkArn": route.core_network_arn,
                "odbNetworkArn": route.odb_network_arn,
            }
            for route in table.routes
        ),
    )
