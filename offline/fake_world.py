"""The account the fake AWS answers from: its region, its VPCs, their subnets
and route tables.

Two sources build one: the lab-shaped VPC, built around whatever VPC id and
region the stack names (so a user's own stack file runs offline as it is),
and a capture of the user's real network (:mod:`offline.network_capture`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
LAB_VPC_ID = "vpc-0a1b2c3d4e5f60718"


def fake_id(prefix: str, *parts: str, length: int = 17) -> str:
    """A stable AWS-looking id, so two runs of the same program match exactly."""
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return f"{prefix}-{digest[:length]}"


@dataclass(frozen=True)
class FakeSubnet:
    id: str
    availability_zone: str
    cidr_block: str
    map_public_ip_on_launch: bool
    tags: dict[str, str] = field(default_factory=dict)
    availability_zone_id: str = ""
    ipv6_cidr_block: str = ""
    available_ip_address_count: int = 251
    default_for_az: bool = False


@dataclass(frozen=True)
class FakeRoute:
    """One route, named as pulumi-aws's ``getRouteTable`` names its fields.

    The VPC's local route is not here: the provider leaves it out of its
    answer, as it leaves out routes propagated from a virtual private gateway.
    """

    cidr_block: str = ""
    ipv6_cidr_block: str = ""
    destination_prefix_list_id: str = ""
    gateway_id: str = ""
    nat_gateway_id: str = ""
    transit_gateway_id: str = ""
    vpc_peering_connection_id: str = ""
    vpc_endpoint_id: str = ""
    network_interface_id: str = ""
    instance_id: str = ""
    egress_only_gateway_id: str = ""
    carrier_gateway_id: str = ""
    local_gateway_id: str = ""
    core_network_arn: str = ""
    odb_network_arn: str = ""


@dataclass(frozen=True)
class FakeRouteTable:
    id: str
    main: bool
    subnet_ids: tuple[str, ...]
    routes: tuple[FakeRoute, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FakeVpcEndpoint:
    """A VPC endpoint the account already has (DescribeVpcEndpoints' VpcEndpoint)."""

    id: str
    # The full service name, e.g. com.amazonaws.us-east-1.ssm
    service_name: str
    # "Interface" or "Gateway"
    endpoint_type: str
    private_dns_enabled: bool = False
    state: str = "available"
    route_table_ids: tuple[str, ...] = ()
    subnet_ids: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FakeVpc:
    id: str
    cidr_block: str
    subnets: tuple[FakeSubnet, ...]
    route_tables: tuple[FakeRouteTable, ...]
    tags: dict[str, str] = field(default_factory=dict)
    ipv6_cidr_block: str = ""
    is_default: bool = False
    # The VPC's DNS attributes (DescribeVpcAttribute); interface endpoints'
    # private DNS needs both on
    enable_dns_support: bool = True
    enable_dns_hostnames: bool = True
    # The VPC endpoints it already has (a captured network's describe-vpc-endpoints)
    endpoints: tuple[FakeVpcEndpoint, ...] = ()


@dataclass(frozen=True)
class FakeWorld:
    """The account the program runs against: its region, VPCs and images."""

    vpcs: tuple[FakeVpc, ...]
    region: str = REGION
    account_id: str = ACCOUNT_ID
    # What a restored database reports as its master user and database name:
    # the source's (here, a source made with the PostgreSQL defaults)
    restore_source_names: tuple[str, str] = ("postgres_admin", "postgres")

    def vpc(self, vpc_id: str) -> FakeVpc | None:
        return next((vpc for vpc in self.vpcs if vpc.id == vpc_id), None)


# AWS zone ids read <area><direction initials><number>-az<n> (us-east-1 -> use1-az1).
_DIRECTIONS = {
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
}


def _zone_id(region: str, number: int) -> str:
    parts = region.split("-")
    if len(parts) == 3 and parts[1] in _DIRECTIONS:
        return f"{parts[0]}{_DIRECTIONS[parts[1]]}{parts[2]}-az{number}"
    return f"{region}-az{number}"


def lab_vpc(vpc_id: str = LAB_VPC_ID, region: str = REGION) -> FakeVpc:
    """A VPC like the lab's CloudFormation stack, around any VPC id: two public
    subnets routing to an internet gateway and mapping public IPs, two private
    ones, in two zones of ``region``. One private subnet uses the main route
    table implicitly, as CloudFormation leaves it. Ids derive from the VPC id,
    so the same stack file always meets the same network."""

    def subnet(name: str, zone: str, cidr: str, public: bool) -> FakeSubnet:
        return FakeSubnet(
            fake_id("subnet", vpc_id, name),
            f"{region}{zone}",
            cidr,
            public,
            {"Name": name},
            availability_zone_id=_zone_id(region, ord(zone) - ord("a") + 1),
        )

    public_a, public_b, private_a, private_b = (
        subnet("public-a", "a", "10.0.1.0/24", True),
        subnet("public-b", "b", "10.0.2.0/24", True),
        subnet("private-a", "a", "10.0.3.0/24", False),
        subnet("private-b", "b", "10.0.4.0/24", False),
    )
    internet = FakeRoute(cidr_block="0.0.0.0/0", gateway_id=fake_id("igw", vpc_id))
    # The private subnets get out through a NAT gateway in a public subnet, as a
    # VPC made by the VPC console's "VPC and more" does: a Session Manager
    # bastion without a public address reaches the service that way.
    nat = FakeRoute(cidr_block="0.0.0.0/0", nat_gateway_id=lab_nat_gateway_id(vpc_id))
    route_tables = (
        FakeRouteTable(fake_id("rtb", vpc_id, "main"), True, (), (nat,)),
        FakeRouteTable(
            fake_id("rtb", vpc_id, "public"), False, (public_a.id, public_b.id), (internet,)
        ),
        FakeRouteTable(fake_id("rtb", vpc_id, "private"), False, (private_a.id,), (nat,)),
    )
    return FakeVpc(
        vpc_id,
        "10.0.0.0/16",
        (public_a, public_b, private_a, private_b),
        route_tables,
        tags={"Name": "lab-vpc"},
    )


def lab_nat_gateway_id(vpc_id: str = LAB_VPC_ID) -> str:
    return fake_id("nat", vpc_id)


def without_nat(world: FakeWorld) -> FakeWorld:
    """The same account with every NAT gateway route gone: private subnets with
    no way out."""
    vpcs = tuple(
        replace(
            vpc,
            route_tables=tuple(
                replace(t, routes=tuple(r for r in t.routes if not r.nat_gateway_id))
                for t in vpc.route_tables
            ),
        )
        for vpc in world.vpcs
    )
    return replace(world, vpcs=vpcs)


def lab_world(vpc_id: str = LAB_VPC_ID, region: str = REGION) -> FakeWorld:
    """An account holding the lab-shaped VPC with id ``vpc_id`` in ``region``."""
    return FakeWorld(vpcs=(lab_vpc(vpc_id, region),), region=region)


def single_zone_private_world() -> FakeWorld:
    """Both private subnets in one zone: no RDS subnet group can be made."""
    vpc = lab_vpc()
    zone = f"{REGION}a"
    subnets = tuple(
        replace(s, availability_zone=zone) if not s.map_public_ip_on_launch else s
        for s in vpc.subnets
    )
    return FakeWorld(vpcs=(replace(vpc, subnets=subnets),))


def no_private_world() -> FakeWorld:
    """Every subnet routes to the internet gateway: nowhere private for the database."""
    vpc = lab_vpc()
    internet = FakeRoute(cidr_block="0.0.0.0/0", gateway_id=fake_id("igw", vpc.id))
    tables = tuple(replace(t, routes=(internet,)) for t in vpc.route_tables)
    return FakeWorld(vpcs=(replace(vpc, route_tables=tables),))


def empty_world() -> FakeWorld:
    """An account without the lab's VPC."""
    return FakeWorld(vpcs=())
