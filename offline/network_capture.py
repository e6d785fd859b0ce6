"""The user's real network, read from what the AWS CLI prints for it, so the
preflight classifies their subnets and plans their stack with no credentials.

The capture is the documents the CLI prints, one after the other in one file
(or one object holding their keys, as ``jq -s add`` makes)::

    VPC=vpc-0123456789abcdef0
    { aws ec2 describe-vpcs --vpc-ids "$VPC" --output json
      aws ec2 describe-subnets --filters "Name=vpc-id,Values=$VPC" --output json
      aws ec2 describe-route-tables --filters "Name=vpc-id,Values=$VPC" --output json
      aws ec2 describe-vpc-endpoints --filters "Name=vpc-id,Values=$VPC" --output json
    } > network.json

The first three are required. The fourth, ``VpcEndpoints``, is what lets the
preflight see endpoints the VPC already has (``ssmVpcEndpoints: create`` is
refused where they would collide); a capture without it means none.

The shapes are the EC2 API's (``DescribeVpcs``, ``DescribeSubnets``,
``DescribeRouteTables``, ``DescribeVpcEndpoints``; the ``Vpc``, ``Subnet``,
``RouteTable``, ``Route``, ``RouteTableAssociation``, ``VpcEndpoint`` and
``Tag`` types of
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/, as botocore's
``ec2/2016-11-15/service-2.json`` model spells them). Only the fields the
program's lookups answer with are checked; AWS adds fields over time, and
those are left alone.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import jsonschema

from offline.fake_world import (
    FakeRoute,
    FakeRouteTable,
    FakeSubnet,
    FakeVpc,
    FakeVpcEndpoint,
    FakeWorld,
)

# Optional: the endpoints the VPC already has.
ENDPOINTS_KEY = "VpcEndpoints"
ENDPOINTS_COMMAND = (
    'aws ec2 describe-vpc-endpoints --filters "Name=vpc-id,Values=$VPC" --output json'
)

# Each required key, and the command whose output holds it.
CAPTURE_KEYS = {
    "Vpcs": 'aws ec2 describe-vpcs --vpc-ids "$VPC" --output json',
    "Subnets": 'aws ec2 describe-subnets --filters "Name=vpc-id,Values=$VPC" --output json',
    "RouteTables": (
        'aws ec2 describe-route-tables --filters "Name=vpc-id,Values=$VPC" --output json'
    ),
}


def _id(prefix: str) -> dict[str, Any]:
    return {"type": "string", "pattern": f"^{prefix}-[0-9a-f]+$"}


_STRING = {"type": "string"}
_TAGS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"Key": _STRING, "Value": _STRING},
        "required": ["Key", "Value"],
    },
}
_IPV6_ASSOCIATIONS = {
    "type": "array",
    "items": {"type": "object", "properties": {"Ipv6CidrBlock": _STRING}},
}
_ROUTE_FIELDS = (
    "DestinationCidrBlock",
    "DestinationIpv6CidrBlock",
    "DestinationPrefixListId",
    "GatewayId",
    "NatGatewayId",
    "TransitGatewayId",
    "VpcPeeringConnectionId",
    "NetworkInterfaceId",
    "InstanceId",
    "EgressOnlyInternetGatewayId",
    "CarrierGatewayId",
    "LocalGatewayId",
    "CoreNetworkArn",
    "OdbNetworkArn",
    "Origin",
    "State",
)
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "Vpcs": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "VpcId": _id("vpc"),
                    "CidrBlock": _STRING,
                    "OwnerId": _STRING,
                    "IsDefault": {"type": "boolean"},
                    "Ipv6CidrBlockAssociationSet": _IPV6_ASSOCIATIONS,
                    "Tags": _TAGS,
                },
                "required": ["VpcId", "CidrBlock"],
            },
        },
        "Subnets": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "SubnetId": _id("subnet"),
                    "VpcId": _id("vpc"),
                    "AvailabilityZone": _STRING,
                    "AvailabilityZoneId": _STRING,
                    "CidrBlock": _STRING,
                    "MapPublicIpOnLaunch": {"type": "boolean"},
                    "AvailableIpAddressCount": {"type": "integer"},
                    "DefaultForAz": {"type": "boolean"},
                    "Ipv6CidrBlockAssociationSet": _IPV6_ASSOCIATIONS,
                    "Tags": _TAGS,
                },
                "required": [
                    "SubnetId",
                    "VpcId",
                    "AvailabilityZone",
                    "CidrBlock",
                    "MapPublicIpOnLaunch",
                ],
            },
        },
        "RouteTables": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "RouteTableId": _id("rtb"),
                    "VpcId": _id("vpc"),
                    "Associations": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "Main": {"type": "boolean"},
                                "SubnetId": _id("subnet"),
                                "GatewayId": _STRING,
                            },
                            "required": ["Main"],
                        },
                    },
                    "Routes": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {name: _STRING for name in _ROUTE_FIELDS},
                        },
                    },
                    "Tags": _TAGS,
                },
                "required": ["RouteTableId", "VpcId", "Associations", "Routes"],
            },
        },
        ENDPOINTS_KEY: {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "VpcEndpointId": _id("vpce"),
                    "VpcEndpointType": _STRING,
                    "VpcId": _id("vpc"),
                    "ServiceName": _STRING,
                    "State": _STRING,
                    "PrivateDnsEnabled": {"type": "boolean"},
                    "RouteTableIds": {"type": "array", "items": _id("rtb")},
                    "SubnetIds": {"type": "array", "items": _id("subnet")},
                    "Tags": _TAGS,
                },
                "required": ["VpcEndpointId", "VpcEndpointType", "VpcId", "ServiceName"],
            },
        },
    },
}
_VALIDATOR = jsonschema.Draft7Validator(SCHEMA)


class NetworkCaptureError(Exception):
    """A ``--network`` file that is not a whole, well-formed capture; the
    message names the file, the field and what was expected."""

    def __init__(self, path: Path | str, where: str, problem: str) -> None:
        self.path = str(path)
        self.where = where
        self.problem = problem
        super().__init__(f"{path}: {where}: {problem}" if where else f"{path}: {problem}")


def read_documents(path: Path) -> dict[str, Any]:
    """The capture's keys, from one document or several printed one after another."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise NetworkCaptureError(path, "", f"cannot be read ({reason})") from None
    decoder = json.JSONDecoder()
    merged: dict[str, Any] = {}
    position, number = 0, 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            break
        number += 1
        try:
            document, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise NetworkCaptureError(
                path, f"line {error.lineno}", f"not JSON ({error.msg}); capture with --output json"
            ) from None
        if not isinstance(document, dict):
            raise NetworkCaptureError(
                path, f"document {number}", 'expected a JSON object such as {"Subnets": [...]}'
            )
        for key, value in document.items():
            if key == "NextToken":
                raise NetworkCaptureError(
                    path,
                    f"document {number}",
                    "has a NextToken, so it is one page of a longer answer; capture "
                    "without --max-items or --no-paginate (the CLI then fetches every page)",
                )
            if key in merged:
                raise NetworkCaptureError(path, key, "appears twice; capture each command once")
            merged[key] = value
    if number == 0:
        raise NetworkCaptureError(path, "", "is empty")
    missing = [key for key in CAPTURE_KEYS if key not in merged]
    if missing:
        commands = "; ".join(CAPTURE_KEYS[key] for key in missing)
        raise NetworkCaptureError(
            path,
            ", ".join(missing),
            f"missing: the capture is partial; add the output of: {commands}",
        )
    return merged


def _where(parts: Sequence[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _schema_problem(path: Path, error: jsonschema.ValidationError) -> NetworkCaptureError:
    where = _where(list(error.absolute_path))
    if error.validator == "required":
        missing = str(error.message).split("'")[1]
        return NetworkCaptureError(path, _where([*error.absolute_path, missing]), "missing")
    if error.validator == "type":
        found = json.dumps(error.instance)
        found = found if len(found) <= 40 else found[:37] + "..."
        return NetworkCaptureError(path, where, f"expected a {error.validator_value}, got {found}")
    if error.validator == "pattern":
        kind = str(error.validator_value)[1:].split("-")[0]
        return NetworkCaptureError(path, where, f"{error.instance!r} is not a {kind}- id")
    return NetworkCaptureError(path, where, str(error.message))


def _network(path: Path, where: str, value: str) -> None:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise NetworkCaptureError(path, where, f"{value!r} is not a network in CIDR form") from None


def _tags(item: Mapping[str, Any]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in item.get("Tags") or []}


def _ipv6(item: Mapping[str, Any]) -> str:
    associations = item.get("Ipv6CidrBlockAssociationSet") or []
    return str(associations[0].get("Ipv6CidrBlock") or "") if associations else ""


def provider_routes(routes: Sequence[Mapping[str, Any]]) -> Iterator[FakeRoute]:
    """The routes pulumi-aws's ``getRouteTable`` reports, from the API's ones:
    without the local route, routes propagated from a virtual private gateway,
    and VPC endpoint prefix-list routes; a ``vpce-`` gateway becomes the
    endpoint id (terraform-provider-aws
    ``internal/service/ec2/vpc_route_table_data_source.go``, dataSourceRoutesRead)."""
    for route in routes:
        gateway = str(route.get("GatewayId") or "")
        if gateway == "local" or route.get("Origin") == "EnableVgwRoutePropagation":
            continue
        if route.get("DestinationPrefixListId") and gateway.startswith("vpce-"):
            continue
        endpoint = gateway.startswith("vpce-")
        yield FakeRoute(
            cidr_block=str(route.get("DestinationCidrBlock") or ""),
            ipv6_cidr_block=str(route.get("DestinationIpv6CidrBlock") or ""),
            destination_prefix_list_id=str(route.get("DestinationPrefixListId") or ""),
            gateway_id="" if endpoint else gateway,
            vpc_endpoint_id=gateway if endpoint else "",
            nat_gateway_id=str(route.get("NatGatewayId") or ""),
            transit_gateway_id=str(route.get("TransitGatewayId") or ""),
            vpc_peering_connection_id=str(route.get("VpcPeeringConnectionId") or ""),
            network_interface_id=str(route.get("NetworkInterfaceId") or ""),
            instance_id=str(route.get("InstanceId") or ""),
            egress_only_gateway_id=str(route.get("EgressOnlyInternetGatewayId") or ""),
            carrier_gateway_id=str(route.get("CarrierGatewayId") or ""),
            local_gateway_id=str(route.get("LocalGatewayId") or ""),
            core_network_arn=str(route.get("CoreNetworkArn") or ""),
            odb_network_arn=str(route.get("OdbNetworkArn") or ""),
        )


def _check_networks(path: Path, capture: Mapping[str, Any]) -> None:
    for index, vpc in enumerate(capture["Vpcs"]):
        _network(path, f"Vpcs[{index}].CidrBlock", vpc["CidrBlock"])
    for index, subnet in enumerate(capture["Subnets"]):
        _network(path, f"Subnets[{index}].CidrBlock", subnet["CidrBlock"])
    for index, table in enumerate(capture["RouteTables"]):
        for number, route in enumerate(table["Routes"]):
            for key in ("DestinationCidrBlock", "DestinationIpv6CidrBlock"):
                if route.get(key):
                    _network(path, f"RouteTables[{index}].Routes[{number}].{key}", route[key])


def _check_references(path: Path, capture: Mapping[str, Any]) -> None:
    vpc_ids = {vpc["VpcId"] for vpc in capture["Vpcs"]}
    subnet_ids = {subnet["SubnetId"] for subnet in capture["Subnets"]}
    for key in ("Subnets", "RouteTables", ENDPOINTS_KEY):
        for index, item in enumerate(capture.get(key) or []):
            if item["VpcId"] not in vpc_ids:
                raise NetworkCaptureError(
                    path,
                    f"{key}[{index}].VpcId",
                    f"{item['VpcId']} is not in Vpcs; capture every command for one VPC",
                )
    for index, table in enumerate(capture["RouteTables"]):
        for number, association in enumerate(table["Associations"]):
            subnet_id = association.get("SubnetId")
            if subnet_id and subnet_id not in subnet_ids:
                raise NetworkCaptureError(
                    path,
                    f"RouteTables[{index}].Associations[{number}].SubnetId",
                    f"{subnet_id} is not in Subnets; capture describe-subnets for the same VPC",
                )
    for vpc_id in sorted(vpc_ids):
        mains = [
            table["RouteTableId"]
            for table in capture["RouteTables"]
            if table["VpcId"] == vpc_id and any(a["Main"] for a in table["Associations"])
        ]
        if len(mains) != 1:
            found = "none" if not mains else ", ".join(mains)
            raise NetworkCaptureError(
                path,
                "RouteTables",
                f"{vpc_id} needs exactly one main route table (an association with "
                f'"Main": true), found {found}; capture describe-route-tables for the whole VPC',
            )


def _vpc(item: Mapping[str, Any], capture: Mapping[str, Any]) -> FakeVpc:
    vpc_id = item["VpcId"]
    subnets = tuple(
        FakeSubnet(
            id=subnet["SubnetId"],
            availability_zone=subnet["AvailabilityZone"],
            cidr_block=subnet["CidrBlock"],
            map_public_ip_on_launch=subnet["MapPublicIpOnLaunch"],
            tags=_tags(subnet),
            availability_zone_id=str(subnet.get("AvailabilityZoneId") or ""),
            ipv6_cidr_block=_ipv6(subnet),
            available_ip_address_count=int(subnet.get("AvailableIpAddressCount") or 0),
            default_for_az=bool(subnet.get("DefaultForAz")),
        )
        for subnet in capture["Subnets"]
        if subnet["VpcId"] == vpc_id
    )
    tables = tuple(
        FakeRouteTable(
            id=table["RouteTableId"],
            main=any(a["Main"] for a in table["Associations"]),
            subnet_ids=tuple(
                a["SubnetId"] for a in table["Associations"] if a.get("SubnetId") and not a["Main"]
            ),
            routes=tuple(provider_routes(table["Routes"])),
            tags=_tags(table),
        )
        for table in capture["RouteTables"]
        if table["VpcId"] == vpc_id
    )
    endpoints = tuple(
        FakeVpcEndpoint(
            id=endpoint["VpcEndpointId"],
            service_name=endpoint["ServiceName"],
            endpoint_type=endpoint["VpcEndpointType"],
            private_dns_enabled=bool(endpoint.get("PrivateDnsEnabled")),
            state=str(endpoint.get("State") or "available"),
            route_table_ids=tuple(endpoint.get("RouteTableIds") or ()),
            subnet_ids=tuple(endpoint.get("SubnetIds") or ()),
            tags=_tags(endpoint),
        )
        for endpoint in capture.get(ENDPOINTS_KEY) or []
        if endpoint["VpcId"] == vpc_id
    )
    return FakeVpc(
        vpc_id,
        item["CidrBlock"],
        subnets,
        tables,
        tags=_tags(item),
        ipv6_cidr_block=_ipv6(item),
        is_default=bool(item.get("IsDefault")),
        endpoints=endpoints,
    )


def captured_world(path: Path, *, region: str) -> FakeWorld:
    """The account a ``--network`` capture describes, in ``region`` (the stack's
    ``aws:region``, which the capture's zones must belong to)."""
    capture = read_documents(path)
    errors = sorted(_VALIDATOR.iter_errors(capture), key=lambda e: list(map(str, e.path)))
    if errors:
        raise _schema_problem(path, errors[0])
    _check_networks(path, capture)
    _check_references(path, capture)
    for index, subnet in enumerate(capture["Subnets"]):
        zone = subnet["AvailabilityZone"]
        if not zone.startswith(region):
            raise NetworkCaptureError(
                path,
                f"Subnets[{index}].AvailabilityZone",
                f"{zone} is not in the stack's aws:region {region}; capture with "
                f"--region {region}, or set aws:region to the VPC's region",
            )
    owners = [str(vpc["OwnerId"]) for vpc in capture["Vpcs"] if vpc.get("OwnerId")]
    vpcs = tuple(_vpc(item, capture) for item in capture["Vpcs"])
    if owners:
        return FakeWorld(vpcs=vpcs, region=region, account_id=owners[0])
    return FakeWorld(vpcs=vpcs, region=region)
