"""A bastion and a database as a team might write them without this
repository: raw pulumi_aws resources, its own VPC and subnets, and each way of
writing a security-group rule (inline blocks, the legacy SecurityGroupRule,
the aws:vpc ingress and egress rules). ``broken=True`` makes it the insecure
version: a publicly accessible, unencrypted database and SSH from anywhere."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from tests.policies.ssh_keys import openssh_ed25519

OFFICE = "203.0.113.0/24"
# Not the engine's default (RDS.23), so the port rule must follow the database.
DB_PORT = 6432
TAGS = {"Project": "analytics", "Environment": "prod", "ManagedBy": "pulumi"}


LOG_EXPORTS = ("postgresql", "upgrade")
ALARMS = (
    ("CPUUtilization", "GreaterThanThreshold", 80),
    ("FreeableMemory", "LessThanThreshold", 256 * 1024 * 1024),
    ("FreeStorageSpace", "LessThanThreshold", 2 * 1024**3),
    ("DatabaseConnections", "GreaterThanThreshold", 80),
)
ACCOUNT = "123456789012"
PARAMETERS = {"rds.force_ssl": "1", "log_statement": "ddl", "log_min_duration_statement": "1000"}


def _trust(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
                }
            ],
        }
    )


def define(broken: bool = False) -> None:
    provider = aws.Provider(
        "aws", region="us-east-1", default_tags={"tags": TAGS}, skip_credentials_validation=True
    )
    opts = pulumi.ResourceOptions(provider=provider)
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.20.0.0/16", opts=opts)
    public = aws.ec2.Subnet(
        "public",
        vpc_id=vpc.id,
        cidr_block="10.20.0.0/24",
        availability_zone="us-east-1a",
        opts=opts,
    )
    private = [
        aws.ec2.Subnet(
            f"private-{zone}",
            vpc_id=vpc.id,
            cidr_block=f"10.20.{index + 10}.0/24",
            availability_zone=f"us-east-1{zone}",
            map_public_ip_on_launch=False,
            opts=opts,
        )
        for index, zone in enumerate("ab")
    ]
    bastion_group = aws.ec2.SecurityGroup(
        "bastion", vpc_id=vpc.id, description="The analytics jump host", opts=opts
    )
    aws.vpc.SecurityGroupIngressRule(
        "bastion-ssh",
        security_group_id=bastion_group.id,
        ip_protocol="tcp",
        from_port=22,
        to_port=22,
        cidr_ipv4="0.0.0.0/0" if broken else OFFICE,
        description="SSH from the office",
        opts=opts,
    )
    aws.vpc.SecurityGroupEgressRule(
        "bastion-https",
        security_group_id=bastion_group.id,
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        cidr_ipv4="0.0.0.0/0",
        description="Package updates",
        opts=opts,
    )
    db_group = aws.ec2.SecurityGroup(
        "database",
        vpc_id=vpc.id,
        description="The analytics database",
        ingress=[
            aws.ec2.SecurityGroupIngressArgs(
                protocol="tcp",
                from_port=DB_PORT,
                to_port=DB_PORT,
                security_groups=[bastion_group.id],
                description="PostgreSQL from the jump host",
            )
        ],
        opts=opts,
    )
    aws.ec2.SecurityGroupRule(
        "bastion-to-database",
        type="egress",
        security_group_id=bastion_group.id,
        source_security_group_id=db_group.id,
        protocol="tcp",
        from_port=DB_PORT,
        to_port=DB_PORT,
        description="PostgreSQL to the database",
        opts=opts,
    )
    key = aws.ec2.KeyPair("jump", public_key=openssh_ed25519(), opts=opts)
    role = aws.iam.Role(
        "jump",
        assume_role_policy=_trust("ec2.amazonaws.com"),
        managed_policy_arns=[],
        opts=opts,
    )
    profile = aws.iam.InstanceProfile("jump", role=role.name, opts=opts)
    aws.ec2.Instance(
        "jump",
        ami="ami-0123456789abcdef0",
        instance_type="t3.micro",
        subnet_id=public.id,
        associate_public_ip_address=True,
        vpc_security_group_ids=[bastion_group.id],
        key_name=key.key_name,
        iam_instance_profile=profile.name,
        monitoring=True,
        metadata_options=aws.ec2.InstanceMetadataOptionsArgs(http_tokens="required"),
        root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(encrypted=True),
        tags={"Role": "bastion"},
        opts=opts,
    )
    subnets = aws.rds.SubnetGroup("database", subnet_ids=[s.id for s in private], opts=opts)
    parameters = aws.rds.ParameterGroup(
        "database",
        family="postgres16",
        parameters=[
            aws.rds.ParameterGroupParameterArgs(name=name, value=value)
            for name, value in PARAMETERS.items()
        ],
        opts=opts,
    )
    logs_key = aws.kms.Key(
        "logs", description="Analytics database logs", enable_key_rotation=True, opts=opts
    )
    log_groups = [
        aws.cloudwatch.LogGroup(
            f"database-{log}",
            name=f"/aws/rds/instance/analytics/{log}",
            retention_in_days=365,
            kms_key_id=logs_key.arn,
            opts=opts,
        )
        for log in LOG_EXPORTS
    ]
    monitoring_role = aws.iam.Role(
        "database-monitoring",
        assume_role_policy=_trust("monitoring.rds.amazonaws.com"),
        opts=opts,
    )
    database = aws.rds.Instance(
        "database",
        identifier="analytics",
        enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
        monitoring_interval=60,
        monitoring_role_arn=monitoring_role.arn,
        performance_insights_enabled=True,
        engine="postgres",
        engine_version="16.9",
        instance_class="db.t4g.medium",
        allocated_storage=20,
        username="analytics_admin",
        manage_master_user_password=True,
        port=DB_PORT,
        db_subnet_group_name=subnets.name,
        parameter_group_name=parameters.name,
        vpc_security_group_ids=[db_group.id],
        publicly_accessible=broken,
        storage_encrypted=not broken,
        multi_az=True,
        deletion_protection=True,
        backup_retention_period=7,
        skip_final_snapshot=False,
        final_snapshot_identifier="analytics-final",
        copy_tags_to_snapshot=True,
        iam_database_authentication_enabled=True,
        opts=pulumi.ResourceOptions(provider=provider, depends_on=log_groups),
    )
    topic = aws.sns.Topic("alarms", kms_master_key_id="alias/aws/sns", opts=opts)
    for source_type, categories, source in (
        ("db-instance", ["maintenance", "configuration change", "failure"], database.identifier),
        ("db-parameter-group", ["configuration change"], parameters.name),
    ):
        aws.rds.EventSubscription(
            f"events-{source_type}",
            sns_topic=topic.arn,
            source_type=source_type,
            source_ids=[source],
            event_categories=categories,
            opts=opts,
        )
    for metric, operator, threshold in ALARMS:
        aws.cloudwatch.MetricAlarm(
            f"database-{metric}",
            namespace="AWS/RDS",
            metric_name=metric,
            dimensions={"DBInstanceIdentifier": database.identifier},
            comparison_operator=operator,
            threshold=threshold,
            statistic="Average",
            period=300,
            evaluation_periods=3,
            alarm_actions=[topic.arn],
            ok_actions=[topic.arn],
            opts=opts,
        )
    pulumi.export("summary", json.dumps({"broken": broken}))
