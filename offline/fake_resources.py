"""What AWS (and the tls and random providers) compute for each new resource:
ids, ARNs, addresses, generated names and secrets, stable across runs."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from offline.fake_world import FakeWorld, fake_id


def arn_for(world: FakeWorld, type_token: str, resource_id: str) -> str:
    service = type_token.split(":")[1].split("/")[0]
    kind = type_token.split(":")[-1].lower()
    return f"arn:aws:{service}:{world.region}:{world.account_id}:{kind}/{resource_id}"


def ec2_arn(world: FakeWorld, kind: str, resource_id: str) -> str:
    return f"arn:aws:ec2:{world.region}:{world.account_id}:{kind}/{resource_id}"


def _security_group(world: FakeWorld, name: str, inputs: dict[str, Any]) -> tuple[str, Any]:
    group_id = fake_id("sg", name)
    prefix = inputs.get("namePrefix") or ""
    return group_id, {
        "id": group_id,
        "name": prefix + fake_id("", name, length=12)[1:],
        "ownerId": world.account_id,
        "arn": ec2_arn(world, "security-group", group_id),
    }


def _security_group_rule(world: FakeWorld, name: str, inputs: dict[str, Any]) -> tuple[str, Any]:
    rule_id = fake_id("sgr", name)
    return rule_id, {
        "securityGroupRuleId": rule_id,
        "arn": ec2_arn(world, "security-group-rule", rule_id),
    }


def _instance(world: FakeWorld, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    instance_id = fake_id("i", name)
    digest = bytes.fromhex(fake_id("", name, "ip", length=4)[1:])
    # associatePublicIpAddress false: no public address, and EC2 reports empty
    # publicIp and publicDns (unset, the subnet's setting decides; the lab's
    # public subnets map one).
    has_public = inputs.get("associatePublicIpAddress") is not False
    public_ip = f"3.90.{digest[0]}.{digest[1]}" if has_public else ""
    return instance_id, {
        "publicIp": public_ip,
        "publicDns": f"ec2-{public_ip.replace('.', '-')}.compute-1.amazonaws.com"
        if has_public
        else "",
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
    if "snapshotIdentifier" in inputs or "restoreToPointInTime" in inputs:
        extra["username"], extra["dbName"] = world.restore_source_names
    if inputs.get("manageMasterUserPassword"):
        extra["masterUserSecrets"] = [
            {
                # The key the program asked for, else the AWS managed one
                "kmsKeyId": inputs.get("masterUserSecretKmsKeyId")
                or f"arn:aws:kms:{world.region}:{world.account_id}:key/aws-secretsmanager",
                "secretArn": (
                    f"arn:aws:secretsmanager:{world.region}:{world.account_id}"
                    f":secret:rds!{resource_id}"
                ),
                "secretStatus": "active",
            }
        ]
    return resource_id, extra


def _log_group(world: FakeWorld, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    # The provider reports the group's ARN without CloudWatch Logs' trailing ':*'.
    group = inputs.get("name") or name
    return group, {
        "name": group,
        "arn": f"arn:aws:logs:{world.region}:{world.account_id}:log-group:{group}",
    }


def _ssm_document(
    world: FakeWorld, name: str, inputs: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    document = inputs.get("name") or name
    return document, {
        "arn": f"arn:aws:ssm:{world.region}:{world.account_id}:document/{document}",
        "owner": world.account_id,
        "status": "Active",
        "latestVersion": "1",
        "defaultVersion": "1",
    }


def _vpc_endpoint(
    world: FakeWorld, name: str, inputs: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    endpoint_id = fake_id("vpce", name)
    service = str(inputs.get("serviceName") or "")
    return endpoint_id, {
        "arn": ec2_arn(world, "vpc-endpoint", endpoint_id),
        "state": "available",
        "ownerId": world.account_id,
        "dnsEntries": [
            {
                "dnsName": f"{endpoint_id}.{service.split('.')[-1]}.{world.region}"
                ".vpce.amazonaws.com",
                "hostedZoneId": "Z7HUB22UULQXV",
            }
        ],
        "networkInterfaceIds": [
            fake_id("eni", name, subnet) for subnet in inputs.get("subnetIds") or []
        ],
    }


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


Computed = Callable[[FakeWorld, str, dict[str, Any]], tuple[str, dict[str, Any]]]


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


def _bucket(world: FakeWorld, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    # An S3 bucket's id is its name (pulumi-aws s3.Bucket: "id: The name of the bucket"),
    # so the settings that name it by its id name it by its name.
    physical = (
        inputs.get("bucket")
        or (inputs.get("bucketPrefix") or f"{name}-") + fake_id("", name, length=7)[1:]
    )
    return physical, {"bucket": physical}


# type token -> the id and outputs a resource of that type gets on creation
COMPUTED_OUTPUTS: dict[str, Computed] = {
    "aws:ec2/securityGroup:SecurityGroup": _security_group,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _security_group_rule,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _security_group_rule,
    "aws:ec2/instance:Instance": _instance,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:ec2/keyPair:KeyPair": _key_pair,
    "aws:rds/instance:Instance": _db_instance,
    "aws:rds/subnetGroup:SubnetGroup": _named("subnet-group"),
    "aws:rds/parameterGroup:ParameterGroup": _named("parameter-group"),
    "aws:iam/role:Role": _named("role"),
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:ssm/document:Document": _ssm_document,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:iam/instanceProfile:InstanceProfile": _named("profile"),
    "aws:cloudwatch/dashboard:Dashboard": _named("dashboard"),
    "tls:index/privateKey:PrivateKey": _tls_private_key,
    "random:index/randomPassword:RandomPassword": _random_password,
    "random:index/randomId:RandomId": _random_id,
}
