"""A compliant, prod-like stack as the policy pack sees it, built by hand.

It mirrors what the program registers (context.md's conventions and
``components/``): an explicit AWS provider whose ``defaultTags`` input is JSON
text (as pulumi-aws's Python SDK sends it), an ``ExistingNetwork`` component
with the looked-up subnets as registered outputs, security groups without
inline rules plus ``aws:vpc`` rule resources, a bastion tagged ``Role=bastion``
and a private database, each property that came from another resource
carrying its property dependency, and the monitoring component's four database
alarms (CPU, memory, storage, connections) with alarm and OK actions. Unlike
the prod stack it runs in ``ssh`` access mode, so the SSH rules and the key
pair are there to be mutated.

:func:`state_bucket_stack` is the other project's stack: the Pulumi state
bucket of ``bootstrap/`` with its companion resources, for the S3 rules.

The policy suites start from :func:`compliant_stack` and change one thing at a
time; with :func:`fixture_config` (prod.json plus the SSH network) the untouched
stack has no violation at all, so every finding is the mutation's doing.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from offline.snapshot import ResourceSnapshot, SecretValue

PROJECT = "bastion-db"
STACK = "prod"
PACK_DIR = Path(__file__).resolve().parents[2] / "policies"
ALLOWED_SSH_CIDR = "203.0.113.0/24"
TAGS = {"Project": PROJECT, "Environment": STACK, "ManagedBy": "pulumi"}
PUBLIC_SUBNETS = ["subnet-0aa0000000000000a", "subnet-0bb0000000000000b"]
PRIVATE_SUBNETS = ["subnet-0cc0000000000000c", "subnet-0dd0000000000000d"]
BASTION_SG_ID = "sg-0b0000000000000b1"
DATABASE_SG_ID = "sg-0d0000000000000d1"
AMI_ID = "ami-0123456789abcdef0"
AMAZON_OWNER_ID = "137112412989"
DB_PORT = 5432
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:bastion-db-prod-alarms"
# The database alarms components/monitoring.py makes for prod, by key: name,
# metric, comparison, threshold, statistic (the latency alarms are left out).
DATABASE_ALARMS: dict[str, tuple[str, str, str, float, str]] = {
    "alarm": ("db-cpu", "CPUUtilization", "GreaterThanThreshold", 90, "Average"),
    "alarm_memory": ("db-freeable-memory", "FreeableMemory", "LessThanThreshold", 2**30, "Average"),
    "alarm_storage": (
        "db-free-storage",
        "FreeStorageSpace",
        "LessThanThreshold",
        2.5 * 2**30,
        "Minimum",
    ),
    "alarm_connections": (
        "db-connections",
        "DatabaseConnections",
        "GreaterThanThreshold",
        367,
        "Average",
    ),
}
# Removes a property in :meth:`FixtureStack.set`.
DELETE = object()


def _ssh_string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def _mpint(value: int) -> bytes:
    raw = value.to_bytes((value.bit_length() + 8) // 8, "big")  # leading zero keeps it positive
    return _ssh_string(raw)


def openssh_rsa(bits: int) -> str:
    """An OpenSSH RSA public key line whose modulus has exactly ``bits`` bits."""
    modulus = (1 << (bits - 1)) | 0xF1  # top bit set, odd
    blob = _ssh_string(b"ssh-rsa") + _mpint(65537) + _mpint(modulus)
    return f"ssh-rsa {base64.b64encode(blob).decode()} user@example"


def openssh_ed25519() -> str:
    blob = _ssh_string(b"ssh-ed25519") + _ssh_string(bytes(range(32)))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} user@example"


def openssh_dss() -> str:
    blob = _ssh_string(b"ssh-dss") + b"".join(_mpint(n) for n in (0xFFF1, 0xF1, 0xF3, 0xF5))
    return f"ssh-dss {base64.b64encode(blob).decode()} user@example"


@dataclass
class FixtureStack:
    """Snapshots by a short key, in registration order, with helpers to mutate one."""

    snapshots: dict[str, ResourceSnapshot] = field(default_factory=dict)
    provider_reference: str | None = None

    def urn(self, key: str) -> str:
        return self.snapshots[key].urn

    def __getitem__(self, key: str) -> ResourceSnapshot:
        return self.snapshots[key]

    def resources(self) -> list[ResourceSnapshot]:
        return list(self.snapshots.values())

    def copy(self) -> FixtureStack:
        return copy.deepcopy(self)

    def add(
        self,
        key: str,
        type_: str,
        name: str,
        inputs: Mapping[str, Any] | None = None,
        *,
        parent: str | None = None,
        deps: Mapping[str, Sequence[str]] | None = None,
        outputs: Mapping[str, Any] | None = None,
        custom: bool = True,
        aws: bool = True,
        resource_id: str | None = None,
    ) -> None:
        """Registers a resource; ``parent`` and ``deps`` name other resources by key.
        A custom resource's outputs default to its inputs plus its id, as the
        fake AWS world answers."""
        parent_urn = self.urn(parent) if parent else None
        qualified = type_
        if parent_urn is not None:
            parent_type = parent_urn.split("::")[2]
            qualified = f"{parent_type}${type_}"
        urn = f"urn:pulumi:{STACK}::{PROJECT}::{qualified}::{name}"
        inputs = dict(inputs or {})
        resource_id = resource_id or (f"{name}-id" if custom else None)
        if outputs is None:
            outputs = {**inputs, "id": resource_id} if custom else {}
        property_dependencies = {
            prop: tuple(self.urn(k) for k in keys) for prop, keys in (deps or {}).items()
        }
        self.snapshots[key] = ResourceSnapshot(
            urn=urn,
            type=type_,
            name=name,
            custom=custom,
            inputs=inputs,
            outputs=dict(outputs),
            parent=parent_urn,
            dependencies=tuple(sorted({u for us in property_dependencies.values() for u in us})),
            property_dependencies=property_dependencies,
            provider=self.provider_reference if (aws and custom) else None,
            id=resource_id,
        )

    def set(self, key: str, **changes: Any) -> None:
        """Changes inputs and outputs alike (the fake world echoes inputs)."""
        snapshot = self.snapshots[key]
        self.snapshots[key] = replace(
            snapshot,
            inputs=_changed(snapshot.inputs, changes),
            outputs=_changed(snapshot.outputs, changes) if snapshot.custom else snapshot.outputs,
        )

    def set_outputs(self, key: str, **changes: Any) -> None:
        snapshot = self.snapshots[key]
        self.snapshots[key] = replace(snapshot, outputs=_changed(snapshot.outputs, changes))

    def set_untraced(self, key: str, prop: str, value: Any) -> None:
        """Sets a property (or removes it, with DELETE) and forgets where it came from."""
        self.set(key, **{prop: value})
        self.drop_dependency(key, prop)

    def drop_dependency(self, key: str, prop: str) -> None:
        snapshot = self.snapshots[key]
        deps = {k: v for k, v in snapshot.property_dependencies.items() if k != prop}
        self.snapshots[key] = replace(snapshot, property_dependencies=deps)

    def remove(self, key: str) -> None:
        del self.snapshots[key]


def _changed(properties: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(properties)
    for prop, value in changes.items():
        if value is DELETE:
            result.pop(prop, None)
        else:
            result[prop] = copy.deepcopy(value)
    return result


def ssh_ingress(
    cidr: str,
    *,
    from_port: int = 22,
    to_port: int = 22,
    protocol: str = "tcp",
    description: str | None = "SSH to the bastion",
) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "securityGroupId": BASTION_SG_ID,
        "ipProtocol": protocol,
        "fromPort": from_port,
        "toPort": to_port,
        "cidrIpv4": cidr,
    }
    if description is not None:
        rule["description"] = description
    return rule


def compliant_stack() -> FixtureStack:
    stack = FixtureStack()
    stack.add(
        "provider",
        "pulumi:providers:aws",
        "aws",
        {
            "region": "us-east-1",
            "skipRegionValidation": "true",
            "defaultTags": json.dumps({"tags": TAGS}),
        },
        aws=False,
        resource_id="provider-0000",
    )
    stack.provider_reference = f"{stack.urn('provider')}::provider-0000"

    stack.add(
        "network",
        "bastiondb:network:ExistingNetwork",
        "network",
        custom=False,
        outputs={
            "vpcId": "vpc-0a1b2c3d4e5f60718",
            "vpcCidr": "10.0.0.0/16",
            "publicSubnetIds": PUBLIC_SUBNETS,
            "privateSubnetIds": PRIVATE_SUBNETS,
        },
    )

    # --- SSH key -------------------------------------------------------------
    stack.add(
        "ssh_key",
        "bastiondb:access:SshKey",
        "ssh-key",
        custom=False,
        outputs={"keyName": "bastion-db-prod-bastion"},
    )
    stack.add(
        "tls_key",
        "tls:index/privateKey:PrivateKey",
        "ssh-key-private-key",
        {"algorithm": "ED25519"},
        parent="ssh_key",
        aws=False,
        outputs={
            "algorithm": "ED25519",
            "publicKeyOpenssh": openssh_ed25519(),
            "privateKeyOpenssh": SecretValue("-----BEGIN OPENSSH PRIVATE KEY-----\n..."),
        },
    )
    stack.add(
        "key_pair",
        "aws:ec2/keyPair:KeyPair",
        "ssh-key-key-pair",
        {"keyName": "bastion-db-prod-bastion", "publicKey": openssh_ed25519()},
        parent="ssh_key",
        deps={"publicKey": ["tls_key"]},
    )

    # --- security groups ----------------------------------------------------
    stack.add(
        "groups",
        "bastiondb:network:SecurityGroups",
        "security-groups",
        custom=False,
        outputs={
            "bastionSecurityGroupId": BASTION_SG_ID,
            "databaseSecurityGroupId": DATABASE_SG_ID,
        },
    )
    stack.add(
        "bastion_sg",
        "aws:ec2/securityGroup:SecurityGroup",
        "security-groups-bastion",
        {
            "namePrefix": "bastion-db-prod-bastion-",
            "description": "Bastion host: SSH from named networks only",
            "vpcId": "vpc-0a1b2c3d4e5f60718",
        },
        parent="groups",
        resource_id=BASTION_SG_ID,
    )
    stack.add(
        "database_sg",
        "aws:ec2/securityGroup:SecurityGroup",
        "security-groups-database",
        {
            "namePrefix": "bastion-db-prod-database-",
            "description": "Database: its port from the bastion only, no egress",
            "vpcId": "vpc-0a1b2c3d4e5f60718",
        },
        parent="groups",
        resource_id=DATABASE_SG_ID,
    )
    stack.add(
        "ssh_rule",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "security-groups-bastion-ssh-203-0-113-0-24",
        ssh_ingress(ALLOWED_SSH_CIDR, description=f"SSH to the bastion from {ALLOWED_SSH_CIDR}"),
        parent="groups",
        deps={"securityGroupId": ["bastion_sg"]},
    )
    stack.add(
        "db_rule",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "security-groups-database-from-bastion",
        {
            "securityGroupId": DATABASE_SG_ID,
            "referencedSecurityGroupId": BASTION_SG_ID,
            "ipProtocol": "tcp",
            "fromPort": DB_PORT,
            "toPort": DB_PORT,
            "description": "Database port from the bastion host only",
        },
        parent="groups",
        deps={"securityGroupId": ["database_sg"], "referencedSecurityGroupId": ["bastion_sg"]},
    )
    stack.add(
        "https_egress",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "security-groups-bastion-https-out",
        {
            "securityGroupId": BASTION_SG_ID,
            "cidrIpv4": "0.0.0.0/0",
            "ipProtocol": "tcp",
            "fromPort": 443,
            "toPort": 443,
            "description": "HTTPS for OS packages and the Session Manager agent",
        },
        parent="groups",
        deps={"securityGroupId": ["bastion_sg"]},
    )
    stack.add(
        "db_egress",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "security-groups-bastion-to-database",
        {
            "securityGroupId": BASTION_SG_ID,
            "referencedSecurityGroupId": DATABASE_SG_ID,
            "ipProtocol": "tcp",
            "fromPort": DB_PORT,
            "toPort": DB_PORT,
            "description": "Tunnelled database connections to the database group",
        },
        parent="groups",
        deps={"securityGroupId": ["bastion_sg"], "referencedSecurityGroupId": ["database_sg"]},
    )

    # --- bastion --------------------------------------------------------------
    stack.add(
        "bastion",
        "bastiondb:compute:Bastion",
        "bastion",
        custom=False,
        outputs={
            "instanceId": "i-0123456789abcdef0",
            "publicDns": "ec2-198-51-100-7.compute-1.amazonaws.com",
            "amiId": AMI_ID,
            "amiOwnerId": AMAZON_OWNER_ID,
        },
    )
    stack.add(
        "role",
        "aws:iam/role:Role",
        "bastion-role",
        {
            "namePrefix": "bastion-db-prod-bastion-",
            "description": "Bastion host instance role (Session Manager)",
        },
        parent="bastion",
    )
    stack.add(
        "profile",
        "aws:iam/instanceProfile:InstanceProfile",
        "bastion-profile",
        {"namePrefix": "bastion-db-prod-bastion-", "role": "bastion-role-id"},
        parent="bastion",
        deps={"role": ["role"]},
    )
    stack.add(
        "instance",
        "aws:ec2/instance:Instance",
        "bastion-instance",
        {
            "ami": AMI_ID,
            "instanceType": "t3.micro",
            "subnetId": PUBLIC_SUBNETS[0],
            "associatePublicIpAddress": True,
            "vpcSecurityGroupIds": [BASTION_SG_ID],
            "keyName": "bastion-db-prod-bastion",
            "iamInstanceProfile": "bastion-db-prod-bastion-3144a7a",
            "metadataOptions": {
                "httpEndpoint": "enabled",
                "httpTokens": "required",
                "httpPutResponseHopLimit": 1,
            },
            "rootBlockDevice": {
                "encrypted": True,
                "volumeType": "gp3",
                "volumeSize": 8,
                "deleteOnTermination": True,
            },
            "monitoring": True,
            "ebsOptimized": True,
            "userData": "#!/bin/bash\nset -euo pipefail\ndnf install -y postgresql16\n",
            "userDataReplaceOnChange": True,
            "tags": {"Name": "bastion-db-prod-bastion", "Role": "bastion"},
        },
        parent="bastion",
        deps={
            "subnetId": [],
            "vpcSecurityGroupIds": ["bastion_sg"],
            "keyName": ["key_pair"],
            "iamInstanceProfile": ["profile"],
        },
    )

    # --- database ---------------------------------------------------------------
    stack.add(
        "database",
        "bastiondb:database:Database",
        "database",
        custom=False,
        outputs={
            "address": "bastion-db-prod.abc.us-east-1.rds.amazonaws.com",
            "port": DB_PORT,
            "identifier": "bastion-db-prod",
        },
    )
    stack.add(
        "subnet_group",
        "aws:rds/subnetGroup:SubnetGroup",
        "database-subnets",
        {
            "namePrefix": "bastion-db-prod-",
            "description": "Private subnets of the database",
            "subnetIds": PRIVATE_SUBNETS,
        },
        parent="database",
        outputs={
            "namePrefix": "bastion-db-prod-",
            "description": "Private subnets of the database",
            "subnetIds": PRIVATE_SUBNETS,
            "name": "bastion-db-prod-20240101",
            "id": "bastion-db-prod-20240101",
        },
        resource_id="bastion-db-prod-20240101",
    )
    parameters = [
        {"name": "rds.force_ssl", "value": "1"},
        {"name": "log_min_duration_statement", "value": "1000"},
        {"name": "log_connections", "value": "1"},
        {"name": "log_statement", "value": "ddl"},
    ]
    stack.add(
        "parameter_group",
        "aws:rds/parameterGroup:ParameterGroup",
        "database-parameters",
        {
            "namePrefix": "bastion-db-prod-",
            "family": "postgres16",
            "description": "postgres 16: TLS required, useful logs",
            "parameters": parameters,
        },
        parent="database",
        outputs={
            "namePrefix": "bastion-db-prod-",
            "family": "postgres16",
            "description": "postgres 16: TLS required, useful logs",
            "parameters": parameters,
            "name": "bastion-db-prod-20240102",
            "id": "bastion-db-prod-20240102",
        },
        resource_id="bastion-db-prod-20240102",
    )
    stack.add(
        "db",
        "aws:rds/instance:Instance",
        "database-instance",
        {
            "identifier": "bastion-db-prod",
            "engine": "postgres",
            "engineVersion": "16",
            "instanceClass": "db.t4g.medium",
            "allocatedStorage": 50,
            "maxAllocatedStorage": 200,
            "storageType": "gp3",
            "storageEncrypted": True,
            "dbName": "postgres",
            "username": "postgres_admin",
            "password": SecretValue("correct-horse-battery-staple"),
            "port": DB_PORT,
            "dbSubnetGroupName": "bastion-db-prod-20240101",
            "parameterGroupName": "bastion-db-prod-20240102",
            "vpcSecurityGroupIds": [DATABASE_SG_ID],
            "publiclyAccessible": False,
            "multiAz": True,
            "backupRetentionPeriod": 14,
            "deletionProtection": True,
            "skipFinalSnapshot": False,
            "finalSnapshotIdentifier": "bastion-db-prod-final",
            "copyTagsToSnapshot": True,
            "autoMinorVersionUpgrade": True,
            "enabledCloudwatchLogsExports": ["postgresql", "upgrade"],
            "iamDatabaseAuthenticationEnabled": True,
            "performanceInsightsEnabled": True,
            "monitoringInterval": 60,
            "monitoringRoleArn": "arn:aws:iam::123456789012:role/bastion-db-prod-rds-mon",
        },
        parent="database",
        deps={
            "dbSubnetGroupName": ["subnet_group"],
            "parameterGroupName": ["parameter_group"],
            "vpcSecurityGroupIds": ["database_sg"],
        },
    )

    # --- monitoring ---------------------------------------------------------------
    stack.add(
        "monitoring",
        "bastiondb:monitoring:DatabaseMonitoring",
        "monitoring",
        custom=False,
        outputs={},
    )
    stack.add(
        "kms_key",
        "aws:kms/key:Key",
        "monitoring-alarms-key",
        {"description": "Encrypts the alarm topic", "enableKeyRotation": True},
        parent="monitoring",
    )
    stack.add(
        "topic",
        "aws:sns/topic:Topic",
        "monitoring-alarms",
        {
            "namePrefix": "bastion-db-prod-alarms-",
            "kmsMasterKeyId": "arn:aws:kms:us-east-1:1:key/1",
        },
        parent="monitoring",
        deps={"kmsMasterKeyId": ["kms_key"]},
    )
    for key, (name, metric, comparison, threshold, statistic) in DATABASE_ALARMS.items():
        stack.add(
            key,
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            f"monitoring-{name}",
            {
                "comparisonOperator": comparison,
                "metricName": metric,
                "namespace": "AWS/RDS",
                "threshold": threshold,
                "evaluationPeriods": 5,
                "datapointsToAlarm": 5,
                "period": 60,
                "statistic": statistic,
                "treatMissingData": "missing",
                "dimensions": {"DBInstanceIdentifier": "bastion-db-prod"},
                "actionsEnabled": True,
                "alarmActions": [TOPIC_ARN],
                "okActions": [TOPIC_ARN],
            },
            parent="monitoring",
            deps={"alarmActions": ["topic"], "okActions": ["topic"], "dimensions": ["db"]},
        )
    return stack


STATE_BUCKET = "acme-bastion-db-state"
STATE_BUCKET_ARN = f"arn:aws:s3:::{STATE_BUCKET}"


def tls_only_policy(resources: Sequence[str] | None = None) -> dict[str, Any]:
    """The state bucket's policy as a document: no request without TLS."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": list(resources or [STATE_BUCKET_ARN, f"{STATE_BUCKET_ARN}/*"]),
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def add_state_bucket(stack: FixtureStack) -> None:
    """The bucket bootstrap/state_bucket.py makes for Pulumi's state, compliant:
    a ``StateBucket`` component, the bucket and its six companion resources,
    each naming the bucket (its id, which is its name) in ``bucket`` with the
    property dependency the engine records."""
    stack.add("state", "bastiondb:state:StateBucket", "state", custom=False, outputs={})
    stack.add(
        "bucket",
        "aws:s3/bucket:Bucket",
        "state",
        {"bucket": STATE_BUCKET, "forceDestroy": False},
        parent="state",
        outputs={
            "bucket": STATE_BUCKET,
            "forceDestroy": False,
            "arn": STATE_BUCKET_ARN,
            "id": STATE_BUCKET,
        },
        resource_id=STATE_BUCKET,
    )
    companions: dict[str, tuple[str, str, dict[str, Any]]] = {
        "bucket_versioning": (
            "aws:s3/bucketVersioning:BucketVersioning",
            "state-versioning",
            {"versioningConfiguration": {"status": "Enabled"}},
        ),
        "bucket_encryption": (
            "aws:s3/bucketServerSideEncryptionConfiguration:"
            "BucketServerSideEncryptionConfiguration",
            "state-encryption",
            {
                "rules": [
                    {
                        "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"},
                        "bucketKeyEnabled": True,
                    }
                ]
            },
        ),
        "bucket_public_access": (
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "state-public-access-block",
            {
                "blockPublicAcls": True,
                "blockPublicPolicy": True,
                "ignorePublicAcls": True,
                "restrictPublicBuckets": True,
            },
        ),
        "bucket_ownership": (
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            "state-ownership",
            {"rule": {"objectOwnership": "BucketOwnerEnforced"}},
        ),
        "bucket_policy": (
            "aws:s3/bucketPolicy:BucketPolicy",
            "state-tls-only",
            {"policy": json.dumps(tls_only_policy(), indent=2)},
        ),
        "bucket_lifecycle": (
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "state-lifecycle",
            {
                "rules": [
                    {
                        "id": "expire-old-state-versions",
                        "status": "Enabled",
                        "filter": {},
                        "noncurrentVersionExpiration": {"noncurrentDays": 90},
                    }
                ]
            },
        ),
    }
    for key, (type_, name, inputs) in companions.items():
        deps = {"bucket": ["bucket"]}
        if key == "bucket_policy":
            deps["policy"] = ["bucket"]  # the document is built from the bucket's ARN
        stack.add(key, type_, name, {"bucket": STATE_BUCKET, **inputs}, parent="state", deps=deps)


def state_bucket_stack() -> FixtureStack:
    """A stack of the state bucket alone, as bootstrap/ deploys it."""
    stack = FixtureStack()
    stack.add(
        "provider",
        "pulumi:providers:aws",
        "aws",
        {"region": "eu-central-1", "defaultTags": json.dumps({"tags": TAGS})},
        aws=False,
        resource_id="provider-0000",
    )
    stack.provider_reference = f"{stack.urn('provider')}::provider-0000"
    add_state_bucket(stack)
    return stack


def fixture_config() -> dict[str, Any]:
    """prod.json as shipped, plus the one SSH network the fixture allows (the
    prod stack itself uses Session Manager and opens no SSH at all)."""
    config: dict[str, Any] = json.loads((PACK_DIR / "config" / "prod.json").read_text())
    config["sg-ssh-bastion-only"] = {
        **config.get("sg-ssh-bastion-only", {}),
        "allowedCidrs": [ALLOWED_SSH_CIDR],
    }
    return config
