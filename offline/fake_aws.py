"""A fake AWS account for running the program with the SDK's mocks.

One module answers every lookup the program makes and computes the outputs
AWS would give each resource, for the tests and the offline preflight alike.
Lookup answers carry exactly the keys of pulumi-aws's result types, in the
camelCase the wire carries, so a program that reads a field the real invoke
lacks fails here as it would in the cloud.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Any

import pulumi
import pulumi_aws as aws
from pulumi._types import _py_properties  # the SDK's own map of result field names
from pulumi.output import Unknown

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
LAB_VPC_ID = "vpc-0a1b2c3d4e5f60718"
IGW_ID = "igw-0f1e2d3c4b5a69788"


class FakeAwsError(Exception):
    """What the provider would report for a lookup AWS cannot answer."""


@dataclass(frozen=True)
class FakeSubnet:
    id: str
    availability_zone: str
    cidr_block: str
    map_public_ip_on_launch: bool
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FakeRouteTable:
    id: str
    main: bool
    subnet_ids: tuple[str, ...]
    # destination CIDR -> gateway id (the VPC's local route is implicit, as in AWS's answer)
    routes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FakeVpc:
    id: str
    cidr_block: str
    subnets: tuple[FakeSubnet, ...]
    route_tables: tuple[FakeRouteTable, ...]


@dataclass(frozen=True)
class FakeWorld:
    """The account the program runs against: its region, VPCs and images."""

    vpcs: tuple[FakeVpc, ...]
    region: str = REGION
    account_id: str = ACCOUNT_ID

    def vpc(self, vpc_id: str) -> FakeVpc | None:
        return next((vpc for vpc in self.vpcs if vpc.id == vpc_id), None)


def lab_vpc() -> FakeVpc:
    """A VPC like the lab's CloudFormation stack: two public subnets routing to an
    internet gateway and mapping public IPs, two private ones, in two zones. One
    private subnet uses the main route table implicitly, as CloudFormation leaves it."""
    subnets = (
        FakeSubnet(
            "subnet-0aa0000000000000a", "us-east-1a", "10.0.1.0/24", True, {"Name": "public-a"}
        ),
        FakeSubnet(
            "subnet-0bb0000000000000b", "us-east-1b", "10.0.2.0/24", True, {"Name": "public-b"}
        ),
        FakeSubnet(
            "subnet-0cc0000000000000c", "us-east-1a", "10.0.3.0/24", False, {"Name": "private-a"}
        ),
        FakeSubnet(
            "subnet-0dd0000000000000d", "us-east-1b", "10.0.4.0/24", False, {"Name": "private-b"}
        ),
    )
    route_tables = (
        FakeRouteTable("rtb-0000000000000main", True, ()),
        FakeRouteTable(
            "rtb-00000000000public",
            False,
            ("subnet-0aa0000000000000a", "subnet-0bb0000000000000b"),
            {"0.0.0.0/0": IGW_ID},
        ),
        FakeRouteTable("rtb-0000000000private", False, ("subnet-0cc0000000000000c",)),
    )
    return FakeVpc(LAB_VPC_ID, "10.0.0.0/16", subnets, route_tables)


def lab_world() -> FakeWorld:
    return FakeWorld(vpcs=(lab_vpc(),))


def single_zone_private_world() -> FakeWorld:
    """Both private subnets in one zone: no RDS subnet group can be made."""
    vpc = lab_vpc()
    subnets = tuple(
        replace(s, availability_zone="us-east-1a") if not s.map_public_ip_on_launch else s
        for s in vpc.subnets
    )
    return FakeWorld(vpcs=(replace(vpc, subnets=subnets),))


def no_private_world() -> FakeWorld:
    """Every subnet routes to the internet gateway: nowhere private for the database."""
    vpc = lab_vpc()
    tables = tuple(replace(t, routes={"0.0.0.0/0": IGW_ID}) for t in vpc.route_tables)
    return FakeWorld(vpcs=(replace(vpc, route_tables=tables),))


def empty_world() -> FakeWorld:
    """An account without the lab's VPC."""
    return FakeWorld(vpcs=())


def result_keys(result_type: type) -> tuple[str, ...]:
    """The wire (camelCase) names of every field of a pulumi-aws result type."""
    return tuple(pulumi_name for _, pulumi_name, _ in _py_properties(result_type))


def shaped(result_type: type, **values: Any) -> dict[str, Any]:
    """An answer with every key the real invoke has; unknown names are a bug here."""
    keys = result_keys(result_type)
    unexpected = set(values) - set(keys)
    if unexpected:
        raise KeyError(f"{result_type.__name__} has no field(s) {sorted(unexpected)}")
    return {key: values.get(key) for key in keys}


def fake_id(prefix: str, *parts: str, length: int = 17) -> str:
    """A stable AWS-looking id, so two runs of the same program match exactly."""
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return f"{prefix}-{digest[:length]}"


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
        answer: dict[str, Any] = handler(dict(args.args))
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
            arn=f"arn:aws:ec2:{self.world.region}:{self.world.account_id}:vpc/{vpc.id}",
            cidrBlock=vpc.cidr_block,
            cidrBlockAssociations=[],
            default=False,
            dhcpOptionsId=fake_id("dopt", vpc.id),
            enableDnsHostnames=True,
            enableDnsSupport=True,
            enableNetworkAddressUsageMetrics=False,
            id=vpc.id,
            instanceTenancy="default",
            ipv6AssociationId="",
            ipv6CidrBlock="",
            mainRouteTableId=next(t.id for t in vpc.route_tables if t.main),
            ownerId=self.world.account_id,
            region=self.world.region,
            state="available",
            tags={"Name": "lab-vpc"},
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
                    return shaped(
                        aws.ec2.GetSubnetResult,
                        arn=self._ec2_arn("subnet", subnet.id),
                        assignIpv6AddressOnCreation=False,
                        availabilityZone=subnet.availability_zone,
                        availabilityZoneId="use1-az" + subnet.availability_zone[-1],
                        availableIpAddressCount=251,
                        cidrBlock=subnet.cidr_block,
                        customerOwnedIpv4Pool="",
                        defaultForAz=False,
                        enableDns64=False,
                        enableLniAtDeviceIndex=0,
                        enableResourceNameDnsARecordOnLaunch=False,
                        enableResourceNameDnsAaaaRecordOnLaunch=False,
                        id=subnet.id,
                        ipv6CidrBlock="",
                        ipv6CidrBlockAssociationId="",
                        ipv6Native=False,
                        mapCustomerOwnedIpOnLaunch=False,
                        mapPublicIpOnLaunch=subnet.map_public_ip_on_launch,
                        outpostArn="",
                        ownerId=self.world.account_id,
                        privateDnsHostnameTypeOnLaunch="ip-name",
                        region=self.world.region,
                        state="available",
                        tags=subnet.tags,
                        vpcId=vpc.id,
                    )
        raise FakeAwsError(f"no matching EC2 Subnet found for {args.get('id')}")

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
        routes = [
            shaped(
                route_type,
                carrierGatewayId="",
                cidrBlock=destination,
                coreNetworkArn="",
                destinationPrefixListId="",
                egressOnlyGatewayId="",
                gatewayId=gateway,
                instanceId="",
                ipv6CidrBlock="",
                localGatewayId="",
                natGatewayId="",
                networkInterfaceId="",
                transitGatewayId="",
                vpcEndpointId="",
                vpcPeeringConnectionId="",
            )
            for destination, gateway in table.routes.items()
        ]
        return shaped(
            aws.ec2.GetRouteTableResult,
            arn=f"arn:aws:ec2:{self.world.region}:{self.world.account_id}:route-table/{table.id}",
            associations=associations,
            filters=None,
            gatewayId=None,
            id=table.id,
            ownerId=self.world.account_id,
            region=self.world.region,
            routeTableId=table.id,
            routes=routes,
            subnetId=None,
            tags={},
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
        return f"arn:aws:ec2:{self.world.region}:{self.world.account_id}:{kind}/{resource_id}"

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
        computed = _COMPUTED.get(args.typ)
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
            outputs["arn"] = _arn(self.world, args.typ, resource_id)
        return resource_id, outputs

    def _default_tags(self, args: pulumi.runtime.MockResourceArgs) -> dict[str, str]:
        # A provider reference is "<provider urn>::<provider id>", the URN ending
        # in the provider's name; the id is unknown during a preview.
        parts = (args.provider or "").split("::")
        provider_name = parts[-2] if len(parts) >= 2 else ""
        return self._provider_default_tags.get(provider_name, {})


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


def _arn(world: FakeWorld, type_token: str, resource_id: str) -> str:
    service = type_token.split(":")[1].split("/")[0]
    kind = type_token.split(":")[-1].lower()
    return f"arn:aws:{service}:{world.region}:{world.account_id}:{kind}/{resource_id}"


def _security_group(
    world: FakeWorld, name: str, inputs: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    group_id = fake_id("sg", name)
    return group_id, {
        "id": group_id,
        "name": (inputs.get("namePrefix") or "") + fake_id("", name, length=12)[1:],
        "ownerId": world.account_id,
        "arn": f"arn:aws:ec2:{world.region}:{world.account_id}:security-group/{group_id}",
    }


def _security_group_rule(
    world: FakeWorld, name: str, inputs: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    rule_id = fake_id("sgr", name)
    return rule_id, {
        "securityGroupRuleId": rule_id,
        "arn": f"arn:aws:ec2:{world.region}:{world.account_id}:security-group-rule/{rule_id}",
    }


def _instance(world: FakeWorld, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    instance_id = fake_id("i", name)
    digest = bytes.fromhex(fake_id("", name, "ip", length=4)[1:])
    public_ip = f"3.90.{digest[0]}.{digest[1]}"
    return instance_id, {
        "publicIp": public_ip,
        "publicDns": f"ec2-{public_ip.replace('.', '-')}.compute-1.amazonaws.com",
        "privateIp": "10.0.1.10",
        "instanceState": "running",
        "primaryNetworkInterfaceId": fake_id("eni", name),
    }


def _key_pair(world: FakeWorld, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    key_name = inputs.get("keyName") or name
    return key_name, {
        "keyName": key_name,
        "keyPairId": fake_id("key", name),
        "fingerprint": "fake:fingerprint",
    }


def _db_instance(world: FakeWorld, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    identifier = inputs.get("identifier") or name
    address = f"{identifier}.cabcdefghijk.{world.region}.rds.amazonaws.com"
    port = inputs.get("port") or 5432
    resource_id = "db-" + fake_id("", name, length=26)[1:].upper()
    extra: dict[str, Any] = {
        "identifier": identifier,
        "address": address,
        "endpoint": f"{address}:{port}",
        "port": port,
        "resourceId": resource_id,
        "hostedZoneId": "Z2R2ITUGPM61AM",
        "arn": f"arn:aws:rds:{world.region}:{world.account_id}:db:{identifier}",
    }
    if inputs.get("manageMasterUserPassword"):
        extra["masterUserSecrets"] = [
            {
                "kmsKeyId": f"arn:aws:kms:{world.region}:{world.account_id}:key/aws-rds",
                "secretArn": (
                    f"arn:aws:secretsmanager:{world.region}:{world.account_id}"
                    f":secret:rds!{resource_id}"
                ),
                "secretStatus": "active",
            }
        ]
    return resource_id, extra


def _named(prefix: str) -> Any:
    def compute(world: FakeWorld, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        physical = (
            inputs.get("name")
            or (inputs.get("namePrefix") or f"{name}-") + fake_id("", name, length=7)[1:]
        )
        return physical, {"name": physical}

    return compute


def _tls_private_key(
    world: FakeWorld, name: str, inputs: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    material = fake_id("", "key", name, length=43)[1:]
    algorithm = inputs.get("algorithm", "RSA")
    key_type = "ssh-ed25519" if algorithm == "ED25519" else "ssh-rsa"

    def pem(label: str) -> str:
        return f"-----BEGIN {label}-----\n{material}\n-----END {label}-----\n"

    return fake_id("", name, length=40)[1:], {
        "privateKeyOpenssh": pem("OPENSSH PRIVATE KEY"),
        "privateKeyPem": pem("PRIVATE KEY"),
        "privateKeyPemPkcs8": pem("PRIVATE KEY"),
        "publicKeyOpenssh": f"{key_type} AAAA{material}\n",
        "publicKeyPem": pem("PUBLIC KEY"),
        "publicKeyFingerprintMd5": "fa:ke",
        "publicKeyFingerprintSha256": "SHA256:fake",
    }


def _random_password(
    world: FakeWorld, name: str, inputs: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    value = "Pw1!" + fake_id("", "password", name, length=28)[1:]
    return "none", {"result": value, "bcryptHash": "$2a$10$fakehash"}


def _random_id(world: FakeWorld, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The provider's encodings of byteLength random bytes (stable per name here)."""
    raw = bytes.fromhex(fake_id("", "random-id", name, length=2 * int(inputs["byteLength"]))[1:])
    b64_url = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return b64_url, {
        "hex": raw.hex(),
        "b64Url": b64_url,
        "b64Std": base64.b64encode(raw).decode(),
        "dec": str(int.from_bytes(raw, "big")),
    }


_COMPUTED = {
    "aws:ec2/securityGroup:SecurityGroup": _security_group,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _security_group_rule,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _security_group_rule,
    "aws:ec2/instance:Instance": _instance,
    "aws:ec2/keyPair:KeyPair": _key_pair,
    "aws:rds/instance:Instance": _db_instance,
    "aws:rds/subnetGroup:SubnetGroup": _named("subnet-group"),
    "aws:rds/parameterGroup:ParameterGroup": _named("parameter-group"),
    "aws:iam/role:Role": _named("role"),
    "aws:iam/instanceProfile:InstanceProfile": _named("profile"),
    "aws:cloudwatch/dashboard:Dashboard": _named("dashboard"),
    "tls:index/privateKey:PrivateKey": _tls_private_key,
    "random:index/randomPassword:RandomPassword": _random_password,
    "random:index/randomId:RandomId": _random_id,
}
