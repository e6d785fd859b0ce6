"""The resource types the rules judge, as the engine names them.

The older spellings of the same things are here too, so a rule cannot be
dodged by writing a resource the other way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

EC2_INSTANCE: Final = "aws:ec2/instance:Instance"
EC2_EIP: Final = "aws:ec2/eip:Eip"
EBS_VOLUME: Final = "aws:ebs/volume:Volume"
KEY_PAIR: Final = "aws:ec2/keyPair:KeyPair"
SECURITY_GROUP: Final = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE_LEGACY: Final = "aws:ec2/securityGroupRule:SecurityGroupRule"
SG_INGRESS_RULE: Final = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_EGRESS_RULE: Final = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SG_RULE_TYPES: Final = (SG_RULE_LEGACY, SG_INGRESS_RULE, SG_EGRESS_RULE)
SG_TYPES: Final = (SECURITY_GROUP, *SG_RULE_TYPES)
VPC_ENDPOINT: Final = "aws:ec2/vpcEndpoint:VpcEndpoint"
SUBNET: Final = "aws:ec2/subnet:Subnet"
RDS_INSTANCE: Final = "aws:rds/instance:Instance"
RDS_SUBNET_GROUP: Final = "aws:rds/subnetGroup:SubnetGroup"
RDS_PARAMETER_GROUP: Final = "aws:rds/parameterGroup:ParameterGroup"
TLS_PRIVATE_KEY: Final = "tls:index/privateKey:PrivateKey"
METRIC_ALARM: Final = "aws:cloudwatch/metricAlarm:MetricAlarm"
SNS_TOPIC: Final = "aws:sns/topic:Topic"
AWS_PROVIDER: Final = "pulumi:providers:aws"
# The state bucket of bootstrap/ and its one-resource-per-setting companions;
# each companion names its bucket in its ``bucket`` input. The V2 spellings are
# pulumi-aws's deprecated aliases of the same resources.
S3_BUCKET_TYPES: Final = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
S3_VERSIONING_TYPES: Final = (
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
)
S3_ENCRYPTION_TYPES: Final = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
S3_PUBLIC_ACCESS_BLOCK: Final = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
S3_BUCKET_POLICY: Final = "aws:s3/bucketPolicy:BucketPolicy"
NETWORK_COMPONENT: Final = "bastiondb:network:ExistingNetwork"

# Engines' listening ports when the instance does not set one.
DEFAULT_DB_PORTS: Final[Mapping[str, int]] = {"postgres": 5432, "mysql": 3306, "mariadb": 3306}
RDS_EVENT_SUBSCRIPTION: Final = "aws:rds/eventSubscription:EventSubscription"
SECRET_ROTATION: Final = "aws:secretsmanager/secretRotation:SecretRotation"
KMS_KEY: Final = "aws:kms/key:Key"
KMS_KEY_POLICY: Final = "aws:kms/keyPolicy:KeyPolicy"
IAM_ROLE: Final = "aws:iam/role:Role"
SNS_TOPIC_POLICY: Final = "aws:sns/topicPolicy:TopicPolicy"
LOG_GROUP: Final = "aws:cloudwatch/logGroup:LogGroup"
# Account-wide settings the bootstrap project may own (EC2.7, S3.1).
EBS_ENCRYPTION_BY_DEFAULT: Final = "aws:ebs/encryptionByDefault:EncryptionByDefault"
S3_ACCOUNT_PUBLIC_ACCESS_BLOCK: Final = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
