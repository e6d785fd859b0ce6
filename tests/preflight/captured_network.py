"""A user's network as the AWS CLI prints it: the shapes of DescribeVpcs,
DescribeSubnets and DescribeRouteTables (EC2 API reference, and botocore's
``ec2/2016-11-15/service-2.json``), with the fields AWS really returns,
including the ones the preflight must ignore (local routes, propagated ones).

Not the lab's layout on purpose: three zones, private subnets behind NAT
gateways, an IPv6 egress-only route, a VPC endpoint route, one subnet on the
main table implicitly, and a public subnet that does not map public IPs.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

VPC_ID = "vpc-0f00ba4ba5e1e6a01"
OWNER = "210987654321"
REGION = "eu-central-1"
PUBLIC = ["subnet-0a1a1a1a1a1a1a1a1", "subnet-0b2b2b2b2b2b2b2b2"]
PRIVATE = ["subnet-0c3c3c3c3c3c3c3c3", "subnet-0d4d4d4d4d4d4d4d4", "subnet-0e5e5e5e5e5e5e5e5"]


def _subnet(subnet_id: str, zone: str, cidr: str, maps_public_ip: bool, name: str) -> dict:
    return {
        "AvailabilityZone": f"{REGION}{zone}",
        "AvailabilityZoneId": f"euc1-az{ord(zone) - ord('a') + 1}",
        "AvailableIpAddressCount": 4091,
        "CidrBlock": cidr,
        "DefaultForAz": False,
        "MapPublicIpOnLaunch": maps_public_ip,
        "MapCustomerOwnedIpOnLaunch": False,
        "State": "available",
        "SubnetId": subnet_id,
        "VpcId": VPC_ID,
        "OwnerId": OWNER,
        "AssignIpv6AddressOnCreation": False,
        "Ipv6CidrBlockAssociationSet": [],
        "Tags": [{"Key": "Name", "Value": name}, {"Key": "tier", "Value": name.split("-")[0]}],
        "SubnetArn": f"arn:aws:ec2:{REGION}:{OWNER}:subnet/{subnet_id}",
        "EnableDns64": False,
        "Ipv6Native": False,
        "PrivateDnsNameOptionsOnLaunch": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
    }


def _local() -> dict:
    return {
        "DestinationCidrBlock": "10.20.0.0/16",
        "GatewayId": "local",
        "Origin": "CreateRouteTable",
        "State": "active",
    }


def _association(table: str, subnet: str | None, main: bool = False) -> dict:
    association: dict[str, Any] = {
        "Main": main,
        "RouteTableAssociationId": f"rtbassoc-{(subnet or table)[-17:]}",
        "RouteTableId": table,
        "AssociationState": {"State": "associated"},
    }
    if subnet:
        association["SubnetId"] = subnet
    return association


def capture() -> dict[str, Any]:
    """The three answers, as one dict of their top-level keys."""
    vpc = {
        "CidrBlock": "10.20.0.0/16",
        "DhcpOptionsId": "dopt-0123456789abcdef0",
        "State": "available",
        "VpcId": VPC_ID,
        "OwnerId": OWNER,
        "InstanceTenancy": "default",
        "CidrBlockAssociationSet": [
            {
                "AssociationId": "vpc-cidr-assoc-0123456789abcdef0",
                "CidrBlock": "10.20.0.0/16",
                "CidrBlockState": {"State": "associated"},
            }
        ],
        "IsDefault": False,
        "Tags": [{"Key": "Name", "Value": "platform"}],
    }
    subnets = [
        _subnet(PUBLIC[0], "a", "10.20.0.0/20", True, "public-a"),
        # Routed to the internet gateway, but maps no public IPs: public all the same.
        _subnet(PUBLIC[1], "b", "10.20.16.0/20", False, "public-b"),
        _subnet(PRIVATE[0], "a", "10.20.128.0/20", False, "private-a"),
        _subnet(PRIVATE[1], "b", "10.20.144.0/20", False, "private-b"),
        _subnet(PRIVATE[2], "c", "10.20.160.0/20", False, "private-c"),
    ]
    tables = [
        {
            # The main table: no internet route; private-c uses it implicitly.
            "Associations": [_association("rtb-0aaa00000000000a1", None, main=True)],
            "PropagatingVgws": [{"GatewayId": "vgw-0123456789abcdef0"}],
            "RouteTableId": "rtb-0aaa00000000000a1",
            "Routes": [
                _local(),
                {
                    # Propagated from the VPN: the provider leaves it out.
                    "DestinationCidrBlock": "0.0.0.0/0",
                    "GatewayId": "vgw-0123456789abcdef0",
                    "Origin": "EnableVgwRoutePropagation",
                    "State": "active",
                },
            ],
            "Tags": [],
            "VpcId": VPC_ID,
            "OwnerId": OWNER,
        },
        {
            "Associations": [_association("rtb-0bbb00000000000b2", s) for s in PUBLIC],
            "PropagatingVgws": [],
            "RouteTableId": "rtb-0bbb00000000000b2",
            "Routes": [
                _local(),
                {
                    "DestinationCidrBlock": "0.0.0.0/0",
                    "GatewayId": "igw-0123456789abcdef0",
                    "Origin": "CreateRoute",
                    "State": "active",
                },
                {
                    "DestinationPrefixListId": "pl-6ea54007",
                    "GatewayId": "vpce-0123456789abcdef0",
                    "Origin": "CreateRoute",
                    "State": "active",
                },
            ],
            "Tags": [{"Key": "Name", "Value": "public"}],
            "VpcId": VPC_ID,
            "OwnerId": OWNER,
        },
        {
            "Associations": [_association("rtb-0ccc00000000000c3", s) for s in PRIVATE[:2]],
            "PropagatingVgws": [],
            "RouteTableId": "rtb-0ccc00000000000c3",
            "Routes": [
                _local(),
                {
                    "DestinationCidrBlock": "0.0.0.0/0",
                    "NatGatewayId": "nat-0123456789abcdef0",
                    "Origin": "CreateRoute",
                    "State": "active",
                },
                {
                    "DestinationIpv6CidrBlock": "::/0",
                    "EgressOnlyInternetGatewayId": "eigw-0123456789abcdef0",
                    "Origin": "CreateRoute",
                    "State": "active",
                },
            ],
            "Tags": [],
            "VpcId": VPC_ID,
            "OwnerId": OWNER,
        },
    ]
    return {"Vpcs": [vpc], "Subnets": subnets, "RouteTables": tables}


def as_cli_prints_it(parts: dict[str, Any]) -> str:
    """One document per command, one after the other, as the capture command writes them."""
    return "\n".join(json.dumps({key: value}, indent=4) for key, value in parts.items()) + "\n"


def write_capture(path: Path, parts: dict[str, Any] | None = None) -> Path:
    path.write_text(as_cli_prints_it(copy.deepcopy(parts) if parts else capture()))
    return path


def own_stack_file(project_dir: Path, stack: str, dev_file: str) -> None:
    """A user's stack file: dev's, with their VPC, region and office network."""
    text = (
        dev_file.replace("vpc-0a1b2c3d4e5f60718", VPC_ID)
        .replace("aws:region: us-east-1", f"aws:region: {REGION}")
        .replace("203.0.113.0/24", "198.51.100.0/24")
    )
    (project_dir / f"Pulumi.{stack}.yaml").write_text(text)


# A data subnet in the third zone, on a route table of its own with no way out of the VPC.
ISOLATED = "subnet-0f6f6f6f6f6f6f6f6"
ISOLATED_TABLE = "rtb-0ddd00000000000d4"


def with_isolated_subnet(parts: dict[str, Any] | None = None) -> dict[str, Any]:
    """The capture plus ``data-c`` (tag ``tier=data``): explicitly associated with
    a route table whose only routes are the local one and an S3 gateway
    endpoint's prefix list, so no default route."""
    parts = copy.deepcopy(parts or capture())
    parts["Subnets"].append(_subnet(ISOLATED, "c", "10.20.176.0/20", False, "data-c"))
    parts["RouteTables"].append(
        {
            "Associations": [_association(ISOLATED_TABLE, ISOLATED)],
            "PropagatingVgws": [],
            "RouteTableId": ISOLATED_TABLE,
            "Routes": [
                _local(),
                {
                    "DestinationPrefixListId": "pl-6ea54007",
                    "GatewayId": "vpce-0123456789abcdef0",
                    "Origin": "CreateRoute",
                    "State": "active",
                },
            ],
            "Tags": [],
            "VpcId": VPC_ID,
            "OwnerId": OWNER,
        }
    )
    return parts
