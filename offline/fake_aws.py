"""A fake AWS account for running the program with the SDK's mocks.

One module answers every lookup the program makes and computes the outputs
AWS would give each resource, for the tests and the offline preflight alike.
Lookup answers carry exactly the keys of pulumi-aws's result types, in the
camelCase the wire carries, so a program that reads a field the real invoke
lacks fails here as it would in the cloud.
"""

from __future__ import annotations

import functools
import inspect
import json
from dataclasses import asdict
from typing import Any

import pulumi
import pulumi_aws as aws
from pulumi.output import Unknown

from offline.fake_resources import COMPUTED_OUTPUTS, arn_for, ec2_arn
from offline.fake_world import (
    ACCOUNT_ID,
    LAB_VPC_ID,
    REGION,
    FakeRoute,
    FakeRouteTable,
    FakeSubnet,
    FakeVpc,
    FakeVpcEndpoint,
    FakeWorld,
    empty_world,
    fake_id,
    lab_vpc,
    lab_world,
    no_private_world,
    single_zone_private_world,
)

# The world's names stay importable from here, where the tests have always found them.
__all__ = [
    "ACCOUNT_ID",
    "LAB_VPC_ID",
    "REGION",
    "FakeAws",
    "FakeAwsError",
    "FakeRoute",
    "FakeRouteTable",
    "FakeSubnet",
    "FakeVpc",
    "FakeVpcEndpoint",
    "FakeWorld",
    "empty_world",
    "fake_id",
    "is_taggable",
    "lab_vpc",
    "lab_world",
    "no_private_world",
    "result_keys",
    "shaped",
    "single_zone_private_world",
]


class FakeAwsError(Exception):
    """What the provider would report for a lookup AWS cannot answer."""


class FakeLookupFailure(FakeAwsError):
    """A lookup's error the program may catch: the engine hands a provider's
    invoke error to the SDK as a failed invoke, which a plain invoke raises to
    its caller as an ``Exception`` naming the provider's message."""


def _wire_name(python_name: str) -> str:
    head, *rest = python_name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@functools.cache
def result_keys(result_type: Any) -> tuple[str, ...]:
    """The wire (camelCase) names of every field of a pulumi-aws result type.

    Read from the type's public constructor: pulumi-aws's Python names are the
    Terraform attribute names, and the bridge's wire names are their camelCase
    (tests/program/test_network.py proves it for every answer, by reading each
    field back through the real pulumi-aws invoke)."""
    parameters = inspect.signature(result_type).parameters
    return tuple(_wire_name(name) for name in parameters)


def shaped(result_type: type, **values: Any) -> dict[str, Any]:
    """An answer with every key the real invoke has; unknown names are a bug here."""
    keys = result_keys(result_type)
    unexpected = set(values) - set(keys)
    if unexpected:
        raise KeyError(f"{result_type.__name__} has no field(s) {sorted(unexpected)}")
    return {key: values.get(key) for key in keys}


def _filter_values(args: dict[str, Any], name: str) -> list[str] | None:
    for item in args.get("filters") or []:
        if item.get("name") == name:
            return list(item.get("values") or [])
    return None


class FakeAws(pulumi.runtime.Mocks):
    """Answers the program's lookups from a :class:`FakeWorld` and gives each new
    resource the outputs AWS (and the tls/random providers) would compute."""

    def __init__(self, world: FakeWorld, preview: bool = False) -> None:
        self.world = world
        # True: answer as `pulumi preview` of a new stack does (computed outputs unknown)
        self.preview = preview
        # provider name -> its default tags, which AWS adds to every resource's tagsAll
        self._provider_default_tags: dict[str, dict[str, str]] = {}

    # ---- lookups -----------------------------------------------------------------

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        # The SDK's MockMonitor takes a bare dict as "no check failures".
        handler = getattr(self, "_" + args.token.split(":")[-1], None)
        if handler is None:
            raise FakeAwsError(f"the fake AWS world does not answer {args.token}")
        try:
            answer: dict[str, Any] = handler(dict(args.args))
        except FakeLookupFailure as failure:
            # The mocks' way of failing an invoke as the engine does: (result, failures)
            return {}, [("", str(failure))]  # type: ignore[return-value]
        return answer

    def _getPartition(self, args: dict[str, Any]) -> dict[str, Any]:
        return shaped(
            aws.GetPartitionResult,
            dnsSuffix="amazonaws.com",
            id="aws",
            partition="aws",
            reverseDnsPrefix="com.amazonaws",
        )

    def _getCallerIdentity(self, args: dict[str, Any]) -> dict[str, Any]:
        return shaped(
            aws.GetCallerIdentityResult,
            accountId=self.world.account_id,
            arn=f"arn:aws:iam::{self.world.account_id}:user/offline",
            id=self.world.account_id,
            userId="AIDAOFFLINEUSER00000",
        )

    def _getRegion(self, args: dict[str, Any]) -> dict[str, Any]:
        return shaped(
            aws.GetRegionResult,
            description="US East (N. Virginia)",
            endpoint=f"ec2.{self.world.region}.amazonaws.com",
            id=self.world.region,
            name=self.world.region,
            region=self.world.region,
        )

    def _getVpcs(self, args: dict[str, Any]) -> dict[str, Any]:
        wanted = _filter_values(args, "vpc-id")
        ids = [vpc.id for vpc in self.world.vpcs if wanted is None or vpc.id in wanted]
        return shaped(
            aws.ec2.GetVpcsResult,
            filters=args.get("filters"),
            id=self.world.region,
            ids=ids,
            region=self.world.region,
            tags=args.get("tags"),
        )

    def _getVpc(self, args: dict[str, Any]) -> dict[str, Any]:
        vpc = self._vpc(args.get("id"))
        return shaped(
            aws.ec2.GetVpcResult,
            arn=self._ec2_arn("vpc", vpc.id),
            cidrBlock=vpc.cidr_block,
            cidrBlockAssociations=[],
            default=vpc.is_default,
            dhcpOptionsId=fake_id("dopt", vpc.id),
            enableDnsHostnames=vpc.enable_dns_hostnames,
            enableDnsSupport=vpc.enable_dns_support,
            enableNetworkAddressUsageMetrics=False,
            id=vpc.id,
            instanceTenancy="default",
            ipv6AssociationId="",
            ipv6CidrBlock=vpc.ipv6_cidr_block,
            mainRouteTableId=next((t.id for t in vpc.route_tables if t.main), ""),
            ownerId=self.world.account_id,
            region=self.world.region,
            state="available",
            tags=dict(vpc.tags),
        )

    def _getSubnets(self, args: dict[str, Any]) -> dict[str, Any]:
        vpc_ids = _filter_values(args, "vpc-id") or []
        wanted_tags = args.get("tags") or {}
        ids = [
            subnet.id
            for vpc in self.world.vpcs
            if vpc.id in vpc_ids
            for subnet in vpc.subnets
            if all(subnet.tags.get(k) == v for k, v in wanted_tags.items())
        ]
        return shaped(
            aws.ec2.GetSubnetsResult,
            filters=args.get("filters"),
            id=self.world.region,
            ids=ids,
            region=self.world.region,
            tags=args.get("tags"),
        )

    def _getSubnet(self, args: dict[str, Any]) -> dict[str, Any]:
        for vpc in self.world.vpcs:
            for subnet in vpc.subnets:
                if subnet.id == args.get("id"):
                    return self._subnet(vpc, subnet)
        raise FakeAwsError(f"no matching EC2 Subnet found for {args.get('id')}")

    def _subnet(self, vpc: FakeVpc, subnet: FakeSubnet) -> dict[str, Any]:
        return shaped(
            aws.ec2.GetSubnetResult,
            arn=self._ec2_arn("subnet", subnet.id),
            assignIpv6AddressOnCreation=False,
            availabilityZone=subnet.availability_zone,
            availabilityZoneId=subnet.availability_zone_id,
            availableIpAddressCount=subnet.available_ip_address_count,
            cidrBlock=subnet.cidr_block,
            customerOwnedIpv4Pool="",
            defaultForAz=subnet.default_for_az,
            enableDns64=False,
            enableLniAtDeviceIndex=0,
            enableResourceNameDnsARecordOnLaunch=False,
            enableResourceNameDnsAaaaRecordOnLaunch=False,
            id=subnet.id,
            ipv6CidrBlock=subnet.ipv6_cidr_block,
            ipv6CidrBlockAssociationId="",
            ipv6Native=False,
            mapCustomerOwnedIpOnLaunch=False,
            mapPublicIpOnLaunch=subnet.map_public_ip_on_launch,
            outpostArn="",
            ownerId=self.world.account_id,
            privateDnsHostnameTypeOnLaunch="ip-name",
            region=self.world.region,
            state="available",
            tags=dict(subnet.tags),
            vpcId=vpc.id,
        )

    def _getRouteTables(self, args: dict[str, Any]) -> dict[str, Any]:
        vpc = self._vpc(args.get("vpcId"))
        return shaped(
            aws.ec2.GetRouteTablesResult,
            filters=args.get("filters"),
            id=self.world.region,
            ids=[table.id for table in vpc.route_tables],
            region=self.world.region,
            tags=args.get("tags"),
            vpcId=vpc.id,
        )

    def _getRouteTable(self, args: dict[str, Any]) -> dict[str, Any]:
        for vpc in self.world.vpcs:
            for table in vpc.route_tables:
                if table.id == args.get("routeTableId"):
                    return self._route_table(vpc, table)
        raise FakeAwsError(f"no matching Route Table found for {args.get('routeTableId')}")

    def _route_table(self, vpc: FakeVpc, table: FakeRouteTable) -> dict[str, Any]:
        association_type = aws.ec2.outputs.GetRouteTableAssociationResult
        route_type = aws.ec2.outputs.GetRouteTableRouteResult
        associations = (
            [
                shaped(
                    association_type,
                    gatewayId="",
                    main=True,
                    routeTableAssociationId=fake_id("rtbassoc", table.id),
                    routeTableId=table.id,
                    subnetId="",
                )
            ]
            if table.main
            else []
        )
        associations += [
            shaped(
                association_type,
                gatewayId="",
                main=False,
                routeTableAssociationId=fake_id("rtbassoc", table.id, subnet_id),
                routeTableId=table.id,
                subnetId=subnet_id,
            )
            for subnet_id in table.subnet_ids
        ]
        routes = [_route(route_type, route) for route in table.routes]
        return shaped(
            aws.ec2.GetRouteTableResult,
            arn=self._ec2_arn("route-table", table.id),
            associations=associations,
            filters=None,
            gatewayId=None,
            id=table.id,
            ownerId=self.world.account_id,
            region=self.world.region,
            routeTableId=table.id,
            routes=routes,
            subnetId=None,
            tags=dict(table.tags),
            vpcId=vpc.id,
        )

    def _getVpcEndpoint(self, args: dict[str, Any]) -> dict[str, Any]:
        """One endpoint, or the provider's singular-lookup errors
        (terraform-provider-aws ``tfresource.SingularDataSourceFindError``)."""
        states = _filter_values(args, "vpc-endpoint-state")
        wanted = {
            "vpc": args.get("vpcId"),
            "service": args.get("serviceName"),
            "type": args.get("vpcEndpointType"),
            "id": args.get("id"),
            "state": args.get("state"),
        }
        matches = [
            (vpc, endpoint)
            for vpc in self.world.vpcs
            for endpoint in vpc.endpoints
            if wanted["vpc"] in (None, vpc.id)
            and wanted["service"] in (None, endpoint.service_name)
            and wanted["type"] in (None, endpoint.endpoint_type)
            and wanted["id"] in (None, endpoint.id)
            and wanted["state"] in (None, endpoint.state)
            and (states is None or endpoint.state in states)
        ]
        if not matches:
            raise FakeLookupFailure("no matching EC2 VPC Endpoint found")
        if len(matches) > 1:
            raise FakeLookupFailure(
                "multiple EC2 VPC Endpoints matched; use additional constraints to reduce "
                "matches to a single EC2 VPC Endpoint"
            )
        vpc, endpoint = matches[0]
        return shaped(
            aws.ec2.GetVpcEndpointResult,
            arn=self._ec2_arn("vpc-endpoint", endpoint.id),
            cidrBlocks=[],
            dnsEntries=[],
            dnsOptions=[],
            filters=args.get("filters"),
            id=endpoint.id,
            ipAddressType="ipv4" if endpoint.endpoint_type == "Interface" else "",
            networkInterfaceIds=[],
            ownerId=self.world.account_id,
            policy="",
            prefixListId="",
            privateDnsEnabled=endpoint.private_dns_enabled,
            region=self.world.region,
            requesterManaged=False,
            routeTableIds=list(endpoint.route_table_ids),
            securityGroupIds=[],
            serviceName=endpoint.service_name,
            serviceRegion=self.world.region,
            state=endpoint.state,
            subnetIds=list(endpoint.subnet_ids),
            tags=dict(endpoint.tags),
            vpcEndpointType=endpoint.endpoint_type,
            vpcId=vpc.id,
        )

    def _getAmi(self, args: dict[str, Any]) -> dict[str, Any]:
        architecture = (_filter_values(args, "architecture") or ["x86_64"])[0]
        name = f"al2023-ami-2023.9.20261101.0-kernel-6.1-{architecture}"
        # A lookup by id (a pinned image) answers with that image.
        image_id = (_filter_values(args, "image-id") or [fake_id("ami", name)])[0]
        return shaped(
            aws.ec2.GetAmiResult,
            architecture=architecture,
            arn=f"arn:aws:ec2:{self.world.region}::image/{image_id}",
            blockDeviceMappings=[],
            bootMode="uefi-preferred",
            creationDate="2026-11-01T00:00:00.000Z",
            deprecationTime="2028-11-01T00:00:00.000Z",
            description="Amazon Linux 2023 AMI",
            enaSupport=True,
            executableUsers=args.get("executableUsers"),
            filters=args.get("filters"),
            hypervisor="xen",
            id=image_id,
            imageId=image_id,
            imageLocation=f"amazon/{name}",
            imageOwnerAlias="amazon",
            imageType="machine",
            imdsSupport="v2.0",
            includeDeprecated=args.get("includeDeprecated"),
            kernelId="",
            lastLaunchedTime="",
            mostRecent=args.get("mostRecent"),
            name=name,
            nameRegex=args.get("nameRegex"),
            ownerId="137112412989",
            owners=args.get("owners"),
            platform="",
            platformDetails="Linux/UNIX",
            productCodes=[],
            public=True,
            ramdiskId="",
            rootDeviceName="/dev/xvda",
            rootDeviceType="ebs",
            rootSnapshotId=fake_id("snap", name),
            sriovNetSupport="simple",
            state="available",
            stateReason={"code": "UNSET", "message": "UNSET"},
            tags={},
            tpmSupport="",
            uefiData=args.get("uefiData"),
            usageOperation="RunInstances",
            virtualizationType="hvm",
        )

    def _ec2_arn(self, kind: str, resource_id: str) -> str:
        return ec2_arn(self.world, kind, resource_id)

    def _vpc(self, vpc_id: Any) -> FakeVpc:
        vpc = self.world.vpc(str(vpc_id))
        if vpc is None:
            raise FakeAwsError(f"no matching EC2 VPC found for {vpc_id}")
        return vpc

    # ---- resources ---------------------------------------------------------------

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        resource_id, outputs = self._created(args)
        if not self.preview:
            return resource_id, outputs
        # A preview of a new stack knows the inputs (and what the provider plans
        # from them, like tagsAll) but nothing AWS assigns on creation: ids,
        # ARNs, addresses, generated names and secrets come back unknown.
        planned = {
            key: value if key in args.inputs or key == "tagsAll" else Unknown()
            for key, value in outputs.items()
        }
        return "", planned

    def _created(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """The id and outputs the resource has once created."""
        if args.typ.startswith("pulumi:providers:"):
            default_tags = _provider_object(args.inputs.get("defaultTags")).get("tags") or {}
            self._provider_default_tags[args.name] = dict(default_tags)
            return fake_id("provider", args.name), dict(args.inputs)
        computed = COMPUTED_OUTPUTS.get(args.typ)
        outputs = dict(args.inputs)
        resource_id = fake_id("id", args.typ, args.name)
        if computed is not None:
            resource_id, extra = computed(self.world, args.name, args.inputs)
            outputs.update(extra)
        if is_taggable(args.typ):
            outputs["tagsAll"] = {**self._default_tags(args), **(args.inputs.get("tags") or {})}
        if (
            args.typ.startswith("aws:")
            and "arn" not in outputs
            and not args.typ.startswith("pulumi:providers")
        ):
            outputs["arn"] = arn_for(self.world, args.typ, resource_id)
        return resource_id, outputs

    def _default_tags(self, args: pulumi.runtime.MockResourceArgs) -> dict[str, str]:
        # A provider reference is "<provider urn>::<provider id>", the URN ending
        # in the provider's name; the id is unknown during a preview.
        parts = (args.provider or "").split("::")
        provider_name = parts[-2] if len(parts) >= 2 else ""
        return self._provider_default_tags.get(provider_name, {})


def _route(route_type: type, route: FakeRoute) -> dict[str, Any]:
    """A route in the provider's shape: its fields are the FakeRoute's, in camelCase."""
    return shaped(route_type, **{_wire_name(key): value for key, value in asdict(route).items()})


def _provider_object(value: Any) -> dict[str, Any]:
    """Provider inputs that are objects reach the provider as JSON text."""
    if isinstance(value, str):
        decoded = json.loads(value)
        return decoded if isinstance(decoded, dict) else {}
    return value if isinstance(value, dict) else {}


@functools.cache
def is_taggable(type_token: str) -> bool:
    """Whether pulumi-aws gives this resource type ``tagsAll`` (provider default
    tags plus its own), read from the SDK's resource class itself."""
    if not type_token.startswith("aws:"):
        return False
    module_path, class_name = type_token.split(":")[1].split("/")[0], type_token.split(":")[2]
    module = aws if module_path == "index" else getattr(aws, module_path, None)
    return hasattr(getattr(module, class_name, None), "tags_all")
