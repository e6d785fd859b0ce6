"""One insecure change at a time to a compliant stack (the program's own
prod-like stack, or bootstrap/'s state bucket for the S3 rules), each with the
rule meant to catch it and the level it must be reported at in each
environment; and, per rule, what a value unknown at preview must do.

The levels are what ``policies/config/dev.json`` and ``prod.json`` promise:
security rules are mandatory everywhere, hardening that costs money and the
database alarms are advisory in dev, ``remediate`` rules rewrite the resource.
"""

from __future__ import annotations

import json
from typing import Any

from offline.snapshot import UNKNOWN, SecretValue
from tests.policies.cases import (
    ADVICE,
    COSTLY,
    MANDATORY,
    PASSES,
    REWRITTEN,
    Levels,
    Mutation,
    UnknownCase,
)
from tests.policies.control_mutations import CONTROL_MUTATIONS, CONTROL_UNKNOWN_CASES
from tests.policies.program_stacks import (
    ALLOWED_SSH_CIDR,
    DELETE,
    FixtureStack,
    database_alarms,
    state_bucket_stack,
)
from tests.policies.ssh_keys import openssh_dss, openssh_rsa


def _group(stack: FixtureStack, key: str) -> str:
    return stack.id(key)


def _db_port(stack: FixtureStack) -> int:
    port: int = stack["db"].inputs["port"]
    return port


def _subnets(stack: FixtureStack, kind: str) -> list[str]:
    found: list[str] = stack["network"].outputs[f"{kind}SubnetIds"]
    return found


def _vpc(stack: FixtureStack) -> str:
    vpc: str = stack["network"].outputs["vpcId"]
    return vpc


def _ingress(
    stack: FixtureStack,
    group: str,
    *,
    port: int | None = None,
    from_port: int | None = None,
    to_port: int | None = None,
    protocol: str = "tcp",
    description: str = "SSH to the bastion",
    **source: Any,
) -> dict[str, Any]:
    """A ``aws:vpc`` ingress rule into ``group`` (a key); the source defaults to
    the allowed SSH network."""
    low = port if port is not None else from_port
    high = port if port is not None else to_port
    return {
        "securityGroupId": _group(stack, group),
        "ipProtocol": protocol,
        "fromPort": low,
        "toPort": high,
        **(source or {"cidrIpv4": ALLOWED_SSH_CIDR}),
        "description": description,
    }


def _with_root_device(stack: FixtureStack, **changes: object) -> None:
    device = dict(stack["instance"].inputs["rootBlockDevice"])
    device.update(changes)
    stack.set("instance", rootBlockDevice=device)


def _with_metadata(stack: FixtureStack, **changes: object) -> None:
    options = dict(stack["instance"].inputs["metadataOptions"])
    options.update(changes)
    stack.set("instance", metadataOptions=options)


def _with_parameter(stack: FixtureStack, name: str, value: object) -> None:
    parameters = [dict(p) for p in stack["parameter_group"].inputs["parameters"]]
    found = [p for p in parameters if p["name"] == name]
    if value is DELETE:
        parameters = [p for p in parameters if p["name"] != name]
    elif found:
        found[0]["value"] = value
    else:
        parameters.append({"name": name, "value": value})
    stack.set("parameter_group", parameters=parameters)


def _add_rule(
    stack: FixtureStack,
    key: str,
    group: str,
    rule: dict[str, Any],
    *,
    peer: str | None = None,
) -> None:
    """One more ``aws:vpc`` ingress rule on ``group`` (a key), with its
    dependencies recorded (on ``peer`` too, a referenced group's key)."""
    deps = {"securityGroupId": [group]}
    if peer is not None:
        deps["referencedSecurityGroupId"] = [peer]
    stack.add(
        key,
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        f"security-groups-{key.replace('_', '-')}",
        rule,
        parent="groups",
        deps=deps,
    )


def _add_app_instance(stack: FixtureStack, **changes: object) -> None:
    """A second, non-bastion instance in a private subnet (compliant as added)."""
    inputs = dict(stack["instance"].inputs)
    inputs.update(
        {
            "associatePublicIpAddress": False,
            "subnetId": _subnets(stack, "private")[0],
            "vpcSecurityGroupIds": [_group(stack, "database_sg")],
            "tags": {"Name": "bastion-db-prod-app", "Role": "app"},
        }
    )
    inputs.update(changes)
    inputs = {k: v for k, v in inputs.items() if v is not DELETE}
    stack.add(
        "app_instance",
        "aws:ec2/instance:Instance",
        "app-instance",
        inputs,
        parent="bastion",
        deps={"vpcSecurityGroupIds": ["database_sg"], "iamInstanceProfile": ["profile"]},
    )


def _group_ids_unknown(stack: FixtureStack) -> None:
    """Ids of groups being created are unknown; their property dependencies are not."""
    stack.set("ssh_rule", securityGroupId=UNKNOWN)
    stack.set("instance", vpcSecurityGroupIds=[UNKNOWN])


def _legacy_all_traffic(stack: FixtureStack) -> None:
    stack.add(
        "legacy_rule",
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "security-groups-legacy-all",
        {
            "type": "ingress",
            "securityGroupId": _group(stack, "database_sg"),
            "protocol": "-1",
            "fromPort": 0,
            "toPort": 0,
            "cidrBlocks": [ALLOWED_SSH_CIDR],
            "description": "Everything from the office",
        },
        parent="groups",
        deps={"securityGroupId": ["database_sg"]},
    )


def _inline_ssh_on_database_group(stack: FixtureStack) -> None:
    stack.set(
        "database_sg",
        ingress=[
            {
                "protocol": "tcp",
                "fromPort": 22,
                "toPort": 22,
                "cidrBlocks": [ALLOWED_SSH_CIDR],
                "description": "Admin SSH",
            }
        ],
    )


def _db_from_other_group(stack: FixtureStack) -> None:
    stack.add(
        "app_sg",
        "aws:ec2/securityGroup:SecurityGroup",
        "security-groups-app",
        {"description": "Application servers", "vpcId": _vpc(stack)},
        parent="groups",
        resource_id="sg-0a0000000000000a1",
    )
    _add_rule(
        stack,
        "app_to_db",
        "database_sg",
        _ingress(
            stack,
            "database_sg",
            port=_db_port(stack),
            description="Database from the app servers",
            referencedSecurityGroupId="sg-0a0000000000000a1",
        ),
        peer="app_sg",
    )


def _unused_group(stack: FixtureStack) -> None:
    stack.add(
        "spare_sg",
        "aws:ec2/securityGroup:SecurityGroup",
        "security-groups-spare",
        {"description": "Left over from an experiment", "vpcId": _vpc(stack)},
        parent="groups",
    )


def _user_key_pair(stack: FixtureStack, public_key: str) -> None:
    stack.set("key_pair", publicKey=public_key)
    stack.drop_dependency("key_pair", "publicKey")


def _rsa_tls_key(stack: FixtureStack, bits: int) -> None:
    stack.set("tls_key", algorithm="RSA", rsaBits=bits)


def _provider_without(stack: FixtureStack, tag: str) -> None:
    tags = json.loads(stack["provider"].inputs["defaultTags"])["tags"]
    tags.pop(tag)
    stack.set("provider", defaultTags=json.dumps({"tags": tags}))


def _public_subnet_in_group(stack: FixtureStack) -> None:
    subnets = [_subnets(stack, "private")[0], _subnets(stack, "public")[1]]
    stack.set("subnet_group", subnetIds=subnets)


def _bucket_policy(stack: FixtureStack) -> dict[str, Any]:
    """The state bucket's policy document as the program wrote it."""
    document: dict[str, Any] = json.loads(stack["bucket_policy"].inputs["policy"])
    return document


def _with_tls_statement(stack: FixtureStack, **changes: Any) -> None:
    """Changes the policy's statement that denies requests without TLS."""
    document = _bucket_policy(stack)
    statement = next(s for s in document["Statement"] if "aws:SecureTransport" in str(s))
    statement.update(changes)
    stack.set("bucket_policy", policy=json.dumps(document))


def _bucket_only(stack: FixtureStack) -> None:
    _with_tls_statement(stack, Resource=[stack["bucket"].outputs["arn"]])


def _alarm_topic_unknown(stack: FixtureStack) -> None:
    for key in database_alarms(stack):
        stack.set(key, alarmActions=[UNKNOWN], okActions=[UNKNOWN])


def _every_alarm_dimension_unknown(stack: FixtureStack) -> None:
    """The instance's identifier is being computed, so every alarm's dimension
    is unknown too; the property dependencies still say which instance."""
    stack.set("db", identifier=UNKNOWN)
    for key in database_alarms(stack):
        stack.set(key, dimensions={"DBInstanceIdentifier": UNKNOWN})


MUTATIONS: tuple[Mutation, ...] = (
    # --- database ---------------------------------------------------------------
    Mutation(
        "public-database",
        "rds-no-public-access",
        "publiclyAccessible=true",
        lambda s: s.set("db", publiclyAccessible=True),
    ),
    Mutation(
        "unencrypted-database",
        "rds-storage-encrypted",
        "storageEncrypted=false",
        lambda s: s.set("db", storageEncrypted=False),
    ),
    Mutation(
        "short-backups",
        "rds-backup-retention",
        "backupRetentionPeriod=1 (prod wants 7)",
        lambda s: s.set("db", backupRetentionPeriod=1),
        levels=Levels(dev=PASSES, prod=MANDATORY),
    ),
    Mutation(
        "no-backups",
        "rds-backup-retention",
        "backupRetentionPeriod=0",
        lambda s: s.set("db", backupRetentionPeriod=0),
    ),
    Mutation(
        "backups-unset",
        "rds-backup-retention",
        "backupRetentionPeriod removed",
        lambda s: s.set("db", backupRetentionPeriod=DELETE),
    ),
    Mutation(
        "no-deletion-protection",
        "rds-deletion-protection",
        "deletionProtection=false",
        lambda s: s.set("db", deletionProtection=False),
        levels=COSTLY,
    ),
    Mutation(
        "skip-final-snapshot",
        "rds-final-snapshot",
        "skipFinalSnapshot=true",
        lambda s: s.set("db", skipFinalSnapshot=True, finalSnapshotIdentifier=DELETE),
        levels=COSTLY,
    ),
    Mutation(
        "single-az",
        "rds-multi-az",
        "multiAz=false",
        lambda s: s.set("db", multiAz=False),
        levels=COSTLY,
    ),
    Mutation(
        "no-minor-upgrades",
        "rds-auto-minor-version-upgrade",
        "autoMinorVersionUpgrade=false",
        lambda s: s.set("db", autoMinorVersionUpgrade=False),
    ),
    Mutation(
        "no-tag-copy",
        "rds-copy-tags-to-snapshot",
        "copyTagsToSnapshot=false",
        lambda s: s.set("db", copyTagsToSnapshot=False),
    ),
    Mutation(
        "no-log-exports",
        "rds-log-exports",
        "enabledCloudwatchLogsExports=[]",
        lambda s: s.set("db", enabledCloudwatchLogsExports=[]),
    ),
    Mutation(
        "wrong-log-exports",
        "rds-log-exports",
        "only the upgrade log exported",
        lambda s: s.set("db", enabledCloudwatchLogsExports=["upgrade"]),
    ),
    Mutation(
        "no-iam-auth",
        "rds-iam-authentication",
        "iamDatabaseAuthenticationEnabled=false",
        lambda s: s.set("db", iamDatabaseAuthenticationEnabled=False),
        levels=COSTLY,
    ),
    Mutation(
        "no-performance-insights",
        "rds-performance-insights",
        "performanceInsightsEnabled=false",
        lambda s: s.set("db", performanceInsightsEnabled=False),
        levels=ADVICE,
    ),
    Mutation(
        "no-enhanced-monitoring",
        "rds-enhanced-monitoring",
        "monitoringInterval=0",
        lambda s: s.set("db", monitoringInterval=0, monitoringRoleArn=DELETE),
        levels=COSTLY,
    ),
    Mutation(
        "expired-ca",
        "rds-ca-certificate",
        "caCertIdentifier=rds-ca-2019",
        lambda s: s.set("db", caCertIdentifier="rds-ca-2019"),
    ),
    Mutation(
        "old-engine",
        "rds-engine-version",
        "postgres 12.5",
        lambda s: s.set("db", engineVersion="12.5"),
    ),
    Mutation(
        "default-security-group",
        "rds-vpc-security-groups",
        "vpcSecurityGroupIds=[]",
        lambda s: s.set("db", vpcSecurityGroupIds=[]),
    ),
    Mutation(
        "classic-security-group",
        "rds-vpc-security-groups",
        "securityGroupNames=[default]",
        lambda s: s.set("db", securityGroupNames=["default"]),
    ),
    Mutation(
        "tls-not-forced",
        "rds-tls-enforced",
        "rds.force_ssl=0",
        lambda s: _with_parameter(s, "rds.force_ssl", "0"),
    ),
    Mutation(
        "tls-parameter-missing",
        "rds-tls-enforced",
        "rds.force_ssl not set",
        lambda s: _with_parameter(s, "rds.force_ssl", DELETE),
    ),
    Mutation(
        "default-parameter-group",
        "rds-tls-enforced",
        "parameterGroupName removed",
        lambda s: s.set_untraced("db", "parameterGroupName", DELETE),
    ),
    Mutation(
        "public-subnet-in-group",
        "rds-subnet-group-private",
        "subnet group holds a public subnet",
        _public_subnet_in_group,
    ),
    Mutation(
        "no-subnet-group",
        "rds-subnet-group-private",
        "dbSubnetGroupName removed",
        lambda s: s.set_untraced("db", "dbSubnetGroupName", DELETE),
    ),
    Mutation(
        "no-statement-logging",
        "rds-postgres-query-logging",
        "log_statement removed",
        lambda s: _with_parameter(s, "log_statement", DELETE),
        levels=ADVICE,
    ),
    # --- network ----------------------------------------------------------------
    Mutation(
        "ssh-from-world",
        "sg-ssh-bastion-only",
        "0.0.0.0/0 on port 22",
        lambda s: s.set("ssh_rule", cidrIpv4="0.0.0.0/0"),
    ),
    Mutation(
        "ssh-from-other-network",
        "sg-ssh-bastion-only",
        "SSH from 198.51.100.0/24",
        lambda s: s.set("ssh_rule", cidrIpv4="198.51.100.0/24"),
    ),
    Mutation(
        "range-covers-ssh-on-db-group",
        "sg-ssh-bastion-only",
        "tcp 0-1024 from the office into the database group",
        lambda s: _add_rule(
            s, "wide_rule", "database_sg", _ingress(s, "database_sg", from_port=0, to_port=1024)
        ),
    ),
    Mutation(
        "all-traffic-legacy-rule",
        "sg-ssh-bastion-only",
        "aws:ec2/securityGroupRule protocol -1 into the database group",
        _legacy_all_traffic,
    ),
    Mutation(
        "inline-ssh-on-db-group",
        "sg-ssh-bastion-only",
        "inline ingress tcp/22 on the database group",
        _inline_ssh_on_database_group,
    ),
    Mutation(
        "ssh-from-group",
        "sg-ssh-bastion-only",
        "SSH from the database group",
        lambda s: s.set(
            "ssh_rule", cidrIpv4=DELETE, referencedSecurityGroupId=_group(s, "database_sg")
        ),
    ),
    Mutation(
        "db-port-to-cidr",
        "sg-db-port-bastion-only",
        "5432 from 10.0.0.0/16",
        lambda s: _add_rule(
            s,
            "db_cidr",
            "database_sg",
            _ingress(
                s,
                "database_sg",
                port=_db_port(s),
                description="VPC to the db",
                cidrIpv4="10.0.0.0/16",
            ),
        ),
    ),
    Mutation(
        "db-port-from-other-group",
        "sg-db-port-bastion-only",
        "5432 from an application group",
        _db_from_other_group,
    ),
    Mutation(
        "db-group-range",
        "sg-db-port-bastion-only",
        "bastion rule widened to 5000-6000",
        lambda s: s.set("db_rule", fromPort=5000, toPort=6000),
    ),
    Mutation(
        "https-from-world",
        "sg-no-public-ingress",
        "443 from 0.0.0.0/0 into the bastion",
        lambda s: _add_rule(
            s,
            "web",
            "bastion_sg",
            _ingress(s, "bastion_sg", port=443, description="Web", cidrIpv4="0.0.0.0/0"),
        ),
    ),
    Mutation(
        "ipv6-world-to-db",
        "sg-no-public-ingress",
        "5432 from ::/0",
        lambda s: _add_rule(
            s,
            "db_v6",
            "database_sg",
            _ingress(s, "database_sg", port=_db_port(s), description="v6", cidrIpv6="::/0"),
        ),
    ),
    Mutation(
        "rdp",
        "sg-ingress-port-allow-list",
        "3389 from the office into the bastion",
        lambda s: _add_rule(s, "rdp", "bastion_sg", _ingress(s, "bastion_sg", port=3389)),
    ),
    Mutation(
        "group-without-description",
        "sg-descriptions",
        "security group description removed",
        lambda s: s.set("database_sg", description=DELETE),
    ),
    Mutation(
        "placeholder-description",
        "sg-descriptions",
        "description 'Managed by Pulumi'",
        lambda s: s.set("bastion_sg", description="Managed by Pulumi"),
    ),
    Mutation(
        "rule-without-description",
        "sg-descriptions",
        "rule description removed",
        lambda s: s.set("db_rule", description=DELETE),
    ),
    Mutation(
        "all-egress",
        "sg-no-unrestricted-egress",
        "egress -1 to 0.0.0.0/0",
        lambda s: s.set("https_egress", ipProtocol="-1", fromPort=DELETE, toPort=DELETE),
    ),
    Mutation(
        "unused-group",
        "sg-attached",
        "a security group attached to nothing",
        _unused_group,
        levels=ADVICE,
    ),
    # --- compute ----------------------------------------------------------------
    Mutation(
        "imdsv1",
        "ec2-imdsv2",
        "metadataOptions.httpTokens=optional",
        lambda s: _with_metadata(s, httpTokens="optional"),
        levels=REWRITTEN,
    ),
    Mutation(
        "no-metadata-options",
        "ec2-imdsv2",
        "metadataOptions removed",
        lambda s: s.set("instance", metadataOptions=DELETE),
        levels=REWRITTEN,
    ),
    Mutation(
        "unencrypted-root",
        "ec2-volumes-encrypted",
        "rootBlockDevice.encrypted=false",
        lambda s: _with_root_device(s, encrypted=False),
    ),
    Mutation(
        "root-device-unset",
        "ec2-volumes-encrypted",
        "rootBlockDevice removed",
        lambda s: s.set("instance", rootBlockDevice=DELETE),
    ),
    Mutation(
        "unencrypted-ebs",
        "ec2-volumes-encrypted",
        "an unencrypted extra EBS volume",
        lambda s: s.set(
            "instance",
            ebsBlockDevices=[{"deviceName": "/dev/sdf", "volumeSize": 10, "encrypted": False}],
        ),
    ),
    Mutation(
        "root-outlives-instance",
        "ec2-volumes-delete-on-termination",
        "rootBlockDevice.deleteOnTermination=false",
        lambda s: _with_root_device(s, deleteOnTermination=False),
        levels=ADVICE,
    ),
    Mutation(
        "big-instance",
        "ec2-instance-type-allowed",
        "instanceType=m5.24xlarge",
        lambda s: s.set("instance", instanceType="m5.24xlarge"),
    ),
    Mutation(
        "no-detailed-monitoring",
        "ec2-detailed-monitoring",
        "monitoring=false",
        lambda s: s.set("instance", monitoring=False),
        levels=ADVICE,
    ),
    Mutation(
        "no-instance-profile",
        "ec2-iam-instance-profile",
        "iamInstanceProfile removed",
        lambda s: s.set_untraced("instance", "iamInstanceProfile", DELETE),
    ),
    Mutation(
        "access-key-in-user-data",
        "ec2-user-data-no-secrets",
        "AWS access key in user data",
        lambda s: s.set(
            "instance", userData="#!/bin/bash\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
        ),
    ),
    Mutation(
        "password-in-user-data",
        "ec2-user-data-no-secrets",
        "DB password in user data",
        lambda s: s.set(
            "instance", userData="#!/bin/bash\necho 'password=hunter2hunter2' > /etc/app.conf\n"
        ),
    ),
    Mutation(
        "public-app-instance",
        "ec2-public-ip-bastion-only",
        "a non-bastion instance with a public IP",
        lambda s: _add_app_instance(s, associatePublicIpAddress=True),
    ),
    Mutation(
        "app-instance-in-public-subnet",
        "ec2-public-ip-bastion-only",
        "a non-bastion instance in a public subnet, public IP left to the subnet",
        lambda s: _add_app_instance(
            s, associatePublicIpAddress=DELETE, subnetId=_subnets(s, "public")[0]
        ),
    ),
    Mutation(
        "bastion-tag-removed",
        "ec2-public-ip-bastion-only",
        "the public instance lost its Role=bastion tag",
        lambda s: s.set("instance", tags={"Name": "bastion-db-prod-bastion"}),
    ),
    Mutation(
        "unknown-ami-owner",
        "ec2-ami-owner-allowed",
        "AMI published by account 999999999999",
        lambda s: s.set_outputs("bastion", amiOwnerId="999999999999"),
    ),
    Mutation(
        "swapped-ami",
        "ec2-ami-owner-allowed",
        "instance boots another AMI than looked up, and does not keep it from state",
        lambda s: s.swap_image("instance", "ami-0badbadbadbadbad0"),
    ),
    Mutation(
        "ami-owner-not-stated",
        "ec2-ami-owner-allowed",
        "component registers no amiOwnerId",
        lambda s: s.set_outputs("bastion", amiOwnerId=DELETE),
    ),
    # --- keys -------------------------------------------------------------------
    Mutation(
        "rsa-2048-tls-key",
        "tls-key-strength",
        "tls.PrivateKey RSA 2048",
        lambda s: _rsa_tls_key(s, 2048),
    ),
    Mutation(
        "rsa-default-bits",
        "tls-key-strength",
        "tls.PrivateKey RSA without rsaBits",
        lambda s: s.set("tls_key", algorithm="RSA"),
    ),
    Mutation(
        "ecdsa-p224",
        "tls-key-strength",
        "tls.PrivateKey ECDSA P224",
        lambda s: s.set("tls_key", algorithm="ECDSA", ecdsaCurve="P224"),
    ),
    Mutation(
        "weak-generated-key-pair",
        "ec2-key-pair-strength",
        "key pair made from an RSA 2048 tls key",
        lambda s: _rsa_tls_key(s, 2048),
    ),
    Mutation(
        "weak-user-key-pair",
        "ec2-key-pair-strength",
        "user's own RSA 2048 public key",
        lambda s: _user_key_pair(s, openssh_rsa(2048)),
    ),
    Mutation(
        "dsa-key-pair",
        "ec2-key-pair-strength",
        "user's own DSA public key",
        lambda s: _user_key_pair(s, openssh_dss()),
    ),
    # --- tags -------------------------------------------------------------------
    Mutation(
        "missing-project-tag",
        "required-tags",
        "provider defaultTags without Project",
        lambda s: _provider_without(s, "Project"),
        levels=REWRITTEN,
    ),
    Mutation(
        "empty-environment-tag",
        "required-tags",
        "Environment='' on the database",
        lambda s: s.set("db", tags={"Environment": ""}),
        levels=REWRITTEN,
    ),
    # --- monitoring ---------------------------------------------------------------
    Mutation(
        "silent-alarm",
        "cloudwatch-alarm-actions",
        "actionsEnabled=false",
        lambda s: s.set("alarm", actionsEnabled=False),
    ),
    Mutation(
        "alarm-without-actions",
        "cloudwatch-alarm-actions",
        "alarmActions=[]",
        lambda s: s.set("alarm", alarmActions=[]),
    ),
    Mutation(
        "unencrypted-topic",
        "sns-topic-encrypted",
        "kmsMasterKeyId removed",
        lambda s: s.set_untraced("topic", "kmsMasterKeyId", DELETE),
    ),
    Mutation(
        "storage-alarm-removed",
        "database-alarms",
        "the FreeStorageSpace alarm removed",
        lambda s: s.remove("alarm_storage"),
        levels=COSTLY,
    ),
    Mutation(
        "memory-alarm-without-actions",
        "database-alarms",
        "the FreeableMemory alarm's alarmActions=[]",
        lambda s: s.set("alarm_memory", alarmActions=[]),
        levels=COSTLY,
    ),
    Mutation(
        "connections-alarm-disabled",
        "database-alarms",
        "the DatabaseConnections alarm's actionsEnabled=false",
        lambda s: s.set("alarm_connections", actionsEnabled=False),
        levels=COSTLY,
    ),
    Mutation(
        "storage-alarm-without-ok-actions",
        "database-alarms",
        "the FreeStorageSpace alarm's okActions removed",
        lambda s: s.set_untraced("alarm_storage", "okActions", DELETE),
        levels=COSTLY,
    ),
    Mutation(
        "memory-alarm-wrong-direction",
        "database-alarms",
        "the FreeableMemory alarm fires when memory rises",
        lambda s: s.set("alarm_memory", comparisonOperator="GreaterThanThreshold"),
        levels=COSTLY,
    ),
    Mutation(
        "cpu-alarm-on-other-instance",
        "database-alarms",
        "the CPU alarm's DBInstanceIdentifier names another database",
        lambda s: s.set("alarm", dimensions={"DBInstanceIdentifier": "bastion-db-staging"}),
        levels=COSTLY,
    ),
    Mutation(
        "cpu-alarm-on-ec2-namespace",
        "database-alarms",
        "the CPU alarm watches AWS/EC2",
        lambda s: s.set("alarm", namespace="AWS/EC2"),
        levels=COSTLY,
    ),
    # --- state bucket -------------------------------------------------------------
    Mutation(
        "bucket-versioning-suspended",
        "s3-bucket-versioning",
        "versioning status Suspended",
        lambda s: s.set("bucket_versioning", versioningConfiguration={"status": "Suspended"}),
        base=state_bucket_stack,
    ),
    Mutation(
        "bucket-versioning-removed",
        "s3-bucket-versioning",
        "the BucketVersioning resource removed",
        lambda s: s.remove("bucket_versioning"),
        base=state_bucket_stack,
    ),
    Mutation(
        "bucket-versioning-elsewhere",
        "s3-bucket-versioning",
        "the BucketVersioning configures another bucket",
        lambda s: s.set_untraced("bucket_versioning", "bucket", "other-bucket"),
        base=state_bucket_stack,
    ),
    Mutation(
        "bucket-unencrypted",
        "s3-bucket-encryption",
        "the encryption configuration removed",
        lambda s: s.remove("bucket_encryption"),
        base=state_bucket_stack,
    ),
    Mutation(
        "bucket-encryption-without-default",
        "s3-bucket-encryption",
        "an encryption rule without applyServerSideEncryptionByDefault",
        lambda s: s.set("bucket_encryption", rules=[{"bucketKeyEnabled": True}]),
        base=state_bucket_stack,
    ),
    Mutation(
        "bucket-public-policy-allowed",
        "s3-bucket-public-access-block",
        "blockPublicPolicy and restrictPublicBuckets false",
        lambda s: s.set(
            "bucket_public_access", blockPublicPolicy=False, restrictPublicBuckets=False
        ),
        base=state_bucket_stack,
    ),
    Mutation(
        "bucket-public-access-block-removed",
        "s3-bucket-public-access-block",
        "the public access block removed",
        lambda s: s.remove("bucket_public_access"),
        base=state_bucket_stack,
    ),
    Mutation(
        "bucket-policy-removed",
        "s3-bucket-tls-only",
        "the bucket policy removed",
        lambda s: s.remove("bucket_policy"),
        base=state_bucket_stack,
    ),
    Mutation(
        "bucket-policy-allows-http",
        "s3-bucket-tls-only",
        "the SecureTransport statement says Allow",
        lambda s: _with_tls_statement(s, Effect="Allow"),
        base=state_bucket_stack,
    ),
    Mutation(
        "bucket-policy-spares-objects",
        "s3-bucket-tls-only",
        "the SecureTransport deny covers the bucket but not its objects",
        _bucket_only,
        base=state_bucket_stack,
    ),
    # Session Manager mode (policies/rules/session_manager.py; its own suite is
    # tests/policies/test_session_manager.py): the ssh-mode fixture's bastion,
    # public and open to SSH, claimed for ssm mode.
    Mutation(
        "ssm-bastion-public-and-open",
        "bastion-ssm-no-inbound",
        "the bastion component says accessMode ssm, the instance keeps its address and SSH",
        lambda s: s.set_outputs("bastion", accessMode="ssm"),
    ),
)


UNKNOWN_CASES: tuple[UnknownCase, ...] = (
    # --- database ---------------------------------------------------------------
    UnknownCase(
        "public-access",
        "rds-no-public-access",
        "publiclyAccessible unknown",
        lambda s: s.set("db", publiclyAccessible=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "storage-encrypted",
        "rds-storage-encrypted",
        "storageEncrypted unknown",
        lambda s: s.set("db", storageEncrypted=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "backup-retention",
        "rds-backup-retention",
        "backupRetentionPeriod unknown",
        lambda s: s.set("db", backupRetentionPeriod=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "deletion-protection",
        "rds-deletion-protection",
        "deletionProtection unknown",
        lambda s: s.set("db", deletionProtection=UNKNOWN),
        refused=True,
        levels=COSTLY,
    ),
    UnknownCase(
        "final-snapshot",
        "rds-final-snapshot",
        "skipFinalSnapshot unknown",
        lambda s: s.set("db", skipFinalSnapshot=UNKNOWN),
        refused=True,
        levels=COSTLY,
    ),
    UnknownCase(
        "multi-az",
        "rds-multi-az",
        "multiAz unknown",
        lambda s: s.set("db", multiAz=UNKNOWN),
        refused=True,
        levels=COSTLY,
    ),
    UnknownCase(
        "minor-upgrades",
        "rds-auto-minor-version-upgrade",
        "autoMinorVersionUpgrade unknown",
        lambda s: s.set("db", autoMinorVersionUpgrade=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "copy-tags",
        "rds-copy-tags-to-snapshot",
        "copyTagsToSnapshot unknown",
        lambda s: s.set("db", copyTagsToSnapshot=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "log-exports",
        "rds-log-exports",
        "enabledCloudwatchLogsExports unknown",
        lambda s: s.set("db", enabledCloudwatchLogsExports=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "iam-auth",
        "rds-iam-authentication",
        "iamDatabaseAuthenticationEnabled unknown",
        lambda s: s.set("db", iamDatabaseAuthenticationEnabled=UNKNOWN),
        refused=True,
        levels=COSTLY,
    ),
    UnknownCase(
        "performance-insights",
        "rds-performance-insights",
        "performanceInsightsEnabled unknown",
        lambda s: s.set("db", performanceInsightsEnabled=UNKNOWN),
        refused=True,
        levels=ADVICE,
    ),
    UnknownCase(
        "enhanced-monitoring",
        "rds-enhanced-monitoring",
        "monitoringInterval unknown",
        lambda s: s.set("db", monitoringInterval=UNKNOWN),
        refused=True,
        levels=COSTLY,
    ),
    UnknownCase(
        "ca-certificate",
        "rds-ca-certificate",
        "caCertIdentifier unknown",
        lambda s: s.set("db", caCertIdentifier=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "engine-version",
        "rds-engine-version",
        "engineVersion unknown",
        lambda s: s.set("db", engineVersion=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "db-security-groups",
        "rds-vpc-security-groups",
        "vpcSecurityGroupIds unknown (groups being created)",
        lambda s: s.set("db", vpcSecurityGroupIds=UNKNOWN),
        refused=False,
    ),
    UnknownCase(
        "query-logging",
        "rds-postgres-query-logging",
        "parameters unknown",
        lambda s: s.set("parameter_group", parameters=UNKNOWN),
        refused=True,
        levels=ADVICE,
    ),
    UnknownCase(
        "tls-parameter",
        "rds-tls-enforced",
        "rds.force_ssl value unknown",
        lambda s: _with_parameter(s, "rds.force_ssl", UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "tls-group-followed",
        "rds-tls-enforced",
        "parameterGroupName unknown but its property dependency names the group",
        lambda s: s.set("db", parameterGroupName=UNKNOWN),
        refused=False,
    ),
    UnknownCase(
        "tls-group-untraceable",
        "rds-tls-enforced",
        "parameterGroupName unknown and no property dependency",
        lambda s: s.set_untraced("db", "parameterGroupName", UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "subnets",
        "rds-subnet-group-private",
        "subnetIds unknown",
        lambda s: s.set("subnet_group", subnetIds=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "subnet-group-followed",
        "rds-subnet-group-private",
        "dbSubnetGroupName unknown but its property dependency names the group",
        lambda s: s.set("db", dbSubnetGroupName=UNKNOWN),
        refused=False,
    ),
    # --- network ----------------------------------------------------------------
    UnknownCase(
        "public-ingress-cidr",
        "sg-no-public-ingress",
        "SSH rule's CIDR unknown",
        lambda s: s.set("ssh_rule", cidrIpv4=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "ingress-ports",
        "sg-ingress-port-allow-list",
        "SSH rule's toPort unknown",
        lambda s: s.set("ssh_rule", toPort=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "description",
        "sg-descriptions",
        "a group's description unknown",
        lambda s: s.set("bastion_sg", description=UNKNOWN),
        refused=False,
    ),
    UnknownCase(
        "egress-cidr",
        "sg-no-unrestricted-egress",
        "HTTPS egress CIDR unknown",
        lambda s: s.set("https_egress", cidrIpv4=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "ssh-cidr",
        "sg-ssh-bastion-only",
        "SSH rule's CIDR unknown",
        lambda s: s.set("ssh_rule", cidrIpv4=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "ssh-group-followed",
        "sg-ssh-bastion-only",
        "SSH rule's group id unknown but its property dependency names the group",
        _group_ids_unknown,
        refused=False,
    ),
    UnknownCase(
        "ssh-group-untraceable",
        "sg-ssh-bastion-only",
        "SSH rule's group id unknown and no property dependency",
        lambda s: s.set_untraced("ssh_rule", "securityGroupId", UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "db-peer-followed",
        "sg-db-port-bastion-only",
        "database rule's peer id unknown but its property dependency names the bastion",
        lambda s: s.set("db_rule", referencedSecurityGroupId=UNKNOWN),
        refused=False,
    ),
    UnknownCase(
        "db-peer-untraceable",
        "sg-db-port-bastion-only",
        "database rule's peer id unknown and no property dependency",
        lambda s: s.set_untraced("db_rule", "referencedSecurityGroupId", UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "attachment-followed",
        "sg-attached",
        "instance's group ids unknown but property dependencies name them",
        lambda s: s.set("instance", vpcSecurityGroupIds=[UNKNOWN]),
        refused=False,
    ),
    # --- compute ----------------------------------------------------------------
    UnknownCase(
        "metadata-options",
        "ec2-imdsv2",
        "metadataOptions unknown",
        lambda s: s.set("instance", metadataOptions=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "root-encryption",
        "ec2-volumes-encrypted",
        "rootBlockDevice.encrypted unknown",
        lambda s: _with_root_device(s, encrypted=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "delete-on-termination",
        "ec2-volumes-delete-on-termination",
        "rootBlockDevice.deleteOnTermination unknown",
        lambda s: _with_root_device(s, deleteOnTermination=UNKNOWN),
        refused=True,
        levels=ADVICE,
    ),
    UnknownCase(
        "instance-type",
        "ec2-instance-type-allowed",
        "instanceType unknown",
        lambda s: s.set("instance", instanceType=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "detailed-monitoring",
        "ec2-detailed-monitoring",
        "monitoring unknown",
        lambda s: s.set("instance", monitoring=UNKNOWN),
        refused=True,
        levels=ADVICE,
    ),
    UnknownCase(
        "instance-profile",
        "ec2-iam-instance-profile",
        "iamInstanceProfile unknown (profile being created)",
        lambda s: s.set("instance", iamInstanceProfile=UNKNOWN),
        refused=False,
    ),
    UnknownCase(
        "user-data",
        "ec2-user-data-no-secrets",
        "userData unknown",
        lambda s: s.set("instance", userData=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "public-ip",
        "ec2-public-ip-bastion-only",
        "a non-bastion instance's associatePublicIpAddress unknown",
        lambda s: _add_app_instance(s, associatePublicIpAddress=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "ami",
        "ec2-ami-owner-allowed",
        "the instance's AMI unknown",
        lambda s: s.set("instance", ami=UNKNOWN),
        refused=True,
    ),
    # --- keys -------------------------------------------------------------------
    UnknownCase(
        "rsa-bits",
        "tls-key-strength",
        "RSA key size unknown",
        lambda s: s.set("tls_key", algorithm="RSA", rsaBits=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "public-key-followed",
        "ec2-key-pair-strength",
        "publicKey unknown but its property dependency names the ED25519 key",
        lambda s: s.set("key_pair", publicKey=UNKNOWN),
        refused=False,
    ),
    UnknownCase(
        "public-key-untraceable",
        "ec2-key-pair-strength",
        "publicKey unknown and no property dependency",
        lambda s: s.set_untraced("key_pair", "publicKey", UNKNOWN),
        refused=True,
    ),
    # --- tags -------------------------------------------------------------------
    UnknownCase(
        "default-tags",
        "required-tags",
        "the provider's defaultTags unknown",
        lambda s: s.set("provider", defaultTags=UNKNOWN),
        refused=True,
    ),
    # --- monitoring ---------------------------------------------------------------
    UnknownCase(
        "actions-enabled",
        "cloudwatch-alarm-actions",
        "actionsEnabled unknown",
        lambda s: s.set("alarm", actionsEnabled=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "topic-key",
        "sns-topic-encrypted",
        "kmsMasterKeyId unknown (key being created)",
        lambda s: s.set("topic", kmsMasterKeyId=UNKNOWN),
        refused=False,
    ),
    UnknownCase(
        "alarm-identifier-followed",
        "database-alarms",
        "the instance's identifier and the alarms' dimension unknown, dependencies recorded",
        _every_alarm_dimension_unknown,
        refused=False,
    ),
    UnknownCase(
        "alarm-dimensions-untraceable",
        "database-alarms",
        "the CPU alarm's dimensions unknown and no property dependency",
        lambda s: s.set_untraced("alarm", "dimensions", UNKNOWN),
        refused=True,
        levels=COSTLY,
    ),
    UnknownCase(
        "alarm-actions-enabled",
        "database-alarms",
        "the FreeableMemory alarm's actionsEnabled unknown",
        lambda s: s.set("alarm_memory", actionsEnabled=UNKNOWN),
        refused=True,
        levels=COSTLY,
    ),
    UnknownCase(
        "alarm-topic-arn",
        "database-alarms",
        "every alarm's topic ARN unknown (topic being created)",
        _alarm_topic_unknown,
        refused=False,
    ),
    # --- state bucket -------------------------------------------------------------
    UnknownCase(
        "versioning-bucket-followed",
        "s3-bucket-versioning",
        "the versioning's bucket id unknown, its property dependency recorded",
        lambda s: s.set("bucket_versioning", bucket=UNKNOWN),
        base=state_bucket_stack,
        refused=False,
    ),
    UnknownCase(
        "versioning-bucket-untraceable",
        "s3-bucket-versioning",
        "the versioning's bucket id unknown and no property dependency",
        lambda s: s.set_untraced("bucket_versioning", "bucket", UNKNOWN),
        base=state_bucket_stack,
        refused=True,
    ),
    UnknownCase(
        "versioning-status",
        "s3-bucket-versioning",
        "the versioning status unknown",
        lambda s: s.set("bucket_versioning", versioningConfiguration={"status": UNKNOWN}),
        base=state_bucket_stack,
        refused=True,
    ),
    UnknownCase(
        "sse-algorithm",
        "s3-bucket-encryption",
        "the sseAlgorithm unknown",
        lambda s: s.set(
            "bucket_encryption",
            rules=[{"applyServerSideEncryptionByDefault": {"sseAlgorithm": UNKNOWN}}],
        ),
        base=state_bucket_stack,
        refused=True,
    ),
    UnknownCase(
        "encryption-bucket-followed",
        "s3-bucket-encryption",
        "the encryption's bucket id unknown, its property dependency recorded",
        lambda s: s.set("bucket_encryption", bucket=UNKNOWN),
        base=state_bucket_stack,
        refused=False,
    ),
    UnknownCase(
        "public-access-flag",
        "s3-bucket-public-access-block",
        "restrictPublicBuckets unknown",
        lambda s: s.set("bucket_public_access", restrictPublicBuckets=UNKNOWN),
        base=state_bucket_stack,
        refused=True,
    ),
    UnknownCase(
        "public-access-block-followed",
        "s3-bucket-public-access-block",
        "the block's bucket id unknown, its property dependency recorded",
        lambda s: s.set("bucket_public_access", bucket=UNKNOWN),
        base=state_bucket_stack,
        refused=False,
    ),
    UnknownCase(
        "bucket-policy-document",
        "s3-bucket-tls-only",
        "the policy document unknown (built from the bucket's ARN output)",
        lambda s: s.set("bucket_policy", policy=UNKNOWN),
        base=state_bucket_stack,
        refused=True,
    ),
    UnknownCase(
        "bucket-policy-followed",
        "s3-bucket-tls-only",
        "the policy's bucket id unknown, its property dependency recorded",
        lambda s: s.set("bucket_policy", bucket=UNKNOWN),
        base=state_bucket_stack,
        refused=False,
    ),
    UnknownCase(
        "ssm-access-mode",
        "bastion-ssm-no-inbound",
        "the bastion component's accessMode unknown",
        lambda s: s.set_outputs("bastion", accessMode=UNKNOWN),
        refused=True,
    ),
)

# Secret values reach the pack as their plain value (inside the secret envelope).
SECRET_USER_DATA = SecretValue("#!/bin/bash\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n")

# The Security Hub controls' cases live beside their own helpers.
MUTATIONS = MUTATIONS + CONTROL_MUTATIONS
UNKNOWN_CASES = UNKNOWN_CASES + CONTROL_UNKNOWN_CASES
